"""Engines for SQLite (default, a file) and PostgreSQL (psycopg 3), and schema upgrades.

SQLite: the main file holds subjects, values, consents, records, handlers and the access log; a
second file next to it (``NAME.keys.db``) holds the data keys and is attached as ``jikimi_keys``.
Every connection turns on WAL, foreign keys and ``secure_delete`` (deleted rows are overwritten
with zeros, so destroyed values do not linger in free pages). Both files are created readable by
their owner only (0600) before SQLite opens them; SQLite gives the ``-wal`` and ``-shm`` files it
makes the mode of their database file, so they are 0600 too. A file that exists keeps its mode.

PostgreSQL: one database; the data keys live in the ``jikimi_keys`` schema, which can be given
its own grants and its own backup policy. A pooled connection is not pinged before each use (a
round trip on every request): at checkout it is only looked at — a connection the server has
closed (a restart, ``pg_terminate_backend``, an idle timeout) has its farewell waiting unread on
its socket, and is replaced before anyone uses it (``_dropped``). One dropped after that look is
found by its first statement: the connection is invalidated (``store.bulk.driver_errors``) and the
unit of work may run once more on a fresh one (``store.uow.once_more_if_dropped``).
"""

from __future__ import annotations

import os
import select
import threading
import time
import weakref
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from jikimi.errors import UsageError
from jikimi.store.tables import KEYS_SCHEMA


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise UsageError(
            f"지원하지 않는 데이터베이스입니다: {parsed.get_backend_name()} (sqlite 또는 postgresql)",
            f"unsupported database {parsed.get_backend_name()!r} (use sqlite or postgresql)",
        )
    return parsed.render_as_string(hide_password=False)


def sqlite_paths(url: str) -> tuple[Path, Path]:
    """The main file and the keys file of a SQLite URL."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise UsageError(
            "SQLite는 파일 경로가 필요합니다 (sqlite:///path/jikimi.db)",
            "SQLite needs a file path (sqlite:///path/jikimi.db); in-memory databases cannot hold a separate key store",  # noqa: E501
        )
    main = Path(database)
    return main, main.with_name(main.stem + ".keys" + (main.suffix or ".db"))


def database_files(url: str) -> tuple[Path, Path] | None:
    """The main file and the keys file of a SQLite URL; None for PostgreSQL."""
    return sqlite_paths(url) if is_sqlite(url) else None


def shown_url(url: str) -> str:
    """The URL with its password hidden, to print."""
    return make_url(url).render_as_string(hide_password=True)


def create_private(path: Path) -> None:
    """Create ``path`` empty and 0600 unless it exists (an empty file is an empty SQLite database).

    The mode is given to ``open`` itself, not set afterwards, so there is no moment when another
    user could open the file; a umask only takes bits away."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


BUSY_SECONDS = 10
"""SQLite: how long a transaction waits for the write lock before ``database is locked``."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if not is_sqlite(url):
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "checkout")
        def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            if _dropped(dbapi_connection):
                raise DisconnectionError("the server closed this pooled connection")  # the pool replaces it

        return engine
    main, keys = sqlite_paths(url)
    main.parent.mkdir(parents=True, exist_ok=True)
    for path in (main, keys):
        create_private(path)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:  # pragma: no branch
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        # a bigger page cache than the default 2 MiB, and memory-mapped reads: large vaults (a million
        # subjects is a few GB) otherwise spend most of a read or an import in page-cache misses
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.execute(f"ATTACH DATABASE ? AS {KEYS_SCHEMA}", (str(keys),))
        cursor.execute(f"PRAGMA {KEYS_SCHEMA}.journal_mode=WAL")
        cursor.execute(f"PRAGMA {KEYS_SCHEMA}.secure_delete=ON")
        cursor.execute(f"PRAGMA {KEYS_SCHEMA}.cache_size=-16384")
        cursor.execute(f"PRAGMA {KEYS_SCHEMA}.mmap_size=268435456")
        cursor.close()
        # let SQLAlchemy, not pysqlite, decide when transactions begin (see 'begin' below)
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Take the write lock up front: concurrent writers then wait (busy_timeout) instead of
        # failing when a deferred read transaction tries to upgrade to a write.
        writers.enter(conn.connection.dbapi_connection)
        conn.connection.dbapi_connection.execute(
            "BEGIN IMMEDIATE"
        )  # straight to sqlite3: this runs per transaction

    writers = _Writers(Path(str(main) + "-writer"))
    dialect = engine.dialect  # this engine's own: the turn is given back once SQLite has committed
    commit, rollback = dialect.do_commit, dialect.do_rollback

    # SQLAlchemy hands these the pool's proxy of the connection; the turn was taken by the driver's
    def do_commit(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            writers.leave(getattr(dbapi_connection, "dbapi_connection", dbapi_connection))

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            writers.leave(getattr(dbapi_connection, "dbapi_connection", dbapi_connection))

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
    for name in ("checkin", "close", "invalidate"):  # a transaction ended otherwise: never kept
        event.listen(engine.pool, name, lambda dbapi_connection, *_: writers.leave(dbapi_connection))
    return engine


class _Writers:
    """SQLite: transactions take turns on locks of their own before ``BEGIN IMMEDIATE`` — the
    threads of a process on a lock in the order they ask, the processes on a lock file beside the
    database (``<db>-writer``, 0600; ``flock``). Without them, those waiting for SQLite's lock sleep
    in its busy handler (1, 2, 5 … 100 ms) while the lock is free again within a millisecond: a
    server's p99 under 16 connections was most of a second. A process waiting for the file polls
    every ``POLL`` seconds; a turn not given within ``BUSY_SECONDS`` goes on to SQLite's own lock
    and its busy timeout, as before."""

    POLL = 0.0002

    def __init__(self, lock_file: Path) -> None:
        self._lock = threading.Lock()
        self._holder: Any = None
        self._path = lock_file
        self._fd: int | None = None
        self._filed = False

    def enter(self, dbapi_connection: Any) -> None:
        if self._holder is dbapi_connection:
            return
        if not self._lock.acquire(timeout=BUSY_SECONDS):
            return
        self._holder = dbapi_connection
        self._filed = self._file_lock()

    def leave(self, dbapi_connection: Any) -> None:
        if self._holder is not dbapi_connection or dbapi_connection is None:
            return
        if self._filed and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._holder, self._filed = None, False
        self._lock.release()

    def _file_lock(self) -> bool:
        if fcntl is None:  # pragma: no cover - not a POSIX system: SQLite's lock alone
            return False
        if self._fd is None:
            create_private(self._path)
            self._fd = os.open(self._path, os.O_RDWR)
            weakref.finalize(self, os.close, self._fd)  # closed with the engine's last reference
        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(self.POLL)


def _dropped(dbapi_connection: Any) -> bool:
    """Whether an idle pooled psycopg connection can no longer be used: closed, broken, or with
    input waiting on its socket. An idle connection is sent nothing unasked (jikimi never LISTENs),
    so input there is the server's goodbye (``FATAL: terminating connection …``) or the end of
    the stream. Asks the kernel, not the server: no round trip."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        readable, _, _ = select.select([dbapi_connection.pgconn.socket], [], [], 0)
    except Exception:  # no socket any more (psycopg raises its OperationalError)
        return True
    return bool(readable)


def ensure_keys_schema(engine: Engine) -> None:
    """PostgreSQL: create the ``jikimi_keys`` schema (SQLite attaches a file instead)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {KEYS_SCHEMA}"))
