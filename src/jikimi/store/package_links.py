"""Queries on ``package_links``: the protected links to access packages (rights answers).

A link is found by the digest of its token (``crypto.token_digest``); the token itself is never
stored, so a copy of the database opens no package.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from jikimi.store.notice_tables import package_links


def add(
    conn: Connection, *, link_id: str, request_id: str, digest: bytes, now: datetime, expires_at: datetime
) -> None:
    conn.execute(
        insert(package_links).values(
            id=link_id,
            request_id=request_id,
            token_digest=digest,
            created_at=now,
            expires_at=expires_at,
            opens=0,
        )
    )


def find(conn: Connection, digest: bytes, *, lock: bool = False) -> Row[Any] | None:
    """The link whose token has this digest, or None. ``lock``: held to the end of the transaction
    (PostgreSQL), so two opens at once count as two."""
    query = select(package_links).where(package_links.c.token_digest == digest)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def of_request(conn: Connection, request_id: str) -> list[Row[Any]]:
    """The links made for a request, oldest first."""
    query = select(package_links).where(package_links.c.request_id == request_id)
    return list(conn.execute(query.order_by(package_links.c.created_at, package_links.c.id)).all())


def opened(conn: Connection, link_id: str, now: datetime) -> int:
    """Count one more open of the link; its opens so far."""
    conn.execute(
        update(package_links)
        .where(package_links.c.id == link_id)
        .values(opens=package_links.c.opens + 1, last_opened_at=now)
    )
    return int(conn.execute(select(package_links.c.opens).where(package_links.c.id == link_id)).scalar_one())
