"""The outbox (SQL): messages jikimi owes a subject or a recipient, written in the same transaction as
the change that owes them (a dormancy notice, a correction notice to an earlier recipient).

Delivery (email, SMS, letters) belongs to a separate worker; here a message is only a row with
a due time. Each message has a ``dedupe_key`` so that re-running a sweep or retrying a request
never queues the same message twice. Payloads hold ids, dates and codes — never personal values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jikimi.store.tables import outbox


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


def pending(conn: Connection, *, kind: str | None = None, subject_id: str | None = None) -> list[Message]:
    """Undelivered messages, oldest due first (optionally of one kind or for one subject)."""
    query = select(outbox).where(outbox.c.delivered_at.is_(None))
    if kind is not None:
        query = query.where(outbox.c.kind == kind)
    if subject_id is not None:
        query = query.where(outbox.c.subject_id == subject_id)
    return [
        Message(
            r.id,
            r.kind,
            r.subject_id,
            r.dedupe_key,
            json.loads(r.payload),
            r.due_at,
            r.created_at,
            r.delivered_at,
        )
        for r in conn.execute(query.order_by(outbox.c.due_at, outbox.c.id))
    ]
