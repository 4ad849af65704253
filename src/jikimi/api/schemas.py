"""Request and response bodies. Strict types: a number or a list where a string is expected, or
anything but ``true``/``false`` for a consent, is refused before the vault sees it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, StrictBool, StringConstraints

from jikimi.api.examples import example
from jikimi.clock import as_utc

# Lengths are the columns' (src/jikimi/store/tables.py): ids and names String(64), subject ids String(32).
# NUL, lone surrogates and NaN are refused for every field by one check (jikimi.api.inputs).
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
"""An item, purpose or role id, or a role name (roles.name, item_id, target_id: String(64))."""
PolicyId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""An item, purpose, context or record id as the policy spells them (so that no value can pass for one)."""
SUBJECT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
"""An opaque subject or request id (22 characters; the columns hold 32)."""
SubjectRef = Annotated[str, StringConstraints(pattern=SUBJECT_ID_PATTERN)]
"""An opaque subject id."""
MONTH_PATTERN = r"^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])$"
"""``YYYY-MM`` with a year from 0001 to 9999 and a month from 01 to 12."""
Instant = Annotated[datetime, AfterValidator(as_utc)]
"""A moment in a response: always aware, in UTC (``…+00:00``); SQLite hands naive UTC datetimes back."""
LAST_DAY = date(9998, 12, 31)
"""The latest date a request may name: deadlines computed from it (a day after, in Korean time) stay
inside the calendar, which ends at 9999-12-31."""
_FIRST_MOMENT = datetime(1, 1, 2, tzinfo=UTC)
_LAST_MOMENT = datetime(9998, 12, 31, 23, 59, 59, tzinfo=UTC)


def _in_calendar(moment: datetime) -> datetime:
    try:
        inside = _FIRST_MOMENT <= as_utc(moment) <= _LAST_MOMENT
    except OverflowError:  # an offset that moves the moment out of the calendar
        inside = False
    if not inside:
        raise ValueError("must be between 0001-01-02 and 9998-12-31 (UTC)")
    return moment


Moment = Annotated[datetime, AfterValidator(_in_calendar)]
"""A moment a request names: inside the calendar with room for the periods counted from it."""
MAX_ROW_ID = 2**63 - 1
"""The largest id a BIGINT column holds (a cursor past it is refused, not sent to the database)."""
Value = Annotated[str, StringConstraints(max_length=4000)]
Reason = Annotated[str, StringConstraints(max_length=500)]
Channel = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CollectIn(_In):
    model_config = example(
        {
            "context": "signup",
            "data": {
                "login_id": "hong123",
                "name": "홍길동",
                "email": "hong@example.com",
                "mobile": "010-0000-0000",
            },
            "consents": {"marketing": False, "ad:sms": False},
            "channel": "web",
        }
    )

    context: PolicyId = Field(description="수집 상황 id (collection context), e.g. signup")
    data: dict[Id, Value] = Field(description="항목 id → 값 (item id → value, strings only)", max_length=200)
    consents: dict[Id, StrictBool] = Field(
        default_factory=dict,
        description="목적 id → 동의 여부 (purpose id → true/false); 광고 수신동의는 ad:sms, ad:night 등 "
        "(consents to receive advertising: ad:<channel>, ad:night)",
    )
    channel: Channel = Field(default="web", description="수집 경로 (web, app, phone…)")


class CollectOut(BaseModel):
    model_config = example(
        {
            "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "status": "active",
            "stored_items": ["email", "login_id", "mobile", "name"],
            "consents_given": [],
            "consents_refused": ["marketing"],
        }
    )

    subject_id: str
    status: str
    stored_items: list[str]
    consents_given: list[str]
    consents_refused: list[str]


class ReadIn(_In):
    model_config = example(
        {"items": ["email"], "purpose": "support", "reason": "문의 답변 (answering an inquiry)"}
    )

    items: list[PolicyId] = Field(min_length=1, max_length=200, description="읽을 항목 id (item ids)")
    purpose: PolicyId = Field(description="이용 목적 id (purpose id)")
    reason: Reason | None = Field(default=None, description="열람 사유 (reason, logged)")


class ReadOut(BaseModel):
    model_config = example(
        {
            "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "purpose": "support",
            "values": {"email": "hong@example.com"},
        }
    )

    subject_id: str
    purpose: str
    values: dict[str, str]


class BulkReadIn(_In):
    model_config = example(
        {
            "subject_ids": ["Hx7sK2mPq9LrT4vWz8bN3c", "Kp2wN8xQ4rLm6TzV9bC1sd"],
            "items": ["email"],
            "purpose": "support",
            "reason": "배송 지연 안내 (a delivery delay notice)",
        }
    )

    subject_ids: list[SubjectRef] = Field(min_length=1, max_length=10_000)
    items: list[PolicyId] = Field(min_length=1, max_length=200)
    purpose: PolicyId
    reason: Reason | None = Field(default=None, description="대량 열람 사유 (required by the gate)")


class BulkReadOut(BaseModel):
    model_config = example(
        {"purpose": "support", "values": {"Hx7sK2mPq9LrT4vWz8bN3c": {"email": "hong@example.com"}}}
    )

    purpose: str
    values: dict[str, dict[str, str]] = Field(description="허용된 대상자만 (allowed subjects only)")


class RecordIn(_In):
    type: PolicyId = Field(description="기록 종류 id (record type), e.g. payment")
    data: dict[Id, JsonValue] = Field(description="기록 내용 (the record's fields)", max_length=200)
    occurred_at: Moment | None = Field(default=None, description="발생 시각 (ISO 8601)")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "payment",
                    "data": {"order_id": "A-1001", "amount": 12000},
                    "occurred_at": "2026-12-03T10:00:00+09:00",
                }
            ]
        },
        extra="forbid",
        strict=False,
    )


class RecordCreated(BaseModel):
    model_config = example({"record_id": "Rc5dT8wQ2mNx7LpK3vYz9a"})

    record_id: str


class RecordsReadIn(_In):
    model_config = example(
        {"type": "payment", "purpose": "order_fulfilment", "reason": "환불 처리 (a refund)"}
    )

    type: PolicyId
    purpose: PolicyId
    reason: Reason | None = None


class RecordItem(BaseModel):
    id: str
    type: str
    occurred_at: Instant
    data: dict[str, JsonValue]


class RecordsOut(BaseModel):
    model_config = example(
        {
            "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "type": "payment",
            "purpose": "order_fulfilment",
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
    type: str
    purpose: str
    records: list[RecordItem]


class ConsentChangeIn(_In):
    model_config = example({"channel": "app"})

    channel: Channel = "web"


class ConsentOut(BaseModel):
    model_config = example({"subject_id": "Hx7sK2mPq9LrT4vWz8bN3c", "purpose": "marketing", "granted": True})

    subject_id: str
    purpose: str
    granted: bool


class ConsentRow(BaseModel):
    target_kind: str
    target_id: str
    granted: bool
    policy_version: str
    channel: str
    at: Instant
    withdrawn_at: Instant | None


class ConsentsOut(BaseModel):
    model_config = example(
        {
            "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "consents": [
                {
                    "target_kind": "purpose",
                    "target_id": "marketing",
                    "granted": True,
                    "policy_version": "2026-01",
                    "channel": "web",
                    "at": "2026-12-03T01:00:00Z",
                    "withdrawn_at": None,
                }
            ],
        }
    )

    subject_id: str
    consents: list[ConsentRow]


class GuardianConsentIn(_In):
    model_config = example({"method": "mobile_verification", "channel": "web"})

    method: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="동의 확인 방법 (how the guardian's consent was verified), e.g. mobile_verification"
    )
    channel: Channel = "web"


class SubjectOut(BaseModel):
    model_config = example(
        {
            "id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "kind": "member",
            "status": "active",
            "context": "signup",
            "is_child": False,
            "policy_version": "2026-01",
            "created_at": "2026-12-03T01:00:00Z",
            "last_activity_at": "2026-12-03T01:00:00Z",
            "items": ["email", "login_id", "mobile", "name"],
        }
    )

    id: str
    kind: str
    status: str
    context: str | None
    is_child: bool
    policy_version: str | None
    created_at: Instant
    last_activity_at: Instant | None
    items: list[str] = Field(description="보관 중인 항목 id (ids only, never values)")


class RoleIn(_In):
    model_config = example(
        {"name": "support", "purposes": ["membership", "support"], "actions": ["read", "metadata"]}
    )

    name: Id
    purposes: list[Id] = Field(max_length=200, description="허용 목적 (purpose ids, or *)")
    actions: list[Id] = Field(
        max_length=50, description="허용 작업 (collect, read, record, consent, export, admin, audit)"
    )


class RoleOut(BaseModel):
    model_config = example(
        {"name": "support", "purposes": ["membership", "support"], "actions": ["metadata", "read"]}
    )

    name: str
    purposes: list[str]
    actions: list[str]


class HandlerIn(_In):
    model_config = example({"login": "cs-kim", "password": "correct horse battery", "role": "support"})

    login: Annotated[str, StringConstraints(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    role: Id


class TokenOut(BaseModel):
    model_config = example(
        {"login": "cs-kim", "role": "support", "token": "jk_3q9VbX2mLr7TzK4pN8wQ1sYc6dHf0aGe"}
    )

    login: str
    role: str
    token: str = Field(description="API 토큰: 지금 한 번만 보여 줍니다 (shown once)")


class HandlerRow(BaseModel):
    login: str
    role: str
    locked: bool
    disabled: bool
    created_at: Instant


class RoleChangeIn(_In):
    model_config = example({"role": "support"})

    role: Id


class LoginIn(_In):
    model_config = example({"login": "cs-kim", "password": "correct horse battery"})

    login: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Done(BaseModel):
    model_config = example({"ok": True})

    ok: bool = True


class BreakOut(BaseModel):
    chain: str
    chain_seq: int
    seq: int | None
    problem: str


class VerifyOut(BaseModel):
    model_config = example({"ok": True, "rows": 1520, "chains": 2, "breaks": []})

    ok: bool
    rows: int
    chains: int
    breaks: list[BreakOut]


class PolicyHealth(BaseModel):
    """The policy in force and its enforcement-blocking lint findings (rule ids only)."""

    version: str
    blocking_lint: list[str] = Field(
        description="집행을 막는 검사 규칙 id (lint rules whose errors block enforcement; docs/lint-rules.md)"
    )
    override: bool = Field(
        description="차단 오류가 있는데도 허용되어 실행 중 (running although blocking_lint is not empty)"
    )


class Health(BaseModel):
    model_config = example(
        {
            "status": "ok",
            "db": "ok",
            "schema_revision": "0012",
            "policy_version": "2026-01",
            "policy": {"version": "2026-01", "blocking_lint": [], "override": False},
        }
    )

    status: str
    db: str | None = None
    schema_revision: str | None = None
    policy_version: str | None = None
    policy: PolicyHealth | None = None


def written(model: BaseModel, status_code: int = 200) -> Response:
    """``model`` as the answer, encoded once. The route's ``response_model`` stays its documented
    shape; returned as a model, FastAPI would validate it again and, for a route that is not
    ``async``, do so in a second thread hop. For the hottest routes (a gated read, a collection)."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
