"""Fixtures for vault tests: every test runs on a real SQLite file and on a real PostgreSQL."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.handlers import Handler
from jikimi.policy.model import Policy

from ..conftest import EXAMPLES, MEMBER, START  # noqa: TID252,F401
from ..policies import cached_policy as load_policy
from ..policies import policy_from, policy_with, reference_data  # noqa: F401 - used by other test packages


@pytest.fixture
def reference_policy() -> Policy:
    return load_policy(EXAMPLES / "reference.yaml")


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(MasterKey.generate())


@pytest.fixture
def jikimi(engine: Engine, reference_policy: Policy, ring: KeyRing, clock: FixedClock) -> Jikimi:
    # Light Argon2id parameters keep the suite fast; the real parameters are exercised by
    # tests/vault/test_encryption.py (rehash on login) and tests/test_crypto.py.
    return build_jikimi(
        policy=reference_policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords()
    )


@pytest.fixture
def support_agent(jikimi: Jikimi) -> Handler:
    """A handler whose role may read for membership and support only."""
    jikimi.handlers.define_role("cs", purposes=["membership", "support"], actions=["read"])
    handler, _ = jikimi.handlers.create("cs-kim", "correct horse battery", role="cs")
    return handler


@pytest.fixture
def marketer(jikimi: Jikimi) -> Handler:
    jikimi.handlers.define_role("marketing", purposes=["marketing"], actions=["read", "export"])
    handler, _ = jikimi.handlers.create("mk-lee", "correct horse battery", role="marketing")
    return handler


def fast_passwords() -> Passwords:
    """Argon2id with light parameters, for tests that collect hundreds of subjects."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def officer(jikimi: Jikimi) -> Handler:
    """A handler whose role may use every purpose and every action (an administrator)."""
    jikimi.handlers.define_role("officer", purposes=["*"], actions=["*"])
    handler, _ = jikimi.handlers.create("officer-park", "correct horse battery", role="officer")
    return handler


@pytest.fixture
def member(jikimi: Jikimi) -> str:
    """An adult member who gave marketing consent."""
    return jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
