"""Who acts can be named: ``actor="self"``, ``"guardian"`` and ``"system"`` are jikimi's own actors
wherever an ``actor`` is asked for, no handler account can take their names, and a child's guardian
files requests and gives consent as the guardian."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import GUARDIAN, SELF, SYSTEM, Handler
from jikimi.rights.package import package_json
from jikimi.store.tables import access_log, consents

from .conftest import CHILD, MEMBER


def _log(jikimi: Jikimi, subject_id: str) -> list[tuple[str, str]]:
    with jikimi.core.engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.actor, access_log.c.action)
            .where(access_log.c.subject_id == subject_id)
            .order_by(access_log.c.seq)
        )
        return [(r.actor, r.action) for r in rows]


def test_self_guardian_and_system_are_actors_by_name(jikimi: Jikimi) -> None:
    assert jikimi.core.actor("self") is SELF
    assert jikimi.core.actor("guardian") is GUARDIAN
    assert jikimi.core.actor("system") is SYSTEM
    assert SELF.for_subject and GUARDIAN.for_subject and not SYSTEM.for_subject


@pytest.mark.parametrize("login", ["self", "guardian", "system", "SYSTEM", "Self", "cli:root", " kim", ""])
def test_no_handler_account_can_take_the_name_of_jikimis_own_actors(jikimi: Jikimi, login: str) -> None:
    jikimi.handlers.define_role("cs", purposes=["membership"], actions=["read"])
    with pytest.raises(InvalidInput) as caught:
        jikimi.handlers.create(login, "correct horse battery", role="cs")
    assert caught.value.field == "login"
    assert login.strip().lower() not in {str(h["login"]).lower() for h in jikimi.handlers.all()}


def test_the_subject_collects_and_changes_consent_as_self_by_name(jikimi: Jikimi) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}, actor="self").subject_id
    jikimi.vault.withdraw_consent(sid, "marketing", actor="self")
    assert _log(jikimi, sid) == [("self", "collect"), ("self", "consent.withdraw")]


def test_the_system_adds_a_record_by_name(jikimi: Jikimi, member: str) -> None:
    jikimi.vault.add_record(member, "payment", {"name": "홍길동"}, actor="system")
    assert _log(jikimi, member)[-1] == ("system", "record.add")


def test_the_guardian_consents_for_a_child_by_name(jikimi: Jikimi) -> None:
    sid = jikimi.vault.collect("signup", CHILD, {}).subject_id
    jikimi.vault.record_guardian_consent(sid, method="휴대전화 본인확인", actor="guardian")
    jikimi.vault.collect("signup", CHILD, {"marketing": False}, subject_id=sid, actor="guardian")
    assert _log(jikimi, sid)[1:] == [("guardian", "consent.guardian"), ("guardian", "collect")]
    with jikimi.core.engine.connect() as conn:
        given = conn.execute(
            select(consents.c.actor).where(consents.c.subject_id == sid, consents.c.target_kind == "guardian")
        ).scalar_one()
    assert given == "guardian"


def test_the_guardian_files_a_request_for_a_child_as_the_guardian(
    jikimi: Jikimi, child: str, clerk: Handler
) -> None:
    received = jikimi.rights.receive(child, "access", channel="web", actor="guardian")
    assert received.request.requester == "guardian"
    assert _log(jikimi, child)[-1] == ("guardian", "rights.receive")
    jikimi.rights.verify(received.request.id, method="handler", proof="가족관계증명서 확인", actor=clerk)
    package = json.loads("".join(package_json(jikimi.rights.package(received.request.id, actor=clerk))))
    assert ("rights.receive", "guardian") in [(h["action"], h["by"]) for h in package["access_history"]]


def test_the_guardian_acts_only_for_a_child_and_only_as_the_guardian(
    jikimi: Jikimi, member: str, child: str
) -> None:
    with pytest.raises(InvalidInput) as adult:
        jikimi.rights.receive(member, "access", channel="web", actor="guardian")
    assert adult.value.field == "requester"
    with pytest.raises(InvalidInput) as agent:
        jikimi.rights.receive(
            child,
            "access",
            channel="web",
            actor="guardian",
            requester="agent",
            requester_detail={"power_of_attorney": "위임장 2026-01"},
        )
    assert agent.value.field == "requester"


def test_the_guardian_may_not_take_a_handlers_steps(jikimi: Jikimi, child: str) -> None:
    request = jikimi.rights.receive(child, "access", channel="web", actor="guardian").request
    with pytest.raises(Denied) as caught:
        jikimi.rights.verify(request.id, method="handler", proof="스스로 확인", actor="guardian")
    assert caught.value.reason == "action_not_allowed"
    with pytest.raises(Denied):
        jikimi.vault.read(child, ["email"], "membership", "guardian")


def test_a_guardian_may_not_change_an_adults_consents(jikimi: Jikimi, member: str) -> None:
    with pytest.raises(Denied):
        jikimi.vault.withdraw_consent(member, "marketing", actor="guardian")
    assert [c for c in jikimi.vault.consents_of(member) if c["target_id"] == "marketing"][0][
        "withdrawn_at"
    ] is None
