"""partial indexes on the separated rows still awaiting a retention period

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 14:00:00

Every sweep looks for separated rows whose rule had a placeholder period, to give them an expiry
once the policy states one (lifecycle/sweep.py::_reprice). Without an index on just those rows the
look read every dormant row as well (they have no expiry either): 34 ms per sweep and worker at
210,000 dormant values on PostgreSQL, growing with the dormant store. ``ix_*_awaiting_period``
hold only the rows matching ``tables.AWAITING_PERIOD`` — usually none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# written out, not imported: a migration keeps the predicate it was written with
AWAITING_PERIOD = "expires_at IS NULL AND cause = 'withdrawal'"


def upgrade() -> None:
    for table in ("separated_values", "separated_records"):
        op.create_index(
            f"ix_{table}_awaiting_period",
            table,
            ["rule_id"],
            sqlite_where=sa.text(AWAITING_PERIOD),
            postgresql_where=sa.text(AWAITING_PERIOD),
        )


def downgrade() -> None:
    for table in ("separated_values", "separated_records"):
        op.drop_index(f"ix_{table}_awaiting_period", table_name=table)
