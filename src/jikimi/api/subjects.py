"""Subjects: collect, read through the gate, records, consents, guardian consent, state.

Every route calls one ``jikimi.vault`` method with the calling handler and the client's address, so the
access log records who did what from where. Reads are POSTs: nothing personal goes in a URL, and
subject ids are opaque random ids.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Response, status

from jikimi.api.answers import (
    ACTION_DENIED,
    DUPLICATE,
    GATE_DENIED,
    INVALID,
    STATE_CONFLICT,
    SUBJECT_MISSING,
    UNLAWFUL,
    answers,
)
from jikimi.api.deps import HandlerDep, JikimiDep, SourceDep, requires
from jikimi.api.schemas import (
    SUBJECT_ID_PATTERN,
    BulkReadIn,
    BulkReadOut,
    CollectIn,
    CollectOut,
    ConsentChangeIn,
    ConsentOut,
    ConsentRow,
    ConsentsOut,
    Done,
    GuardianConsentIn,
    ReadIn,
    ReadOut,
    RecordCreated,
    RecordIn,
    RecordItem,
    RecordsOut,
    RecordsReadIn,
    SubjectOut,
    written,
)
from jikimi.handlers import Handler
from jikimi.vault.collect import Collected

router = APIRouter(prefix="/v1", tags=["subjects"])

SubjectId = Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="대상자 id (opaque subject id)")]
ConsentDep = Annotated[Handler, Depends(requires("consent"))]
PurposeId = Annotated[
    str, Path(pattern=r"^[a-z][a-z0-9_]*$", max_length=64, description="목적 id (purpose id)")
]


def _collected(result: Collected) -> CollectOut:
    return CollectOut(
        subject_id=result.subject_id,
        status=result.status,
        stored_items=list(result.stored_items),
        consents_given=list(result.consents_given),
        consents_refused=list(result.consents_refused),
    )


@router.post(
    "/subjects",
    responses=answers(ACTION_DENIED, DUPLICATE, STATE_CONFLICT, INVALID, UNLAWFUL),
    status_code=status.HTTP_201_CREATED,
    response_model=CollectOut,
    summary="수집 (collect a new subject)",
)
def collect(body: CollectIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> Response:
    """처리방침의 수집 상황대로 개인정보를 수집합니다: 필수 항목, 형식, 동의를 확인하고 암호화해 저장합니다.
    Collects personal data exactly as the context declares (required items, formats, consents) and
    stores it encrypted. Needs the `collect` action. Nothing is stored when anything is refused."""
    collected = jikimi.vault.collect(
        body.context, body.data, body.consents, channel=body.channel, actor=handler, source=source
    )
    return written(_collected(collected), status.HTTP_201_CREATED)


@router.post(
    "/subjects/{subject_id}/items",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, DUPLICATE, STATE_CONFLICT, INVALID, UNLAWFUL),
    status_code=status.HTTP_201_CREATED,
    response_model=CollectOut,
    summary="추가 수집 (collect more items for a subject)",
)
def collect_into(
    subject_id: SubjectId, body: CollectIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> CollectOut:
    """기존 대상자에게 항목을 추가로 수집합니다 (회원 주문, 법정대리인 동의 후 가입 완료 등). `collect` 작업
    권한이 필요합니다.
    Adds items collected in a context to an existing active subject (a member's order, a child's sign-up
    completed after the guardian's consent). Needs the `collect` action."""
    return _collected(
        jikimi.vault.collect(
            body.context,
            body.data,
            body.consents,
            channel=body.channel,
            actor=handler,
            source=source,
            subject_id=subject_id,
        )
    )


@router.get(
    "/subjects/{subject_id}",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING),
    response_model=SubjectOut,
    summary="대상자 상태 (a subject's state)",
)
def subject_state(
    subject_id: SubjectId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> SubjectOut:
    """대상자의 상태와 보관 중인 항목 id를 보여 줍니다. 값은 보여 주지 않습니다. `metadata` 작업 권한이 필요하고 기록됩니다.
    A subject's state and the ids of the items held — never their values. Needs the `metadata`
    action; every attempt is logged (`subject.state`)."""  # noqa: E501
    return SubjectOut.model_validate(jikimi.vault.subject(subject_id, actor=handler, source=source))


@router.post(
    "/subjects/{subject_id}/read",
    responses=answers(GATE_DENIED, ACTION_DENIED, SUBJECT_MISSING, INVALID),
    response_model=ReadOut,
    summary="열람 (read through the gate)",
)
def read(
    subject_id: SubjectId, body: ReadIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> Response:
    """목적에 쓰이는 항목만, 법적 근거·동의·대상자 상태·역할이 허락할 때만 값을 돌려줍니다. 모든 시도가 기록됩니다. `read` 작업 권한이 필요합니다.
    Returns the values only when the purpose uses the items and its basis, the subject's state and
    the handler's role allow it; otherwise 403 with the gate's `reason`. Every attempt is logged. Needs the `read` action."""  # noqa: E501
    values = jikimi.vault.read(subject_id, body.items, body.purpose, handler, body.reason, source=source)
    return written(ReadOut(subject_id=subject_id, purpose=body.purpose, values=values))


@router.post(
    "/read",
    responses=answers(GATE_DENIED, ACTION_DENIED, INVALID),
    response_model=BulkReadOut,
    summary="대량 열람 (bulk read, reason required)",
)
def read_many(body: BulkReadIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> BulkReadOut:
    """여러 대상자를 한 번에 열람합니다. 사유가 필요하며 대상자마다 판단·기록합니다. `read` 작업 권한이
    필요합니다.
    Reads many subjects at once: needs a reason; each subject is decided and logged, and only the allowed
    ones are returned. Needs the `read` action."""
    values = jikimi.vault.read_many(
        body.subject_ids, body.items, body.purpose, handler, body.reason or "", source=source
    )
    return BulkReadOut(purpose=body.purpose, values=values)


@router.post(
    "/subjects/{subject_id}/records",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, INVALID),
    status_code=status.HTTP_201_CREATED,
    response_model=RecordCreated,
    summary="기록 추가 (add a record)",
)
def add_record(
    subject_id: SubjectId, body: RecordIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> RecordCreated:
    """처리방침에 선언된 종류의 기록(결제, 계약, 민원…)을 암호화해 남깁니다. `record` 작업 권한이 필요합니다.
    Keeps a record of a type the policy declares (payment, contract, complaint…), encrypted."""
    record_id = jikimi.vault.add_record(
        subject_id, body.type, body.data, body.occurred_at, actor=handler, source=source
    )
    return RecordCreated(record_id=record_id)


@router.post(
    "/subjects/{subject_id}/records/read",
    responses=answers(GATE_DENIED, ACTION_DENIED, SUBJECT_MISSING, INVALID),
    response_model=RecordsOut,
    summary="기록 열람 (read records through the gate)",
)
def read_records(
    subject_id: SubjectId, body: RecordsReadIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> RecordsOut:
    """한 종류의 기록을 그 기록을 선언한 목적으로 열람합니다 (게이트 판단, 기록됨). `read` 작업 권한이
    필요합니다.
    Reads the records of one type for a purpose that declares them; gated and logged. Needs the `read`
    action."""
    found = jikimi.vault.read_records(
        subject_id, body.type, body.purpose, handler, body.reason, source=source
    )
    return RecordsOut(
        subject_id=subject_id,
        type=body.type,
        purpose=body.purpose,
        records=[RecordItem.model_validate(vars(r)) for r in found],
    )


@router.get(
    "/subjects/{subject_id}/consents",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING),
    response_model=ConsentsOut,
    summary="동의 내역 (consent history)",
)
def consents(subject_id: SubjectId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> ConsentsOut:
    """대상자의 동의·거부·철회 내역 (목적, 처리방침 버전, 경로, 시각). `metadata` 권한, 기록됨.
    A subject's consent history: purpose, answer, policy version, channel and times. Needs the
    `metadata` action; every attempt is logged (`consents.read`); 404 for an unknown subject."""
    found = jikimi.vault.consents_of(subject_id, actor=handler, source=source)
    rows = [ConsentRow.model_validate(row) for row in found]
    return ConsentsOut(subject_id=subject_id, consents=rows)


@router.post(
    "/subjects/{subject_id}/consents/{purpose}",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, INVALID),
    response_model=ConsentOut,
    summary="동의 (give consent for a purpose)",
)
def give_consent(
    subject_id: SubjectId,
    purpose: PurposeId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: Annotated[ConsentChangeIn | None, Body()] = None,
) -> ConsentOut:
    """동의를 근거로 하는 목적에 대한 동의를 기록합니다. `consent` 작업 권한이 필요합니다.
    Records the subject's consent for a consent-based purpose. Needs the `consent` action."""
    jikimi.vault.give_consent(
        subject_id, purpose, actor=handler, channel=(body or ConsentChangeIn()).channel, source=source
    )
    return ConsentOut(subject_id=subject_id, purpose=purpose, granted=True)


@router.post(
    "/subjects/{subject_id}/consents/{purpose}/withdraw",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, INVALID),
    response_model=ConsentOut,
    summary="동의 철회 (withdraw consent)",
)
def withdraw_consent(
    subject_id: SubjectId,
    purpose: PurposeId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: Annotated[ConsentChangeIn | None, Body()] = None,
) -> ConsentOut:
    """목적별 동의를 철회합니다 (PIPA 37). 이후 그 목적의 열람은 거부됩니다. `consent` 작업 권한이 필요합니다.
    Withdraws consent for one purpose; later reads for it are denied (`consent_withdrawn`). Needs the
    `consent` action."""
    jikimi.vault.withdraw_consent(
        subject_id, purpose, actor=handler, channel=(body or ConsentChangeIn()).channel, source=source
    )
    return ConsentOut(subject_id=subject_id, purpose=purpose, granted=False)


@router.post(
    "/subjects/{subject_id}/guardian-consent",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT),
    response_model=Done,
    summary="법정대리인 동의 (record the guardian's consent)",
)
def guardian_consent(
    subject_id: SubjectId, body: GuardianConsentIn, jikimi: JikimiDep, handler: ConsentDep, source: SourceDep
) -> Done:
    """만 14세 미만 대상자의 법정대리인 동의를 기록합니다 (PIPA 22-2). 이후 아동의 정보를 수집할 수 있습니다.
    `consent` 작업 권한이 필요합니다.
    Records the legal guardian's consent for a child under 14; the child's data may then be collected. Needs
    the `consent` action."""
    jikimi.vault.record_guardian_consent(
        subject_id, method=body.method, actor=handler, channel=body.channel, source=source
    )
    return Done()
