"""Fixtures for the rights tests: a real vault (SQLite file and PostgreSQL), a rights handler, members."""

from __future__ import annotations

import pytest

from jikimi.bootstrap import Jikimi
from jikimi.handlers import Handler
from jikimi.rights import RightsDesk

from ..conftest import MEMBER, START  # noqa: TID252,F401
from ..vault.conftest import fast_passwords, jikimi, officer, reference_policy, ring  # noqa: TID252,F401

CHILD = {
    "name": "김아이",
    "birthdate": "2016-05-05",
    "login_id": "kid01",
    "password": "secret-pass-2",
    "mobile": "010-2222-3333",
    "email": "kid@example.com",
    "ci": "CI" + "B" * 86,
    "guardian_name": "김보호",
    "guardian_mobile": "010-9999-8888",
}


@pytest.fixture
def desk(jikimi: Jikimi) -> RightsDesk:  # noqa: F811
    return jikimi.rights


@pytest.fixture
def clerk(jikimi: Jikimi) -> Handler:  # noqa: F811
    """A privacy-team handler: may handle rights requests, and nothing else."""
    jikimi.handlers.define_role("privacy_team", purposes=[], actions=["rights"])
    handler, _ = jikimi.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
    return handler


@pytest.fixture
def member(jikimi: Jikimi) -> str:  # noqa: F811
    """An adult member who gave marketing consent."""
    return jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id


@pytest.fixture
def child(jikimi: Jikimi) -> str:  # noqa: F811
    """A child under 14 whose guardian consented (an active child member)."""
    sid = jikimi.vault.collect("signup", CHILD, {}).subject_id
    jikimi.vault.record_guardian_consent(sid, method="휴대전화 본인확인")
    jikimi.vault.collect("signup", CHILD, {"marketing": False}, subject_id=sid)
    return sid
