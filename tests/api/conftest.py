"""Fixtures for API tests: the real ASGI app over a real vault, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.store.tables import consents, item_values, subjects

from ..conftest import EXAMPLES, MEMBER, START  # noqa: TID252,F401
from ..policies import cached_policy as load_policy

MAX_BODY = 20_000
PASSWORD = "correct horse battery"


@pytest.fixture
def jikimi(engine: Engine, clock: FixedClock) -> Jikimi:
    # Argon2id with light parameters: the lockout tests hash a dozen passwords.
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    return build_jikimi(
        policy=load_policy(EXAMPLES / "reference.yaml"),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=passwords,
    )


@pytest.fixture
def client(jikimi: Jikimi) -> Iterator[TestClient]:
    with TestClient(create_app(jikimi, max_body_bytes=MAX_BODY)) as client:
        yield client


def handler_token(jikimi: Jikimi, login: str, role: str, purposes: list[str], actions: list[str]) -> str:
    jikimi.handlers.define_role(role, purposes=purposes, actions=actions)
    _, token = jikimi.handlers.create(login, PASSWORD, role=role)
    return token


@pytest.fixture
def admin(jikimi: Jikimi) -> dict[str, str]:
    """Headers of an administrator (every purpose, every action)."""
    return bearer(handler_token(jikimi, "admin-park", "admin", ["*"], ["*"]))


@pytest.fixture
def cs(jikimi: Jikimi) -> dict[str, str]:
    """Headers of a support agent: may read for membership and support only, and see a subject's
    metadata (state, consents, processors), like the demo's support role."""
    return bearer(handler_token(jikimi, "cs-kim", "cs", ["membership", "support"], ["read", "metadata"]))


@pytest.fixture
def marketer(jikimi: Jikimi) -> dict[str, str]:
    return bearer(handler_token(jikimi, "mk-lee", "marketing", ["marketing"], ["read", "export"]))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def logged_in(client: TestClient, login: str) -> dict[str, str]:
    """Headers with a fresh token from ``/v1/login``: after the clock moved past a token's lifetime,
    a handler logs in again (tokens expire after 12 hours)."""
    response = client.post("/v1/login", json={"login": login, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return bearer(response.json()["token"])


def row_counts(engine: Engine) -> dict[str, int]:
    """How many subjects, item values and consents the database holds."""
    with engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (subjects, item_values, consents)
        }


def signup(
    client: TestClient, headers: dict[str, str], data: dict[str, str] | None = None, marketing: bool = True
) -> str:
    response = client.post(
        "/v1/subjects",
        headers=headers,
        json={
            "context": "signup",
            "data": data or MEMBER,
            "consents": {"marketing": marketing},
            "channel": "web",
        },
    )
    assert response.status_code == 201, response.text
    subject_id: str = response.json()["subject_id"]
    return subject_id


def error_of(response: object) -> dict[str, object]:
    """The error envelope's body, checking its shape: exactly one key, five fields."""
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message_ko", "message_en", "field", "reason"}, body
    error: dict[str, object] = body["error"]
    return error
