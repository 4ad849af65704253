"""May these items of this subject be provided to this third party? (제3자 제공, pure decisions)

``decide_provision`` looks only at the policy and at facts the service passes in — the subject's
state, its consent to the recipient, the items on correction hold, processing stops, the actor's
role — and returns a ``gate.Decision`` with a stable reason of ``REASONS``. No framework, no database.

The order of checks is part of the contract:

1. the call itself: the actor's role (``action_not_allowed``), the recipient
   (``unknown_third_party``), the items (``item_not_for_recipient``), the basis claimed against the
   basis the policy declares for the recipient (``basis_not_declared``: a recipient the policy
   serves on consent is never served "by law" because a call says so, and a recipient declared
   ``basis: law`` needs its ``citation``), a role allowed that basis (``provide_by_law`` for
   ``law``: ``action_not_allowed``), a legal basis without its reference (``reference_required``).
   These are the same for every subject of a call, so the service refuses the whole call on them
   (``decide_call``);
2. the subject: not active (``subject_not_active``: waiting for a guardian, dormant, withdrawn),
   a child under 14 where the policy promises never to provide children's data
   (``child_protected``, whatever the basis), items under correction hold (``correction_hold``,
   whatever the basis: "정정을 마칠 때까지 이용하거나 제공하지 않습니다");
3. the basis: ``consent`` needs the subject's live consent to this recipient (``consent_missing``,
   ``consent_withdrawn``) and no processing stop (처리정지) on provision to it
   (``processing_stopped``); ``law`` (a warrant, a statute) needs only its reference, because a
   stop may be refused where a law requires the processing (PIPA 37②1).

Processing stops are recorded per purpose id; a stop of provision to a recipient is recorded under
the purpose id ``third_party:<recipient id>``, a stop of every provision under ``third_party:*``
(see ``stop_keys``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from jikimi.gate import Decision, Role
from jikimi.policy.model import Policy, ThirdParty

BASES = ("consent", "law")
STOP_PREFIX = "third_party:"
ALL_PROVISIONS_STOP = "third_party:*"

REASONS: dict[str, tuple[str, str]] = {
    "allowed": ("허용", "allowed"),
    "action_not_allowed": (
        "이 역할에는 제3자 제공이 허용되지 않습니다",
        "the handler's role may not provide data",
    ),
    "unknown_third_party": (
        "처리방침에 없는 제3자입니다",
        "the recipient is not a third party of the policy",
    ),
    "item_not_for_recipient": (
        "이 제3자에게 제공하기로 한 항목이 아닙니다",
        "the policy does not provide these items to the recipient",
    ),
    "basis_not_declared": (
        "처리방침이 이 제3자에게 정한 제공 근거가 아닙니다",
        "the policy does not declare this basis for the recipient",
    ),
    "reference_required": (
        "법령에 따른 제공에는 근거 문서 번호(영장 번호 등)가 필요합니다",
        "a provision on a legal basis needs its reference (e.g. a warrant number)",
    ),
    "subject_not_active": (
        "활성 상태가 아닌 대상자입니다 (법정대리인 동의 대기, 휴면, 탈퇴)",
        "the subject is not active (waiting for a guardian, dormant or withdrawn)",
    ),
    "subject_not_found": ("대상자가 없습니다", "no such subject"),
    "child_protected": (
        "만 14세 미만 아동의 개인정보는 제3자에게 제공하지 않습니다",
        "children's data is never provided to third parties under this policy",
    ),
    "correction_hold": ("정정 요구로 처리가 보류된 항목입니다", "the items are on hold during a correction"),
    "processing_stopped": (
        "처리정지 요구로 제3자 제공이 중단되었습니다",
        "provision was stopped at the subject's request",
    ),
    "consent_missing": ("제3자 제공 동의를 받지 않았습니다", "the subject did not consent to this provision"),
    "consent_withdrawn": (
        "제3자 제공 동의가 철회되었습니다",
        "the subject withdrew consent to this provision",
    ),
    "nothing_held": ("제공할 항목의 값이 없습니다", "the subject holds none of the items"),
}

CALL_REASONS = frozenset(
    {
        "action_not_allowed",
        "unknown_third_party",
        "item_not_for_recipient",
        "basis_not_declared",
        "reference_required",
    }
)
"""Reasons that do not depend on the subject: the whole call is refused on them."""


ALLOW = Decision(True, "allowed", reasons=REASONS)


def _deny(reason: str, detail: str = "") -> Decision:
    return Decision(False, reason, detail, REASONS)


@dataclass(frozen=True)
class RecipientFacts:
    """What the decision needs to know about one subject for one recipient (never its values)."""

    status: str
    is_child: bool = False
    held_items: frozenset[str] = frozenset()
    consent: str = "none"
    """``"live"`` (given, not withdrawn), ``"withdrawn"`` or ``"none"``."""
    stopped: bool = False
    """A processing stop on provision to this recipient (or on every provision) is in force."""


def stop_keys(third_party_id: str) -> tuple[str, str]:
    """The ``processing_stops.purpose_id`` values that stop provision to ``third_party_id``."""
    return (f"{STOP_PREFIX}{third_party_id}", ALL_PROVISIONS_STOP)


def recipient(policy: Policy, third_party_id: str) -> ThirdParty | None:
    return next((t for t in policy.third_parties.recipients if t.id == third_party_id), None)


def decide_call(
    policy: Policy,
    *,
    third_party_id: str,
    items: Collection[str],
    basis: str,
    reference: str | None,
    role: Role,
) -> Decision:
    """The checks that do not depend on the subject (step 1 of the contract)."""
    if not role.may("provide"):
        return _deny("action_not_allowed", "provide")
    party = recipient(policy, third_party_id)
    if party is None:
        return _deny("unknown_third_party", third_party_id)
    outside = sorted(set(items) - set(party.items))
    if outside:
        return _deny("item_not_for_recipient", ", ".join(outside))
    declared = party.served_on
    if basis != declared:
        return _deny("basis_not_declared", f"{party.id}: {declared}")
    if basis == "law" and party.citation is None:
        return _deny("basis_not_declared", f"{party.id}: no citation")
    if basis == "law" and not role.may("provide_by_law"):
        return _deny("action_not_allowed", "provide_by_law")
    if basis == "law" and not (reference and reference.strip()):
        return _deny("reference_required")
    return ALLOW


def decide_subject(
    policy: Policy, *, items: Collection[str], basis: str, subject: RecipientFacts
) -> Decision:
    """The checks for one subject, once ``decide_call`` allowed the call (steps 2 and 3)."""
    if subject.status != "active":
        return _deny("subject_not_active", subject.status)
    if subject.is_child and policy.children is not None and policy.children.no_third_party:
        return _deny("child_protected")
    held = sorted(set(items) & subject.held_items)
    if held:
        return _deny("correction_hold", ", ".join(held))
    if basis == "law":
        return ALLOW
    if subject.stopped:
        return _deny("processing_stopped")
    if subject.consent == "live":
        return ALLOW
    if subject.consent == "withdrawn":
        return _deny("consent_withdrawn")
    return _deny("consent_missing")


def decide_provision(
    policy: Policy,
    *,
    third_party_id: str,
    items: Collection[str],
    basis: str,
    reference: str | None,
    role: Role,
    subject: RecipientFacts,
) -> Decision:
    """Decide one provision of ``items`` of one subject to ``third_party_id`` on ``basis``."""
    call = decide_call(
        policy, third_party_id=third_party_id, items=items, basis=basis, reference=reference, role=role
    )
    if not call.allowed:
        return call
    return decide_subject(policy, items=items, basis=basis, subject=subject)
