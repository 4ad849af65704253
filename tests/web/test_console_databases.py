"""The console's sessions on both databases jikimi runs on (SQLite and PostgreSQL): the same code,
the same migrations — sign in with password and TOTP, a used code refused, an idle session ended."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jikimi.api.app import create_app
from jikimi.bootstrap import build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.handlers import SYSTEM
from jikimi.signin import totp
from jikimi.signin.sessions import IDLE

from ..conftest import EXAMPLES  # noqa: TID252
from ..policies import cached_policy as load_policy  # noqa: TID252
from .conftest import PASSWORD, Staff, sign_in


def test_a_console_session_opens_with_totp_and_ends_when_idle_on_each_database(
    engine: Engine, clock: FixedClock
) -> None:
    jikimi = build_jikimi(
        policy=load_policy(EXAMPLES / "reference.yaml"),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)),
    )
    jikimi.handlers.define_role("admin", purposes=["*"], actions=["*"])
    jikimi.handlers.create("officer-kim", PASSWORD, role="admin")
    staff = Staff(
        "officer-kim", PASSWORD, totp.from_base32(jikimi.sessions.enrol("officer-kim", actor=SYSTEM))
    )
    with TestClient(create_app(jikimi), follow_redirects=False) as client:
        sign_in(client, staff, clock)
        assert client.get("/console/").status_code == 200
        token = client.cookies.get("jk_console") or ""
        assert jikimi.sessions.console(token) is not None
        clock.advance(IDLE + timedelta(seconds=1))
        assert client.get("/console/").headers["location"] == "/console/sign-in"
        assert jikimi.sessions.console(token) is None
    actions = [e.action for e in jikimi.audit.by_handler("officer-kim").entries]
    assert "console.sign_in" in actions and "console.session_idle" in actions
