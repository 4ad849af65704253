"""Parallel sweeps (issue 4): four worker processes sweeping the same due set at once each take
disjoint subjects — on PostgreSQL by ``FOR UPDATE OF subjects SKIP LOCKED``, on SQLite because
writers queue — so every due subject is handled by exactly one process, and the destruction
ledger adds up to what the processes report and to what the set-up says was due.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path

from sqlalchemy import Engine, func, select

from jikimi.audit.log import verify
from jikimi.crypto import KeyRing, MasterKey
from jikimi.store.tables import destruction_ledger

from ..conftest import EXAMPLES
from ..policies import cached_policy as load_policy
from .due_set import GONE, NOW, build, key_ids, ledger_totals, shapes, undecryptable
from .sweep_worker import Worker

WORKERS = 4
BATCH = 20
PER_CASE = 250  # 2,250 subjects, 1,500 due: about 75 batches to share


def test_four_processes_sweeping_at_once_handle_every_due_subject_exactly_once(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    policy = load_policy(EXAMPLES / "reference.yaml")
    ring = KeyRing(MasterKey.generate())
    key_file = tmp_path / "master.key"
    ring.write(key_file)
    due = build(engine, policy, ring, per_case=PER_CASE)

    workers = [Worker(db_url, key_file, NOW, batch=BATCH) for _ in range(WORKERS)]
    try:
        for worker in workers:
            worker.wait_ready()
        for worker in workers:  # all imported and waiting: start them together
            worker.go()
        reports = [worker.finish() for worker in workers]
    finally:
        for worker in workers:
            worker.close()

    handled = [set(report["subjects"]) for report in reports]
    for (i, mine), (j, theirs) in combinations(enumerate(handled), 2):
        assert not mine & theirs, f"workers {i} and {j} both handled {sorted(mine & theirs)[:5]}"
    assert set().union(*handled) == due.due, "every due subject is handled, and nothing else"
    if engine.dialect.name == "postgresql":  # SQLite queues writers: one process may win every batch
        assert sum(1 for subjects in handled if subjects) >= 2, (
            "the work should be shared between the processes"
        )

    reported: Counter[str] = Counter()
    for report in reports:
        reported.update(report["destroyed"])
    with engine.connect() as conn:
        assert ledger_totals(conn) == reported == due.destroyed_total()
        writers = conn.execute(select(func.count(func.distinct(destruction_ledger.c.process)))).scalar()
        assert shapes(conn) == {sid: s for sid, s in due.after.items() if s != GONE}
        assert key_ids(conn) == due.keys_after
        assert undecryptable(conn, ring) == []
        assert verify(conn).ok
    assert writers is not None and writers >= (2 if engine.dialect.name == "postgresql" else 1), (
        "ledger entries name the process that destroyed"
    )
    assert sum(r["separated_dormant"] for r in reports) == due.count("idle_noticed")
    assert sum(r["notices"] for r in reports) == due.count("idle_unnoticed")
    assert sum(r["subjects_removed"] for r in reports) == due.count("gone") + due.count("child_expired")
