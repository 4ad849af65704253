"""reaching people: outbox delivery state, consent reconfirmation, postings, incidents, complaints

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 17:30:00

The outbox gains what delivery needs (``notices/delivery.py``): the channel and recipient of each
message, its status (pending, delivered, dead), a worker's lease (``claimed_until``, ``claimed_by``)
and the last error as a code. Rows queued before this revision are pending, to the subject, on the
channel their kind names. A consent gains ``confirmed_at``: the last reconfirmation of an
advertising consent (정보통신망법 50⑧, every 2 years). New tables: ``postings`` (notices posted on
the website: policy changes, breaches without contacts), ``incidents`` and ``incident_subjects``
(breach response, PIPA 34), ``complaints`` (의견수렴 및 불만처리).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=True))
        batch.add_column(sa.Column("recipient", sa.String(16), nullable=False, server_default="subject"))
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("claimed_until", Timestamp, nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(64), nullable=True))
        batch.add_column(sa.Column("dead_at", Timestamp, nullable=True))
    op.execute("UPDATE outbox SET status = 'delivered' WHERE delivered_at IS NOT NULL")
    op.execute("UPDATE outbox SET recipient = 'third_party' WHERE kind = 'correction_notice'")
    op.create_index("ix_outbox_status_due_at", "outbox", ["status", "due_at"])
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("confirmed_at", Timestamp, nullable=True))
    op.create_table(
        "postings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("posted_at", Timestamp, nullable=False),
        sa.Column("until_at", Timestamp, nullable=True),
        sa.UniqueConstraint("kind", "ref", name="uq_postings_kind_ref"),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("cause", sa.String(24), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("aware_at", Timestamp, nullable=False),
        sa.Column("occurred_at", Timestamp, nullable=True),
        sa.Column("opened_at", Timestamp, nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("reported_at", Timestamp, nullable=True),
        sa.Column("reported_to", sa.String(16), nullable=True),
        sa.Column("notified_at", Timestamp, nullable=True),
        sa.Column("posted_at", Timestamp, nullable=True),
        sa.Column("closed_at", Timestamp, nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_incidents_status_aware_at", "incidents", ["status", "aware_at"])
    op.create_table(
        "incident_subjects",
        sa.Column(
            "incident_id",
            sa.String(32),
            sa.ForeignKey(
                "incidents.id", ondelete="CASCADE", name="fk_incident_subjects_incident_id_incidents"
            ),
            primary_key=True,
        ),
        sa.Column("subject_id", sa.String(32), primary_key=True),
        sa.Column("added_at", Timestamp, nullable=False),
        sa.Column("notified_at", Timestamp, nullable=True),
        sa.Column("contact", sa.String(16), nullable=True),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=True),
        sa.Column("topic", sa.String(48), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.Column("due_at", Timestamp, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answered_at", Timestamp, nullable=True),
        sa.Column("answered_by", sa.String(64), nullable=True),
        sa.Column("answer", sa.LargeBinary(), nullable=True),
        sa.Column("received_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_complaints_status_due_at", "complaints", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_complaints_status_due_at", table_name="complaints")
    op.drop_table("complaints")
    op.drop_table("incident_subjects")
    op.drop_index("ix_incidents_status_aware_at", table_name="incidents")
    op.drop_table("incidents")
    op.drop_table("postings")
    with op.batch_alter_table("consents") as batch:
        batch.drop_column("confirmed_at")
    op.drop_index("ix_outbox_status_due_at", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for column in (
            "dead_at",
            "last_error",
            "claimed_by",
            "claimed_until",
            "status",
            "recipient",
            "channel",
        ):
            batch.drop_column(column)
