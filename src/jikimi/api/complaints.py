"""Complaints over HTTP: a thin face over ``jikimi.complaints``.

Every route calls one ``jikimi.complaints`` method with the calling handler (bearer token) and the
client's address; the service checks the ``complaints`` action and writes the access log. What a
person wrote (the body, the answer) travels only in request and response bodies, never in URLs,
and a response carrying it is not cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from jikimi.api import examples
from jikimi.api.answers import ACTION_DENIED, STATE_CONFLICT, SUBJECT_MISSING, Answer, answers, missing
from jikimi.api.deps import HandlerDep, JikimiDep, SourceDep
from jikimi.api.examples import example
from jikimi.api.schemas import SUBJECT_ID_PATTERN, Instant, Moment
from jikimi.notices.complaints import MAX_TEXT, Complaint
from jikimi.periods import KST

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])

COMPLAINT_MISSING = missing("민원이 없습니다", "no such complaint")
INVALID_RECEIVED_AT = Answer(
    422,
    "vault.invalid",
    "received_at: 미래의 시각입니다",
    "received_at: in the future",
    field="received_at",
)

ComplaintId = Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="민원 id (complaint id)")]
ChannelName = Literal["email", "fax", "letter", "phone", "web", "in_person"]


class ComplaintIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "channel": "web",
                    "received_at": "2026-12-03T10:00:00+09:00",
                    "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
                    "topic": "privacy_leak",
                    "body": "제 정보가 어디에 쓰였는지 알려 주세요 (tell me where my data was used)",
                }
            ]
        },
        extra="forbid",
    )

    channel: ChannelName = Field(
        description="접수 경로 (how it arrived): email, fax, letter, phone, web, in_person"
    )
    received_at: Moment | None = Field(
        None,
        description="접수 시각, 시간대 포함 (when it arrived, with its offset, e.g. "
        "2026-10-02T19:00:00+09:00; default: now)",
    )
    subject_id: str | None = Field(
        None, pattern=SUBJECT_ID_PATTERN, description="대상자 id (subject id), if known"
    )
    topic: str | None = Field(
        None, max_length=48, description="주제 코드 (a topic code such as privacy_leak; never free text)"
    )
    body: str | None = Field(
        None, max_length=MAX_TEXT, description="민원 내용 (what was written; sealed, never logged)"
    )


class ComplaintAnswerIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"answer": "이용 내역을 안내해 드립니다 (here is how your data was used)"}]
        },
        extra="forbid",
    )

    answer: str = Field(min_length=1, max_length=MAX_TEXT, description="답변 (the answer; sealed)")


class ComplaintOut(BaseModel):
    model_config = example(examples.COMPLAINT)

    id: str
    channel: str
    subject_id: str | None
    topic: str | None
    status: str
    received_at: Instant
    received_by: str
    due_at: Instant | None = Field(
        description="이때부터 늦음 (late from this instant, UTC); none: no deadline"
    )
    due_kst: str | None = Field(description="기한, 한국 시간 (the deadline in Korean time)")
    basis: str = Field(description="기한을 정한 규칙 (the rule that set the deadline; docs/notices.md)")
    basis_ko: str
    basis_en: str
    overdue: bool
    hours_left: float | None
    answered_at: Instant | None
    answered_by: str | None
    on_time: bool | None
    has_body: bool


class ComplaintsOut(BaseModel):
    model_config = example({"complaints": [examples.COMPLAINT]})

    complaints: list[ComplaintOut]


class ComplaintTextOut(ComplaintOut):
    model_config = example(
        {
            **examples.COMPLAINT,
            "body": "제 정보가 어디에 쓰였는지 알려 주세요 (tell me where my data was used)",
            "answer": None,
        }
    )

    body: str | None
    answer: str | None


class AnsweredOut(ComplaintOut):
    model_config = example(
        {
            **examples.COMPLAINT,
            "status": "answered",
            "answered_at": "2026-12-04T01:00:00Z",
            "answered_by": "cs-kim",
            "on_time": True,
            "notice_queued": True,
        }
    )

    notice_queued: bool = Field(
        description="대상자에게 답변 안내를 보낼 예정 (a notice to the subject was queued)"
    )


def _fields(complaint: Complaint) -> dict[str, object]:
    due = complaint.due_at
    return {
        **vars(complaint),
        "due_kst": None if due is None else f"{due.astimezone(KST):%Y-%m-%d %H:%M} KST",
    }


@router.post(
    "",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, INVALID_RECEIVED_AT),
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintOut,
    summary="접수 (receive)",
)
def receive(body: ComplaintIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> ComplaintOut:
    """민원을 접수합니다. 답변 기한은 처리방침(complaints.response_hours, 근무시간, 공휴일)으로 정하고 그 근거를 함께 돌려줍니다. `complaints` 작업 권한이 필요합니다.
    Receives a complaint; its deadline comes from the policy, with the rule that set it. Needs the `complaints` action."""  # noqa: E501
    complaint = jikimi.complaints.receive(
        body.channel,
        actor=handler,
        received_at=body.received_at,
        subject_id=body.subject_id,
        topic=body.topic,
        body=body.body,
        source=source,
    )
    return ComplaintOut.model_validate(_fields(complaint))


@router.get(
    "",
    responses=answers(ACTION_DENIED),
    response_model=ComplaintsOut,
    summary="민원 목록 (queue: overdue first)",
)
def list_complaints(
    jikimi: JikimiDep,
    handler: HandlerDep,
    status: Literal["open", "answered", "all"] = "open",
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> ComplaintsOut:
    """기한이 지난 민원이 먼저, 그다음 기한 순 (내용은 없음). `complaints` 작업 권한이 필요합니다.
    The queue: overdue first, then by deadline; no texts. Needs the `complaints` action."""
    found = jikimi.complaints.list(
        actor=handler, status=None if status == "all" else status, overdue=overdue, limit=limit
    )
    return ComplaintsOut(complaints=[ComplaintOut.model_validate(_fields(c)) for c in found])


@router.get(
    "/{complaint_id}",
    responses=answers(ACTION_DENIED, COMPLAINT_MISSING),
    response_model=ComplaintTextOut,
    summary="민원 보기 (a complaint, with its texts)",
)
def show(
    complaint_id: ComplaintId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep, response: Response
) -> ComplaintTextOut:
    """민원과 그 내용·답변을 엽니다 (접속기록에 남음). `complaints` 작업 권한이 필요합니다.
    A complaint with its body and answer; the read is logged. Needs the `complaints` action."""
    shown = jikimi.complaints.show(complaint_id, actor=handler, source=source)
    response.headers["Cache-Control"] = "no-store"
    return ComplaintTextOut.model_validate(
        {**_fields(shown.complaint), "body": shown.body, "answer": shown.answer}
    )


@router.post(
    "/{complaint_id}/answer",
    responses=answers(ACTION_DENIED, COMPLAINT_MISSING, STATE_CONFLICT),
    response_model=AnsweredOut,
    summary="답변 (answer)",
)
def answer(
    complaint_id: ComplaintId,
    body: ComplaintAnswerIn,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
) -> AnsweredOut:
    """답변을 봉인해 저장하고, 대상자가 있으면 답변 안내를 보냅니다 (답변 내용은 안내에 없음). `complaints`
    작업 권한이 필요합니다.
    Seals and stores the answer; a known subject is told an answer is ready (the notice holds no text).
    Needs the `complaints` action."""
    answered = jikimi.complaints.answer(complaint_id, body.answer, actor=handler, source=source)
    return AnsweredOut.model_validate(
        {**_fields(answered.complaint), "notice_queued": answered.notice_queued}
    )
