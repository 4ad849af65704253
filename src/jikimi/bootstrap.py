"""Wiring: build a ready ``Vault`` from ``Settings`` and a policy file (the only place that does)."""

from __future__ import annotations

from pathlib import Path

from jikimi.clock import Clock
from jikimi.errors import UsageError
from jikimi.policy.load import load_policy
from jikimi.settings import Settings
from jikimi.store.engine import make_engine
from jikimi.store.migrate import upgrade
from jikimi.vault import Vault


def open_vault(
    settings: Settings, *, policy_path: Path | None = None, clock: Clock | None = None, migrate: bool = True
) -> Vault:
    """Open the database named in ``settings`` (upgrading its schema unless ``migrate=False``),
    load the policy and the master key ring, and return the vault."""
    path = policy_path or settings.policy_path
    if path is None:
        raise UsageError(
            "처리방침 파일을 지정하십시오 (--policy 또는 JIKIMI_POLICY)",
            "name the policy file (--policy or JIKIMI_POLICY)",
        )
    policy = load_policy(path)
    ring = settings.key_ring()
    engine = make_engine(settings.db_url)
    if migrate:
        upgrade(engine)
    return Vault(policy=policy, engine=engine, keys=ring, clock=clock)
