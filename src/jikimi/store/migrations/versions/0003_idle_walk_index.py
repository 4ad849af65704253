"""the idle-member index carries the subject id (the sweep's walk on PostgreSQL)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:45:00

``ix_subjects_status_last_activity`` (status, last_activity_at) becomes
``ix_subjects_status_last_activity_id`` (status, last_activity_at, id): the sweep walks idle
members in this order from a position ``(last_activity_at, id)``, which the index now answers
exactly even when many members share one last-activity instant.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_subjects_status_last_activity_id", "subjects", ["status", "last_activity_at", "id"])
    op.drop_index("ix_subjects_status_last_activity", table_name="subjects")


def downgrade() -> None:
    op.create_index("ix_subjects_status_last_activity", "subjects", ["status", "last_activity_at"])
    op.drop_index("ix_subjects_status_last_activity_id", table_name="subjects")
