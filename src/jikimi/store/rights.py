"""Queries on rights requests (정보주체 권리 요구), their history, verification codes and processing stops."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jikimi.errors import NotFound
from jikimi.store.tables import processing_stops, rights_events, rights_requests, verification_codes

OPEN_STATUSES = ("received", "verified", "in_progress", "extended")

RequestRow = Row[Any]
"""A ``rights_requests`` row (``.id``, ``.status``, ``.scope``…), as the desk reads it."""


def get(conn: Connection, request_id: str, *, lock: bool = False) -> Row[Any]:
    """The request's row, or ``NotFound``; ``lock`` holds it until the transaction ends (PostgreSQL)."""
    query = select(rights_requests).where(rights_requests.c.id == request_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("권리 요구가 없습니다", "no such rights request")
    return row


def add(conn: Connection, **values: Any) -> bool:
    """Insert a request; False when an open request with the same ``open_key`` exists already."""
    try:
        with conn.begin_nested():
            conn.execute(insert(rights_requests).values(**values))
    except IntegrityError:
        return False
    return True


def open_one(conn: Connection, key: str) -> Row[Any] | None:
    """The open request holding a duplicate key (``<subject>|<type>``), if any."""
    return conn.execute(select(rights_requests).where(rights_requests.c.open_key == key)).first()


def move(conn: Connection, request_id: str, from_status: str, **values: Any) -> bool:
    """Change a request still in ``from_status``; False if it changed meanwhile."""
    result = conn.execute(
        update(rights_requests)
        .where(rights_requests.c.id == request_id, rights_requests.c.status == from_status)
        .values(**values)
    )
    return bool(result.rowcount)


def change(conn: Connection, request_id: str, **values: Any) -> None:
    conn.execute(update(rights_requests).where(rights_requests.c.id == request_id).values(**values))


def add_event(
    conn: Connection, request_id: str, *, at: datetime, actor: str, status: str, note: str | None
) -> None:
    conn.execute(
        insert(rights_events).values(request_id=request_id, at=at, actor=actor, status=status, note=note)
    )


def events(conn: Connection, request_id: str) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(rights_events).where(rights_events.c.request_id == request_id).order_by(rights_events.c.id)
        ).all()
    )


def extensions(conn: Connection, request_id: str) -> int:
    """How many times the request's answer was put off already."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(rights_events)
            .where(rights_events.c.request_id == request_id, rights_events.c.status == "extended")
        ).scalar_one()
    )


def queue(
    conn: Connection,
    now: datetime,
    *,
    open_only: bool,
    subject_id: str | None,
    type: str | None,
    limit: int,
    status: str | None = None,
) -> list[Row[Any]]:
    """Requests, overdue ones first, then by due date (the officer's work queue); ``status`` keeps
    only the requests in that status (``open_only`` then does not matter)."""
    query = select(rights_requests)
    if status is not None:
        query = query.where(rights_requests.c.status == status)
    elif open_only:
        query = query.where(rights_requests.c.status.in_(OPEN_STATUSES))
    if subject_id is not None:
        query = query.where(rights_requests.c.subject_id == subject_id)
    if type is not None:
        query = query.where(rights_requests.c.type == type)
    overdue_first = case(
        (and_(rights_requests.c.open_key.is_not(None), rights_requests.c.due_at <= now), 0), else_=1
    )
    query = query.order_by(overdue_first, rights_requests.c.due_at, rights_requests.c.id).limit(limit)
    return list(conn.execute(query).all())


def due_within(conn: Connection, start: datetime, end: datetime) -> list[Row[Any]]:
    """Open requests whose deadline falls after ``start`` and by ``end`` (soon due): id, subject,
    type and deadline."""
    query = select(
        rights_requests.c.id, rights_requests.c.subject_id, rights_requests.c.type, rights_requests.c.due_at
    ).where(
        rights_requests.c.status.in_(OPEN_STATUSES),
        rights_requests.c.due_at > start,
        rights_requests.c.due_at <= end,
    )
    found: list[Row[Any]] = list(conn.execute(query.order_by(rights_requests.c.due_at, rights_requests.c.id)))
    return found


# -- processing stops (처리정지) ---------------------------------------------------------------------


def stop(conn: Connection, subject_id: str, purpose_id: str, request_id: str, now: datetime) -> None:
    """A stop of ``purpose_id`` in force from now (nothing to do if one is in force already)."""
    already = conn.execute(
        select(processing_stops.c.id).where(
            processing_stops.c.subject_id == subject_id,
            processing_stops.c.purpose_id == purpose_id,
            processing_stops.c.lifted_at.is_(None),
        )
    ).first()
    if already is None:
        conn.execute(
            insert(processing_stops).values(
                subject_id=subject_id, purpose_id=purpose_id, request_id=request_id, at=now
            )
        )


# -- one-time codes (본인 확인) ------------------------------------------------------------------------


def put_code(conn: Connection, request_id: str, digest: bytes, expires_at: datetime) -> None:
    conn.execute(delete(verification_codes).where(verification_codes.c.request_id == request_id))
    conn.execute(
        insert(verification_codes).values(
            request_id=request_id, code_digest=digest, expires_at=expires_at, attempts=0
        )
    )


def code(conn: Connection, request_id: str) -> Row[Any] | None:
    return conn.execute(
        select(verification_codes).where(verification_codes.c.request_id == request_id)
    ).first()


def count_attempt(conn: Connection, request_id: str, attempts: int) -> None:
    conn.execute(
        update(verification_codes)
        .where(verification_codes.c.request_id == request_id)
        .values(attempts=attempts)
    )


def drop_code(conn: Connection, request_id: str) -> None:
    conn.execute(delete(verification_codes).where(verification_codes.c.request_id == request_id))
