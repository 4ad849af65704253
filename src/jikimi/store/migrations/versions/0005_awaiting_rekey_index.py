"""partial indexes on the separated rows still sealed under the everyday key

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 12:00:00

A withdrawal (or a deletion a retention rule keeps) moves the kept rows to the separated store in
the caller's own transaction, still sealed under the subject's everyday key; right after the commit
they are re-sealed under the key of their retention group (lifecycle/separation.py::rekey). A crash
in between leaves rows waiting for that step; the sweep finds them through these indexes, which hold
only the rows matching ``tables.AWAITING_REKEY`` — usually none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# written out, not imported: a migration keeps the predicate it was written with
AWAITING_REKEY = "cause = 'withdrawal' AND key_id = subject_id"


def upgrade() -> None:
    for table in ("separated_values", "separated_records"):
        op.create_index(
            f"ix_{table}_awaiting_rekey",
            table,
            ["subject_id"],
            sqlite_where=sa.text(AWAITING_REKEY),
            postgresql_where=sa.text(AWAITING_REKEY),
        )


def downgrade() -> None:
    for table in ("separated_values", "separated_records"):
        op.drop_index(f"ix_{table}_awaiting_rekey", table_name=table)
