"""Withdrawal, separated reads, reactivation and the ledger through the real HTTP app."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock

from ..conftest import MEMBER
from .conftest import bearer, error_of, handler_token, logged_in, signup


def test_a_withdrawal_destroys_at_once_and_separates_what_the_policy_keeps(
    client: TestClient, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = signup(client, admin)
    response = client.post(f"/v1/subjects/{sid}/withdraw", headers=admin, json={"reason": "member_request"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["separated"]) == {"login_id", "ci"} and "mobile" in body["destroyed"]
    assert body["subject_removed"] is False
    denied = client.post(
        f"/v1/subjects/{sid}/read", headers=cs, json={"items": ["name"], "purpose": "membership"}
    )
    assert denied.status_code == 403 and error_of(denied)["reason"] == "withdrawn"
    again = client.post(f"/v1/subjects/{sid}/withdraw", headers=admin, json={"reason": "member_request"})
    assert again.status_code == 409


def test_separated_data_is_read_only_for_its_reason_and_only_by_a_role_allowed_to(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = signup(client, admin)
    client.post(f"/v1/subjects/{sid}/withdraw", headers=admin, json={"reason": "member_request"})
    url = f"/v1/subjects/{sid}/separated/read"
    ok = client.post(
        url, headers=admin, json={"items": ["login_id"], "reason": "신규 가입 시 아이디 중복 여부 확인"}
    )
    assert ok.status_code == 200 and ok.json()["values"] == {"login_id": MEMBER["login_id"]}
    wrong = client.post(url, headers=admin, json={"items": ["login_id"], "reason": "마케팅 분석"})
    assert wrong.status_code == 403 and error_of(wrong)["reason"] == "reason_not_allowed"
    assert (
        client.post(
            url, headers=cs, json={"items": ["login_id"], "reason": "신규 가입 시 아이디 중복 여부 확인"}
        ).status_code
        == 403
    )
    assert MEMBER["login_id"] not in wrong.text


def test_a_dormant_member_comes_back_on_request(
    client: TestClient, jikimi: Jikimi, clock: FixedClock, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = signup(client, admin)
    clock.advance(timedelta(days=340))
    jikimi.lifecycle.sweep()  # the notice, 30 days ahead
    clock.advance(timedelta(days=31))
    assert jikimi.lifecycle.sweep().separated_dormant == 1
    admin, cs = logged_in(client, "admin-park"), logged_in(client, "cs-kim")  # a year later
    read = {"items": ["name"], "purpose": "membership"}
    assert error_of(client.post(f"/v1/subjects/{sid}/read", headers=cs, json=read))["reason"] == "dormant"
    assert client.post(f"/v1/subjects/{sid}/reactivate", headers=admin).status_code == 200
    assert client.post(f"/v1/subjects/{sid}/read", headers=cs, json=read).json()["values"] == {
        "name": MEMBER["name"]
    }


def test_the_ledger_of_a_month_needs_the_audit_action_and_holds_no_values(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = signup(client, admin)
    client.post(f"/v1/subjects/{sid}/withdraw", headers=admin, json={"reason": "member_request"})
    month = jikimi.core.clock.now().strftime("%Y-%m")
    assert client.get("/v1/ledger", headers=cs, params={"month": month}).status_code == 403
    response = client.get("/v1/ledger", headers=admin, params={"month": month})
    assert response.status_code == 200
    classes = {e["class_id"] for e in response.json()["entries"]}
    assert {"name", "mobile", "email"} <= classes
    assert all(value not in response.text for value in MEMBER.values())
    assert client.get("/v1/ledger", headers=admin, params={"month": "2026-13"}).status_code == 422


def test_withdrawal_needs_the_withdraw_action(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:
    sid = signup(client, admin)
    reader = bearer(handler_token(jikimi, "reader-1", "reader", ["*"], ["read"]))
    response = client.post(f"/v1/subjects/{sid}/withdraw", headers=reader, json={"reason": "member_request"})
    assert response.status_code == 403 and error_of(response)["reason"] == "action_not_allowed"
