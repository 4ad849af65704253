"""The gate: may this actor read these items of this subject for this purpose? (pure decisions)

``decide_read`` looks only at the policy and at facts the vault passes in — the subject's state,
its live consents, the items on correction hold, the actor's role — and returns a ``Decision``
with a stable reason. It imports no framework and touches no database, so every reason has a
plain unit test. The vault logs every decision, allowed or not.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from jikimi.policy.model import Policy

REASONS: dict[str, tuple[str, str]] = {
    "allowed": ("허용", "allowed"),
    "unknown_purpose": ("처리방침에 없는 목적입니다", "the purpose is not in the policy"),
    "item_not_in_purpose": ("이 목적에 쓰이지 않는 항목입니다", "the purpose does not use these items"),
    "no_legal_basis": ("목적의 법적 근거가 정해지지 않았습니다", "the purpose has no legal basis"),
    "consent_missing": ("동의를 받지 않았습니다", "no consent was given for the purpose"),
    "consent_withdrawn": ("동의가 철회되었습니다", "consent for the purpose was withdrawn"),
    "pending_guardian": ("법정대리인 동의 전입니다", "waiting for the legal guardian's consent"),
    "child_not_allowed": (
        "만 14세 미만 아동에게 허용되지 않는 목적입니다",
        "the purpose excludes children under 14",
    ),
    "correction_hold": ("정정 요구로 처리가 보류된 항목입니다", "the items are on hold during a correction"),
    "dormant": ("휴면 전환되어 분리 보관 중입니다", "the subject is dormant and separated"),
    "withdrawn": ("탈퇴 또는 처리 목적이 끝난 대상자입니다", "the subject has withdrawn"),
    "processing_stopped": ("처리정지 요구로 중단된 목적입니다", "processing for the purpose was stopped"),
    "role_not_allowed": (
        "이 역할에는 허용되지 않은 목적입니다",
        "the handler's role may not use this purpose",
    ),
    "action_not_allowed": ("이 역할에는 허용되지 않은 작업입니다", "the handler's role may not do this"),
    "reason_required": (
        "대량 열람·다운로드에는 사유가 필요합니다",
        "bulk reads and downloads need a recorded reason",
    ),
}


@dataclass(frozen=True)
class Decision:
    """An answer of jikimi's decision rules — the gate's reads here, and provisions to third parties
    (``sharing.decisions``). ``reason`` is a stable code of ``reasons`` (the gate's ``REASONS`` unless
    said otherwise); ``allowed`` iff it is ``"allowed"``."""

    allowed: bool
    reason: str
    detail: str = ""
    reasons: Mapping[str, tuple[str, str]] = field(default_factory=lambda: REASONS, repr=False, compare=False)

    @property
    def message_ko(self) -> str:
        return self.reasons[self.reason][0] + (f" ({self.detail})" if self.detail else "")

    @property
    def message_en(self) -> str:
        return self.reasons[self.reason][1] + (f" ({self.detail})" if self.detail else "")


ALLOW = Decision(True, "allowed")


def _deny(reason: str, detail: str = "") -> Decision:
    return Decision(False, reason, detail)


@dataclass(frozen=True)
class SubjectFacts:
    """What the gate needs to know about the subject (never its values)."""

    status: str
    is_child: bool = False
    held_items: frozenset[str] = frozenset()
    stopped_purposes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ConsentFacts:
    """Live consents (given and not withdrawn) and withdrawn ones, by purpose id."""

    granted: frozenset[str] = frozenset()
    withdrawn: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Role:
    """A handler role: the purposes it may use (``*`` for all) and the actions it may take."""

    name: str
    purposes: frozenset[str] = field(default_factory=frozenset)
    actions: frozenset[str] = field(default_factory=frozenset)

    def may_use(self, purpose_id: str) -> bool:
        return "*" in self.purposes or purpose_id in self.purposes

    def may(self, action: str) -> bool:
        return "*" in self.actions or action in self.actions


ACTIONS = (
    "collect",
    "read",
    "record",
    "consent",
    "export",
    "admin",
    "audit",
    "withdraw",
    "separated",
    "sweep",
    "rights",
    "provide",
    "provide_by_law",
    "metadata",
    "incident",
    "marketing",
    "complaints",
    "events",
    "privacy",
)
"""``read`` reads values through the gate, for a purpose; ``metadata`` reads what is known about a
subject without its values — its state and item ids, its consent history, the processors holding
its items (each read logged: ``subject.state``, ``consents.read``, ``processors.holdings``);
``withdraw`` changes a subject's membership on their request: it ends it (withdrawal) or ends its
dormancy (휴면 해제, moving separated data back); ``separated`` reads 분리보관 data for its
reason; ``sweep`` runs the lifecycle; ``rights`` handles data-subject requests; ``provide`` gives
data to a third party on consent; ``provide_by_law`` also on a legal basis (a warrant, a statute)
to a recipient the policy declares for it; ``incident`` handles breach incidents (PIPA 34: their
affected subjects, the report to the regulator, the notices); ``marketing`` checks whether advertising
may go to subjects (정보통신망법 50: their consents to receive, read as metadata; one log row a check);
``complaints`` receives and answers complaints and reads what they say (each read logged);
``events`` pulls the service events (``GET /v1/events``: ids and types, never a value);
``privacy`` issues a member's link into the privacy center (``POST /v1/privacy/sessions``: the
service's backend, for a member it has signed in, or a guardian of a child it has checked)."""


def purpose_basis_holds(policy: Policy, purpose_id: str, consents: ConsentFacts) -> Decision:
    """Whether the purpose's legal basis holds for a subject (PIPA 15①, 22)."""
    purpose = policy.purposes_by_id.get(purpose_id)
    if purpose is None:
        return _deny("unknown_purpose", purpose_id)
    if purpose.basis is None:
        return _deny("no_legal_basis", purpose_id)
    if purpose.basis == "consent":
        if purpose_id in consents.granted:
            return ALLOW
        if purpose_id in consents.withdrawn:
            return _deny("consent_withdrawn", purpose_id)
        return _deny("consent_missing", purpose_id)
    return ALLOW


def decide_read(
    policy: Policy,
    *,
    purpose_id: str,
    items: Collection[str],
    subject: SubjectFacts,
    consents: ConsentFacts,
    role: Role,
    bulk: bool = False,
    reason: str | None = None,
    action: str = "read",
) -> Decision:
    """Decide a read of ``items`` for ``purpose_id``. The order of checks is part of the contract:
    the actor first, then the purpose, then the subject's state, then consent."""
    if not role.may(action):
        return _deny("action_not_allowed", action)
    purpose = policy.purposes_by_id.get(purpose_id)
    if purpose is None:
        return _deny("unknown_purpose", purpose_id)
    if not role.may_use(purpose_id):
        return _deny("role_not_allowed", purpose_id)
    usable = set(purpose.items)
    for record_id in purpose.records:
        usable.add(record_id)
        usable.update(policy.records_by_id[record_id].items)
    outside = sorted(set(items) - usable)
    if outside:
        return _deny("item_not_in_purpose", ", ".join(outside))
    if (bulk or action == "export") and not (reason and reason.strip()):
        return _deny("reason_required")
    if subject.status == "pending_guardian":
        return _deny("pending_guardian")
    if subject.status == "dormant":
        return _deny("dormant")
    if subject.status != "active":
        return _deny("withdrawn")
    if subject.is_child and policy.excludes_children(purpose):
        return _deny("child_not_allowed", purpose_id)
    if purpose_id in subject.stopped_purposes:
        return _deny("processing_stopped", purpose_id)
    held = sorted(set(items) & subject.held_items)
    if held:
        return _deny("correction_hold", ", ".join(held))
    return purpose_basis_holds(policy, purpose_id, consents)
