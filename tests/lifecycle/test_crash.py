"""Crash safety of the sweep (issue 4): a sweeping process killed with SIGKILL at 20 random points
of a large sweep leaves no subject half-processed, destroys nothing retained early, and once the
sweep is re-run to completion nothing due survives and the destruction ledger counts exactly what
was destroyed — on a SQLite file and on PostgreSQL.

The sweep runs in a child process (``sweep_worker.py``). Each kill waits for a random number (0–3)
of committed batches and then a random delay of up to two batches' time, so the signal lands
anywhere: while claiming, inside a batch's transaction, between its commit and the destruction of
its keys, or in the orphan-key clean-up. After every kill the database is checked against the
expectation written from the set-up (``due_set.py``), not against the engine's own view.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from sqlalchemy import Engine, text

from jikimi.audit.log import verify
from jikimi.bootstrap import build_jikimi
from jikimi.crypto import KeyRing, MasterKey

from ..conftest import EXAMPLES
from ..policies import cached_policy as load_policy
from .due_set import GONE, NOW, DueSet, build, key_ids, ledger_totals, shapes, undecryptable
from .sweep_worker import Worker

KILLS = 20
BATCH = 15
PER_CASE = 300  # 2,700 subjects, 1,800 of them due: about 120 batches, more than 20 kills can get through
SEED = int(os.environ.get("JIKIMI_CRASH_SEED", random.SystemRandom().randrange(10**6)))


def wait_for_dead_sessions(engine: Engine, timeout: float = 20) -> None:
    """PostgreSQL: wait until no killed process's session is still in a transaction (it rolls back as the
    server notices the closed socket; until then its rows stay locked and SKIP LOCKED passes them by)."""
    if engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while True:
            busy = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                )
            ).scalar()
            conn.rollback()
            if not busy:
                return
            assert time.monotonic() < deadline, f"{busy} killed sessions still hold transactions"
            time.sleep(0.05)


def assert_whole_subjects(engine: Engine, due: DueSet, when: str) -> set[str]:
    """Every subject is exactly as before the sweep or exactly as after it; keys are destroyed only after
    their data and never when retained; the ledger counts what the processed subjects lost. Returns the
    due subjects already processed."""
    with engine.connect() as conn:
        found = shapes(conn)
        ledger = ledger_totals(conn)
        keys = key_ids(conn)
    assert set(found) <= set(due.case), f"{when}: rows of unknown subjects"
    processed: list[str] = []
    keys_of: dict[str, set[str]] = {}
    for key_id in due.keys_before:
        keys_of.setdefault(key_id.split("~")[0], set()).add(key_id)
    for sid, case in due.case.items():
        shape = found.get(sid, GONE)
        if shape == due.after[sid]:
            processed.append(sid)
        else:
            assert shape == due.before[sid], f"{when}: {case} subject {sid} is half-processed: {shape}"
            missing = keys_of.get(sid, set()) - keys
            assert not missing, f"{when}: keys of unprocessed {case} subject {sid} destroyed: {missing}"
    assert due.keys_after <= keys, (
        f"{when}: retained keys destroyed early: {sorted(due.keys_after - keys)[:5]}"
    )
    assert keys <= due.keys_before
    assert ledger == due.destroyed_total(processed), f"{when}: the ledger does not match what was destroyed"
    return {sid for sid in processed if due.after[sid] != due.before[sid]}


def test_sweep_killed_at_20_random_points_leaves_no_subject_half_processed(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    rnd = random.Random(SEED)
    policy = load_policy(EXAMPLES / "reference.yaml")
    ring = KeyRing(MasterKey.generate())
    key_file = tmp_path / "master.key"
    ring.write(key_file)
    due = build(engine, policy, ring, per_case=PER_CASE)
    assert assert_whole_subjects(engine, due, "before any sweep") == set()

    interrupted: list[
        tuple[int, set[str]]
    ] = []  # (batches the killed process committed, subjects done so far)
    spare: Worker | None = Worker(db_url, key_file, NOW, batch=BATCH)
    try:
        for kill in range(KILLS):
            assert spare is not None
            worker, spare = spare, None
            worker.wait_ready()
            started = time.monotonic()
            worker.go()
            spare = Worker(db_url, key_file, NOW, batch=BATCH)  # warms up (imports) while this one sweeps
            wanted = rnd.randint(0, 3)
            reached = worker.wait_batches(wanted)
            per_batch = (time.monotonic() - started) / max(worker.batches, 1)
            time.sleep(rnd.uniform(0, 2 * min(per_batch, 0.25)) if reached else 0)
            assert worker.kill(), f"kill {kill + 1} (seed {SEED}) came after the sweep had finished"
            wait_for_dead_sessions(engine)
            interrupted.append(
                (worker.batches, assert_whole_subjects(engine, due, f"after kill {kill + 1} (seed {SEED})"))
            )
    finally:
        if spare is not None:
            spare.close()

    assert len(interrupted) == KILLS
    done_before = interrupted[-1][1]
    assert 0 < len(done_before) < len(due.due), "the kills should land in the middle of the sweep"
    assert len({frozenset(done) for _, done in interrupted}) > KILLS // 2, (
        "most kills should come after some progress"
    )

    jikimi = build_jikimi(policy=policy, engine=engine, keys=ring)
    report = jikimi.lifecycle.sweep(NOW, batch_size=BATCH)
    assert report.subjects == due.due - done_before, (
        "the re-run does exactly the work left, each subject once"
    )
    assert assert_whole_subjects(engine, due, "after completion") == due.due
    with engine.connect() as conn:
        assert shapes(conn) == {sid: s for sid, s in due.after.items() if s != GONE}, "something due survived"
        assert key_ids(conn) == due.keys_after
        assert undecryptable(conn, ring) == [], "retained data no longer opens"
        assert ledger_totals(conn) == due.destroyed_total()
        assert verify(conn).ok, "the access log's chains are broken"
    assert jikimi.lifecycle.count_due(NOW) == dict.fromkeys(jikimi.lifecycle.count_due(NOW), 0)
    assert jikimi.lifecycle.sweep(NOW, batch_size=BATCH).subjects == set(), (
        "a second sweep finds nothing to do"
    )
