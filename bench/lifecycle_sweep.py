"""Benchmark: the lifecycle sweep against raw SQL deleting and moving the same rows in the same run.

    .venv/bin/python bench/lifecycle_sweep.py                           # 20,000 due subjects, SQLite
    .venv/bin/python bench/lifecycle_sweep.py --n 1000000               # the issue's size (target: ratio ≤ 3)
    .venv/bin/python bench/lifecycle_sweep.py --db postgresql --n 100000 --workers 1,2,4 --rounds 3

Every subject of the database is due, a mix of destruction and separation under the reference
policy, at the sweep's ``now``:

- 30% withdrew 100 days ago: login id, CI, their look-ups and an access log are past their periods →
  destroyed, their retention-group keys destroyed, the subject removed;
- 20% withdrew 40 days ago: the CI and its look-up are due (30 days) → destroyed with their key; the
  login id (3 months) stays;
- 30% idle 400 days, notified 40 days ago → separated as dormant (휴면 분리보관): 7 values and a payment
  record move to the separated tables, the subject becomes dormant;
- 20% active members with two access logs older than 3 months → the logs are destroyed.

The rows are written straight into the tables with random bytes as ciphertexts (the sweep never
decrypts; sealing millions of values is not what is measured) and kept as a template under
``var/bench/``; every measurement runs on a fresh copy.

*Sweep*: ``jikimi.lifecycle.sweep(now, batch_size=…)`` — claims per kind of due work, all due work of the
claimed subjects set-based in one transaction per batch with its destruction-ledger rows and an
access-log row, keys destroyed after the commit. *Baseline*, in the same run on another copy:
hand-written SQL on the driver cursor doing the same deletes and moves for batches of the same
size (ids picked through the same indexes), the keys deleted and one ledger row per batch and
class inserted, committed per batch. ``ratio`` is sweep seconds / baseline seconds. Both copies are
compared table by table afterwards (``same_result``). ``sweep.nothing_due_s``: a second sweep at the
same moment, which finds nothing due — what a scheduled sweep costs on a store this size on a quiet
day (not in the ratio).

On PostgreSQL the sweep also runs in 1, 2 and 4 worker processes at once (``--workers``), each on a
fresh copy, started together; ``subjects_per_s`` is the due subjects over the wall time until the
last worker finished. The workers run as ``jikimi sweep --workers`` runs them: at most
``max_active`` sweep at once (``--max-active``; by default one per CPU, as the database runs on this
host — lifecycle/slots.py), the others standing by. Where that limit holds some workers back, the
same count also runs with no limit (``"max_active": null``), in the same round, for comparison.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from datetime import timedelta
from typing import Any

import _common as common
from _sweep_template import NOW, PROPOSED_INDEXES, SHARES, copy_of, template

COUNTED = (
    "subjects",
    "item_values",
    "records",
    "separated_values",
    "separated_records",
    "separated_lookups",
    "jikimi_keys.data_keys",
)


def open_jikimi_at(url: str) -> Any:
    from jikimi.bootstrap import build_jikimi
    from jikimi.crypto import KeyRing, MasterKey
    from jikimi.policy.load import load_policy
    from jikimi.store.engine import make_engine

    return build_jikimi(
        policy=load_policy(common.POLICY), engine=make_engine(url), keys=KeyRing(MasterKey.generate())
    )


def table_counts(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from jikimi.store.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() or 0) for t in COUNTED}
        counts["dormant"] = int(
            conn.execute(text("SELECT count(*) FROM subjects WHERE status = 'dormant'")).scalar() or 0
        )
        counts["ledger_count"] = int(
            conn.execute(text('SELECT coalesce(sum("count"), 0) FROM destruction_ledger')).scalar() or 0
        )
    engine.dispose()
    return counts


# -- the sweep ----------------------------------------------------------------------------------------------


def run_sweep(url: str, batch: int) -> dict[str, Any]:
    jikimi = open_jikimi_at(url)
    started = time.perf_counter()
    report = jikimi.lifecycle.sweep(NOW, batch_size=batch)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = jikimi.lifecycle.sweep(
        NOW, batch_size=batch
    )  # nothing left: the cost of a sweep with nothing due
    nothing_due = time.perf_counter() - started
    jikimi.core.engine.dispose()
    assert not again.subjects, "a second sweep at the same moment found work left"
    return {
        "seconds": round(seconds, 2),
        "subjects": len(report.subjects),
        "destroyed": report.destroyed_total,
        "separated_dormant": report.separated_dormant,
        "ledger_entries": report.ledger_entries,
        "keys_destroyed": report.keys_destroyed,
        "batches": report.batches,
        "nothing_due_s": round(nothing_due, 3),
    }


def _worker(url: str, batch: int, limit: int | None, ready: Any, go: Any, out: Any) -> None:
    jikimi = open_jikimi_at(url)
    with jikimi.core.engine.connect():
        pass  # connect before the start signal
    ready.release()
    go.wait()
    report = jikimi.lifecycle.sweep(NOW, batch_size=batch, max_active=limit)
    out.put((time.time(), len(report.subjects), report.destroyed_total))
    jikimi.core.engine.dispose()


def run_workers(url: str, batch: int, workers: int, limit: int | None) -> dict[str, Any]:
    """``workers`` processes sweep one database at once, at most ``limit`` of them at a time; the wall
    time until the last one finishes."""
    ctx = multiprocessing.get_context("spawn")
    ready, go, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    processes = [
        ctx.Process(target=_worker, args=(url, batch, limit, ready, go, out)) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    started = time.time()
    go.set()
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    seconds = max(end for end, _, _ in results) - started
    subjects = sum(count for _, count, _ in results)
    return {
        "workers": workers,
        "max_active": limit,
        "seconds": round(seconds, 2),
        "subjects": subjects,
        "subjects_per_s": round(subjects / seconds),
        "per_worker": [count for _, count, _ in results],
    }


# -- the baseline: hand-written SQL -------------------------------------------------------------------------


def run_baseline(url: str, batch: int) -> dict[str, Any]:
    """The same deletes and moves as hand-written SQL on the driver cursor, ``batch`` subjects a transaction."""  # noqa: E501
    from jikimi.store.bulk import driver_cursor
    from jikimi.store.engine import make_engine

    engine = make_engine(url)
    now = NOW
    dormant_before = NOW - timedelta(days=366)
    notice_before = NOW - timedelta(days=30)
    with engine.connect() as conn:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        lock = " FOR UPDATE OF subjects SKIP LOCKED" if conn.dialect.name == "postgresql" else ""
        # SQLite without statistics would take ``status = …`` to the status index (every withdrawn subject,
        # each batch: quadratic); its unary ``+`` keeps the batch's primary-key look-ups (store/hints.py)
        plus = "+" if conn.dialect.name == "sqlite" else ""

        def marks(values: list[Any]) -> str:
            return ", ".join([mark] * len(values))

        batches = 0

        def ledger(cursor: Any, counts: dict[tuple[str, str], int]) -> None:
            rows = [
                (
                    f"base{batches}",
                    now,
                    "baseline",
                    "baseline",
                    kind,
                    class_id,
                    count,
                    "retention_expired",
                    None,
                    None,
                    "rows deleted, key destroyed",
                )
                for (kind, class_id), count in counts.items()
                if count
            ]
            if rows:
                cursor.executemany(
                    "INSERT INTO destruction_ledger (batch_id, at, process, actor, class_kind, class_id, count, "  # noqa: E501
                    f"trigger, rule_id, basis, method) VALUES ({marks(list(rows[0]))})",
                    rows,
                )

        started = time.perf_counter()
        # 1. withdrawn members' separated data past its period: values, look-ups, records, then the subject
        while True:
            conn.begin()
            cursor = driver_cursor(conn)
            cursor.execute(
                f"SELECT subjects.id FROM subjects JOIN separated_values ON separated_values.subject_id = "
                f"subjects.id WHERE separated_values.expires_at <= {mark} LIMIT {batch * 4}{lock}",
                (now,),
            )
            ids = list(dict.fromkeys(r[0] for r in cursor.fetchall()))[:batch]
            if not ids:
                conn.rollback()
                break
            counts: dict[tuple[str, str], int] = {}
            keys: list[str] = []
            cursor.execute(
                f"DELETE FROM separated_values WHERE subject_id IN ({marks(ids)}) AND expires_at <= {mark} "
                "RETURNING item_id, key_id",
                (*ids, now),
            )
            for item_id, key_id in cursor.fetchall():
                counts[("item", item_id)] = counts.get(("item", item_id), 0) + 1
                keys.append(key_id)
            cursor.execute(
                f"DELETE FROM separated_records WHERE subject_id IN ({marks(ids)}) AND expires_at <= {mark} "
                "RETURNING type, key_id",
                (*ids, now),
            )
            for type_, key_id in cursor.fetchall():
                counts[("record", type_)] = counts.get(("record", type_), 0) + 1
                keys.append(key_id)
            cursor.execute(
                f"DELETE FROM separated_lookups WHERE subject_id IN ({marks(ids)}) AND expires_at <= {mark} "
                "RETURNING item_id",
                (*ids, now),
            )
            for (item_id,) in cursor.fetchall():
                counts[("lookup", item_id)] = counts.get(("lookup", item_id), 0) + 1
            cursor.execute(
                f"DELETE FROM subjects WHERE id IN ({marks(ids)}) AND {plus}status = 'withdrawn' "
                "AND NOT EXISTS (SELECT 1 FROM separated_values WHERE subject_id = subjects.id) "
                "AND NOT EXISTS (SELECT 1 FROM separated_records WHERE subject_id = subjects.id) "
                "AND NOT EXISTS (SELECT 1 FROM separated_lookups WHERE subject_id = subjects.id)",
                ids,
            )
            ledger(cursor, counts)
            conn.commit()
            conn.begin()
            driver_cursor(conn).execute(
                f"DELETE FROM jikimi_keys.data_keys WHERE subject_id IN ({marks(keys)})", keys
            )
            conn.commit()
            batches += 1
        # 2. logs past their period
        while True:
            conn.begin()
            cursor = driver_cursor(conn)
            cursor.execute(
                f"SELECT subjects.id FROM subjects JOIN records ON records.subject_id = subjects.id "
                f"WHERE records.expires_at <= {mark} LIMIT {batch * 4}{lock}",
                (now,),
            )
            ids = list(dict.fromkeys(r[0] for r in cursor.fetchall()))[:batch]
            if not ids:
                conn.rollback()
                break
            cursor.execute(
                f"DELETE FROM records WHERE subject_id IN ({marks(ids)}) AND expires_at <= {mark}",
                (*ids, now),
            )
            ledger(cursor, {("record", "access_log"): cursor.rowcount})
            conn.commit()
            batches += 1
        # 3. dormant members (notified 30 days before): values and records move to the separated tables
        while True:
            conn.begin()
            cursor = driver_cursor(conn)
            cursor.execute(
                f"SELECT id FROM subjects WHERE status = 'active' AND kind = 'member' AND last_activity_at "
                f"< {mark} AND EXISTS (SELECT 1 FROM outbox WHERE outbox.subject_id = subjects.id AND "
                f"outbox.kind = 'dormancy_notice' AND outbox.created_at >= subjects.last_activity_at AND "
                f"outbox.created_at <= {mark}) LIMIT {batch}{lock.replace(' OF subjects', '')}",
                (dormant_before, notice_before),
            )
            ids = [r[0] for r in cursor.fetchall()]
            if not ids:
                conn.rollback()
                break
            cursor.execute(
                "INSERT INTO separated_values (subject_id, item_id, ciphertext, key_id, cause, rule_id, "
                "start_at, expires_at, collected_at, context, separated_at) SELECT item_values.subject_id, "
                "item_id, ciphertext, item_values.subject_id, 'dormancy', NULL, subjects.last_activity_at, "
                f"NULL, collected_at, item_values.context, {mark} FROM item_values JOIN subjects ON "
                f"subjects.id = item_values.subject_id WHERE item_values.subject_id IN ({marks(ids)})",
                (now, *ids),
            )
            cursor.execute(f"DELETE FROM item_values WHERE subject_id IN ({marks(ids)})", ids)
            cursor.execute(
                "INSERT INTO separated_records (id, subject_id, type, ciphertext, key_id, cause, rule_id, "
                "occurred_at, created_at, start_at, expires_at, separated_at) SELECT id, subject_id, type, "
                "ciphertext, subject_id, 'dormancy', NULL, occurred_at, created_at, occurred_at, expires_at, "
                f"{mark} FROM records WHERE subject_id IN ({marks(ids)})",
                (now, *ids),
            )
            cursor.execute(f"DELETE FROM records WHERE subject_id IN ({marks(ids)})", ids)
            cursor.execute(
                f"UPDATE subjects SET status = 'dormant', status_changed_at = {mark} "
                f"WHERE id IN ({marks(ids)})",
                (now, *ids),
            )
            conn.commit()
            batches += 1
        seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": round(seconds, 2), "batches": batches}


# -- main ---------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=20_000, help="due subjects (default 20000; the issue: 1000000)"
    )
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--batch", type=int, default=500, help="subjects per batch (transaction)")
    parser.add_argument(
        "--workers", default="1,2,4", help="PostgreSQL: worker counts to measure (default 1,2,4)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="PostgreSQL: rounds of the worker runs (interleaved; the summary takes medians)",
    )
    parser.add_argument(
        "--max-active",
        type=int,
        default=None,
        help="PostgreSQL: at most this many workers sweep at once (0: no limit; default: as "
        "`jikimi sweep` — one per CPU for a database on this host)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached template database")
    parser.add_argument(
        "--no-guardian-index",
        action="store_true",
        help="measure without the proposed indexes (PROPOSED_INDEXES; quadratic: small sizes only)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    source = template(args.db, args.n, args.rebuild, not args.no_guardian_index)
    built = round(time.perf_counter() - started, 1)
    sweep_url = copy_of(args.db, source, "sweep_run")
    sweep = run_sweep(sweep_url, args.batch)
    base_url = copy_of(args.db, source, "sweep_base")
    baseline = run_baseline(base_url, args.batch)
    swept, based = table_counts(sweep_url), table_counts(base_url)
    for url in (sweep_url, base_url):
        common.drop_database(url, recreate=False)
    record: dict[str, Any] = {
        "bench": "lifecycle_sweep",
        "db": args.db,
        "n": args.n,
        "batch": args.batch,
        "mix": dict(SHARES),
        "ciphertext": "random bytes (the sweep never decrypts)",
        "ledger_written": True,
        "schema_additions": []
        if args.no_guardian_index
        else [f"{n} (in migration 0002)" for n in PROPOSED_INDEXES],
        "ratio": round(sweep["seconds"] / max(baseline["seconds"], 1e-9), 2),
        "sweep": sweep,
        "baseline": baseline,
        "subjects_per_s": round(sweep["subjects"] / max(sweep["seconds"], 1e-9)),
        "same_result": {k: v for k, v in swept.items() if k != "ledger_count"}
        == {k: v for k, v in based.items() if k != "ledger_count"}
        and swept["ledger_count"] == based["ledger_count"],
        "after": swept,
        "template_build_s": built,
        "targets": {"ratio_max": 3.0},
        "met": {"ratio": sweep["seconds"] <= 3 * baseline["seconds"], "full_size": args.n >= 1_000_000},
        "machine": common.machine(),
    }
    common.emit(record)

    if args.db == "postgresql":
        from sqlalchemy.engine import make_url

        from jikimi.store.slots import chosen_limit

        limit = chosen_limit(args.max_active, make_url(source), os.cpu_count() or 1)
        counts = [int(w) for w in args.workers.split(",")]
        series = [(w, limit) for w in counts] + [(w, None) for w in counts if limit is not None and w > limit]
        rates: dict[tuple[int, int | None], list[int]] = {run: [] for run in series}
        for round_ in range(1, args.rounds + 1):  # interleaved, so that a noisy minute hits every count alike
            for workers, cap in series:
                url = copy_of(args.db, source, f"sweep_w{workers}")
                result = run_workers(url, args.batch, workers, cap)
                common.drop_database(url, recreate=False)
                rates[workers, cap].append(result["subjects_per_s"])
                common.emit(
                    {
                        "bench": "lifecycle_sweep_workers",
                        "db": args.db,
                        "n": args.n,
                        "batch": args.batch,
                        "round": round_,
                        **result,
                        "ratio": round(result["subjects_per_s"] / rates[series[0]][-1], 2),
                        "ratio_of": f"throughput / throughput with {counts[0]} worker(s) in this round",
                        "machine": common.machine(),
                    }
                )
        medians = {run: round(statistics.median(rates[run])) for run in series}
        limited = [medians[w, limit] for w in counts]
        common.emit(
            {
                "bench": "lifecycle_sweep_workers_summary",
                "db": args.db,
                "n": args.n,
                "rounds": args.rounds,
                "max_active": limit,
                "subjects_per_s_median": dict(zip(counts, limited, strict=True)),
                "subjects_per_s_all": {w: rates[w, limit] for w in counts},
                "ratio": {w: round(m / limited[0], 2) for w, m in zip(counts, limited, strict=True)},
                "no_limit": {
                    w: {
                        "subjects_per_s_median": medians[w, None],
                        "subjects_per_s_all": rates[w, None],
                        "ratio": round(medians[w, None] / limited[0], 2),
                    }
                    for w, cap in series
                    if cap is None and limit is not None
                },
                "met": {
                    "more_workers_not_slower": all(
                        b >= a * 0.95 for a, b in zip(limited, limited[1:], strict=False)
                    )
                },
                "tolerance": "5 % (run-to-run noise on this machine)",
                "machine": common.machine(),
            }
        )


if __name__ == "__main__":
    main()
