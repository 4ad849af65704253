"""PostgreSQL: the access log partitioned by month, so its expiry drops whole months

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:00:00

``access_log`` becomes a table partitioned by range of ``at``: one partition per calendar month in
UTC (``access_log_pYYYYMM``) and a default partition for any instant without its month's, made
here for every month that holds rows and for this month and the next (jikimi makes the later ones:
``store/partitions.py``). A partitioned table's keys must hold its partition key, so the primary
key is ``(seq, at)`` and the unique chain position ``(chain, chain_seq, at)``; ``seq`` keeps its
sequence, so the rows keep their numbers and new rows continue after them. The rows are copied
into the partitioned table in one transaction (stop every jikimi process first); downgrade copies
them back into one table. SQLite is unchanged: one table, as before.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = (
    "seq, chain, chain_seq, at, actor, source, subject_id, items, purpose, action, outcome, reason, "
    "count, prev_hash, hash"
)
BODY = """
    seq BIGINT NOT NULL DEFAULT nextval('access_log_seq_seq'),
    chain VARCHAR(40) NOT NULL,
    chain_seq BIGINT NOT NULL,
    at TIMESTAMP WITH TIME ZONE NOT NULL,
    actor VARCHAR(64) NOT NULL,
    source VARCHAR(64) NOT NULL,
    subject_id VARCHAR(32),
    items TEXT NOT NULL,
    purpose VARCHAR(64),
    action VARCHAR(32) NOT NULL,
    outcome VARCHAR(32) NOT NULL,
    reason TEXT,
    count INTEGER NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL"""


def _month_after(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _partition(year: int, month: int) -> None:
    if not 1 <= year <= 9999 or (year, month) >= (9999, 12):
        return  # past the calendar: the default partition holds it
    after = _month_after(year, month)
    lo = datetime(year, month, 1, tzinfo=UTC).isoformat()
    hi = datetime(after[0], after[1], 1, tzinfo=UTC).isoformat()
    op.execute(
        f"CREATE TABLE access_log_p{year:04d}{month:02d} PARTITION OF access_log "
        f"FOR VALUES FROM ('{lo}') TO ('{hi}')"
    )


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE access_log RENAME TO access_log_unpartitioned")
    op.execute(
        "ALTER TABLE access_log_unpartitioned RENAME CONSTRAINT pk_access_log TO pk_access_log_unpartitioned"
    )
    op.execute(
        "ALTER TABLE access_log_unpartitioned RENAME CONSTRAINT uq_access_log_chain_seq "
        "TO uq_access_log_unpartitioned_chain_seq"
    )
    op.execute("ALTER INDEX ix_access_log_at RENAME TO ix_access_log_unpartitioned_at")
    op.execute("ALTER INDEX ix_access_log_subject RENAME TO ix_access_log_unpartitioned_subject")
    op.execute("ALTER TABLE access_log_unpartitioned ALTER COLUMN seq DROP DEFAULT")
    op.execute("ALTER SEQUENCE access_log_seq_seq OWNED BY NONE")
    op.execute(
        f"CREATE TABLE access_log ({BODY},\n"
        "    CONSTRAINT pk_access_log PRIMARY KEY (seq, at),\n"
        "    CONSTRAINT uq_access_log_chain_seq_at UNIQUE (chain, chain_seq, at)\n"
        ") PARTITION BY RANGE (at)"
    )
    op.execute("ALTER SEQUENCE access_log_seq_seq OWNED BY access_log.seq")
    op.execute("CREATE INDEX ix_access_log_at ON access_log (at)")
    op.execute("CREATE INDEX ix_access_log_subject ON access_log (subject_id)")
    op.execute("CREATE TABLE access_log_default PARTITION OF access_log DEFAULT")
    bind = op.get_bind()
    months = {
        (int(y), int(m))
        for y, m in bind.execute(
            sa.text(
                "SELECT DISTINCT extract(year FROM at AT TIME ZONE 'UTC'), "
                "extract(month FROM at AT TIME ZONE 'UTC') FROM access_log_unpartitioned"
            )
        )
    }
    now = datetime.now(UTC)
    months |= {(now.year, now.month), _month_after(now.year, now.month)}
    for year, month in sorted(months):
        _partition(year, month)
    op.execute(f"INSERT INTO access_log ({COLUMNS}) SELECT {COLUMNS} FROM access_log_unpartitioned")
    op.execute("DROP TABLE access_log_unpartitioned")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE access_log RENAME TO access_log_partitioned")
    op.execute(
        "ALTER TABLE access_log_partitioned RENAME CONSTRAINT pk_access_log TO pk_access_log_partitioned"
    )
    op.execute("ALTER INDEX ix_access_log_at RENAME TO ix_access_log_partitioned_at")
    op.execute("ALTER INDEX ix_access_log_subject RENAME TO ix_access_log_partitioned_subject")
    op.execute("ALTER TABLE access_log_partitioned ALTER COLUMN seq DROP DEFAULT")
    op.execute("ALTER SEQUENCE access_log_seq_seq OWNED BY NONE")
    op.execute(
        f"CREATE TABLE access_log ({BODY},\n"
        "    CONSTRAINT pk_access_log PRIMARY KEY (seq),\n"
        "    CONSTRAINT uq_access_log_chain_seq UNIQUE (chain, chain_seq)\n"
        ")"
    )
    op.execute("ALTER SEQUENCE access_log_seq_seq OWNED BY access_log.seq")
    op.execute(
        f"INSERT INTO access_log ({COLUMNS}) SELECT {COLUMNS} FROM access_log_partitioned ORDER BY seq"
    )
    op.execute("DROP TABLE access_log_partitioned")  # its partitions with it
    op.execute("CREATE INDEX ix_access_log_at ON access_log (at)")
    op.execute("CREATE INDEX ix_access_log_subject ON access_log (subject_id)")
