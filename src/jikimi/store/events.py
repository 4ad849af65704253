"""Service events (SQL): what jikimi tells the service's own code — a subject withdrawn, destroyed,
separated, dormant or back, a consent changed, a rights request received or falling due, an
incident opened — written in the transaction of the change they report (an outbox for the service).

An event holds ids, a type, dates and codes, never a personal value. Its ``event_id`` comes from the
change's dedupe key, so writing it twice (a sweep re-run, a retried call) keeps one.

**Order.** The service sees events by ``position``, which ``sequence`` gives after commit, under a
lock (PostgreSQL: an advisory transaction lock; SQLite has one writer at a time), in the order the
events were written. Positions only grow: an event committed late gets a position after every one
already given, so a service pulling ``after=<the last position it saw>`` never skips one. An id
from the table's own sequence would not do: on PostgreSQL a transaction that took a lower id can
commit after a reader has already seen a higher one.

**Delivery** to the service's endpoint is the outbox's (a lease, tries, back-off, the last error
code), with one more rule: an event is not claimed while an earlier event of the same subject is
still pending, so a subject's events arrive in order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Row,
    and_,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    update,
)

from jikimi.clock import as_utc
from jikimi.store.bulk import insert_new
from jikimi.store.integration_tables import events

EventType = Literal[
    "subject.withdrawn",
    "subject.destroyed",
    "subject.separated",
    "subject.dormant",
    "subject.reactivated",
    "consent.changed",
    "rights_request.received",
    "rights_request.due_soon",
    "incident.opened",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
STATUSES = ("pending", "delivered", "dead")

KEPT = timedelta(days=30)
"""How long events are kept for a service to pull (or for ``jikimi events replay``): then they go,
with the subject ids they name."""

_SEQUENCER_LOCK = 0x6A696B696D69  # "jikimi": the advisory lock only ``sequence`` takes
SEQUENCE_BATCH = 10_000


def event_id(dedupe_key: str) -> str:
    """The stable id of the event written under ``dedupe_key`` (what a service drops repeats by)."""
    return "evt_" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Event:
    id: int
    event_id: str
    type: str
    subject_id: str | None
    data: dict[str, object]
    occurred_at: datetime
    position: int | None
    status: str = "pending"
    attempts: int = 0
    due_at: datetime | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None

    def document(self) -> dict[str, object]:
        """What the service receives (webhook body, ``GET /v1/events``): ids, type, time, position."""
        return {
            "id": self.event_id,
            "type": self.type,
            "subject_id": self.subject_id,
            "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z"),
            "position": self.position,
            "data": self.data,
        }


def _event(r: Row[Any]) -> Event:
    return Event(
        r.id,
        r.event_id,
        r.type,
        r.subject_id,
        json.loads(r.data),
        as_utc(r.occurred_at),
        r.position,
        r.status,
        r.attempts,
        as_utc(r.due_at),
        r.last_error,
        as_utc(r.delivered_at) if r.delivered_at is not None else None,
    )


@dataclass(frozen=True)
class NewEvent:
    """An event to write: its type, subject, data (ids, dates, codes) and the dedupe key of the
    change it reports (``"withdraw:<subject>:<instant>"``)."""

    type: EventType
    subject_id: str | None
    dedupe_key: str
    data: Mapping[str, object]


COLUMNS = ("event_id", "type", "subject_id", "data", "occurred_at", "status", "attempts", "due_at")


def emit(conn: Connection, events_: Sequence[NewEvent], *, now: datetime) -> int:
    """Write events in the caller's transaction, each unless its dedupe key was written before;
    how many were written. One driver ``executemany`` (a sweep batch writes one event per subject;
    their ``data`` is one mapping, turned into JSON once)."""
    if not events_:
        return 0
    documents: dict[int, str] = {}
    rows: list[tuple[object, ...]] = []
    for event in events_:
        if event.type not in EVENT_TYPES:  # pragma: no cover - the type is checked statically
            raise ValueError(event.type)
        data = documents.get(id(event.data))
        if data is None:
            data = documents[id(event.data)] = json.dumps(
                dict(event.data), ensure_ascii=False, sort_keys=True, default=str
            )
        rows.append((event_id(event.dedupe_key), event.type, event.subject_id, data, now, "pending", 0, now))
    return insert_new(conn, events, COLUMNS, rows, unique="event_id")


def sequence(conn: Connection, *, limit: int = SEQUENCE_BATCH) -> int:
    """Give the next positions to events written and committed without one, in the order they were
    written (at most ``limit`` at a time); how many got one. The caller commits at once: on
    PostgreSQL the lock taken here is held until then, so positions are given by one writer."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEQUENCER_LOCK})
    waiting = (
        select(events.c.id, func.row_number().over(order_by=events.c.id).label("n"))
        .where(events.c.position.is_(None))
        .order_by(events.c.id)
        .limit(limit)
        .subquery()
    )
    given = events.alias("given")
    base = select(func.coalesce(func.max(given.c.position), 0)).scalar_subquery()  # read once
    statement = update(events).where(events.c.id == waiting.c.id).values(position=base + waiting.c.n)
    return int(conn.execute(statement).rowcount or 0)


def page(conn: Connection, *, after: int = 0, limit: int = 100, types: Sequence[str] = ()) -> list[Event]:
    """Events with a position after ``after``, in order (what ``GET /v1/events`` answers)."""
    query = select(events).where(events.c.position > after)
    if types:
        query = query.where(events.c.type.in_(list(types)))
    return [_event(r) for r in conn.execute(query.order_by(events.c.position).limit(limit))]


def listed(
    conn: Connection,
    *,
    after: int | None = None,
    status: str | None = None,
    types: Sequence[str] = (),
    subject_id: str | None = None,
    limit: int = 100,
) -> list[Event]:
    """Events for the operator (``jikimi events list``): by position, those without one last."""
    query = select(events)
    if after is not None:
        query = query.where(events.c.position > after)
    if status is not None:
        query = query.where(events.c.status == status)
    if types:
        query = query.where(events.c.type.in_(list(types)))
    if subject_id is not None:
        query = query.where(events.c.subject_id == subject_id)
    unsequenced = case((events.c.position.is_(None), 1), else_=0)
    ordered = query.order_by(unsequenced, events.c.position, events.c.id).limit(limit)
    return [_event(r) for r in conn.execute(ordered)]


def claim(conn: Connection, *, now: datetime, until: datetime, worker: str, limit: int) -> list[Event]:
    """Take up to ``limit`` due, sequenced, pending events no live lease holds and no earlier pending
    event of the same subject waits before, for ``worker`` until ``until`` (in position order). On
    PostgreSQL the rows are locked with ``SKIP LOCKED``; SQLite has one writer. The caller commits."""
    earlier = events.alias("earlier")
    before = exists(
        select(literal(1)).where(
            earlier.c.subject_id == events.c.subject_id,
            earlier.c.status == "pending",
            earlier.c.position < events.c.position,
        )
    )
    claimable = and_(
        events.c.status == "pending",
        events.c.position.is_not(None),
        events.c.due_at <= now,
        or_(events.c.claimed_until.is_(None), events.c.claimed_until < now),
        ~before,
    )
    chosen = select(events.c.id).where(claimable).order_by(events.c.position).limit(limit)
    if conn.dialect.name == "postgresql":
        # psycopg prepares the statement after a few runs, and PostgreSQL's generic plan for it cannot
        # see that few events are pending: 200 ms a claim instead of 5 (bench/service_events.py)
        conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        ids = list(conn.execute(chosen.with_for_update(of=events, skip_locked=True)).scalars())
        if not ids:
            return []
        statement = update(events).where(events.c.id.in_(ids))
    else:
        statement = update(events).where(events.c.id.in_(chosen.scalar_subquery()), claimable)
    rows = conn.execute(statement.values(claimed_until=until, claimed_by=worker).returning(*events.c)).all()
    return sorted((_event(r) for r in rows), key=lambda e: e.position or 0)


def _held(ids: Sequence[int], worker: str) -> Any:
    return and_(events.c.id.in_(ids), events.c.claimed_by == worker, events.c.status == "pending")


def mark_delivered(conn: Connection, ids: Sequence[int], *, worker: str, now: datetime) -> int:
    """Mark events sent by ``worker`` delivered; how many were (a lost lease marks none)."""
    if not ids:
        return 0
    values = {"status": "delivered", "delivered_at": now, "claimed_until": None, "last_error": None}
    statement = update(events).where(_held(ids, worker)).values(attempts=events.c.attempts + 1, **values)
    return int(conn.execute(statement).rowcount)


def mark_failed(
    conn: Connection, id_: int, *, worker: str, error: str, retry_at: datetime | None, now: datetime
) -> None:
    """A failed try and its error code: due again at ``retry_at``, or dead when ``None``."""
    values: dict[str, object] = {
        "attempts": events.c.attempts + 1,
        "last_error": error[:64],
        "claimed_until": None,
    }
    if retry_at is None:
        values["status"] = "dead"
    else:
        values["due_at"] = retry_at
    conn.execute(update(events).where(_held([id_], worker)).values(**values))


def replay(conn: Connection, *, ids: Sequence[str] = (), after: int | None = None, now: datetime) -> int:
    """Events (by event id, or every one after a position) pending again, due now, tries afresh:
    delivered again with the same ids. How many."""
    statement = update(events).where(events.c.position.is_not(None))
    if ids:
        statement = statement.where(events.c.event_id.in_(list(ids)))
    if after is not None:
        statement = statement.where(events.c.position > after)
    values = {"status": "pending", "due_at": now, "attempts": 0, "claimed_until": None, "last_error": None}
    return int(conn.execute(statement.values(**values)).rowcount)


def counts(conn: Connection, *, now: datetime) -> dict[tuple[str, str], int]:
    """``(type, state)`` → events; state ``delivered``, ``dead``, ``due`` or ``later``."""
    state = case(
        (events.c.status != "pending", events.c.status), (events.c.due_at <= now, "due"), else_="later"
    )
    query = select(events.c.type, state.label("state"), func.count()).group_by(events.c.type, "state")
    return {(kind, st): n for kind, st, n in conn.execute(query)}


def last_position(conn: Connection) -> int:
    """The highest position given (0 when none)."""
    return int(conn.execute(select(func.coalesce(func.max(events.c.position), 0))).scalar_one())


def expire(conn: Connection, *, before: datetime) -> int:
    """Delete the events that happened before ``before``, except the last one given a position (it
    keeps the order's high-water mark, so positions go on growing); how many went."""
    newest = events.alias("newest")
    last = select(func.max(newest.c.position)).scalar_subquery()
    statement = delete(events).where(events.c.occurred_at < before, events.c.position < last)
    return int(conn.execute(statement).rowcount or 0)
