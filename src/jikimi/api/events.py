"""Service events over HTTP, for a service that cannot receive webhooks: ``GET /v1/events?after=``.

A thin face over ``Jikimi.events`` (``notices.service_events``). The service keeps the last
``position`` it handled and asks for what came after; positions only grow, so nothing committed
late is skipped. Needs the ``events`` action; each page is one access-log row. Events hold ids,
types, dates and codes, never a personal value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from jikimi.api.answers import ACTION_DENIED, Answer, answers
from jikimi.api.deps import HandlerDep, JikimiDep, SourceDep
from jikimi.notices.service_events import MAX_PAGE
from jikimi.store.events import EVENT_TYPES, Event

router = APIRouter(prefix="/v1", tags=["events"])

UNKNOWN_TYPE = Answer(
    422, "vault.invalid", "types: 알 수 없는 이벤트 유형입니다", "types: unknown event types", field="types"
)

EXAMPLE_EVENT: dict[str, JsonValue] = {
    "id": "evt_2c26b46b68ffc68ff99b453c",
    "type": "subject.withdrawn",
    "subject_id": "Xq3vR7tL0pM2sK9wY4bN1c",
    "occurred_at": "2026-12-03T11:00:00Z",
    "position": 42,
    "data": {"reason": "member_request"},
}


class EventOut(BaseModel):
    """One service event: what became of whom, when, and its place in the order."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_EVENT]})

    id: str = Field(description="이벤트 id; 같은 id는 같은 이벤트 (the event id: a repeat has the same id)")
    type: str = Field(description=f"유형 (type): {', '.join(EVENT_TYPES)}")
    subject_id: str | None = Field(description="대상자 id (the subject's opaque id; none for an incident)")
    occurred_at: datetime = Field(description="일어난 시각, UTC (when it happened)")
    position: int = Field(description="순서 (its position: the next page starts after it)")
    data: dict[str, object] = Field(description="id, 날짜, 코드만 (ids, dates and codes; never a value)")


class EventsPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"events": [EXAMPLE_EVENT], "next": 42}]})

    events: list[EventOut]
    next: int = Field(description="다음에 after로 보낼 위치 (the position to ask after next)")


def _out(event: Event) -> EventOut:
    return EventOut.model_validate(event.document())


@router.get(
    "/events",
    response_model=EventsPage,
    responses=answers(ACTION_DENIED, UNKNOWN_TYPE),
    summary="서비스 이벤트 조회 (pull the service events)",
)
def list_events(
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    after: Annotated[
        int, Query(ge=0, le=2**62, description="이 위치 다음부터 (events after this position)")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="최대 개수 (at most)")] = 100,
    types: Annotated[
        list[str] | None,
        Query(
            alias="type", max_length=len(EVENT_TYPES), description="이 유형만 (only these types; repeatable)"
        ),
    ] = None,
) -> EventsPage:
    """웹훅을 받을 수 없는 서비스가 이벤트를 가져갑니다: 마지막으로 처리한 position을 after로 보내면 그 뒤의
    이벤트를 순서대로 돌려주며, 늦게 커밋된 이벤트도 건너뛰지 않습니다. 'events' 작업이 필요하고, 조회마다
    접속기록에 남습니다. A service that cannot receive webhooks pulls the events: send the last
    position handled as `after` and get what came after, in order (an event committed late is never
    skipped). Needs the `events` action; each page is one access-log row."""
    page = jikimi.events.page(after=after, limit=limit, types=types or (), actor=handler, source=source)
    return EventsPage(events=[_out(e) for e in page.events], next=page.next)
