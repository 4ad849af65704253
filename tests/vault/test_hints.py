"""Planner hints keep batch statements on the indexes they need (store/hints.py).

Without them a sweep is quadratic: SQLite took ``id IN (…) AND status = …`` to the status index
(every withdrawn subject, once per batch), which made 1,000,000 subjects take 855 s instead of 139 s.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from jikimi.store.engine import make_engine
from jikimi.store.hints import among, unindexed
from jikimi.store.migrate import upgrade
from jikimi.store.tables import subjects

WHEN = datetime(2026, 3, 2, tzinfo=UTC)


def _add_subjects(engine: Engine, count: int, status: str = "withdrawn") -> list[str]:
    ids = [f"s{i:05d}" for i in range(count)]
    with engine.begin() as conn:
        conn.execute(insert(subjects), [
            {"id": sid, "kind": "member", "status": status, "context": "signup", "is_child": False,
             "policy_version": "t", "created_at": WHEN, "last_activity_at": WHEN - timedelta(days=i),
             "status_changed_at": WHEN} for i, sid in enumerate(ids)])
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
        updated = conn.execute(update(subjects).where(among(subjects.c.id, ids[:4]),
                                                      unindexed(subjects.c.status) == "withdrawn")
                               .values(status="dormant")).rowcount
        deleted = conn.execute(delete(subjects).where(among(subjects.c.id, ids),
                                                      unindexed(subjects.c.status) == "dormant")).rowcount
    assert (updated, deleted) == (4, 4)
    with engine.connect() as conn:
        assert conn.execute(select(subjects.c.id).order_by(subjects.c.id)).scalars().all() == ids[4:]


def test_batch_removal_on_sqlite_looks_up_primary_keys_not_every_withdrawn_subject(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/plan.db")
    upgrade(engine)
    statement = delete(subjects).where(among(subjects.c.id, ["a", "b"]), unindexed(subjects.c.status) == "withdrawn")
    plain = delete(subjects).where(subjects.c.id.in_(["a", "b"]), subjects.c.status == "withdrawn")
    with engine.connect() as conn:
        def plan(stmt: Any) -> str:
            compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            values = [compiled.params[name] for name in compiled.positiontup]
            bound = tuple(json.dumps(v) if isinstance(v, list) else v for v in values)  # as _IdList binds them
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), bound).all()
            return " | ".join(str(r[-1]) for r in rows)

        hinted, unhinted = plan(statement), plan(plain)
    engine.dispose()
    assert "(id=?)" in hinted and "status" not in hinted
    # the reason for the hint: left alone, SQLite picks the status index
    assert "ix_subjects_status_last_activity_id (status=?)" in unhinted
