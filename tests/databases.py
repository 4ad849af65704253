"""Real databases for tests: a SQLite file per test, and a PostgreSQL database per test.

PostgreSQL is ``JIKIMI_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``, the
server used to create throw-away databases). Tests needing it are skipped when it is down —
except in CI (``CI=true``), where they must run and a missing server is a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("JIKIMI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
_TEMPLATE = f"jikimi_tpl_{os.getpid()}"


@lru_cache(maxsize=1)
def pg_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("select 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"{type(exc).__name__}: {exc}"


def require_pg() -> None:
    why = pg_available()
    if why is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_URL}: {why}")
    pytest.skip(f"PostgreSQL not reachable ({why}); set JIKIMI_TEST_PG or start the server")


def _admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _db_url(name: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


@lru_cache(maxsize=1)
def _template() -> str:
    """A migrated template database, cloned for each test (much faster than migrating each time)."""
    from jikimi.store.engine import make_engine
    from jikimi.store.migrate import upgrade

    _admin_execute(f"DROP DATABASE IF EXISTS {_TEMPLATE}")
    _admin_execute(f"CREATE DATABASE {_TEMPLATE}")
    engine = make_engine(_db_url(_TEMPLATE))
    upgrade(engine)
    engine.dispose()
    import atexit

    atexit.register(lambda: _admin_execute(f"DROP DATABASE IF EXISTS {_TEMPLATE}"))
    return _TEMPLATE


class _Ready:
    """Migrated PostgreSQL databases made ahead of the tests that take them, on a thread of their own.

    ``CREATE DATABASE … TEMPLATE`` copies the template's files (about 8 MB with PostgreSQL's own
    catalogs) and takes 0.1–0.2 s, most of it waiting on the server; made while the previous test runs,
    and dropped after it the same way, that time stays off the test's own. Each test still gets a
    database nobody used before.
    """

    AHEAD = 2

    def __init__(self) -> None:
        import atexit
        import queue
        import threading

        self._template = _template()  # first: its clean-up is registered before ours, so it runs after it
        self._ready: queue.Queue[str] = queue.Queue(maxsize=self.AHEAD)
        self._dropping: queue.Queue[str | None] = queue.Queue()
        self._stop = threading.Event()
        self._made: set[str] = set()
        self._maker = threading.Thread(target=self._make, name="jikimi-test-databases", daemon=True)
        self._dropper = threading.Thread(target=self._drop, name="jikimi-test-drops", daemon=True)
        self._maker.start()
        self._dropper.start()
        atexit.register(self.close)

    def _make(self) -> None:
        import queue

        while not self._stop.is_set():
            name = f"jikimi_t_{secrets.token_hex(6)}"
            _create(name, self._template)
            self._made.add(name)
            while not self._stop.is_set():
                try:
                    self._ready.put(name, timeout=0.2)
                    break
                except queue.Full:
                    continue

    def _drop(self) -> None:
        while (name := self._dropping.get()) is not None:
            _admin_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            self._made.discard(name)

    def take(self) -> str:
        return self._ready.get(timeout=120)

    def give_back(self, name: str) -> None:
        self._dropping.put(name)

    def close(self) -> None:
        self._stop.set()
        self._maker.join(timeout=30)
        self._dropping.put(None)
        self._dropper.join(timeout=60)
        for name in list(self._made):
            _admin_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _create(name: str, template: str | None) -> None:
    _admin_execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    # a test database need not outlive a server crash: commits return without waiting for the WAL
    # flush (tests kill clients, never the server), which is most of a small transaction's time
    _admin_execute(f"ALTER DATABASE {name} SET synchronous_commit TO off")


@lru_cache(maxsize=1)
def _ready() -> _Ready:
    return _Ready()


@contextmanager
def fresh_postgres(migrated: bool = True) -> Iterator[str]:
    """A PostgreSQL database for one test: migrated (made ahead from the template), or empty."""
    require_pg()
    if migrated:
        name = _ready().take()
        try:
            yield _db_url(name)
        finally:
            _ready().give_back(name)
        return
    name = f"jikimi_t_{secrets.token_hex(6)}"
    _create(name, None)
    try:
        yield _db_url(name)
    finally:
        _admin_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@lru_cache(maxsize=1)
def _sqlite_template() -> tuple[Path, Path]:
    """A migrated SQLite database (main file and key file), copied for each test instead of migrating."""
    import atexit
    import shutil
    import tempfile

    from jikimi.store.engine import make_engine, sqlite_paths
    from jikimi.store.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="jikimi-tpl-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder / 'template.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the files
    return sqlite_paths(url)


@contextmanager
def fresh_sqlite(tmp_path: Path, migrated: bool = False) -> Iterator[str]:
    """A SQLite file in ``tmp_path``: empty, or ``migrated`` (a copy of a migrated template)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{tmp_path / 'jikimi.db'}"
    if migrated:
        import shutil

        from jikimi.store.engine import sqlite_paths

        for source, target in zip(_sqlite_template(), sqlite_paths(url), strict=True):
            shutil.copyfile(source, target)
    yield url


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database of ``kind`` (``sqlite`` or ``postgresql``) for one test."""
    if kind == "postgresql":
        with fresh_postgres() as url:
            yield url
    else:
        with fresh_sqlite(tmp_path, migrated=True) as url:
            yield url
