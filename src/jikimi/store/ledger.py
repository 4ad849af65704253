"""Queries on ``destruction_ledger`` (파기 기록): entries are written with the destruction they record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from jikimi.clock import as_utc
from jikimi.store.tables import destruction_ledger


@dataclass(frozen=True)
class LedgerEntry:
    at: datetime
    batch_id: str
    process: str
    actor: str
    class_kind: str
    class_id: str
    count: int
    trigger: str
    rule_id: str | None
    basis: str | None
    method: str


def write(conn: Connection, rows: Sequence[Mapping[str, object]]) -> None:
    """Insert entries in the caller's transaction (the one that destroys what they record)."""
    if rows:
        conn.execute(insert(destruction_ledger), list(rows))


def entries(conn: Connection, start: datetime, end: datetime) -> list[LedgerEntry]:
    """The entries written in ``[start, end)``, oldest first."""
    rows = conn.execute(
        select(destruction_ledger)
        .where(destruction_ledger.c.at >= start, destruction_ledger.c.at < end)
        .order_by(destruction_ledger.c.at, destruction_ledger.c.id)
    )
    return [
        LedgerEntry(
            as_utc(r.at),
            r.batch_id,
            r.process,
            r.actor,
            r.class_kind,
            r.class_id,
            r._mapping["count"],
            r.trigger,
            r.rule_id,
            r.basis,
            r.method,
        )
        for r in rows
    ]
