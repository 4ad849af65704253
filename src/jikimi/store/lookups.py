"""Queries on the blind indexes (``lookups``, and ``separated_lookups`` kept after a withdrawal).

A look-up row maps (item id, keyed digest of the value) to the subject holding it, for duplicate
sign-up checks and ``find``. No value is ever stored here, only its HMAC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, insert, or_, select
from sqlalchemy.exc import IntegrityError

from jikimi.errors import Duplicate
from jikimi.store.bulk import driver_cursor, driver_errors
from jikimi.store.tables import lookups, separated_lookups


def owner(conn: Connection, item_id: str, digest: bytes) -> str | None:
    """The subject holding the value now, or None."""
    row = conn.execute(
        select(lookups.c.subject_id).where(lookups.c.item_id == item_id, lookups.c.digest == digest)
    ).first()
    return None if row is None else str(row.subject_id)


def kept_owner(conn: Connection, item_id: str, digest: bytes, now: datetime) -> str | None:
    """The withdrawn subject whose value is still kept (e.g. a login id kept 3 months), or None."""
    row = conn.execute(
        select(separated_lookups.c.subject_id).where(
            separated_lookups.c.item_id == item_id,
            separated_lookups.c.digest == digest,
            or_(separated_lookups.c.expires_at.is_(None), separated_lookups.c.expires_at > now),
        )
    ).first()
    return None if row is None else str(row.subject_id)


def claim(conn: Connection, subject_id: str, item_id: str, digest: bytes, now: datetime) -> None:
    """Give the value to ``subject_id``: ``Duplicate`` if another subject holds it, now or kept after a
    withdrawal, or takes it concurrently."""
    taken = owner(conn, item_id, digest)
    if taken is not None and taken != subject_id:
        raise Duplicate(item_id)
    kept = kept_owner(conn, item_id, digest, now)
    if kept is not None and kept != subject_id:
        raise Duplicate(item_id)
    if taken is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(lookups).values(item_id=item_id, digest=digest, subject_id=subject_id))
        except IntegrityError as exc:  # a concurrent sign-up won the race
            raise Duplicate(item_id) from exc


def replace(conn: Connection, subject_id: str, item_id: str, digest: bytes) -> None:
    """The subject's value of ``item_id`` changed (a correction): move its digest."""
    taken = owner(conn, item_id, digest)
    if taken is not None and taken != subject_id:
        raise Duplicate(item_id)
    if taken is None:
        conn.execute(delete(lookups).where(lookups.c.subject_id == subject_id, lookups.c.item_id == item_id))
        try:
            with conn.begin_nested():
                conn.execute(insert(lookups).values(item_id=item_id, digest=digest, subject_id=subject_id))
        except IntegrityError as exc:  # another subject took the value meanwhile
            raise Duplicate(item_id) from exc


def of_subject(
    conn: Connection, subject_id: str, items: Sequence[str] | None = None
) -> list[tuple[str, bytes]]:
    """``(item id, digest)`` of the subject's look-ups (optionally of some items)."""
    query = select(lookups.c.item_id, lookups.c.digest).where(lookups.c.subject_id == subject_id)
    if items is not None:
        query = query.where(lookups.c.item_id.in_(list(items)))
    return [(r.item_id, bytes(r.digest)) for r in conn.execute(query)]


def drop(conn: Connection, subject_id: str, items: Sequence[str] | None = None) -> None:
    where = [lookups.c.subject_id == subject_id]
    if items is not None:
        where.append(lookups.c.item_id.in_(list(items)))
    conn.execute(delete(lookups).where(*where))


def keep(
    conn: Connection, subject_id: str, item_id: str, digest: bytes, rule_id: str, expires_at: datetime | None
) -> None:
    """Keep a withdrawn subject's digest (so the value is not reused at once) until ``expires_at``."""
    conn.execute(
        delete(separated_lookups).where(
            separated_lookups.c.item_id == item_id, separated_lookups.c.digest == digest
        )
    )
    conn.execute(
        insert(separated_lookups).values(
            item_id=item_id, digest=digest, subject_id=subject_id, rule_id=rule_id, expires_at=expires_at
        )
    )


def owners(conn: Connection, item_id: str, digests: Sequence[bytes]) -> list[tuple[bytes, str]]:
    """``(digest, subject_id)`` of the blind-index entries of ``item_id`` among ``digests`` (any number)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    found: list[tuple[bytes, str]] = []
    cursor = driver_cursor(conn)
    try:
        for start in range(0, len(digests), 500):
            chunk = list(digests[start : start + 500])
            sql = (
                f"SELECT digest, subject_id FROM {lookups.fullname} WHERE item_id = {mark} "
                f"AND digest IN ({', '.join([mark] * len(chunk))})"
            )
            with driver_errors(conn, sql):
                cursor.execute(sql, [item_id, *chunk])
            found.extend((bytes(digest), subject_id) for digest, subject_id in cursor.fetchall())
    finally:
        cursor.close()
    return found
