"""처리정지, 동의 철회, 삭제 and automated decisions are carried out, with refusals on their legal grounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import Handler
from jikimi.rights import RightsDesk
from jikimi.store.tables import item_values, processing_stops, separated_values, subjects


def verified(desk: RightsDesk, clerk: Handler, member: str, kind: str, **scope: object) -> str:
    request = desk.receive(member, kind, channel="email", actor=clerk, **scope).request  # type: ignore[arg-type]
    desk.verify(request.id, method="handler", proof="이메일 회신 확인", actor=clerk)
    return request.id


def test_stop_processing_blocks_the_purposes_named(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str
) -> None:
    request_id = verified(desk, clerk, member, "stop", purposes=["marketing"])
    assert desk.stop_processing(request_id, actor=clerk).status == "answered"
    with pytest.raises(Denied) as denied:
        jikimi.vault.read(member, ["email"], "marketing", officer)
    assert denied.value.reason == "processing_stopped"
    assert jikimi.vault.read(member, ["email"], "membership", officer) == {"email": "hong@example.com"}
    with jikimi.core.engine.connect() as conn:
        stop = conn.execute(select(processing_stops)).one()
    assert (stop.purpose_id, stop.request_id, stop.lifted_at) == ("marketing", request_id, None)


def test_a_stop_refused_for_a_contract_keeps_that_purpose_running(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str
) -> None:
    request_id = verified(desk, clerk, member, "stop", purposes=["marketing", "membership"])
    with pytest.raises(InvalidInput):
        desk.stop_processing(
            request_id, refuse={"membership": "harms_others"}, actor=clerk
        )  # an access ground
    result = desk.stop_processing(request_id, refuse={"membership": "contract_needs_processing"}, actor=clerk)
    assert (result.status, result.refusal_ground) == ("partly_answered", "contract_needs_processing")
    assert result.note == "membership: contract_needs_processing"
    assert jikimi.vault.read(member, ["name"], "membership", officer) == {"name": "홍길동"}
    with pytest.raises(Denied):
        jikimi.vault.read(member, ["email"], "marketing", officer)


def test_a_consent_withdrawal_request_withdraws_the_consent(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str
) -> None:
    request_id = verified(desk, clerk, member, "consent_withdrawal", purposes=["marketing"])
    assert desk.withdraw_consents(request_id, actor=clerk).status == "answered"
    with pytest.raises(Denied) as denied:
        jikimi.vault.read(member, ["email"], "marketing", officer)
    assert denied.value.reason == "consent_withdrawn"
    withdrawal = [c for c in jikimi.vault.consents_of(member) if c["target_id"] == "marketing"][0]
    assert withdrawal["withdrawn_at"] is not None


def test_only_consent_based_purposes_can_be_withdrawn(desk: RightsDesk, clerk: Handler, member: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        desk.receive(member, "consent_withdrawal", channel="web", actor=clerk, purposes=["membership"])
    assert refused.value.field == "purposes"


def test_deleting_an_optional_item_destroys_it(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    with jikimi.core.engine.connect() as conn:
        before = {
            r.item_id
            for r in conn.execute(select(item_values.c.item_id).where(item_values.c.subject_id == member))
        }
    assert "email" in before
    request_id = verified(desk, clerk, member, "deletion", items=["email"])
    result = desk.delete(request_id, actor=clerk)
    assert result.status == "answered"
    with jikimi.core.engine.connect() as conn:
        after = {
            r.item_id
            for r in conn.execute(select(item_values.c.item_id).where(item_values.c.subject_id == member))
        }
    assert after == before - {"email"}


def test_deleting_everything_ends_the_membership_and_separates_what_the_law_keeps(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request_id = verified(desk, clerk, member, "deletion")
    result = desk.delete(request_id, actor=clerk)
    assert (result.status, result.refusal_ground) == ("partly_answered", "other_law_requires_data")
    assert "login_id: other_law_requires_data" in (result.note or "")
    with jikimi.core.engine.connect() as conn:
        assert (
            conn.execute(select(subjects.c.status).where(subjects.c.id == member)).scalar_one() == "withdrawn"
        )
        assert (
            conn.execute(select(item_values.c.item_id).where(item_values.c.subject_id == member)).first()
            is None
        )
        kept = {
            r.item_id
            for r in conn.execute(
                select(separated_values.c.item_id).where(separated_values.c.subject_id == member)
            )
        }
    assert kept == {"login_id", "ci"}  # the reference policy keeps these after withdrawal (3 months, 30 days)


def test_a_refused_item_is_not_deleted(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str
) -> None:
    request_id = verified(desk, clerk, member, "deletion", items=["email", "mobile"])
    result = desk.delete(request_id, refuse={"mobile": "other_law_procedure"}, actor=clerk)
    assert (result.status, result.refusal_ground) == ("partly_answered", "other_law_procedure")
    assert jikimi.vault.read(member, ["mobile"], "membership", officer) == {"mobile": "010-1234-5678"}


def test_deletion_waits_for_verification(desk: RightsDesk, clerk: Handler, member: str) -> None:
    request = desk.receive(member, "deletion", channel="web", actor=clerk).request
    with pytest.raises(StateConflict):
        desk.delete(request.id, actor=clerk)


def test_an_objection_to_an_automated_decision_gets_thirty_days_and_an_explanation(
    desk: RightsDesk, clerk: Handler, member: str, clock: FixedClock
) -> None:
    request = desk.receive(member, "automated_decision", channel="web", actor=clerk).request
    assert request.days_left == 30
    clock.advance(timedelta(days=20))
    assert not desk.get(request.id, actor=clerk).overdue
    desk.verify(request.id, method="handler", proof="로그인 세션 확인", actor=clerk)
    answered = desk.answer(request.id, note="결정 기준·주요 항목 설명 제공", actor=clerk)
    assert answered.status == "answered"


def test_an_objection_is_refused_when_the_decision_rests_on_a_contract(
    desk: RightsDesk, clerk: Handler, member: str
) -> None:
    request_id = verified(desk, clerk, member, "automated_decision")
    answered = desk.answer(
        request_id, note="설명은 제공함", partly_ground="automated_decision_basis", actor=clerk
    )
    assert (answered.status, answered.refusal_ground) == ("partly_answered", "automated_decision_basis")
