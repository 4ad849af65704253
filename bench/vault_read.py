"""Benchmark: a gated read of 5 items of one subject, against a plain select + decrypt, same run.

    .venv/bin/python bench/vault_read.py                                   # 20,000 subjects, SQLite (~1 min)
    .venv/bin/python bench/vault_read.py --subjects 1000000 --reads 20000  # the issue's size
    .venv/bin/python bench/vault_read.py --db postgresql --subjects 1000000

The gated read is ``jikimi.vault.read`` (gate decision with consent and subject state, one access-log row
appended in the same transaction, the data key unwrapped, five values decrypted). The baseline is
what an application without jikimi would do: one SQLAlchemy Core select of the same five
encrypted rows joined with the subject's wrapped key, then unwrap and decrypt. A second reference,
``baseline_driver_sql``, runs that select as plain SQL on the driver cursor — the floor of a
plain read — and ``ratio_vs_driver_sql`` compares with it. Both use the same
engine (on SQLite: WAL, ``BEGIN IMMEDIATE``) and are timed alternately on the same random subjects.

The database is built once with the bulk importer and cached under var/bench/ (``--rebuild`` to
start over). Prints one JSON line; ``ratio`` is median(gated) / median(baseline).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Any

import _common as common

ITEMS = ["name", "birthdate", "login_id", "mobile", "email"]
PURPOSE = "membership"


def ensure_database(kind: str, subjects: int, rebuild: bool) -> tuple[str, str, dict[str, Any] | None]:
    """The cached database with ``subjects`` members (built with the importer when missing)."""

    name = f"read_{subjects}"
    url, report, seconds = common.imported_members(kind, name, subjects, rebuild=rebuild)
    if report is None:
        return url, name, None
    return url, name, {"imported": report.imported, "import_s": round(seconds, 1)}


def baseline_read(jikimi: Any, subject_id: str, items: list[str]) -> dict[str, str]:
    from sqlalchemy import select

    from jikimi.crypto import open_value
    from jikimi.store.tables import data_keys, item_values

    with jikimi.core.engine.connect() as conn:
        rows = conn.execute(
            select(
                item_values.c.item_id,
                item_values.c.ciphertext,
                data_keys.c.wrapped,
                data_keys.c.master_key_id,
            )
            .join(data_keys, data_keys.c.subject_id == item_values.c.subject_id)
            .where(item_values.c.subject_id == subject_id, item_values.c.item_id.in_(items))
        ).all()
    key = jikimi.core.keys.unwrap(subject_id, bytes(rows[0].wrapped), rows[0].master_key_id)
    return {r.item_id: open_value(key, subject_id, r.item_id, bytes(r.ciphertext)) for r in rows}


def prepared_read(jikimi: Any, subject_id: str, items: list[str]) -> dict[str, str]:
    """The floor: the same select as driver SQL on the driver cursor (no SQLAlchemy statement work)."""
    from jikimi.crypto import open_value
    from jikimi.store.bulk import driver_cursor

    with jikimi.core.engine.connect() as conn:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        cursor = driver_cursor(conn)
        cursor.execute(
            "SELECT v.item_id, v.ciphertext, k.wrapped, k.master_key_id FROM item_values v "
            "JOIN jikimi_keys.data_keys k ON k.subject_id = v.subject_id "
            f"WHERE v.subject_id = {mark} AND v.item_id IN ({', '.join([mark] * len(items))})",
            [subject_id, *items],
        )
        rows = cursor.fetchall()
        cursor.close()
    key = jikimi.core.keys.unwrap(subject_id, bytes(rows[0][2]), rows[0][3])
    return {r[0]: open_value(key, subject_id, r[0], bytes(r[1])) for r in rows}


def handler(jikimi: Any) -> Any:
    from jikimi.errors import InvalidInput

    jikimi.handlers.define_role("bench_cs", purposes=["membership", "support"], actions=["read"])
    try:
        jikimi.handlers.create("bench-cs", "bench handler password", role="bench_cs")
    except InvalidInput:
        pass  # created by an earlier run
    return jikimi.handlers.get("bench-cs")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--subjects", type=int, default=20_000, help="subjects in the database (default 20000)"
    )
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql, or a database URL")
    parser.add_argument("--reads", type=int, default=5_000, help="timed reads of each kind (default 5000)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from jikimi.store.tables import subjects

    url, name, built = ensure_database(args.db, args.subjects, args.rebuild)
    jikimi = common.open_jikimi_at(url, name)
    actor = handler(jikimi)
    with jikimi.core.engine.connect() as conn:
        ids = [
            r[0]
            for r in conn.execute(select(subjects.c.id).order_by(func.random()).limit(2 * args.reads + 500))
        ]
    warm, paired, loop = ids[:500], ids[500 : 500 + args.reads], ids[500 + args.reads :]
    for sid in warm:
        assert jikimi.vault.read(sid, ITEMS, PURPOSE, actor) == baseline_read(jikimi, sid, ITEMS)

    def gated_read(sid: str) -> object:
        return jikimi.vault.read(sid, ITEMS, PURPOSE, actor)

    kinds = [
        (gated_read, []),
        (lambda sid: baseline_read(jikimi, sid, ITEMS), []),
        (lambda sid: prepared_read(jikimi, sid, ITEMS), []),
    ]
    gated, plain, floor = (bucket for _, bucket in kinds)
    clock = time.perf_counter
    for n, sid in enumerate(paired):  # rotate which goes first, so none always gets a warm cache
        for fn, bucket in kinds[n % 3 :] + kinds[: n % 3]:
            start = clock()
            fn(sid)
            bucket.append(clock() - start)

    random.shuffle(loop)
    start = clock()
    for sid in loop:
        jikimi.vault.read(sid, ITEMS, PURPOSE, actor)
    gated_rate = len(loop) / (clock() - start)
    start = clock()
    for sid in loop:
        baseline_read(jikimi, sid, ITEMS)
    plain_rate = len(loop) / (clock() - start)

    g, b, f = common.summary(gated), common.summary(plain), common.summary(floor)
    ratio = g["median_us"] / b["median_us"]
    record: dict[str, Any] = {
        "bench": "vault_read",
        "db": jikimi.core.engine.dialect.name,
        "subjects": args.subjects,
        "reads": len(paired),
        "items": len(ITEMS),
        "ratio": round(ratio, 2),
        "gated": g,
        "baseline": b,
        "ratio_vs_driver_sql": round(g["median_us"] / f["median_us"], 2),
        "baseline_driver_sql": f,
        "gated_reads_per_s": round(gated_rate),
        "baseline_reads_per_s": round(plain_rate),
        "targets": {"ratio_max": 2.0, "gated_reads_per_s_min": 2000},
        "met": {"ratio": ratio <= 2.0, "reads_per_s": gated_rate >= 2000},
        "machine": common.machine(),
    }
    if built:
        record["built"] = built
    if "sqlite" in url:
        record["db_file_mb"] = round(Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6)
    common.emit(record)
    jikimi.core.engine.dispose()


if __name__ == "__main__":
    main()
