"""Sweep slots (issue 4: more workers must not be slower): at most K processes sweep a PostgreSQL
database at once; the others stand by, holding no transaction, and take over when one finishes or
dies. By default ``jikimi sweep`` gives one slot per CPU when PostgreSQL runs on the same host."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.crypto import KeyRing, MasterKey
from jikimi.lifecycle.sweep import Sweeper
from jikimi.store.engine import make_engine
from jikimi.store.slots import SLOT_LOCK_CLASS, chosen_limit, default_limit

from ..conftest import EXAMPLES
from ..databases import fresh_postgres
from ..policies import cached_policy as load_policy
from .due_set import GONE, NOW, build, key_ids, ledger_totals, shapes, undecryptable
from .sweep_worker import Worker

POLICY = load_policy(EXAMPLES / "reference.yaml")


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_postgres() as url:
        yield url


@pytest.fixture
def pg(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


class Holder:
    """Another session holding sweep slots, as a sweeping process would."""

    def __init__(self, engine: Engine) -> None:
        self.conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def take(self, slot: int) -> bool:
        return bool(self.conn.execute(select(func.pg_try_advisory_lock(SLOT_LOCK_CLASS, slot))).scalar())

    def free(self, slot: int) -> None:
        assert self.conn.execute(select(func.pg_advisory_unlock(SLOT_LOCK_CLASS, slot))).scalar()

    def close(self) -> None:
        self.conn.close()


def sweep_in_thread(
    sweeper: Sweeper, **kwargs: Any
) -> tuple[threading.Thread, dict[str, Any], threading.Event]:
    result: dict[str, Any] = {}
    waiting = threading.Event()

    def sweep() -> None:
        result["report"] = sweeper.run(NOW, on_wait=waiting.set, **kwargs)

    thread = threading.Thread(target=sweep, daemon=True)
    thread.start()
    return thread, result, waiting


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:5432/jikimi", 2),
        ("postgresql+psycopg://postgres@localhost/jikimi", 2),
        ("postgresql+psycopg://postgres@[::1]:5432/jikimi", 2),
        ("postgresql+psycopg:///jikimi", 2),  # the default Unix socket
        ("postgresql+psycopg://postgres@/jikimi?host=/var/run/postgresql", 2),
        ("postgresql+psycopg://postgres@db.internal:5432/jikimi", None),
        ("postgresql+psycopg://postgres@/jikimi?host=/var/run/postgresql&host=db.internal", None),
        ("sqlite:///var/jikimi.db", None),
    ],
)
def test_one_sweeper_per_cpu_when_postgresql_runs_on_this_host(url: str, limit: int | None) -> None:
    assert default_limit(make_url(url), cpus=2) == limit


def test_max_active_zero_lifts_the_limit_and_an_explicit_one_overrides_the_default() -> None:
    local = make_url("postgresql+psycopg://postgres@127.0.0.1/jikimi")
    assert chosen_limit(None, local, cpus=2) == 2
    assert chosen_limit(0, local, cpus=2) is None
    assert chosen_limit(8, local, cpus=2) == 8


def sweeper(jikimi: Jikimi, *, batch_size: int, max_active: int) -> Sweeper:
    return Sweeper(jikimi.core, jikimi.lifecycle, batch_size=batch_size, max_active=max_active)


def test_a_limit_below_one_is_refused(pg: Engine) -> None:
    jikimi = build_jikimi(policy=POLICY, engine=pg, keys=KeyRing(MasterKey.generate()))
    with pytest.raises(ValueError, match="at least 1"):
        jikimi.lifecycle.sweep(NOW, max_active=0)


def test_a_single_slot_sweeps_everything_on_either_database(engine: Engine) -> None:
    """SQLite needs no slots (one writer); on PostgreSQL one slot is one sweeper, not a deadlock."""
    ring = KeyRing(MasterKey.generate())
    due = build(engine, POLICY, ring, per_case=5)
    report = build_jikimi(policy=POLICY, engine=engine, keys=ring).lifecycle.sweep(
        NOW, batch_size=7, max_active=1
    )
    assert report.subjects == due.due
    with engine.connect() as conn:
        assert ledger_totals(conn) == due.destroyed_total()


def test_a_sweep_stands_by_while_every_slot_is_taken_and_sweeps_once_one_frees(pg: Engine) -> None:
    ring = KeyRing(MasterKey.generate())
    due = build(pg, POLICY, ring, per_case=10)
    holder = Holder(pg)
    try:
        assert holder.take(0) and holder.take(1)
        thread, result, waiting = sweep_in_thread(
            sweeper(build_jikimi(policy=POLICY, engine=pg, keys=ring), batch_size=20, max_active=2)
        )
        assert waiting.wait(10), "the sweep should report that it stands by"
        time.sleep(0.3)
        with pg.connect() as conn:
            assert ledger_totals(conn) == Counter(), "nothing is swept while every slot is taken"
        assert thread.is_alive()
        holder.free(1)
        thread.join(60)
        assert not thread.is_alive(), "the sweep should start once a slot frees"
    finally:
        holder.close()
    assert result["report"].subjects == due.due
    with pg.connect() as conn:
        assert ledger_totals(conn) == due.destroyed_total()


def test_the_slot_is_free_again_after_a_sweep_that_failed(pg: Engine) -> None:
    ring = KeyRing(MasterKey.generate())
    build(pg, POLICY, ring, per_case=3)

    def fail(kind: str, count: int) -> None:
        raise RuntimeError("the progress display broke")

    with pytest.raises(RuntimeError):
        sweeper(build_jikimi(policy=POLICY, engine=pg, keys=ring), batch_size=5, max_active=1).run(
            NOW, progress=fail
        )
    holder = Holder(pg)
    try:
        assert holder.take(0), "a failed sweep must not keep its slot"
    finally:
        holder.close()


def test_a_standby_takes_over_when_the_sweeping_process_is_killed(
    pg: Engine, pg_url: str, tmp_path: Path
) -> None:
    ring = KeyRing(MasterKey.generate())
    key_file = tmp_path / "master.key"
    ring.write(key_file)
    due = build(pg, POLICY, ring, per_case=60)  # 540 subjects, 360 due: 36 batches of 10
    runner = Worker(pg_url, key_file, NOW, batch=10, max_active=1)
    try:
        runner.wait_ready()
        runner.go()
        assert runner.wait_batches(3), "the first process should still be sweeping"
        thread, result, waiting = sweep_in_thread(
            sweeper(build_jikimi(policy=POLICY, engine=pg, keys=ring), batch_size=10, max_active=1)
        )
        assert waiting.wait(10), "with one slot, the second process stands by"
        assert runner.kill(), "the first process was killed in the middle of its sweep"
    finally:
        runner.close()
    thread.join(120)
    assert not thread.is_alive(), "the standby should take the freed slot and finish"
    taken_over = result["report"].subjects
    assert taken_over and taken_over < due.due, (
        "the killed process did part of the work, the standby the rest"
    )
    with pg.connect() as conn:
        assert shapes(conn) == {sid: s for sid, s in due.after.items() if s != GONE}, "something due survived"
        assert key_ids(conn) == due.keys_after
        assert undecryptable(conn, ring) == []
        assert ledger_totals(conn) == due.destroyed_total()
