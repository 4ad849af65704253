"""What breach response hands back: an incident as the officer sees it (ids, dates, codes and counts,
never a personal value), the results of its steps, and how each is read from its stored row (an
``incidents`` row and its counts, ``store.incidents``; access-log rows for the timeline)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jikimi.clock import as_utc
from jikimi.notices import incident_rules as rules
from jikimi.notices.incident_rules import Reason, ReportDecision
from jikimi.policy.model import Policy


@dataclass(frozen=True)
class Incident:
    """A breach incident with its 72-hour clock and the report decision, as of ``as_of``.

    ``hours_left`` runs from ``aware_at`` (negative when overdue); ``notice_hours_left`` and
    ``report_hours_left`` are ``None`` once the step is done (or, for the report, when none is
    owed). ``coverage`` says when the kind counts only under the 2026 amendment."""

    id: str
    kind: str
    cause: str | None
    status: str
    items: tuple[str, ...]
    measures: tuple[str, ...]
    summary: str | None
    aware_at: datetime
    occurred_at: datetime | None
    opened_at: datetime
    opened_by: str
    reported_at: datetime | None
    reported_to: str | None
    notified_at: datetime | None
    posted_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    subjects: int
    notified: int
    contact_known: int
    contact_missing: int
    due_at: datetime
    hours_left: float
    notice_hours_left: float | None
    report_hours_left: float | None
    notice_overdue: bool
    report_overdue: bool
    decision: ReportDecision
    coverage: Reason | None
    as_of: datetime

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def owed(self) -> int:
        """Affected subjects not told yet (no notice queued, no posting)."""
        return self.subjects - self.notified


@dataclass(frozen=True)
class Affected:
    """Subjects added to an incident: how many were new, and how many of the incident's affected
    subjects the vault holds no subject for (destroyed since, or never here: they are told by the
    website posting)."""

    incident: Incident
    added: int
    not_in_vault: int = 0


@dataclass(frozen=True)
class Notified:
    """Notices queued: per channel (``email``, ``sms``), and the subjects without a contact told by
    the website posting (``posted``, ``posting_id``)."""

    incident: Incident
    queued: int
    by_channel: dict[str, int] = field(default_factory=dict)
    posted: int = 0
    posting_id: str | None = None


@dataclass(frozen=True)
class Draft:
    """The draft report to the regulator, in Korean Markdown, with the decision it states."""

    incident: Incident
    to: str
    markdown: str


@dataclass(frozen=True)
class Step:
    """One step of an incident's timeline, read back from the access log."""

    at: datetime
    actor: str
    action: str
    outcome: str
    reason: str | None
    count: int


@dataclass(frozen=True)
class Posting:
    """A notice posted on the service's website (HTML, values escaped; no personal data)."""

    id: str
    kind: str
    ref: str
    title: str
    body: str
    posted_at: datetime
    until_at: datetime | None


def incident_view(policy: Policy, row: Any, counts: Any, now: datetime) -> Incident:
    """The incident of an ``incidents`` row and its ``store.incidents.Counts``, as of ``now``."""
    items = tuple(json.loads(row.items))
    aware_at = as_utc(row.aware_at)
    declared = [policy.items_by_id[i] for i in items if i in policy.items_by_id]
    decision = rules.report_decision(
        subjects=counts.subjects, items=declared, cause=row.cause, kind=row.kind, aware_at=aware_at
    )
    left = rules.hours_left(aware_at, now)
    notice_done = row.notified_at is not None and counts.notified == counts.subjects
    report_done = row.reported_at is not None or not decision.required
    open_now = row.status == "open"
    return Incident(
        id=row.id,
        kind=row.kind,
        cause=row.cause,
        status=row.status,
        items=items,
        measures=codes(row.measures),
        summary=row.summary,
        aware_at=aware_at,
        occurred_at=as_utc(row.occurred_at),
        opened_at=as_utc(row.opened_at),
        opened_by=row.opened_by,
        reported_at=as_utc(row.reported_at),
        reported_to=row.reported_to,
        notified_at=as_utc(row.notified_at),
        posted_at=as_utc(row.posted_at),
        closed_at=as_utc(row.closed_at),
        closed_by=row.closed_by,
        subjects=counts.subjects,
        notified=counts.notified,
        contact_known=counts.contact_known,
        contact_missing=counts.contact_missing,
        due_at=rules.due_at(aware_at),
        hours_left=left,
        notice_hours_left=None if notice_done else left,
        report_hours_left=None if report_done else left,
        notice_overdue=open_now and not notice_done and left < 0,
        report_overdue=open_now and not report_done and left < 0,
        decision=decision,
        coverage=rules.coverage(row.kind, aware_at),
        as_of=now,
    )


def advice(policy: Policy, items: Sequence[str]) -> tuple[str, ...]:
    """What a subject can do, from the breached items the policy declares."""
    return rules.advice_for(policy.items_by_id[i] for i in items if i in policy.items_by_id)


def notice_payload(policy: Policy, row: Any) -> dict[str, object]:
    """What each breach notice carries (the outbox payload): ids, dates and codes, never a value."""
    items = list(json.loads(row.items))
    occurred = as_utc(row.occurred_at)
    return {
        "incident_id": row.id,
        "kind": row.kind,
        "cause": row.cause,
        "items": items,
        "aware_at": as_utc(row.aware_at).isoformat(),
        "occurred_at": occurred.isoformat() if occurred else None,
        "measures": list(codes(row.measures)),
        "advice": list(advice(policy, items)),
        "reported_to": row.reported_to,
    }


def steps_of(found: Iterable[Any]) -> list[Step]:
    """The timeline of access-log rows (``store.incidents.timeline``)."""
    return [Step(as_utc(r.at), r.actor, r.action, r.outcome, r.reason, int(r.n)) for r in found]


def codes(stored: str | None) -> tuple[str, ...]:
    """A stored JSON list of codes (``NULL``: none)."""
    return tuple(json.loads(stored)) if stored else ()
