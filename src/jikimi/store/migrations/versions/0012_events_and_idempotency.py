"""service events and idempotency keys: what jikimi tells the service, and answers kept for repeats

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 20:00:00

``events`` holds the service events (``subject.withdrawn``, ``subject.destroyed``, ``consent.changed``,
…), written in the transaction of the change they report: ids, a type and dates, never a personal
value. ``position`` is given after commit, under a lock, so a service that pulls
(``GET /v1/events?after=``) never skips an event committed late; the delivery columns are the
outbox's (a lease, tries, the last error code).

``idempotency_keys`` keeps, for 24 hours, the answer to each state-changing call made with an
``Idempotency-Key``: the key only as a digest, the answer sealed under a key derived from the master
key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("occurred_at", Timestamp, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("due_at", Timestamp, nullable=False),
        sa.Column("claimed_until", Timestamp, nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("delivered_at", Timestamp, nullable=True),
        sa.UniqueConstraint("event_id", name="uq_events_event_id"),
        sa.UniqueConstraint("position", name="uq_events_position"),
    )
    op.create_index("ix_events_status_due_at", "events", ["status", "due_at"])
    op.create_index("ix_events_subject_position", "events", ["subject_id", "position"])
    op.create_index("ix_events_unsequenced", "events", ["position", "id"])
    pending = sa.text("status = 'pending'")
    op.create_index(
        "ix_events_pending", "events", ["position"], sqlite_where=pending, postgresql_where=pending
    )
    op.create_index(
        "ix_events_pending_subject",
        "events",
        ["subject_id", "position"],
        sqlite_where=pending,
        postgresql_where=pending,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("locked_until", Timestamp, nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key_digest", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_events_pending_subject", table_name="events")
    op.drop_index("ix_events_pending", table_name="events")
    op.drop_index("ix_events_unsequenced", table_name="events")
    op.drop_index("ix_events_subject_position", table_name="events")
    op.drop_index("ix_events_status_due_at", table_name="events")
    op.drop_table("events")
