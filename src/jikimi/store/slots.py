"""Sweep slots (동시 실행 제한): at most K processes sweep one PostgreSQL database at once.

A sweeping process first takes one of K session-scoped advisory locks ("slots") on a connection of
its own and holds it for its whole run; a process finding every slot taken stands by, polling,
and sweeps once a slot frees — when a sweeping process finishes or dies (PostgreSQL releases a
dead session's locks), so a standby also takes over from a killed worker. Standbys hold no
transaction while they wait: a blocked ``pg_advisory_lock`` would keep a snapshot open for the
whole sweep and stop PostgreSQL from pruning the rows the sweeping processes delete.

Why: on a host where PostgreSQL and the sweepers share the CPUs, processes beyond the CPU count add
no throughput and cost every process time in caches and scheduling (docs/performance.md measures
it). ``default_limit`` gives one slot per CPU when the database runs on this host and no limit
when it runs elsewhere — PostgreSQL cannot tell its clients how many CPUs it has; an operator sets
``--max-active`` for a database server of known size. SQLite needs no slots: it has one writer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

SLOT_LOCK_CLASS = 0x6A696B69  # "jiki": the first key of the slots' two-key advisory locks
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Slot:
    """The slot a sweep holds (None: no limit) and whether it had to stand by for it."""

    number: int | None
    waited: bool = False


def default_limit(url: URL, cpus: int) -> int | None:
    """One sweeping process per CPU when PostgreSQL runs on this host (a loopback address or a
    Unix socket); None — no limit — for SQLite or a database elsewhere."""
    if url.get_backend_name() != "postgresql":
        return None
    hosts = [url.host] if url.host else []
    query_host = url.query.get("host")
    hosts += [query_host] if isinstance(query_host, str) else list(query_host or ())
    if not hosts or all(host in LOCAL_HOSTS or host.startswith("/") for host in hosts):
        return max(cpus, 1)
    return None


def chosen_limit(requested: int | None, url: URL, cpus: int) -> int | None:
    """``--max-active`` as asked (``0``: no limit), or ``default_limit`` when not given."""
    return default_limit(url, cpus) if requested is None else (requested or None)


@contextmanager
def sweep_slot(
    engine: Engine,
    limit: int | None,
    *,
    poll: float = POLL_SECONDS,
    on_wait: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Slot]:
    """Hold one of ``limit`` sweep slots for the ``with`` block (None: no limit, or SQLite).

    ``on_wait`` is called once if every slot is taken and the process stands by."""
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1, or None for no limit")
    if limit is None or engine.dialect.name != "postgresql":
        yield Slot(None)
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        slot = _try_any(conn, limit)
        waited = slot is None
        if waited and on_wait is not None:
            on_wait()
        while slot is None:
            sleep(poll)
            slot = _try_any(conn, limit)
        try:
            yield Slot(slot, waited)
        finally:
            try:
                conn.execute(select(func.pg_advisory_unlock(SLOT_LOCK_CLASS, slot)))
            except DBAPIError:
                conn.invalidate()  # never back into the pool holding the slot; a lost session held nothing


def _try_any(conn: Connection, limit: int) -> int | None:
    for slot in range(limit):  # one lock tried at a time: never two slots held by one process
        if conn.execute(select(func.pg_try_advisory_lock(SLOT_LOCK_CLASS, slot))).scalar():
            return slot
    return None
