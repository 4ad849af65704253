"""SQLite's write-ahead log around a sweep: checkpointed less often while the batches run, and
truncated when the sweep ends so destroyed values do not linger in old frames. Nothing on
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine

from jikimi.store.tables import KEYS_SCHEMA

SWEEP_WAL_PAGES = 100_000
"""SQLite: how far the write-ahead log may grow during a sweep batch before it is checkpointed."""


def checkpoint_later(conn: Connection) -> Callable[[], None]:
    """SQLite: let this batch's commit leave the write-ahead log unchecked up to ``SWEEP_WAL_PAGES``
    pages (default 1000); returns what puts the default back (run it once the batch committed).

    A batch dirties thousands of index pages (the separated tables', the events', the subjects');
    with the default every commit is a checkpoint that copies and fsyncs all of them into the
    database file, and the next batch dirties many of the same pages again. Checkpointing every
    few dozen batches copies each page once per checkpoint. Commits reach the log as before, so
    durability does not change; the sweep truncates the log when it ends (``truncate_sqlite_wal``).
    Nothing on PostgreSQL."""
    if conn.dialect.name != "sqlite":
        return lambda: None
    driver = conn.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"PRAGMA wal_autocheckpoint={SWEEP_WAL_PAGES}")
    return lambda: driver.execute("PRAGMA wal_autocheckpoint=1000")


def truncate_sqlite_wal(engine: Engine) -> None:
    """SQLite keeps old page versions in the write-ahead log until a checkpoint; with
    ``secure_delete`` the database pages are zeroed, and truncating the WAL after a sweep removes
    the old frames too, so destroyed ciphertexts do not linger in ``-wal`` files. A busy database
    (readers in progress) may refuse the truncation; the next sweep tries again."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        for schema in ("main", KEYS_SCHEMA):
            driver.execute(f"PRAGMA {schema}.wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
