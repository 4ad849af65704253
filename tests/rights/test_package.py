"""The access package holds everything jikimi keeps on the subject, streams, and is itself logged."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.errors import StateConflict
from jikimi.handlers import Handler
from jikimi.rights import RightsDesk
from jikimi.rights.package import Package, package_json
from jikimi.store.tables import access_log

SECTIONS = [
    "package",
    "subject",
    "items",
    "consents",
    "processors",
    "separated",
    "record_count",
    "records",
    "provisions",
    "access_history",
]


@pytest.fixture
def rich_member(jikimi: Jikimi, member: str, officer: Handler) -> str:
    """A member with orders, a provision to 누림포인트, and some reads in the access log."""
    jikimi.vault.collect(
        "order",
        {
            "recipient_name": "홍길순",
            "recipient_phone": "010-3333-4444",
            "delivery_address": "서울특별시 마포구 월드컵북로 396",
        },
        {},
        subject_id=member,
    )
    for n in range(3):
        jikimi.vault.add_record(
            member,
            "payment",
            {"name": "홍길동", "recipient_name": f"수령인{n}"},
            datetime(2026, 2, 1 + n, tzinfo=UTC),
        )
    sharing = jikimi.sharing
    sharing.give_consent(member, "nurim_points", actor=officer)
    sharing.provide([member], "nurim_points", ["name", "mobile"], basis="consent", actor=officer)
    jikimi.vault.read(member, ["email"], "marketing", officer)
    return member


def access_request(desk: RightsDesk, clerk: Handler, subject: str) -> str:
    request = desk.receive(subject, "access", channel="web", actor=clerk).request
    desk.verify(request.id, method="handler", proof="로그인 세션 확인", actor=clerk)
    return request.id


def test_the_json_package_holds_every_section(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, rich_member: str
) -> None:
    package = json.loads(
        "".join(package_json(desk.package(access_request(desk, clerk, rich_member), actor=clerk)))
    )
    assert list(package) == SECTIONS
    items = {i["id"]: i for i in package["items"]}
    assert items["name"]["value"] == "홍길동" and items["delivery_address"]["value"].startswith("서울특별시")
    assert "one-way hash" in items["password"]["value"]  # never the hash itself
    assert {p["id"] for p in items["email"]["purposes"]} == {
        "membership",
        "order_fulfilment",
        "support",
        "marketing",
    }
    assert items["login_id"]["retention"][0]["period"] == "3개월"
    assert [r["data"]["recipient_name"] for r in package["records"]] == ["수령인0", "수령인1", "수령인2"]
    assert package["record_count"] == 3
    marketing = [c for c in package["consents"] if c["target_id"] == "marketing"][0]
    assert (marketing["granted"], marketing["policy_version"]) == (True, "2026-03-02")
    assert [(p["third_party_id"], p["items"]) for p in package["provisions"]] == [
        ("nurim_points", ["mobile", "name"])
    ]
    assert {p["id"] for p in package["processors"]} >= {"cloud", "delivery", "payment_gateway", "messaging"}
    actions = [(h["action"], h["by"]) for h in package["access_history"]]
    assert ("read", "handler") in actions and ("collect", "self") in actions
    assert actions[-1] == ("rights.access_package", "handler")  # the package itself is in the history


def test_opening_the_package_is_logged_as_a_read_of_personal_data(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, rich_member: str
) -> None:
    request_id = access_request(desk, clerk, rich_member)
    desk.package(request_id, actor=clerk, source="10.0.0.7")
    with jikimi.core.engine.connect() as conn:
        row = conn.execute(select(access_log).where(access_log.c.action == "rights.access_package")).one()
    assert (row.actor, row.subject_id, row.source, row.count) == (clerk.login, rich_member, "10.0.0.7", 3)
    assert "payment" in json.loads(row.items) and "name" in json.loads(row.items)
    assert row.reason == f"request={request_id}; type=access"


def test_no_package_before_verification_or_for_other_request_types(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request = desk.receive(member, "access", channel="web", actor=clerk).request
    with pytest.raises(StateConflict):
        desk.package(request.id, actor=clerk)
    stop = desk.receive(member, "stop", channel="web", actor=clerk, purposes=["marketing"]).request
    desk.verify(stop.id, method="handler", proof="확인", actor=clerk)
    with pytest.raises(StateConflict):
        desk.package(stop.id, actor=clerk)


def test_held_items_are_shown_to_the_subject_marked_as_on_hold(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    correction = desk.receive(member, "correction", channel="web", actor=clerk, items=["email"]).request
    desk.verify(correction.id, method="handler", proof="확인", actor=clerk)
    package = json.loads(
        "".join(package_json(desk.package(access_request(desk, clerk, member), actor=clerk)))
    )
    email = [i for i in package["items"] if i["id"] == "email"][0]
    assert (email["value"], email["on_hold"]) == ("hong@example.com", True)


def _peak_while_streaming(package: Package) -> int:
    tracemalloc.start()
    try:
        chunks = sum(1 for _ in package_json(package))
        assert chunks > 1
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_records_are_streamed_so_memory_does_not_grow_with_their_number(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str, db_url: str
) -> None:
    from jikimi.crypto import seal_value
    from jikimi.store.tables import records

    with jikimi.core.engine.begin() as conn:
        key = jikimi.core.keys.get(conn, member)
        assert key is not None
        start = datetime(2025, 1, 1, tzinfo=UTC)
        body = json.dumps(
            {"name": "홍길동", "recipient_name": "홍길순", "recipient_phone": "010-3333-4444"},
            ensure_ascii=False,
        )
        rows = [
            {
                "id": f"r{n:07d}",
                "subject_id": member,
                "type": "payment",
                "occurred_at": start + timedelta(minutes=n),
                "created_at": start,
                "ciphertext": seal_value(key, member, f"record:r{n:07d}", body),
            }
            for n in range(12_000)
        ]
        conn.execute(records.insert(), rows)
    request_id = access_request(desk, clerk, member)
    peak = _peak_while_streaming(desk.package(request_id, actor=clerk))
    text = "".join(package_json(desk.package(request_id, actor=clerk)))
    assert len(text) > 1_500_000 and len(json.loads(text)["records"]) == 12_000
    # the whole document is >1.5 MB; streaming keeps the peak to a few pages of rows
    assert peak < 1_500_000, peak
