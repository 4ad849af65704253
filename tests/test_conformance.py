"""One source for every claim: what the published 처리방침 says about behaviour is what the engine does.

For every example policy, as written and remediated, each statement the document makes — when a
retention period starts and how long it runs, whether a purpose applies to children, on what basis
a recipient is served, which channels take a rights request — is read back from the document's own
blocks (``build_document``, the ones ``render`` lays out) and compared with the engine's decision for
the same case: the lifecycle's start and expiry, the gate, the provision rules, the rights desk.
The remediated seeds are also run through the public API with time travel in tests/seeds/.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from jikimi.gate import ConsentFacts, Role, SubjectFacts, decide_read
from jikimi.lifecycle.rules import dormancy_period, expiry_for, start_instant
from jikimi.periods import KST, Duration, expiry_instant
from jikimi.policy import wording as w
from jikimi.policy.diff import diff_policies
from jikimi.policy.document import Bullets, Para, Table, build_document
from jikimi.policy.model import Policy, ThirdParty
from jikimi.sharing.decisions import decide_call

from .conftest import EXAMPLES
from .policies import cached_policy

POLICIES = sorted(p for p in EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "remediated").glob("*.yaml"))
EVERYONE = Role("conformance", frozenset({"*"}), frozenset({"*"}))

EVENTS = {
    "ended_at": datetime(2026, 8, 31, 6, 0, tzinfo=KST),
    "collected_at": datetime(2026, 1, 31, 1, 0, tzinfo=KST),
    "last_activity_at": datetime(2026, 5, 31, 2, 0, tzinfo=KST),
    "occurred_at": datetime(2026, 3, 31, 3, 0, tzinfo=KST),
}
"""Four different instants, so a start read from the document picks exactly one of them."""
START_EVENT = {
    "withdrawal": "ended_at",
    "purpose_end": "ended_at",
    "contract_end": "ended_at",
    "consent_withdrawal": "ended_at",
    "collection": "collected_at",
    "last_activity": "last_activity_at",
    "record_date": "occurred_at",
}
WORD_TO_START = {word: start for start, word in w.START.items()}


def _name(path: Path) -> str:
    return str(path.relative_to(EXAMPLES).with_suffix(""))


@pytest.fixture(params=POLICIES, ids=_name)
def policy(request: pytest.FixtureRequest) -> Policy:
    return cached_policy(request.param)


def _table(policy: Policy, section: str, caption: str) -> Table | None:
    doc = build_document(policy)
    for part in doc.sections:
        if part.id == section:
            return next((b for b in part.blocks if isinstance(b, Table) and b.caption == caption), None)
    return None


def test_there_are_as_written_and_remediated_policies_for_every_seed() -> None:
    written = {p.stem for p in EXAMPLES.glob("*.yaml")} - {"reference"}
    remediated = {p.stem for p in (EXAMPLES / "remediated").glob("*.yaml")}
    assert written == remediated and len(written) == 5


def test_each_retention_period_starts_when_the_document_says_and_runs_as_long(policy: Policy) -> None:
    table = _table(policy, "retention", "보존하는 개인정보와 보존기간")
    if not policy.retention:
        assert table is None
        return
    assert table is not None and len(table.rows) == len(policy.retention)
    for rule, row in zip(policy.retention, table.rows, strict=True):
        said_start = WORD_TO_START[row[2]]  # the document's 기산점, read back to an event
        assert said_start == rule.start, rule.id
        at = start_instant(rule, **EVENTS)
        assert at == EVENTS[START_EVENT[said_start]], rule.id
        assert row[1] == w.retention_period(rule), rule.id
        duration = rule.duration
        if duration is None:  # a placeholder the seed left open: kept, never given an end
            assert expiry_for(policy, rule.id, at) is None, rule.id
        else:
            assert expiry_for(policy, rule.id, at) == expiry_instant(at, duration), rule.id
            assert expiry_instant(at, duration) - at > timedelta(0)


def test_a_purpose_the_document_keeps_from_children_is_refused_for_a_child_and_only_then(
    policy: Policy,
) -> None:
    table = _table(policy, "purposes", "개인정보의 처리 목적과 근거")
    if not policy.purposes:
        return
    assert table is not None
    child = SubjectFacts("active", is_child=True)
    for purpose, row in zip(policy.purposes, table.rows, strict=True):
        said = "아동에게는 적용하지 않음" in row[3]
        decision = decide_read(
            policy,
            purpose_id=purpose.id,
            items=(),
            subject=child,
            consents=ConsentFacts(granted=frozenset({purpose.id})),
            role=EVERYONE,
        )
        if purpose.basis is None:  # no basis: refused to everyone, child or not
            assert decision.reason == "no_legal_basis"
            continue
        assert (decision.reason == "child_not_allowed") == said, purpose.id


def test_each_recipient_is_served_on_the_basis_the_document_states_and_no_other(policy: Policy) -> None:
    recipients = policy.third_parties.recipients
    table = _table(policy, "third-parties", "개인정보를 제공받는 자")
    if not recipients:
        return
    assert table is not None
    for party, row in zip(recipients, table.rows, strict=True):
        said = next(basis for basis, words in w.THIRD_PARTY_BASIS.items() if row[4].startswith(words))
        other = "law" if said == "consent" else "consent"
        items = party.items[:1]

        def decide(basis: str, party_id: str = party.id, items: tuple[str, ...] = items) -> str:
            return decide_call(
                policy,
                third_party_id=party_id,
                items=items,
                basis=basis,
                reference="2026-영장-0042",
                role=EVERYONE,
            ).reason

        assert decide(other) == "basis_not_declared", party.id
        expected = "allowed" if said == "consent" or party.citation is not None else "basis_not_declared"
        assert decide(said) == expected, party.id


def _texts(policy: Policy, section: str) -> str:
    doc = build_document(policy)
    part = next((s for s in doc.sections if s.id == section), None)
    if part is None:
        return ""
    out: list[str] = []
    for block in part.blocks:
        if isinstance(block, Table):
            out += [cell for row in block.rows for cell in row]
        elif isinstance(block, Bullets):
            out += block.items
        elif isinstance(block, Para):
            out.append(block.text)
    return "\n".join(out)


def test_members_turn_dormant_after_the_idle_period_the_document_states(policy: Policy) -> None:
    rule = policy.dormancy
    if rule is None:
        assert dormancy_period(policy) is None
        return
    said = _texts(policy, "retention")
    assert f"{w.period(rule.after)} 동안 서비스를 이용하지 않은 회원" in said
    if isinstance(rule.after, Duration):
        assert dormancy_period(policy) == rule.after
    else:  # the seed left it blank: shown as such, and no one is ever made dormant on a guess
        assert dormancy_period(policy) is None


def test_a_change_is_announced_as_many_days_ahead_as_the_document_promises(policy: Policy) -> None:
    said = _texts(policy, "changes")
    notice = policy.notice
    if policy.notice_declared:
        assert f"시행 {notice.lead_days}일 전부터" in said
        assert f"중요한 변경은 시행 {notice.material_lead_days}일 전부터" in said
    else:  # not promised: shown as missing, with the periods jikimi's diff holds it to all the same
        assert "미기재" in said
        assert f"시행 {notice.lead_days}일 전, 중요한 변경은 시행 {notice.material_lead_days}일 전" in said
    officer_moved = policy.model_copy(update={"version": "conformance-minor", "preamble": "바뀐 머리말"})
    recipient = ThirdParty(
        id="conformance_partner", name="예시 제휴사", purpose="제휴 서비스 제공", basis="consent"
    )
    sections = policy.third_parties.model_copy(
        update={"recipients": (*policy.third_parties.recipients, recipient)}
    )
    new_recipient = policy.model_copy(update={"version": "conformance-material", "third_parties": sections})
    assert diff_policies(policy, new_recipient).notice_days == notice.material_lead_days
    minor = diff_policies(policy, officer_moved)
    assert minor.notice_days in (0, notice.lead_days) and not minor.material


def test_a_rights_request_is_taken_through_the_channels_the_document_lists_and_no_other(
    policy: Policy,
) -> None:
    said = next(
        (line for line in _texts(policy, "rights").splitlines() if line.startswith("행사 방법: ")), None
    )
    if policy.rights is None:
        assert said is None
        return
    assert said is not None
    named = {word: channel for channel, word in w.CHANNEL.items()}
    listed = said.removeprefix("행사 방법: ")
    if not policy.rights.channels:  # none promised: says so, and names the ones the desk takes anyway
        assert listed.startswith(w.MISSING)
        listed = (
            listed.split("적혀 있지 않아 ", 1)[1]
            .rsplit("(으)로", 1)[0]
            .rsplit("으로", 1)[0]
            .rsplit("로", 1)[0]
        )
    taken = tuple(named[word] for word in listed.split(", "))
    assert taken == policy.rights_channels  # what RightsDesk.receive accepts (tests/rights/test_channels.py)
