"""Benchmark: service events delivered to a webhook sink and pulled by position, against posting the
same number of ready-made signed bodies (and one hand-written SELECT), same run.

    .venv/bin/python bench/service_events.py                     # 5,000 events, SQLite and PostgreSQL
    .venv/bin/python bench/service_events.py --events 20000 --db postgresql

``deliver`` is ``ServiceEvents.run_once`` until nothing is due, in one process: give positions, claim
a batch (no subject's event ahead of an earlier pending one of the same subject), sign and post each,
mark. The events belong to ``--subjects`` subjects, five each by default, so the per-subject order
is really exercised. ``baseline`` posts the same number of prebuilt, already-signed bodies on one
kept-alive ``http.client`` connection. ``pull`` pages through every event with
``ServiceEvents.page`` (1,000 a page, one access-log row each) against one ``SELECT … ORDER BY
position`` of the same rows. The sink is a process of its own. Prints JSON lines with ``ratio``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import time
from datetime import UTC, datetime
from typing import Any

import _common as common
from notices_delivery import HTTP_SINK, sink

SECRET = "bench-secret"


def prepared(kind: str, events: int, subjects: int) -> tuple[str, str]:
    """A fresh database holding ``events`` pending events of ``subjects`` subjects."""
    from jikimi.store import events as event_rows
    from jikimi.store.events import NewEvent

    name = f"events-{kind}"
    url = common.bench_url(kind, name)
    common.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    common.drop_database(url)
    (common.BENCH_DIR / f"{name}.key").unlink(missing_ok=True)
    jikimi = common.open_jikimi_at(url, name)
    now = jikimi.core.now()
    batch = [
        NewEvent("subject.withdrawn", f"s{n % subjects:08d}", f"bench:{n}", {"reason": "member_request"})
        for n in range(events)
    ]
    with jikimi.core.unit_of_work() as uow:
        for start in range(0, len(batch), 5000):
            event_rows.emit(uow.conn, batch[start : start + 5000], now=now)
        uow.commit()
    jikimi.close()
    return url, name


def opened(url: str, name: str, port: int | None) -> Any:
    from jikimi.bootstrap import build_jikimi
    from jikimi.notices.channels import Webhook
    from jikimi.notices.delivery import Channels
    from jikimi.policy.load import load_policy
    from jikimi.store.engine import make_engine

    endpoint = Webhook(f"http://127.0.0.1:{port}/events", SECRET, setting="JIKIMI_EVENTS") if port else None
    return build_jikimi(
        policy=load_policy(common.POLICY),
        engine=make_engine(url),
        keys=common.key_ring(name),
        channels=Channels(events=endpoint),
    )


def deliver(url: str, name: str, port: int) -> dict[str, Any]:
    jikimi = opened(url, name, port)
    began = time.perf_counter()
    delivered = rounds = 0
    while True:
        report = jikimi.events.run_once()
        rounds += 1
        delivered += report.delivered
        if report.claimed == 0:
            break
    seconds = time.perf_counter() - began
    jikimi.events.close()
    jikimi.close()
    return {"delivered": delivered, "rounds": rounds, "seconds": round(seconds, 3)}


def baseline_http(port: int, events: int) -> float:
    from jikimi.notices.channels import sign

    body = b'{"id":"evt_0123456789abcdef01234567","type":"subject.withdrawn","subject_id":"s00000001"}'
    conn = http.client.HTTPConnection("127.0.0.1", port)
    began = time.perf_counter()
    for _ in range(events):
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Jikimi-Timestamp": stamp}
        headers["X-Jikimi-Signature"] = sign(SECRET.encode(), stamp, body)
        conn.request("POST", "/events", body=body, headers=headers)
        conn.getresponse().read()
    seconds = time.perf_counter() - began
    conn.close()
    return events / seconds


def pull(url: str, name: str) -> tuple[float, float, int]:
    """Seconds to page through every event with the service, and with one SELECT; events seen."""
    from sqlalchemy import select

    from jikimi.store.integration_tables import events

    jikimi = opened(url, name, None)
    jikimi.handlers.define_role("bench_events", purposes=[], actions=["events"])
    reader, _ = jikimi.handlers.create("bench-events", "correct horse battery", role="bench_events")
    jikimi.events.sequence()
    began = time.perf_counter()
    after = seen = 0
    while True:
        page = jikimi.events.page(after=after, limit=1000, actor=reader)
        if not page.events:
            break
        seen += len(page.events)
        after = page.next
    ours = time.perf_counter() - began
    began = time.perf_counter()
    with jikimi.core.reading() as conn:
        rows = conn.execute(select(events).order_by(events.c.position)).all()
    raw = time.perf_counter() - began
    jikimi.close()
    assert len(rows) == seen
    return ours, raw, seen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--subjects", type=int, default=1000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    web, port = sink(HTTP_SINK)
    try:
        for kind in args.db:
            url, name = prepared(kind, args.events, args.subjects)
            measured = deliver(url, name, port)
            base = baseline_http(port, args.events)
            per_s = measured["delivered"] / measured["seconds"]
            common.emit(
                {
                    "bench": "service_events.deliver",
                    "db": kind,
                    "events": args.events,
                    "subjects": args.subjects,
                    **measured,
                    "events_per_s": round(per_s, 1),
                    "baseline_per_s": round(base, 1),
                    "ratio": round(per_s / base, 3),
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": common.machine(),
                }
            )
            ours, raw, seen = pull(url, name)
            common.emit(
                {
                    "bench": "service_events.pull",
                    "db": kind,
                    "events": seen,
                    "seconds": round(ours, 3),
                    "events_per_s": round(seen / ours, 1),
                    "baseline_seconds": round(raw, 3),
                    "ratio": round(raw / ours, 3),
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": common.machine(),
                }
            )
            common.drop_database(url, recreate=False)
    finally:
        web.terminate()
        web.wait()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
