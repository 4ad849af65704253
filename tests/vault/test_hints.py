"""Planner hints keep batch statements on the indexes they need (store/hints.py).

Without them a sweep is quadratic: SQLite took ``id IN (…) AND status = …`` to the status index
(every withdrawn subject, once per batch), which made 1,000,000 subjects take 855 s instead of 139 s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, update

from jikimi.store.engine import make_engine
from jikimi.store.hints import among, unindexed
from jikimi.store.migrate import upgrade
from jikimi.store.tables import item_values, subjects

from ..databases import fresh_postgres  # noqa: TID252

WHEN = datetime(2026, 3, 2, tzinfo=UTC)


def _add_subjects(engine: Engine, count: int, status: str = "withdrawn") -> list[str]:
    ids = [f"s{i:05d}" for i in range(count)]
    with engine.begin() as conn:
        conn.execute(
            insert(subjects),
            [
                {
                    "id": sid,
                    "kind": "member",
                    "status": status,
                    "context": "signup",
                    "is_child": False,
                    "policy_version": "t",
                    "created_at": WHEN,
                    "last_activity_at": WHEN - timedelta(days=i),
                    "status_changed_at": WHEN,
                }
                for i, sid in enumerate(ids)
            ],
        )
    return ids


def test_among_finds_exactly_the_rows_in_the_list(engine: Engine) -> None:
    ids = _add_subjects(engine, 30)
    wanted = ids[3:9] + ["nobody", "s99999"]
    with engine.connect() as conn:
        found = conn.execute(select(subjects.c.id).where(among(subjects.c.id, wanted))).scalars().all()
        none = conn.execute(select(subjects.c.id).where(among(subjects.c.id, []))).scalars().all()
    assert sorted(found) == ids[3:9]
    assert none == []


def test_among_and_unindexed_work_in_deletes_and_updates(engine: Engine) -> None:
    ids = _add_subjects(engine, 10)
    with engine.begin() as conn:
        updated = conn.execute(
            update(subjects)
            .where(among(subjects.c.id, ids[:4]), unindexed(subjects.c.status) == "withdrawn")
            .values(status="dormant")
        ).rowcount
        deleted = conn.execute(
            delete(subjects).where(among(subjects.c.id, ids), unindexed(subjects.c.status) == "dormant")
        ).rowcount
    assert (updated, deleted) == (4, 4)
    with engine.connect() as conn:
        assert conn.execute(select(subjects.c.id).order_by(subjects.c.id)).scalars().all() == ids[4:]


def test_batch_removal_on_sqlite_looks_up_primary_keys_not_every_withdrawn_subject(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/plan.db")
    upgrade(engine)
    statement = delete(subjects).where(
        among(subjects.c.id, ["a", "b"]), unindexed(subjects.c.status) == "withdrawn"
    )
    plain = delete(subjects).where(subjects.c.id.in_(["a", "b"]), subjects.c.status == "withdrawn")
    with engine.connect() as conn:

        def plan(stmt: Any) -> str:
            compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            values = [compiled.params[name] for name in compiled.positiontup]
            bound = tuple(
                json.dumps(v) if isinstance(v, list) else v for v in values
            )  # as _IdList binds them
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), bound).all()
            return " | ".join(str(r[-1]) for r in rows)

        hinted, unhinted = plan(statement), plan(plain)
    engine.dispose()
    assert "(id=?)" in hinted and "status" not in hinted
    # the reason for the hint: left alone, SQLite picks the status index
    assert "ix_subjects_status_last_activity_id (status=?)" in unhinted


def test_among_with_a_span_finds_the_same_rows(engine: Engine) -> None:
    ids = _add_subjects(engine, 40)
    with engine.connect() as conn:
        batch = (
            conn.execute(
                select(subjects.c.id).where(subjects.c.id >= ids[10]).order_by(subjects.c.id).limit(12)
            )
            .scalars()
            .all()
        )  # a batch as a keyset walk claims it: in id order
        span = (batch[0], batch[-1])
        with_span = (
            conn.execute(select(subjects.c.id).where(among(subjects.c.id, batch[::2], span))).scalars().all()
        )
        without = conn.execute(select(subjects.c.id).where(among(subjects.c.id, batch[::2]))).scalars().all()
    assert sorted(with_span) == sorted(without) == sorted(batch[::2])


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    with fresh_postgres() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_a_batch_in_id_order_reads_an_index_range_on_postgresql(pg_engine: Engine) -> None:
    """500 look-ups priced at ``random_page_cost`` lose to a sequential scan of a 60,000-row table;
    the batch's span shows the planner a narrow range of the primary key instead."""
    with pg_engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO subjects (id, kind, status, context, is_child, policy_version, created_at, last_activity_at,"  # noqa: E501
            " status_changed_at) SELECT 's' || lpad(g::text, 6, '0'), 'member', 'active', 'signup', false, 't',"  # noqa: E501
            " now(), now(), now() FROM generate_series(1, 20000) g"
        )
        conn.exec_driver_sql(
            "INSERT INTO item_values (subject_id, item_id, ciphertext, context, collected_at, hold)"
            " SELECT s.id, i.item, '\\x00'::bytea, 'signup', now() - interval '400 days', false"
            " FROM subjects s CROSS JOIN (VALUES ('name'), ('email'), ('mobile')) i(item)"
        )
        conn.exec_driver_sql("ANALYZE subjects")
        conn.exec_driver_sql("ANALYZE item_values")
    batch = [f"s{g:06d}" for g in range(7001, 7501)]
    statement = delete(item_values).where(
        among(item_values.c.subject_id, batch, (batch[0], batch[-1])), item_values.c.collected_at < WHEN
    )
    with pg_engine.connect() as conn:
        compiled = statement.compile(dialect=conn.dialect)
        plan = "\n".join(
            row[0] for row in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).all()
        )
    assert "Index" in plan and "pk_item_values" in plan and "Seq Scan" not in plan, plan
