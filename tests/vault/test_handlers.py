"""Handlers (개인정보취급자): temporary locks after failed logins that never stop a handler's work,
per-address limits, tokens that expire and can be revoked, and a rights log kept three years."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.errors import AccountLocked, AuthError, InvalidInput, NotFound, TooManyAttempts, UsageError
from jikimi.handlers import UNKNOWN_LOGIN, Handler, lock_for
from jikimi.policy.model import Policy
from jikimi.settings import TOKEN_LIFETIME, Settings
from jikimi.store.tables import access_log

from ..conftest import START  # noqa: TID252
from .conftest import fast_passwords

PASSWORD = "correct horse battery"


def wrong(jikimi: Jikimi, login: str = "cs-kim", times: int = 1, source: str = "local") -> None:
    for _ in range(times):
        with pytest.raises(AuthError) as caught:
            jikimi.handlers.login(login, "wrong password!", source=source)
        assert not isinstance(caught.value, AccountLocked)


def test_five_wrong_passwords_do_not_stop_the_officers_existing_token(
    jikimi: Jikimi, officer: Handler, clock: FixedClock
) -> None:
    _, token = jikimi.handlers.login("officer-park", PASSWORD)
    wrong(jikimi, "officer-park", times=5)
    with pytest.raises(AccountLocked):
        jikimi.handlers.login("officer-park", PASSWORD)  # a lock stops new logins, even the right one
    assert jikimi.handlers.authenticate(token).login == "officer-park"  # and nothing else
    assert [h["locked"] for h in jikimi.handlers.all() if h["login"] == "officer-park"] == [True]
    clock.advance(timedelta(minutes=1))
    assert jikimi.handlers.login("officer-park", PASSWORD)[0].login == "officer-park"  # it ends by itself
    changes = [r["change"] for r in jikimi.handlers.rights_history("officer-park")]
    assert changes == ["grant", "lock"]


def test_each_lock_in_a_row_lasts_twice_as_long_up_to_an_hour(
    jikimi: Jikimi, support_agent: Handler, clock: FixedClock
) -> None:
    assert [lock_for(level).total_seconds() // 60 for level in range(1, 10)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]
    wrong(jikimi, times=5)
    for minutes in (1, 2, 4):
        clock.advance(timedelta(minutes=minutes) - timedelta(seconds=1))
        with pytest.raises(AccountLocked):
            jikimi.handlers.login("cs-kim", PASSWORD)
        clock.advance(timedelta(seconds=1))
        wrong(jikimi)  # the lock is over; one more wrong password locks again, for longer
    clock.advance(timedelta(minutes=8))
    jikimi.handlers.login("cs-kim", PASSWORD)  # the right password starts over
    wrong(jikimi, times=4)
    assert jikimi.handlers.login("cs-kim", PASSWORD)[0].login == "cs-kim"


def test_an_administrator_ends_a_lock_at_once(
    jikimi: Jikimi, support_agent: Handler, officer: Handler
) -> None:
    wrong(jikimi, times=5)
    jikimi.handlers.unlock("cs-kim", actor=officer)
    handler, fresh = jikimi.handlers.login("cs-kim", PASSWORD)
    assert handler.login == "cs-kim" and jikimi.handlers.authenticate(fresh).login == "cs-kim"
    assert [r["change"] for r in jikimi.handlers.rights_history("cs-kim")] == ["grant", "lock", "unlock"]


def test_one_source_address_is_refused_after_twenty_failures_without_locking_the_account(
    jikimi: Jikimi, support_agent: Handler, clock: FixedClock
) -> None:
    for _ in range(20):
        with pytest.raises(AuthError):
            jikimi.handlers.login("nobody-here", "guess-guess", source="203.0.113.9")
    with pytest.raises(TooManyAttempts) as caught:  # refused before the password is looked at
        jikimi.handlers.login("cs-kim", PASSWORD, source="203.0.113.9")
    assert caught.value.code == "auth.rate_limited" and 0 < caught.value.retry_after <= 15 * 60
    for _ in range(10):
        with pytest.raises(AccountLocked):
            jikimi.handlers.login("cs-kim", "wrong password!", source="203.0.113.9")
    assert jikimi.handlers.login("cs-kim", PASSWORD, source="198.51.100.7")[0].login == "cs-kim"
    clock.advance(timedelta(minutes=15))
    assert jikimi.handlers.login("cs-kim", PASSWORD, source="203.0.113.9")[0].login == "cs-kim"


def test_every_failed_login_is_in_the_access_log_without_the_password_or_a_mistyped_login(
    jikimi: Jikimi, support_agent: Handler
) -> None:
    wrong(jikimi, times=5, source="203.0.113.9")
    with pytest.raises(AccountLocked):
        jikimi.handlers.login("cs-kim", PASSWORD, source="203.0.113.9")
    with pytest.raises(AuthError):
        jikimi.handlers.login("hong@example.com", PASSWORD, source="203.0.113.9")
    with jikimi.core.engine.connect() as conn:
        rows = conn.execute(
            select(access_log).where(access_log.c.action == "login").order_by(access_log.c.seq)
        ).all()
    assert [(r.actor, r.outcome, r.source) for r in rows] == [
        ("cs-kim", "denied:wrong_password", "203.0.113.9")
    ] * 5 + [
        ("cs-kim", "denied:locked", "203.0.113.9"),
        (UNKNOWN_LOGIN, "denied:unknown_handler", "203.0.113.9"),
    ]
    logged = str([tuple(r) for r in rows])
    assert PASSWORD not in logged and "wrong password!" not in logged and "hong@example.com" not in logged


def test_every_refused_token_is_in_the_access_log_without_the_token(
    jikimi: Jikimi, support_agent: Handler, clock: FixedClock
) -> None:
    _, token = jikimi.handlers.login("cs-kim", PASSWORD)
    guessed = "x" * 43
    with pytest.raises(AuthError):
        jikimi.handlers.authenticate(guessed, source="203.0.113.9")
    clock.advance(TOKEN_LIFETIME)
    with pytest.raises(AuthError, match="expired"):
        jikimi.handlers.authenticate(token, source="198.51.100.7")
    with jikimi.core.engine.connect() as conn:
        rows = conn.execute(
            select(access_log).where(access_log.c.action == "auth.token").order_by(access_log.c.seq)
        ).all()
    assert [(r.actor, r.outcome, r.source) for r in rows] == [
        (UNKNOWN_LOGIN, "denied:invalid_token", "203.0.113.9"),
        ("cs-kim", "denied:expired_token", "198.51.100.7"),
    ]
    logged = str([tuple(r) for r in rows])
    assert guessed not in logged and token not in logged


def test_tokens_expire_after_their_lifetime_and_a_login_gives_a_fresh_one(
    jikimi: Jikimi, support_agent: Handler, clock: FixedClock
) -> None:
    _, token = jikimi.handlers.login("cs-kim", PASSWORD)
    clock.advance(TOKEN_LIFETIME - timedelta(seconds=1))
    assert jikimi.handlers.authenticate(token).login == "cs-kim"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(AuthError, match="expired"):
        jikimi.handlers.authenticate(token)
    _, fresh = jikimi.handlers.login("cs-kim", PASSWORD)
    assert jikimi.handlers.authenticate(fresh).login == "cs-kim"


def test_the_token_lifetime_comes_from_the_settings(engine: Engine, reference_policy: Policy) -> None:
    assert Settings.from_env({}).token_lifetime == timedelta(hours=12)
    settings = Settings.from_env({"JIKIMI_TOKEN_HOURS": "0.5"})
    assert settings.token_lifetime == timedelta(minutes=30)
    with pytest.raises(UsageError):
        Settings.from_env({"JIKIMI_TOKEN_HOURS": "never"})
    clock = FixedClock(START)
    jikimi = build_jikimi(
        policy=reference_policy,
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
        token_lifetime=settings.token_lifetime,
    )
    jikimi.handlers.define_role("cs", purposes=["support"], actions=["read"])
    _, token = jikimi.handlers.create("cs-kim", PASSWORD, role="cs")
    clock.advance(timedelta(minutes=30))
    with pytest.raises(AuthError):
        jikimi.handlers.authenticate(token)


def test_an_administrator_revokes_a_handlers_tokens_and_it_is_in_the_rights_log(
    jikimi: Jikimi, support_agent: Handler, officer: Handler
) -> None:
    _, token = jikimi.handlers.login("cs-kim", PASSWORD)
    jikimi.handlers.revoke_tokens("cs-kim", actor=officer)
    with pytest.raises(AuthError):
        jikimi.handlers.authenticate(token)
    assert [r["change"] for r in jikimi.handlers.rights_history("cs-kim")] == ["grant", "token"]
    _, fresh = jikimi.handlers.login("cs-kim", PASSWORD)
    assert jikimi.handlers.authenticate(fresh).login == "cs-kim"


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
