"""POST /v1/pii/scan and /v1/pii/mask through the real app, with one JSON error envelope."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jikimi.api.app import create_app
from jikimi.api.pii import PiiApiConfig


@pytest.fixture
def client(key: bytes) -> TestClient:
    return TestClient(create_app(pii=PiiApiConfig(max_chars=1_000, key=key)))


def _envelope(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert {"code", "message_ko", "message_en", "field"} <= set(body["error"])
    return body["error"]  # type: ignore[no-any-return]


def test_health_check(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_scan_returns_findings_without_values(client: TestClient) -> None:
    response = client.post("/v1/pii/scan", json={"text": "연락처 010-1234-5678로 주세요"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["findings"][0] | {"why": []} == {
        "type": "phone",
        "label": "전화번호",
        "start": 4,
        "end": 17,
        "confidence": 0.99,
        "why": [],
    }
    assert "1234" not in response.text


def test_mask_a_post(client: TestClient) -> None:
    response = client.post("/v1/pii/mask", json={"text": "제 번호 010-1234-5678, 홍길동님"})
    assert response.json()["text"] == "제 번호 010-****-5678, 홍**님"
    labelled = client.post(
        "/v1/pii/mask", json={"text": "010-1234-5678", "operator": "label", "types": ["phone"]}
    )
    assert labelled.json()["text"] == "<전화번호>"


def test_hash_operator_uses_the_configured_key(client: TestClient) -> None:
    response = client.post("/v1/pii/mask", json={"text": "010-1234-5678", "operator": "hash"})
    assert response.status_code == 200 and response.json()["text"].startswith("<전화번호:")
    keyless = TestClient(create_app()).post(
        "/v1/pii/mask", json={"text": "010-1234-5678", "operator": "hash"}
    )
    assert keyless.status_code == 422 and _envelope(keyless)["field"] == "operator"


def test_oversized_text_is_413_with_the_field(client: TestClient) -> None:
    response = client.post("/v1/pii/scan", json={"text": "가" * 1_001})
    assert response.status_code == 413
    error = _envelope(response)
    assert error["code"] == "pii.too_large" and error["field"] == "text"


def test_oversized_body_is_refused_before_parsing(client: TestClient) -> None:
    body = b'{"text": "' + b"a" * 200_000 + b'"}'
    response = client.post("/v1/pii/scan", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413 and _envelope(response)["field"] == "body"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": 3}, "text"),
        ({}, "text"),
        ({"text": "x", "types": ["shoe_size"]}, "types"),
        ({"text": "x", "operator": "blur"}, "operator"),
        ({"text": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, body: dict[str, object], field: str) -> None:
    response = client.post("/v1/pii/mask", json=body)
    assert response.status_code == 422
    error = _envelope(response)
    assert error["field"] == field and error["message_ko"] and error["message_en"]
