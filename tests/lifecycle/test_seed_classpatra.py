"""Seed 003 (classpatra): on withdrawal the member's identifying items are kept 1 year (불량 이용자의 재가입
방지, 수사협조), records by their statutes counted from the record's date, visit logs 3 months even while
the member is active; the care profile (임신정보 등) is destroyed at once. Dormancy: see test_dormancy.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jikimi.clock import FixedClock
from jikimi.errors import UnlawfulCollection

from .conftest import (
    VaultFor,
    active_slots,
    kst,
    ledger_rows,
    officer_of,
    separated_slots,
    subject_exists,
    sweep_at,
)

SIGNUP = {
    "nickname": "별맘",
    "password": "secret-pass-1",
    "email": "mom@example.com",
    "address": "서울특별시 마포구 월드컵북로 400",
    "mobile": "010-2345-6789",
    "name": "김엄마",
    "gender": "여",
    "birthdate": "1992-05-05",
}
PROFILE = {"baby_name": "튼튼이", "mom_type": "예비맘"}
HEALTH = {"pregnancy": "임신 20주", "due_date": "2026-07-20"}  # 임신정보, 출산예정일: health data (PIPA 23)
KEPT_ITEMS = {
    "name",
    "birthdate",
    "gender",
    "address",
    "mobile",
    "email",
}  # of the rule's list, those collected


@pytest.mark.parametrize("item", sorted(HEALTH))
def test_pregnancy_data_is_not_collected_without_the_separate_consent_the_seed_never_asks(
    vault_for: VaultFor, item: str
) -> None:
    jikimi = vault_for("classpatra")
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    with pytest.raises(UnlawfulCollection) as refused:
        jikimi.vault.collect("member_profile", {**PROFILE, item: HEALTH[item]}, subject_id=sid)
    assert (refused.value.field, refused.value.rule) == (item, "sensitive-without-consent")
    assert "제23조" in refused.value.message_ko
    assert not set(HEALTH) & set(jikimi.vault.subject(sid)["items"])  # type: ignore[arg-type]


def test_withdrawn_member_walks_through_the_retention_section(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("classpatra")
    officer = officer_of(jikimi)
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.collect("member_profile", PROFILE, subject_id=sid)
    at = kst(2026, 3, 2, 10, 0)
    for kind in (
        "identity_record",
        "advertising_record",
        "contract_record",
        "payment_record",
        "complaint_record",
    ):
        jikimi.vault.add_record(sid, kind, {"kind": kind}, occurred_at=at)

    clock.set(kst(2026, 4, 10, 15, 0))
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    assert set(ended.destroyed) == {"nickname", "password", *PROFILE}  # 회원맞춤정보 is no retention item
    assert {slot for slot, expiry in ended.separated.items() if expiry == kst(2027, 4, 11)} == KEPT_ITEMS
    assert active_slots(jikimi, sid) == set()
    reason = "불량 이용자의 재가입 방지, 불법적 사용자에 대한 관련 기관 수사협조"
    assert jikimi.lifecycle.read_separated(sid, ["email"], reason, actor=officer).values == {
        "email": "mom@example.com"
    }

    # records count from their own date (2026-03-02): 6 months → due 2026-09-03 00:00 KST
    sweep_at(jikimi, clock, kst(2026, 9, 2, 23, 59, 59))
    assert {"identity_record", "advertising_record"} <= separated_slots(jikimi, sid)
    sweep_at(jikimi, clock, kst(2026, 9, 3))
    assert separated_slots(jikimi, sid) == KEPT_ITEMS | {
        "contract_record",
        "payment_record",
        "complaint_record",
    }

    # the member's items: 1 year from the withdrawal on 2026-04-10
    sweep_at(jikimi, clock, kst(2027, 4, 10, 23, 59, 59))
    assert KEPT_ITEMS <= separated_slots(jikimi, sid)
    sweep_at(jikimi, clock, kst(2027, 4, 11))
    assert separated_slots(jikimi, sid) == {"contract_record", "payment_record", "complaint_record"}

    sweep_at(jikimi, clock, kst(2029, 3, 3))  # complaints: 3 years from 2026-03-02
    assert separated_slots(jikimi, sid) == {"contract_record", "payment_record"}
    sweep_at(jikimi, clock, kst(2031, 3, 2, 23, 59, 59))
    assert separated_slots(jikimi, sid) == {"contract_record", "payment_record"}
    sweep_at(jikimi, clock, kst(2031, 3, 3))  # contracts and payments: 5 years
    assert not subject_exists(jikimi, sid)
    expired = {
        (e["class_id"], e["rule_id"]) for e in ledger_rows(jikimi) if e["trigger"] == "retention_expired"
    }
    assert expired >= {
        ("identity_record", "identity_verification"),
        ("advertising_record", "advertising"),
        ("email", "after_withdrawal"),
        ("complaint_record", "complaint"),
        ("payment_record", "payment"),
    }


def test_visit_logs_are_kept_three_months_while_the_member_is_active(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("classpatra")
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.add_record(sid, "visit_record", {"path": "/class/1"}, occurred_at=kst(2026, 3, 2, 10, 0))
    clock.advance(timedelta(days=20))
    jikimi.vault.add_record(sid, "visit_record", {"path": "/class/2"})

    sweep_at(jikimi, clock, kst(2026, 6, 2, 23, 59, 59))
    assert "visit_record" in active_slots(jikimi, sid)
    report = sweep_at(jikimi, clock, kst(2026, 6, 3))
    assert report.destroyed["record:visit_record"] == 1
    assert "visit_record" in active_slots(jikimi, sid)  # the later visit has its own three months
    sweep_at(jikimi, clock, kst(2026, 6, 23))
    assert "visit_record" not in active_slots(jikimi, sid)
    assert jikimi.vault.subject(sid)["status"] == "active"


def test_a_visit_log_still_young_at_withdrawal_is_separated_for_the_rest_of_its_three_months(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("classpatra")
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.add_record(sid, "visit_record", {"path": "/"}, occurred_at=kst(2026, 3, 2, 10, 0))
    clock.set(kst(2026, 5, 1, 9, 0))
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    assert ended.separated["visit_record"] == kst(2026, 6, 3)
    sweep_at(jikimi, clock, kst(2026, 6, 2, 23, 59, 59))
    assert "visit_record" in separated_slots(jikimi, sid)
    sweep_at(jikimi, clock, kst(2026, 6, 3))
    assert "visit_record" not in separated_slots(jikimi, sid)
