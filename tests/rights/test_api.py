"""The rights API through the real ASGI app: same tokens, same error envelope, same access log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi

from ..api.conftest import bearer, error_of, handler_token, signup  # noqa: TID252


@pytest.fixture
def client(jikimi: Jikimi) -> Iterator[TestClient]:
    with TestClient(create_app(jikimi)) as client:
        yield client


@pytest.fixture
def admin(jikimi: Jikimi) -> dict[str, str]:
    return bearer(handler_token(jikimi, "admin-park", "admin", ["*"], ["*"]))


@pytest.fixture
def desk_headers(jikimi: Jikimi) -> dict[str, str]:
    return bearer(handler_token(jikimi, "privacy-choi", "privacy_team", [], ["rights"]))


def test_a_request_goes_from_receipt_to_answer_over_http(
    client: TestClient, admin: dict[str, str], desk_headers: dict[str, str]
) -> None:
    sid = signup(client, admin)
    made = client.post(
        "/v1/rights/requests",
        headers=desk_headers,
        json={"subject_id": sid, "type": "access", "channel": "email"},
    )
    assert made.status_code == 201, made.text
    request = made.json()
    assert (request["status"], request["due_day"], request["duplicate"]) == ("received", "2026-03-12", False)
    again = client.post(
        "/v1/rights/requests",
        headers=desk_headers,
        json={"subject_id": sid, "type": "access", "channel": "phone"},
    )
    assert again.status_code == 200 and again.json()["id"] == request["id"] and again.json()["duplicate"]
    url = f"/v1/rights/requests/{request['id']}"
    code = client.post(f"{url}/verification", headers=desk_headers).json()["code"]
    assert (
        client.post(
            f"{url}/verify", headers=desk_headers, json={"method": "one_time_code", "proof": code}
        ).json()["status"]
        == "verified"
    )
    package = client.get(f"{url}/package.json", headers=desk_headers)
    assert package.status_code == 200 and package.headers["cache-control"] == "no-store"
    values = {i["id"]: i["value"] for i in package.json()["items"]}
    assert values["email"] == "hong@example.com"
    page = client.get(f"{url}/package.html", headers=desk_headers)
    assert page.headers["content-type"].startswith("text/html") and "개인정보 열람 결과" in page.text
    assert (
        client.post(f"{url}/answer", headers=desk_headers, json={"note": "전달함"}).json()["status"]
        == "answered"
    )
    queue = client.get("/v1/rights/requests", headers=desk_headers).json()["requests"]
    assert queue == []


def test_a_correction_over_http_holds_then_corrects(
    client: TestClient, admin: dict[str, str], desk_headers: dict[str, str]
) -> None:
    sid = signup(client, admin)
    request = client.post(
        "/v1/rights/requests",
        headers=desk_headers,
        json={"subject_id": sid, "type": "correction", "channel": "web", "items": ["email"]},
    ).json()
    url = f"/v1/rights/requests/{request['id']}"
    client.post(f"{url}/verify", headers=desk_headers, json={"method": "handler", "proof": "신분증 확인"})
    held = client.post(
        f"/v1/subjects/{sid}/read", headers=admin, json={"items": ["email"], "purpose": "membership"}
    )
    assert held.status_code == 403 and error_of(held)["reason"] == "correction_hold"
    done = client.post(
        f"{url}/correction", headers=desk_headers, json={"values": {"email": "new@example.com"}}
    )
    assert done.json()["status"] == "answered"
    read = client.post(
        f"/v1/subjects/{sid}/read", headers=admin, json={"items": ["email"], "purpose": "membership"}
    )
    assert read.json()["values"] == {"email": "new@example.com"}


def test_refusals_use_the_listed_grounds_and_errors_keep_the_envelope(
    client: TestClient, admin: dict[str, str], desk_headers: dict[str, str]
) -> None:
    sid = signup(client, admin)
    grounds = client.get("/v1/rights/grounds", headers=desk_headers).json()
    assert "행정심판" in grounds["how_to_object_ko"]
    request = client.post(
        "/v1/rights/requests",
        headers=desk_headers,
        json={"subject_id": sid, "type": "stop", "channel": "letter", "purposes": ["marketing"]},
    ).json()
    url = f"/v1/rights/requests/{request['id']}"
    bad = client.post(f"{url}/refuse", headers=desk_headers, json={"ground": "harms_others"})
    assert bad.status_code == 422 and error_of(bad)["field"] == "ground"
    early = client.post(f"{url}/stop", headers=desk_headers)
    assert early.status_code == 409 and error_of(early)["code"] == "vault.state"
    refused = client.post(f"{url}/refuse", headers=desk_headers, json={"ground": "law_requires_processing"})
    assert refused.json()["refusal_ground"] == "law_requires_processing"


def test_a_handler_without_the_rights_action_gets_403_and_no_token_401(
    client: TestClient, admin: dict[str, str], jikimi: Jikimi
) -> None:
    sid = signup(client, admin)
    cs = bearer(handler_token(jikimi, "cs-kim", "cs", ["membership"], ["read"]))
    denied = client.post(
        "/v1/rights/requests", headers=cs, json={"subject_id": sid, "type": "access", "channel": "web"}
    )
    assert denied.status_code == 403 and error_of(denied)["reason"] == "action_not_allowed"
    assert client.get("/v1/rights/requests").status_code == 401
