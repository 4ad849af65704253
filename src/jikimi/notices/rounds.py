"""What every delivery round shares, the outbox's notices and the service events alike: the back-off
between tries, the worker's name, how often sent rows are marked, and the report of a round."""

from __future__ import annotations

import os
import random
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=6)
MARK_EVERY = 20
"""Messages sent between two marks: at most this many go twice after a crash."""


def retry_delay(attempts: int, rng: random.Random) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 30 s doubling up to 6 hours, with
    jitter (between half and all of it), so failing messages do not all come back at once."""
    ceiling: timedelta = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LAST_RETRY)
    return ceiling * (0.5 + rng.random() / 2)


def next_try(attempts: int, retry: bool, tries: int, now: datetime, rng: random.Random) -> datetime | None:
    """When a message (or event) that failed its ``attempts``-th try goes again: after the back-off
    if the failure may pass and tries remain, else never (``None``: it is dead)."""
    return now + retry_delay(attempts, rng) if retry and attempts < tries else None


def count_failure(report: DeliveryReport, code: str, *, dead: bool) -> None:
    """A failed try in the round's report: its code, and whether it was the last."""
    report.errors[code] += 1
    if dead:
        report.dead += 1
    else:
        report.retried += 1


def worker_name() -> str:
    """``host:pid`` (and thread, when not the main one) of the process delivering."""
    name = f"{socket.gethostname()}:{os.getpid()}"
    thread = threading.current_thread()
    return name if thread is threading.main_thread() else f"{name}:{thread.name}"


@dataclass
class DeliveryReport:
    """What one or more rounds did: messages claimed, delivered, tried again later, and dead, and
    the error codes seen."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    events: int = 0
    """Of ``delivered``, how many were service events (``notices.service_events``)."""

    def add(self, other: DeliveryReport) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        self.errors.update(other.errors)
        self.events += other.events


class Round(Protocol):
    """Another stream delivered in the same rounds as the notices (the service events)."""

    lease: timedelta

    def run_once(self, limit: int = ..., *, worker: str | None = None) -> DeliveryReport: ...
