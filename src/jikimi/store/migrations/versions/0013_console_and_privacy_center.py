"""the console and the privacy center: second factors, sessions, passes, 소명 requests, ledger sign-offs

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:00:00

``handler_factors`` holds each handler's TOTP secret, sealed under a key derived from the master key,
and the last time step used (a code is good once). ``web_sessions`` holds the console's and the
privacy center's sessions by a keyed digest of the cookie, with their idle and absolute ends.
``privacy_passes`` holds the ways into the privacy center: a short-lived link the service issues
and a one-time code sent by e-mail or text, both as digests. ``justifications`` is the 소명
workflow of the access-log review; ``ledger_signoffs`` the officer's signature under a month's
destruction ledger.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handler_factors",
        sa.Column("handler_id", sa.String(32), sa.ForeignKey("handlers.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="totp"),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("enrolled_at", Timestamp, nullable=False),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("handler_id", name="pk_handler_factors"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("face", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("handler_id", sa.String(32), nullable=True),
        sa.Column("subject_id", sa.String(32), nullable=True),
        sa.Column("acting_as", sa.String(16), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("seen_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("ended_at", Timestamp, nullable=True),
        sa.Column("ended_why", sa.String(16), nullable=True),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("digest", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])
    op.create_index("ix_web_sessions_handler_id", "web_sessions", ["handler_id"])
    op.create_table(
        "privacy_passes",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("acting_as", sa.String(16), nullable=False),
        sa.Column("code_digest", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("issued_by", sa.String(32), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("digest", name="pk_privacy_passes"),
    )
    op.create_index("ix_privacy_passes_expires_at", "privacy_passes", ["expires_at"])
    op.create_table(
        "justifications",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("handler_id", sa.String(32), sa.ForeignKey("handlers.id"), nullable=False),
        sa.Column("alert", sa.String(32), nullable=False),
        sa.Column("alert_day", sa.String(10), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(32), sa.ForeignKey("handlers.id"), nullable=False),
        sa.Column("asked_at", Timestamp, nullable=False),
        sa.Column("due_at", Timestamp, nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", Timestamp, nullable=True),
        sa.Column("closed_by", sa.String(32), sa.ForeignKey("handlers.id"), nullable=True),
        sa.Column("closed_at", Timestamp, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_justifications"),
    )
    op.create_index("ix_justifications_month", "justifications", ["month"])
    op.create_index("ix_justifications_handler_id", "justifications", ["handler_id"])
    op.create_table(
        "ledger_signoffs",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("signed_by", sa.String(32), sa.ForeignKey("handlers.id"), nullable=False),
        sa.Column("signed_at", Timestamp, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("month", name="pk_ledger_signoffs"),
    )


def downgrade() -> None:
    op.drop_table("ledger_signoffs")
    op.drop_index("ix_justifications_handler_id", table_name="justifications")
    op.drop_index("ix_justifications_month", table_name="justifications")
    op.drop_table("justifications")
    op.drop_index("ix_privacy_passes_expires_at", table_name="privacy_passes")
    op.drop_table("privacy_passes")
    op.drop_index("ix_web_sessions_handler_id", table_name="web_sessions")
    op.drop_index("ix_web_sessions_expires_at", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("handler_factors")
