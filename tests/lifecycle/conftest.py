"""Fixtures for lifecycle tests: a vault per example policy, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.handlers import Handler
from jikimi.policy.load import load_policy
from jikimi.vault import Vault

from ..conftest import EXAMPLES
from ..vault.conftest import fast_passwords

VaultFor = Callable[[str], Vault]


@pytest.fixture
def vault_for(engine: Engine, clock: FixedClock) -> VaultFor:
    """``vault_for("mecross")``: a vault keeping ``examples/policies/mecross.yaml``."""
    ring = KeyRing(MasterKey.generate())

    def make(name: str) -> Vault:
        return Vault(policy=load_policy(EXAMPLES / f"{name}.yaml"), engine=engine, keys=ring, clock=clock,
                     passwords=fast_passwords())

    return make


def officer_of(vault: Vault) -> Handler:
    """A handler who may read separated data (the privacy officer's team)."""
    vault.handlers.define_role("retention", purposes=["*"], actions=["separated", "read", "withdraw"])
    handler, _ = vault.handlers.create("officer-retention", "correct horse battery", role="retention")
    return handler
