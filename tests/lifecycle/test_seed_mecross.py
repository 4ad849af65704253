"""Seed 001 (mecross): after withdrawal the login id is kept 3 months, the identity value (CI) 3 days,
fraud records 1 year and payment records 5 years — each separated, then destroyed on time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jikimi.clock import FixedClock
from jikimi.errors import Denied, Duplicate, NotFound
from jikimi.store.tables import item_values, separated_records, separated_values

from .conftest import (
    VaultFor,
    active_slots,
    key_ids_of,
    kst,
    ledger_rows,
    officer_of,
    separated_lookup_items,
    separated_slots,
    subject_exists,
    sweep_at,
)

SIGNUP = {
    "name": "홍길동",
    "birthdate": "1990-01-31",
    "login_id": "hong",
    "password": "secret-pass-1",
    "mobile": "010-1234-5678",
    "address": "서울특별시 종로구 세종대로 1",
    "email": "hong@example.com",
    "gender": "남",
    "ci": "CI" + "A" * 86,
    "guardian_ci": "CI" + "B" * 86,
}


def test_withdrawn_member_walks_through_the_retention_section(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("mecross")
    officer = officer_of(jikimi)
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.add_record(sid, "fraud_record", {"what": "쿠폰 중복 사용"})
    jikimi.vault.add_record(sid, "payment_record", {"amount": 12000})
    clock.advance(timedelta(days=10))
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    assert set(ended.separated) == {"login_id", "ci", "fraud_record", "payment_record"}
    assert "name" in ended.destroyed and "mobile" in ended.destroyed
    with jikimi.core.engine.connect() as conn:
        assert conn.execute(item_values.select().where(item_values.c.subject_id == sid)).first() is None

    # the login id cannot be taken again while it is kept
    with pytest.raises(Duplicate):
        jikimi.vault.collect("signup", {**SIGNUP, "ci": "CI" + "C" * 86, "email": "other@example.com"})

    # separated data only for its rule's reason
    assert jikimi.lifecycle.read_separated(
        sid, ["login_id"], "컨텐츠 이용ID 중복방지", actor=officer
    ).values == {"login_id": "hong"}
    with pytest.raises(Denied) as denied:
        jikimi.lifecycle.read_separated(sid, ["login_id"], "마케팅", actor=officer)
    assert denied.value.reason == "reason_not_allowed"

    def kept() -> set[str]:
        with jikimi.core.engine.connect() as conn:
            values = {
                r.item_id
                for r in conn.execute(separated_values.select().where(separated_values.c.subject_id == sid))
            }
            recs = {
                r.type
                for r in conn.execute(separated_records.select().where(separated_records.c.subject_id == sid))
            }
        return values | recs

    clock.advance(timedelta(days=3))
    jikimi.lifecycle.sweep()
    assert kept() == {
        "login_id",
        "ci",
        "fraud_record",
        "payment_record",
    }  # CI: 3 days end at the close of day 3
    clock.advance(timedelta(days=1))
    jikimi.lifecycle.sweep()
    assert kept() == {"login_id", "fraud_record", "payment_record"}
    clock.advance(timedelta(days=92))
    jikimi.lifecycle.sweep()
    assert kept() == {"fraud_record", "payment_record"}
    clock.advance(timedelta(days=300))
    jikimi.lifecycle.sweep()
    assert kept() == {"payment_record"}
    clock.advance(timedelta(days=365 * 5))
    report = jikimi.lifecycle.sweep()
    assert kept() == set()
    assert report.subjects_removed == 1
    with pytest.raises(NotFound):
        jikimi.vault.subject(sid)


def test_fraud_record_is_kept_one_year_from_withdrawal_to_the_second(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("mecross")
    officer = officer_of(jikimi)
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.add_record(sid, "fraud_record", {"what": "쿠폰 중복 사용"})
    clock.set(kst(2026, 3, 12, 14, 0))
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    # 1 year from a withdrawal on 2026-03-12: the day itself is not counted, the year ends at the close of
    # 2027-03-12, so the record is due at 2027-03-13 00:00 KST
    assert ended.separated["fraud_record"] == kst(2027, 3, 13)

    sweep_at(jikimi, clock, kst(2027, 3, 12, 23, 59, 59))
    assert "fraud_record" in separated_slots(jikimi, sid)
    kept = jikimi.lifecycle.read_separated(sid, ["fraud_record"], "부정방지 이용", actor=officer)
    assert [r.data for r in kept.records] == [{"what": "쿠폰 중복 사용"}]

    report = sweep_at(jikimi, clock, kst(2027, 3, 13))
    assert "fraud_record" not in separated_slots(jikimi, sid)
    assert report.destroyed["record:fraud_record"] == 1
    (entry,) = [e for e in ledger_rows(jikimi) if e["class_id"] == "fraud_record"]
    assert (entry["class_kind"], entry["trigger"], entry["rule_id"], entry["count"]) == (
        "record",
        "retention_expired",
        "fraud",
        1,
    )
    assert not subject_exists(jikimi, sid)  # nothing else was kept: the subject itself is gone
    with pytest.raises(NotFound):
        jikimi.lifecycle.read_separated(sid, ["fraud_record"], "부정방지 이용", actor=officer)


def test_login_id_kept_three_months_from_january_31_until_the_close_of_april_30(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("mecross")
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    clock.set(kst(2027, 1, 31, 14, 0))
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    assert ended.separated["login_id"] == kst(2027, 5, 1)  # 3개월: 2월 1일부터 4월 30일까지 (민법 157, 160③)
    assert ended.separated["ci"] == kst(2027, 2, 4)  # 탈퇴일로 3일: 2월 1·2·3일

    sweep_at(jikimi, clock, kst(2027, 4, 30, 23, 59, 59))
    assert separated_slots(jikimi, sid) == {"login_id"}
    with pytest.raises(Duplicate):  # the kept login id still blocks its reuse
        jikimi.vault.collect("signup", {**SIGNUP, "ci": "CI" + "C" * 86})

    sweep_at(jikimi, clock, kst(2027, 5, 1))
    assert separated_slots(jikimi, sid) == set()
    assert separated_lookup_items(jikimi, sid) == set()
    assert not subject_exists(jikimi, sid)
    assert key_ids_of(jikimi, sid) == set()  # the everyday key and every retention-group key are gone
    again = jikimi.vault.collect("signup", SIGNUP)  # the same login id and CI may sign up again
    assert again.subject_id != sid


def test_payment_record_counts_five_years_from_its_own_date_not_from_withdrawal(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("mecross")
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.add_record(sid, "payment_record", {"amount": 12000}, occurred_at=kst(2026, 3, 2, 9, 0))
    clock.set(kst(2026, 8, 20, 11, 0))
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    assert ended.separated["payment_record"] == kst(2031, 3, 3)
    sweep_at(jikimi, clock, kst(2031, 3, 2, 23, 59, 59))
    assert "payment_record" in separated_slots(jikimi, sid)
    sweep_at(jikimi, clock, kst(2031, 3, 3))
    assert not subject_exists(jikimi, sid)


def test_access_logs_expire_after_three_months_while_the_member_is_active(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("mecross")
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.add_record(
        sid, "access_trace_record", {"ip": "203.0.113.7"}, occurred_at=kst(2026, 3, 2, 9, 0)
    )
    jikimi.vault.add_record(
        sid, "access_trace_record", {"ip": "203.0.113.8"}, occurred_at=kst(2026, 3, 3, 9, 0)
    )

    sweep_at(jikimi, clock, kst(2026, 6, 2, 23, 59, 59))
    assert "access_trace_record" in active_slots(jikimi, sid)
    report = sweep_at(jikimi, clock, kst(2026, 6, 3))
    assert report.destroyed["record:access_trace_record"] == 1  # the log of 3 March has a day left
    sweep_at(jikimi, clock, kst(2026, 6, 4))
    assert "access_trace_record" not in active_slots(jikimi, sid)
    assert jikimi.vault.subject(sid)["status"] == "active"
    logs = [e for e in ledger_rows(jikimi) if e["class_id"] == "access_trace_record"]
    assert [(e["trigger"], e["rule_id"], e["basis"]) for e in logs] == [
        ("log_expired", "access_trace", "통신비밀보호법 시행령 제41조제2항")
    ] * 2
