"""advertising consents: an index for the reconfirmation due before a moment

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:00:00

The sweep asks which live advertising consents (``ad_channel``, ``ad_night``) were given or last
reconfirmed before a moment (정보통신망법 50⑧, 시행령 62-3: every 2 years). The index on
``(target_kind, withdrawn_at, confirmed_at, at)`` answers that through a range read for each kind —
never confirmed and given before it, or confirmed before it — so a sweep with nothing due reads an
index entry or two, not the consent history.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_consents_kind_anchor", "consents", ["target_kind", "withdrawn_at", "confirmed_at", "at"]
    )


def downgrade() -> None:
    op.drop_index("ix_consents_kind_anchor", table_name="consents")
