"""A request's token look-up is reused for two seconds at most, and never outlives a change to the
handler: at once in the process that made the change, within two seconds in any other."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.errors import AuthError
from jikimi.handlers import TOKEN_CACHE_SECONDS, Handler
from jikimi.policy.model import Policy
from jikimi.ttl import TtlCache

from .conftest import fast_passwords

PASSWORD = "correct horse battery"


@pytest.fixture
def other_process(engine: Engine, reference_policy: Policy, ring: KeyRing, clock: FixedClock) -> Jikimi:
    """A second jikimi on the same database: another worker of the same server."""
    return build_jikimi(
        policy=reference_policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords()
    )


def test_a_cached_entry_is_reused_only_for_its_seconds() -> None:
    now = [100.0]
    cache: TtlCache[bytes, str] = TtlCache(2.0, clock=lambda: now[0])
    cache.put(b"digest", "handler")
    now[0] += 1.9
    assert cache.get(b"digest") == "handler"
    now[0] += 0.1
    assert cache.get(b"digest") is None


def test_a_full_cache_starts_over_rather_than_grow() -> None:
    cache: TtlCache[int, int] = TtlCache(60.0, limit=3)
    for key in range(4):
        cache.put(key, key)
    assert [cache.get(key) for key in range(4)] == [None, None, None, 3]


def test_a_revoked_token_is_refused_at_once_by_the_process_that_revoked_it(
    jikimi: Jikimi, officer: Handler, support_agent: Handler
) -> None:
    _, token = jikimi.handlers.login("cs-kim", PASSWORD)
    assert jikimi.handlers.authenticate(token).login == "cs-kim"  # looked up and kept
    jikimi.handlers.revoke_tokens("cs-kim", actor=officer)
    with pytest.raises(AuthError):
        jikimi.handlers.authenticate(token)
    assert jikimi.handlers.identify(token) is None


def test_an_older_token_is_refused_at_once_after_a_new_login(jikimi: Jikimi, support_agent: Handler) -> None:
    _, first = jikimi.handlers.login("cs-kim", PASSWORD)
    jikimi.handlers.authenticate(first)
    jikimi.handlers.login("cs-kim", PASSWORD)
    with pytest.raises(AuthError):
        jikimi.handlers.authenticate(first)


def test_a_role_narrowed_is_applied_at_once_to_a_cached_token(jikimi: Jikimi, support_agent: Handler) -> None:
    _, token = jikimi.handlers.login("cs-kim", PASSWORD)
    assert "support" in jikimi.handlers.authenticate(token).role.purposes
    jikimi.handlers.define_role("cs", purposes=["membership"], actions=["read"])
    assert jikimi.handlers.authenticate(token).role.purposes == frozenset({"membership"})


def test_a_token_revoked_in_another_process_is_refused_within_two_seconds(
    jikimi: Jikimi, other_process: Jikimi, officer: Handler, support_agent: Handler
) -> None:
    _, token = jikimi.handlers.login("cs-kim", PASSWORD)
    jikimi.handlers.authenticate(token)
    other_process.handlers.revoke_tokens("cs-kim", actor=officer)
    with pytest.raises(AuthError):
        other_process.handlers.authenticate(token)
    time.sleep(TOKEN_CACHE_SECONDS + 0.05)
    with pytest.raises(AuthError):
        jikimi.handlers.authenticate(token)


def test_an_expired_token_is_refused_even_while_it_is_cached(
    jikimi: Jikimi, support_agent: Handler, clock: FixedClock
) -> None:
    _, token = jikimi.handlers.login("cs-kim", PASSWORD)
    jikimi.handlers.authenticate(token)
    clock.advance(timedelta(hours=13))
    with pytest.raises(AuthError):
        jikimi.handlers.authenticate(token)
