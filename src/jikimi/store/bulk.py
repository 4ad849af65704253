"""Fast batched inserts and driver-level statements for the hot paths (bulk import, gated reads).

``insert_many`` hands rows straight to the driver (``executemany``; ``COPY`` for large batches on
PostgreSQL), on the connection's own transaction. The INSERT is compiled once per (dialect, table,
columns) and each column's SQLAlchemy bind processor is applied as SQLAlchemy itself would, so
the stored values are exactly those of ``conn.execute(insert(t), rows)`` — minus SQLAlchemy's
per-row parameter bookkeeping, which dominates large imports and small statements alike. Driver
errors are raised as SQLAlchemy's (``IntegrityError``…), as ``conn.execute`` would raise them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import DBAPIError

from jikimi.store.tables import lookups

_Processor = Callable[[Any], Any] | None
COPY_FROM = 100
"""PostgreSQL: batches of at least this many rows go through COPY, the fastest way in."""
_cache: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[_Processor], bool]] = {}


def _compiled(conn: Connection, table: Table, columns: tuple[str, ...]) -> tuple[str, list[_Processor], bool]:
    dialect = conn.dialect
    key = (dialect.name, table.fullname, columns)
    hit = _cache.get(key)
    if hit is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        positional = bool(compiled.positiontup)
        if positional:
            assert compiled.positiontup is not None
            order = [compiled.binds[name].key for name in compiled.positiontup]
            if order != list(columns):  # SQLAlchemy renders columns in table order: ask for them that way
                raise ValueError(f"pass the columns in table order {order}, not {list(columns)}")
        processors: list[_Processor] = [
            table.c[name].type._cached_bind_processor(dialect) for name in columns
        ]
        hit = (compiled.string, processors, positional)
        _cache[key] = hit
    return hit


def insert_many(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``) in one driver ``executemany``."""
    if not rows:
        return
    cols = tuple(columns)
    sql, processors, positional = _compiled(conn, table, cols)
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    if active:  # column-wise, through a map of the few distinct values (timestamps of a batch, booleans)
        columns_data = list(zip(*rows, strict=True))
        for i, proc in active:
            mapping = {v: (None if v is None else proc(v)) for v in set(columns_data[i])}
            columns_data[i] = tuple(map(mapping.__getitem__, columns_data[i]))
        rows = list(zip(*columns_data, strict=True))
    cursor = driver_cursor(conn)
    try:
        with driver_errors(conn, sql):
            if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
                with cursor.copy(f"COPY {table.fullname} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            elif len(rows) == 1:
                cursor.execute(sql, tuple(rows[0]) if positional else dict(zip(cols, rows[0], strict=True)))
            else:
                cursor.executemany(
                    sql,
                    [tuple(r) for r in rows]
                    if positional
                    else [dict(zip(cols, r, strict=True)) for r in rows],
                )
    finally:
        cursor.close()


@contextmanager
def driver_errors(conn: Connection, sql: str) -> Iterator[None]:
    """Raise the driver's errors as SQLAlchemy's (``IntegrityError``…), as ``conn.execute`` would."""
    base = conn.dialect.loaded_dbapi.Error
    try:
        yield
    except base as exc:
        raise DBAPIError.instance(sql, None, exc, base) from exc


def driver_cursor(conn: Connection) -> Any:
    """A cursor of the driver connection under ``conn``, inside ``conn``'s current transaction.

    Skips SQLAlchemy's per-statement machinery (a large share of a small statement's cost); the
    transaction is still begun and committed by SQLAlchemy, so the unit of work is unchanged.
    """
    raw = conn.connection.dbapi_connection
    assert raw is not None, "the connection is closed"
    return raw.cursor()


def lookup_owners(conn: Connection, item_id: str, digests: Sequence[bytes]) -> list[tuple[bytes, str]]:
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


def defer_checkpoints(conn: Connection, pages: int = 100_000) -> None:
    """SQLite: let the write-ahead log grow to ``pages`` pages before it is checkpointed (default 1000).

    A bulk import dirties the same index pages batch after batch; checkpointing every batch copies
    (and fsyncs) each of them into the database file every time, checkpointing less often once per
    checkpoint. Commits still reach the log exactly as before, so durability does not change. The
    import's connection also gets a 1 GiB page cache: random subject ids and blind-index digests
    touch index pages all over the tables, and keeping them in memory saves re-reading them for
    every batch. Both settings live on the connection. Does nothing on other databases.
    """
    if conn.dialect.name == "sqlite":
        cursor = driver_cursor(conn)
        try:
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
            cursor.execute("PRAGMA cache_size=-1048576")
        finally:
            cursor.close()
