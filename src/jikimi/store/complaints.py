"""Queries on complaints (의견수렴 및 불만처리): one complaint, the work queue, receipt and answer.

The body and the answer are ciphertext sealed under the complaint's own data key (``cp~<id>``);
these queries never see a plaintext.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, case, insert, select, update

from jikimi.errors import NotFound
from jikimi.store.notice_tables import complaints

ComplaintRow = Row[Any]
"""A ``complaints`` row (``.id``, ``.status``, ``.due_at``, ``.body``…), as the service reads it."""


def get(conn: Connection, complaint_id: str, *, lock: bool = False) -> ComplaintRow:
    """The complaint's row, or ``NotFound``; ``lock`` holds it until the transaction ends (PostgreSQL)."""
    query = select(complaints).where(complaints.c.id == complaint_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("민원이 없습니다", "no such complaint")
    return row


def add(conn: Connection, **values: Any) -> None:
    """Insert a complaint (``status`` ``open``)."""
    conn.execute(insert(complaints).values(status="open", **values))


def answer(
    conn: Connection, complaint_id: str, *, answered_at: datetime, answered_by: str, sealed: bytes
) -> bool:
    """Record the answer of a complaint still open; False when it was answered meanwhile."""
    result = conn.execute(
        update(complaints)
        .where(complaints.c.id == complaint_id, complaints.c.status == "open")
        .values(status="answered", answered_at=answered_at, answered_by=answered_by, answer=sealed)
    )
    return bool(result.rowcount)


def queue(
    conn: Connection,
    now: datetime,
    *,
    statuses: Sequence[str],
    overdue: bool | None,
    limit: int,
) -> list[ComplaintRow]:
    """Complaints of ``statuses``, overdue ones first, then by deadline and receipt (the work queue).
    ``overdue``: only the open ones past their deadline (True), or only the others (False)."""
    late = (complaints.c.status == "open") & (complaints.c.due_at <= now)
    query = select(complaints).where(complaints.c.status.in_(list(statuses)))
    if overdue is True:
        query = query.where(late)
    elif overdue is False:
        query = query.where(~late)
    overdue_first = case((late, 0), else_=1)
    query = query.order_by(
        overdue_first, complaints.c.due_at, complaints.c.received_at, complaints.c.id
    ).limit(limit)
    return list(conn.execute(query).all())
