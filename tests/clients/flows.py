"""Running a client program's flow and reading its answer: one JSON line, ``{"ok": …, "checks":
{name: held}, "timings_ms": {…}, …}``. Each flow (TypeScript, Python) makes the same checks, and
every one of them must have been made: a check the program never reached fails the test too."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FLOW_SECONDS = 180

CHECKS = frozenset(
    {
        "logged_in",
        "same_subject_twice",  # the same Idempotency-Key and body twice: one subject
        "second_replayed",  # … and the second answer says Idempotent-Replayed: true
        "read_for_purpose",
        "refused_without_consent",  # 403 consent_missing
        "withdrawn",
        "refused_after_withdrawal",  # 403 withdrawn
        "event_received",  # subject.withdrawn for that subject, at the program's own receiver
        "event_id_shape",
        "signature_verified",
        "tampered_body_refused",
        "wrong_secret_refused",
        "stale_timestamp_refused",  # outside the 300 s window
        "pulled_same_event",  # GET /v1/events after the position before it: the same event
        "pulled_after_next",  # … and after `next`, only later ones
    }
)


@dataclass(frozen=True)
class FlowResult:
    answer: dict[str, Any]
    returncode: int
    seconds: float
    output: str


def run_flow(command: list[str], *, env: dict[str, str], cwd: Path) -> FlowResult:
    started = time.monotonic()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=FLOW_SECONDS)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    answer: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return FlowResult(answer, done.returncode, time.monotonic() - started, done.stdout + done.stderr)
