"""The tables of integrating with the service's own code (issue 17): the service events jikimi owes
the service, and the answers to state-changing calls kept for their idempotency keys.

Neither holds a personal value in the clear: an event holds ids, a type and dates; a kept answer is
sealed under a key derived from the master key, and the client's key is kept only as a digest.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, Table, Text, text

from jikimi.store.tables import Timestamp, metadata

PENDING = "status = 'pending'"

events = Table(
    "events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_id", String(32), nullable=False, unique=True),  # evt_… from the change's dedupe key
    Column("type", String(40), nullable=False),  # subject.withdrawn | subject.destroyed | …
    Column("subject_id", String(32), nullable=True),  # no FK: the event outlives the subject
    Column("data", Text, nullable=False),  # JSON of ids, dates and codes — never personal values
    Column("occurred_at", Timestamp, nullable=False),
    # the order the service sees: given after commit, under a lock, so it only ever grows
    Column("position", BigInteger, nullable=True, unique=True),
    # delivery to the service's endpoint (JIKIMI_EVENTS_URL), as the outbox's
    Column("status", String(16), nullable=False, server_default="pending"),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("due_at", Timestamp, nullable=False),
    Column("claimed_until", Timestamp, nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("last_error", String(64), nullable=True),
    Column("delivered_at", Timestamp, nullable=True),
    Index("ix_events_status_due_at", "status", "due_at"),
    Index("ix_events_subject_position", "subject_id", "position"),
    Index("ix_events_unsequenced", "position", "id"),
    # what delivery walks: the pending events in order, and a subject's earlier pending one; partial,
    # so they stay as small as the backlog and the plan does not hang on the table's statistics
    Index("ix_events_pending", "position", sqlite_where=text(PENDING), postgresql_where=text(PENDING)),
    Index(
        "ix_events_pending_subject",
        "subject_id",
        "position",
        sqlite_where=text(PENDING),
        postgresql_where=text(PENDING),
    ),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),  # who called: the handler's id
    Column("key_digest", String(64), primary_key=True),  # SHA-256 of the Idempotency-Key header
    Column("operation", String(64), nullable=False),  # the operation id and its path parameters' digest
    Column("request_digest", String(64), nullable=False),  # SHA-256 of the request body
    Column("status", String(16), nullable=False),  # running | done
    Column("locked_until", Timestamp, nullable=True),  # a running call's claim; after it, a repeat may run
    Column("response_status", Integer, nullable=True),
    Column("response_body", LargeBinary, nullable=True),  # sealed under the derived "idempotency" key
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),  # 24 hours after the first call
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)
