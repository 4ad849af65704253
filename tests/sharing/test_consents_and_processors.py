"""Third-party consents (제3자 제공 동의) and the processor registry (수탁자, PIPA 26)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.errors import Denied, InvalidInput, NotFound, StateConflict
from jikimi.handlers import Handler
from jikimi.sharing import Sharing
from jikimi.store.tables import subjects

from ..vault.conftest import policy_with  # noqa: TID252
from .conftest import member_data, with_police


def test_consent_to_a_recipient_is_kept_in_the_consent_history_with_its_withdrawal(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str
) -> None:
    sharing.give_consent(member, "nurim_points", actor=provider, channel="app")
    sharing.give_consent(member, "nurim_points", actor=provider)  # giving twice keeps one live consent
    sharing.withdraw_consent(member, "nurim_points", actor=provider)
    rows = [r for r in jikimi.vault.consents_of(member) if r["target_kind"] == "third_party"]
    assert len(rows) == 1
    assert (rows[0]["target_id"], rows[0]["channel"], rows[0]["policy_version"]) == (
        "nurim_points",
        "app",
        "2026-03-02",
    )
    assert rows[0]["withdrawn_at"] is not None


def test_consent_is_not_asked_for_a_recipient_on_a_legal_basis_or_one_the_policy_lacks(
    sharing: Sharing, provider: Handler, member: str
) -> None:
    with pytest.raises(InvalidInput):
        sharing.give_consent(member, "police", actor=provider)
    with pytest.raises(InvalidInput):
        sharing.give_consent(member, "data_broker", actor=provider)


def test_consents_need_the_consent_action_an_existing_subject_and_an_active_one(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, support_agent: Handler, member: str
) -> None:
    with pytest.raises(Denied):
        sharing.give_consent(member, "nurim_points", actor=support_agent)
    with pytest.raises(NotFound):
        sharing.give_consent("no-such-subject", "nurim_points", actor=provider)
    with jikimi.core.engine.begin() as conn:
        conn.execute(update(subjects).where(subjects.c.id == member).values(status="dormant"))
    with pytest.raises(StateConflict):
        sharing.give_consent(member, "nurim_points", actor=provider)


def test_the_registry_lists_every_processor_of_the_policy_with_its_items_and_term(
    sharing: Sharing, officer: Handler
) -> None:
    rows = {r.processor_id: r for r in sharing.register_processors(actor=officer)}
    assert set(rows) == {"delivery", "payment_gateway", "cloud", "messaging", "helpdesk"}
    assert rows["delivery"].items == ("recipient_name", "recipient_phone", "delivery_address")
    assert rows["delivery"].until == "contract_end" and rows["delivery"].released_at is None


def test_a_processor_dropped_from_the_policy_is_released_not_forgotten(
    jikimi: Jikimi, engine: Any, ring: Any, clock: Any, officer: Handler
) -> None:
    jikimi.sharing.register_processors(actor=officer)

    def drop_helpdesk(data: dict[str, Any]) -> None:
        with_police(data)
        data["processors"]["processors"] = [
            p for p in data["processors"]["processors"] if p["id"] != "helpdesk"
        ]

    later = build_jikimi(policy=policy_with(drop_helpdesk), engine=engine, keys=ring, clock=clock)
    rows = {r.processor_id: r for r in later.sharing.register_processors(actor=officer)}
    assert rows["helpdesk"].released_at is not None
    assert rows["cloud"].released_at is None
    rows = {r.processor_id: r for r in jikimi.sharing.register_processors(actor=officer)}
    assert rows["helpdesk"].released_at is None  # back in the policy, back in force


def test_registering_processors_is_an_administrator_s_task(sharing: Sharing, provider: Handler) -> None:
    with pytest.raises(Denied):
        sharing.register_processors(actor=provider)


def test_processors_holding_names_the_subject_s_items_each_processor_holds(
    jikimi: Jikimi, sharing: Sharing, member: str
) -> None:
    held = {p.processor_id: p.items for p in sharing.processors_holding(member)}
    assert held["payment_gateway"] == ("name", "mobile", "email")
    assert held["messaging"] == ("mobile", "email")
    assert held["helpdesk"] == ("name", "email")
    assert "login_id" in held["cloud"] and "delivery" not in held  # no order, nothing for the courier
    helpdesk = next(p for p in sharing.processors_holding(member) if p.processor_id == "helpdesk")
    assert (helpdesk.overseas, helpdesk.max_period, helpdesk.country) == (True, "P3Y", "US")


def test_a_processor_entrusted_until_withdrawal_holds_nothing_of_a_withdrawn_member(
    engine: Any, ring: Any, clock: Any
) -> None:
    def until_withdrawal(data: dict[str, Any]) -> None:
        for p in data["processors"]["processors"]:
            if p["id"] == "messaging":
                p["until"] = "withdrawal"

    jikimi = build_jikimi(policy=policy_with(until_withdrawal), engine=engine, keys=ring, clock=clock)
    sid = jikimi.vault.collect("signup", member_data(3), {"marketing": True}).subject_id
    assert "messaging" in {p.processor_id for p in jikimi.sharing.processors_holding(sid)}
    with jikimi.core.engine.begin() as conn:
        conn.execute(update(subjects).where(subjects.c.id == sid).values(status="withdrawn"))
    assert "messaging" not in {p.processor_id for p in jikimi.sharing.processors_holding(sid)}
    with pytest.raises(NotFound):
        jikimi.sharing.processors_holding("no-such-subject")
