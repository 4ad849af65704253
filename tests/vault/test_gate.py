"""Unit tests of the gate's decisions: one per denial reason, no database (pure logic)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest

from jikimi.gate import REASONS, ConsentFacts, Decision, Role, SubjectFacts, decide_read, purpose_basis_holds
from jikimi.policy.model import Policy

from ..conftest import EXAMPLES  # noqa: TID252
from ..policies import cached_policy as load_policy
from .conftest import policy_with

POLICY = load_policy(EXAMPLES / "reference.yaml")
EVERYTHING = Role("officer", frozenset({"*"}), frozenset({"*"}))
ACTIVE = SubjectFacts("active")
MARKETING_GIVEN = ConsentFacts(granted=frozenset({"marketing"}))
NO_CONSENT = ConsentFacts()


def decide(
    *,
    purpose: str = "membership",
    items: Collection[str] = ("name", "email"),
    subject: SubjectFacts = ACTIVE,
    consents: ConsentFacts = NO_CONSENT,
    role: Role = EVERYTHING,
    policy: Policy = POLICY,
    **extra: Any,
) -> Decision:
    return decide_read(
        policy, purpose_id=purpose, items=items, subject=subject, consents=consents, role=role, **extra
    )


def test_a_contract_purpose_with_its_own_items_is_allowed() -> None:
    decision = decide()
    assert decision.allowed and decision.reason == "allowed"


def test_unknown_purpose_is_denied() -> None:
    assert decide(purpose="profiling").reason == "unknown_purpose"


def test_items_outside_the_purpose_are_denied() -> None:
    decision = decide(purpose="support", items=["name", "birthdate"])
    assert (decision.allowed, decision.reason, decision.detail) == (False, "item_not_in_purpose", "birthdate")


def test_record_items_count_as_part_of_a_purpose_that_declares_the_record() -> None:
    assert decide(purpose="order_fulfilment", items=["payment", "recipient_name"]).allowed
    assert decide(purpose="support", items=["payment"]).reason == "item_not_in_purpose"


def test_a_purpose_without_a_legal_basis_is_never_allowed() -> None:
    def drop_basis(data: dict[str, Any]) -> None:
        support = next(p for p in data["purposes"] if p["id"] == "support")
        del support["basis"], support["citation"]

    decision = decide(purpose="support", items=["name"], policy=policy_with(drop_basis))
    assert decision.reason == "no_legal_basis"


def test_a_consent_purpose_without_consent_is_denied() -> None:
    assert decide(purpose="marketing", items=["email"]).reason == "consent_missing"


def test_a_consent_purpose_with_consent_is_allowed() -> None:
    assert decide(purpose="marketing", items=["email"], consents=MARKETING_GIVEN).allowed


def test_withdrawn_consent_denies_the_purpose() -> None:
    withdrawn = ConsentFacts(withdrawn=frozenset({"marketing"}))
    assert decide(purpose="marketing", items=["email"], consents=withdrawn).reason == "consent_withdrawn"


def test_nothing_is_readable_while_a_child_waits_for_the_guardian() -> None:
    pending = SubjectFacts("pending_guardian", is_child=True)
    assert (
        decide(purpose="guardian_consent", items=["guardian_name"], subject=pending).reason
        == "pending_guardian"
    )


def test_children_are_excluded_from_purposes_marked_children_false() -> None:
    child = SubjectFacts("active", is_child=True)
    decision = decide(purpose="marketing", items=["email"], subject=child, consents=MARKETING_GIVEN)
    assert decision.reason == "child_not_allowed"
    assert decide(purpose="membership", subject=child).allowed


def test_items_on_correction_hold_are_not_used() -> None:
    held = SubjectFacts("active", held_items=frozenset({"email"}))
    decision = decide(items=["name", "email"], subject=held)
    assert (decision.reason, decision.detail) == ("correction_hold", "email")
    assert decide(items=["name"], subject=held).allowed


def test_dormant_subjects_are_not_readable() -> None:
    assert decide(subject=SubjectFacts("dormant")).reason == "dormant"


def test_withdrawn_subjects_are_not_readable() -> None:
    assert decide(subject=SubjectFacts("withdrawn")).reason == "withdrawn"


def test_a_stopped_purpose_is_denied() -> None:
    stopped = SubjectFacts("active", stopped_purposes=frozenset({"membership"}))
    assert decide(subject=stopped).reason == "processing_stopped"
    assert decide(purpose="support", items=["name"], subject=stopped).allowed


def test_a_role_is_limited_to_its_purposes() -> None:
    support = Role("cs", frozenset({"membership", "support"}), frozenset({"read"}))
    assert (
        decide(purpose="marketing", items=["email"], role=support, consents=MARKETING_GIVEN).reason
        == "role_not_allowed"
    )
    assert decide(purpose="support", items=["name"], role=support).allowed


def test_a_role_is_limited_to_its_actions() -> None:
    collector = Role("intake", frozenset({"*"}), frozenset({"collect"}))
    assert decide(role=collector).reason == "action_not_allowed"
    assert decide(
        action="export", reason="campaign", role=Role("r", frozenset({"*"}), frozenset({"read"}))
    ).reason == ("action_not_allowed")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_bulk_reads_and_exports_need_a_reason(reason: str | None) -> None:
    assert decide(bulk=True, reason=reason).reason == "reason_required"
    assert decide(action="export", reason=reason).reason == "reason_required"
    assert decide(bulk=True, reason="분기별 회원 현황 점검").allowed


def test_the_actor_is_checked_before_the_purpose_and_the_subject() -> None:
    nobody = Role("none", frozenset(), frozenset())
    assert (
        decide(purpose="nope", subject=SubjectFacts("withdrawn"), role=nobody).reason == "action_not_allowed"
    )
    assert decide(purpose="nope", subject=SubjectFacts("withdrawn")).reason == "unknown_purpose"


def test_basis_check_alone_for_non_consent_purposes() -> None:
    assert purpose_basis_holds(POLICY, "membership", ConsentFacts()).allowed
    assert purpose_basis_holds(POLICY, "marketing", ConsentFacts()).reason == "consent_missing"


def test_every_reason_has_korean_and_english_messages() -> None:
    for reason, (ko, en) in REASONS.items():
        decision = Decision(reason == "allowed", reason)
        assert decision.message_ko == ko and decision.message_en == en
        assert any("\uac00" <= ch <= "\ud7a3" for ch in ko) and en.isascii()


UNIT_TESTED = {
    "unknown_purpose",
    "item_not_in_purpose",
    "no_legal_basis",
    "consent_missing",
    "consent_withdrawn",
    "pending_guardian",
    "child_not_allowed",
    "correction_hold",
    "dormant",
    "withdrawn",
    "processing_stopped",
    "role_not_allowed",
    "action_not_allowed",
    "reason_required",
}


def test_every_denial_reason_has_a_unit_test_here() -> None:
    assert set(REASONS) - {"allowed"} == UNIT_TESTED
