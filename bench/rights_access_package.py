"""Benchmark: the access package (열람 자료) of one subject with many records, against raw SQL, same run.

    .venv/bin/python bench/rights_access_package.py                                  # 2,000 records, both databases
    .venv/bin/python bench/rights_access_package.py --n 10000 --mem-n 100000         # the issue's sizes

``package_json`` opens the package (one unit of work: the request checked, the subject's items
decrypted, the read logged) and streams every record, provision and access-log row as JSON. The
baseline is what an application would do to dump the same records: one plain SQL select of the
subject's sealed records, each decrypted, then ``json.dumps`` of the whole list. Both run alternately
on the same database. ``ratio`` is median(package) / median(baseline). A second line per database
gives the peak Python memory (tracemalloc) while streaming the package of ``--mem-n`` records, and
what the baseline peaks at for the same records.
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

import _common as common


def build(kind: str, records: int) -> tuple[Any, Any, str, str]:
    """A fresh database with one member holding ``records`` payment records and a verified access request."""
    from jikimi.crypto import seal_value
    from jikimi.store.tables import records as records_table

    name = f"rights_pkg_{records}"
    url = common.bench_url(kind, name)
    common.drop_database(url)
    jikimi = common.open_jikimi_at(url, name)
    jikimi.handlers.define_role("privacy_team", purposes=[], actions=["rights"])
    clerk, _ = jikimi.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
    hashes = common.legacy_hashes(1)
    row = common.member_row(1, hashes)
    data = dict(zip(common.HEADER[:-1], row[:-1], strict=True))
    sid = jikimi.vault.collect("signup", data, {"marketing": True}).subject_id
    start = datetime(2024, 1, 1, tzinfo=UTC)
    body = json.dumps(
        {
            "name": data["name"],
            "recipient_name": data["name"],
            "recipient_phone": data["mobile"],
            "delivery_address": "서울특별시 마포구 월드컵북로 396, 12층",
        },
        ensure_ascii=False,
    )
    with jikimi.core.engine.begin() as conn:
        key = jikimi.core.keys.get(conn, sid)
        for first in range(0, records, 5000):
            conn.execute(
                records_table.insert(),
                [
                    {
                        "id": f"r{n:08d}",
                        "subject_id": sid,
                        "type": "payment",
                        "occurred_at": start + timedelta(minutes=n),
                        "created_at": start,
                        "ciphertext": seal_value(key, sid, f"record:r{n:08d}", body),
                    }
                    for n in range(first, min(records, first + 5000))
                ],
            )
    desk = jikimi.rights
    request = desk.receive(sid, "access", channel="web", actor=clerk).request
    desk.verify(request.id, method="handler", proof="bench", actor=clerk)
    return jikimi, clerk, sid, request.id


def package_run(jikimi: Any, clerk: Any, request_id: str) -> int:
    from jikimi.rights.package import package_json

    return sum(len(chunk) for chunk in package_json(jikimi.rights.package(request_id, actor=clerk)))


def baseline_run(jikimi: Any, sid: str) -> int:
    """Raw SQL: select the sealed records, decrypt each, dump them all as JSON."""
    from jikimi.crypto import open_value
    from jikimi.store.bulk import driver_cursor

    with jikimi.core.engine.connect() as conn:
        key = jikimi.core.keys.get(conn, sid)
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        cursor = driver_cursor(conn)
        cursor.execute(
            f"SELECT id, type, occurred_at, ciphertext FROM records WHERE subject_id = {mark} "
            "ORDER BY type, occurred_at, id",
            (sid,),
        )
        rows = [
            {
                "id": r[0],
                "type": r[1],
                "occurred_at": str(r[2]),
                "data": json.loads(open_value(key, sid, f"record:{r[0]}", bytes(r[3]))),
            }
            for r in cursor.fetchall()
        ]
        cursor.close()
    return len(json.dumps(rows, ensure_ascii=False))


def timing(kind: str, records: int, repeats: int) -> None:
    jikimi, clerk, sid, request_id = build(kind, records)
    package_run(jikimi, clerk, request_id)
    baseline_run(jikimi, sid)  # warm both
    ours: list[float] = []
    theirs: list[float] = []
    size = 0
    for _ in range(repeats):
        started = time.perf_counter()
        size = package_run(jikimi, clerk, request_id)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        baseline_run(jikimi, sid)
        theirs.append(time.perf_counter() - started)
    median, base = statistics.median(ours), statistics.median(theirs)
    common.emit(
        {
            "bench": "rights_access_package_json",
            "db": jikimi.core.engine.dialect.name,
            "records": records,
            "repeats": repeats,
            "median_ms": round(median * 1000, 1),
            "p95_ms": round(sorted(ours)[-1] * 1000, 1),
            "baseline_raw_sql_median_ms": round(base * 1000, 1),
            "ratio": round(median / base, 2),
            "json_bytes": size,
            "target_median_ms": 300,
            "machine": common.machine(),
        }
    )
    jikimi.core.engine.dispose()


def memory(kind: str, records: int) -> None:
    jikimi, clerk, sid, request_id = build(kind, records)
    tracemalloc.start()
    package_run(jikimi, clerk, request_id)
    ours = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    baseline_run(jikimi, sid)
    theirs = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    common.emit(
        {
            "bench": "rights_access_package_memory",
            "db": jikimi.core.engine.dialect.name,
            "records": records,
            "peak_mib": round(ours / 2**20, 1),
            "baseline_raw_sql_peak_mib": round(theirs / 2**20, 1),
            "ratio": round(ours / theirs, 3),
            "machine": common.machine(),
        }
    )
    jikimi.core.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=2000, help="records for the timing (issue: 10000)")
    parser.add_argument(
        "--mem-n", type=int, default=10000, help="records for the memory peak (issue: 100000)"
    )
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        timing(kind, args.n, args.repeats)
    for kind in kinds:
        memory(kind, args.mem_n)


if __name__ == "__main__":
    main()
