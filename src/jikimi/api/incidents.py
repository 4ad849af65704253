"""Breach response over HTTP: a thin face over ``jikimi.incidents`` (PIPA 34, 시행령 39–40).

Every route calls one ``jikimi.incidents`` method with the calling handler (bearer token) and the
client's address; the service checks the ``incident`` action and writes the access log. Subject
ids travel only in request bodies, never in URLs. ``GET /v1/postings`` lists the website notices
up now (for the privacy center to show): any handler may read them, as they are public anyway.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import AfterValidator, BaseModel, Field, model_validator

from jikimi.api import examples
from jikimi.api.answers import ACTION_DENIED, INVALID, STATE_CONFLICT, answers, missing
from jikimi.api.deps import HandlerDep, JikimiDep, SourceDep
from jikimi.api.examples import example
from jikimi.api.schemas import SUBJECT_ID_PATTERN, Instant, Moment, PolicyId, SubjectRef, _In
from jikimi.notices.incident_model import Incident
from jikimi.notices.incident_rules import affected_query

router = APIRouter(tags=["incidents"])

INCIDENT_MISSING = missing("유출 사고가 없습니다", "no such incident")

IncidentId = Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="사고 id (incident id)")]
Kind = Literal["leak", "possible_leak", "alteration", "loss"]
Cause = Literal["outside_access", "insider", "mistake", "ransomware", "other"]
Measure = Literal[
    "access_blocked",
    "vulnerability_fixed",
    "data_retrieved",
    "passwords_reset",
    "restored_from_backup",
    "police_reported",
    "monitoring",
]
Body = Literal["pipc", "kisa"]


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("must include a UTC offset, e.g. 2026-03-02T09:30:00+09:00")
    return moment


Aware = Annotated[Moment, AfterValidator(_aware)]
"""An instant with its offset (ISO 8601): the clock of a breach must not guess the time zone."""
Status = Literal["active", "pending_guardian", "dormant", "withdrawn"]


class OpenIn(_In):
    model_config = example(
        {
            "kind": "leak",
            "aware_at": "2026-12-03T10:00:00+09:00",
            "occurred_at": "2026-12-03T00:00:00+09:00",
            "cause": "outside_access",
            "items": ["email", "mobile"],
            "summary": "관리자 페이지 무단 접근 (unauthorized access to an admin page)",
            "measures": ["access_blocked"],
        }
    )

    kind: Kind = Field(description="유형: 유출, 유출 가능성, 위조·변조·훼손, 분실·도난 (kind)")
    aware_at: Aware = Field(
        strict=False, description="알게 된 시각: 72시간이 여기서부터 (when the controller became aware)"
    )
    occurred_at: Aware | None = Field(None, strict=False, description="일어난 시각 (when it happened)")
    cause: Cause | None = None
    items: list[PolicyId] = Field(min_length=1, max_length=200, description="유출 등이 된 항목 id (item ids)")
    summary: str | None = Field(None, max_length=2000, description="경위 (personal data in it is masked)")
    measures: list[Measure] = Field(default_factory=list, max_length=20)


class QueryIn(_In):
    holding: list[PolicyId] = Field(
        min_length=1, max_length=200, description="이 항목을 가진 대상자 (items held)"
    )
    status: Status | None = None
    context: PolicyId | None = None
    created_from: Aware | None = Field(None, strict=False, description="가입 시각 하한 (created at or after)")
    created_until: Aware | None = Field(None, strict=False, description="가입 시각 상한 (created before)")


class AffectedIn(_In):
    model_config = example({"query": {"holding": ["email"], "status": "active"}})

    subject_ids: list[SubjectRef] | None = Field(
        None, max_length=20_000, description="대상자 id (subject ids)"
    )
    query: QueryIn | None = Field(
        None, description="금고 검색 (a query over the vault; any number of subjects)"
    )

    @model_validator(mode="after")
    def _one_of(self) -> AffectedIn:
        if (self.subject_ids is None) == (self.query is None):
            raise ValueError("give exactly one of subject_ids and query")
        return self


class ReasonOut(BaseModel):
    code: str
    ko: str
    en: str
    article: str


class DecisionOut(BaseModel):
    required: bool
    grounds: list[ReasonOut]
    notes: list[ReasonOut]


class IncidentOut(BaseModel):
    model_config = example(examples.INCIDENT)

    id: str
    kind: str
    cause: str | None
    status: str
    items: list[str]
    measures: list[str]
    summary: str | None
    aware_at: Instant
    occurred_at: Instant | None
    opened_at: Instant
    opened_by: str
    reported_at: Instant | None
    reported_to: str | None
    notified_at: Instant | None
    posted_at: Instant | None
    closed_at: Instant | None
    closed_by: str | None
    subjects: int
    notified: int
    contact_known: int
    contact_missing: int
    due_at: Instant
    hours_left: float = Field(
        description="72시간까지 남은 시간, 지나면 음수 (hours left; negative when overdue)"
    )
    notice_hours_left: float | None
    report_hours_left: float | None
    notice_overdue: bool
    report_overdue: bool
    decision: DecisionOut
    coverage: ReasonOut | None
    as_of: Instant


class StepOut(BaseModel):
    at: Instant
    actor: str
    action: str
    outcome: str
    reason: str | None
    count: int


class IncidentWithTimeline(IncidentOut):
    model_config = example(
        {
            **examples.INCIDENT,
            "timeline": [
                {
                    "at": "2026-12-03T01:00:00Z",
                    "actor": "privacy-choi",
                    "action": "incident.open",
                    "outcome": "ok",
                    "reason": None,
                    "count": 0,
                }
            ],
        }
    )

    timeline: list[StepOut]


class IncidentsOut(BaseModel):
    model_config = example({"incidents": [examples.INCIDENT]})

    incidents: list[IncidentOut]


class AffectedOut(BaseModel):
    model_config = example({"incident": examples.INCIDENT, "added": 1200, "not_in_vault": 0})

    incident: IncidentOut
    added: int
    not_in_vault: int


class ReportIn(_In):
    model_config = example({"to": "pipc"})

    to: Body = "pipc"


class NotifyIn(_In):
    model_config = example({"measures": ["access_blocked", "passwords_reset"]})

    measures: list[Measure] = Field(default_factory=list, max_length=20)


class NotifyOut(BaseModel):
    model_config = example(
        {
            "incident": examples.INCIDENT,
            "queued": 1180,
            "by_channel": {"email": 1100, "sms": 80},
            "posted": 20,
            "posting_id": "Ps3tN8xQ2mLk7RvW4zB9cd",
        }
    )

    incident: IncidentOut
    queued: int
    by_channel: dict[str, int]
    posted: int
    posting_id: str | None


class CloseIn(_In):
    model_config = example({"unfounded": False})

    unfounded: bool = Field(False, description="조사 결과 유출 등이 아니었음 (no breach after all)")


class DraftOut(BaseModel):
    model_config = example(
        {
            "incident": examples.INCIDENT,
            "to": "pipc",
            "markdown": "# 개인정보 유출 등 신고서 (breach report)\n…",
        }
    )

    incident: IncidentOut
    to: str
    markdown: str


class PostingOut(BaseModel):
    id: str
    kind: str
    ref: str
    title: str
    body: str = Field(description="HTML, 값은 이스케이프됨 (values escaped)")
    posted_at: Instant
    until_at: Instant | None


class PostingsOut(BaseModel):
    model_config = example(
        {
            "postings": [
                {
                    "id": "Ps3tN8xQ2mLk7RvW4zB9cd",
                    "kind": "breach",
                    "ref": "In4cD3ntK9pLx2QwE7rT5y",
                    "title": "개인정보 유출 안내 (a breach notice)",
                    "body": "<p>…</p>",
                    "posted_at": "2026-12-03T01:00:00Z",
                    "until_at": "2027-01-02T01:00:00Z",
                }
            ]
        }
    )

    postings: list[PostingOut]


def _out(incident: Incident) -> IncidentOut:
    return IncidentOut.model_validate(asdict(incident))


@router.post(
    "/v1/incidents",
    responses=answers(ACTION_DENIED, INVALID),
    status_code=status.HTTP_201_CREATED,
    response_model=IncidentOut,
    summary="사고 열기 (open)",
)
def open_incident(body: OpenIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> IncidentOut:
    """유출 등을 알게 된 시각부터 72시간 시계가 돕니다. `incident` 작업 권한이 필요합니다. Opens an incident; the 72 hours run from `aware_at`. Needs the `incident` action."""  # noqa: E501
    return _out(
        jikimi.incidents.open(
            kind=body.kind,
            aware_at=body.aware_at,
            occurred_at=body.occurred_at,
            cause=body.cause,
            items=body.items,
            summary=body.summary,
            measures=body.measures,
            actor=handler,
            source=source,
        )
    )


@router.get(
    "/v1/incidents",
    responses=answers(ACTION_DENIED),
    response_model=IncidentsOut,
    summary="사고 목록 (incidents)",
)
def list_incidents(
    jikimi: JikimiDep,
    handler: HandlerDep,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> IncidentsOut:
    """열린 사고부터, 최근에 알게 된 것부터. `incident` 작업 권한이 필요합니다.
    Incidents, open ones first, with the hours left. Needs the `incident` action."""
    found = jikimi.incidents.list_incidents(actor=handler, open_only=open_only, limit=limit)
    return IncidentsOut(incidents=[_out(i) for i in found])


@router.post(
    "/v1/incidents/{incident_id}/affected",
    responses=answers(ACTION_DENIED, INCIDENT_MISSING, STATE_CONFLICT, INVALID),
    response_model=AffectedOut,
    summary="영향받은 대상자 (affected)",
)
def affected(
    incident_id: IncidentId, body: AffectedIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> AffectedOut:
    """대상자 id 목록 또는 금고 검색(항목·상태·수집 상황·가입 기간)으로 정합니다. `incident` 작업 권한이 필요합니다. Lists the affected subjects. Needs the `incident` action."""  # noqa: E501
    if body.query is not None:
        q = body.query
        query = affected_query(
            jikimi.policy,
            holding=q.holding,
            status=q.status,
            context=q.context,
            created_from=q.created_from,
            created_until=q.created_until,
        )
        result = jikimi.incidents.affected(incident_id, query=query, actor=handler, source=source)
    else:
        result = jikimi.incidents.affected(
            incident_id, subject_ids=body.subject_ids, actor=handler, source=source
        )
    return AffectedOut(incident=_out(result.incident), added=result.added, not_in_vault=result.not_in_vault)


@router.get(
    "/v1/incidents/{incident_id}",
    responses=answers(ACTION_DENIED, INCIDENT_MISSING),
    response_model=IncidentWithTimeline,
    summary="사고 상태 (an incident)",
)
def get_incident(incident_id: IncidentId, jikimi: JikimiDep, handler: HandlerDep) -> IncidentWithTimeline:
    """72시간까지 남은 시간, 신고 필요 여부와 그 이유, 처리 경과. `incident` 작업 권한이 필요합니다. The clock, the report decision and the timeline. Needs the `incident` action."""  # noqa: E501
    incident = jikimi.incidents.get(incident_id, actor=handler)
    steps = [StepOut.model_validate(asdict(s)) for s in jikimi.incidents.timeline(incident_id, actor=handler)]
    return IncidentWithTimeline(**_out(incident).model_dump(), timeline=steps)


@router.get(
    "/v1/incidents/{incident_id}/report",
    responses=answers(ACTION_DENIED, INCIDENT_MISSING),
    response_model=DraftOut,
    summary="신고서 초안 (draft report)",
)
def draft_report(
    incident_id: IncidentId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep, to: Body = "pipc"
) -> DraftOut:
    """개인정보보호위원회(기본) 또는 한국인터넷진흥원에 낼 신고서 초안 (한국어 Markdown). `incident` 작업 권한이 필요합니다. The draft report to PIPC or KISA. Needs the `incident` action."""  # noqa: E501
    draft = jikimi.incidents.draft_report(incident_id, to=to, actor=handler, source=source)
    return DraftOut(incident=_out(draft.incident), to=draft.to, markdown=draft.markdown)


@router.post(
    "/v1/incidents/{incident_id}/report",
    responses=answers(ACTION_DENIED, INCIDENT_MISSING, STATE_CONFLICT),
    response_model=IncidentOut,
    summary="신고 기록 (report sent)",
)
def report_sent(
    incident_id: IncidentId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: ReportIn | None = None,
) -> IncidentOut:
    """신고했다고 기록합니다 (다시 하면 추가 신고). `incident` 작업 권한이 필요합니다. Records the report as sent; again, a supplementary report. Needs the `incident` action."""  # noqa: E501
    return _out(
        jikimi.incidents.report(incident_id, to=(body or ReportIn()).to, actor=handler, source=source)
    )


@router.post(
    "/v1/incidents/{incident_id}/notify",
    responses=answers(ACTION_DENIED, INCIDENT_MISSING, STATE_CONFLICT),
    response_model=NotifyOut,
    summary="통지 (notify subjects)",
)
def notify(
    incident_id: IncidentId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: NotifyIn | None = None,
) -> NotifyOut:
    """대상자마다 통지 한 건(이메일, 없으면 문자), 연락처가 없으면 홈페이지 30일 게시. `incident` 작업 권한이 필요합니다. Queues the notices; posts the rest. Needs the `incident` action."""  # noqa: E501
    result = jikimi.incidents.notify(
        incident_id, measures=(body or NotifyIn()).measures, actor=handler, source=source
    )
    return NotifyOut(
        incident=_out(result.incident),
        queued=result.queued,
        by_channel=result.by_channel,
        posted=result.posted,
        posting_id=result.posting_id,
    )


@router.post(
    "/v1/incidents/{incident_id}/close",
    responses=answers(ACTION_DENIED, INCIDENT_MISSING, STATE_CONFLICT),
    response_model=IncidentOut,
    summary="종결 (close)",
)
def close(
    incident_id: IncidentId,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: CloseIn | None = None,
) -> IncidentOut:
    """통지와 (필요한) 신고를 마친 사고를 종결합니다. `incident` 작업 권한이 필요합니다. Closes an incident whose notices and owed report are done. Needs the `incident` action."""  # noqa: E501
    unfounded = (body or CloseIn()).unfounded
    return _out(jikimi.incidents.close(incident_id, unfounded=unfounded, actor=handler, source=source))


@router.get(
    "/v1/postings",
    response_model=PostingsOut,
    summary="홈페이지 게시 (website postings)",
)
def postings(
    jikimi: JikimiDep,
    _handler: HandlerDep,
    kind: Annotated[Literal["breach", "policy_change"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> PostingsOut:
    """지금 게시 중인 안내 (유출 통지 등, 개인정보 없음). 토큰만 있으면 되며 작업 권한은 따로 필요 없습니다.
    The website notices up now; no personal data. Any handler with a token may call it."""
    found = jikimi.incidents.postings(kind=kind, limit=limit)
    return PostingsOut(postings=[PostingOut.model_validate(asdict(p)) for p in found])
