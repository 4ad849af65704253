"""Fixtures for vault tests: every test runs on a real SQLite file and on a real PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from ruamel.yaml import YAML
from sqlalchemy import Engine

from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.handlers import Handler
from jikimi.policy.load import load_policy, load_policy_text
from jikimi.policy.model import Policy
from jikimi.vault import Vault

from ..conftest import EXAMPLES, MEMBER, START  # noqa: TID252,F401


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


def reference_data() -> dict[str, Any]:
    """The reference policy as plain data, for tests that need a variant of it."""
    data: dict[str, Any] = YAML(typ="safe").load((EXAMPLES / "reference.yaml").read_text(encoding="utf-8"))
    return data


def policy_from(data: dict[str, Any]) -> Policy:
    """Load a policy from plain data through the real loader (schema and reference checks)."""
    stream = io.StringIO()
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.dump(data, stream)
    return load_policy_text(stream.getvalue(), filename="<variant>")


def policy_with(edit: Callable[[dict[str, Any]], None]) -> Policy:
    """The reference policy with ``edit`` applied to its data."""
    data = reference_data()
    edit(data)
    return policy_from(data)


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
