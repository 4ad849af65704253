"""Benchmark: bulk import of members (8 items each) against a raw executemany of the same rows.

    .venv/bin/python bench/vault_import.py                                # 20,000 members, SQLite (~1 min)
    .venv/bin/python bench/vault_import.py --subjects 1000000             # the issue's size (target: < 10 min)
    .venv/bin/python bench/vault_import.py --db postgresql --subjects 200000

The import is ``jikimi.vault.import_csv`` on a generated CSV (seven required sign-up items plus
gender, a marketing consent column, legacy bcrypt hashes): validation exactly like ``collect``,
duplicate checks through the blind indexes, a data key per subject committed before its values,
encryption, consents, and one ``collect.import`` access-log row per subject.

The baseline, measured in the same run, writes the very rows the import stored (subjects, values,
look-ups, consents, access-log rows and data keys, read back from the imported database) into a
fresh database of the same schema with the driver's ``executemany``, in transactions of the same
size — the bare cost of the database writes, without validation, encryption or checks. Only the
insert and commit time is counted. ``ratio`` is import seconds / baseline seconds.

The imported database is kept as the read benchmark's cached database for the same size.
"""  # noqa: E501

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import _common as common

TABLES = ("subjects", "item_values", "lookups", "consents", "access_log")


def run_import(kind: str, subjects: int, workers: int, batch: int) -> tuple[str, dict[str, Any]]:

    name = f"read_{subjects}"
    url, report, seconds = common.imported_members(
        kind, name, subjects, rebuild=True, workers=workers, batch_size=batch
    )
    return url, {
        "imported": report.imported,
        "skipped": report.skipped,
        "seconds": round(seconds, 1),
        "subjects_per_s": round(report.imported / seconds),
    }


def run_baseline(source_url: str, kind: str, subjects: int, batch: int) -> dict[str, Any]:
    """Copy the imported rows, batch by batch, into a fresh database with raw executemany; time the writes."""
    from sqlalchemy import select

    from jikimi.store.bulk import _compiled, driver_cursor
    from jikimi.store.engine import make_engine
    from jikimi.store.migrate import upgrade
    from jikimi.store.tables import access_log, data_keys, metadata

    target_url = common.bench_url(kind, f"base_{subjects}")
    common.drop_database(target_url)
    source, target = make_engine(source_url), make_engine(target_url)
    upgrade(target)
    tables = [metadata.tables[t] for t in TABLES]
    inserts = {}
    with target.connect() as conn:
        for table in (*tables, data_keys):
            columns = tuple(c.name for c in table.c if not (table is access_log and c.name == "seq"))
            inserts[table.name] = (columns, _compiled(conn, table, columns)[0])
    written = 0
    seconds = 0.0
    last = 0
    with source.connect() as src, target.connect() as dst:
        while True:
            ids = src.execute(
                select(access_log.c.seq, access_log.c.subject_id)
                .where(access_log.c.action == "collect.import", access_log.c.seq > last)
                .order_by(access_log.c.seq)
                .limit(batch)
            ).all()
            if not ids:
                break
            last = ids[-1].seq
            chunk = [r.subject_id for r in ids]
            rows = {}
            for table in (data_keys, *tables):
                columns, _ = inserts[table.name]
                key = table.c.id if table.name == "subjects" else table.c.subject_id
                cursor = driver_cursor(src)
                marks = ", ".join(["?" if src.dialect.paramstyle == "qmark" else "%s"] * len(chunk))
                cursor.execute(
                    f"SELECT {', '.join(columns)} FROM {table.fullname} WHERE {key.name} IN ({marks})", chunk
                )
                rows[table.name] = cursor.fetchall()
                cursor.close()
            src.rollback()
            if dst.dialect.paramstyle != "qmark":  # psycopg: named placeholders take mappings
                rows = {
                    name: [dict(zip(inserts[name][0], r, strict=True)) for r in found]
                    for name, found in rows.items()
                }
            start = time.perf_counter()
            with dst.begin():  # keys first, in their own transaction, as the vault does
                driver_cursor(dst).executemany(inserts["data_keys"][1], rows["data_keys"])
            with dst.begin():
                cursor = driver_cursor(dst)
                for table in tables:
                    cursor.executemany(inserts[table.name][1], rows[table.name])
            seconds += time.perf_counter() - start
            written += len(chunk)
    source.dispose()
    target.dispose()
    common.drop_database(target_url, recreate=False)
    return {"subjects": written, "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=20_000, help="members to import (default 20000)")
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql, or a database URL")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="validation processes")
    parser.add_argument("--batch", type=int, default=2000, help="rows per transaction")
    parser.add_argument("--no-baseline", action="store_true", help="skip the raw executemany baseline")
    args = parser.parse_args()

    common.members_csv(args.subjects)  # generated (and cached) before any timing
    url, imported = run_import(args.db, args.subjects, args.workers, args.batch)
    record: dict[str, Any] = {
        "bench": "vault_import",
        "db": "sqlite" if "sqlite" in url else "postgresql",
        "subjects": args.subjects,
        "items": 8,
        "workers": args.workers,
        "batch": args.batch,
        "import": imported,
    }
    if not args.no_baseline:
        baseline = run_baseline(url, args.db, args.subjects, args.batch)
        record["baseline"] = baseline
        record["ratio"] = round(imported["seconds"] / max(baseline["seconds"], 1e-9), 2)
    projected = imported["seconds"] * 1_000_000 / max(args.subjects, 1)
    record["projected_1M_s"] = round(projected)
    record["targets"] = {"seconds_for_1M_max": 600}
    record["met"] = {
        "under_10_min_for_1M": projected < 600,
        "measured_at_full_size": args.subjects >= 1_000_000,
    }
    record["machine"] = common.machine()
    common.emit(record)


if __name__ == "__main__":
    main()
