"""Queries on the console's and the privacy center's sessions (``web_sessions``) and the handlers'
second factors (``handler_factors``). Sessions are found by a keyed digest of the cookie's value;
a factor's secret is stored sealed, and its last used time step makes each code good once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, or_, select, update

from jikimi.store.face_tables import handler_factors, web_sessions


def add(conn: Connection, **values: Any) -> None:
    conn.execute(insert(web_sessions).values(**values))


def live(conn: Connection, digest: str) -> Row[Any] | None:
    """The session with this digest, unless it has ended (expiry and idleness are the caller's)."""
    query = select(web_sessions).where(web_sessions.c.digest == digest, web_sessions.c.ended_at.is_(None))
    return conn.execute(query).first()


def touch(conn: Connection, digest: str, at: datetime) -> None:
    conn.execute(update(web_sessions).where(web_sessions.c.digest == digest).values(seen_at=at))


def end(conn: Connection, digest: str, at: datetime, why: str) -> bool:
    """End a live session; False when it had ended already (another request ended it first)."""
    query = (
        update(web_sessions)
        .where(web_sessions.c.digest == digest, web_sessions.c.ended_at.is_(None))
        .values(ended_at=at, ended_why=why)
    )
    return conn.execute(query).rowcount == 1


def end_for_handler(conn: Connection, handler_id: str, at: datetime, why: str) -> int:
    """End every live console session of a handler (disabled, role changed, signed out everywhere)."""
    query = (
        update(web_sessions)
        .where(web_sessions.c.handler_id == handler_id, web_sessions.c.ended_at.is_(None))
        .values(ended_at=at, ended_why=why)
    )
    return conn.execute(query).rowcount


def count_try(conn: Connection, digest: str) -> int:
    """Count one more wrong second-factor code against a pending sign-in; the count so far."""
    conn.execute(
        update(web_sessions).where(web_sessions.c.digest == digest).values(tries=web_sessions.c.tries + 1)
    )
    tries = conn.execute(select(web_sessions.c.tries).where(web_sessions.c.digest == digest)).scalar()
    return int(tries or 0)


def purge(conn: Connection, before: datetime) -> int:
    """Forget sessions that ended or expired before ``before``."""
    query = delete(web_sessions).where(
        or_(web_sessions.c.expires_at < before, web_sessions.c.ended_at < before)
    )
    return conn.execute(query).rowcount


def put_factor(conn: Connection, handler_id: str, secret: bytes, at: datetime) -> None:
    """Enrol (or re-enrol) a handler's TOTP secret (sealed); a new secret starts with no step used."""
    conn.execute(delete(handler_factors).where(handler_factors.c.handler_id == handler_id))
    conn.execute(
        insert(handler_factors).values(handler_id=handler_id, kind="totp", secret=secret, enrolled_at=at)
    )


def factor(conn: Connection, handler_id: str) -> Row[Any] | None:
    return conn.execute(select(handler_factors).where(handler_factors.c.handler_id == handler_id)).first()


def use_step(conn: Connection, handler_id: str, step: int) -> bool:
    """Mark TOTP time step ``step`` used, only if it is later than the last one used: one statement,
    so two requests with the same code cannot both pass."""
    query = (
        update(handler_factors)
        .where(
            handler_factors.c.handler_id == handler_id,
            or_(handler_factors.c.last_step.is_(None), handler_factors.c.last_step < step),
        )
        .values(last_step=step)
    )
    return conn.execute(query).rowcount == 1
