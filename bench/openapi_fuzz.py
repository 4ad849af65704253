"""Benchmark: the OpenAPI fuzz run at size — generated requests against the real app, counted.

    .venv/bin/python bench/openapi_fuzz.py                         # 20,554 requests on SQLite and PostgreSQL
    .venv/bin/python bench/openapi_fuzz.py --db sqlite --requests 2000

Schemathesis draws requests from the app's own ``/openapi.json`` (valid ones and ones that break
the schema on purpose), about ``--requests`` divided among the operations, and sends them to the
in-process ASGI app over a fresh database as an administrator (``tests/api/fuzzing.py``, the driver
``tests/api/test_fuzz.py`` runs with a few examples). Counted: requests, 5xx answers and answers
that do not match their documented schema; both must be zero. The baseline, measured in the same
run on the same app, is a plain ``GET /healthz`` loop; ``ratio`` is fuzz requests/s ÷ healthz
requests/s (generation included). Prints one JSON line per database; exits 1 on any 5xx or
schema violation.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import _common as common

sys.path.insert(0, str(common.ROOT))  # the driver lives with the tests

NAME = "openapi_fuzz"


def admin_headers(jikimi: Any) -> dict[str, str]:
    jikimi.handlers.define_role("admin", purposes=["*"], actions=["*"])
    _, token = jikimi.handlers.create("admin-park", "correct horse battery", role="admin")
    return {"Authorization": f"Bearer {token}"}


def healthz_rate(app: Any, requests: int) -> float:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        started = time.perf_counter()
        for _ in range(requests):
            assert client.get("/healthz").status_code == 200
        return requests / (time.perf_counter() - started)


def run(kind: str, requests: int, baseline: int, seed: int) -> dict[str, Any]:
    from tests.api.fuzzing import fuzz

    from jikimi.api.app import create_app

    url = common.bench_url(kind, NAME)
    common.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    common.drop_database(url)
    jikimi = common.open_jikimi_at(url, NAME)
    headers = admin_headers(jikimi)
    app = create_app(jikimi)
    operations = sum(len(ops) for ops in app.openapi()["paths"].values())
    base_rate = healthz_rate(app, baseline)
    counts = fuzz(app, headers, examples=max(1, requests // operations), seed=seed)
    rate = counts.requests / counts.seconds
    jikimi.core.engine.dispose()
    return {
        "bench": NAME,
        "db": kind,
        "operations": counts.operations,
        "requests": counts.requests,
        "server_errors": counts.server_errors,
        "schema_violations": counts.schema_violations,
        "statuses": {str(status): n for status, n in sorted(counts.statuses.items())},
        "seconds": round(counts.seconds, 1),
        "requests_per_s": round(rate, 1),
        "baseline_healthz_per_s": round(base_rate, 1),
        "ratio": round(rate / base_rate, 3),
        "targets": {"server_errors": 0, "schema_violations": 0},
        "met": {
            "server_errors": counts.server_errors == 0,
            "schema_violations": counts.schema_violations == 0,
        },
        "failures": counts.failures,
        "machine": common.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--requests",
        type=int,
        default=21_000,
        help="generated requests per database, asked (divided among the operations: 21,000 sends 20,554)",
    )
    parser.add_argument("--baseline", type=int, default=2_000, help="GET /healthz requests of the baseline")
    parser.add_argument("--seed", type=int, default=0, help="0: derandomized (the same requests each run)")
    args = parser.parse_args()
    clean = True
    for kind in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        record = run(kind, args.requests, args.baseline, args.seed)
        common.emit(record)
        clean = clean and all(record["met"].values())
    raise SystemExit(0 if clean else 1)


if __name__ == "__main__":
    main()
