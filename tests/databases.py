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


@contextmanager
def fresh_postgres(migrated: bool = True) -> Iterator[str]:
    require_pg()
    name = f"jikimi_t_{secrets.token_hex(6)}"
    if migrated:
        _admin_execute(f"CREATE DATABASE {name} TEMPLATE {_template()}")
    else:
        _admin_execute(f"CREATE DATABASE {name}")
    try:
        yield _db_url(name)
    finally:
        _admin_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def fresh_sqlite(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'jikimi.db'}"


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "postgresql":
        with fresh_postgres() as url:
            yield url
    else:
        with fresh_sqlite(tmp_path) as url:
            yield url
