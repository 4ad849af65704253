"""After withdrawal (PIPA 21③): a member's data leaves the everyday reads for good; what a rule keeps
is read only by a handler allowed to read separated data, only for one of the rule's reasons, only
until it expires — and every attempt, allowed or not, is in the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, NotFound
from jikimi.handlers import Handler

from ..conftest import MEMBER
from .conftest import VaultFor, access_rows, kst, officer_of, separated_slots, sweep_at

LOGIN_REASON = "신규 가입 시 아이디 중복 여부 확인"
CI_REASON = "신규 가입 시 탈퇴 후 30일 이내 재가입 여부 확인"


@pytest.fixture
def withdrawn(vault_for: VaultFor, clock: FixedClock) -> tuple[Jikimi, str, Handler, Handler]:
    """A reference member who left on 2026-03-10; an officer and a support agent."""
    jikimi = vault_for("reference")
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    jikimi.handlers.define_role("cs", purposes=["membership"], actions=["read"])
    cs, _ = jikimi.handlers.create("cs-kim", "correct horse battery", role="cs")
    officer = officer_of(jikimi)
    assert jikimi.vault.read(sid, ["name"], "membership", cs) == {"name": MEMBER["name"]}
    clock.set(kst(2026, 3, 10, 18, 0))
    jikimi.lifecycle.withdraw(sid, "member_request")
    return jikimi, sid, officer, cs


def test_a_withdrawn_member_can_no_longer_be_read(
    withdrawn: tuple[Jikimi, str, Handler, Handler], clock: FixedClock
) -> None:
    jikimi, sid, officer, cs = withdrawn
    for who in (cs, officer):
        with pytest.raises(Denied) as denied:
            jikimi.vault.read(sid, ["name", "login_id"], "membership", who)
        assert denied.value.reason == "withdrawn"
    sweep_at(jikimi, clock, kst(2026, 6, 11))  # everything kept has run out: the subject is gone
    with pytest.raises(NotFound):
        jikimi.vault.read(sid, ["login_id"], "membership", officer)
    outcomes = [r["outcome"] for r in access_rows(jikimi, sid, "read")]
    assert outcomes == ["allowed", "denied:withdrawn", "denied:withdrawn"]


def test_separated_data_only_for_a_reason_its_rule_allows(
    withdrawn: tuple[Jikimi, str, Handler, Handler],
) -> None:
    jikimi, sid, officer, _ = withdrawn
    assert jikimi.lifecycle.read_separated(
        sid, ["login_id"], LOGIN_REASON, actor=officer, reference="가입 문의 #1042"
    ).values == {"login_id": MEMBER["login_id"]}
    assert jikimi.lifecycle.read_separated(sid, ["ci"], CI_REASON, actor=officer).values == {
        "ci": MEMBER["ci"]
    }
    rule_reason = jikimi.policy.retention_by_id["withdrawn_login_id"].reason
    assert rule_reason is not None
    for reason, items in (
        (CI_REASON, ["login_id"]),
        ("마케팅", ["login_id"]),
        (rule_reason, ["login_id"]),
        (LOGIN_REASON, ["login_id", "ci"]),
    ):
        with pytest.raises(Denied) as denied:  # declared access reasons replace the rule's own text
            jikimi.lifecycle.read_separated(sid, items, reason, actor=officer)
        assert denied.value.reason == "reason_not_allowed"
    with pytest.raises(Denied):
        jikimi.lifecycle.read_separated(sid, ["name"], LOGIN_REASON, actor=officer)  # not kept by any rule


def test_only_a_role_with_the_separated_action_may_read_it(
    withdrawn: tuple[Jikimi, str, Handler, Handler],
) -> None:
    jikimi, sid, _, cs = withdrawn
    with pytest.raises(Denied) as denied:
        jikimi.lifecycle.read_separated(sid, ["login_id"], LOGIN_REASON, actor=cs)
    assert denied.value.reason == "action_not_allowed"


def test_every_separated_read_is_in_the_access_log(withdrawn: tuple[Jikimi, str, Handler, Handler]) -> None:
    jikimi, sid, officer, cs = withdrawn
    jikimi.lifecycle.read_separated(
        sid, ["login_id"], LOGIN_REASON, actor=officer, reference="가입 문의 #1042"
    )
    for actor, reason in ((officer, "마케팅"), (cs, LOGIN_REASON)):
        with pytest.raises(Denied):
            jikimi.lifecycle.read_separated(sid, ["login_id"], reason, actor=actor)
    rows = access_rows(jikimi, sid, "read.separated")
    assert [(r["actor"], r["outcome"]) for r in rows] == [
        ("officer-retention", "allowed"),
        ("officer-retention", "denied:reason_not_allowed"),
        ("cs-kim", "denied:action_not_allowed"),
    ]
    assert rows[0]["reason"] == f"{LOGIN_REASON}; ref=가입 문의 #1042"
    assert all(r["items"] == '["login_id"]' for r in rows)
    assert all(MEMBER["login_id"] not in str(r) for r in rows)


def test_expired_separated_data_is_not_handed_out_even_before_the_sweep(
    withdrawn: tuple[Jikimi, str, Handler, Handler], clock: FixedClock
) -> None:
    jikimi, sid, officer, _ = withdrawn
    # the CI is kept 30 days from 2026-03-10: to the close of 2026-04-09
    clock.set(kst(2026, 4, 10) - timedelta(seconds=1))
    assert jikimi.lifecycle.read_separated(sid, ["ci"], CI_REASON, actor=officer).values == {
        "ci": MEMBER["ci"]
    }
    clock.set(kst(2026, 4, 10))
    assert jikimi.lifecycle.read_separated(sid, ["ci"], CI_REASON, actor=officer).values == {}
    assert "ci" in separated_slots(jikimi, sid)  # still on disk until the sweep, but never readable
    jikimi.lifecycle.sweep()
    assert "ci" not in separated_slots(jikimi, sid)
