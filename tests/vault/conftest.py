"""Fixtures for vault tests: every test runs on a real SQLite file and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.handlers import Handler
from jikimi.policy.load import load_policy
from jikimi.policy.model import Policy
from jikimi.store.engine import make_engine
from jikimi.store.migrate import upgrade
from jikimi.vault import Vault

from ..conftest import EXAMPLES  # noqa: TID252
from ..databases import fresh_database

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 10:00 KST on a Monday


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def reference_policy() -> Policy:
    return load_policy(EXAMPLES / "reference.yaml")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(MasterKey.generate())


@pytest.fixture
def vault(engine: Engine, reference_policy: Policy, ring: KeyRing, clock: FixedClock) -> Vault:
    return Vault(policy=reference_policy, engine=engine, keys=ring, clock=clock)


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


MEMBER = {
    "name": "홍길동",
    "birthdate": "1990-01-01",
    "login_id": "hong",
    "password": "secret-pass-1",
    "mobile": "010-1234-5678",
    "email": "hong@example.com",
    "ci": "CI" + "A" * 86,
}
