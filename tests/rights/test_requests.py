"""Receiving, verifying, extending, refusing and answering requests (PIPA 35–38), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import Handler
from jikimi.rights import RightsDesk
from jikimi.rights.model import REFUSAL_GROUNDS, REQUEST_TYPES
from jikimi.store.tables import access_log, rights_events, rights_requests, verification_codes

SCOPES: dict[str, dict[str, list[str]]] = {
    "access": {},
    "correction": {"items": ["email"]},
    "deletion": {"items": ["gender"]},
    "stop": {"purposes": ["marketing"]},
    "consent_withdrawal": {"purposes": ["marketing"]},
    "automated_decision": {},
}


def received(desk: RightsDesk, clerk: Handler, member: str, kind: str, channel: str = "web", **extra: object):  # type: ignore[no-untyped-def]
    return desk.receive(member, kind, channel=channel, actor=clerk, **SCOPES[kind], **extra).request  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", sorted(REQUEST_TYPES))
def test_each_request_type_is_received_through_each_channel_the_policy_declares(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str, kind: str
) -> None:
    assert jikimi.core.policy.rights is not None
    for channel in jikimi.core.policy.rights.channels:
        request = received(desk, clerk, member, kind, channel)
        assert (request.type, request.channel, request.status, request.requester) == (
            kind,
            channel,
            "received",
            "self",
        )
        assert request.due_day - request.received_at.date() >= timedelta(days=10)
        desk.refuse(
            request.id, ground="identity_not_verified", actor=clerk
        )  # closed: the next one is not a duplicate


def test_the_deadline_is_ten_days_after_receipt_shown_as_a_korean_day(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    # received Monday 2026-03-02 10:00 KST (a substitute holiday; receipt day is not counted anyway)
    request = received(desk, clerk, member, "access")
    assert request.due_day == date(2026, 3, 12)
    assert request.days_left == 10 and not request.overdue


def test_a_second_open_request_of_the_same_kind_is_detected_not_doubled(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    first = desk.receive(member, "access", channel="web", actor=clerk)
    again = desk.receive(member, "access", channel="email", actor=clerk)
    assert not first.duplicate and again.duplicate and again.request.id == first.request.id
    other = desk.receive(member, "stop", channel="web", actor=clerk, purposes=["marketing"])
    assert not other.duplicate
    notes = [e.note for e in desk.events(first.request.id, actor=clerk)]
    assert any(n and n.startswith("duplicate received (channel=email") for n in notes)
    desk.refuse(first.request.id, ground="identity_not_verified", actor=clerk)
    assert not desk.receive(member, "access", channel="web", actor=clerk).duplicate
    with jikimi.core.engine.connect() as conn:
        assert (
            len(conn.execute(select(rights_requests.c.id).where(rights_requests.c.type == "access")).all())
            == 2
        )


def test_simultaneous_duplicates_make_one_request(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    results: list[bool] = []
    errors: list[BaseException] = []

    def file() -> None:
        try:
            results.append(desk.receive(member, "deletion", channel="phone", actor=clerk).duplicate)
        except StateConflict:
            results.append(True)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=file) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert results.count(False) == 1
    with jikimi.core.engine.connect() as conn:
        assert len(conn.execute(select(rights_requests.c.id)).all()) == 1


def test_a_legal_guardian_requests_for_a_child_but_not_for_an_adult(
    desk: RightsDesk, clerk: Handler, member: str, child: str
) -> None:
    request = desk.receive(
        child,
        "access",
        channel="phone",
        actor=clerk,
        requester="guardian",
        requester_detail={"name": "김보호", "relation": "부"},
    ).request
    assert request.requester == "guardian"
    assert desk.requester_detail(request.id, actor=clerk) == {"name": "김보호", "relation": "부"}
    with pytest.raises(InvalidInput) as refused:
        desk.receive(member, "access", channel="phone", actor=clerk, requester="guardian")
    assert refused.value.field == "requester"


def test_an_agent_needs_a_power_of_attorney_and_its_details_are_sealed(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        desk.receive(
            member,
            "deletion",
            channel="letter",
            actor=clerk,
            requester="agent",
            requester_detail={"name": "이대리"},
        )
    assert refused.value.field == "requester_detail.power_of_attorney"
    request = desk.receive(
        member,
        "deletion",
        channel="letter",
        actor=clerk,
        requester="agent",
        requester_detail={"name": "이대리", "power_of_attorney": "위임장 2026-0042"},
    ).request
    assert desk.requester_detail(request.id, actor=clerk)["power_of_attorney"] == "위임장 2026-0042"
    with jikimi.core.engine.connect() as conn:
        sealed = conn.execute(select(rights_requests.c.requester_detail)).scalar_one()
        logged = conn.execute(select(access_log.c.action, access_log.c.reason)).all()
    assert "이대리".encode() not in bytes(sealed) and b"0042" not in bytes(sealed)
    assert ("rights.requester_detail", f"request={request.id}; type=deletion") in [tuple(r) for r in logged]
    assert not any("이대리" in (r.reason or "") for r in logged)


def test_a_one_time_code_verifies_and_only_its_digest_is_stored(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request = received(desk, clerk, member, "access")
    code = desk.start_verification(request.id, actor=clerk)
    assert code is not None and len(code) == 6 and code.isdigit()
    with jikimi.core.engine.connect() as conn:
        digest = conn.execute(select(verification_codes.c.code_digest)).scalar_one()
    assert code.encode() not in bytes(digest)
    verified = desk.verify(request.id, method="one_time_code", proof=code, actor=clerk)
    assert verified.status == "verified" and verified.verification == "one_time_code"
    with jikimi.core.engine.connect() as conn:
        assert conn.execute(select(verification_codes.c.request_id)).first() is None  # used once


def test_a_wrong_code_counts_and_five_wrong_codes_lock_the_code(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request = received(desk, clerk, member, "access")
    code = desk.start_verification(request.id, actor=clerk)
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(Denied) as denied:
            desk.verify(request.id, method="one_time_code", proof=wrong, actor=clerk)
        assert denied.value.reason == "verification_wrong_code"
    with pytest.raises(Denied) as locked:
        desk.verify(request.id, method="one_time_code", proof=code, actor=clerk)
    assert locked.value.reason == "verification_too_many_attempts"
    assert desk.get(request.id, actor=clerk).verified_at is None


def test_a_code_expires_after_ten_minutes(
    desk: RightsDesk, clerk: Handler, member: str, clock: FixedClock
) -> None:
    request = received(desk, clerk, member, "access")
    code = desk.start_verification(request.id, actor=clerk)
    assert code is not None
    clock.advance(timedelta(minutes=10))
    with pytest.raises(Denied) as denied:
        desk.verify(request.id, method="one_time_code", proof=code, actor=clerk)
    assert denied.value.reason == "verification_code_expired"


def test_a_handler_verifies_in_person_saying_how(desk: RightsDesk, clerk: Handler, member: str) -> None:
    request = received(desk, clerk, member, "access", "letter")  # the reference policy declares no visits
    with pytest.raises(InvalidInput):
        desk.verify(request.id, method="handler", proof="  ", actor=clerk)
    assert (
        desk.verify(request.id, method="handler", proof="신분증 확인", actor=clerk).verification == "handler"
    )


def test_nothing_is_answered_before_the_requester_is_verified(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request = received(desk, clerk, member, "access")
    with pytest.raises(StateConflict):
        desk.answer(request.id, actor=clerk)
    with pytest.raises(StateConflict):
        desk.start(request.id, actor=clerk)


def test_a_handler_without_the_rights_action_is_denied(jikimi: Jikimi, desk: RightsDesk, member: str) -> None:
    jikimi.handlers.define_role("cs", purposes=["membership"], actions=["read"])
    cs, _ = jikimi.handlers.create("cs-kim", "correct horse battery", role="cs")
    with pytest.raises(Denied) as denied:
        desk.receive(member, "access", channel="web", actor=cs)
    assert denied.value.reason == "action_not_allowed"


def test_overdue_requests_are_listed_first_then_by_due_date(
    desk: RightsDesk, clerk: Handler, member: str, jikimi: Jikimi, clock: FixedClock
) -> None:
    other = jikimi.vault.collect(
        "signup",
        {
            "name": "김철수",
            "birthdate": "1985-02-02",
            "login_id": "kimcs",
            "password": "secret-pass-3",
            "mobile": "010-5555-6666",
            "email": "kim@example.com",
            "ci": "CI" + "C" * 86,
        },
        {},
    ).subject_id
    oldest = received(desk, clerk, member, "access")
    clock.advance(timedelta(days=1))
    automated = received(desk, clerk, member, "automated_decision")
    clock.advance(timedelta(days=2))
    newer = received(desk, clerk, other, "access")
    assert [r.id for r in desk.list_requests(actor=clerk)] == [oldest.id, newer.id, automated.id]
    clock.advance(timedelta(days=12))  # the two access requests are overdue now, the 30-day one is not
    queue = desk.list_requests(actor=clerk)
    assert [r.id for r in queue] == [oldest.id, newer.id, automated.id]
    assert [r.overdue for r in queue] == [True, True, False]
    clock.advance(timedelta(days=30))
    assert [r.overdue for r in desk.list_requests(actor=clerk)] == [True, True, True]
    desk.refuse(oldest.id, ground="identity_not_verified", actor=clerk)
    assert [r.id for r in desk.list_requests(actor=clerk)] == [newer.id, automated.id]


def test_access_can_be_postponed_with_a_reason_before_its_deadline(
    desk: RightsDesk, clerk: Handler, member: str, clock: FixedClock
) -> None:
    request = received(desk, clerk, member, "access")
    with pytest.raises(InvalidInput):
        desk.extend(request.id, until=date(2026, 3, 20), reason=" ", actor=clerk)
    with pytest.raises(InvalidInput):
        desk.extend(request.id, until=date(2026, 3, 12), reason="자료 확인", actor=clerk)
    extended = desk.extend(
        request.id, until=date(2026, 3, 20), reason="보관 기록 확인에 시간이 필요함", actor=clerk
    )
    assert (extended.status, extended.due_day, extended.note) == (
        "extended",
        date(2026, 3, 20),
        "보관 기록 확인에 시간이 필요함",
    )
    clock.advance(timedelta(days=30))
    with pytest.raises(StateConflict):
        desk.extend(request.id, until=date(2026, 5, 1), reason="다시", actor=clerk)


def test_corrections_deletions_and_stops_cannot_be_extended(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    for kind in ("correction", "deletion", "stop", "consent_withdrawal"):
        request = received(desk, clerk, member, kind)
        with pytest.raises(StateConflict):
            desk.extend(request.id, until=date(2026, 3, 30), reason="업무 폭주", actor=clerk)


def test_an_automated_decision_answer_may_be_extended_twice(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request = received(desk, clerk, member, "automated_decision")
    assert request.due_day == date(2026, 4, 1)
    desk.extend(request.id, until=date(2026, 5, 1), reason="설명 자료 준비", actor=clerk)
    desk.extend(request.id, until=date(2026, 5, 29), reason="외부 검토", actor=clerk)
    with pytest.raises(StateConflict):
        desk.extend(request.id, until=date(2026, 6, 30), reason="또", actor=clerk)
    desk.verify(request.id, method="handler", proof="전화 회신으로 확인", actor=clerk)
    answered = desk.answer(request.id, note="결정 기준과 사용된 항목을 설명함", actor=clerk)
    assert answered.status == "answered" and answered.answered_at is not None


@pytest.mark.parametrize("ground", sorted(REFUSAL_GROUNDS))
def test_each_refusal_ground_is_recorded_with_its_article_and_how_to_object(
    desk: RightsDesk, clerk: Handler, member: str, ground: str
) -> None:
    kind = sorted(REFUSAL_GROUNDS[ground].applies_to)[0]
    request = received(desk, clerk, member, kind)
    refused = desk.refuse(request.id, ground=ground, note="근거 조문 확인", actor=clerk)
    assert (refused.status, refused.refusal_ground) == ("refused", ground)
    notice = desk.refusal_notice(request.id, actor=clerk)
    assert notice["article"] == REFUSAL_GROUNDS[ground].article
    assert "분쟁조정위원회" in notice["how_to_object_ko"] and "행정심판" in notice["how_to_object_ko"]
    assert "mediation" in notice["how_to_object_en"]


def test_a_ground_that_does_not_fit_the_request_type_is_rejected(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request = received(desk, clerk, member, "access")
    with pytest.raises(InvalidInput) as refused:
        desk.refuse(request.id, ground="contract_needs_processing", actor=clerk)
    assert refused.value.field == "ground"
    with pytest.raises(StateConflict):
        desk.refuse(
            desk.refuse(request.id, ground="harms_others", actor=clerk).id, ground="harms_others", actor=clerk
        )


def test_every_step_is_an_event_and_an_access_log_row_without_values(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request = received(desk, clerk, member, "access")
    desk.verify(request.id, method="handler", proof="신분증 확인", actor=clerk)
    desk.start(request.id, actor=clerk)
    desk.answer(request.id, note="열람 자료 전달", actor=clerk)
    assert [e.status for e in desk.events(request.id, actor=clerk)] == [
        "received",
        "verified",
        "in_progress",
        "answered",
    ]
    with jikimi.core.engine.connect() as conn:
        actions = [
            r.action
            for r in conn.execute(
                select(access_log.c.action)
                .where(access_log.c.actor == clerk.login)
                .order_by(access_log.c.seq)
            )
        ]
        events = conn.execute(select(rights_events.c.note)).all()
    assert actions == ["rights.receive", "rights.verify", "rights.in_progress", "rights.answered"]
    assert not any("홍길동" in (n or "") or "hong@" in (n or "") for (n,) in events)
