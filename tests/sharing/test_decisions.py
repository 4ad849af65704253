"""Every reason of the provision decision, without a database (jikimi.sharing.decisions)."""

from __future__ import annotations

from typing import Any

import pytest

from jikimi.gate import Role
from jikimi.policy.model import Policy
from jikimi.sharing.decisions import REASONS, RecipientFacts, decide_provision, stop_keys

from ..vault.conftest import policy_with  # noqa: TID252
from .conftest import with_police

PROVIDER = Role("partnerships", frozenset(), frozenset({"provide", "provide_by_law"}))
CONSENTED = RecipientFacts("active", consent="live")


@pytest.fixture(scope="module")
def policy() -> Policy:
    return policy_with(with_police)


def decide(
    policy: Policy,
    *,
    third_party: str = "nurim_points",
    items: tuple[str, ...] = ("name", "mobile"),
    basis: str = "consent",
    reference: str | None = None,
    role: Role = PROVIDER,
    subject: RecipientFacts = CONSENTED,
) -> str:
    return decide_provision(
        policy,
        third_party_id=third_party,
        items=items,
        basis=basis,
        reference=reference,
        role=role,
        subject=subject,
    ).reason


def test_a_consenting_active_adult_may_be_provided(policy: Policy) -> None:
    assert decide(policy) == "allowed"


def test_a_role_without_provide_may_not_provide(policy: Policy) -> None:
    assert decide(policy, role=Role("cs", frozenset({"*"}), frozenset({"read"}))) == "action_not_allowed"


def test_a_recipient_the_policy_does_not_name_is_refused(policy: Policy) -> None:
    assert decide(policy, third_party="data_broker") == "unknown_third_party"


def test_items_beyond_what_the_policy_gives_the_recipient_are_refused(policy: Policy) -> None:
    assert decide(policy, items=("name", "email")) == "item_not_for_recipient"


def test_a_legal_basis_needs_its_reference(policy: Policy) -> None:
    assert decide(policy, third_party="police", basis="law", reference="  ") == "reference_required"
    assert (
        decide(
            policy,
            third_party="police",
            basis="law",
            reference="2026-영장-0042",
            subject=RecipientFacts("active"),
        )
        == "allowed"
    )


def test_a_recipient_served_on_consent_is_not_served_by_law_because_the_call_claims_it(
    policy: Policy,
) -> None:
    assert (
        decide(policy, basis="law", reference="이용약관 15조 3항", subject=RecipientFacts("active"))
        == "basis_not_declared"
    )


def test_a_recipient_declared_by_law_is_not_served_on_a_claimed_consent(policy: Policy) -> None:
    assert decide(policy, third_party="police", basis="consent") == "basis_not_declared"


def test_a_recipient_declared_by_law_needs_its_citation() -> None:
    def uncited_police(data: dict[str, Any]) -> None:
        with_police(data)
        data["third_parties"]["recipients"][-1] = {
            k: v for k, v in data["third_parties"]["recipients"][-1].items() if k != "citation"
        }

    uncited = policy_with(uncited_police)
    assert (
        decide(uncited, third_party="police", basis="law", reference="2026-영장-0042") == "basis_not_declared"
    )


def test_a_provision_by_law_needs_a_role_allowed_that_basis(policy: Policy) -> None:
    consent_only = Role("partnerships", frozenset(), frozenset({"provide"}))
    assert decide(policy, role=consent_only) == "allowed"
    assert (
        decide(policy, third_party="police", basis="law", reference="2026-영장-0042", role=consent_only)
        == "action_not_allowed"
    )


def test_consent_missing_and_withdrawn_are_told_apart(policy: Policy) -> None:
    assert decide(policy, subject=RecipientFacts("active")) == "consent_missing"
    assert decide(policy, subject=RecipientFacts("active", consent="withdrawn")) == "consent_withdrawn"


@pytest.mark.parametrize("status", ["pending_guardian", "dormant", "withdrawn"])
def test_a_subject_that_is_not_active_is_never_provided(policy: Policy, status: str) -> None:
    assert decide(policy, subject=RecipientFacts(status, consent="live")) == "subject_not_active"


@pytest.mark.parametrize("basis, reference", [("consent", None), ("law", "2026-영장-0042")])
def test_children_are_never_provided_when_the_policy_promises_it(
    policy: Policy, basis: str, reference: str | None
) -> None:
    child = RecipientFacts("active", is_child=True, consent="live")
    third_party = "police" if basis == "law" else "nurim_points"
    assert (
        decide(policy, third_party=third_party, basis=basis, reference=reference, subject=child)
        == "child_protected"
    )


def test_children_may_be_provided_where_the_policy_makes_no_such_promise() -> None:
    relaxed = policy_with(lambda d: d["children"].update(no_third_party=False))
    assert decide(relaxed, subject=RecipientFacts("active", is_child=True, consent="live")) == "allowed"


@pytest.mark.parametrize("basis, reference", [("consent", None), ("law", "2026-영장-0042")])
def test_items_under_correction_hold_are_not_provided_on_any_basis(
    policy: Policy, basis: str, reference: str | None
) -> None:
    held = RecipientFacts("active", held_items=frozenset({"mobile"}), consent="live")
    third_party = "police" if basis == "law" else "nurim_points"
    assert (
        decide(policy, third_party=third_party, basis=basis, reference=reference, subject=held)
        == "correction_hold"
    )
    assert (
        decide(
            policy, third_party=third_party, basis=basis, reference=reference, items=("name",), subject=held
        )
        == "allowed"
    )


def test_a_processing_stop_blocks_consent_based_provision_but_not_a_legal_obligation(policy: Policy) -> None:
    stopped = RecipientFacts("active", consent="live", stopped=True)
    assert decide(policy, subject=stopped) == "processing_stopped"
    assert (
        decide(policy, third_party="police", basis="law", reference="2026-영장-0042", subject=stopped)
        == "allowed"
    )


def test_stops_are_keyed_by_recipient_or_all_provisions() -> None:
    assert stop_keys("nurim_points") == ("third_party:nurim_points", "third_party:*")


def test_every_reason_has_korean_and_english_text() -> None:
    for reason, (ko, en) in REASONS.items():
        assert any("\uac00" <= ch <= "\ud7a3" for ch in ko), reason
        assert en.isascii() and en, reason
