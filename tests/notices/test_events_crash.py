"""Service events at least once, with nothing lost: 1,000 members withdraw, the sweep destroys what
their withdrawal kept once its periods end, and `jikimi deliver` — killed with SIGKILL ten times at
random moments — still brings every event to the service's receiver on loopback: 1,000
``subject.withdrawn``, one ``subject.destroyed`` for each subject the sweep left nothing of, each
signed with a valid signature, each subject's in order. A kill after sending and before marking
sends an event twice with the same id: counted here, and what the service drops."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from jikimi import Settings, open_jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.notices.channels import verify
from jikimi.store.integration_tables import events
from jikimi.store.tables import subjects

from ..conftest import EXAMPLES, MEMBER
from ..vault.conftest import fast_passwords
from .receivers import webhook_receiver

SUBJECTS = 1000
KILLS = 10
SECRET = "events-signing-key"


def test_ten_kills_of_the_worker_lose_no_event_of_1000_withdrawals_and_their_destruction(
    db_url: str, tmp_path: Path
) -> None:
    key_file = tmp_path / "master.key"
    assert run(["keys", "init", "--key-file", str(key_file)]) == 0
    with webhook_receiver() as (url, posts):
        env = {
            **os.environ,
            "JIKIMI_DB_URL": db_url,
            "JIKIMI_KEY_FILE": str(key_file),
            "JIKIMI_POLICY": str(EXAMPLES / "reference.yaml"),
            "JIKIMI_EVENTS_URL": url,
            "JIKIMI_EVENTS_SECRET": SECRET,
        }
        settings = Settings.from_env(env)
        # withdrawn four months ago: by now every period the reference policy keeps a leaver's data for
        # (30 days for the CI, 3 months for the login id) has ended, so the sweep leaves nothing
        withdrawn_at = datetime.now(UTC) - timedelta(days=125)
        jikimi = open_jikimi(settings, clock=FixedClock(withdrawn_at), passwords=fast_passwords())
        try:
            for n in range(SUBJECTS):
                data = {**MEMBER, "login_id": f"leaver{n}", "email": f"l{n}@example.com", "ci": f"CI{n:086d}"}
                sid = jikimi.vault.collect("signup", {**data, "mobile": f"010-7777-{n:04d}"}).subject_id
                jikimi.lifecycle.withdraw(sid, "member_request")
            jikimi.lifecycle.sweep(now=datetime.now(UTC) - timedelta(minutes=1))
            with jikimi.core.reading() as conn:
                left = conn.execute(select(func.count()).select_from(subjects)).scalar_one()
                written = Counter(conn.execute(select(events.c.type)).scalars())
        finally:
            jikimi.close()
        assert written["subject.withdrawn"] == SUBJECTS
        assert written["subject.destroyed"] == SUBJECTS - left  # one for each subject with nothing left
        total = sum(written.values())

        rng = random.Random(20261203)
        command = [sys.executable, "-c", "from jikimi.cli import main; main()", "deliver"]
        command += ["--lease", "1", "--poll", "0.1"]
        landed = 0  # kills that came while events were still being delivered
        for _ in range(KILLS):
            worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            start, deadline = len(posts.received), time.monotonic() + 60
            while len(posts.received) == start and time.monotonic() < deadline and start < total:
                assert worker.poll() is None, worker.communicate()[1]  # it must not stop on its own
                time.sleep(0.01)  # until this worker is sending
            time.sleep(rng.uniform(0, 0.5))  # then at a random moment of its work
            before = len(posts.received)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            landed += before < total
        time.sleep(1.1)  # the last worker's lease runs out
        finished = subprocess.run([*command[:4], "--once", "--json"], env=env, capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr

        with posts.lock:
            received = list(posts.received)
    bad = [
        h
        for h, body in received
        if not verify(SECRET.encode(), h["X-Jikimi-Timestamp"], body, h["X-Jikimi-Signature"])
    ]
    bodies = [json.loads(body) for _, body in received]
    copies = Counter(b["id"] for b in bodies)
    firsts = {b["id"]: b for b in reversed(bodies)}  # each event as first received
    by_type = Counter(b["type"] for b in firsts.values())
    seen: dict[str, list[int]] = defaultdict(list)
    for b in bodies:
        seen[b["subject_id"]].append(b["position"])
    out_of_order = [s for s, positions in seen.items() if _first_seen(positions) != sorted(set(positions))]
    duplicates = sum(n - 1 for n in copies.values())
    print(
        f"kills {KILLS} ({landed} mid-delivery), events {total} {dict(written)}, received {len(bodies)}, "
        f"duplicates {duplicates}, bad signatures {len(bad)}, subjects out of order {len(out_of_order)}"
    )
    assert landed >= KILLS // 2  # the kills really interrupted the work
    assert len(firsts) == total  # none lost
    assert by_type["subject.withdrawn"] == SUBJECTS
    assert by_type["subject.destroyed"] == written["subject.destroyed"]
    assert bad == []
    assert out_of_order == []  # a subject's events first arrived in their order


def _first_seen(positions: list[int]) -> list[int]:
    """The positions in the order each first arrived (a resent one after a kill comes again later)."""
    return list(dict.fromkeys(positions))
