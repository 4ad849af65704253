"""Data-subject rights requests, as pure rules: types, states, refusal grounds and deadlines.

No database, no web framework: the service (``jikimi.rights.service``) stores what these rules
decide. The rules (PIPA 35–38, 시행령 41–44, 민법 157·161):

* Six request types — 열람 (access, 35), 정정 (correction, 36), 삭제 (deletion, 36), 처리정지
  (stop, 37), 동의 철회 (consent withdrawal, 37), and 자동화된 결정에 대한 거부·설명 요구
  (objection to an automated decision, 37-2).
* A request is made by the subject, by the legal guardian of a child under 14 (38②), or by an
  agent holding a power of attorney (38①), through a channel the policy's rights section declares
  (``rights.channels``; when it declares none, web, email, phone, letter and in person).
* States: received → verified (본인 확인) → in_progress → answered / partly_answered / refused;
  ``extended`` (연기, with a reason) may come before the answer. Nothing that discloses or changes
  data happens before the requester's identity is verified.
* Deadline: 10 days from receipt (30 for automated decisions), counted by the Civil Act in Korean
  time — the day of receipt is not counted (157) and a period ending on a Saturday or a public
  holiday (Sunday included) ends on the next day that is neither (161).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from jikimi.periods import KST, kst_day
from jikimi.policy.model import DEFAULT_RIGHTS_CHANNELS

REQUEST_TYPES: dict[str, tuple[str, str, str]] = {
    "access": ("열람", "access", "PIPA 35"),
    "correction": ("정정", "correction", "PIPA 36"),
    "deletion": ("삭제", "deletion", "PIPA 36"),
    "stop": ("처리정지", "stop processing", "PIPA 37"),
    "consent_withdrawal": ("동의 철회", "consent withdrawal", "PIPA 37"),
    "automated_decision": (
        "자동화된 결정에 대한 거부·설명 요구",
        "objection to an automated decision",
        "PIPA 37-2",
    ),
}
"""Request type → (Korean, English, article)."""

REQUESTERS: dict[str, tuple[str, str]] = {
    "self": ("정보주체 본인", "the data subject"),
    "guardian": ("법정대리인", "the legal guardian (for a child under 14)"),
    "agent": ("대리인 (위임장)", "an agent with a power of attorney"),
}

DEFAULT_CHANNELS: tuple[str, ...] = DEFAULT_RIGHTS_CHANNELS
"""The channels a request is received through when the policy's rights section declares none
(``Policy.rights_channels``, which the document states too)."""

STATUSES: dict[str, tuple[str, str]] = {
    "received": ("접수", "received"),
    "verified": ("본인 확인 완료", "identity verified"),
    "in_progress": ("처리 중", "in progress"),
    "extended": ("연기", "extended"),
    "answered": ("처리 완료", "answered"),
    "partly_answered": ("일부 처리", "partly answered"),
    "refused": ("거절", "refused"),
}

OPEN_STATUSES = frozenset({"received", "verified", "in_progress", "extended"})
CLOSED_STATUSES = frozenset({"answered", "partly_answered", "refused"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"verified", "extended", "refused"}),
    "verified": frozenset({"in_progress", "extended", "answered", "partly_answered", "refused"}),
    "in_progress": frozenset({"extended", "answered", "partly_answered", "refused"}),
    "extended": frozenset({"verified", "in_progress", "extended", "answered", "partly_answered", "refused"}),
    "answered": frozenset(),
    "partly_answered": frozenset(),
    "refused": frozenset(),
}
"""The allowed moves. Answers (``answered``, ``partly_answered``) also need a verified identity."""

DEADLINE_DAYS: dict[str, int] = {
    "access": 10,
    "correction": 10,
    "deletion": 10,
    "stop": 10,
    "consent_withdrawal": 10,
    "automated_decision": 30,
}
"""Days from receipt: 10 (35③, 36②, 37④, 령 41–44); 30 for automated decisions (37-2, 령 44-4)."""

MAX_EXTENSIONS: dict[str, int | None] = {"access": None, "automated_decision": 2}
"""Types whose answer may be put off, and how often (None: as long as the stated reason lasts).

열람 may be postponed with a reason (35③, 연기); an automated-decision answer may be extended twice
(37-2, 령 44-4). The law gives no extension for correction, deletion, stop or withdrawal: their
result is due within 10 days, so the service refuses to extend them."""


@dataclass(frozen=True)
class RefusalGround:
    """A legal ground for refusing (all or part of) a request, and the types it applies to."""

    id: str
    article: str
    ko: str
    en: str
    applies_to: frozenset[str]


def _ground(id: str, article: str, ko: str, en: str, *types: str) -> RefusalGround:
    return RefusalGround(id, article, ko, en, frozenset(types))


_ALL = tuple(REQUEST_TYPES)
_STOP_LIKE = ("stop", "consent_withdrawal")

REFUSAL_GROUNDS: dict[str, RefusalGround] = {
    g.id: g
    for g in (
        _ground(
            "law_forbids_access",
            "PIPA 35④1",
            "법률에 따라 열람이 금지되거나 제한되는 경우",
            "a law forbids or limits access",
            "access",
        ),
        _ground(
            "harms_others",
            "PIPA 35④2",
            "다른 사람의 생명·신체를 해할 우려가 있거나 다른 사람의 재산과 그 밖의 이익을 "
            "부당하게 침해할 우려가 있는 경우",
            "access could endanger another person's life or body or unfairly harm "
            "their property or other interests",
            "access",
        ),
        _ground(
            "public_duty_access",
            "PIPA 35④3",
            "공공기관이 조세 부과·징수, 성적 평가, 시험·자격 심사, 보상금·급부금 산정, "
            "진행 중인 감사·조사 등의 업무를 수행할 때 중대한 지장을 초래하는 경우",
            "a public institution's taxation, grading, examination, benefit assessment or ongoing audit would be "  # noqa: E501
            "seriously hindered",
            "access",
        ),
        _ground(
            "other_law_requires_data",
            "PIPA 36① 단서",
            "다른 법령에서 그 개인정보가 수집 대상으로 명시되어 있어 "
            "삭제를 요구할 수 없는 경우 (법정 보존기간 동안 분리 보관)",
            "another law names the data as to be collected or kept, so it cannot be deleted (it is kept separated "  # noqa: E501
            "for the statutory period)",
            "deletion",
        ),
        _ground(
            "other_law_procedure",
            "PIPA 36②",
            "다른 법령에 정정·삭제에 관한 특별한 절차가 규정되어 있는 경우",
            "another law prescribes a special procedure for the correction or deletion",
            "correction",
            "deletion",
        ),
        _ground(
            "correction_unfounded",
            "PIPA 36③",
            "정정 요구 사항을 조사한 결과 처리 중인 개인정보가 정확하여 정정할 사유가 없는 경우",
            "after investigation the data held is accurate; there is nothing to correct",
            "correction",
        ),
        _ground(
            "law_requires_processing",
            "PIPA 37②1",
            "법률에 특별한 규정이 있거나 법령상 의무를 준수하기 위하여 불가피한 경우",
            "a law specifically requires the processing, or it is unavoidable to meet a legal duty",
            *_STOP_LIKE,
        ),
        _ground(
            "harms_others_stop",
            "PIPA 37②2",
            "다른 사람의 생명·신체를 해할 우려가 있거나 다른 사람의 재산과 그 밖의 "
            "이익을 부당하게 침해할 우려가 있는 경우",
            "stopping could endanger another person's life or body or "
            "unfairly harm their property or other interests",
            *_STOP_LIKE,
        ),
        _ground(
            "public_duty_stop",
            "PIPA 37②3",
            "공공기관이 개인정보를 처리하지 아니하면 다른 법률에서 정하는 소관 업무를 수행할 수 없는 경우",
            "a public institution could not perform its statutory duties without the processing",
            *_STOP_LIKE,
        ),
        _ground(
            "contract_needs_processing",
            "PIPA 37②4",
            "개인정보를 처리하지 아니하면 정보주체와 약정한 서비스를 제공하지 "
            "못하는 등 계약의 이행이 곤란한 경우로서 정보주체가 그 계약의 해지 의사를 명확하게 밝히지 아니한 경우",  # noqa: E501
            "the contracted service cannot be provided without the processing and the subject has not clearly "  # noqa: E501
            "ended the contract",
            *_STOP_LIKE,
        ),
        _ground(
            "automated_decision_basis",
            "PIPA 37-2① 단서",
            "자동화된 결정이 정보주체의 동의, 법률의 특별한 규정 또는 "
            "계약의 체결·이행을 위하여 이루어지는 경우 (거부할 수 없으며, 설명은 요구할 수 있습니다)",
            "the automated decision rests on consent, a specific law or a contract, so it cannot be refused "
            "(an explanation may still be asked for)",
            "automated_decision",
        ),
        _ground(
            "identity_not_verified",
            "PIPA 38, 시행령 41",
            "요구한 사람이 정보주체 본인 또는 정당한 대리인임을 확인할 수 없는 경우",
            "the requester could not be verified as the subject or a lawful representative",
            *_ALL,
        ),
        _ground(
            "no_power_of_attorney",
            "PIPA 38①",
            "대리인이 정보주체의 위임장을 제출하지 아니한 경우",
            "the agent did not present the subject's power of attorney",
            *_ALL,
        ),
    )
}

HOW_TO_OBJECT_KO = (
    "이 결정에 이의가 있으시면 결과를 받은 날부터 개인정보 보호책임자에게 서면·이메일·전화로 이의를 제기하실 수 "  # noqa: E501
    "있습니다(개인정보 보호법 제38조제5항). 또한 개인정보분쟁조정위원회(1833-6972, www.kopico.go.kr)에 분쟁조정을 "  # noqa: E501
    "신청하거나 개인정보침해신고센터(118)에 신고하실 수 있으며, 공공기관의 처분에 대해서는 행정심판 또는 행정소송을 "  # noqa: E501
    "제기하실 수 있습니다."
)
HOW_TO_OBJECT_EN = (
    "If you disagree, you may object to the privacy officer in writing, by email or by phone (PIPA 38⑤). You may "  # noqa: E501
    "also apply for mediation to the Personal Information Dispute Mediation Committee (1833-6972, "
    "www.kopico.go.kr) or report to the Privacy Infringement Report Center (118); a public institution's decision "  # noqa: E501
    "may be challenged by administrative appeal (행정심판) or administrative litigation (행정소송)."
)


def accepted_channels(declared: Sequence[str]) -> tuple[str, ...]:
    """The channels the desk receives requests through: those the policy's rights section declares
    (``rights.channels``, the ways it promises subjects, 령 41), else ``DEFAULT_CHANNELS``."""
    return tuple(dict.fromkeys(declared)) or DEFAULT_CHANNELS


def grounds_for(request_type: str) -> tuple[RefusalGround, ...]:
    """The refusal grounds that apply to a request type."""
    return tuple(g for g in REFUSAL_GROUNDS.values() if request_type in g.applies_to)


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def open_key(subject_id: str, request_type: str) -> str:
    """The key that makes a second open request of the same subject and type a duplicate."""
    return f"{subject_id}|{request_type}"


# -- deadlines (민법 157, 161) ---------------------------------------------------------------------


@cache
def _korean_holidays(year: int) -> frozenset[date]:
    import holidays  # a data library; imported lazily so that importing this module stays cheap

    return frozenset(holidays.country_holidays("KR", years=year))


def is_korean_public_holiday(day: date) -> bool:
    """Sunday or a public holiday under the 공휴일에 관한 규정 (substitute holidays included)."""
    return day.weekday() == 6 or day in _korean_holidays(day.year)


def last_day(
    received_day: date, days: int, is_holiday: Callable[[date], bool] = is_korean_public_holiday
) -> date:
    """The last day of a period of ``days`` days from a request received on ``received_day`` (KST).

    The day of receipt is not counted (157), so the period ends at the close of ``received_day +
    days``; if that is a Saturday or a public holiday it ends the next day that is neither (161).
    """
    end = received_day + timedelta(days=days)
    while end.weekday() == 5 or is_holiday(end):
        end += timedelta(days=1)
    return end


def due_instant(last: date) -> datetime:
    """The first instant (UTC) after the close of ``last`` in Korea: the answer is late from then."""
    return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=KST).astimezone(UTC)


def due_at(
    received_at: datetime, request_type: str, is_holiday: Callable[[date], bool] = is_korean_public_holiday
) -> datetime:
    """When the answer to a request received at ``received_at`` is due (stored as UTC)."""
    return due_instant(last_day(kst_day(received_at), DEADLINE_DAYS[request_type], is_holiday))


def due_day(due: datetime) -> date:
    """The last day (KST) on which the answer is on time, for display (the day before ``due``)."""
    return kst_day(due) - timedelta(days=1)


def days_left(due: datetime, now: datetime) -> int:
    """Whole Korean days from today to the last day on time; negative when overdue."""
    return (due_day(due) - kst_day(now)).days
