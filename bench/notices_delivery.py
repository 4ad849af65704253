"""Benchmark: delivering notices to a local SMTP server and a webhook sink, against sending the same
number of ready-made messages with nothing else to do, same run.

    .venv/bin/python bench/notices_delivery.py                      # 2,000 messages, SQLite and PostgreSQL
    .venv/bin/python bench/notices_delivery.py --messages 5000 --db sqlite

The sinks run in processes of their own (aiosmtpd; an HTTP server answering 200), so the worker
measured shares no interpreter with them. ``jikimi`` is `Delivery.drain` in one process: claim a
batch, read each contact through the gate (an access-log row each), render the Korean wording,
send, mark. ``baseline`` is what the same channel costs with no database at all: ``smtplib`` sending
the same number of prebuilt messages over one connection, or ``http.client`` posting prebuilt
bodies on one kept-alive connection. ``ratio`` is jikimi's messages/s over the baseline's.

With ``--workers 1 2`` (PostgreSQL), separate worker processes drain the same outbox at once
(claims with ``FOR UPDATE SKIP LOCKED``); each line gives messages/s for that many workers and
``speedup`` against one. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import smtplib
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from email.mime.text import MIMEText
from email.policy import compat32
from typing import Any

import _common as common

SMTP_SINK = """
import asyncio, signal, sys
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
signal.sigwait({signal.SIGTERM})
c.stop()
"""

HTTP_SINK = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
print("ready", flush=True)
s.serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sink(source: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", source, str(port)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process, port


def prepared(kind: str, name: str, members: int, messages: int, channel: str) -> tuple[str, Any]:
    """A fresh database with ``members`` members and ``messages`` due messages on ``channel``."""
    from jikimi.store import outbox as outbox_rows

    url = common.bench_url(kind, name)
    common.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    common.drop_database(url)
    (common.BENCH_DIR / f"{name}.key").unlink(missing_ok=True)
    jikimi = common.open_jikimi_at(url, name)
    hashes = common.legacy_hashes(2)
    subjects = []
    for i in range(members):
        row = dict(zip(common.HEADER, common.member_row(i, hashes), strict=True))
        data = {k: v for k, v in row.items() if not k.startswith("consent:") and k != "password"}
        subjects.append(jikimi.vault.collect("signup", {**data, "password": f"pass-{i}-long"}).subject_id)
    now = jikimi.core.now()
    with jikimi.core.unit_of_work() as uow:
        for n in range(messages):
            sid = subjects[n % members]
            outbox_rows.enqueue(
                uow.conn,
                kind="dormancy_notice",
                subject_id=sid,
                dedupe_key=f"bench:{n}",
                payload={"subject_id": sid, "separation_at": now.isoformat()},
                due_at=now,
                now=now,
                channel=channel,
            )
        uow.commit()
    jikimi.close()
    return url, jikimi


def channels(smtp_port: int | None, http_port: int | None) -> Any:
    from jikimi.notices.channels import Email, Webhook
    from jikimi.notices.delivery import Channels

    return Channels(
        email=Email(f"smtp://127.0.0.1:{smtp_port}?starttls=off") if smtp_port else None,
        sender=Webhook(f"http://127.0.0.1:{http_port}/notify", "bench-secret") if http_port else None,
    )


def deliver(url: str, name: str, smtp_port: int | None, http_port: int | None, start: Any, out: Any) -> None:
    """One worker: open jikimi, wait for the start, drain the outbox; report messages and seconds."""
    from jikimi.bootstrap import build_jikimi
    from jikimi.policy.load import load_policy
    from jikimi.store.engine import make_engine

    jikimi = build_jikimi(
        policy=load_policy(common.POLICY),
        engine=make_engine(url),
        keys=common.key_ring(name),
        channels=channels(smtp_port, http_port),
    )
    out.put("ready")
    start.wait()
    began = time.perf_counter()
    report = jikimi.delivery.drain()
    out.put((report.delivered, report.dead, time.perf_counter() - began))
    jikimi.delivery.channels.close()
    jikimi.close()


def run_workers(
    url: str, name: str, workers: int, smtp_port: int | None, http_port: int | None
) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    processes = [
        context.Process(target=deliver, args=(url, name, smtp_port, http_port, start, out))
        for _ in range(workers)
    ]
    for p in processes:
        p.start()
    for _ in processes:
        assert out.get() == "ready"
    began = time.perf_counter()
    start.set()
    results = [out.get() for _ in processes]
    wall = time.perf_counter() - began
    for p in processes:
        p.join()
    delivered = sum(r[0] for r in results)
    return {
        "delivered": delivered,
        "dead": sum(r[1] for r in results),
        "seconds": round(wall, 3),
        "msgs_per_s": round(delivered / wall, 1),
    }


def baseline_smtp(port: int, messages: int) -> float:
    mails = []
    for n in range(messages):
        mail = MIMEText("휴면 전환 예정 안내 " * 40, "plain", "utf-8")
        mail["From"], mail["To"], mail["Subject"] = "privacy@example.com", f"m{n}@example.com", "안내"
        mails.append(mail.as_bytes(policy=compat32.clone(linesep="\r\n")))
    conn = smtplib.SMTP("127.0.0.1", port)
    began = time.perf_counter()
    for n, data in enumerate(mails):
        conn.sendmail("privacy@example.com", [f"m{n}@example.com"], data)
    seconds = time.perf_counter() - began
    conn.quit()
    return messages / seconds


def baseline_http(port: int, messages: int) -> float:
    body = ('{"id":"msg_x","body":"' + "휴면 전환 예정 안내 " * 40 + '"}').encode()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    began = time.perf_counter()
    for _ in range(messages):
        conn.request("POST", "/notify", body=body, headers={"Content-Type": "application/json"})
        conn.getresponse().read()
    seconds = time.perf_counter() - began
    conn.close()
    return messages / seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    smtp, smtp_port = sink(SMTP_SINK)
    web, http_port = sink(HTTP_SINK)
    try:
        for kind in args.db:
            for channel, port_pair, baseline in (
                ("email", (smtp_port, None), lambda: baseline_smtp(smtp_port, args.messages)),
                ("push", (None, http_port), lambda: baseline_http(http_port, args.messages)),
            ):
                single: float | None = None
                for workers in args.workers if kind != "sqlite" else [1]:
                    name = f"deliver-{kind}-{channel}"
                    url, _ = prepared(kind, name, args.members, args.messages, channel)
                    measured = run_workers(url, name, workers, *port_pair)
                    base = baseline()
                    single = single or measured["msgs_per_s"]
                    common.emit(
                        {
                            "bench": "notices_delivery",
                            "db": kind,
                            "channel": channel,
                            "workers": workers,
                            "messages": args.messages,
                            **measured,
                            "baseline_msgs_per_s": round(base, 1),
                            "ratio": round(measured["msgs_per_s"] / base, 3),
                            "speedup": round(measured["msgs_per_s"] / single, 2),
                            "at": datetime.now(UTC).isoformat(timespec="seconds"),
                            "machine": common.machine(),
                        }
                    )
                    common.drop_database(url, recreate=False)
    finally:
        smtp.terminate()
        web.terminate()
        smtp.wait()
        web.wait()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
