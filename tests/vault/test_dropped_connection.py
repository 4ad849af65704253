"""A PostgreSQL connection the server drops (a restart, ``pg_terminate_backend``, an idle timeout)
costs no request: the pool is not pinged before each use, yet the next gated read works, is logged
once, and the access log still verifies. A connection lost twice in a row is an error, and nothing
of the failed read is logged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import DBAPIError

from jikimi.audit.log import verify
from jikimi.bootstrap import Jikimi
from jikimi.crypto import KeyRing
from jikimi.handlers import Handler
from jikimi.store.engine import make_engine
from jikimi.store.logged_reads import statement_engine
from jikimi.store.tables import access_log

from ..databases import fresh_postgres
from .conftest import MEMBER

ITEMS = ["name", "email", "mobile"]


@pytest.fixture
def engine() -> Iterator[Engine]:
    """PostgreSQL only: dropped connections are a server's doing (SQLite has no server)."""
    with fresh_postgres() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def backend_pids(engine: Engine) -> set[int]:
    """The server processes of the pool's connections to the test database."""
    with make_engine(engine.url.render_as_string(hide_password=False)).connect() as conn:
        mine = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        return {
            int(pid)
            for (pid,) in conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> :me"),
                {"me": mine},
            )
        }


def terminate(engine: Engine, pids: set[int]) -> None:
    """``pg_terminate_backend`` each, waiting until the process is gone (PostgreSQL 14+)."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    with other.connect() as conn:
        for pid in pids:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()
    other.dispose()


def reads_logged(jikimi: Jikimi, subject_id: str) -> list[tuple[str, str]]:
    with jikimi.core.engine.connect() as conn:
        return [
            (row.action, row.outcome)
            for row in conn.execute(
                select(access_log.c.action, access_log.c.outcome)
                .where(access_log.c.subject_id == subject_id, access_log.c.action == "read")
                .order_by(access_log.c.seq)
            )
        ]


def log_verifies(jikimi: Jikimi, ring: KeyRing) -> bool:
    with jikimi.core.engine.connect() as conn:
        return verify(conn, keys=ring).ok


def kill_at_begin(engine: Engine, times: int) -> list[int]:
    """Terminate the server process of the next ``times`` gated reads as they begin — after the pool
    handed the connection out, before the first statement: the race no check at checkout can see.
    (A gated read's one statement runs on a pool of its own, ``statement_engine``.)"""
    killed: list[int] = []
    engine = statement_engine(engine)

    def on_begin(conn: Any) -> None:
        if len(killed) < times:
            pid = int(conn.connection.dbapi_connection.info.backend_pid)
            killed.append(pid)
            terminate(engine, {pid})

    event.listen(engine, "begin", on_begin)
    return killed


def test_the_pool_is_not_pinged_before_each_use(engine: Engine) -> None:
    for pool in (engine.pool, statement_engine(engine).pool):
        assert pool._pre_ping is False  # a round trip per request, which the checkout look replaces


def test_a_gated_read_survives_a_terminated_backend(
    jikimi: Jikimi, engine: Engine, support_agent: Handler, ring: KeyRing
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    expected = {"name": MEMBER["name"], "email": MEMBER["email"], "mobile": MEMBER["mobile"]}
    assert jikimi.vault.read(sid, ITEMS, "support", support_agent) == expected
    pooled = backend_pids(engine)
    assert pooled  # the read's connection waits in the pool
    terminate(engine, pooled)

    assert jikimi.vault.read(sid, ITEMS, "support", support_agent) == expected
    assert reads_logged(jikimi, sid) == [("read", "allowed"), ("read", "allowed")]
    assert not pooled & backend_pids(engine)  # the dead connections were replaced, not reused
    assert log_verifies(jikimi, ring)


def test_any_operation_after_a_terminated_backend_gets_a_live_connection(
    jikimi: Jikimi, engine: Engine, support_agent: Handler
) -> None:
    """Not only reads: the pool looks at a connection's socket as it hands it out (no round trip),
    so a collect — which is not tried again — never meets the dead connection."""
    first = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    terminate(engine, backend_pids(engine))

    other = {**MEMBER, "login_id": "kim", "email": "kim@example.com", "mobile": "010-2222-3333"}
    second = jikimi.vault.collect("signup", {**other, "ci": "CI" + "B" * 86}, {}).subject_id
    assert jikimi.vault.read(second, ["email"], "support", support_agent) == {"email": "kim@example.com"}
    assert first != second


def test_a_connection_dropped_before_the_first_statement_is_read_again_once(
    jikimi: Jikimi, engine: Engine, support_agent: Handler, ring: KeyRing
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    killed = kill_at_begin(engine, times=1)

    assert jikimi.vault.read(sid, ["name"], "support", support_agent) == {"name": MEMBER["name"]}
    assert len(killed) == 1
    assert reads_logged(jikimi, sid) == [("read", "allowed")]  # logged once: the first try committed nothing
    assert log_verifies(jikimi, ring)


def test_a_connection_dropped_twice_is_an_error_that_logs_nothing(
    jikimi: Jikimi, engine: Engine, support_agent: Handler, ring: KeyRing
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    with jikimi.core.engine.connect() as conn:
        rows_before = conn.execute(select(func.count()).select_from(access_log)).scalar()
    killed = kill_at_begin(engine, times=2)

    with pytest.raises(DBAPIError) as caught:
        jikimi.vault.read(sid, ["name"], "support", support_agent)
    assert caught.value.connection_invalidated
    assert len(killed) == 2
    with jikimi.core.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(access_log)).scalar() == rows_before

    # the server is back: the next read works, and the chain has no gap where the failed read was
    assert jikimi.vault.read(sid, ["name"], "support", support_agent) == {"name": MEMBER["name"]}
    assert reads_logged(jikimi, sid) == [("read", "allowed")]
    assert log_verifies(jikimi, ring)


def test_the_log_row_of_a_read_after_a_drop_names_what_was_asked(
    jikimi: Jikimi, engine: Engine, support_agent: Handler
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    kill_at_begin(engine, times=1)
    jikimi.vault.read(sid, ITEMS, "support", support_agent, reason="문의 응대")
    with jikimi.core.engine.connect() as conn:
        row = conn.execute(
            select(access_log).where(access_log.c.subject_id == sid, access_log.c.action == "read")
        ).one()
    assert (row.actor, row.purpose, json.loads(row.items), row.reason) == (
        "cs-kim",
        "support",
        sorted(ITEMS),
        "문의 응대",
    )
