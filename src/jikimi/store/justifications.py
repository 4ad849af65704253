"""Queries on ``justifications`` (소명 요청): asking, answering, closing, and the lists.

A row names handlers by id; every read here joins the logins (the asked handler's, the asker's,
the closer's). The question, the answer and the closing note arrive scrubbed (``core.scrub``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, insert, select, update

from jikimi.errors import NotFound
from jikimi.store.face_tables import justifications
from jikimi.store.tables import handlers

JustificationRow = Row[Any]
"""A ``justifications`` row with ``handler_login``, ``asked_by_login`` and ``closed_by_login``."""

_asked = handlers.alias("asked")
_asker = handlers.alias("asker")
_closer = handlers.alias("closer")


def _with_logins() -> Select[Any]:
    return (
        select(
            justifications,
            _asked.c.login.label("handler_login"),
            _asker.c.login.label("asked_by_login"),
            _closer.c.login.label("closed_by_login"),
        )
        .join(_asked, _asked.c.id == justifications.c.handler_id)
        .join(_asker, _asker.c.id == justifications.c.asked_by)
        .outerjoin(_closer, _closer.c.id == justifications.c.closed_by)
    )


def add(conn: Connection, **values: Any) -> None:
    """Insert a request (unanswered, open)."""
    conn.execute(insert(justifications).values(**values))


def get(conn: Connection, justification_id: str, *, lock: bool = False) -> JustificationRow:
    """The request with the logins, or ``NotFound``; ``lock`` holds it until the transaction ends
    (PostgreSQL: the row itself, not the handlers it names)."""
    query = _with_logins().where(justifications.c.id == justification_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=justifications)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("소명 요청이 없습니다", "no such justification request")
    return row


def answer(conn: Connection, justification_id: str, *, text: str, at: datetime) -> bool:
    """Record the handler's answer of a request not yet answered nor closed; False otherwise."""
    result = conn.execute(
        update(justifications)
        .where(
            justifications.c.id == justification_id,
            justifications.c.answered_at.is_(None),
            justifications.c.closed_at.is_(None),
        )
        .values(answer=text, answered_at=at)
    )
    return bool(result.rowcount)


def close(
    conn: Connection, justification_id: str, *, by: str, at: datetime, outcome: str, note: str | None
) -> bool:
    """Close an answered request (``outcome`` accepted | action); False when it is unanswered or
    closed already."""
    result = conn.execute(
        update(justifications)
        .where(
            justifications.c.id == justification_id,
            justifications.c.answered_at.is_not(None),
            justifications.c.closed_at.is_(None),
        )
        .values(closed_by=by, closed_at=at, outcome=outcome, closing_note=note)
    )
    return bool(result.rowcount)


def listed(
    conn: Connection,
    *,
    month: str | None = None,
    handler_login: str | None = None,
    open_only: bool = False,
    limit: int = 500,
) -> list[JustificationRow]:
    """Requests of ``month`` and to the handler ``handler_login`` (each when given; ``open_only``:
    not closed), the oldest deadline first, the closed ones last."""
    query = _with_logins()
    if month is not None:
        query = query.where(justifications.c.month == month)
    if handler_login is not None:
        query = query.where(_asked.c.login == handler_login)
    if open_only:
        query = query.where(justifications.c.closed_at.is_(None))
    query = query.order_by(
        justifications.c.closed_at.is_not(None),
        justifications.c.due_at,
        justifications.c.asked_at,
        justifications.c.id,
    ).limit(limit)
    return list(conn.execute(query).all())
