"""package links: protected links to access packages, sent with the answer to an access request

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 12:00:00

The answer notice of an access request (``rights_answer``, PIPA 35) carries a link to the access
package. ``package_links`` holds one row per link: the request it opens, the SHA-256 digest of its
random token (the token itself is never stored), when it expires (7 days) and how often it was
opened. The subject id is in neither the URL nor this table; the request row names the subject.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "package_links",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(32),
            sa.ForeignKey(
                "rights_requests.id", ondelete="CASCADE", name="fk_package_links_request_id_rights_requests"
            ),
            nullable=False,
        ),
        sa.Column("token_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_opened_at", Timestamp, nullable=True),
        sa.UniqueConstraint("token_digest", name="uq_package_links_token_digest"),
    )
    op.create_index("ix_package_links_request_id", "package_links", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_package_links_request_id", table_name="package_links")
    op.drop_table("package_links")
