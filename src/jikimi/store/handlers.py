"""Queries on handlers (개인정보취급자), roles, failed logins by source address and the rights log
(권한 부여·변경·말소 기록)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from jikimi.errors import InvalidInput, NotFound
from jikimi.store.tables import handlers, login_sources, rights_log, roles


def role(conn: Connection, name: str) -> Row[Any] | None:
    return conn.execute(select(roles).where(roles.c.name == name)).first()


def put_role(conn: Connection, name: str, purposes: list[str], actions: list[str], now: datetime) -> None:
    values = {"purposes": json.dumps(purposes), "actions": json.dumps(actions)}
    if role(conn, name) is not None:
        conn.execute(update(roles).where(roles.c.name == name).values(**values))
    else:
        conn.execute(insert(roles).values(name=name, created_at=now, **values))


def by_login(conn: Connection, login: str, *, lock: bool = False) -> Row[Any] | None:
    """The account, or None. ``lock``: held until the transaction ends (PostgreSQL; SQLite writers
    are serialised by the transaction itself), so concurrent failed logins all count."""
    query = select(handlers).where(handlers.c.login == login)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def by_id(conn: Connection, handler_id: str) -> Row[Any] | None:
    return conn.execute(select(handlers).where(handlers.c.id == handler_id)).first()


def by_token(conn: Connection, digest: bytes) -> Row[Any] | None:
    return conn.execute(select(handlers).where(handlers.c.token_digest == digest)).first()


def add(
    conn: Connection,
    *,
    handler_id: str,
    login: str,
    role: str,
    password_hash: str,
    token: bytes,
    token_expires_at: datetime,
    now: datetime,
) -> None:
    """A new account; ``InvalidInput`` if the login is taken."""
    try:
        conn.execute(
            insert(handlers).values(
                id=handler_id,
                login=login,
                role=role,
                password_hash=password_hash,
                token_digest=token,
                token_expires_at=token_expires_at,
                failed_logins=0,
                lock_level=0,
                created_at=now,
            )
        )
    except IntegrityError as exc:
        raise InvalidInput("login", "이미 있는 계정입니다", "a handler with this login exists") from exc


def change(conn: Connection, login: str, **values: Any) -> None:
    """Change an account by login; ``NotFound`` if there is none."""
    result = conn.execute(update(handlers).where(handlers.c.login == login).values(**values))
    if not result.rowcount:
        raise NotFound(f"취급자 '{login}'이 없습니다", f"no handler '{login}'")


def change_by_id(conn: Connection, handler_id: str, **values: Any) -> None:
    conn.execute(update(handlers).where(handlers.c.id == handler_id).values(**values))


def source_row(conn: Connection, source: str) -> Row[Any]:
    """The failed-login count of a source address, locked until the transaction ends (PostgreSQL).
    The row is created first if missing, so concurrent first attempts do not collide."""
    values = {"source": source, "failures": 0, "window_start": datetime(1970, 1, 1, tzinfo=UTC)}
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(login_sources).values(**values).on_conflict_do_nothing())
    else:
        conn.execute(sqlite_insert(login_sources).values(**values).on_conflict_do_nothing())
    query = select(login_sources).where(login_sources.c.source == source)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).one()


def change_source(conn: Connection, source: str, **values: Any) -> None:
    conn.execute(update(login_sources).where(login_sources.c.source == source).values(**values))


def all_accounts(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(handlers).order_by(handlers.c.login)).all())


def record_right(
    conn: Connection, *, now: datetime, actor: str, login: str, change: str, detail: str, keep_until: datetime
) -> None:
    conn.execute(
        insert(rights_log).values(
            at=now, actor=actor, handler_login=login, change=change, detail=detail, keep_until=keep_until
        )
    )


def rights_history(conn: Connection, login: str | None = None) -> list[dict[str, object]]:
    query = select(rights_log).order_by(rights_log.c.id)
    if login:
        query = query.where(rights_log.c.handler_login == login)
    return [dict(r._mapping) for r in conn.execute(query)]


def rights_changes(conn: Connection, start: datetime, end: datetime) -> list[Row[Any]]:
    """The rights log of ``[start, end)``, oldest first (for the monthly review)."""
    return list(
        conn.execute(
            select(rights_log)
            .where(rights_log.c.at >= start, rights_log.c.at < end)
            .order_by(rights_log.c.id)
        ).all()
    )
