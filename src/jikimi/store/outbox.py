"""The outbox (SQL): messages jikimi owes a subject or a recipient, written in the same transaction as
the change that owes them (a dormancy notice, a correction notice to an earlier recipient).

Each message has a ``dedupe_key`` so that re-running a sweep or retrying a request never queues
the same message twice, and a stable ``message_id`` derived from it that receivers drop duplicates
by. Payloads hold ids, dates and codes — never personal values.

Delivery (``notices.delivery``) claims due rows for a while (``claim``: a lease, taken with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL so several workers never take the same row), sends, then
marks each ``delivered``, ``retry`` (a later due time and the error code) or ``dead`` (after the
last try). A worker killed mid-batch leaves its lease to expire; the rows are taken again —
at-least-once delivery, with the same message id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, case, func, insert, literal, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jikimi.store.tables import Timestamp, outbox

STATUSES = ("pending", "delivered", "dead")


def message_id(dedupe_key: str) -> str:
    """The stable id of the message queued under ``dedupe_key``: the same on every try, so a receiver
    drops a duplicate (a crash after sending, before marking); it reveals nothing of the key."""
    return "msg_" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Message:
    id: int
    kind: str
    subject_id: str | None
    dedupe_key: str
    payload: dict[str, object]
    due_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    channel: str | None = None
    recipient: str = "subject"
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None

    @property
    def message_id(self) -> str:
        return message_id(self.dedupe_key)


def _message(r: Row[Any]) -> Message:
    return Message(
        r.id,
        r.kind,
        r.subject_id,
        r.dedupe_key,
        json.loads(r.payload),
        r.due_at,
        r.created_at,
        r.delivered_at,
        r.channel,
        r.recipient,
        r.status,
        r.attempts,
        r.last_error,
    )


def enqueue(
    conn: Connection,
    *,
    kind: str,
    subject_id: str | None,
    dedupe_key: str,
    payload: Mapping[str, object],
    due_at: datetime,
    now: datetime,
    channel: str | None = None,
    recipient: str = "subject",
) -> bool:
    """Queue a message unless one with the same ``dedupe_key`` exists. True if it was queued.
    ``channel``: how it goes (``email``, ``sms``, ``push``, ``alimtalk``, ``letter``, …; ``None``:
    the first of ``payload["channels"]``, else e-mail); ``recipient``: ``subject`` (the contact is
    the subject's, read through the gate), ``third_party`` (``payload["third_party_id"]``'s contact
    in the policy) or ``service`` (the service's own endpoint)."""
    row = {
        "channel": channel,
        "recipient": recipient,
        "status": "pending",
        "kind": kind,
        "subject_id": subject_id,
        "dedupe_key": dedupe_key,
        "payload": json.dumps(dict(payload), ensure_ascii=False, sort_keys=True, default=str),
        "due_at": due_at,
        "created_at": now,
        "attempts": 0,
    }
    dialect = conn.dialect.name
    # RETURNING tells whether a row was written: rowcount is -1 on PostgreSQL when RETURNING is used
    statement: Any
    if dialect == "postgresql":
        statement = pg_insert(outbox).values(row).on_conflict_do_nothing(index_elements=["dedupe_key"])
    elif dialect == "sqlite":
        statement = sqlite_insert(outbox).values(row).on_conflict_do_nothing(index_elements=["dedupe_key"])
    else:  # pragma: no cover - only the two supported databases
        if conn.execute(select(outbox.c.id).where(outbox.c.dedupe_key == dedupe_key)).first():
            return False
        return conn.execute(insert(outbox).values(row).returning(outbox.c.id)).first() is not None
    return conn.execute(statement.returning(outbox.c.id)).first() is not None


def _insert_ignoring_duplicates(conn: Connection) -> Any:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return pg_insert(outbox).on_conflict_do_nothing(index_elements=["dedupe_key"])
    if dialect == "sqlite":
        return sqlite_insert(outbox).on_conflict_do_nothing(index_elements=["dedupe_key"])
    raise NotImplementedError(dialect)  # pragma: no cover - only the two supported databases


def enqueue_many(conn: Connection, messages: Sequence[Mapping[str, Any]], *, now: datetime) -> int:
    """Queue many messages in one statement, each unless its ``dedupe_key`` exists; how many were
    queued. Each message has ``kind``, ``subject_id``, ``dedupe_key``, ``payload`` (ids, dates and
    codes), ``due_at`` and optionally ``channel`` and ``recipient``, as for ``enqueue``."""
    if not messages:
        return 0
    rows = [
        {
            "kind": m["kind"],
            "subject_id": m["subject_id"],
            "dedupe_key": m["dedupe_key"],
            "payload": json.dumps(dict(m["payload"]), ensure_ascii=False, sort_keys=True, default=str),
            "due_at": m["due_at"],
            "created_at": now,
            "attempts": 0,
            "channel": m.get("channel"),
            "recipient": m.get("recipient", "subject"),
            "status": "pending",
        }
        for m in messages
    ]
    statement = _insert_ignoring_duplicates(conn).returning(outbox.c.id)
    return len(conn.execute(statement, rows).all())


def enqueue_select(
    conn: Connection,
    *,
    kind: str,
    audience: Select[Any],
    dedupe_prefix: str,
    payload: Mapping[str, object],
    due_at: datetime,
    now: datetime,
    recipient: str = "subject",
) -> int:
    """Queue one message per row of ``audience`` (columns ``subject_id`` and ``channel``) with one
    ``INSERT … SELECT``: the same ``payload`` for all, each under ``dedupe_key = dedupe_prefix +
    subject_id``, skipping those queued already. How many were queued."""
    rows = audience.subquery()
    chosen = select(
        literal(kind),
        rows.c.subject_id,
        (literal(dedupe_prefix) + rows.c.subject_id),
        literal(json.dumps(dict(payload), ensure_ascii=False, sort_keys=True, default=str)),
        literal(due_at, Timestamp),
        literal(now, Timestamp),
        literal(0),
        rows.c.channel,
        literal(recipient),
        literal("pending"),
    ).where(true())  # SQLite reads "INSERT … SELECT … ON CONFLICT" only with a WHERE before ON
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
    statement = _insert_ignoring_duplicates(conn).from_select(columns, chosen)
    if conn.dialect.name == "postgresql":  # psycopg gives no row count here: count what RETURNING returns
        written = statement.returning(outbox.c.id).cte("written")
        return int(conn.execute(select(func.count()).select_from(written)).scalar_one())
    return int(conn.execute(statement).rowcount)


def pending(conn: Connection, *, kind: str | None = None, subject_id: str | None = None) -> list[Message]:
    """Undelivered messages, oldest due first (optionally of one kind or for one subject)."""
    query = select(outbox).where(outbox.c.status == "pending")
    if kind is not None:
        query = query.where(outbox.c.kind == kind)
    if subject_id is not None:
        query = query.where(outbox.c.subject_id == subject_id)
    return [_message(r) for r in conn.execute(query.order_by(outbox.c.due_at, outbox.c.id))]


def claim(conn: Connection, *, now: datetime, until: datetime, worker: str, limit: int) -> list[Message]:
    """Take up to ``limit`` due pending messages no live lease holds, for ``worker`` until ``until``
    (oldest due first). On PostgreSQL the rows are locked with ``SKIP LOCKED``, so concurrent
    workers take different rows; SQLite has one writer at a time. The caller commits."""
    claimable = and_(
        outbox.c.status == "pending",
        outbox.c.due_at <= now,
        or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
    )
    chosen = select(outbox.c.id).where(claimable).order_by(outbox.c.due_at, outbox.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
        ids = list(conn.execute(chosen).scalars())
        if not ids:
            return []
        statement = update(outbox).where(outbox.c.id.in_(ids))
    else:
        statement = update(outbox).where(outbox.c.id.in_(chosen.scalar_subquery()), claimable)
    rows = conn.execute(statement.values(claimed_until=until, claimed_by=worker).returning(*outbox.c)).all()
    return sorted((_message(r) for r in rows), key=lambda m: (m.due_at, m.id))


def _held(message_ids: Sequence[int], worker: str) -> Any:
    # only the lease holder marks: a worker whose lease ran out and was taken over changes nothing
    return and_(outbox.c.id.in_(message_ids), outbox.c.claimed_by == worker, outbox.c.status == "pending")


def mark_delivered(conn: Connection, ids: Sequence[int], *, worker: str, now: datetime) -> int:
    """Mark messages sent by ``worker`` delivered; how many were (a lost lease marks none)."""
    if not ids:
        return 0
    values = {"status": "delivered", "delivered_at": now, "claimed_until": None, "last_error": None}
    statement = update(outbox).where(_held(ids, worker)).values(attempts=outbox.c.attempts + 1, **values)
    return conn.execute(statement).rowcount


def mark_failed(
    conn: Connection, message_id_: int, *, worker: str, error: str, retry_at: datetime | None, now: datetime
) -> None:
    """Record a failed try with its error code: due again at ``retry_at``, or dead when ``None``."""
    values: dict[str, object] = {
        "attempts": outbox.c.attempts + 1,
        "last_error": error[:64],
        "claimed_until": None,
    }
    if retry_at is None:
        values |= {"status": "dead", "dead_at": now}
    else:
        values["due_at"] = retry_at
    conn.execute(update(outbox).where(_held([message_id_], worker)).values(**values))


def revive(conn: Connection, ids: Sequence[int] | None, *, now: datetime) -> int:
    """Dead messages (all, or these) pending again, due now, with their tries counted afresh."""
    statement = update(outbox).where(outbox.c.status == "dead")
    if ids is not None:
        statement = statement.where(outbox.c.id.in_(ids))
    values = {"status": "pending", "dead_at": None, "due_at": now, "attempts": 0, "claimed_until": None}
    return conn.execute(statement.values(**values)).rowcount


def messages(
    conn: Connection, *, status: str | None = None, kind: str | None = None, limit: int = 100
) -> list[Message]:
    """Messages by status and kind, newest first (what ``jikimi outbox list`` shows)."""
    query = select(outbox)
    if status is not None:
        query = query.where(outbox.c.status == status)
    if kind is not None:
        query = query.where(outbox.c.kind == kind)
    return [_message(r) for r in conn.execute(query.order_by(outbox.c.id.desc()).limit(limit))]


def counts(conn: Connection, *, now: datetime) -> dict[tuple[str, str], int]:
    """``(kind, state)`` → messages, where state is ``delivered``, ``dead``, ``due`` (pending and due
    now) or ``later`` (pending, due later)."""
    state = case(
        (outbox.c.status != "pending", outbox.c.status), (outbox.c.due_at <= now, "due"), else_="later"
    )
    query = select(outbox.c.kind, state.label("state"), func.count()).group_by(outbox.c.kind, "state")
    return {(kind, st): n for kind, st, n in conn.execute(query)}
