"""Fixtures for sharing tests: the reference policy plus a recipient on a legal basis (수사기관),
on a real SQLite file and a real PostgreSQL, with a handler who may provide."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.handlers import Handler
from jikimi.policy.model import Policy
from jikimi.sharing import Sharing

from ..conftest import MEMBER  # noqa: TID252
from ..vault.conftest import fast_passwords, marketer, officer, policy_with, ring, support_agent  # noqa: TID252,F401

POLICE = {
    "id": "police",
    "name": "수사기관",
    "purpose": "범죄 수사 (영장에 따른 요청)",
    "items": ["name", "mobile", "login_id"],
    "basis": "law",
    "citation": {"law": "형사소송법", "article": "제215조"},
}


def with_police(data: dict[str, Any]) -> None:
    data["third_parties"]["recipients"].append(POLICE)


@pytest.fixture
def sharing_policy() -> Policy:
    return policy_with(with_police)


@pytest.fixture
def jikimi(engine: Engine, sharing_policy: Policy, ring: KeyRing, clock: FixedClock) -> Jikimi:  # noqa: F811
    return build_jikimi(
        policy=sharing_policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords()
    )


@pytest.fixture
def sharing(jikimi: Jikimi) -> Sharing:
    return jikimi.sharing


@pytest.fixture
def provider(jikimi: Jikimi) -> Handler:
    """A handler who may provide data to third parties and record consents, and nothing else."""
    jikimi.handlers.define_role("partnerships", purposes=[], actions=["provide", "provide_by_law", "consent"])
    handler, _ = jikimi.handlers.create("pt-choi", "correct horse battery", role="partnerships")
    return handler


def member_data(n: int, **changes: str) -> dict[str, str]:
    """Member ``n`` of a test: the shared member with unique look-up items."""
    data = dict(MEMBER)
    data.update(
        login_id=f"member{n}",
        mobile=f"010-2000-{n:04d}",
        email=f"member{n}@example.com",
        ci="CI" + f"{n:086d}",
    )
    data.update(changes)
    return data


@pytest.fixture
def member(jikimi: Jikimi) -> str:
    return jikimi.vault.collect("signup", member_data(1), {"marketing": True}).subject_id
