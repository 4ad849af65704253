"""Queries on the blind indexes (``lookups``, and ``separated_lookups`` kept after a withdrawal).

A look-up row maps (item id, keyed digest of the value) to the subject holding it, for duplicate
sign-up checks and ``find``. No value is ever stored here, only its HMAC. Only account identifiers
are claimed — the look-up items of a context whose ``subjects`` is ``member`` (the vault decides,
``vault/collect.py::_lookup_digests``) — so a claim is unique: one subject per (item, digest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, delete, insert, or_, select
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


def claim_all(conn: Connection, subject_id: str, digests: Mapping[str, bytes], now: datetime) -> None:
    """``claim`` for several items at once (a sign-up's login id, email, mobile, CI; a guest order or
    an inquiry passes none): two look-ups and one insert instead of three statements per item.
    ``Duplicate`` names the first item, in the order given, that another subject holds now or keeps
    after a withdrawal, or takes concurrently."""
    if not digests:
        return
    pairs = list(digests.items())
    taken = _owners(conn, lookups, pairs, None)
    kept = _owners(conn, separated_lookups, pairs, now)
    for item_id, digest in pairs:
        for owners in (taken, kept):
            owner = owners.get((item_id, digest))
            if owner is not None and owner != subject_id:
                raise Duplicate(item_id)
    new = [(item_id, digest) for item_id, digest in pairs if (item_id, digest) not in taken]
    if not new:
        return
    try:
        with conn.begin_nested():
            conn.execute(
                insert(lookups), [{"item_id": i, "digest": d, "subject_id": subject_id} for i, d in new]
            )
    except IntegrityError:  # a concurrent sign-up won a race: find which value, one by one
        for item_id, digest in new:
            claim(conn, subject_id, item_id, digest, now)
        raise Duplicate(new[0][0]) from None  # pragma: no cover - the loop above raised


@cache
def _owners_query(table: Table, kept: bool) -> Select[Any]:
    # built once: a (item id, digest) primary-key look-up for a list of each; the pairs are matched below
    query = select(table.c.item_id, table.c.digest, table.c.subject_id).where(
        table.c.item_id.in_(bindparam("items", expanding=True)),
        table.c.digest.in_(bindparam("digests", expanding=True)),
    )
    if kept:
        query = query.where(or_(table.c.expires_at.is_(None), table.c.expires_at > bindparam("now")))
    return query


def _owners(
    conn: Connection, table: Table, pairs: Sequence[tuple[str, bytes]], now: datetime | None
) -> dict[tuple[str, bytes], str]:
    """``{(item id, digest): subject id}`` of the pairs found in ``table`` (kept ones: not expired at ``now``)."""  # noqa: E501
    params: dict[str, Any] = {"items": sorted({i for i, _ in pairs}), "digests": [d for _, d in pairs]}
    if now is not None:
        params["now"] = now
    wanted = set(pairs)
    found = conn.execute(_owners_query(table, now is not None), params)
    return {
        (r.item_id, bytes(r.digest)): r.subject_id for r in found if (r.item_id, bytes(r.digest)) in wanted
    }


def replace(conn: Connection, subject_id: str, item_id: str, digest: bytes) -> None:
    """The subject's value of ``item_id`` changed (a correction): move its digest. A value the subject
    never claimed (one a guest order or an inquiry collected) stays unclaimed: nothing to move."""
    claimed = conn.execute(
        select(lookups.c.digest).where(lookups.c.subject_id == subject_id, lookups.c.item_id == item_id)
    ).first()
    if claimed is None:
        return
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
