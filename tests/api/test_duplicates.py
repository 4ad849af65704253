"""409 only where the policy promises uniqueness, over HTTP: account identifiers at sign-up; a guest
order and a support case never conflict (on SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from .conftest import MEMBER, error_of, signup

GUEST_ORDER = {
    "name": "손님",
    "mobile": "010-4444-5555",
    "email": "guest@example.com",
    "order_password": "order-pass-1",
    "recipient_name": "손님",
    "recipient_phone": "010-4444-5555",
    "delivery_address": "서울특별시 마포구 월드컵북로 396",
}


def _collect(client: TestClient, headers: dict[str, str], context: str, data: dict[str, str]) -> Response:
    return client.post("/v1/subjects", headers=headers, json={"context": context, "data": data})


def test_a_returning_guest_orders_again_with_the_same_mobile_over_http(
    client: TestClient, admin: dict[str, str]
) -> None:
    first = _collect(client, admin, "guest_order", GUEST_ORDER)
    again = _collect(client, admin, "guest_order", GUEST_ORDER)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["subject_id"] != again.json()["subject_id"]


def test_a_member_files_a_support_case_with_their_own_email_over_http(
    client: TestClient, admin: dict[str, str]
) -> None:
    signup(client, admin)
    case = _collect(client, admin, "support", {"name": MEMBER["name"], "email": MEMBER["email"]})
    assert case.status_code == 201, case.text


def test_a_second_member_with_the_same_login_id_is_still_409(
    client: TestClient, admin: dict[str, str]
) -> None:
    signup(client, admin)
    others = {"email": "second@example.com", "mobile": "010-5555-6666", "ci": "CI" + "Z" * 86}
    twice = _collect(client, admin, "signup", {**MEMBER, **others})
    assert twice.status_code == 409, twice.text
    error = error_of(twice)
    assert (error["code"], error["field"]) == ("vault.duplicate", "login_id")
