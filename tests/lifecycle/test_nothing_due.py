"""A sweep with nothing due costs little, also right after a large sweep: before each expiry kind's
walk it asks the expiry index for the earliest expiry, which reads one index entry whatever the
planner's statistics say; the claim itself, planned on statistics from before the sweep, would read
the whole table to find nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from jikimi.store.engine import make_engine
from jikimi.store.migrate import upgrade
from jikimi.store.sweep_queries import first_expired
from jikimi.store.tables import separated_values

from ..databases import fresh_postgres  # noqa: TID252

NOW = datetime(2027, 6, 15, 3, 0, tzinfo=UTC)


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    with fresh_postgres() as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def test_the_look_for_expired_rows_reads_the_expiry_index_even_on_statistics_from_before_a_sweep(
    pg_engine: Engine,
) -> None:
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE separated_values SET (autovacuum_enabled = false)")
        conn.exec_driver_sql(
            "INSERT INTO subjects (id, kind, status, context, is_child, policy_version, created_at, last_activity_at,"  # noqa: E501
            " status_changed_at) SELECT 's' || lpad(g::text, 6, '0'), 'member', 'dormant', 'signup', false, 't',"  # noqa: E501
            " now(), now(), now() FROM generate_series(1, 20000) g"
        )
        conn.exec_driver_sql(
            "INSERT INTO separated_values (subject_id, item_id, ciphertext, key_id, cause, rule_id, start_at,"
            " expires_at, collected_at, context, separated_at) SELECT s.id, i.item, '\\x00'::bytea, s.id,"
            " 'withdrawal', 'r', now(), %(due)s, now(), 'signup', now()"
            " FROM subjects s CROSS JOIN (VALUES ('name'), ('email'), ('mobile')) i(item)",
            {"due": NOW - timedelta(days=1)},
        )
        conn.exec_driver_sql("ANALYZE separated_values")  # the statistics: every row due
        # the sweep: due rows gone, dormant rows (no expiry) in their place; no ANALYZE since
        conn.exec_driver_sql(
            "UPDATE separated_values SET expires_at = NULL, cause = 'dormancy', rule_id = NULL"
        )
    statement = first_expired(separated_values, NOW)
    with pg_engine.connect() as conn:
        assert conn.execute(statement).first() is None
        compiled = statement.compile(dialect=conn.dialect)
        plan = "\n".join(
            row[0] for row in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).all()
        )
    assert "ix_separated_values_expires_at" in plan and "Seq Scan" not in plan, plan


def test_the_look_answers_the_earliest_expiry_on_either_database(engine: Engine) -> None:
    when = datetime(2026, 3, 2, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO subjects (id, kind, status, context, is_child, policy_version, created_at,"
                " last_activity_at, status_changed_at) VALUES ('s1', 'member', 'withdrawn', 'signup',"
                " false, 't', :w, :w, :w)"
            ),
            {"w": when},
        )
        for item, expires in (
            ("a", None),
            ("b", NOW + timedelta(days=1)),
            ("c", NOW - timedelta(days=3)),
            ("d", NOW - timedelta(days=9)),
        ):
            conn.execute(
                separated_values.insert().values(
                    subject_id="s1",
                    item_id=item,
                    ciphertext=b"\0",
                    key_id="s1~k",
                    cause="withdrawal",
                    rule_id="r",
                    start_at=when,
                    expires_at=expires,
                    collected_at=when,
                    context="signup",
                    separated_at=when,
                )
            )
    with engine.connect() as conn:
        earliest = conn.execute(first_expired(separated_values, NOW)).scalar()
        none_yet = conn.execute(first_expired(separated_values, NOW - timedelta(days=10))).first()
    assert earliest is not None and earliest.replace(tzinfo=UTC) == NOW - timedelta(days=9)
    assert none_yet is None
