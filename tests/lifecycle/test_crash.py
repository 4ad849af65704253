"""Crash safety of the sweep (issue 4): a sweeping process killed with SIGKILL at 20 random points
of a large sweep leaves no subject half-processed, destroys nothing retained early, and once the
sweep is re-run to completion nothing due survives and the destruction ledger counts exactly what
was destroyed — on a SQLite file and on PostgreSQL.

The sweep runs in a forked child (``tests/crashes.py``) that SIGKILLs itself just before its N-th
database statement, N drawn from a seeded generator over the first three batches' worth of
statements, so the signal lands anywhere — while claiming, inside a batch's transaction, at its
commit, between its commit and the destruction of its keys — and lands there on any machine at any
speed. The seed is printed with every failure and set with ``JIKIMI_CRASH_SEED``. After every kill
the database is checked against the expectation written from the set-up (``due_set.py``), not
against the engine's own view.
"""

from __future__ import annotations

import os
import random
import time

from sqlalchemy import Engine, text

from jikimi.audit.log import verify
from jikimi.bootstrap import build_jikimi
from jikimi.crypto import KeyRing, MasterKey

from ..conftest import EXAMPLES
from ..crashes import run
from ..policies import cached_policy as load_policy
from .due_set import GONE, NOW, DueSet, build, key_ids, ledger_totals, shapes, undecryptable

KILLS = 20
BATCH = 15
PER_CASE = 300  # 2,700 subjects, 1,800 of them due: about 120 batches, more than 20 kills can get through
SEED = int(os.environ.get("JIKIMI_CRASH_SEED", "20261203"))
STATEMENTS = {"sqlite": 3 * 160, "postgresql": 3 * 24}
"""About three batches' statements, counted as the driver sees them (SQLite's trace also counts each row
of an executemany and each cascading delete): a kill lands within the first three batches left."""


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
    engine: Engine, db_url: str
) -> None:
    rnd = random.Random(SEED)
    policy = load_policy(EXAMPLES / "reference.yaml")
    ring = KeyRing(MasterKey.generate())
    due = build(engine, policy, ring, per_case=PER_CASE)
    assert assert_whole_subjects(engine, due, "before any sweep") == set()

    def sweep(child_engine: Engine) -> None:
        build_jikimi(policy=policy, engine=child_engine, keys=ring).lifecycle.sweep(NOW, batch_size=BATCH)

    interrupted: list[tuple[int, set[str]]] = []  # (the statement killed at, subjects done so far)
    for kill in range(KILLS):
        point = rnd.randint(1, STATEMENTS[engine.dialect.name])
        outcome = run(db_url, sweep, kill_at=point)
        assert outcome.killed, (
            f"kill {kill + 1} at statement {point} (seed {SEED}) came after the sweep finished"
        )
        wait_for_dead_sessions(engine)
        where = f"after kill {kill + 1} at statement {point} (seed {SEED})"
        interrupted.append((point, assert_whole_subjects(engine, due, where)))

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
