"""Seed 004 (rsupport): when the purpose ends, the items are destroyed at once; an enterprise member's
service usage history is kept 1 year (기업의 요청에 의한 자료 제공); contracts and payments 5 years and
complaints 3 years from the record's date; website visit logs 3 months, even while the customer is active."""

from __future__ import annotations

from jikimi.clock import FixedClock

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

PURCHASE = {
    "email": "it@corp.example.com",
    "payment_history": "2026-03-02 RemoteCall 1년 라이선스",
    "card": "4111 1111 1111 1111",
    "bank_account": "110-123-456789",
}


def test_enterprise_usage_history_is_kept_one_year_after_the_purpose_ends(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("rsupport")
    officer = officer_of(jikimi)
    sid = jikimi.vault.collect("purchase", PURCHASE).subject_id
    jikimi.vault.collect(
        "support",
        {"name": "박담당", "email": "it@corp.example.com", "company": "주식회사 예시"},
        subject_id=sid,
    )
    jikimi.vault.add_record(sid, "enterprise_usage", {"sessions": 42}, occurred_at=kst(2026, 3, 2, 10, 0))
    jikimi.vault.add_record(sid, "contract", {"plan": "annual"}, occurred_at=kst(2026, 3, 2, 10, 0))
    jikimi.vault.add_record(sid, "payment", {"amount": 1_200_000}, occurred_at=kst(2026, 3, 2, 10, 0))
    jikimi.vault.add_record(sid, "complaint", {"topic": "refund"}, occurred_at=kst(2026, 3, 2, 10, 0))

    clock.set(kst(2026, 12, 31, 18, 0))
    ended = jikimi.lifecycle.withdraw(sid, "membership_lost")
    assert set(ended.destroyed) == {"email", "payment_history", "card", "bank_account", "name", "company"}
    # 1 year from the end of the purpose on 2026-12-31: to the close of 2027-12-31
    assert ended.separated["enterprise_usage"] == kst(2028, 1, 1)
    assert active_slots(jikimi, sid) == set()
    usage = jikimi.lifecycle.read_separated(
        sid, ["enterprise_usage"], "기업의 요청에 의한 자료 제공", actor=officer
    )
    assert [r.data for r in usage.records] == [{"sessions": 42}]

    sweep_at(jikimi, clock, kst(2027, 12, 31, 23, 59, 59))
    assert "enterprise_usage" in separated_slots(jikimi, sid)
    sweep_at(jikimi, clock, kst(2028, 1, 1))
    assert separated_slots(jikimi, sid) == {"contract", "payment", "complaint"}
    sweep_at(jikimi, clock, kst(2029, 3, 3))
    assert separated_slots(jikimi, sid) == {"contract", "payment"}
    sweep_at(jikimi, clock, kst(2031, 3, 3))
    assert not subject_exists(jikimi, sid)
    rules = {e["class_id"]: e["rule_id"] for e in ledger_rows(jikimi) if e["trigger"] == "retention_expired"}
    assert rules == {
        "enterprise_usage": "enterprise_usage",
        "contract": "contract_records",
        "payment": "payment_records",
        "complaint": "complaint_records",
    }


def test_website_visit_logs_are_kept_three_months(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("rsupport")
    sid = jikimi.vault.collect("purchase", PURCHASE).subject_id
    jikimi.vault.add_record(sid, "site_visit_log", {"path": "/pricing"}, occurred_at=kst(2026, 3, 2, 10, 0))
    sweep_at(jikimi, clock, kst(2026, 6, 2, 23, 59, 59))
    assert active_slots(jikimi, sid) >= {"site_visit_log"}
    sweep_at(jikimi, clock, kst(2026, 6, 3))
    assert "site_visit_log" not in active_slots(jikimi, sid)
    (entry,) = [e for e in ledger_rows(jikimi) if e["class_id"] == "site_visit_log"]
    assert (entry["trigger"], entry["rule_id"], entry["basis"]) == (
        "log_expired",
        "site_visit_records",
        "통신비밀보호법 시행령 제41조제2항",
    )


def test_a_customer_with_nothing_kept_is_removed_at_once(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("rsupport")
    sid = jikimi.vault.collect("purchase", PURCHASE).subject_id
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    assert ended.subject_removed and ended.separated == {}
    assert not subject_exists(jikimi, sid)
