"""Policy changes and the yearly usage notice over HTTP: a thin face over ``Jikimi.policy_changes``
and ``Jikimi.usage_notices``, for administrators (the ``admin`` action).

``POST /v1/policy/announce`` takes the new version's YAML and tells every member of the change
from the policy in force; the posted notice is served by ``GET /v1/postings``. ``GET
/v1/notices/usage`` says whether the yearly usage-and-provision notice is owed and why; ``POST``
queues it. Bodies and answers hold versions, dates, counts and codes — never a personal value.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from jikimi.api import examples
from jikimi.api.answers import ACTION_DENIED, Answer, answers
from jikimi.api.deps import AdminDep, JikimiDep, SourceDep
from jikimi.api.examples import example
from jikimi.errors import InvalidInput, PolicyLoadError
from jikimi.policy.load import load_policy_text
from jikimi.policy.model import Policy

router = APIRouter(tags=["notices"])

INVALID_EFFECTIVE = Answer(
    422,
    "vault.invalid",
    "effective: 고지 기간보다 가까운 시행일입니다",
    "effective: closer than the notice the change needs",
    field="effective",
)
NOT_OWED = Answer(
    409,
    "vault.state",
    "올해는 이용·제공 내역 통지 의무가 없습니다",
    "the yearly usage notice is not owed this year",
)

MAX_POLICY_CHARS = 500_000
FIRST_YEAR, LAST_YEAR = 2000, 9998


class AnnounceIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"policy": 'version: "2027-01"\n…', "effective": "2027-01-10", "dry_run": True}]
        },
        extra="forbid",
    )

    policy: str = Field(
        min_length=1, max_length=MAX_POLICY_CHARS, description="새 처리방침 YAML (the new version, YAML text)"
    )
    effective: date | None = Field(
        None,
        ge=date(2000, 1, 1),
        le=date(9998, 12, 31),
        description="시행일 (effective date); 없으면 새 처리방침의 시행일, 그것도 없으면 가장 이른 "
        "시행 가능일 (default: the new policy's, else the earliest lawful one)",
    )
    dry_run: bool = Field(False, description="고지하지 않고 결과만 봅니다 (check only, tell no one)")


class AnnouncementOut(BaseModel):
    model_config = example(
        {
            "old_version": "2026-01",
            "new_version": "2027-01",
            "material": True,
            "notice_days": 30,
            "notice_date": "2026-12-03",
            "effective": "2027-01-10",
            "earliest_effective": "2027-01-02",
            "members": 1200,
            "reachable": 1180,
            "queued": 0,
            "already_queued": 0,
            "without_contact": 20,
            "posting_id": "Ps3tN8xQ2mLk7RvW4zB9cd",
            "changes": 3,
            "material_changes": 1,
            "dry_run": True,
        }
    )

    old_version: str
    new_version: str
    material: bool
    notice_days: int
    notice_date: date
    effective: date
    earliest_effective: date
    members: int = Field(description="탈퇴하지 않은 회원 수 (members who have not withdrawn)")
    reachable: int = Field(description="연락처 항목이 있는 회원 수 (members holding a contact item)")
    queued: int = Field(description="지금 보낸 안내 수 (messages queued now)")
    already_queued: int = Field(description="이 판을 이미 고지받은 회원 수 (told by an earlier announcement)")
    without_contact: int = Field(
        description="연락처가 없어 공지로만 알리는 회원 수 (told by the posting only)"
    )
    posting_id: str
    changes: int
    material_changes: int
    dry_run: bool


class UsageIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"year": 2026, "force": False}]}, extra="forbid"
    )

    year: int | None = Field(
        None, ge=FIRST_YEAR, le=LAST_YEAR, description="통지 연도 (default: this year, KST)"
    )
    force: bool = Field(False, description="의무가 없어도 자발적으로 보냅니다 (send as a voluntary notice)")


class UsageDutyOut(BaseModel):
    model_config = example(examples.USAGE_DUTY)

    year: int
    owed: bool
    reason: str = Field(description="subjects | special | below")
    reason_ko: str
    reason_en: str
    subjects: int
    subjects_at_least: bool
    special_items: list[str]
    special_subjects: int
    special_subjects_at_least: bool
    counted_ko: str
    counted_en: str


class UsageRunOut(BaseModel):
    model_config = example(
        {
            "year": 2026,
            "voluntary": False,
            "subjects": 1200000,
            "queued": 1180000,
            "already_queued": 0,
            "without_contact": 20000,
            "duty": examples.USAGE_DUTY,
        }
    )

    year: int
    voluntary: bool
    subjects: int
    queued: int
    already_queued: int
    without_contact: int
    duty: UsageDutyOut


def _new_policy(text: str) -> Policy:
    try:
        return load_policy_text(text, filename="<policy>")
    except PolicyLoadError as exc:  # the body's fault, not the server's: 422 naming where
        first = exc.problems[0] if exc.problems else None
        where = (f"line {first.line}: " if first and first.line else "") + (
            f"{first.key}: " if first and first.key else ""
        )
        reason = first.reason if first else "unreadable"
        raise InvalidInput(
            "policy",
            f"처리방침을 읽을 수 없습니다 ({where}{reason})",
            f"cannot load the policy ({where}{reason})",
        ) from exc


@router.post(
    "/v1/policy/announce",
    responses=answers(ACTION_DENIED, INVALID_EFFECTIVE),
    response_model=AnnouncementOut,
    summary="처리방침 변경 고지 (announce a policy change)",
)
def announce(body: AnnounceIn, jikimi: JikimiDep, handler: AdminDep, source: SourceDep) -> AnnouncementOut:
    """적용 중인 처리방침에서 새 판으로의 변경을 모든 회원에게 알리고 공지합니다. 시행일이 고지 기간(중요 변경 30일,
    그 밖의 변경 7일 — 처리방침의 notice 설정)보다 가까우면 가장 이른 시행 가능일과 함께 거절합니다(422, field
    `effective`). 같은 판을 다시 고지하면 새로 보내는 것은 없습니다. `admin` 작업 권한이 필요합니다.
    Tells every member of the change from the policy in force to the new version and posts it; an
    effective date closer than the notice the change needs is refused with the earliest lawful one. Needs the `admin` action."""  # noqa: E501
    new = _new_policy(body.policy)
    changes = jikimi.policy_changes
    if body.dry_run:
        done = changes.preview(jikimi.policy, new, effective=body.effective)
    else:
        done = changes.announce(jikimi.policy, new, effective=body.effective, actor=handler, source=source)
    return AnnouncementOut.model_validate(done.to_dict())


@router.get(
    "/v1/notices/usage",
    responses=answers(ACTION_DENIED),
    response_model=UsageDutyOut,
    summary="이용·제공 내역 통지 의무 (is it owed?)",
)
def usage_duty(
    jikimi: JikimiDep,
    _handler: AdminDep,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> UsageDutyOut:
    """보관 중인 개인정보의 정보주체 수(100만 명)와 민감정보·고유식별정보의 정보주체 수(5만 명)로 연 1회
    이상의 이용·제공 내역 통지 의무를 판단하고 이유를 답합니다 (법 20조의2, 시행령 15조의3).
    `admin` 작업 권한이 필요합니다. Whether the yearly usage-and-provision notice is owed, from the
    vault's own counts, and why. Needs the `admin` action."""
    return UsageDutyOut.model_validate(jikimi.usage_notices.check(year=year).to_dict())


@router.post(
    "/v1/notices/usage",
    responses=answers(ACTION_DENIED, NOT_OWED),
    response_model=UsageRunOut,
    summary="이용·제공 내역 통지 (queue the yearly notice)",
)
def queue_usage(body: UsageIn, jikimi: JikimiDep, handler: AdminDep, source: SourceDep) -> UsageRunOut:
    """연락처가 있는 정보주체마다 그해의 이용·제공 내역 통지를 한 번 보냅니다. 의무가 없으면 409 (force로 자발적 통지). `admin` 작업 권한이 필요합니다.
    Queues the year's notice once per subject with a contact; 409 when it is not owed, unless `force`. Needs the `admin` action."""  # noqa: E501
    run = jikimi.usage_notices.queue(year=body.year, force=body.force, actor=handler, source=source)
    return UsageRunOut.model_validate(run.to_dict())
