"""Queries on ``access_log`` (접속기록): appending chained rows, walking a chain, expiring old
prefixes of chains, and the reviews' reads. On PostgreSQL the table is partitioned by month
(``store.partitions``); the statements here are the same on both databases."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, RowMapping, Select, and_, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jikimi.store import partitions
from jikimi.store.bulk import insert_many
from jikimi.store.tables import access_log

COLUMNS = (
    "chain",
    "chain_seq",
    "at",
    "actor",
    "source",
    "subject_id",
    "items",
    "purpose",
    "action",
    "outcome",
    "reason",
    "count",
    "prev_hash",
    "hash",
)


_HELD_BACK = "jikimi.access_log.held_back"


def append(conn: Connection, rows: Sequence[Sequence[object]]) -> None:
    """Insert chained rows (tuples in the order of ``COLUMNS``) in the caller's transaction — or,
    inside ``held_back(conn)``, keep them for the caller's own statement to insert."""
    held = conn.info.get(_HELD_BACK)
    if held is not None:
        held.extend(tuple(row) for row in rows)
        return
    insert_many(conn, access_log, COLUMNS, rows)


@contextmanager
def held_back(conn: Connection) -> Iterator[list[tuple[object, ...]]]:
    """Rows appended on ``conn`` inside the block are not inserted but collected in the list given:
    the gated read writes its row in the statement that reads (``facts.read_and_log``), or not at
    all. Nothing is kept once the block ends."""
    held: list[tuple[object, ...]] = []
    conn.info[_HELD_BACK] = held
    try:
        yield held
    finally:
        conn.info.pop(_HELD_BACK, None)


def append_once(conn: Connection, row: Sequence[object]) -> None:
    """Insert one row (in the order of ``COLUMNS``) unless it collides with a row already there:
    the seal, which concurrent processes may each try to write (they take ``lock`` first: on
    PostgreSQL the unique key includes the instant, the partition key, so it alone would not do)."""
    values = dict(zip(COLUMNS, row, strict=True))
    statement = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(access_log)
    conn.execute(statement.values(**values).on_conflict_do_nothing())


def lock(conn: Connection, name: str) -> None:
    """Serialise the writers of one kind of special row (the seal, a checkpoint) until the
    transaction ends: a PostgreSQL advisory lock; SQLite writers are serialised already
    (``BEGIN IMMEDIATE``)."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"jikimi/access-log/{name}".encode()) | 0x6A6B0000_00000000
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def old_spans(conn: Connection, before: datetime, *, except_like: str) -> dict[str, tuple[int, int]]:
    """``{chain: (first, last chain_seq)}`` of the rows older than ``before``, chains whose id is
    ``LIKE except_like`` left out (the seals: never expired)."""
    query = (
        select(access_log.c.chain, func.min(access_log.c.chain_seq), func.max(access_log.c.chain_seq))
        .where(access_log.c.at < before, access_log.c.chain.not_like(except_like))
        .group_by(access_log.c.chain)
    )
    return {str(c): (int(lo), int(hi)) for c, lo, hi in conn.execute(query)}


def first_since(conn: Connection, chain: str, moment: datetime) -> int | None:
    """The first position of ``chain`` whose row is not older than ``moment`` (``None``: none is)."""
    query = select(func.min(access_log.c.chain_seq)).where(
        access_log.c.chain == chain, access_log.c.at >= moment
    )
    found = conn.execute(query).scalar()
    return None if found is None else int(found)


def row_at(conn: Connection, chain: str, chain_seq: int) -> RowMapping | None:
    """The row at one position of a chain (``None``: not there)."""
    query = select(access_log).where(access_log.c.chain == chain, access_log.c.chain_seq == chain_seq)
    return conn.execute(query.limit(1)).mappings().first()


def head(conn: Connection, chain: str) -> tuple[int, bytes] | None:
    """The last position of ``chain`` and that row's MAC (``None``: the chain has no row)."""
    query = (
        select(access_log.c.chain_seq, access_log.c.hash)
        .where(access_log.c.chain == chain)
        .order_by(access_log.c.chain_seq.desc())
        .limit(1)
    )
    found = conn.execute(query).first()
    return None if found is None else (int(found[0]), bytes(found[1]))


def remove_prefixes(conn: Connection, cuts: Mapping[str, int], before: datetime) -> int:
    """Delete the expired prefix of each chain (``{chain: last position removed}``, every row older
    than ``before``) in the caller's transaction; returns how many rows went. On PostgreSQL the
    months wholly inside the prefixes are emptied at once (``partitions.truncate_expired``), the
    rest (the boundary month) row by row."""
    removed = partitions.truncate_expired(conn, before, cuts)
    return removed + sum(delete_prefix(conn, chain, upto, before) for chain, upto in sorted(cuts.items()))


def delete_prefix(conn: Connection, chain: str, upto: int, before: datetime) -> int:
    """Delete the rows of ``chain`` up to position ``upto`` (all older than ``before``, which lets
    PostgreSQL look only in the partitions before it); returns how many."""
    result = conn.execute(
        delete(access_log).where(
            access_log.c.chain == chain, access_log.c.chain_seq <= upto, access_log.c.at < before
        )
    )
    return int(result.rowcount or 0)


def oldest_chain(conn: Connection) -> str | None:
    """The chain of the log's first row (``None``: the log is empty)."""
    return conn.execute(select(access_log.c.chain).order_by(access_log.c.seq).limit(1)).scalar()


def has_chain(conn: Connection, names: Sequence[str]) -> bool:
    return (
        conn.execute(select(access_log.c.chain).where(access_log.c.chain.in_(list(names))).limit(1)).first()
        is not None
    )


def plain_heads(conn: Connection) -> list[tuple[str, int, bytes]]:
    """``(chain, last chain_seq, last hash)`` of every plain (v1) chain: ids without a ``.``."""
    last = (
        select(access_log.c.chain, func.max(access_log.c.chain_seq).label("top"))
        .where(access_log.c.chain.not_like("%.%"))
        .group_by(access_log.c.chain)
        .subquery()
    )
    query = select(access_log.c.chain, access_log.c.chain_seq, access_log.c.hash).join(
        last, and_(access_log.c.chain == last.c.chain, access_log.c.chain_seq == last.c.top)
    )
    return [(str(c), int(n), bytes(h)) for c, n, h in conn.execute(query)]


def chains(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(select(access_log.c.chain).distinct().order_by(access_log.c.chain))]


def chain_rows(conn: Connection, chain: str, batch: int) -> Iterator[RowMapping]:
    """Every row of one chain in chain order, fetched ``batch`` at a time."""
    last = 0
    while True:
        chunk = (
            conn.execute(
                select(access_log)
                .where(access_log.c.chain == chain, access_log.c.chain_seq > last)
                .order_by(access_log.c.chain_seq)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        if not chunk:
            return
        yield from chunk
        last = int(chunk[-1]["chain_seq"])


def reads_between(
    conn: Connection, start: datetime, end: datetime, actions: Sequence[str]
) -> Iterator[Row[Any]]:
    """Rows of the given actions in ``[start, end)``, streamed in log order."""
    return iter(
        conn.execution_options(stream_results=True, yield_per=2000).execute(
            select(
                access_log.c.seq,
                access_log.c.at,
                access_log.c.actor,
                access_log.c.action,
                access_log.c.outcome,
                access_log.c.purpose,
                access_log.c.reason,
                access_log.c.subject_id,
                access_log.c.count.label("n"),  # subjects the row stands for (an export: all it read)
            )
            .where(access_log.c.at >= start, access_log.c.at < end, access_log.c.action.in_(list(actions)))
            .order_by(access_log.c.seq)
        )
    )


def denied_between(conn: Connection, start: datetime, end: datetime) -> Iterator[Row[Any]]:
    """``(at, actor, action, outcome)`` of every refusal in ``[start, end)`` (any action), streamed
    in log order."""
    return iter(
        conn.execution_options(stream_results=True, yield_per=2000).execute(
            select(access_log.c.at, access_log.c.actor, access_log.c.action, access_log.c.outcome)
            .where(access_log.c.at >= start, access_log.c.at < end, access_log.c.outcome.like("denied:%"))
            .order_by(access_log.c.seq)
        )
    )


def reads_per_actor(
    conn: Connection, start: datetime, end: datetime, actions: Sequence[str]
) -> dict[str, int]:
    """How many rows of the given actions each actor has in ``[start, end)``."""
    return {
        actor: int(n)
        for actor, n in conn.execute(
            select(access_log.c.actor, func.count())
            .where(access_log.c.at >= start, access_log.c.at < end, access_log.c.action.in_(list(actions)))
            .group_by(access_log.c.actor)
        )
    }


def about_subject(subject_id: str) -> Select[Any]:
    """Every row about one subject, in log order (for the subject's access package): to stream."""
    return (
        select(
            access_log.c.at,
            access_log.c.actor,
            access_log.c.action,
            access_log.c.outcome,
            access_log.c.purpose,
            access_log.c["items"].label("ids"),
        )
        .where(access_log.c.subject_id == subject_id)
        .order_by(access_log.c.seq)
    )


def page(
    conn: Connection,
    *,
    after: int,
    limit: int,
    subject_id: str | None = None,
    actor: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Row[Any]]:
    """Up to ``limit`` rows with ``seq`` above ``after``, in log order, about ``subject_id``, by
    ``actor`` and in ``[start, end)`` (each when given): one page of a reader's walk through the log."""
    query: Select[Any] = select(
        access_log.c.seq,
        access_log.c.at,
        access_log.c.actor,
        access_log.c.source,
        access_log.c.subject_id,
        access_log.c["items"].label("ids"),
        access_log.c.purpose,
        access_log.c.action,
        access_log.c.outcome,
        access_log.c.reason,
        access_log.c.count.label("n"),  # not ``count``: a row is a tuple, and has a count() already
    ).where(access_log.c.seq > after)
    if subject_id is not None:
        query = query.where(access_log.c.subject_id == subject_id)
    if actor is not None:
        query = query.where(access_log.c.actor == actor)
    if start is not None:
        query = query.where(access_log.c.at >= start)
    if end is not None:
        query = query.where(access_log.c.at < end)
    return list(conn.execute(query.order_by(access_log.c.seq).limit(limit)).all())
