"""Hostile input is a 4xx naming the field, never a 500: NUL characters, lone surrogates, NaN,
ids longer than their columns, integers past BIGINT, months outside the calendar, and the same
months on the command line. Every moment in a response is aware (UTC, with its offset)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jikimi.cli import run

from .conftest import MEMBER, error_of, row_counts, signup

SIGNUP: dict[str, Any] = {"context": "signup", "data": MEMBER, "consents": {"marketing": True}}


def _post_raw(client: TestClient, path: str, headers: dict[str, str], body: str) -> Any:
    """Post ``body`` as it is: JSON escapes such as ``\\u0000`` reach the server unchanged."""
    return client.post(path, headers=headers | {"content-type": "application/json"}, content=body.encode())


def _refused(response: Any, field: str, reason: str, *, not_echoed: str = "") -> None:
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert (error["code"], error["field"], error["reason"]) == ("request.invalid", field, reason), error
    if not_echoed:
        assert not_echoed not in response.text


BAD_BODIES = [
    (
        "NUL in a value",
        "/v1/subjects",
        '{"context": "signup", "data": {"name": "홍길동\\u0000"}}',
        "data.name",
    ),
    ("NUL in a key", "/v1/subjects", '{"context": "signup", "data": {"name\\u0000": "홍길동"}}', "data"),
    (
        "NUL in a list",
        "/v1/read",
        '{"subject_ids": ["a", "b\\u0000"], "items": ["name"], "purpose": "x"}',
        "subject_ids.1",
    ),  # noqa: E501
    (
        "NUL in a reason",
        "/v1/subjects/abc/read",
        '{"items": ["name"], "purpose": "membership", "reason": "홍길동\\u0000"}',
        "reason",
    ),  # noqa: E501
    ("NUL in a login", "/v1/login", '{"login": "홍길동\\u0000", "password": "x"}', "login"),
    (
        "NUL in a subject id",
        "/v1/rights/requests",
        '{"subject_id": "홍길동\\u0000", "type": "access", "channel": "web"}',
        "subject_id",
    ),  # noqa: E501
    (
        "NUL deep in a record",
        "/v1/subjects/abc/records",
        '{"type": "payment", "data": {"memo": ["홍길동\\u0000"]}}',
        "data.memo.0",
    ),  # noqa: E501
]


@pytest.mark.parametrize(("case", "path", "body", "field"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_a_nul_anywhere_in_a_body_is_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, admin: dict[str, str], engine: Engine, case: str, path: str, body: str, field: str
) -> None:
    before = row_counts(engine)
    _refused(_post_raw(client, path, admin, body), field, "string_nul", not_echoed="홍길동")
    assert row_counts(engine) == before


def test_a_lone_surrogate_is_422_for_the_pii_endpoints_too(client: TestClient) -> None:
    for path in ("/v1/pii/mask", "/v1/pii/scan"):
        _refused(_post_raw(client, path, {}, '{"text": "\\udc00 010-1234-5678"}'), "text", "string_surrogate")
    paired = _post_raw(client, "/v1/pii/mask", {}, '{"text": "\\ud83d\\ude00 010-1234-5678"}')
    assert paired.status_code == 200 and "010-1234-5678" not in paired.text  # a pair is one character


def test_nan_and_infinity_are_not_json_numbers(
    client: TestClient, admin: dict[str, str], engine: Engine
) -> None:
    subject = signup(client, admin)
    for number in ("NaN", "Infinity", "-Infinity", "1e999"):
        body = f'{{"type": "payment", "data": {{"amount": {number}}}}}'
        response = _post_raw(client, f"/v1/subjects/{subject}/records", admin, body)
        _refused(response, "data.amount", "number_not_finite")


def test_a_nul_in_a_query_or_path_parameter_is_422(client: TestClient, admin: dict[str, str]) -> None:
    _refused(client.get("/v1/rights/requests?subject_id=a%00b", headers=admin), "subject_id", "string_nul")
    _refused(client.get("/v1/provisions?third_party=a%00", headers=admin), "third_party", "string_nul")
    response = client.post("/v1/handlers/kim%00/disable", headers=admin)
    _refused(response, "login", "string_nul")


def test_ids_longer_than_their_columns_are_refused(client: TestClient, admin: dict[str, str]) -> None:
    role = {"purposes": ["membership"], "actions": ["read"]}
    response = client.post("/v1/roles", headers=admin, json=role | {"name": "r" * 65})
    assert response.status_code == 422 and error_of(response)["field"] == "name"
    assert client.post("/v1/roles", headers=admin, json=role | {"name": "r" * 64}).status_code == 201
    long_subject = "s" * 33
    response = client.post(
        "/v1/rights/requests",
        headers=admin,
        json={"subject_id": long_subject, "type": "access", "channel": "web"},
    )
    assert response.status_code == 422 and error_of(response)["field"] == "subject_id"
    response = client.post(
        f"/v1/subjects/{long_subject}/read", headers=admin, json={"items": ["name"], "purpose": "membership"}
    )  # noqa: E501
    assert response.status_code == 422 and error_of(response)["field"] == "subject_id"


def test_a_cursor_past_bigint_is_422(client: TestClient, admin: dict[str, str]) -> None:
    response = client.get("/v1/provisions", headers=admin, params={"after_id": 2**63})
    assert response.status_code == 422 and error_of(response)["field"] == "after_id"
    last = client.get("/v1/provisions", headers=admin, params={"after_id": 2**63 - 1})
    assert last.status_code == 200 and last.json() == {"provisions": []}


@pytest.mark.parametrize("path", ["/v1/audit/report", "/v1/ledger"])
def test_months_outside_the_calendar_are_422_and_its_edges_answer(
    client: TestClient, admin: dict[str, str], path: str
) -> None:
    for month in ("0000-01", "2026-00", "2026-13", "10000-01", "２０２６-01"):
        response = client.get(path, headers=admin, params={"month": month})
        assert response.status_code == 422 and error_of(response)["field"] == "month", month
    for month in ("0001-01", "9999-12"):
        response = client.get(path, headers=admin, params={"month": month})
        assert response.status_code == 200 and response.json()["month"] == month, response.text


def test_the_command_line_reviews_the_calendars_edges_without_a_traceback(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for month in ("0001-01", "9999-12"):
        assert run(["audit", "report", "--month", month, "--db", db_url, "--format", "json"]) == 0
        assert f'"month": "{month}"' in capsys.readouterr().out
    assert run(["audit", "report", "--month", "0000-01", "--db", db_url]) == 2
    assert "usage" in capsys.readouterr().err


def test_every_moment_in_a_response_is_aware_utc(client: TestClient, admin: dict[str, str]) -> None:
    subject = signup(client, admin)
    moments = [row["created_at"] for row in client.get("/v1/handlers", headers=admin).json()]
    moments.append(client.get(f"/v1/subjects/{subject}", headers=admin).json()["created_at"])
    moments += [
        row["at"] for row in client.get(f"/v1/subjects/{subject}/consents", headers=admin).json()["consents"]
    ]  # noqa: E501
    assert moments
    for moment in moments:
        assert datetime.fromisoformat(moment).utcoffset() == timedelta(0), moment


def test_an_extension_past_the_calendar_is_422(client: TestClient, admin: dict[str, str]) -> None:
    subject = signup(client, admin)
    request = client.post(
        "/v1/rights/requests", headers=admin, json={"subject_id": subject, "type": "access", "channel": "web"}
    ).json()["id"]
    for until in ("9999-12-31", "9999-01-01"):
        response = client.post(
            f"/v1/rights/requests/{request}/extend", headers=admin, json={"until": until, "reason": "x"}
        )
        assert response.status_code == 422 and error_of(response)["field"] == "until", response.text
    last = client.post(
        f"/v1/rights/requests/{request}/extend", headers=admin, json={"until": "9998-12-31", "reason": "x"}
    )
    assert last.status_code < 500, last.text


def test_a_record_outside_the_calendar_is_422(client: TestClient, admin: dict[str, str]) -> None:
    subject = signup(client, admin)
    url = f"/v1/subjects/{subject}/records"
    for at in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "9999-06-01T00:00:00Z"):
        response = client.post(
            url, headers=admin, json={"type": "payment", "data": {"name": "홍길동"}, "occurred_at": at}
        )  # noqa: E501
        assert response.status_code == 422 and error_of(response)["field"] == "occurred_at", (
            at,
            response.text,
        )
    for at in ("0001-01-02T00:00:00Z", "9998-12-31T00:00:00Z"):
        response = client.post(
            url, headers=admin, json={"type": "payment", "data": {"name": "홍길동"}, "occurred_at": at}
        )  # noqa: E501
        assert response.status_code < 500, (at, response.text)
