"""temporary login locks with back-off, failures per source address, tokens that expire

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:30:00

A lock after failed logins is temporary now (``handlers.locked_until``, growing with
``handlers.lock_level``) and stops new logins only; a token expires (``handlers.token_expires_at``).
Failed logins are also counted per source address (``login_sources``), in the database so every
process sees the same counts. Tokens issued before this revision have no expiry and stop working:
their handlers log in again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("handlers") as batch:
        batch.add_column(sa.Column("locked_until", Timestamp, nullable=True))
        batch.add_column(sa.Column("lock_level", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("token_expires_at", Timestamp, nullable=True))
    op.execute("UPDATE handlers SET token_digest = NULL")  # no expiry known: log in again
    op.create_table(
        "login_sources",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", Timestamp, nullable=False),
        sa.Column("blocked_until", Timestamp, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("login_sources")
    with op.batch_alter_table("handlers") as batch:
        batch.drop_column("token_expires_at")
        batch.drop_column("lock_level")
        batch.drop_column("locked_until")
