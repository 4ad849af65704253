"""Many stateless processes on one PostgreSQL (docs/scale.md): three ``jikimi serve`` servers on
their own loopback ports, three sweeping processes and three ``jikimi deliver`` processes, all at
once against one database. Every request is answered; each due subject is swept by exactly one
process and every destruction is in the ledger once; each outbox message reaches a real receiver
(an SMTP server, a webhook endpoint) exactly once; and the access log, written by every one of
those processes on chains of their own, verifies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from itertools import combinations
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from jikimi import Settings, open_jikimi
from jikimi.audit.log import verify
from jikimi.crypto import KeyRing, MasterKey
from jikimi.store import outbox as outbox_rows
from jikimi.store.engine import make_engine
from jikimi.store.tables import outbox

from .conftest import EXAMPLES, MEMBER
from .databases import fresh_postgres
from .lifecycle.due_set import GONE, NOW, build, key_ids, ledger_totals, shapes
from .lifecycle.sweep_worker import Worker
from .notices.receivers import free_port, smtp_server, webhook_receiver
from .policies import cached_policy

pytestmark = pytest.mark.slow

JIKIMI = str(Path(sys.executable).with_name("jikimi"))
POLICY = EXAMPLES / "reference.yaml"
SERVERS = SWEEPERS = DELIVERERS = 3
MEMBERS = 24  # signed up through the servers, each with an e-mail and an app push queued
READS_PER_THREAD = 20
PER_CASE = 30  # the due set: 270 subjects, 180 of them due


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIKIMI_")}
    return env | {"PYTHONUNBUFFERED": "1", **extra}


@contextmanager
def serving(url: str, key_file: Path, tmp_path: Path) -> Iterator[str]:
    """``jikimi serve`` on a loopback port of its own (its default worker count), until the block ends."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [JIKIMI, "serve", "--policy", str(POLICY), "--db", url, "--key-file", str(key_file),
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=environment(tmp_path), cwd=tmp_path,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while not up(base):
                assert server.poll() is None, log.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.2)
            yield base
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


def up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def signup(client: httpx.Client, base: str, token: str, n: int) -> tuple[int, str | None]:
    data = {
        **MEMBER,
        "login_id": f"member{n}",
        "email": f"member{n}@example.com",
        "mobile": f"010-5555-{n:04d}",
        "ci": f"CI{n:086d}",
    }
    answer = client.post(
        f"{base}/v1/subjects",
        json={"context": "signup", "data": data, "consents": {"marketing": True}, "channel": "web"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code, answer.json().get("subject_id") if answer.status_code == 201 else None


def read(client: httpx.Client, base: str, token: str, subject_id: str) -> tuple[int, object]:
    answer = client.post(
        f"{base}/v1/subjects/{subject_id}/read",
        json={"items": ["name", "email"], "purpose": "membership"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code, answer.json()


def test_servers_sweepers_and_deliverers_share_one_postgresql_without_doing_anything_twice(
    tmp_path: Path,
) -> None:
    with ExitStack() as stack:
        url = stack.enter_context(fresh_postgres())
        ring = KeyRing(MasterKey.generate())
        key_file = tmp_path / "master.key"
        ring.write(key_file)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        jikimi = open_jikimi(Settings.from_env({}, db_url=url, key_file=key_file, policy_path=POLICY))
        stack.callback(jikimi.close)
        jikimi.handlers.define_role("ops", purposes=["membership", "support"], actions=["read", "collect"])
        _, token = jikimi.handlers.create("ops-kim", "correct horse battery", role="ops")
        due = build(engine, cached_policy(POLICY), ring, per_case=PER_CASE)

        servers = [stack.enter_context(serving(url, key_file, tmp_path)) for _ in range(SERVERS)]
        codes: list[int] = []
        members: list[str] = []
        with httpx.Client(timeout=60) as client:
            for n in range(MEMBERS):
                code, sid = signup(client, servers[n % SERVERS], token, n)
                codes.append(code)
                if sid is not None:
                    members.append(sid)
        assert codes == [201] * MEMBERS

        now = jikimi.core.now() - timedelta(seconds=1)
        with jikimi.core.unit_of_work() as uow:
            for sid in members:
                for channel in ("email", "push"):
                    outbox_rows.enqueue(
                        uow.conn,
                        kind="dormancy_notice",
                        subject_id=sid,
                        dedupe_key=f"many:{sid}:{channel}",
                        payload={"subject_id": sid, "separation_at": "2027-12-01T15:00:00+00:00"},
                        due_at=now,
                        now=now,
                        channel=channel,
                    )
            uow.commit()
        with engine.connect() as conn:
            queued = {int(r.id) for r in conn.execute(select(outbox.c.id).where(outbox.c.due_at <= now))}
        assert len(queued) == 2 * MEMBERS

        mail_url, inbox = stack.enter_context(smtp_server())
        sender_url, posts = stack.enter_context(webhook_receiver())
        sweepers = [Worker(url, key_file, NOW, batch=10) for _ in range(SWEEPERS)]
        for sweeper in sweepers:
            stack.callback(sweeper.close)
            sweeper.wait_ready()

        # all at once: the servers answer reads and sign-ups while the sweeps and deliveries run
        answers: list[tuple[int, object]] = []
        lock = threading.Lock()

        def traffic(base: str, offset: int) -> None:
            with httpx.Client(timeout=60) as client:
                for n in range(READS_PER_THREAD):
                    answer = read(client, base, token, members[(offset + n) % len(members)])
                    with lock:
                        answers.append(answer)
                code, _ = signup(client, base, token, 1000 + offset)
                with lock:
                    answers.append((code, None))

        threads = [threading.Thread(target=traffic, args=(base, i)) for i, base in enumerate(servers * 2)]
        deliver_env = environment(
            tmp_path,
            JIKIMI_DB_URL=url,
            JIKIMI_KEY_FILE=str(key_file),
            JIKIMI_POLICY=str(POLICY),
            JIKIMI_SMTP_URL=mail_url,
            JIKIMI_SENDER_URL=sender_url,
            JIKIMI_SENDER_SECRET="s3cret",
        )
        for sweeper in sweepers:
            sweeper.go()
        for thread in threads:
            thread.start()
        deliverers = [
            subprocess.Popen(
                [JIKIMI, "deliver", "--once", "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=deliver_env,
                cwd=tmp_path,
                text=True,
            )  # fmt: skip
            for _ in range(DELIVERERS)
        ]
        delivered = []
        for deliverer in deliverers:
            out, errors = deliverer.communicate(timeout=300)
            assert deliverer.returncode == 0, errors
            delivered.append(json.loads(out))
        reports = [sweeper.finish() for sweeper in sweepers]
        for thread in threads:
            thread.join(timeout=300)

        # every request answered, and the reads read what the sign-ups stored
        assert len(answers) == 2 * SERVERS * (READS_PER_THREAD + 1)
        assert [code for code, _ in answers if code not in (200, 201)] == []
        assert all(body["values"]["email"].endswith("@example.com") for code, body in answers if code == 200)  # type: ignore[index]

        # each due subject swept by exactly one process, every destruction in the ledger once
        handled = [set(report["subjects"]) for report in reports]
        for (i, mine), (j, theirs) in combinations(enumerate(handled), 2):
            assert not mine & theirs, f"sweepers {i} and {j} both handled {sorted(mine & theirs)[:5]}"
        assert set().union(*handled) == due.due
        reported: Counter[str] = Counter()
        for report in reports:
            reported.update(report["destroyed"])
        with engine.connect() as conn:
            assert ledger_totals(conn) == reported == due.destroyed_total()
            after = {sid: s for sid, s in shapes(conn).items() if sid in due.after}
            assert after == {sid: s for sid, s in due.after.items() if s != GONE}
            others = key_ids(conn) - due.keys_after  # the members signed up through the servers
            assert due.keys_after <= key_ids(conn) and not {k.split("~")[0] for k in others} & set(due.after)
            chosen = select(outbox.c.id, outbox.c.status).where(outbox.c.id.in_(sorted(queued)))
            states = {int(message_id): str(status) for message_id, status in conn.execute(chosen)}

        # each message delivered once: to the SMTP server or the sender's webhook, never both, never twice
        received = inbox.ids() + [str(body["id"]) for body in posts.bodies()]
        assert len(received) == len(set(received)) == len(queued)
        assert sum(d["delivered"] for d in delivered) == len(queued)
        assert set(states.values()) == {"delivered"}
        assert len(inbox.ids()) == len(posts.bodies()) == MEMBERS

        # the log of every process verifies: the servers' workers, the sweepers, the deliverers
        with engine.connect() as conn:
            verification = verify(conn, keys=ring)
        assert verification.ok, verification.breaks[:3]
        assert verification.chains >= SERVERS + SWEEPERS + DELIVERERS
