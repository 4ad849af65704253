"""incident measures: what the controller did about a breach, as codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00

A breach notice must say what the controller did about it (PIPA 34①4: 대응조치). ``incidents``
gains ``measures``: a JSON list of measure codes (``access_blocked``, ``vulnerability_fixed``, …,
``notices.incident_rules.MEASURES``), never free text, so the notices queued in the outbox can carry
them as codes and the wording says them in Korean and English. Incidents opened before this
revision have none (``NULL``, read as an empty list).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("measures", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("measures")
