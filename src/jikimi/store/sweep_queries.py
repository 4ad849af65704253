"""The sweep's SQL: claims of due subjects, the set-based statements of one batch, and the clean-ups.

``lifecycle/sweep.py`` decides *when* each kind of work is due (from the policy, into ``Due``) and
what a batch means (counts, ledger); the statements that find and change the rows are here. Every
batch statement is limited to the claimed (and locked) subjects with ``among`` and re-checks its
condition inside the transaction. The comments say why each statement has the shape it has: the
planners of both databases were read (``EXPLAIN``) on tables of 10⁵–10⁶ rows (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    and_,
    delete,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    tuple_,
    update,
)

from jikimi.states import Cause, SubjectKind, SubjectStatus
from jikimi.store.hints import Span, among, unindexed
from jikimi.store.tables import (
    AWAITING_PERIOD,
    consents,
    item_values,
    lookups,
    outbox,
    records,
    separated_lookups,
    separated_records,
    separated_values,
    subjects,
)

IDLE_KINDS = ("dormancy_notice", "dormancy")
KINDS = (
    "separated_values",
    "separated_records",
    "separated_lookups",
    "expired_logs",
    "expired_log_items",
    "pending_guardian",
    "dormancy_notice",
    "dormancy",
)
EXPIRING: dict[str, Table] = {
    "separated_values": separated_values,
    "separated_records": separated_records,
    "separated_lookups": separated_lookups,
    "expired_logs": records,
}
"""The kinds whose due work is the rows of one table past their ``expires_at``."""
NOTICE_KIND = "dormancy_notice"


@dataclass(frozen=True)
class Due:
    """The cut-offs of one sweep, computed from the policy at the sweep's moment (None: never due)."""

    now: datetime
    log_items: tuple[tuple[str, datetime], ...] = ()
    """Generated items (logs, IPs) and the instant before which a collected one has expired."""
    guardian_before: datetime | None = None
    """A child waiting for a guardian since before this is destroyed."""
    notice_before: datetime | None = None
    """An active member idle since before this is owed a dormancy notice."""
    notice_sent_by: datetime | None = None
    """A notice counts for separation once it was queued at or before this (None: the policy asks
    for no notice before separation)."""
    dormant_before: datetime | None = None
    """An active member idle since before this (and noticed, if notices are due) becomes dormant."""


@dataclass(frozen=True)
class Position:
    """How far a PostgreSQL worker's walk through one kind of due work has got: the last subject
    claimed and, for idle members, its last activity (the walk follows the activity index)."""

    at: datetime | None
    id: str


@dataclass(frozen=True)
class Claim:
    """One batch of claimed subjects; on PostgreSQL also where the walk goes on from and, for a walk
    in id order, the batch's first and last id (see ``among``)."""

    ids: list[str]
    position: Position | None = None
    span: Span | None = None


# -- conditions -------------------------------------------------------------------------------------


def _probe(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``EXISTS (SELECT 1 … OFFSET 0)``: the same answer as a plain EXISTS, but PostgreSQL keeps it a
    per-row probe of the outbox index instead of turning it into a join that hashes the whole outbox
    for every claimed batch (OFFSET stops the planner's EXISTS-to-join rewrite)."""
    return exists(select(literal_column("1")).where(condition).offset(0))


def _noticed_this_spell() -> ColumnElement[bool]:
    return and_(
        outbox.c.subject_id == subjects.c.id,
        outbox.c.kind == NOTICE_KIND,
        outbox.c.created_at >= subjects.c.last_activity_at,
    )


def _notice_unsent() -> ColumnElement[bool]:
    """No dormancy notice queued yet for the member's current idle spell."""
    return not_(_probe(_noticed_this_spell()))


def _noticed(due: Due) -> list[ColumnElement[bool]]:
    """The notice condition for separating an idle member: none when the policy sets no notice."""
    if due.notice_sent_by is None:
        return []
    return [_probe(and_(_noticed_this_spell(), outbox.c.created_at <= due.notice_sent_by))]


def _expired_log_items(due: Due, table: Any) -> ColumnElement[bool] | None:
    """Generated items collected before their period's cut-off, or None if none are declared."""
    if not due.log_items:
        return None
    return or_(
        *(
            and_(table.c.item_id == item_id, table.c.collected_at < before)
            for item_id, before in due.log_items
        )
    )


# -- claims -----------------------------------------------------------------------------------------


def claim_query(kind: str, due: Due, after: Position | None = None) -> Any:
    """Subject ids (and, for idle members, their last activity) with due work of ``kind``; with
    ``after``, only those beyond a worker's position in the order ``claim`` walks them."""
    active_member = and_(subjects.c.status == SubjectStatus.ACTIVE, subjects.c.kind == SubjectKind.MEMBER)
    beyond: list[ColumnElement[bool]] = [] if after is None else [subjects.c.id > after.id]

    def joined(table: Any, *where: ColumnElement[bool]) -> Any:
        # the position on both sides of the join: PostgreSQL does not carry ``>`` across ``=``
        position = [] if after is None else [table.c.subject_id > after.id]
        return (
            select(subjects.c.id)
            .join(table, table.c.subject_id == subjects.c.id)
            .where(*where, *beyond, *position)
        )

    def idle(threshold: datetime, *where: ColumnElement[bool]) -> Any:
        # walked in the order of the (status, last_activity_at, id) index, from the position on
        last = subjects.c.last_activity_at
        position = [] if after is None else [tuple_(last, subjects.c.id) > tuple_(after.at, after.id)]
        return select(subjects.c.id, last).where(active_member, last < threshold, *where, *position)

    if kind in EXPIRING:
        table = EXPIRING[kind]
        return joined(table, table.c.expires_at <= due.now)
    if kind == "expired_log_items":
        expired = _expired_log_items(due, item_values)
        return None if expired is None else joined(item_values, expired)
    if kind == "pending_guardian":
        if due.guardian_before is None:
            return None
        return select(subjects.c.id).where(
            subjects.c.status == SubjectStatus.PENDING_GUARDIAN,
            subjects.c.created_at < due.guardian_before,
            *beyond,
        )
    if kind == "dormancy_notice":
        return None if due.notice_before is None else idle(due.notice_before, _notice_unsent())
    if kind == "dormancy":
        return None if due.dormant_before is None else idle(due.dormant_before, *_noticed(due))
    raise ValueError(kind)


def none_expired(conn: Connection, kind: str, now: datetime) -> bool:
    """Whether ``kind`` is an expiry kind with no row past its expiry: looked up before its walk.

    Asked in expiry order, the look reads the expiry index's first entry whatever the planner's
    statistics say. The claim cannot be asked that way: just after a large sweep, before autovacuum
    has analysed, PostgreSQL still believes most rows due and plans the claim as a walk of the whole
    table in id order — a whole-table read for the claim that finds nothing (61 ms at 230,000
    separated values), paid by every sweep that comes next, standbys first."""
    table = EXPIRING.get(kind)
    if table is None:
        return False
    return conn.execute(first_expired(table, now)).first() is None


def first_expired(table: Table, now: datetime) -> Select[Any]:
    """The earliest expiry at or before ``now`` in ``table`` (no row: nothing has expired), asked in
    expiry order so that it reads one entry of the expiry index (see ``none_expired``)."""
    return select(table.c.expires_at).where(table.c.expires_at <= now).order_by(table.c.expires_at).limit(1)


def claim(conn: Connection, kind: str, due: Due, after: Position | None, batch_size: int) -> Claim:
    """Claim up to a batch of subjects with due work of ``kind``: them and, on PostgreSQL, the
    position to go on from (None: the walk is over) and, for a walk in id order, its span.

    SQLite serialises writers and removes index entries as rows go: the claim takes the first due
    subjects (DISTINCT: a subject may have several due rows). PostgreSQL locks the claimed subjects
    (``FOR UPDATE OF subjects SKIP LOCKED``: concurrent workers take disjoint sets) and walks them in
    order — subject id; last activity then id for idle members — from the worker's position: a claim
    from the start would re-read, every batch, the index entries of the rows earlier batches deleted
    or moved (they stay until vacuum) and of subjects other workers hold, which is quadratic over a
    sweep. Subjects passed over because another worker held them are that worker's; if it fails,
    the next sweep finds them."""
    query = claim_query(kind, due, after)
    if query is None:
        return Claim([])
    if conn.dialect.name != "postgresql":
        return Claim(list(dict.fromkeys(row[0] for row in conn.execute(query.distinct().limit(batch_size)))))
    idle = kind in IDLE_KINDS
    order = [subjects.c.last_activity_at, subjects.c.id] if idle else [subjects.c.id]
    # PostgreSQL refuses DISTINCT with FOR UPDATE: rows are de-duplicated here
    rows = conn.execute(
        query.order_by(*order)
        .limit(batch_size * (1 if idle else 4))
        .with_for_update(skip_locked=True, of=subjects)
    ).all()
    taken = list(dict.fromkeys(row[0] for row in rows))[:batch_size]
    if not taken:
        return Claim([])
    last = next(row for row in reversed(rows) if row[0] == taken[-1])
    # in id order the batch lies between its first and last id (as PostgreSQL sorted them)
    return Claim(taken, Position(last[1] if idle else None, last[0]), None if idle else (taken[0], taken[-1]))


def count_due(conn: Connection, due: Due) -> dict[str, int]:
    """How many subjects each kind of work would claim (for progress bars and dry runs)."""
    out: dict[str, int] = {}
    for kind in KINDS:
        query = claim_query(kind, due)
        out[kind] = (
            0
            if query is None
            else int(conn.execute(select(func.count(func.distinct(query.subquery().c.id)))).scalar() or 0)
        )
    return out


# -- one batch: set-based statements for the claimed subjects ---------------------------------------


def _expire(
    conn: Connection, t: Table, ids: list[str], span: Span | None, now: datetime, *returned: str
) -> list[Row[Any]]:
    """Delete the claimed subjects' rows of ``t`` past their expiry, returning ``returned``."""
    return list(
        conn.execute(
            delete(t)
            .where(among(t.c.subject_id, ids, span), t.c.expires_at <= now)
            .returning(*(t.c[name] for name in returned))
        )
    )


def expire_values(conn: Connection, ids: list[str], span: Span | None, now: datetime) -> list[Row[Any]]:
    """Delete separated values past their expiry: ``(subject_id, item_id, rule_id, key_id)``."""
    return _expire(conn, separated_values, ids, span, now, "subject_id", "item_id", "rule_id", "key_id")


def expire_records(conn: Connection, ids: list[str], span: Span | None, now: datetime) -> list[Row[Any]]:
    """Delete separated records past their expiry: ``(subject_id, type, rule_id, key_id, cause)``."""
    return _expire(
        conn, separated_records, ids, span, now, "subject_id", "type", "rule_id", "key_id", "cause"
    )


def expire_lookups(conn: Connection, ids: list[str], span: Span | None, now: datetime) -> list[Row[Any]]:
    """Delete kept look-ups past their expiry: ``(subject_id, item_id, rule_id)``."""
    return _expire(conn, separated_lookups, ids, span, now, "subject_id", "item_id", "rule_id")


def expire_logs(conn: Connection, ids: list[str], span: Span | None, now: datetime) -> list[Row[Any]]:
    """Delete active logs (records with their own expiry) past it: ``(subject_id, type)``."""
    return list(
        conn.execute(
            delete(records)
            .where(among(records.c.subject_id, ids, span), records.c.expires_at <= now)
            .returning(records.c.subject_id, records.c.type)
        )
    )


def expire_log_items(conn: Connection, ids: list[str], span: Span | None, due: Due) -> list[Row[Any]]:
    """Delete generated items past their period, active or dormant (logs kept as items expire like
    logs kept as records): ``(subject_id, item_id)``."""
    found: list[Row[Any]] = []
    for table in (item_values, separated_values):
        expired = _expired_log_items(due, table)
        if expired is None:
            break
        where = [among(table.c.subject_id, ids, span), expired]
        if table is separated_values:
            where.append(separated_values.c.cause == Cause.DORMANCY)
        found += conn.execute(delete(table).where(*where).returning(table.c.subject_id, table.c.item_id))
    return found


def destroy_unconfirmed_children(
    conn: Connection, ids: list[str], span: Span | None, before: datetime
) -> tuple[list[str], list[str], list[str]]:
    """Children waiting for a guardian since before ``before``: their data and rows are destroyed.
    Returns ``(their ids, destroyed item ids, destroyed look-up item ids)`` (one entry per row)."""
    due = [
        r.id
        for r in conn.execute(
            select(subjects.c.id).where(
                among(subjects.c.id, ids, span),
                unindexed(subjects.c.status) == SubjectStatus.PENDING_GUARDIAN,
                subjects.c.created_at < before,
            )
        )
    ]
    if not due:
        return [], [], []
    items = [
        row.item_id
        for row in conn.execute(
            delete(item_values)
            .where(among(item_values.c.subject_id, due, span))
            .returning(item_values.c.item_id)
        )
    ]
    looked = [
        row.item_id
        for row in conn.execute(
            delete(lookups).where(among(lookups.c.subject_id, due, span)).returning(lookups.c.item_id)
        )
    ]
    conn.execute(delete(consents).where(among(consents.c.subject_id, due, span)))
    conn.execute(delete(subjects).where(among(subjects.c.id, due, span)))
    return due, items, looked


def notice_due(conn: Connection, ids: list[str], span: Span | None, due: Due) -> list[tuple[str, datetime]]:
    """Claimed active members owed a dormancy notice: ``(id, last activity)``."""
    if due.notice_before is None:
        return []
    return [
        (sid, last)
        for sid, last in conn.execute(
            select(subjects.c.id, subjects.c.last_activity_at).where(
                among(subjects.c.id, ids, span),
                unindexed(subjects.c.status) == SubjectStatus.ACTIVE,
                subjects.c.kind == SubjectKind.MEMBER,
                subjects.c.last_activity_at < due.notice_before,
                _notice_unsent(),
            )
        )
    ]


def dormancy_due(conn: Connection, ids: list[str], span: Span | None, due: Due) -> list[str]:
    """Claimed active members idle long enough (and noticed, where notices are due) to be dormant."""
    if due.dormant_before is None:
        return []
    return [
        r.id
        for r in conn.execute(
            select(subjects.c.id).where(
                among(subjects.c.id, ids, span),
                unindexed(subjects.c.status) == SubjectStatus.ACTIVE,
                subjects.c.kind == SubjectKind.MEMBER,
                subjects.c.last_activity_at < due.dormant_before,
                *_noticed(due),
            )
        )
    ]


def remove_finished(conn: Connection, ids: list[str], span: Span | None) -> list[str]:
    """Delete withdrawn subjects with nothing kept any more; returns their ids."""
    return [
        r.id
        for r in conn.execute(
            delete(subjects)
            .where(
                among(subjects.c.id, ids, span),
                unindexed(subjects.c.status) == SubjectStatus.WITHDRAWN,
                not_(exists().where(separated_values.c.subject_id == subjects.c.id)),
                not_(exists().where(separated_records.c.subject_id == subjects.c.id)),
                not_(exists().where(separated_lookups.c.subject_id == subjects.c.id)),
            )
            .returning(subjects.c.id)
        )
    ]


# -- placeholder periods ----------------------------------------------------------------------------


def awaiting_period(table: Table, rule_ids: Sequence[str]) -> Select[Any]:
    """The rows of ``separated_values`` or ``separated_records`` kept under one of ``rule_ids`` whose
    period was a placeholder when they were separated, so they have no expiry yet. The predicate is
    written out (``tables.AWAITING_PERIOD``) for the planners to use the partial index holding just
    those rows; dormant rows, which have no expiry either, are never read."""
    key = table.c.item_id if table is separated_values else table.c.id
    return select(table.c.subject_id, table.c.rule_id, table.c.start_at, key).where(
        text(AWAITING_PERIOD), table.c.rule_id.in_(rule_ids)
    )


def rows_awaiting_period(conn: Connection, rule_ids: Sequence[str]) -> list[tuple[str, Row[Any]]]:
    """``("values" | "records", row)`` of every row awaiting a period under one of ``rule_ids``."""
    found: list[tuple[str, Row[Any]]] = []
    for name, table in (("values", separated_values), ("records", separated_records)):
        found += [(name, row) for row in conn.execute(awaiting_period(table, rule_ids))]
    return found


def set_expiry(conn: Connection, table: str, row: Row[Any], expires: datetime | None) -> None:
    """Give a row awaiting a period its expiry (and a kept value its look-up's)."""
    if table == "values":
        conn.execute(
            update(separated_values)
            .where(separated_values.c.subject_id == row.subject_id, separated_values.c.item_id == row.item_id)
            .values(expires_at=expires)
        )
        conn.execute(
            update(separated_lookups)
            .where(
                separated_lookups.c.subject_id == row.subject_id, separated_lookups.c.item_id == row.item_id
            )
            .values(expires_at=expires)
        )
    else:
        conn.execute(
            update(separated_records)
            .where(separated_records.c.subject_id == row.subject_id, separated_records.c.id == row.id)
            .values(expires_at=expires)
        )


# -- after the batches ------------------------------------------------------------------------------

ORPHAN_KEYS_LOCK = 0x6A696B696D69  # "jikimi": the advisory lock of the orphan-key clean-up


def first_to_clean_up(conn: Connection) -> bool:
    """Whether this worker runs the end-of-sweep orphan-key clean-up (a scan of every data key).

    On PostgreSQL, workers finishing together would each scan the whole key table; the first to take
    a transaction-scoped advisory lock does it and the others skip — its scan finds every key orphaned
    so far, and one left by a later crash is found by the next sweep. SQLite serialises writers anyway."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(select(func.pg_try_advisory_xact_lock(ORPHAN_KEYS_LOCK))).scalar())
