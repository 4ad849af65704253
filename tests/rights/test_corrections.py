"""정정: data under correction is neither used nor provided until corrected; earlier recipients are told."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import Handler
from jikimi.rights import RightsDesk
from jikimi.store.outbox import pending
from jikimi.store.tables import access_log, item_values, outbox, rights_events


@pytest.fixture
def partner(jikimi: Jikimi) -> Handler:
    jikimi.handlers.define_role("partnerships", purposes=[], actions=["provide", "provide_by_law", "consent"])
    handler, _ = jikimi.handlers.create("pt-choi", "correct horse battery", role="partnerships")
    return handler


def provided(jikimi: Jikimi, partner: Handler, member: str, items: list[str]) -> None:
    """The member's ``items`` were given to 누림포인트 (with the member's consent), as sharing records it."""
    sharing = jikimi.sharing
    sharing.give_consent(member, "nurim_points", actor=partner)
    assert sharing.provide([member], "nurim_points", items, basis="consent", actor=partner).allowed == 1


def opened(desk: RightsDesk, clerk: Handler, member: str, items: list[str]) -> str:
    request = desk.receive(member, "correction", channel="web", actor=clerk, items=items).request
    desk.verify(request.id, method="handler", proof="휴대전화 본인확인", actor=clerk)
    return request.id


def test_correction_hold_denies_reads_until_applied(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str
) -> None:
    request = desk.receive(member, "correction", channel="phone", actor=clerk, items=["mobile"]).request
    assert jikimi.vault.read(member, ["mobile"], "membership", officer) == {
        "mobile": "010-1234-5678"
    }  # not yet verified
    desk.verify(request.id, method="handler", proof="등록된 번호로 회신 전화", actor=clerk)
    with pytest.raises(Denied) as denied:
        jikimi.vault.read(member, ["name", "mobile"], "membership", officer)
    assert denied.value.reason == "correction_hold"
    assert jikimi.vault.read(member, ["name"], "membership", officer) == {
        "name": "홍길동"
    }  # other items stay usable
    answered = desk.apply_correction(request.id, {"mobile": "01098765432"}, actor=clerk)
    assert answered.status == "answered"
    assert jikimi.vault.read(member, ["mobile"], "membership", officer) == {"mobile": "010-9876-5432"}


def test_correction_hold_denies_provisions_too(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, partner: Handler, member: str
) -> None:
    sharing = jikimi.sharing
    sharing.give_consent(member, "nurim_points", actor=partner)
    request_id = opened(desk, clerk, member, ["mobile"])
    held = sharing.provide([member], "nurim_points", ["name", "mobile"], basis="consent", actor=partner)
    assert held.denied == {member: "correction_hold"} and held.allowed == 0
    desk.apply_correction(request_id, {"mobile": "010-9876-5432"}, actor=clerk)
    after = sharing.provide([member], "nurim_points", ["name", "mobile"], basis="consent", actor=partner)
    assert after.values == {member: {"name": "홍길동", "mobile": "010-9876-5432"}}


def test_correction_notices_are_queued_once_for_each_earlier_recipient(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, partner: Handler, member: str
) -> None:
    provided(jikimi, partner, member, ["name", "mobile"])
    jikimi.sharing.provide(
        [member], "nurim_points", ["mobile"], basis="consent", actor=partner
    )  # given twice
    request_id = opened(desk, clerk, member, ["mobile", "email"])
    desk.apply_correction(request_id, {"mobile": "010-9876-5432", "email": "new@example.com"}, actor=clerk)
    with jikimi.core.engine.connect() as conn:
        notices = pending(conn, kind="correction_notice")
        raw = conn.execute(select(outbox.c.payload)).scalars().all()
    assert len(notices) == 1
    payload = notices[0].payload
    assert (payload["request_id"], payload["third_party_id"], payload["items"]) == (
        request_id,
        "nurim_points",
        ["mobile"],
    )
    assert notices[0].dedupe_key == f"correction_notice:{request_id}:nurim_points"
    assert not any("9876" in text or "new@" in text or "홍길동" in text for text in raw)  # ids only


def test_a_recipient_that_never_got_the_corrected_item_is_not_told(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, partner: Handler, member: str
) -> None:
    provided(jikimi, partner, member, ["name"])
    request_id = opened(desk, clerk, member, ["email"])
    desk.apply_correction(request_id, {"email": "new@example.com"}, actor=clerk)
    with jikimi.core.engine.connect() as conn:
        assert pending(conn, kind="correction_notice") == []


def test_refusing_a_correction_lifts_the_hold_and_records_the_ground(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str
) -> None:
    request_id = opened(desk, clerk, member, ["name"])
    refused = desk.refuse(
        request_id, ground="correction_unfounded", note="가족관계증명서와 일치", actor=clerk
    )
    assert (refused.status, refused.refusal_ground) == ("refused", "correction_unfounded")
    assert jikimi.vault.read(member, ["name"], "membership", officer) == {"name": "홍길동"}


def test_a_partly_refused_correction_corrects_the_rest_and_releases_everything(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str
) -> None:
    request_id = opened(desk, clerk, member, ["name", "email"])
    with pytest.raises(InvalidInput) as missing:
        desk.apply_correction(
            request_id, {"email": "new@example.com"}, actor=clerk
        )  # name neither corrected nor refused
    assert missing.value.field == "name"
    result = desk.apply_correction(
        request_id, {"email": "new@example.com"}, refuse={"name": "correction_unfounded"}, actor=clerk
    )
    assert (result.status, result.refusal_ground) == ("partly_answered", "correction_unfounded")
    assert jikimi.vault.read(member, ["name", "email"], "membership", officer) == {
        "name": "홍길동",
        "email": "new@example.com",
    }


def test_a_malformed_new_value_changes_nothing_and_the_hold_stays(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request_id = opened(desk, clerk, member, ["email"])
    with pytest.raises(InvalidInput) as bad:
        desk.apply_correction(request_id, {"email": "not an email"}, actor=clerk)
    assert bad.value.field == "email"
    assert desk.get(request_id, actor=clerk).status == "verified"
    with jikimi.core.engine.connect() as conn:
        assert conn.execute(
            select(item_values.c.hold).where(
                item_values.c.subject_id == member, item_values.c.item_id == "email"
            )
        ).scalar_one()


def test_a_corrected_look_up_item_finds_the_member_by_its_new_value_only(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str
) -> None:
    request_id = opened(desk, clerk, member, ["email"])
    desk.apply_correction(request_id, {"email": "new@example.com"}, actor=clerk)
    assert jikimi.vault.find("email", "new@example.com", actor=officer) == member
    assert jikimi.vault.find("email", "hong@example.com", actor=officer) is None


def test_only_items_the_member_holds_can_be_corrected_and_passwords_never(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    with pytest.raises(InvalidInput):
        desk.receive(member, "correction", channel="web", actor=clerk, items=["address"])
    request_id = opened(desk, clerk, member, ["password"])
    with pytest.raises(InvalidInput) as refused:
        desk.apply_correction(request_id, {"password": "another-secret-1"}, actor=clerk)
    assert refused.value.field == "password"


def test_the_correction_leaves_no_value_in_events_or_the_access_log(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request_id = opened(desk, clerk, member, ["email"])
    desk.apply_correction(request_id, {"email": "new@example.com"}, actor=clerk)
    with jikimi.core.engine.connect() as conn:
        texts = [json.dumps([str(v) for v in r]) for r in conn.execute(select(access_log))]
        texts += [str(r.note) for r in conn.execute(select(rights_events))]
    assert any("rights.correct" in t and "email" in t for t in texts)
    assert not any("new@example" in t or "hong@example" in t for t in texts)
