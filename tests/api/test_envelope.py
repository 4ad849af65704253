"""One error envelope for every status, pinned: code, Korean and English messages, field, reason."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi

from .conftest import MAX_BODY, MEMBER, PASSWORD, error_of, signup


@pytest.fixture
def broken_client(jikimi: Jikimi) -> Iterator[TestClient]:
    """The real app plus one route that fails in a way nobody planned for."""
    app = create_app(jikimi)

    def explode() -> None:
        raise RuntimeError("secret detail 010-1234-5678")

    app.add_api_route("/explode", explode, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_every_error_status_has_the_same_envelope(
    client: TestClient, admin: dict[str, str], cs: dict[str, str], broken_client: TestClient
) -> None:
    sid = signup(client, admin, marketing=False)
    for _ in range(5):
        client.post("/v1/login", json={"login": "cs-kim", "password": "wrong-wrong"})
    cases: dict[int, tuple[Response, str, str | None, str | None]] = {
        401: (client.get(f"/v1/subjects/{sid}"), "auth", None, None),
        403: (
            client.post(
                f"/v1/subjects/{sid}/read", headers=admin, json={"items": ["email"], "purpose": "marketing"}
            ),
            "vault.denied",
            None,
            "consent_missing",
        ),
        404: (client.get("/v1/subjects/nobody", headers=admin), "vault.not_found", None, None),
        409: (
            client.post(
                "/v1/subjects",
                headers=admin,
                json={"context": "signup", "data": MEMBER, "consents": {"marketing": True}},
            ),
            "vault.duplicate",
            "login_id",
            None,
        ),
        413: (
            client.post(
                "/v1/subjects", headers=admin, json={"context": "signup", "data": {"name": "x" * MAX_BODY}}
            ),
            "request.too_large",
            "body",
            None,
        ),
        422: (
            client.post(
                "/v1/subjects",
                headers=admin,
                json={
                    "context": "signup",
                    "data": MEMBER | {"mobile": "12"},
                    "consents": {"marketing": True},
                },
            ),
            "vault.invalid",
            "mobile",
            None,
        ),
        423: (
            client.post("/v1/login", json={"login": "cs-kim", "password": PASSWORD}),
            "auth.locked",
            None,
            None,
        ),
        500: (broken_client.get("/explode"), "internal", None, None),
    }
    for status, (response, code, field, reason) in cases.items():
        assert response.status_code == status, (status, response.text)
        error = error_of(response)
        assert isinstance(error["message_ko"], str) and any(
            "\uac00" <= ch <= "\ud7a3" for ch in error["message_ko"]
        )
        assert isinstance(error["message_en"], str) and error["message_en"]
        assert (error["code"], error["field"], error["reason"]) == (code, field, reason), status
    internal = cases[500][0]
    assert error_of(internal)["message_en"] == "internal error" and "secret" not in internal.text


def test_pydantic_validation_errors_use_the_envelope_with_the_path_and_no_input(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.post(
        "/v1/subjects", headers=admin, json={"context": "signup", "data": {"mobile": 1098765432}}
    )
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"], error["reason"]) == (
        "request.invalid",
        "data.mobile",
        "string_type",
    )
    assert "1098765432" not in response.text


def test_unknown_routes_and_methods_use_the_envelope(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404 and error_of(missing)["code"] == "http.404"
    wrong_method = client.delete("/v1/subjects")
    assert wrong_method.status_code == 405 and error_of(wrong_method)["code"] == "http.405"
