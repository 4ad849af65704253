"""Dormancy (휴면, 장기 미이용): reference.yaml and seed 003 (classpatra) separate a member idle for 1 year,
telling them by email at least 30 days before. The notice is queued exactly once per idle spell, the
separation never comes before the notice's lead time (even when the sweep ran late), logging in or
asking brings the data back, and the gate refuses reads of a dormant member."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from jikimi.clock import FixedClock
from jikimi.errors import Denied, StateConflict
from jikimi.handlers import Handler
from jikimi.vault import Vault

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
def member_of(request: pytest.FixtureRequest, vault_for: VaultFor) -> tuple[Vault, str]:
    vault = vault_for(request.param)
    return vault, vault.collect("signup", SIGNUPS[request.param]).subject_id


def notices(vault: Vault, sid: str) -> list[dict[str, object]]:
    return outbox_rows(vault, "dormancy_notice", sid)


def test_idle_member_gets_one_notice_30_days_ahead_then_is_separated(
    member_of: tuple[Vault, str], clock: FixedClock
) -> None:
    vault, sid = member_of
    held = active_slots(vault, sid)

    sweep_at(vault, clock, NOTICE_AT - timedelta(seconds=1))
    assert notices(vault, sid) == []
    report = sweep_at(vault, clock, NOTICE_AT)
    assert report.notices == 1
    (notice,) = notices(vault, sid)
    payload = json.loads(str(notice["payload"]))
    assert set(payload) == {"subject_id", "separation_at", "channels"}  # ids, dates and codes: no values
    assert datetime.fromisoformat(payload["separation_at"]) == DORMANT_AT
    assert payload["channels"] == ["email"] and payload["subject_id"] == sid
    for again in (NOTICE_AT, NOTICE_AT + timedelta(days=3), DORMANT_AT - timedelta(seconds=1)):
        assert sweep_at(vault, clock, again).notices == 0  # re-running the sweep never doubles the notice
    assert len(notices(vault, sid)) == 1
    assert vault.subject(sid)["status"] == "active"
    assert active_slots(vault, sid) == held

    report = sweep_at(vault, clock, DORMANT_AT)
    assert report.separated_dormant == 1
    assert vault.subject(sid)["status"] == "dormant"
    assert active_slots(vault, sid) == set()
    assert separated_slots(vault, sid, cause="dormancy") == held
    assert len(notices(vault, sid)) == 1


def test_a_late_sweep_still_gives_the_member_the_full_notice_period(
    member_of: tuple[Vault, str], clock: FixedClock
) -> None:
    vault, sid = member_of
    late = kst(2027, 4, 1)  # no sweep ran for a year: the member is overdue, but was never told
    report = sweep_at(vault, clock, late)
    assert (report.notices, report.separated_dormant) == (1, 0)
    sweep_at(vault, clock, late + timedelta(days=30) - timedelta(seconds=1))
    assert vault.subject(sid)["status"] == "active"
    report = sweep_at(vault, clock, late + timedelta(days=30))
    assert report.separated_dormant == 1 and vault.subject(sid)["status"] == "dormant"
    assert len(notices(vault, sid)) == 1


def test_activity_during_the_notice_period_keeps_the_member_active(
    member_of: tuple[Vault, str], clock: FixedClock
) -> None:
    vault, sid = member_of
    sweep_at(vault, clock, NOTICE_AT)
    clock.set(kst(2027, 2, 20, 9, 0))
    assert vault.verify_password(sid, "password", "secret-pass-1")  # the member logs in after the email
    sweep_at(vault, clock, DORMANT_AT)
    assert vault.subject(sid)["status"] == "active"
    assert len(notices(vault, sid)) == 1  # the old notice covered the old idle spell only


def test_login_brings_a_dormant_member_back_and_a_new_idle_spell_gets_a_new_notice(
    member_of: tuple[Vault, str], clock: FixedClock
) -> None:
    vault, sid = member_of
    held = active_slots(vault, sid)
    sweep_at(vault, clock, NOTICE_AT)
    sweep_at(vault, clock, DORMANT_AT)
    assert vault.subject(sid)["status"] == "dormant"

    clock.set(kst(2027, 6, 10, 20, 0))
    assert not vault.verify_password(sid, "password", "wrong-password")  # a wrong password changes nothing
    assert vault.subject(sid)["status"] == "dormant"
    assert vault.verify_password(sid, "password", "secret-pass-1")  # 휴면 해제 by logging in
    assert vault.subject(sid)["status"] == "active"
    assert active_slots(vault, sid) == held
    assert separated_slots(vault, sid) == set()
    assert [r["outcome"] for r in access_rows(vault, sid, "reactivate")] == ["allowed"]

    # idle again from 2027-06-10: dormant at the close of 2028-06-10, told 30 days before
    sweep_at(vault, clock, kst(2028, 5, 12) - timedelta(seconds=1))
    assert len(notices(vault, sid)) == 1
    assert sweep_at(vault, clock, kst(2028, 5, 12)).notices == 1
    assert len(notices(vault, sid)) == 2
    sweep_at(vault, clock, kst(2028, 6, 11))
    assert vault.subject(sid)["status"] == "dormant"


def test_a_dormant_member_may_ask_to_come_back(member_of: tuple[Vault, str], clock: FixedClock) -> None:
    vault, sid = member_of
    held = active_slots(vault, sid)
    with pytest.raises(StateConflict):
        vault.reactivate(sid)  # not dormant
    sweep_at(vault, clock, NOTICE_AT)
    sweep_at(vault, clock, DORMANT_AT)
    clock.set(kst(2027, 3, 5, 11, 0))
    vault.reactivate(sid, via="request")
    assert vault.subject(sid)["status"] == "active"
    assert vault.subject(sid)["last_activity_at"] == kst(2027, 3, 5, 11, 0)
    assert active_slots(vault, sid) == held


@pytest.fixture
def reader(vault_for: VaultFor) -> tuple[Vault, Handler]:
    vault = vault_for("reference")
    vault.handlers.define_role("cs", purposes=["membership"], actions=["read"])
    handler, _ = vault.handlers.create("cs-kim", "correct horse battery", role="cs")
    return vault, handler


def test_the_gate_denies_reads_of_a_dormant_member(reader: tuple[Vault, Handler], clock: FixedClock) -> None:
    vault, cs = reader
    sid = vault.collect("signup", MEMBER).subject_id
    assert vault.read(sid, ["name"], "membership", cs) == {"name": MEMBER["name"]}
    sweep_at(vault, clock, NOTICE_AT)
    sweep_at(vault, clock, DORMANT_AT)
    with pytest.raises(Denied) as denied:
        vault.read(sid, ["name", "email"], "membership", cs)
    assert denied.value.reason == "dormant"
    assert [r["outcome"] for r in access_rows(vault, sid, "read")] == ["allowed", "denied:dormant"]
    vault.reactivate(sid)
    assert vault.read(sid, ["name"], "membership", cs) == {"name": MEMBER["name"]}


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

    vault = Vault(
        policy=policy_with(no_notice),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),  # type: ignore[arg-type]
        clock=clock,
        passwords=fast_passwords(),
    )
    sid = vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    clock.advance(timedelta(days=364))
    vault.sweep()
    assert vault.subject(sid)["status"] == "active"
    clock.advance(timedelta(days=2))
    report = vault.sweep()
    assert report.separated_dormant == 1 and report.notices == 0
    assert vault.subject(sid)["status"] == "dormant"
