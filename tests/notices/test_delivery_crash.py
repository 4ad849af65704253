"""At least once, with nothing lost: `jikimi deliver` killed with SIGKILL twenty times at random
moments, then run to the end, has delivered every message or declared it dead with a reason. A crash
after sending and before marking sends a message twice, with the same id — counted here (at most
``MARK_EVERY`` per kill), and what a receiver drops."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from jikimi import Settings, open_jikimi
from jikimi.cli import run
from jikimi.store import outbox as outbox_rows
from jikimi.store.tables import outbox

from ..conftest import EXAMPLES, MEMBER
from .receivers import smtp_server

MESSAGES = 1000
KILLS = 20


def test_twenty_kills_at_random_moments_lose_no_message(db_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    assert run(["keys", "init", "--key-file", str(key_file)]) == 0
    policy = EXAMPLES / "reference.yaml"
    with smtp_server() as (smtp_url, inbox):
        env = {
            **os.environ,
            "JIKIMI_DB_URL": db_url,
            "JIKIMI_KEY_FILE": str(key_file),
            "JIKIMI_POLICY": str(policy),
            "JIKIMI_SMTP_URL": smtp_url,
        }
        settings = Settings.from_env(env)
        jikimi = open_jikimi(settings)
        try:
            now = jikimi.core.now()
            subjects = [
                jikimi.vault.collect(
                    "signup",
                    {
                        **MEMBER,
                        "login_id": f"member{n}",
                        "email": f"m{n}@example.com",
                        "ci": f"CI{n:086d}",
                        "mobile": f"010-5555-{n:04d}",
                    },
                ).subject_id
                for n in range(MESSAGES // 10)
            ]
            with jikimi.core.unit_of_work() as uow:
                for n in range(MESSAGES):
                    outbox_rows.enqueue(
                        uow.conn,
                        kind="dormancy_notice",
                        subject_id=subjects[n % len(subjects)],
                        dedupe_key=f"crash:{n}",
                        payload={"subject_id": subjects[n % len(subjects)], "separation_at": now.isoformat()},
                        due_at=now,
                        now=now,
                    )
                uow.commit()
        finally:
            jikimi.close()

        rng = random.Random(20261203)
        command = [
            sys.executable,
            "-c",
            "from jikimi.cli import main; main()",
            "deliver",
            "--lease",
            "1",
            "--poll",
            "0.1",
        ]
        landed = 0  # kills that came while messages were still being delivered
        for _ in range(KILLS):
            worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            start, deadline = len(inbox.ids()), time.monotonic() + 60
            while len(inbox.ids()) == start and time.monotonic() < deadline and start < MESSAGES:
                assert worker.poll() is None, worker.communicate()[1]  # it must not stop on its own
                time.sleep(0.01)  # until this worker is sending
            time.sleep(rng.uniform(0, 0.25))  # then at a random moment of its work
            before = len(inbox.ids())
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            landed += before < MESSAGES
        time.sleep(1.1)  # the last worker's lease runs out
        finished = subprocess.run([*command[:4], "--once", "--json"], env=env, capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr

        engine_jikimi = open_jikimi(settings)
        try:
            with engine_jikimi.core.reading() as conn:
                by_status = dict(
                    conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)).all()
                )
                unexplained = conn.execute(
                    select(func.count()).where(outbox.c.status != "delivered", outbox.c.last_error.is_(None))
                ).scalar_one()
                expected = {
                    outbox_rows.message_id(k) for k in conn.execute(select(outbox.c.dedupe_key)).scalars()
                }
        finally:
            engine_jikimi.close()
        received = Counter(inbox.ids())
        duplicates = sum(n - 1 for n in received.values())
        print(
            f"kills {KILLS} ({landed} mid-delivery), messages {MESSAGES}, {by_status}, "
            f"duplicates {duplicates}"
        )
        assert landed >= KILLS // 2  # the kills really interrupted the work
        assert by_status == {"delivered": MESSAGES}
        assert unexplained == 0
        assert set(received) == expected  # every message arrived, none that was not queued
