"""The API keeps the policy's promises end to end: collect, read for a purpose, withdraw, deny."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock

from .conftest import MEMBER, PASSWORD, bearer, error_of, signup


def read(client: TestClient, headers: dict[str, str], sid: str, items: list[str], purpose: str):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/subjects/{sid}/read", headers=headers, json={"items": items, "purpose": purpose})


def test_withdrawn_consent_denies_later_marketing_reads(
    client: TestClient, admin: dict[str, str], marketer: dict[str, str]
) -> None:
    created = client.post(
        "/v1/subjects",
        headers=admin,
        json={"context": "signup", "data": MEMBER, "consents": {"marketing": True}},
    )
    assert created.status_code == 201
    body = created.json()
    sid = body["subject_id"]
    assert body["status"] == "active" and body["consents_given"] == ["marketing"]
    assert "mobile" in body["stored_items"] and "홍길동" not in created.text

    allowed = read(client, marketer, sid, ["email"], "marketing")
    assert allowed.status_code == 200
    assert allowed.json() == {
        "subject_id": sid,
        "purpose": "marketing",
        "values": {"email": "hong@example.com"},
    }

    withdrawn = client.post(f"/v1/subjects/{sid}/consents/marketing/withdraw", headers=admin)
    assert withdrawn.status_code == 200 and withdrawn.json()["granted"] is False

    denied = read(client, marketer, sid, ["email"], "marketing")
    assert denied.status_code == 403
    error = error_of(denied)
    assert error["code"] == "vault.denied" and error["reason"] == "consent_withdrawn"

    history = client.get(f"/v1/subjects/{sid}/consents", headers=admin).json()["consents"]
    assert [(c["target_id"], c["granted"], c["withdrawn_at"] is not None) for c in history] == [
        ("marketing", True, True)
    ]
    given_again = client.post(
        f"/v1/subjects/{sid}/consents/marketing", headers=admin, json={"channel": "app"}
    )
    assert given_again.status_code == 200
    assert read(client, marketer, sid, ["email"], "marketing").status_code == 200


def test_requests_without_a_valid_token_are_401(client: TestClient) -> None:
    missing = client.post("/v1/subjects/x/read", json={"items": ["name"], "purpose": "membership"})
    assert missing.status_code == 401 and error_of(missing)["code"] == "auth"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = client.get("/v1/subjects/x", headers=bearer("jk_not-a-token"))
    assert wrong.status_code == 401 and error_of(wrong)["code"] == "auth"
    basic = client.get("/v1/subjects/x", headers={"Authorization": "Basic YWxhZGRpbjpvcGVu"})
    assert basic.status_code == 401


def test_five_wrong_passwords_lock_new_logins_for_a_minute_but_not_the_existing_token(
    client: TestClient, jikimi: Jikimi, clock: FixedClock, admin: dict[str, str], cs: dict[str, str]
) -> None:
    first = client.post("/v1/login", json={"login": "cs-kim", "password": PASSWORD})
    assert first.status_code == 200
    token = bearer(first.json()["token"])  # a login issues a fresh token; the old one stops working
    assert client.get("/v1/subjects/x", headers=cs).status_code == 401
    for _ in range(5):
        failed = client.post("/v1/login", json={"login": "cs-kim", "password": "guess-guess"})
        assert failed.status_code == 401 and error_of(failed)["code"] == "auth"
    locked = client.post("/v1/login", json={"login": "cs-kim", "password": PASSWORD})
    assert locked.status_code == 423 and error_of(locked)["code"] == "auth.locked"
    assert client.get("/v1/handlers", headers=admin).json()[1]["locked"] is True
    # the token issued before the lock keeps working: a lock stops new logins only
    assert client.get("/v1/subjects/x", headers=token).status_code == 404
    clock.advance(timedelta(minutes=1))
    fresh = client.post("/v1/login", json={"login": "cs-kim", "password": PASSWORD})
    assert fresh.status_code == 200 and fresh.json()["role"] == "cs"
    assert client.post("/v1/login", json={"login": "nobody", "password": PASSWORD}).status_code == 401


def test_an_address_with_twenty_failed_logins_gets_429_with_retry_after_and_others_still_log_in(
    client: TestClient, jikimi: Jikimi, clock: FixedClock, cs: dict[str, str]
) -> None:
    for _ in range(20):
        assert (
            client.post("/v1/login", json={"login": "nobody", "password": "guess-guess"}).status_code == 401
        )
    limited = client.post("/v1/login", json={"login": "cs-kim", "password": PASSWORD})
    assert limited.status_code == 429 and error_of(limited)["code"] == "auth.rate_limited"
    assert 0 < int(limited.headers["retry-after"]) <= 15 * 60
    assert client.get("/v1/subjects/x", headers=cs).status_code == 404  # tokens keep working
    clock.advance(timedelta(minutes=15))
    assert client.post("/v1/login", json={"login": "cs-kim", "password": PASSWORD}).status_code == 200


def test_an_administrator_unlocks_and_revokes_tokens_over_http(
    client: TestClient, admin: dict[str, str], cs: dict[str, str]
) -> None:
    for _ in range(5):
        client.post("/v1/login", json={"login": "cs-kim", "password": "guess-guess"})
    assert client.post("/v1/handlers/cs-kim/unlock", headers=cs).status_code == 403
    assert client.post("/v1/handlers/cs-kim/unlock", headers=admin).status_code == 200
    token = bearer(client.post("/v1/login", json={"login": "cs-kim", "password": PASSWORD}).json()["token"])
    assert client.get("/v1/subjects/x", headers=token).status_code == 404
    assert client.post("/v1/handlers/cs-kim/revoke-tokens", headers=token).status_code == 403
    assert client.post("/v1/handlers/cs-kim/revoke-tokens", headers=admin).status_code == 200
    revoked = client.get("/v1/subjects/x", headers=token)
    assert revoked.status_code == 401 and error_of(revoked)["code"] == "auth"
    assert client.post("/v1/handlers/nobody/revoke-tokens", headers=admin).status_code == 404


def test_an_expired_token_is_401_and_a_login_gives_a_fresh_one(
    client: TestClient, clock: FixedClock, cs: dict[str, str]
) -> None:
    assert client.get("/v1/subjects/x", headers=cs).status_code == 404
    clock.advance(timedelta(hours=12))
    expired = client.get("/v1/subjects/x", headers=cs)
    assert expired.status_code == 401 and "expired" in str(error_of(expired)["message_en"])
    fresh = client.post("/v1/login", json={"login": "cs-kim", "password": PASSWORD})
    assert client.get("/v1/subjects/x", headers=bearer(fresh.json()["token"])).status_code == 404


def test_roles_limit_purposes_and_actions(
    client: TestClient, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = signup(client, admin)
    assert read(client, cs, sid, ["name", "email"], "membership").json()["values"] == {
        "name": "홍길동",
        "email": "hong@example.com",
    }
    outside = read(client, cs, sid, ["email"], "marketing")
    assert outside.status_code == 403 and error_of(outside)["reason"] == "role_not_allowed"
    not_in_purpose = read(client, cs, sid, ["ci"], "support")
    assert not_in_purpose.status_code == 403 and error_of(not_in_purpose)["reason"] == "item_not_in_purpose"
    collect = client.post(
        "/v1/subjects",
        headers=cs,
        json={"context": "support", "data": {"name": "김", "email": "k@example.com"}},
    )
    assert collect.status_code == 403 and error_of(collect)["reason"] == "action_not_allowed"
    for method, path in [
        ("GET", "/v1/handlers"),
        ("POST", "/v1/handlers/cs-kim/unlock"),
        ("GET", "/v1/audit/verify"),
    ]:
        response = client.request(method, path, headers=cs)
        assert response.status_code == 403 and error_of(response)["reason"] == "action_not_allowed", path


def test_administrators_manage_roles_and_handlers(client: TestClient, admin: dict[str, str]) -> None:
    role = client.post(
        "/v1/roles", headers=admin, json={"name": "auditor", "purposes": [], "actions": ["audit"]}
    )
    assert role.status_code == 201 and role.json() == {
        "name": "auditor",
        "purposes": [],
        "actions": ["audit"],
    }
    created = client.post(
        "/v1/handlers", headers=admin, json={"login": "au-choi", "password": PASSWORD, "role": "auditor"}
    )
    assert created.status_code == 201
    auditor = bearer(created.json()["token"])
    verified = client.get("/v1/audit/verify", headers=auditor)
    assert verified.status_code == 200
    assert verified.json()["ok"] is True and verified.json()["rows"] > 0 and verified.json()["breaks"] == []
    again = client.post(
        "/v1/handlers", headers=admin, json={"login": "au-choi", "password": PASSWORD, "role": "auditor"}
    )
    assert again.status_code == 422 and error_of(again)["field"] == "login"
    short = client.post(
        "/v1/handlers", headers=admin, json={"login": "au-two", "password": "short", "role": "auditor"}
    )
    assert short.status_code == 422 and error_of(short)["field"] == "password"
    assert client.post("/v1/handlers/au-choi/role", headers=admin, json={"role": "nope"}).status_code == 404
    assert client.post("/v1/handlers/au-choi/role", headers=admin, json={"role": "admin"}).status_code == 200
    assert client.get("/v1/handlers", headers=auditor).status_code == 200  # now an administrator
    assert client.post("/v1/handlers/au-choi/disable", headers=admin).status_code == 200
    assert client.get("/v1/audit/verify", headers=auditor).status_code == 401
    assert client.post("/v1/handlers/ghost/disable", headers=admin).status_code == 404


def test_children_wait_for_their_guardian(
    client: TestClient, admin: dict[str, str], cs: dict[str, str]
) -> None:
    child = MEMBER | {
        "birthdate": "2016-05-05",
        "login_id": "kid",
        "mobile": "010-2222-3333",
        "email": "kid@example.com",
        "guardian_name": "홍부모",
        "guardian_mobile": "010-4444-5555",
    }
    created = client.post(
        "/v1/subjects",
        headers=admin,
        json={"context": "signup", "data": child, "consents": {"marketing": False}},
    )
    assert created.status_code == 201 and created.json()["status"] == "pending_guardian"
    sid = created.json()["subject_id"]
    pending = read(client, cs, sid, ["name"], "membership")
    assert pending.status_code == 403 and error_of(pending)["reason"] == "pending_guardian"
    assert (
        client.post(f"/v1/subjects/{sid}/guardian-consent", headers=cs, json={"method": "sms"}).status_code
        == 403
    )
    consented = client.post(
        f"/v1/subjects/{sid}/guardian-consent", headers=admin, json={"method": "mobile_verification"}
    )
    assert consented.status_code == 200
    twice = client.post(
        f"/v1/subjects/{sid}/guardian-consent", headers=admin, json={"method": "mobile_verification"}
    )
    assert twice.status_code == 409 and error_of(twice)["code"] == "vault.state"
    completed = client.post(
        f"/v1/subjects/{sid}/items",
        headers=admin,
        json={
            "context": "signup",
            "data": {k: v for k, v in child.items() if not k.startswith("guardian")},
            "consents": {"marketing": False},
        },
    )
    assert completed.status_code == 201, completed.text
    assert read(client, cs, sid, ["name"], "membership").json()["values"] == {"name": "홍길동"}
    state = client.get(f"/v1/subjects/{sid}", headers=cs).json()
    assert state["status"] == "active" and state["is_child"] is True and "name" in state["items"]
    assert "홍길동" not in str(state)


def test_records_are_kept_and_read_for_their_purpose(
    client: TestClient, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = signup(client, admin)
    added = client.post(
        f"/v1/subjects/{sid}/records",
        headers=admin,
        json={
            "type": "complaint",
            "data": {"name": "홍길동", "email": "hong@example.com"},
            "occurred_at": "2026-02-01T09:00:00+09:00",
        },
    )
    assert added.status_code == 201
    records = client.post(
        f"/v1/subjects/{sid}/records/read", headers=cs, json={"type": "complaint", "purpose": "support"}
    )
    assert records.status_code == 200
    [record] = records.json()["records"]
    assert record["id"] == added.json()["record_id"] and record["data"] == {
        "name": "홍길동",
        "email": "hong@example.com",
    }
    undeclared = client.post(f"/v1/subjects/{sid}/records", headers=admin, json={"type": "diary", "data": {}})
    assert undeclared.status_code == 422 and error_of(undeclared)["field"] == "type"
    wrong_purpose = client.post(
        f"/v1/subjects/{sid}/records/read", headers=cs, json={"type": "payment", "purpose": "support"}
    )
    assert wrong_purpose.status_code == 403 and error_of(wrong_purpose)["reason"] == "item_not_in_purpose"


def test_bulk_reads_need_a_reason_and_return_only_allowed_subjects(
    client: TestClient, admin: dict[str, str], marketer: dict[str, str]
) -> None:
    yes = signup(client, admin, marketing=True)
    no = signup(
        client,
        admin,
        MEMBER
        | {"login_id": "kim", "mobile": "010-1111-2222", "email": "kim@example.com", "ci": "CI" + "B" * 86},
        marketing=False,
    )
    body = {"subject_ids": [yes, no, "unknown"], "items": ["email"], "purpose": "marketing"}
    no_reason = client.post("/v1/read", headers=marketer, json=body)
    assert no_reason.status_code == 403 and error_of(no_reason)["reason"] == "reason_required"
    bulk = client.post("/v1/read", headers=marketer, json=body | {"reason": "3월 뉴스레터 발송"})
    assert bulk.status_code == 200 and bulk.json()["values"] == {yes: {"email": "hong@example.com"}}


def test_subject_state_shows_items_never_values(
    client: TestClient, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = signup(client, admin)
    state = client.get(f"/v1/subjects/{sid}", headers=cs)
    assert state.status_code == 200
    assert state.json()["items"] == sorted(
        ["birthdate", "ci", "email", "login_id", "mobile", "name", "password"]
    )
    assert all(value not in state.text for value in MEMBER.values())
    missing = client.get("/v1/subjects/nobody-here", headers=cs)
    assert missing.status_code == 404 and error_of(missing)["code"] == "vault.not_found"


def test_health_reports_the_database_and_policy_without_authentication(
    client: TestClient, jikimi: Jikimi
) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert (
        body["status"] == "ok" and body["db"] == "ok" and body["policy_version"] == jikimi.policy.version_key
    )
    assert body["schema_revision"]


def test_every_request_is_logged_with_the_handler_and_client_address(
    client: TestClient, admin: dict[str, str], cs: dict[str, str], jikimi: Jikimi
) -> None:
    from sqlalchemy import select

    from jikimi.store.tables import access_log

    sid = signup(client, admin)
    read(client, cs, sid, ["email"], "marketing")
    with jikimi.core.engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.actor, access_log.c.action, access_log.c.outcome, access_log.c.source)
            .where(access_log.c.subject_id == sid)
            .order_by(access_log.c.seq)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("admin-park", "collect", "allowed", "testclient"),
        ("cs-kim", "read", "denied:role_not_allowed", "testclient"),
    ]
