"""Channels are policy data: a request comes in through a way the policy's rights section promises
(``rights.channels``, 령 41), is recorded with it, and any other way is refused — through the Python
API and over HTTP, on SQLite and PostgreSQL. Seed 004 (rsupport) lets subjects ask by the 게시판."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.errors import InvalidInput
from jikimi.handlers import Handler
from jikimi.policy.model import Policy
from jikimi.rights.model import DEFAULT_CHANNELS
from jikimi.store.tables import rights_events, rights_requests

from ..api.conftest import bearer, error_of, handler_token  # noqa: TID252
from ..conftest import EXAMPLES  # noqa: TID252
from ..policies import cached_policy, policy_with
from ..vault.conftest import fast_passwords  # noqa: TID252

SUPPORT_CASE = {"name": "박담당", "email": "it@corp.example.com", "company": "주식회사 예시"}

JikimiFor = Callable[[Policy], Jikimi]


@pytest.fixture
def jikimi_for(engine: Engine, ring: KeyRing, clock: FixedClock) -> JikimiFor:
    """A vault over the test database that keeps the given policy."""

    def make(policy: Policy) -> Jikimi:
        return build_jikimi(policy=policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords())

    return make


@pytest.fixture
def seed_004(jikimi_for: JikimiFor) -> Jikimi:
    """Seed 004 (rsupport): ``rights.channels: [web, letter, phone, email, board]``."""
    return jikimi_for(cached_policy(EXAMPLES / "rsupport.yaml"))


def _no_channels(data: dict[str, Any]) -> None:
    del data["rights"]["channels"]  # the procedure still says how (lint: missing-section needs one of them)


def _requests(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(rights_requests)).scalar_one())


def test_a_request_by_the_board_the_policy_declares_is_accepted_and_recorded(
    seed_004: Jikimi, clerk: Handler, engine: Engine
) -> None:
    assert "board" in seed_004.core.policy.rights.channels  # type: ignore[union-attr]
    sid = seed_004.vault.collect("support", SUPPORT_CASE).subject_id
    received = seed_004.rights.receive(sid, "access", channel="board", actor=clerk)
    assert not received.duplicate
    assert received.request.channel == "board"
    assert seed_004.rights.get(received.request.id, actor=clerk).channel == "board"
    with engine.connect() as conn:
        stored = conn.execute(
            select(rights_requests.c.channel).where(rights_requests.c.id == received.request.id)
        ).scalar_one()
        notes = conn.execute(
            select(rights_events.c.note).where(rights_events.c.request_id == received.request.id)
        ).scalars()
        assert stored == "board"
        assert "channel=board, requester=self" in list(notes)


@pytest.mark.parametrize("channel", ["in_person", "fax", "carrier_pigeon"])
def test_a_channel_the_policy_does_not_declare_is_refused_naming_the_declared_ones(
    seed_004: Jikimi, clerk: Handler, engine: Engine, channel: str
) -> None:
    sid = seed_004.vault.collect("support", SUPPORT_CASE).subject_id
    with pytest.raises(InvalidInput) as refused:
        seed_004.rights.receive(sid, "access", channel=channel, actor=clerk)
    assert refused.value.field == "channel"
    assert "게시판(board)" in refused.value.reason_ko and "우편(letter)" in refused.value.reason_ko
    assert "declared: web, letter, phone, email, board" in refused.value.reason_en
    assert _requests(engine) == 0


def test_a_policy_declaring_no_channels_accepts_the_default_ones_only(
    jikimi_for: JikimiFor, clerk: Handler, member: str, engine: Engine
) -> None:
    silent = jikimi_for(policy_with(_no_channels))
    assert silent.core.policy.rights is not None and silent.core.policy.rights.channels == ()
    for channel in DEFAULT_CHANNELS:
        request = silent.rights.receive(member, "access", channel=channel, actor=clerk).request
        assert request.channel == channel
        silent.rights.refuse(request.id, ground="identity_not_verified", actor=clerk)
    with pytest.raises(InvalidInput) as refused:
        silent.rights.receive(member, "access", channel="board", actor=clerk)
    assert refused.value.field == "channel" and "declares no channels" in refused.value.reason_en
    assert _requests(engine) == len(DEFAULT_CHANNELS)


# -- over HTTP ------------------------------------------------------------------------------------


@pytest.fixture
def client(seed_004: Jikimi) -> Iterator[TestClient]:
    with TestClient(create_app(seed_004)) as client:
        yield client


@pytest.fixture
def desk_headers(seed_004: Jikimi) -> dict[str, str]:
    return bearer(handler_token(seed_004, "privacy-kang", "privacy_desk", [], ["rights"]))


def test_a_request_by_the_board_is_accepted_and_recorded_over_http(
    seed_004: Jikimi, client: TestClient, desk_headers: dict[str, str]
) -> None:
    sid = seed_004.vault.collect("support", SUPPORT_CASE).subject_id
    made = client.post(
        "/v1/rights/requests",
        headers=desk_headers,
        json={"subject_id": sid, "type": "access", "channel": "board"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["channel"] == "board"
    shown = client.get(f"/v1/rights/requests/{made.json()['id']}", headers=desk_headers)
    assert shown.status_code == 200 and shown.json()["channel"] == "board"


def test_an_undeclared_channel_is_refused_over_http_in_the_error_envelope(
    seed_004: Jikimi, client: TestClient, desk_headers: dict[str, str], engine: Engine
) -> None:
    sid = seed_004.vault.collect("support", SUPPORT_CASE).subject_id
    refused = client.post(
        "/v1/rights/requests",
        headers=desk_headers,
        json={"subject_id": sid, "type": "access", "channel": "in_person"},
    )
    assert refused.status_code == 422, refused.text
    error = error_of(refused)
    assert (error["code"], error["field"]) == ("vault.invalid", "channel")
    assert "board" in str(error["message_en"]) and "게시판" in str(error["message_ko"])
    assert _requests(engine) == 0


def test_the_openapi_schema_takes_the_channel_as_a_string_checked_against_the_policy(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ReceiveIn"]["properties"]["channel"]
    assert schema["type"] == "string" and "enum" not in schema
    assert "rights.channels" in schema["description"]
