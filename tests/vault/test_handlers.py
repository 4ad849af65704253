"""Handlers (개인정보취급자): lockout after five failed logins, and a rights log kept three years."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.errors import AccountLocked, AuthError, InvalidInput, NotFound
from jikimi.handlers import Handler
from jikimi.store.tables import access_log

PASSWORD = "correct horse battery"


def test_five_failed_logins_lock_the_account_until_unlocked(
    jikimi: Jikimi, support_agent: Handler, officer: Handler
) -> None:
    _, token = jikimi.handlers.login("cs-kim", PASSWORD)
    for _ in range(5):
        with pytest.raises(AuthError) as caught:
            jikimi.handlers.login("cs-kim", "wrong password!")
        assert not isinstance(caught.value, AccountLocked)
    with pytest.raises(AccountLocked):
        jikimi.handlers.login("cs-kim", PASSWORD)
    with pytest.raises(AccountLocked):
        jikimi.handlers.authenticate(token)
    assert [h["locked"] for h in jikimi.handlers.all() if h["login"] == "cs-kim"] == [True]
    jikimi.handlers.unlock("cs-kim", actor=officer)
    handler, fresh = jikimi.handlers.login("cs-kim", PASSWORD)
    assert handler.login == "cs-kim" and jikimi.handlers.authenticate(fresh).login == "cs-kim"
    changes = [r["change"] for r in jikimi.handlers.rights_history("cs-kim")]
    assert changes == ["grant", "lock", "unlock"]


def test_a_successful_login_resets_the_failure_count(jikimi: Jikimi, support_agent: Handler) -> None:
    for _ in range(4):
        with pytest.raises(AuthError):
            jikimi.handlers.login("cs-kim", "wrong password!")
    jikimi.handlers.login("cs-kim", PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthError):
            jikimi.handlers.login("cs-kim", "wrong password!")
    assert jikimi.handlers.login("cs-kim", PASSWORD)[0].login == "cs-kim"


def test_unknown_handlers_and_short_passwords_are_refused(jikimi: Jikimi, support_agent: Handler) -> None:
    with pytest.raises(AuthError):
        jikimi.handlers.login("nobody", PASSWORD)
    with pytest.raises(AuthError):
        jikimi.handlers.authenticate("jk_not-a-token")
    with pytest.raises(InvalidInput):
        jikimi.handlers.create("short-pw", "short", role="cs")
    with pytest.raises(InvalidInput):
        jikimi.handlers.create("cs-kim", PASSWORD, role="cs")
    with pytest.raises(NotFound):
        jikimi.handlers.create("no-role", PASSWORD, role="ghost")
    with pytest.raises(NotFound):
        jikimi.handlers.unlock("nobody", actor=support_agent)
    assert [r["handler_login"] for r in jikimi.handlers.rights_history()] == ["cs", "cs-kim"]


def test_every_change_of_rights_is_kept_three_years_and_logged_as_admin(
    jikimi: Jikimi, officer: Handler
) -> None:
    jikimi.handlers.define_role("cs", purposes=["support"], actions=["read"], actor=officer)
    jikimi.handlers.define_role("cs", purposes=["support", "membership"], actions=["read"], actor=officer)
    jikimi.handlers.create("cs-kim", PASSWORD, role="cs", actor=officer)
    jikimi.handlers.change_role("cs-kim", "officer", actor=officer)
    jikimi.handlers.unlock("cs-kim", actor=officer)
    jikimi.handlers.disable("cs-kim", actor=officer)
    with pytest.raises(NotFound):
        jikimi.handlers.get("cs-kim")
    history = [r for r in jikimi.handlers.rights_history() if r["actor"] == "officer-park"]
    assert [(r["handler_login"], r["change"]) for r in history] == [
        ("cs", "role"),
        ("cs", "role"),
        ("cs-kim", "grant"),
        ("cs-kim", "change"),
        ("cs-kim", "unlock"),
        ("cs-kim", "revoke"),
    ]
    assert json.loads(history[1]["detail"])["purposes"] == '["membership", "support"]'
    for row in history:
        kept = row["keep_until"] - row["at"]
        assert kept >= timedelta(days=3 * 365), "the rights log is kept at least three years"
    with jikimi.core.engine.connect() as conn:
        admin = conn.execute(
            select(access_log.c.action, access_log.c.reason)
            .where(access_log.c.actor == "officer-park", access_log.c.action.like("admin.%"))
            .order_by(access_log.c.seq)
        ).all()
    assert [(a.action, a.reason) for a in admin] == [
        ("admin.role", "handler=cs"),
        ("admin.role", "handler=cs"),
        ("admin.grant", "handler=cs-kim"),
        ("admin.change", "handler=cs-kim"),
        ("admin.unlock", "handler=cs-kim"),
        ("admin.revoke", "handler=cs-kim"),
    ]


def test_unknown_actions_cannot_be_granted(jikimi: Jikimi) -> None:
    with pytest.raises(InvalidInput):
        jikimi.handlers.define_role("weird", purposes=["*"], actions=["read", "delete_everything"])
