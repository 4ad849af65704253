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

from sqlalchemy import Connection, Engine, Table, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

_Processor = Callable[[Any], Any] | None
COPY_FROM = 100
"""PostgreSQL: batches of at least this many rows go through COPY, the fastest way in."""
_cache: dict[tuple[str, str, tuple[str, ...], str | None], tuple[str, list[_Processor], bool]] = {}


def _compiled(
    conn: Connection, table: Table, columns: tuple[str, ...], unique: str | None = None
) -> tuple[str, list[_Processor], bool]:
    dialect = conn.dialect
    key = (dialect.name, table.fullname, columns, unique)
    hit = _cache.get(key)
    if hit is None:
        statement = insert(table)
        if unique is not None:
            upsert = pg_insert if dialect.name == "postgresql" else sqlite_insert
            statement = upsert(table).on_conflict_do_nothing(index_elements=[unique])
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
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
    rows = _processed(processors, rows)
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
                cursor.executemany(sql, _bound(cols, rows, positional))
    finally:
        cursor.close()


def insert_new(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, unique: str
) -> int:
    """INSERT the ``rows`` whose ``unique`` column holds no value already there (``ON CONFLICT DO
    NOTHING``), in one driver ``executemany``; how many were new."""
    if not rows:
        return 0
    cols = tuple(columns)
    sql, processors, positional = _compiled(conn, table, cols, unique)
    cursor = driver_cursor(conn)
    try:
        with driver_errors(conn, sql):
            cursor.executemany(sql, _bound(cols, _processed(processors, rows), positional))
            return int(cursor.rowcount)  # both drivers: the rows inserted, over all the parameter sets
    finally:
        cursor.close()


def _bound(cols: tuple[str, ...], rows: Sequence[Sequence[Any]], positional: bool) -> list[Any]:
    if positional:
        return [tuple(r) for r in rows]
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _processed(processors: list[_Processor], rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
    """The rows with each column's bind processor applied, as SQLAlchemy would."""
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    if active:  # column-wise, through a map of the few distinct values (timestamps of a batch, booleans)
        columns_data = list(zip(*rows, strict=True))
        for i, proc in active:
            mapping = {v: (None if v is None else proc(v)) for v in set(columns_data[i])}
            columns_data[i] = tuple(map(mapping.__getitem__, columns_data[i]))
        rows = list(zip(*columns_data, strict=True))
    return rows


@contextmanager
def driver_errors(conn: Connection, sql: str) -> Iterator[None]:
    """Raise the driver's errors as SQLAlchemy's (``IntegrityError``…), as ``conn.execute`` would;
    a connection the server dropped is invalidated, as ``conn.execute`` would, and the error says
    so (``connection_invalidated``: ``store.uow.once_more_if_dropped`` may run the work again)."""
    base = conn.dialect.loaded_dbapi.Error
    try:
        yield
    except base as exc:
        dropped = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        if dropped:
            conn.invalidate(exc)
        raise DBAPIError.instance(sql, None, exc, base, connection_invalidated=dropped) from exc


def driver_cursor(conn: Connection) -> Any:
    """A cursor of the driver connection under ``conn``, inside ``conn``'s current transaction.

    Skips SQLAlchemy's per-statement machinery (a large share of a small statement's cost); the
    transaction is still begun and committed by SQLAlchemy, so the unit of work is unchanged.
    """
    raw = conn.connection.dbapi_connection
    assert raw is not None, "the connection is closed"
    return raw.cursor()


def stream(engine: Engine, query: Any, page: int = 1000) -> Iterator[Any]:
    """Rows of ``query`` fetched ``page`` at a time on a connection of their own (a server-side
    cursor on PostgreSQL), so a long answer never sits in memory at once."""
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=page).execute(query)
        for part in result.partitions(page):
            yield from part
