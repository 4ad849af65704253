"""A sweeping process for the crash and concurrency tests: ``vault.sweep`` in a process of its own.

    python tests/lifecycle/sweep_worker.py --url URL --keys KEYFILE --now ISO [--batch N] [--max-active K] [--wait]

Prints JSON lines on stdout, flushed one by one so the parent can act between them:
``{"event": "ready"}`` once everything is imported and the vault is built (before any database
work); with ``--wait`` it then reads one line from stdin before sweeping (a start signal shared by
several workers); ``{"event": "batch", "kind": …, "subjects": n}`` after every batch the sweep
commits; and ``{"event": "done", …}`` with the report (subject ids, destruction counts) at the end.
Run by file path, it imports only jikimi, not the test suite. ``Worker`` is the parent's side.
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def say(**event: object) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--keys", required=True, type=Path)
    parser.add_argument("--now", required=True)
    parser.add_argument("--policy", type=Path, default=ROOT / "examples" / "policies" / "reference.yaml")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--max-active", type=int, default=None, help="sweep slots (see lifecycle/slots.py)")
    parser.add_argument("--wait", action="store_true", help="read a line from stdin before sweeping")
    args = parser.parse_args(argv)

    from jikimi.bootstrap import build_jikimi
    from jikimi.crypto import KeyRing
    from jikimi.policy.load import load_policy
    from jikimi.store.engine import make_engine

    jikimi = build_jikimi(
        policy=load_policy(args.policy), engine=make_engine(args.url), keys=KeyRing.from_file(args.keys)
    )
    say(event="ready")
    if args.wait and not sys.stdin.readline():
        return 1  # the parent went away before the start signal
    report = jikimi.lifecycle.sweep(
        datetime.fromisoformat(args.now),
        batch_size=args.batch,
        max_active=args.max_active,
        progress=lambda kind, count: say(event="batch", kind=kind, subjects=count),
    )
    say(
        event="done",
        subjects=sorted(report.subjects),
        destroyed=dict(report.destroyed),
        separated_dormant=report.separated_dormant,
        notices=report.notices,
        subjects_removed=report.subjects_removed,
        keys_destroyed=report.keys_destroyed,
        batches=report.batches,
        ledger_entries=report.ledger_entries,
    )
    jikimi.core.engine.dispose()
    return 0


class Worker:
    """A sweeping child process seen from the parent: its events, a start signal, SIGKILL."""

    def __init__(
        self,
        url: str,
        keys: Path,
        now: datetime,
        *,
        batch: int,
        wait: bool = True,
        max_active: int | None = None,
    ) -> None:
        self._errors = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty child never blocks
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--url",
                url,
                "--keys",
                str(keys),
                "--now",
                now.isoformat(),
                "--batch",
                str(batch),
                *(["--wait"] if wait else []),
                *(["--max-active", str(max_active)] if max_active is not None else []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.batches = 0
        self.report: dict[str, Any] | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            for line in self.process.stdout:
                self.events.put(json.loads(line))
        except (ValueError, OSError):
            pass  # closed by ``close`` once the process is gone
        self.events.put(None)  # the process ended (or was killed)

    def next_event(self, timeout: float = 120) -> dict[str, Any] | None:
        """The next event, None once the process has ended; counts batches and keeps the report."""
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no word from the sweeping process in {timeout} s") from None
        if event is not None and event["event"] == "batch":
            self.batches += 1
        elif event is not None and event["event"] == "done":
            self.report = event
        return event

    def wait_ready(self) -> None:
        event = self.next_event()
        if event is None or event["event"] != "ready":
            raise RuntimeError(f"the sweeping process did not start: {event} {self.stderr()}")

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def wait_batches(self, count: int) -> bool:
        """Wait until ``count`` more batches are committed; False if the sweep finished first."""
        target = self.batches + count
        while self.batches < target:
            event = self.next_event()
            if event is None or event["event"] == "done":
                return False
        return True

    def finish(self, timeout: float = 300) -> dict[str, Any]:
        """Wait for the report of a sweep left to run to its end."""
        deadline = time.monotonic() + timeout
        while self.report is None:
            if self.next_event(timeout=max(deadline - time.monotonic(), 0.1)) is None and self.report is None:
                raise RuntimeError(f"the sweeping process died: {self.stderr()}")
        self.process.wait(timeout=timeout)
        self.close()
        return self.report

    def kill(self) -> bool:
        """SIGKILL; True if the sweep was still running (no report yet) when the signal was sent."""
        running = self.report is None and self.process.poll() is None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        while self.report is None and self.next_event() is not None:  # drain what it printed before dying
            pass
        self.close()
        return running and self.report is None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self._errors.close()

    def stderr(self) -> str:
        if self.process.poll() is None or self._errors.closed:
            return ""
        self._errors.seek(0)
        return self._errors.read()[-2000:]


if __name__ == "__main__":
    sys.exit(main())
