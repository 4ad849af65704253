"""The API rejects bad input with 4xx and stores nothing: no subject, no item value, no consent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from .conftest import MAX_BODY, MEMBER, error_of, row_counts

GOOD: dict[str, Any] = {
    "context": "signup",
    "data": MEMBER,
    "consents": {"marketing": True},
    "channel": "web",
}


def _with_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(MEMBER)
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return GOOD | {"data": data}


BAD_BODIES: list[tuple[str, dict[str, Any], int, str]] = [
    ("a number for a value", _with_data(mobile=1012345678), 422, "data.mobile"),
    ("a list for a value", _with_data(name=["홍", "길동"]), 422, "data.name"),
    ("an object for a value", _with_data(email={"x": "y"}), 422, "data.email"),
    ("a string for a consent", GOOD | {"consents": {"marketing": "true"}}, 422, "consents.marketing"),
    ("a number for a consent", GOOD | {"consents": {"marketing": 1}}, 422, "consents.marketing"),
    ("an unknown item", _with_data(shoe_size="270"), 422, "shoe_size"),
    ("a missing required item", _with_data(email=None), 422, "email"),
    ("a malformed phone number", _with_data(mobile="010-12-34"), 422, "mobile"),
    ("a malformed email", _with_data(email="hong-at-example"), 422, "email"),
    ("an impossible date", _with_data(birthdate="1990-02-30"), 422, "birthdate"),
    ("an unknown context", GOOD | {"context": "lottery"}, 422, "context"),
    (
        "an unknown consent purpose",
        GOOD | {"consents": {"marketing": True, "profiling": True}},
        422,
        "consents.profiling",
    ),
    ("an unexpected top-level field", GOOD | {"admin": True}, 422, "admin"),
    ("no data at all", {"context": "signup"}, 422, "data"),
    ("a list instead of an object", [GOOD], 422, "body"),  # type: ignore[list-item]
]


@pytest.fixture
def baseline(engine: Engine) -> Iterator[dict[str, int]]:
    before = row_counts(engine)
    yield before
    assert row_counts(engine) == before, "a refused request stored something"


@pytest.mark.parametrize(("case", "body", "status", "field"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    client: TestClient,
    admin: dict[str, str],
    baseline: dict[str, int],
    case: str,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    response = client.post("/v1/subjects", headers=admin, json=body)
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["field"] == field and error["code"] in ("vault.invalid", "request.invalid")
    assert error["message_ko"] and error["message_en"]


def test_malformed_json_is_422_and_nothing_is_stored(
    client: TestClient, admin: dict[str, str], baseline: dict[str, int]
) -> None:
    response = client.post(
        "/v1/subjects",
        headers=admin | {"content-type": "application/json"},
        content=b'{"context": "signup", "data": {"name": "\xed\x99\x8d"',
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "body" and error["reason"] == "json_invalid"


def test_a_body_declared_larger_than_the_limit_is_413(
    client: TestClient, admin: dict[str, str], baseline: dict[str, int]
) -> None:
    response = client.post("/v1/subjects", headers=admin, json=_with_data(name="가" * MAX_BODY))
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "request.too_large" and error["field"] == "body"


def test_a_streamed_body_is_counted_and_cut_at_the_limit(
    client: TestClient, admin: dict[str, str], baseline: dict[str, int]
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the guard must count the bytes
        yield b'{"context": "signup", "data": {"name": "'
        for _ in range(MAX_BODY // 1000 + 2):
            yield b"a" * 1000
        yield b'"}}'

    response = client.post(
        "/v1/subjects", headers=admin | {"content-type": "application/json"}, content=chunks()
    )
    assert response.status_code == 413 and error_of(response)["code"] == "request.too_large"


def test_a_lying_content_length_does_not_get_past_the_limit(
    client: TestClient, admin: dict[str, str], baseline: dict[str, int]
) -> None:
    import json

    body = json.dumps(_with_data(name="a" * (MAX_BODY + 10))).encode()
    response = client.post(
        "/v1/subjects",
        headers=admin | {"content-type": "application/json", "content-length": "100"},
        content=body,
    )
    assert response.status_code == 413


def test_bad_reads_are_refused_too(
    client: TestClient, admin: dict[str, str], baseline: dict[str, int]
) -> None:
    for body, field in [
        ({"items": "name", "purpose": "membership"}, "items"),
        ({"items": [], "purpose": "membership"}, "items"),
        ({"items": ["name"], "purpose": 3}, "purpose"),
        ({"items": ["name"]}, "purpose"),
    ]:
        response = client.post("/v1/subjects/x/read", headers=admin, json=body)
        assert response.status_code == 422 and error_of(response)["field"] == field, body
    unknown = client.post(
        "/v1/subjects/x/read", headers=admin, json={"items": ["shoe_size"], "purpose": "membership"}
    )
    assert unknown.status_code == 422 and error_of(unknown)["field"] == "items"
    month = client.get("/v1/audit/report", headers=admin, params={"month": "2026-13"})
    assert month.status_code == 422 and error_of(month)["field"] == "month"


def test_a_refused_optional_consent_still_signs_up(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    response = client.post("/v1/subjects", headers=admin, json=GOOD | {"consents": {}})
    assert response.status_code == 201 and response.json()["consents_refused"] == ["marketing"]
    assert row_counts(engine)["subjects"] == 1
