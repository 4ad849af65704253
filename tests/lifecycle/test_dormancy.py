"""Dormancy (휴면, 장기 미이용): reference.yaml and seed 003 (classpatra) separate a member idle for 1 year,
telling them by email at least 30 days before. The notice is queued exactly once per idle spell, the
separation never comes before the notice's lead time (even when the sweep ran late), logging in or
asking brings the data back, and the gate refuses reads of a dormant member."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, StateConflict
from jikimi.handlers import Handler

from ..conftest import MEMBER
from .conftest import (
    VaultFor,
    access_rows,
    active_slots,
    kst,
    outbox_rows,
    separated_slots,
    sweep_at,
)
from .test_seed_classpatra import SIGNUP as CLASSPATRA_SIGNUP

SIGNUPS = {"reference": MEMBER, "classpatra": CLASSPATRA_SIGNUP}
# signed up (last active) 2026-03-02 10:00 KST: idle for 1 year at the close of 2027-03-02
DORMANT_AT = kst(2027, 3, 3)
NOTICE_AT = kst(2027, 2, 1)  # 30 days before


@pytest.fixture(params=sorted(SIGNUPS))
def member_of(request: pytest.FixtureRequest, vault_for: VaultFor) -> tuple[Jikimi, str]:
    jikimi = vault_for(request.param)
    return jikimi, jikimi.vault.collect("signup", SIGNUPS[request.param]).subject_id


def notices(jikimi: Jikimi, sid: str) -> list[dict[str, object]]:
    return outbox_rows(jikimi, "dormancy_notice", sid)


def test_idle_member_gets_one_notice_30_days_ahead_then_is_separated(
    member_of: tuple[Jikimi, str], clock: FixedClock
) -> None:
    jikimi, sid = member_of
    held = active_slots(jikimi, sid)

    sweep_at(jikimi, clock, NOTICE_AT - timedelta(seconds=1))
    assert notices(jikimi, sid) == []
    report = sweep_at(jikimi, clock, NOTICE_AT)
    assert report.notices == 1
    (notice,) = notices(jikimi, sid)
    payload = json.loads(str(notice["payload"]))
    assert set(payload) == {"subject_id", "separation_at", "channels"}  # ids, dates and codes: no values
    assert datetime.fromisoformat(payload["separation_at"]) == DORMANT_AT
    assert payload["channels"] == ["email"] and payload["subject_id"] == sid
    for again in (NOTICE_AT, NOTICE_AT + timedelta(days=3), DORMANT_AT - timedelta(seconds=1)):
        assert sweep_at(jikimi, clock, again).notices == 0  # re-running the sweep never doubles the notice
    assert len(notices(jikimi, sid)) == 1
    assert jikimi.vault.subject(sid)["status"] == "active"
    assert active_slots(jikimi, sid) == held

    report = sweep_at(jikimi, clock, DORMANT_AT)
    assert report.separated_dormant == 1
    assert jikimi.vault.subject(sid)["status"] == "dormant"
    assert active_slots(jikimi, sid) == set()
    assert separated_slots(jikimi, sid, cause="dormancy") == held
    assert len(notices(jikimi, sid)) == 1


def test_a_late_sweep_still_gives_the_member_the_full_notice_period(
    member_of: tuple[Jikimi, str], clock: FixedClock
) -> None:
    jikimi, sid = member_of
    late = kst(2027, 4, 1)  # no sweep ran for a year: the member is overdue, but was never told
    report = sweep_at(jikimi, clock, late)
    assert (report.notices, report.separated_dormant) == (1, 0)
    sweep_at(jikimi, clock, late + timedelta(days=30) - timedelta(seconds=1))
    assert jikimi.vault.subject(sid)["status"] == "active"
    report = sweep_at(jikimi, clock, late + timedelta(days=30))
    assert report.separated_dormant == 1 and jikimi.vault.subject(sid)["status"] == "dormant"
    assert len(notices(jikimi, sid)) == 1


def test_activity_during_the_notice_period_keeps_the_member_active(
    member_of: tuple[Jikimi, str], clock: FixedClock
) -> None:
    jikimi, sid = member_of
    sweep_at(jikimi, clock, NOTICE_AT)
    clock.set(kst(2027, 2, 20, 9, 0))
    assert jikimi.vault.verify_password(
        sid, "password", "secret-pass-1"
    )  # the member logs in after the email
    sweep_at(jikimi, clock, DORMANT_AT)
    assert jikimi.vault.subject(sid)["status"] == "active"
    assert len(notices(jikimi, sid)) == 1  # the old notice covered the old idle spell only


def test_login_brings_a_dormant_member_back_and_a_new_idle_spell_gets_a_new_notice(
    member_of: tuple[Jikimi, str], clock: FixedClock
) -> None:
    jikimi, sid = member_of
    held = active_slots(jikimi, sid)
    sweep_at(jikimi, clock, NOTICE_AT)
    sweep_at(jikimi, clock, DORMANT_AT)
    assert jikimi.vault.subject(sid)["status"] == "dormant"

    clock.set(kst(2027, 6, 10, 20, 0))
    assert not jikimi.vault.verify_password(
        sid, "password", "wrong-password"
    )  # a wrong password changes nothing
    assert jikimi.vault.subject(sid)["status"] == "dormant"
    assert jikimi.vault.verify_password(sid, "password", "secret-pass-1")  # 휴면 해제 by logging in
    assert jikimi.vault.subject(sid)["status"] == "active"
    assert active_slots(jikimi, sid) == held
    assert separated_slots(jikimi, sid) == set()
    assert [r["outcome"] for r in access_rows(jikimi, sid, "reactivate")] == ["allowed"]

    # idle again from 2027-06-10: dormant at the close of 2028-06-10, told 30 days before
    sweep_at(jikimi, clock, kst(2028, 5, 12) - timedelta(seconds=1))
    assert len(notices(jikimi, sid)) == 1
    assert sweep_at(jikimi, clock, kst(2028, 5, 12)).notices == 1
    assert len(notices(jikimi, sid)) == 2
    sweep_at(jikimi, clock, kst(2028, 6, 11))
    assert jikimi.vault.subject(sid)["status"] == "dormant"


def test_a_dormant_member_may_ask_to_come_back(member_of: tuple[Jikimi, str], clock: FixedClock) -> None:
    jikimi, sid = member_of
    held = active_slots(jikimi, sid)
    with pytest.raises(StateConflict):
        jikimi.lifecycle.reactivate(sid)  # not dormant
    sweep_at(jikimi, clock, NOTICE_AT)
    sweep_at(jikimi, clock, DORMANT_AT)
    clock.set(kst(2027, 3, 5, 11, 0))
    jikimi.lifecycle.reactivate(sid, via="request")
    assert jikimi.vault.subject(sid)["status"] == "active"
    assert jikimi.vault.subject(sid)["last_activity_at"] == kst(2027, 3, 5, 11, 0)
    assert active_slots(jikimi, sid) == held


@pytest.fixture
def reader(vault_for: VaultFor) -> tuple[Jikimi, Handler]:
    jikimi = vault_for("reference")
    jikimi.handlers.define_role("cs", purposes=["membership"], actions=["read"])
    handler, _ = jikimi.handlers.create("cs-kim", "correct horse battery", role="cs")
    return jikimi, handler


def test_the_gate_denies_reads_of_a_dormant_member(reader: tuple[Jikimi, Handler], clock: FixedClock) -> None:
    jikimi, cs = reader
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    assert jikimi.vault.read(sid, ["name"], "membership", cs) == {"name": MEMBER["name"]}
    sweep_at(jikimi, clock, NOTICE_AT)
    sweep_at(jikimi, clock, DORMANT_AT)
    with pytest.raises(Denied) as denied:
        jikimi.vault.read(sid, ["name", "email"], "membership", cs)
    assert denied.value.reason == "dormant"
    # the allowed read of a year before went with the access log's retention (1 year) at that sweep
    assert [r["outcome"] for r in access_rows(jikimi, sid, "read")] == ["denied:dormant"]
    jikimi.lifecycle.reactivate(sid)
    assert jikimi.vault.read(sid, ["name"], "membership", cs) == {"name": MEMBER["name"]}


def test_without_a_notice_period_an_idle_member_is_separated_when_the_year_is_up(
    engine: object, clock: FixedClock
) -> None:
    """A policy may set dormancy without a notice lead time: separation then waits for no notice."""
    from jikimi.crypto import KeyRing, MasterKey

    from ..vault.conftest import fast_passwords, policy_with

    def no_notice(data: dict[str, object]) -> None:
        dormancy = dict(data["dormancy"])  # type: ignore[call-overload]
        dormancy.pop("notice_before", None)
        data["dormancy"] = dormancy

    jikimi = build_jikimi(
        policy=policy_with(no_notice),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),  # type: ignore[arg-type]
        clock=clock,
        passwords=fast_passwords(),
    )
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    clock.advance(timedelta(days=364))
    jikimi.lifecycle.sweep()
    assert jikimi.vault.subject(sid)["status"] == "active"
    clock.advance(timedelta(days=2))
    report = jikimi.lifecycle.sweep()
    assert report.separated_dormant == 1 and report.notices == 0
    assert jikimi.vault.subject(sid)["status"] == "dormant"
