"""Fixtures for vault tests: every test runs on a real SQLite file and on a real PostgreSQL."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.handlers import Handler
from jikimi.policy.model import Policy
from jikimi.vault import Vault

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
def vault(engine: Engine, reference_policy: Policy, ring: KeyRing, clock: FixedClock) -> Vault:
    # Light Argon2id parameters keep the suite fast; the real parameters are exercised by
    # tests/vault/test_encryption.py (rehash on login) and tests/test_crypto.py.
    return Vault(policy=reference_policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords())


@pytest.fixture
def support_agent(vault: Vault) -> Handler:
    """A handler whose role may read for membership and support only."""
    vault.handlers.define_role("cs", purposes=["membership", "support"], actions=["read"])
    handler, _ = vault.handlers.create("cs-kim", "correct horse battery", role="cs")
    return handler


@pytest.fixture
def marketer(vault: Vault) -> Handler:
    vault.handlers.define_role("marketing", purposes=["marketing"], actions=["read", "export"])
    handler, _ = vault.handlers.create("mk-lee", "correct horse battery", role="marketing")
    return handler


def fast_passwords() -> Passwords:
    """Argon2id with light parameters, for tests that collect hundreds of subjects."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def officer(vault: Vault) -> Handler:
    """A handler whose role may use every purpose and every action (an administrator)."""
    vault.handlers.define_role("officer", purposes=["*"], actions=["*"])
    handler, _ = vault.handlers.create("officer-park", "correct horse battery", role="officer")
    return handler


@pytest.fixture
def member(vault: Vault) -> str:
    """An adult member who gave marketing consent."""
    return vault.collect("signup", MEMBER, {"marketing": True}).subject_id
