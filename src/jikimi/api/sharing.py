"""Provision to third parties, third-party consents, processors and statistics exports (a thin face).

Every route calls one ``jikimi.sharing`` method with the calling handler and the client's
address, so the access log records who did what from where. Subject ids travel in bodies or as
opaque path segments; values only ever appear in the response of a provision that was allowed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jikimi.api.answers import ACTION_DENIED, INVALID, STATE_CONFLICT, SUBJECT_MISSING, Answer, answers
from jikimi.api.deps import AdminDep, HandlerDep, JikimiDep, SourceDep
from jikimi.api.examples import example
from jikimi.api.schemas import MAX_ROW_ID, SUBJECT_ID_PATTERN, Instant
from jikimi.errors import Denied
from jikimi.handlers import Handler
from jikimi.sharing import DEFAULT_K, MAX_PROVIDE, ProcessorHolding, RegisteredProcessor, SubjectQuery

router = APIRouter(prefix="/v1", tags=["sharing"])

RECIPIENT_UNKNOWN = Answer(
    422,
    "vault.invalid",
    "third_party: 처리방침에 없는 제3자입니다",
    "third_party: not a recipient the policy declares",
    field="third_party",
)

SubjectId = Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="대상자 id (opaque subject id)")]
ThirdPartyId = Annotated[
    str, Path(pattern=r"^[a-z][a-z0-9_]*$", max_length=64, description="제3자 id (recipient id)")
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubjectQueryIn(_In):
    status: str | None = Field("active", description="대상자 상태 (subject status); null for any")
    context: str | None = Field(None, description="수집 상황 id (collection context)")
    kind: Literal["member", "guest", "guardian"] | None = None
    consented: bool = Field(
        False, description="이 제3자 제공에 동의한 대상자만 (only subjects who consented)"
    )


class ProvideIn(_In):
    model_config = example(
        {
            "subject_ids": ["Hx7sK2mPq9LrT4vWz8bN3c"],
            "third_party": "delivery_partner",
            "items": ["name", "mobile"],
            "basis": "consent",
        }
    )

    subject_ids: list[Annotated[str, Field(max_length=32)]] | None = Field(None, max_length=MAX_PROVIDE)
    query: SubjectQueryIn | None = None
    third_party: str = Field(max_length=64)
    items: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=200)
    basis: Literal["consent", "law"]
    reference: str | None = Field(
        None, max_length=500, description="법령 근거 문서 번호 (e.g. a warrant number)"
    )

    @model_validator(mode="after")
    def _one_selection(self) -> ProvideIn:
        if (self.subject_ids is None) == (self.query is None):
            raise ValueError("give exactly one of subject_ids and query")
        return self


class ProvideOut(BaseModel):
    model_config = example(
        {
            "batch_id": "Bt6nQ2xL9mR4sV7wK3pZ8a",
            "third_party": "delivery_partner",
            "basis": "consent",
            "reference": None,
            "at": "2026-12-03T01:00:00Z",
            "values": {"Hx7sK2mPq9LrT4vWz8bN3c": {"name": "홍길동", "mobile": "010-0000-0000"}},
            "counts": {"allowed": 1},
            "denied": {},
        }
    )

    batch_id: str
    third_party: str
    basis: str
    reference: str | None
    at: Instant
    values: dict[str, dict[str, str]] = Field(
        description="제공한 값 (the data handed over), subject → item → value"
    )
    counts: dict[str, int] = Field(description="allowed and each denial reason, counted")
    denied: dict[str, str] = Field(description="subject → reason for every subject not provided")


class ProvisionRow(BaseModel):
    id: int
    batch_id: str
    subject_id: str
    third_party_id: str
    items: list[str]
    basis: str
    reference: str | None
    at: Instant
    actor: str
    policy_version: str


class ProvisionLedgerOut(BaseModel):
    model_config = example(
        {
            "provisions": [
                {
                    "id": 1,
                    "batch_id": "Bt6nQ2xL9mR4sV7wK3pZ8a",
                    "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
                    "third_party_id": "delivery_partner",
                    "items": ["mobile", "name"],
                    "basis": "consent",
                    "reference": None,
                    "at": "2026-12-03T01:00:00Z",
                    "actor": "cs-kim",
                    "policy_version": "2026-01",
                }
            ]
        }
    )

    provisions: list[ProvisionRow]


class ChannelIn(_In):
    model_config = example({"channel": "app"})

    channel: Literal["web", "app", "paper", "phone", "email", "in_person", "letter"] = "web"


class ThirdPartyConsentOut(BaseModel):
    model_config = example(
        {"subject_id": "Hx7sK2mPq9LrT4vWz8bN3c", "third_party": "delivery_partner", "granted": True}
    )

    subject_id: str
    third_party: str
    granted: bool


class RegistryOut(BaseModel):
    model_config = example(
        {
            "processors": [
                {
                    "processor_id": "delivery",
                    "name": "누리택배",
                    "task": "배송 (delivery)",
                    "items": ["address", "mobile", "name"],
                    "until": "위탁계약 종료 시 (until the contract ends)",
                    "registered_at": "2026-12-03T01:00:00Z",
                    "released_at": None,
                    "policy_version": "2026-01",
                }
            ]
        }
    )

    processors: list[RegisteredProcessor]


class HoldingsOut(BaseModel):
    model_config = example(
        {
            "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "processors": [
                {
                    "processor_id": "delivery",
                    "name": "누리택배",
                    "task": "배송 (delivery)",
                    "items": ["mobile", "name"],
                    "until": None,
                    "until_text": "위탁계약 종료 시 (until the contract ends)",
                    "max_period": None,
                    "country": None,
                    "overseas": False,
                    "marketing": False,
                }
            ],
        }
    )

    subject_id: str
    processors: list[ProcessorHolding]


class StatsIn(_In):
    model_config = example(
        {
            "items": ["birth_date", "address"],
            "mode": "aggregate",
            "k": 5,
            "reason": "월간 가입 통계 (monthly sign-up statistics)",
        }
    )

    items: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=50)
    mode: Literal["aggregate", "extract"] = "aggregate"
    k: int = Field(DEFAULT_K, ge=2, le=1000)
    reason: str = Field(max_length=500, description="내려받기 사유 (the recorded reason, required)")
    context: str | None = Field(None, max_length=64)


class StatsOut(BaseModel):
    model_config = example(
        {
            "id": "Ex4pT7sQ2mLx9RnV3wK8zb",
            "kind": "aggregate",
            "k": 5,
            "at": "2026-12-03T01:00:00Z",
            "columns": ["age_band", "region", "count"],
            "treatments": {"birth_date": "age_band", "address": "region"},
            "removed": [],
            "subjects_read": 1200,
            "suppressed_groups": 3,
            "suppressed_rows": 7,
            "rows": [{"age_band": "30-39", "region": "서울특별시", "count": 412}],
        }
    )

    id: str
    kind: str
    k: int
    at: Instant
    columns: list[str]
    treatments: dict[str, str]
    removed: list[str]
    subjects_read: int
    suppressed_groups: int
    suppressed_rows: int
    rows: list[dict[str, str | int]]


def _ledger_reader(handler: HandlerDep) -> Handler:
    if not (handler.role.may("audit") or handler.role.may("provide")):
        raise Denied(
            "action_not_allowed",
            "제공 기록을 볼 권한이 없습니다",
            "the handler may not read the provision ledger",
        )
    return handler


LedgerReaderDep = Annotated[Handler, Depends(_ledger_reader)]


@router.post(
    "/provisions",
    responses=answers(ACTION_DENIED, INVALID),
    response_model=ProvideOut,
    summary="제3자 제공 (provide to a third party)",
)
def provide(body: ProvideIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> ProvideOut:
    """동의 또는 법령 근거(근거 문서 번호 필수)가 있는 대상자의 값만 제3자에게 제공하고, 제공마다 기록을 남깁니다.
    Provides the items of the subjects allowed — recorded consent to the recipient, or a legal basis
    with its reference — and returns the values handed over. Children under 14 (when the policy says
    so), items under correction hold and withdrawn consents are refused per subject with a reason.
    Needs the `provide` action; every subject is logged and every provision is a ledger row."""  # noqa: E501
    selection: list[str] | SubjectQuery = (
        body.subject_ids
        if body.subject_ids is not None
        else SubjectQuery(**(body.query or SubjectQueryIn()).model_dump())
    )
    result = jikimi.sharing.provide(
        selection,
        body.third_party,
        body.items,
        basis=body.basis,
        reference=body.reference,
        actor=handler,
        source=source,
    )
    return ProvideOut(
        batch_id=result.batch_id,
        third_party=result.third_party,
        basis=result.basis,
        reference=result.reference,
        at=result.at,
        values=result.values,
        counts=result.counts,
        denied=result.denied,
    )


@router.get(
    "/provisions",
    responses=answers(ACTION_DENIED),
    response_model=ProvisionLedgerOut,
    summary="제3자 제공 기록 (the provision ledger)",
)
def ledger(
    jikimi: JikimiDep,
    _handler: LedgerReaderDep,
    subject_id: Annotated[str | None, Query(max_length=32)] = None,
    third_party: Annotated[str | None, Query(max_length=64)] = None,
    batch_id: Annotated[str | None, Query(max_length=32)] = None,
    after_id: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ProvisionLedgerOut:
    """제공 기록(대상자, 제3자, 항목 id, 근거, 시각)을 오래된 것부터 보여 줍니다. 값은 없습니다.
    Provision ledger rows, oldest first (ids, items, basis, reference, time — never values);
    page with `after_id`. Needs the `audit` or `provide` action."""
    rows = jikimi.sharing.ledger(
        subject_id=subject_id, third_party=third_party, batch_id=batch_id, after_id=after_id, limit=limit
    )
    return ProvisionLedgerOut(provisions=[ProvisionRow(**{**vars(r), "items": list(r.items)}) for r in rows])


@router.post(
    "/subjects/{subject_id}/third-parties/{third_party}/consent",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, RECIPIENT_UNKNOWN),
    response_model=ThirdPartyConsentOut,
    summary="제3자 제공 동의 (consent to a recipient)",
)
def give_consent(
    subject_id: SubjectId,
    third_party: ThirdPartyId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: Annotated[ChannelIn | None, Body()] = None,
) -> ThirdPartyConsentOut:
    """대상자의 제3자 제공 동의를 기록합니다 (PIPA 17①1). `consent` 작업 권한이 필요합니다.
    Records the subject's consent to provision to the recipient. Needs the `consent` action."""
    jikimi.sharing.give_consent(
        subject_id, third_party, actor=handler, channel=(body or ChannelIn()).channel, source=source
    )
    return ThirdPartyConsentOut(subject_id=subject_id, third_party=third_party, granted=True)


@router.post(
    "/subjects/{subject_id}/third-parties/{third_party}/withdraw",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, RECIPIENT_UNKNOWN),
    response_model=ThirdPartyConsentOut,
    summary="제3자 제공 동의 철회 (withdraw consent to a recipient)",
)
def withdraw_consent(
    subject_id: SubjectId,
    third_party: ThirdPartyId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: Annotated[ChannelIn | None, Body()] = None,
) -> ThirdPartyConsentOut:
    """제3자 제공 동의를 철회합니다 (PIPA 37). 이후 동의에 근거한 제공은 거부됩니다. `consent` 작업 권한이
    필요합니다.
    Withdraws consent to the recipient; later consent-based provisions are denied (`consent_withdrawn`).
    Needs the `consent` action."""
    jikimi.sharing.withdraw_consent(
        subject_id, third_party, actor=handler, channel=(body or ChannelIn()).channel, source=source
    )
    return ThirdPartyConsentOut(subject_id=subject_id, third_party=third_party, granted=False)


def _registry_out(rows: list[RegisteredProcessor]) -> RegistryOut:
    return RegistryOut(processors=list(rows))


@router.get(
    "/processors",
    response_model=RegistryOut,
    summary="수탁자 등록부 (processor registry)",
)
def processors(jikimi: JikimiDep, _handler: HandlerDep) -> RegistryOut:
    """수탁자 등록부: 처리방침의 수탁자와 맡긴 항목, 기한, 등록·해제 시각. 토큰만 있으면 되며 작업 권한은 따로
    필요 없습니다.
    The processor registry: each processor, the items it holds, until when, registered and released. Any
    handler with a token may call it."""
    return _registry_out(jikimi.sharing.registry())


@router.post(
    "/processors/sync",
    responses=answers(ACTION_DENIED),
    response_model=RegistryOut,
    summary="수탁자 등록부 갱신 (sync from the policy)",
)
def sync_processors(jikimi: JikimiDep, handler: AdminDep, source: SourceDep) -> RegistryOut:
    """처리방침의 수탁자 목록으로 등록부를 맞춥니다 (추가, 변경, 해제). `admin` 작업 권한이 필요합니다.
    Syncs the registry with the policy's processors (new, changed, released). Needs `admin`."""
    return _registry_out(jikimi.sharing.register_processors(actor=handler, source=source))


@router.get(
    "/subjects/{subject_id}/processors",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING),
    response_model=HoldingsOut,
    summary="대상자의 정보를 맡은 수탁자 (processors holding a subject's items)",
)
def subject_processors(
    subject_id: SubjectId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> HoldingsOut:
    """대상자의 어떤 항목을 어느 수탁자가 언제까지 처리하는지 (항목 id만, 값 없음). `metadata` 권한, 기록됨.
    Which processors hold which of the subject's items, and until when (item ids only). Needs the
    `metadata` action; every attempt is logged (`processors.holdings`)."""
    rows = jikimi.sharing.processors_holding(subject_id, actor=handler, source=source)
    return HoldingsOut(subject_id=subject_id, processors=list(rows))


@router.post(
    "/exports/stats",
    responses=answers(ACTION_DENIED, INVALID),
    response_model=StatsOut,
    summary="가명처리 통계 내보내기 (de-identified statistics)",
)
def export_stats(body: StatsIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> StatsOut:
    """직접 식별자를 지우고 준식별자를 일반화한 뒤 k-익명성을 적용한 집계 또는 가명 추출을 내보냅니다.
    Exports aggregates or a pseudonymized extract: direct identifiers removed, birth dates to age
    bands, addresses to 시/도, groups smaller than k suppressed. k-anonymity on the exported items
    only — not l-diversity, not differential privacy. Needs the `export` action and a reason; logged."""
    result = jikimi.sharing.export_stats(
        body.items,
        mode=body.mode,
        k=body.k,
        reason=body.reason,
        actor=handler,
        source=source,
        context=body.context,
    )
    return StatsOut(
        id=result.id,
        kind=result.kind,
        k=result.k,
        at=result.at,
        columns=list(result.columns),
        treatments=dict(result.treatments),
        removed=list(result.removed),
        subjects_read=result.subjects_read,
        suppressed_groups=result.suppressed_groups,
        suppressed_rows=result.suppressed_rows,
        rows=result.rows,
    )
