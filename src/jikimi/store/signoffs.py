"""Queries on ``ledger_signoffs``: the privacy officer's signature under a month's destruction ledger
(one row a month: the signature in force; an earlier one it replaced stays in the access log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select
from sqlalchemy.exc import IntegrityError

from jikimi.clock import as_utc
from jikimi.errors import StateConflict
from jikimi.store.face_tables import ledger_signoffs
from jikimi.store.tables import handlers


@dataclass(frozen=True)
class SignOff:
    """Who signed a month's ledger and when, over how many entries and which text (its SHA-256)."""

    month: str
    entries: int
    digest: str
    signed_by: str
    """The signer's handler id."""
    signer_login: str | None
    """The signer's login (``None`` if the account row is gone)."""
    signed_at: datetime
    note: str | None


def get(conn: Connection, month: str, *, lock: bool = False) -> SignOff | None:
    """The month's sign-off, or ``None``; ``lock`` holds the row until the transaction ends (PostgreSQL)."""
    query = select(ledger_signoffs).where(ledger_signoffs.c.month == month)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        return None
    login = conn.execute(select(handlers.c.login).where(handlers.c.id == row.signed_by)).scalar()
    return _signoff(row, login)


def put(
    conn: Connection,
    *,
    month: str,
    entries: int,
    digest: str,
    signed_by: str,
    signed_at: datetime,
    note: str | None,
) -> None:
    """Record the month's signature, replacing the one there was (the caller decides it may).
    ``StateConflict`` when another signature of the month was written meanwhile."""
    conn.execute(delete(ledger_signoffs).where(ledger_signoffs.c.month == month))
    try:
        conn.execute(
            insert(ledger_signoffs).values(
                month=month,
                entries=entries,
                digest=digest,
                signed_by=signed_by,
                signed_at=signed_at,
                note=note,
            )
        )
    except IntegrityError as exc:  # two first signatures of one month at once: the later loses
        raise StateConflict(
            f"{month} 파기 기록에 방금 다른 서명이 기록되었습니다",
            f"the {month} ledger was just signed by another",
        ) from exc


def recent(conn: Connection, *, limit: int = 12) -> list[SignOff]:
    """The newest months signed, newest month first."""
    rows = conn.execute(
        select(ledger_signoffs, handlers.c.login.label("signer_login"))
        .outerjoin(handlers, handlers.c.id == ledger_signoffs.c.signed_by)
        .order_by(ledger_signoffs.c.month.desc())
        .limit(max(1, limit))
    )
    return [_signoff(r, r.signer_login) for r in rows]


def _signoff(row: Row[Any], login: object) -> SignOff:
    values = row._mapping
    return SignOff(
        month=str(values["month"]),
        entries=int(values["entries"]),
        digest=str(values["digest"]),
        signed_by=str(values["signed_by"]),
        signer_login=str(login) if login is not None else None,
        signed_at=as_utc(values["signed_at"]),
        note=values["note"],
    )
