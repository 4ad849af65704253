"""Lint rules on what subjects are told about their choices and remedies (PIPA 30, 35–37, 작성지침).

How to refuse automatic collection, the deadline for rights requests, redress agencies and change notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jikimi.policy._lint_registry import Hit, rule
from jikimi.policy.model import Policy


@rule(
    "auto-collection-no-refusal",
    "error",
    "PIPA 30①7",
    "자동 수집 장치 거부 방법 누락",
    "automatic collection without how to refuse",
)
def _auto_refusal(policy: Policy) -> Iterator[Hit]:
    for i, auto in enumerate(policy.auto_collection):
        if not auto.how_to_refuse:
            yield (
                ("auto_collection", i),
                f"'{auto.label}'을(를) 거부하는 방법이 없습니다.",
                f"no way to refuse '{auto.id}' is given.",
            )


@rule(
    "rights-deadline",
    "warning",
    "PIPA 35③·36②·37④, 시행령 41④",
    "권리 행사 처리기한",
    "deadline for answering rights requests",
)
def _rights_deadline(policy: Policy) -> Iterator[Hit]:
    rights = policy.rights
    if rights is None:
        return
    if rights.deadline_days is None:
        yield (
            ("rights",),
            "열람·정정·삭제·처리정지 요구에 10일 이내 답한다는 처리기한을 밝히지 않았습니다.",
            "the policy does not state that rights requests are answered within 10 days.",
        )
    elif rights.deadline_days > 10:
        yield (
            ("rights", "deadline_days"),
            f"처리기한 {rights.deadline_days}일은 법정 기한 10일보다 깁니다.",
            f"a {rights.deadline_days}-day deadline exceeds the legal 10 days.",
        )


_STANDARD_REDRESS = [
    ("1833-6972", "개인정보분쟁조정위원회 (1833-6972)", "Personal Information Dispute Mediation Committee"),
    ("118", "개인정보침해신고센터 (118)", "Privacy Infringement Report Center"),
    ("1301", "대검찰청 (1301)", "Supreme Prosecutors' Office"),
    ("182", "경찰청 (182)", "Korean National Police Agency"),
]
_OUTDATED_REDRESS = [
    "cyberprivacy.or.kr",
    "ctrc.go.kr",
    "eprivacy.or.kr",
    "정보보호마크인증위원회",
    "1336",
    "사이버테러대응센터",
    "netan.go.kr",
]


@rule(
    "redress-incomplete",
    "warning",
    "작성지침 (권익침해 구제방법)",
    "권익침해 구제기관 안내 부족",
    "redress agencies missing",
)
def _redress(policy: Policy) -> Iterator[Hit]:
    agencies = policy.complaints.redress if policy.complaints else ()
    text = " ".join(f"{a.name} {a.url or ''} {a.phone or ''}" for a in agencies)
    missing = [
        (ko, en)
        for number, ko, en in _STANDARD_REDRESS
        if not re.search(rf"(?<![\d-]){number}(?![\d-])", text)
    ]
    if missing:
        yield (
            ("complaints", "redress") if policy.complaints else ("complaints",),
            f"권익침해 구제기관 안내가 빠졌습니다: {', '.join(m[0] for m in missing)}",
            f"redress agencies not listed: {', '.join(m[1] for m in missing)}",
        )
    for i, agency in enumerate(agencies):
        entry = f"{agency.name} {agency.url or ''} {agency.phone or ''}"
        if any(old in entry for old in _OUTDATED_REDRESS):
            yield (
                ("complaints", "redress", i),
                f"'{agency.name}'의 명칭이나 연락처는 더 이상 쓰이지 않습니다.",
                f"'{agency.name}': outdated agency name or contact.",
            )


@rule(
    "change-notice",
    "warning",
    "PIPA 30②, 작성지침",
    "변경 고지 기간 미기재",
    "change-notice period not stated",
)
def _notice(policy: Policy) -> Iterator[Hit]:
    if not policy.notice_declared:
        yield (
            ("notice",),
            "처리방침 변경을 며칠 전에 알리는지 밝히지 않았습니다.",
            "the policy does not say how many days before a change it is announced.",
        )
    elif policy.notice.material_lead_days < 30:
        yield (
            ("notice", "material_lead_days"),
            f"중요한 변경(수집 항목, 제3자 제공 등)을 {policy.notice.material_lead_days}일 전에만 알립니다. 30일 전 고지를 권장합니다.",  # noqa: E501
            f"material changes are announced only {policy.notice.material_lead_days} days before; 30 is the norm.",  # noqa: E501
        )
