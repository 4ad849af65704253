"""Complaints over HTTP through the real ASGI app: the same deadline, the one error envelope with the
field and the reason for bad input (never a 500), texts only in bodies, every read logged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.store.tables import access_log

from ..api.conftest import bearer, error_of, handler_token, logged_in  # noqa: TID252
from . import complaint_setup as setup
from .complaint_setup import ANSWER, BODY, kst

# the fixtures these tests take
jikimi, reference_policy, ring, member = setup.jikimi, setup.reference_policy, setup.ring, setup.member


@pytest.fixture
def client(jikimi: Jikimi) -> Iterator[TestClient]:
    with TestClient(create_app(jikimi)) as client:
        yield client


def desk_headers(jikimi: Jikimi) -> dict[str, str]:
    """A customer-centre handler's token (tokens last 12 hours: made after the clock is set)."""
    return bearer(handler_token(jikimi, "cs-lim", "cs_desk", [], ["complaints"]))


@pytest.fixture
def cs_desk(jikimi: Jikimi) -> dict[str, str]:
    return desk_headers(jikimi)


def test_a_complaint_received_friday_19_00_before_a_holiday_monday_is_due_tuesday_working_hours_over_http(
    client: TestClient, jikimi: Jikimi, clock: FixedClock
) -> None:
    clock.set(kst(2026, 10, 5, 11, 0))  # entered on the substitute holiday, received the Friday before
    cs_desk = desk_headers(jikimi)
    made = client.post(
        "/v1/complaints",
        headers=cs_desk,
        json={
            "channel": "fax",
            "received_at": "2026-10-02T19:00:00+09:00",
            "topic": "privacy_leak",
            "body": BODY,
        },
    )
    assert made.status_code == 201, made.text
    complaint = made.json()
    assert complaint["due_at"] == "2026-10-06T09:00:00Z"
    assert (complaint["due_kst"], complaint["basis"]) == ("2026-10-06 18:00 KST", "end_of_next_working_hours")
    assert "익일 처리" in complaint["basis_ko"] and "next business day" in complaint["basis_en"]
    assert "body" not in complaint and complaint["has_body"]


def test_a_complaint_goes_from_receipt_to_answer_over_http(
    client: TestClient, jikimi: Jikimi, member: str, clock: FixedClock
) -> None:
    clock.set(kst(2026, 3, 3, 10, 0))
    cs_desk = desk_headers(jikimi)
    made = client.post(
        "/v1/complaints", headers=cs_desk, json={"channel": "email", "subject_id": member, "body": BODY}
    )
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    assert made.json()["due_kst"] == "2026-03-04 10:00 KST"
    clock.set(kst(2026, 3, 4, 11, 0))  # an hour late
    cs_desk = logged_in(client, "cs-lim")  # the morning's token has run out
    late = client.get("/v1/complaints?overdue=true", headers=cs_desk).json()["complaints"]
    assert [(c["id"], c["overdue"], c["hours_left"]) for c in late] == [(cid, True, -1.0)]
    assert client.get("/v1/complaints?overdue=false", headers=cs_desk).json()["complaints"] == []
    shown = client.get(f"/v1/complaints/{cid}", headers=cs_desk)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert (shown.json()["body"], shown.json()["answer"]) == (BODY, None)
    answered = client.post(f"/v1/complaints/{cid}/answer", headers=cs_desk, json={"answer": ANSWER})
    assert answered.status_code == 200, answered.text
    assert (answered.json()["status"], answered.json()["on_time"], answered.json()["notice_queued"]) == (
        "answered",
        False,
        True,
    )
    assert client.get("/v1/complaints", headers=cs_desk).json()["complaints"] == []
    assert [
        c["id"] for c in client.get("/v1/complaints?status=all", headers=cs_desk).json()["complaints"]
    ] == [cid]
    assert client.get(f"/v1/complaints/{cid}", headers=cs_desk).json()["answer"] == ANSWER
    with jikimi.core.engine.connect() as conn:
        actions = [
            r.action for r in conn.execute(select(access_log.c.action).where(access_log.c.actor == "cs-lim"))
        ]
    assert [a for a in actions if a.startswith("complaint.")] == [
        "complaint.receive",
        "complaint.read",
        "complaint.answer",
        "complaint.read",
    ]
    again = client.post(f"/v1/complaints/{cid}/answer", headers=cs_desk, json={"answer": "또"})
    assert again.status_code == 409 and error_of(again)["code"] == "vault.state"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"channel": "pigeon"}, "channel", "request.invalid"),
        ({"channel": "email", "received_at": "2026-03-02T19:00:00"}, "received_at", "vault.invalid"),
        ({"channel": "email", "received_at": "2026-04-01T19:00:00+09:00"}, "received_at", "vault.invalid"),
        ({"channel": "email", "received_at": "9999-12-31T23:00:00-05:00"}, "received_at", "request.invalid"),
        ({"channel": "email", "received_at": "어제 저녁"}, "received_at", "request.invalid"),
        ({"channel": "email", "topic": "홍길동 010-1234-5678"}, "topic", "vault.invalid"),
        ({"channel": "email", "body": "가" * 20_001}, "body", "request.invalid"),
        ({"channel": "email", "subject_id": "../../etc"}, "subject_id", "request.invalid"),
        ({"channel": "email", "note": "extra"}, "note", "request.invalid"),
        ({"channel": "email", "body": 42}, "body", "request.invalid"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_never_a_500(
    client: TestClient, cs_desk: dict[str, str], body: dict[str, object], field: str, code: str
) -> None:
    response = client.post("/v1/complaints", headers=cs_desk, json=body)
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert (error["field"], error["code"]) == (field, code)
    assert "홍길동" not in response.text and "010-1234-5678" not in response.text


def test_the_queue_and_the_answer_refuse_what_they_cannot_use(
    client: TestClient, cs_desk: dict[str, str]
) -> None:
    bad_status = client.get("/v1/complaints?status=closed", headers=cs_desk)
    assert bad_status.status_code == 422 and error_of(bad_status)["field"] == "status"
    missing = client.get("/v1/complaints/NoSuchComplaint0000000", headers=cs_desk)
    assert missing.status_code == 404 and error_of(missing)["code"] == "vault.not_found"
    empty = client.post("/v1/complaints/NoSuchComplaint0000000/answer", headers=cs_desk, json={"answer": ""})
    assert empty.status_code == 422 and error_of(empty)["field"] == "answer"
    unknown_subject = client.post(
        "/v1/complaints", headers=cs_desk, json={"channel": "email", "subject_id": "NoSuchSubject000000000"}
    )
    assert unknown_subject.status_code == 404


def test_only_a_handler_with_the_complaints_action_may_call(client: TestClient, jikimi: Jikimi) -> None:
    reader = bearer(handler_token(jikimi, "cs-kim", "cs", ["membership"], ["read", "metadata"]))
    for method, path in (("post", "/v1/complaints"), ("get", "/v1/complaints")):
        denied = client.request(method, path, headers=reader, json={"channel": "email"})
        assert denied.status_code == 403 and error_of(denied)["reason"] == "action_not_allowed"
        anonymous = client.request(method, path, json={"channel": "email"})
        assert anonymous.status_code == 401
