"""The lifecycle over HTTP: withdrawal (회원탈퇴), separated reads (분리보관 자료 열람), reactivation
(휴면 해제) and the destruction ledger (파기 기록). Sweeps are operations jobs: ``jikimi sweep``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from jikimi.api.answers import ACTION_DENIED, INVALID, STATE_CONFLICT, SUBJECT_MISSING, Answer, answers
from jikimi.api.deps import AuditorDep, HandlerDep, JikimiDep, SourceDep, requires
from jikimi.api.examples import example
from jikimi.api.schemas import MONTH_PATTERN, SUBJECT_ID_PATTERN, Instant
from jikimi.handlers import Handler
from jikimi.lifecycle import LedgerEntry

router = APIRouter(prefix="/v1", tags=["lifecycle"])

SEPARATED_DENIED = Answer(
    403,
    "vault.denied",
    "보존 사유에 해당하지 않습니다",
    "the reason is not one the retention rule keeps the data for",
    reason="reason_not_allowed",
)

SubjectId = Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="대상자 id (opaque subject id)")]
WithdrawDep = Annotated[Handler, Depends(requires("withdraw"))]
SeparatedDep = Annotated[Handler, Depends(requires("separated"))]
PolicyId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class WithdrawIn(_In):
    model_config = example({"reason": "member_request", "channel": "web"})

    reason: Literal["member_request", "membership_lost", "consent_withdrawn", "deletion_request"] = Field(
        description="종료 사유 (member_request: 탈퇴 요청, membership_lost: 자격 상실, consent_withdrawn: 마지막 동의 "  # noqa: E501
        "철회, deletion_request: 삭제 요구)"
    )
    channel: Annotated[str, StringConstraints(min_length=1, max_length=32)] = "web"


class WithdrawOut(BaseModel):
    model_config = example(
        {
            "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "destroyed": ["email", "mobile", "name"],
            "separated": {
                "payment_records": "2031-12-03T15:00:00Z",
                "withdrawn_login_id": "2027-06-03T15:00:00Z",
            },
            "subject_removed": False,
        }
    )

    subject_id: str
    destroyed: list[str] = Field(description="즉시 파기된 항목·기록 (destroyed at once)")
    separated: dict[str, Instant | None] = Field(
        description="분리보관된 항목·기록과 파기 예정 시각 (kept apart until; null: 처리방침의 기간 미기재)"
    )
    subject_removed: bool


class SeparatedReadIn(_In):
    model_config = example(
        {
            "items": ["payment_records"],
            "reason": "전자상거래법에 따른 분쟁 처리 (a dispute under the e-commerce act)",
            "reference": "분쟁조정 2026-123",
        }
    )

    items: list[PolicyId] = Field(min_length=1, max_length=200, description="항목 또는 기록 종류 id")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=300)] = Field(
        description="보존 사유 중 하나 (one of the retention rule's reasons)"
    )
    reference: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="요청 문서 번호 등 (e.g. a warrant or request number)"
    )


class SeparatedRecord(BaseModel):
    id: str
    type: str
    occurred_at: Instant
    data: dict[str, JsonValue]


class SeparatedOut(BaseModel):
    model_config = example(
        {
            "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "values": {},
            "records": [
                {
                    "id": "Rc5dT8wQ2mNx7LpK3vYz9a",
                    "type": "payment",
                    "occurred_at": "2026-12-03T01:00:00Z",
                    "data": {"order_id": "A-1001", "amount": 12000},
                }
            ],
        }
    )

    subject_id: str
    values: dict[str, str]
    records: list[SeparatedRecord]


class Done(BaseModel):
    model_config = example({"ok": True})

    ok: bool = True


class LedgerOut(BaseModel):
    model_config = example(
        {
            "month": "2026-12",
            "entries": [
                {
                    "at": "2026-12-03T01:00:00Z",
                    "batch_id": "Bt6nQ2xL9mR4sV7wK3pZ8a",
                    "process": "sweep",
                    "actor": "system",
                    "class_kind": "item",
                    "class_id": "email",
                    "count": 12,
                    "trigger": "retention_expired",
                    "rule_id": "withdrawn_login_id",
                    "basis": "처리방침 (the policy)",
                    "method": "crypto_shred",
                }
            ],
        }
    )

    month: str
    entries: list[LedgerEntry]


@router.post(
    "/subjects/{subject_id}/withdraw",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT),
    response_model=WithdrawOut,
    summary="탈퇴·목적 달성 (withdraw)",
)
def withdraw(
    subject_id: SubjectId, body: WithdrawIn, jikimi: JikimiDep, handler: WithdrawDep, source: SourceDep
) -> WithdrawOut:
    """보존 규칙이 없는 항목은 즉시 파기하고, 있는 항목은 분리보관합니다. `withdraw` 작업 권한이 필요합니다.
    Destroys at once what no retention rule keeps and separates the rest until its period ends."""
    ended = jikimi.lifecycle.withdraw(
        subject_id, body.reason, actor=handler, channel=body.channel, source=source
    )
    return WithdrawOut(
        subject_id=subject_id,
        destroyed=list(ended.destroyed),
        separated=ended.separated,
        subject_removed=ended.subject_removed,
    )


@router.post(
    "/subjects/{subject_id}/separated/read",
    responses=answers(SEPARATED_DENIED, ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, INVALID),
    response_model=SeparatedOut,
    summary="분리보관 자료 열람 (read separated data for its reason)",
)
def read_separated(
    subject_id: SubjectId, body: SeparatedReadIn, jikimi: JikimiDep, handler: SeparatedDep, source: SourceDep
) -> SeparatedOut:
    """보존 사유에 해당할 때만 분리보관 자료를 열람합니다 (기록됨). `separated` 작업 권한이 필요합니다.
    Reads data kept after withdrawal, only for a reason its retention rule allows; logged."""
    found = jikimi.lifecycle.read_separated(
        subject_id, body.items, body.reason, actor=handler, reference=body.reference, source=source
    )
    return SeparatedOut(
        subject_id=subject_id,
        values=found.values,
        records=[SeparatedRecord.model_validate(vars(r)) for r in found.records],
    )


@router.post(
    "/subjects/{subject_id}/reactivate",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT),
    response_model=Done,
    summary="휴면 해제 (end dormancy on request)",
)
def reactivate(subject_id: SubjectId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> Done:
    """휴면 회원의 요청으로 분리보관된 정보를 되돌립니다 (로그인으로도 해제됩니다). `withdraw` 작업 권한이 필요합니다.
    Brings a dormant member's data back on their request (logging in does it too). Needs the
    `withdraw` action; a refused attempt is logged."""  # noqa: E501
    jikimi.lifecycle.reactivate(subject_id, actor=handler, via="request", source=source)
    return Done()


@router.get(
    "/ledger",
    responses=answers(ACTION_DENIED),
    response_model=LedgerOut,
    summary="파기 기록 (destruction ledger of a month)",
)
def ledger(
    jikimi: JikimiDep,
    _handler: AuditorDep,
    month: Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM (KST, 0001-01 to 9999-12)")],
) -> LedgerOut:
    """한 달의 파기 기록 (항목 종류, 건수, 규칙, 근거, 방법, 시각, 프로세스 — 개인정보 없음). `audit` 권한.
    A month of the destruction ledger: class, count, rule, basis, method, time, process — no personal data."""
    rows = jikimi.lifecycle.ledger(month)
    return LedgerOut(month=month, entries=list(rows))
