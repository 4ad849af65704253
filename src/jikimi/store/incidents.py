"""Queries on breach incidents (PIPA 34): the incident, the subjects it affects, the notices it owes
and its timeline in the access log. Set-based: listing 100,000 affected subjects, deciding who has
a contact and queueing 100,000 notices are a few statements each, never a loop over subjects.

Nothing here reads a value: whether a subject has a contact is whether it holds an item of a
contact format (a row in ``item_values``), never what the item says.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jikimi.errors import NotFound
from jikimi.store.bulk import insert_many
from jikimi.store.notice_tables import incident_subjects, incidents
from jikimi.store.tables import Timestamp, access_log, item_values, outbox, separated_values, subjects

IncidentRow = Row[Any]
"""An ``incidents`` row (``.id``, ``.kind``, ``.aware_at``…)."""


def _insert(conn: Connection, table: Any) -> Any:
    """An INSERT that skips rows colliding with a unique key (both databases)."""
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)


def _inserted(conn: Connection, statement: Any) -> int:
    """How many rows an INSERT … ON CONFLICT DO NOTHING wrote: counted from RETURNING, because the
    PostgreSQL driver reports no row count for SQLAlchemy's INSERT constructs."""
    return len(conn.execute(statement.returning(literal(1))).all())


def add(conn: Connection, **values: Any) -> None:
    conn.execute(insert(incidents).values(**values))


def get(conn: Connection, incident_id: str, *, lock: bool = False) -> IncidentRow:
    """The incident's row, or ``NotFound``; ``lock`` holds it until the transaction ends (PostgreSQL)."""
    query = select(incidents).where(incidents.c.id == incident_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("유출 사고가 없습니다", "no such incident")
    return row


def change(conn: Connection, incident_id: str, **values: Any) -> None:
    conn.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))


def listing(conn: Connection, *, open_only: bool, limit: int) -> list[IncidentRow]:
    """Incidents, the open ones first, then the most recent awareness first."""
    query = select(incidents)
    if open_only:
        query = query.where(incidents.c.status == "open")
    order = case((incidents.c.status == "open", 0), else_=1)
    return list(conn.execute(query.order_by(order, incidents.c.aware_at.desc()).limit(limit)).all())


# -- affected subjects ---------------------------------------------------------------------------


def add_ids(conn: Connection, incident_id: str, ids: Sequence[str], now: datetime) -> int:
    """Add listed subjects (each once; those already there are skipped) in one batched insert (COPY
    on PostgreSQL); how many were new. The caller holds the incident's row lock, so no other
    transaction adds to the same incident meanwhile."""
    present = set(
        conn.execute(
            select(incident_subjects.c.subject_id).where(incident_subjects.c.incident_id == incident_id)
        ).scalars()
    )
    new = [sid for sid in dict.fromkeys(ids) if sid not in present]
    insert_many(
        conn,
        incident_subjects,
        ("incident_id", "subject_id", "added_at"),
        [(incident_id, sid, now) for sid in new],
    )
    return len(new)


def not_in_vault(conn: Connection, incident_id: str) -> int:
    """How many of the incident's affected subjects the vault holds no subject row for (destroyed
    since, or never here): one anti-join."""
    query = (
        select(func.count())
        .select_from(incident_subjects)
        .where(
            incident_subjects.c.incident_id == incident_id,
            ~exists().where(subjects.c.id == incident_subjects.c.subject_id),
        )
    )
    return int(conn.execute(query).scalar_one())


def _holds(items: Sequence[str], subject: Any) -> Any:
    """The subject (a column) holds one of ``items``, in the active or the separated store."""
    return or_(
        exists().where(item_values.c.subject_id == subject, item_values.c.item_id.in_(list(items))),
        exists().where(separated_values.c.subject_id == subject, separated_values.c.item_id.in_(list(items))),
    )


def add_matching(
    conn: Connection,
    incident_id: str,
    *,
    holding: Sequence[str],
    status: str | None,
    context: str | None,
    created_from: datetime | None,
    created_until: datetime | None,
    now: datetime,
) -> int:
    """Add every subject holding one of ``holding`` (of ``status``, collected in ``context``, created
    in ``[created_from, created_until)`` when given) in one INSERT … SELECT; how many were new."""
    conditions = [_holds(holding, subjects.c.id)]
    if status is not None:
        conditions.append(subjects.c.status == status)
    if context is not None:
        conditions.append(subjects.c.context == context)
    if created_from is not None:
        conditions.append(subjects.c.created_at >= created_from)
    if created_until is not None:
        conditions.append(subjects.c.created_at < created_until)
    chosen = select(literal(incident_id), subjects.c.id, literal(now, Timestamp)).where(and_(*conditions))
    statement = (
        _insert(conn, incident_subjects)
        .from_select(["incident_id", "subject_id", "added_at"], chosen)
        .on_conflict_do_nothing()
    )
    return _inserted(conn, statement)


@dataclass(frozen=True)
class Counts:
    """The affected subjects of an incident: all, those told (or posted for), and by contact."""

    subjects: int = 0
    notified: int = 0
    contact_known: int = 0
    contact_missing: int = 0


def counts(conn: Connection, incident_id: str) -> Counts:
    query = select(
        func.count(),
        func.count(incident_subjects.c.notified_at),
        func.coalesce(func.sum(case((incident_subjects.c.contact == "known", 1), else_=0)), 0),
        func.coalesce(func.sum(case((incident_subjects.c.contact == "missing", 1), else_=0)), 0),
    ).where(incident_subjects.c.incident_id == incident_id)
    total, notified, known, missing = conn.execute(query).one()
    return Counts(int(total), int(notified), int(known), int(missing))


def state(conn: Connection, incident_id: str, *, lock: bool = False) -> tuple[IncidentRow, Counts]:
    """The incident's row and its counts (``NotFound`` when there is none)."""
    return get(conn, incident_id, lock=lock), counts(conn, incident_id)


def states(conn: Connection, *, open_only: bool, limit: int) -> list[tuple[IncidentRow, Counts]]:
    """``listing`` with each incident's counts."""
    return [(row, counts(conn, row.id)) for row in listing(conn, open_only=open_only, limit=limit)]


# -- notices -------------------------------------------------------------------------------------


def _channel(contacts: Mapping[str, Sequence[str]], reachable: Sequence[str]) -> Any:
    """The channel of each affected subject: the first of ``contacts`` (channel → contact items, in
    order of preference) whose items it holds in the active store, when its status is one of
    ``reachable``; ``None`` when it holds none, is in another state, or is no longer in the vault."""
    reached = exists().where(
        subjects.c.id == incident_subjects.c.subject_id, subjects.c.status.in_(list(reachable))
    )
    whens = [
        (
            and_(
                reached,
                exists().where(
                    item_values.c.subject_id == incident_subjects.c.subject_id,
                    item_values.c.item_id.in_(list(items)),
                ),
            ),
            channel,
        )
        for channel, items in contacts.items()
        if items
    ]
    return case(*whens, else_=None) if whens else literal(None)


def _owed(incident_id: str) -> Any:
    return and_(incident_subjects.c.incident_id == incident_id, incident_subjects.c.notified_at.is_(None))


def decide_contacts(
    conn: Connection, incident_id: str, contacts: Mapping[str, Sequence[str]], reachable: Sequence[str]
) -> int:
    """Mark each subject not yet told ``known`` (reachable: it holds a contact item and is in one of
    the ``reachable`` states) or ``missing``, in one UPDATE; returns how many are ``missing``."""
    channel = _channel(contacts, reachable)
    conn.execute(
        update(incident_subjects)
        .where(_owed(incident_id))
        .values(contact=case((channel.is_(None), "missing"), else_="known"))
    )
    query = select(func.count()).where(_owed(incident_id), incident_subjects.c.contact == "missing")
    return int(conn.execute(query).scalar_one())


def queue_notices(
    conn: Connection,
    incident_id: str,
    *,
    kind: str,
    payload: Mapping[str, object],
    contacts: Mapping[str, Sequence[str]],
    reachable: Sequence[str],
    now: datetime,
) -> dict[str, int]:
    """One outbox row per affected subject not yet told who has a contact (``decide_contacts``
    marked it ``known``), in one INSERT … SELECT:
    the same row ``outbox.enqueue`` writes (kind, dedupe key ``<kind>:<incident>:<subject>``, the
    payload's JSON, due now, to the subject, on its channel), skipping a key already queued. How
    many were queued on each channel (``{"email": n, "sms": m}``)."""
    body = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True, default=str)
    channel = _channel(contacts, reachable)
    chosen = select(
        literal(kind),
        incident_subjects.c.subject_id,
        literal(f"{kind}:{incident_id}:") + incident_subjects.c.subject_id,
        literal(body),
        literal(now, Timestamp),
        literal(now, Timestamp),
        literal(0),
        channel,
        literal("subject"),
        literal("pending"),
    ).where(_owed(incident_id), incident_subjects.c.contact == "known")
    columns = [
        "kind",
        "subject_id",
        "dedupe_key",
        "payload",
        "due_at",
        "created_at",
        "attempts",
        "channel",
        "recipient",
        "status",
    ]
    statement = (
        _insert(conn, outbox)
        .from_select(columns, chosen)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(outbox.c.channel)
    )
    return dict(Counter(str(c) for c in conn.execute(statement).scalars()))


def notices_by_channel(conn: Connection, incident_id: str, kind: str) -> dict[str, int]:
    """The notices queued for the incident, per channel."""
    query = (
        select(outbox.c.channel, func.count())
        .where(
            outbox.c.kind == kind, outbox.c.dedupe_key.startswith(f"{kind}:{incident_id}:", autoescape=True)
        )
        .group_by(outbox.c.channel)
    )
    return {str(c): int(n) for c, n in conn.execute(query)}


def mark_notified(conn: Connection, incident_id: str, now: datetime) -> int:
    """Every subject not yet told is told now (a notice queued, or the website posting); how many."""
    return int(
        conn.execute(update(incident_subjects).where(_owed(incident_id)).values(notified_at=now)).rowcount
        or 0
    )


# -- the timeline --------------------------------------------------------------------------------


def timeline(conn: Connection, incident_id: str, since: datetime) -> list[Any]:
    """The incident's steps in the access log (``incident.*`` rows whose reason starts with
    ``incident=<id>``), in log order; ``since`` (the opening) lets PostgreSQL skip older months."""
    query = (
        select(
            access_log.c.at,
            access_log.c.actor,
            access_log.c.action,
            access_log.c.outcome,
            access_log.c.reason,
            access_log.c.count.label("n"),
        )
        .where(
            access_log.c.at >= since,
            access_log.c.action.startswith("incident.", autoescape=True),
            access_log.c.reason.startswith(f"incident={incident_id};", autoescape=True),
        )
        .order_by(access_log.c.seq)
    )
    return list(conn.execute(query).all())
