"""Queries on ``postings``: notices posted on the service's website (a breach notice for subjects
without a contact, a policy change), one per kind and reference, and those in force now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, or_, select, update

from jikimi.clock import as_utc
from jikimi.store.notice_tables import postings


def get(conn: Connection, kind: str, ref: str) -> Row[Any] | None:
    return conn.execute(select(postings).where(postings.c.kind == kind, postings.c.ref == ref)).first()


def put(
    conn: Connection,
    *,
    new_id: str,
    kind: str,
    ref: str,
    title: str,
    body: str,
    posted_at: datetime,
    until_at: datetime,
) -> str:
    """Post the notice of ``(kind, ref)``, or renew the one posted already: its wording replaced and
    kept up until ``until_at`` at least (never shortened; its first posting time stays). Its id."""
    found = get(conn, kind, ref)
    if found is None:
        conn.execute(
            insert(postings).values(
                id=new_id, kind=kind, ref=ref, title=title, body=body, posted_at=posted_at, until_at=until_at
            )
        )
        return new_id
    values: dict[str, object] = {"title": title, "body": body}
    if found.until_at is None or as_utc(found.until_at) < until_at:
        values["until_at"] = until_at
    conn.execute(update(postings).where(postings.c.id == found.id).values(**values))
    return str(found.id)


def current(conn: Connection, now: datetime, *, kind: str | None = None, limit: int = 100) -> list[Row[Any]]:
    """The postings up now (posted, and not past their end), newest first."""
    query = select(postings).where(
        postings.c.posted_at <= now, or_(postings.c.until_at.is_(None), postings.c.until_at > now)
    )
    if kind is not None:
        query = query.where(postings.c.kind == kind)
    return list(conn.execute(query.order_by(postings.c.posted_at.desc(), postings.c.id).limit(limit)).all())


def of_kind(conn: Connection, kind: str, *, limit: int = 100) -> list[Row[Any]]:
    """Every posting of ``kind``, up now or taken down, newest first (a policy's announced versions)."""
    query = select(postings).where(postings.c.kind == kind)
    return list(conn.execute(query.order_by(postings.c.posted_at.desc(), postings.c.id).limit(limit)).all())
