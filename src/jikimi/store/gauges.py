"""What ``/metrics`` reports from the database at each scrape (``api.metrics``): counts, never a row.

The database is the one truth every process shares — the API's workers, the sweeps a timer runs,
the delivery workers — so these are read where they are kept rather than counted in one process.
Each is one aggregate over an indexed or small set: the outbox and the service events by status,
what is due and how late, open rights requests by days left, and the destruction ledger's totals.
Only statuses, kinds, classes and triggers are returned: codes of the policy and of jikimi, never an
id or a value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, func, select

from jikimi.clock import as_utc
from jikimi.store.integration_tables import events
from jikimi.store.rights import OPEN_STATUSES
from jikimi.store.tables import destruction_ledger, outbox, rights_requests


@dataclass(frozen=True)
class Queue:
    """An outbox of messages: how many in each status, how many pending are due, the oldest due."""

    by_status: dict[str, int]
    due: int
    oldest_due: datetime | None


@dataclass(frozen=True)
class Gauges:
    outbox: Queue
    events: Queue
    rights_due: list[datetime]  # the due instants of the open rights requests
    destroyed: dict[tuple[str, str], int]  # (class kind, trigger) -> rows destroyed, from the ledger
    last_sweep: datetime | None


def _queue(conn: Connection, table: Table, now: datetime) -> Queue:
    """``table`` is outbox-shaped: a ``status`` and a ``due_at``."""
    status, due_at = table.c.status, table.c.due_at
    by_status = {str(s): int(n) for s, n in conn.execute(select(status, func.count()).group_by(status))}
    due, oldest = conn.execute(
        select(func.count(), func.min(due_at)).where(status == "pending", due_at <= now)
    ).one()
    return Queue(by_status, int(due or 0), as_utc(oldest))


def read_gauges(conn: Connection, now: datetime) -> Gauges:
    ledger = destruction_ledger
    rights_due = [
        as_utc(due)
        for (due,) in conn.execute(
            select(rights_requests.c.due_at).where(rights_requests.c.status.in_(sorted(OPEN_STATUSES)))
        )
    ]
    destroyed = {
        (str(kind), str(trigger)): int(total or 0)
        for kind, trigger, total in conn.execute(
            select(ledger.c.class_kind, ledger.c.trigger, func.sum(ledger.c.count)).group_by(
                ledger.c.class_kind, ledger.c.trigger
            )
        )
    }
    last_sweep = conn.execute(select(func.max(destruction_ledger.c.at))).scalar_one()
    return Gauges(
        outbox=_queue(conn, outbox, now),
        events=_queue(conn, events, now),
        rights_due=[due for due in rights_due if due is not None],
        destroyed=destroyed,
        last_sweep=as_utc(last_sweep),
    )
