"""Data-subject rights requests over HTTP: a thin face over ``jikimi.rights``.

Every route calls one ``jikimi.rights`` method with the calling handler (bearer token) and the
client's address; the service checks the ``rights`` action and writes the access log. Values
(new values of a correction) travel only in request bodies, never in URLs. One route takes no
token: ``GET /v1/rights/packages/{token}``, the access package opened through the link its answer
notice carried (the link's token is the credential; ``jikimi.rights.links``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from jikimi.api import examples
from jikimi.api.answers import (
    ACTION_DENIED,
    INVALID,
    INVALID_CHANNEL,
    INVALID_CODE,
    INVALID_GROUND,
    INVALID_UNTIL,
    LINK_EXPIRED,
    LINK_MISSING,
    REQUEST_MISSING,
    STATE_CONFLICT,
    SUBJECT_MISSING,
    answers,
)
from jikimi.api.deps import HandlerDep, JikimiDep, SourceDep
from jikimi.api.examples import example
from jikimi.api.schemas import LAST_DAY, SUBJECT_ID_PATTERN, Channel, Instant
from jikimi.rights import RightsRequest
from jikimi.rights.model import HOW_TO_OBJECT_EN, HOW_TO_OBJECT_KO, REFUSAL_GROUNDS
from jikimi.rights.package import package_html, package_json

router = APIRouter(prefix="/v1/rights", tags=["rights"])


RequestId = Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="권리 요구 id (request id)")]
RequestType = Literal["access", "correction", "deletion", "stop", "consent_withdrawal", "automated_decision"]
Ids = list[Annotated[str, Field(max_length=64)]]


class ReceiveIn(BaseModel):
    model_config = example({"subject_id": "Hx7sK2mPq9LrT4vWz8bN3c", "type": "access", "channel": "web"})

    subject_id: str = Field(max_length=32)
    type: RequestType
    channel: Channel = Field(
        description="요구 방법: 처리방침 rights.channels에 있는 것 (a channel the policy's rights section "
        "declares, e.g. web, email, phone, letter, board; if it declares none: web, email, phone, letter, "
        "in_person)"
    )
    requester: Literal["self", "guardian", "agent"] = "self"
    requester_detail: dict[str, Annotated[str, Field(max_length=500)]] | None = Field(None, max_length=10)
    items: Ids = Field(default_factory=list, max_length=100)
    purposes: Ids = Field(default_factory=list, max_length=100)
    decision: str | None = Field(None, max_length=64)


class RequestOut(BaseModel):
    model_config = example(examples.RIGHTS_REQUEST)

    id: str
    subject_id: str | None
    type: str
    requester: str
    channel: str
    status: str
    items: list[str]
    purposes: list[str]
    decision: str | None
    received_at: Instant
    due_at: Instant
    due_day: date
    days_left: int
    overdue: bool
    verified_at: Instant | None
    verification: str | None
    answered_at: Instant | None
    refusal_ground: str | None
    note: str | None
    duplicate: bool = False


class RequestsOut(BaseModel):
    model_config = example({"requests": [examples.RIGHTS_REQUEST]})

    requests: list[RequestOut]


class VerificationOut(BaseModel):
    model_config = example({"request_id": "Qm3xV8sLc2RtY7pN4kWz1a", "code": "482913"})

    request_id: str
    code: str | None = Field(None, description="전달할 일회용 코드 (deliver it to the requester; shown once)")


class VerifyIn(BaseModel):
    model_config = example({"method": "one_time_code", "proof": "482913"})

    method: Literal["one_time_code", "handler"]
    proof: str = Field(
        max_length=200, description="코드 또는 확인 방법 (the code, or how identity was checked)"
    )


class ExtendIn(BaseModel):
    model_config = example(
        {
            "until": "2026-12-23",
            "reason": "자료가 여러 시스템에 나뉘어 있음 (the data is spread over several systems)",
        }
    )

    until: date = Field(le=LAST_DAY, description="새 기한 (the new deadline), at the latest 9998-12-31")
    reason: str = Field(max_length=500)


class RefuseIn(BaseModel):
    model_config = example({"ground": "law_forbids_access", "note": "법령에 따라 보존 중 (kept under a law)"})

    ground: str = Field(max_length=48)
    note: str | None = Field(None, max_length=500)


class AnswerIn(BaseModel):
    model_config = example({"note": "열람 자료를 보냈습니다 (the access package was sent)"})

    note: str | None = Field(None, max_length=500)
    partly_ground: str | None = Field(None, max_length=48)


class CorrectionIn(BaseModel):
    model_config = example({"values": {"email": "hong@example.com"}, "refuse": {}})

    values: dict[str, Annotated[str, Field(max_length=4000)]] = Field(max_length=100)
    refuse: dict[str, str] = Field(default_factory=dict, max_length=100)


class RefuseSomeIn(BaseModel):
    model_config = example({"refuse": {}})

    refuse: dict[str, str] = Field(
        default_factory=dict,
        max_length=100,
        description="항목·목적 → 거절 사유 (item or purpose → refusal ground)",
    )


class GroundOut(BaseModel):
    id: str
    article: str
    ko: str
    en: str
    applies_to: list[str]


class GroundsOut(BaseModel):
    model_config = example(examples.REFUSAL_GROUNDS)

    grounds: list[GroundOut]
    how_to_object_ko: str
    how_to_object_en: str


def _out(request: RightsRequest, duplicate: bool = False) -> RequestOut:
    return RequestOut(duplicate=duplicate, **{k: v for k, v in vars(request).items() if k != "handler"})


@router.get("/grounds", response_model=GroundsOut, summary="거절 사유 (refusal grounds)")
def grounds(_handler: HandlerDep) -> GroundsOut:
    """법이 정한 거절 사유와 조문, 이의제기 방법. 토큰만 있으면 되며 작업 권한은 따로 필요 없습니다. The legal refusal grounds with articles, and how to object. Any handler with a token may call it."""  # noqa: E501
    rows = [
        GroundOut(id=g.id, article=g.article, ko=g.ko, en=g.en, applies_to=sorted(g.applies_to))
        for g in REFUSAL_GROUNDS.values()
    ]
    return GroundsOut(grounds=rows, how_to_object_ko=HOW_TO_OBJECT_KO, how_to_object_en=HOW_TO_OBJECT_EN)


@router.post(
    "/requests",
    status_code=status.HTTP_201_CREATED,
    response_model=RequestOut,
    summary="접수 (receive)",
    responses={
        200: {"model": RequestOut, "description": "같은 요구가 이미 열려 있음 (duplicate: the open one)"},
        **answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, INVALID_CHANNEL),
    },
)
def receive(
    body: ReceiveIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep, response: Response
) -> RequestOut:
    """열람·정정·삭제·처리정지·동의 철회·자동화된 결정 거부 요구를 접수합니다. 기한은 접수일 다음 날부터 10일(자동화된 결정 30일). `rights` 작업 권한이 필요합니다.
    Receives a request; its deadline runs from now. The same subject's open request of the same type
    is returned with 200 and `duplicate: true` instead of being doubled. Needs the `rights` action."""  # noqa: E501
    result = jikimi.rights.receive(
        body.subject_id,
        body.type,
        channel=body.channel,
        actor=handler,
        requester=body.requester,
        requester_detail=body.requester_detail,
        items=body.items,
        purposes=body.purposes,
        decision=body.decision,
        source=source,
    )
    if result.duplicate:
        response.status_code = status.HTTP_200_OK
    return _out(result.request, result.duplicate)


@router.get(
    "/requests",
    responses=answers(ACTION_DENIED),
    response_model=RequestsOut,
    summary="요구 목록 (queue: overdue first)",
)
def list_requests(
    jikimi: JikimiDep,
    handler: HandlerDep,
    open_only: bool = True,
    subject_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> RequestsOut:
    """처리할 요구 목록: 기한이 지난 것이 먼저, 그다음 기한 순. `rights` 작업 권한이 필요합니다.
    The queue: overdue first, then by due date. Needs the `rights` action."""
    rows = jikimi.rights.list_requests(actor=handler, open_only=open_only, subject_id=subject_id, limit=limit)
    return RequestsOut(requests=[_out(r) for r in rows])


@router.get(
    "/requests/{request_id}",
    responses=answers(ACTION_DENIED, REQUEST_MISSING),
    response_model=RequestOut,
    summary="요구 상태 (a request)",
)
def get_request(request_id: RequestId, jikimi: JikimiDep, handler: HandlerDep) -> RequestOut:
    """요구의 상태와 기한 (값은 없음). `rights` 작업 권한이 필요합니다.
    A request's state and deadline; never personal values. Needs the `rights` action."""
    return _out(jikimi.rights.get(request_id, actor=handler))


@router.post(
    "/requests/{request_id}/verification",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT),
    response_model=VerificationOut,
    summary="본인 확인 시작 (issue a one-time code)",
)
def start_verification(
    request_id: RequestId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> VerificationOut:
    """일회용 코드를 만들어 한 번 돌려줍니다. 서비스가 등록된 연락처로 전달합니다. `rights` 작업 권한이
    필요합니다.
    Issues a one-time code, returned once, for the service to deliver to the subject's registered contact.
    Needs the `rights` action."""
    code = jikimi.rights.start_verification(request_id, actor=handler, source=source)
    return VerificationOut(request_id=request_id, code=code)


@router.post(
    "/requests/{request_id}/verify",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT, INVALID_CODE),
    response_model=RequestOut,
    summary="본인 확인 (verify the requester)",
)
def verify(
    request_id: RequestId, body: VerifyIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> RequestOut:
    """일회용 코드 또는 취급자의 확인으로 본인임을 확인합니다. 정정 요구는 이때부터 해당 항목의 이용·제공이 보류됩니다. `rights` 작업 권한이 필요합니다.
    Verifies the requester; a correction's items go on hold from here on. Needs the `rights` action."""  # noqa: E501
    return _out(
        jikimi.rights.verify(request_id, method=body.method, proof=body.proof, actor=handler, source=source)
    )


@router.post(
    "/requests/{request_id}/start",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT),
    response_model=RequestOut,
    summary="처리 시작 (in progress)",
)
def start(request_id: RequestId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> RequestOut:
    """확인된 요구를 처리 중으로 표시합니다. `rights` 작업 권한이 필요합니다.
    Marks a verified request as in progress. Needs the `rights` action."""
    return _out(jikimi.rights.start(request_id, actor=handler, source=source))


@router.post(
    "/requests/{request_id}/extend",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT, INVALID_UNTIL),
    response_model=RequestOut,
    summary="연기 (extend, with a reason)",
)
def extend(
    request_id: RequestId, body: ExtendIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> RequestOut:
    """열람(35③)과 자동화된 결정(2번까지)의 답을 사유와 함께 미룹니다. `rights` 작업 권한이 필요합니다. Extends an access or automated-decision answer. Needs the `rights` action."""  # noqa: E501
    return _out(
        jikimi.rights.extend(request_id, until=body.until, reason=body.reason, actor=handler, source=source)
    )


@router.post(
    "/requests/{request_id}/refuse",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT, INVALID_GROUND),
    response_model=RequestOut,
    summary="거절 (refuse on a legal ground)",
)
def refuse(
    request_id: RequestId, body: RefuseIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> RequestOut:
    """법이 정한 사유로 거절합니다 (`/v1/rights/grounds`). `rights` 작업 권한이 필요합니다. Refuses on a legal ground; a correction's hold is lifted. Needs the `rights` action."""  # noqa: E501
    return _out(
        jikimi.rights.refuse(request_id, ground=body.ground, note=body.note, actor=handler, source=source)
    )


@router.post(
    "/requests/{request_id}/answer",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT, INVALID_GROUND),
    response_model=RequestOut,
    summary="답변 (answer access / automated)",
)
def answer(
    request_id: RequestId, body: AnswerIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> RequestOut:
    """열람 또는 자동화된 결정 요구를 처리 완료(또는 일부)로 닫습니다. `rights` 작업 권한이 필요합니다. Closes an access or automated-decision request. Needs the `rights` action."""  # noqa: E501
    return _out(
        jikimi.rights.answer(
            request_id, note=body.note, partly_ground=body.partly_ground, actor=handler, source=source
        )
    )


@router.post(
    "/requests/{request_id}/correction",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT, INVALID),
    response_model=RequestOut,
    summary="정정 실행 (apply a correction)",
)
def correct(
    request_id: RequestId, body: CorrectionIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> RequestOut:
    """새 값을 검사해 저장하고 보류를 풀며, 예전 값을 받은 제3자에게 정정 통지를 보냅니다.
    `rights` 작업 권한이 필요합니다. Stores the checked new values, lifts the hold, and queues
    correction notices for earlier recipients. Needs the `rights` action."""
    return _out(
        jikimi.rights.apply_correction(
            request_id, body.values, refuse=body.refuse, actor=handler, source=source
        )
    )


@router.post(
    "/requests/{request_id}/deletion",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT, INVALID_GROUND),
    response_model=RequestOut,
    summary="삭제 실행 (carry out a deletion)",
)
def delete(
    request_id: RequestId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: RefuseSomeIn | None = None,
) -> RequestOut:
    """파기 규칙대로 삭제합니다. 법령상 보존할 것은 분리 보관하고 그 사유를 남깁니다. `rights` 작업 권한이
    필요합니다.
    Deletes by the lifecycle's rules; what a law keeps is separated and the answer says so. Needs the
    `rights` action."""
    return _out(
        jikimi.rights.delete(request_id, refuse=(body or RefuseSomeIn()).refuse, actor=handler, source=source)
    )


@router.post(
    "/requests/{request_id}/stop",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT, INVALID_GROUND),
    response_model=RequestOut,
    summary="처리정지 실행 (stop processing)",
)
def stop(
    request_id: RequestId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: RefuseSomeIn | None = None,
) -> RequestOut:
    """요구한 목적의 처리를 정지합니다 (게이트가 거부). `rights` 작업 권한이 필요합니다. Stops the purposes named; the gate then denies them. Needs the `rights` action."""  # noqa: E501
    return _out(
        jikimi.rights.stop_processing(
            request_id, refuse=(body or RefuseSomeIn()).refuse, actor=handler, source=source
        )
    )


@router.post(
    "/requests/{request_id}/consent-withdrawal",
    responses=answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT, INVALID_GROUND),
    response_model=RequestOut,
    summary="동의 철회 실행 (withdraw consents)",
)
def withdraw(
    request_id: RequestId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: RefuseSomeIn | None = None,
) -> RequestOut:
    """요구한 목적의 동의를 철회합니다. `rights` 작업 권한이 필요합니다.
    Withdraws the consents named. Needs the `rights` action."""
    return _out(
        jikimi.rights.withdraw_consents(
            request_id, refuse=(body or RefuseSomeIn()).refuse, actor=handler, source=source
        )
    )


@router.get(
    "/requests/{request_id}/package.json",
    summary="열람 자료 JSON (access package, streamed)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/json": {"example": examples.ACCESS_PACKAGE}}},
        **answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT),
    },
)
def package_as_json(
    request_id: RequestId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> StreamingResponse:
    """대상자에 관해 보유한 모든 것 (값, 기록, 동의, 목적·보유기간, 제3자 제공, 수탁자, 열람 기록). 접속기록에 남습니다. `rights` 작업 권한이 필요합니다.
    Everything held on the subject, streamed; opening it is logged as a read. Needs the `rights` action."""  # noqa: E501
    package = jikimi.rights.package(request_id, actor=handler, source=source)
    return StreamingResponse(
        package_json(package), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


@router.get(
    "/requests/{request_id}/package.html",
    summary="열람 자료 HTML (access package page)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/html": {"example": examples.ACCESS_PAGE}}},
        **answers(ACTION_DENIED, REQUEST_MISSING, STATE_CONFLICT),
    },
)
def package_as_html(
    request_id: RequestId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> StreamingResponse:
    """같은 내용을 읽기 쉬운 한국어 HTML로. `rights` 작업 권한이 필요합니다.
    The same package as a readable Korean HTML page. Needs the `rights` action."""
    package = jikimi.rights.package(request_id, actor=handler, source=source)
    return StreamingResponse(
        package_html(package), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"}
    )


LinkToken = Annotated[
    str, Path(min_length=1, max_length=200, description="열람 링크의 토큰 (the link's token)")
]


@router.get(
    "/packages/{token}",
    summary="열람 자료: 통지의 링크로 (access package, through the link of its answer notice)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/html": {"example": examples.ACCESS_PAGE}}},
        **answers(LINK_MISSING, LINK_EXPIRED),
    },
)
def package_by_link(token: LinkToken, jikimi: JikimiDep, source: SourceDep) -> StreamingResponse:
    """열람 요구의 처리 결과 통지에 담긴 링크로 열람 자료(HTML)를 엽니다. 토큰이 곧 자격이며(7일, 5번), 여는
    것은 본인(self)의 열람으로 접속기록에 남습니다. 없는 토큰은 404, 만료·소진된 토큰은 410입니다. 토큰 없이
    부릅니다 (링크의 토큰이 자격).
    Opens the access package through the link its answer notice carried: the token is the credential (7
    days, 5 opens); each open is logged as the subject's own read. Unknown: 404; expired: 410. Takes no
    bearer token (the link's token is the credential)."""
    package = jikimi.rights.open_link(token, source=source)
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
    return StreamingResponse(package_html(package), media_type="text/html; charset=utf-8", headers=headers)
