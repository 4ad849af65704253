"""Shared fixtures: paths to the example policies and a small, lint-clean policy to mutate."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from jikimi.clock import FixedClock
from jikimi.store.engine import make_engine

from .databases import fresh_database

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "policies"
SEEDS = ["yeongsang", "mecross", "shop", "classpatra", "rsupport"]
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 10:00 KST on a Monday

MEMBER = {
    "name": "홍길동",
    "birthdate": "1990-01-01",
    "login_id": "hong",
    "password": "secret-pass-1",
    "mobile": "010-1234-5678",
    "email": "hong@example.com",
    "ci": "CI" + "A" * 86,
}

CLEAN_POLICY = """\
title: 개인정보 처리방침
version: "2026-01-01"
effective: 2026-01-01
controller: {name: 주식회사 테스트몰, service: 테스트몰}
officers:
  - {role: officer, name: 김보호, title: 이사, email: privacy@example.com, phone: 02-6213-4870}
items:
  - {id: name, label: 이름}
  - {id: email, label: 이메일, format: email, class: contact, lookup: true}
  - {id: password, label: 비밀번호, format: password, class: credential}
  - {id: guardian_name, label: 법정대리인 성명, class: guardian}
  - {id: guardian_mobile, label: 법정대리인 휴대전화번호, format: phone_kr, class: guardian}
contexts:
  - {id: signup, label: 회원가입, required: [name, email, password], channels: [web], children: guardian_consent}
purposes:
  - {id: membership, label: 회원 관리, basis: contract, items: [name, email, password]}
  - {id: marketing, label: 마케팅, basis: consent, consent: optional, marketing: true, items: [email], children: false}
records:
  - {id: payment, label: 대금결제 기록}
retention:
  - {id: payment_records, what: [payment], basis: ecommerce.payment, from: record_date, reason: 전자상거래법}
destruction: {procedure: 목적 달성 후 지체 없이 파기, methods: [electronic_irrecoverable]}
children:
  policy: guardian_consent
  guardian_items: [guardian_name, guardian_mobile]
security:
  - {kind: encryption_at_rest, description: 개인정보는 암호화하여 저장합니다}
  - {kind: password_hashing, description: 비밀번호는 일방향 암호화합니다}
rights: {channels: [web, email], deadline_days: 10, guardian: true}
complaints:
  redress:
    - {name: 개인정보분쟁조정위원회, phone: 1833-6972}
    - {name: 개인정보침해신고센터, phone: "118"}
    - {name: 대검찰청, phone: "1301"}
    - {name: 경찰청, phone: "182"}
notice: {lead_days: 7, material_lead_days: 30}
"""  # noqa: E501


@pytest.fixture(autouse=True, scope="session")
def _policies_parsed_once() -> Iterator[None]:
    """Every ``open_jikimi`` of the session (the CLI's and the API's, run in-process by the tests) takes
    its policy from the session's cache: a file is parsed once, not once per command run."""
    from jikimi import bootstrap

    from .policies import cached_policy

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bootstrap, "load_policy", cached_policy)
        yield


@pytest.fixture
def clean_policy_text() -> str:
    return CLEAN_POLICY


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database per test: a SQLite file, and a PostgreSQL database (see tests/databases.py)."""  # noqa: E501
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)  # migrated already (a copy of a migrated template)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


# -- tiers: `make quick` runs what needs no database -------------------------------------------------

DB_FIXTURES = frozenset({"db_url", "engine", "jikimi", "vault_for", "pg", "pg_url", "migrated_sqlite"})
DB_MARKS_IN_SOURCE = ("sqlite:///", "fresh_postgres", "fresh_sqlite", "fresh_database", "make_engine(")


@cache
def _module_uses_a_database(path: str) -> bool:
    text = Path(path).read_text(encoding="utf-8")
    return any(mark in text for mark in DB_MARKS_IN_SOURCE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that opens a database (a SQLite file or PostgreSQL) with ``db``."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & DB_FIXTURES or _module_uses_a_database(str(item.path)):
            item.add_marker(pytest.mark.db)


CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium (``apt-get install -y chromium``); Playwright never downloads a browser here."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless chromium for the page tests; missing, it skips them, except in CI where it fails."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
