"""Benchmark: the advertising send gate answering 100,000 subjects in one call, against one
hand-written SQL query over the same data, same run.

    .venv/bin/python bench/marketing_check.py                     # 100,000 subjects, SQLite (~30 s)
    .venv/bin/python bench/marketing_check.py --db postgresql

The database holds ``--subjects`` members of the 메크로스 remediated policy (no values: the check
reads none), with what a real list has: most consented to marketing and to text messages, some
withdrew, some consented at night too, some consents older than 2 years, a few children, members
who left and processing stops. ``check`` is ``jikimi.marketing.check`` for all of them at 22:00 KST
(the night rule in play): chunked ``IN`` lists over subjects, consents and stops, each decided,
one access-log row. ``api`` is the same check as one ``POST /v1/marketing/check`` through the real
ASGI app (JSON both ways). The baseline is what an application without jikimi would run: one
``SELECT`` joining the same three tables, grouped per subject, over the whole table (no id list,
no decision, no log). Prints one JSON line; ``ratio`` is median(check) / median(baseline).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import _common as common

POLICY = common.ROOT / "examples" / "policies" / "remediated" / "mecross.yaml"
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 17:00 KST
SEND_AT = datetime(2026, 12, 3, 22, 0, tzinfo=timezone(timedelta(hours=9)))
TARGET_S = 5.0

BASELINE = """
SELECT s.id, s.status, s.is_child,
       MAX(CASE WHEN c.target_kind = 'purpose' AND c.granted AND c.withdrawn_at IS NULL THEN 1 ELSE 0 END),
       MAX(CASE WHEN c.target_kind = 'ad_channel' AND c.granted AND c.withdrawn_at IS NULL
                THEN COALESCE(c.confirmed_at, c.at) END),
       MAX(CASE WHEN c.target_kind = 'ad_night' AND c.granted AND c.withdrawn_at IS NULL
                THEN COALESCE(c.confirmed_at, c.at) END),
       MAX(CASE WHEN p.id IS NOT NULL THEN 1 ELSE 0 END)
FROM subjects s
LEFT JOIN consents c ON c.subject_id = s.id
  AND ((c.target_kind = 'purpose' AND c.target_id = 'marketing')
       OR (c.target_kind = 'ad_channel' AND c.target_id = 'sms')
       OR (c.target_kind = 'ad_night' AND c.target_id = 'night'))
LEFT JOIN processing_stops p ON p.subject_id = s.id AND p.purpose_id = 'marketing' AND p.lifted_at IS NULL
GROUP BY s.id, s.status, s.is_child
"""


def populate(engine: Any, subjects: int) -> list[str]:
    """``subjects`` members with their consents and stops, inserted in one transaction."""
    from sqlalchemy import insert

    from jikimi.store.tables import consents, processing_stops
    from jikimi.store.tables import subjects as subject_table

    rnd = random.Random(7)
    ids = [f"bench{n:017d}" for n in range(subjects)]
    people, answers, stops = [], [], []
    joined = NOW - timedelta(days=200)
    for sid in ids:
        roll = rnd.random()
        status = "withdrawn" if roll < 0.02 else "active"
        people.append(
            {
                "id": sid,
                "kind": "member",
                "status": status,
                "context": "signup",
                "is_child": roll > 0.99,
                "policy_version": "2024-03-07",
                "created_at": joined,
                "last_activity_at": joined,
                "status_changed_at": joined,
            }
        )
        at = NOW - timedelta(days=800) if rnd.random() < 0.05 else joined  # some past the 2-year mark

        def answer(
            kind: str, target: str, granted: bool, when: datetime = at, gone: bool = False, sid: str = sid
        ) -> None:
            answers.append(
                {
                    "subject_id": sid,
                    "target_kind": kind,
                    "target_id": target,
                    "granted": granted,
                    "policy_version": "2024-03-07",
                    "channel": "web",
                    "actor": "self",
                    "at": when,
                    "withdrawn_at": NOW - timedelta(days=3) if gone else None,
                }
            )

        answer("purpose", "marketing", rnd.random() < 0.9)
        answer("ad_channel", "sms", rnd.random() < 0.85, gone=rnd.random() < 0.05)
        answer("ad_channel", "email", rnd.random() < 0.7)
        if rnd.random() < 0.3:
            answer("ad_night", "night", True)
        if rnd.random() < 0.01:
            stops.append({"subject_id": sid, "purpose_id": "marketing", "at": NOW - timedelta(days=9)})
    with engine.begin() as conn:
        conn.execute(insert(subject_table), people)
        conn.execute(insert(consents), answers)
        if stops:
            conn.execute(insert(processing_stops), stops)
    if engine.dialect.name == "postgresql":  # the statistics a database in use has (autovacuum's)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE subjects, consents, processing_stops")
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--subjects", type=int, default=100_000, help="subjects checked in one call (default 100000)"
    )
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql, or a database URL")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each kind (default 5)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from jikimi.api.app import create_app
    from jikimi.bootstrap import build_jikimi
    from jikimi.clock import FixedClock
    from jikimi.policy.load import load_policy
    from jikimi.store.engine import make_engine
    from jikimi.store.migrate import upgrade

    name = f"marketing_{args.subjects}"
    url = common.bench_url(args.db, name)
    common.drop_database(url)
    engine = make_engine(url)
    upgrade(engine)
    with common.Timer() as built:
        ids = populate(engine, args.subjects)
    jikimi = build_jikimi(
        policy=load_policy(POLICY), engine=engine, keys=common.key_ring(name), clock=FixedClock(NOW)
    )
    jikimi.handlers.define_role("bench_ads", purposes=["marketing"], actions=["marketing"])
    handler, token = jikimi.handlers.create("bench-ads", "bench handler password", role="bench_ads")
    order = ids[:]
    random.Random(3).shuffle(order)  # a list as a marketing tool would send it, not in key order

    def check() -> dict[str, int]:
        return jikimi.marketing.check(order, channel="sms", send_at=SEND_AT, actor=handler).counts

    def baseline() -> int:
        with engine.connect() as conn:
            return len(conn.execute(text(BASELINE)).all())

    client = TestClient(create_app(jikimi))
    body = {"subject_ids": order, "channel": "sms", "send_at": SEND_AT.isoformat()}
    headers = {"Authorization": f"Bearer {token}"}

    def api() -> int:
        answer = client.post("/v1/marketing/check", json=body, headers=headers)
        assert answer.status_code == 200, answer.text[:200]
        return len(answer.json()["results"])

    counts = check()  # warm: the same caches for every kind
    assert baseline() == args.subjects and api() == args.subjects
    samples: dict[str, list[float]] = {"check": [], "baseline": [], "api": []}
    kinds = [("check", check), ("baseline", baseline), ("api", api)]
    for run in range(args.runs):  # rotate which goes first
        for kind, fn in kinds[run % 3 :] + kinds[: run % 3]:
            start = time.perf_counter()
            fn()
            samples[kind].append(time.perf_counter() - start)
    median = {kind: statistics.median(values) for kind, values in samples.items()}
    record: dict[str, Any] = {
        "bench": "marketing_check",
        "db": engine.dialect.name,
        "subjects": args.subjects,
        "runs": args.runs,
        "check_s": round(median["check"], 3),
        "check_best_s": round(min(samples["check"]), 3),
        "api_s": round(median["api"], 3),
        "baseline_s": round(median["baseline"], 3),
        "ratio": round(median["check"] / median["baseline"], 2),
        "ratio_api": round(median["api"] / median["baseline"], 2),
        "subjects_per_s": round(args.subjects / median["check"]),
        "counts": dict(sorted(counts.items())),
        "built_s": round(built.seconds, 1),
        "targets": {"check_s_max": TARGET_S},
        "met": {"check_s": median["check"] < TARGET_S, "api_s": median["api"] < TARGET_S},
        "machine": common.machine(),
    }
    common.emit(record)
    client.close()
    engine.dispose()


if __name__ == "__main__":
    main()
