"""The destruction ledger (파기 기록, PIPA 21, 령 16; the standard guideline's records): every destruction
is written with its class, count, rule, basis, method and process — and never a personal value —
and a month of it prints for the privacy officer's signature."""

from __future__ import annotations

from typing import Any

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.lifecycle.rules import DESTROY_METHOD

from ..conftest import MEMBER
from .conftest import VaultFor, kst, ledger_rows, outbox_rows, sweep_at

ORDER = {
    "recipient_name": "김수령",
    "recipient_phone": "010-5555-6666",
    "delivery_address": "부산광역시 해운대구 센텀로 99",
}
PAYMENT = {"name": MEMBER["name"], "mobile": MEMBER["mobile"], "delivery_address": ORDER["delivery_address"]}
LOG = {"ip": "198.51.100.23", "service_log": "2026-03-02 상품 12번 조회"}
PERSONAL = [*MEMBER.values(), *ORDER.values(), *LOG.values(), "010-1234-5678", "01012345678"]


def lived_and_left(jikimi: Jikimi, clock: FixedClock) -> str:
    """A reference member who ordered, was logged, withdrew on 2026-03-20 and was swept for six years."""
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    jikimi.vault.collect("order", ORDER, subject_id=sid)
    jikimi.vault.add_record(sid, "payment", PAYMENT)
    jikimi.vault.add_record(sid, "contract", {"name": MEMBER["name"], "email": MEMBER["email"]})
    jikimi.vault.add_record(sid, "access_log", LOG)
    clock.set(kst(2026, 3, 20, 16, 30))
    jikimi.lifecycle.withdraw(sid, "member_request")
    for moment in (kst(2026, 4, 20), kst(2026, 6, 3), kst(2026, 6, 21), kst(2031, 3, 3)):
        sweep_at(jikimi, clock, moment)
    return sid


def every_text(rows: list[dict[str, Any]]) -> str:
    return "\n".join(repr(sorted(row.items(), key=lambda kv: kv[0])) for row in rows)


def test_ledger_entries_name_class_count_rule_basis_method_and_process(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("reference")
    lived_and_left(jikimi, clock)
    rows = ledger_rows(jikimi)
    assert rows
    for row in rows:
        assert row["class_kind"] in {"item", "record", "lookup", "consent"}
        assert row["class_id"] and row["count"] >= 1
        assert row["trigger"] in {"withdrawal", "retention_expired", "log_expired"}
        assert row["basis"] and row["method"] == DESTROY_METHOD[:64]
        assert row["process"] and row["actor"] in {"self", "system:sweep"} and row["batch_id"]
    by_class = {(r["class_kind"], r["class_id"], r["trigger"]): r for r in rows}
    # at withdrawal: what no rule keeps, under the end of the purpose (PIPA 21①)
    name = by_class[("item", "name", "withdrawal")]
    assert (name["rule_id"], name["basis"], name["actor"]) == (
        None,
        "처리 목적 달성 (개인정보 보호법 제21조①)",
        "self",
    )
    # later: what the rules kept, each under its own rule and law
    login = by_class[("item", "login_id", "retention_expired")]
    assert login["rule_id"] == "withdrawn_login_id" and login["actor"] == "system:sweep"
    log = by_class[("record", "access_log", "retention_expired")]
    assert (log["rule_id"], log["basis"]) == ("access_log_records", "통신비밀보호법 시행령 제41조제2항")
    payment = by_class[("record", "payment", "retention_expired")]
    assert (payment["rule_id"], payment["basis"]) == (
        "payment_records",
        "전자상거래 등에서의 소비자보호에 관한 법률 시행령 제6조제1항제3호",
    )
    assert by_class[("lookup", "login_id", "retention_expired")]["count"] == 1


def test_no_personal_value_reaches_the_ledger_or_the_outbox(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("reference")
    sid = lived_and_left(jikimi, clock)
    idle = jikimi.vault.collect(
        "signup",
        {
            **MEMBER,
            "login_id": "idle",
            "email": "idle@example.com",
            "mobile": "010-2222-3333",
            "ci": "CI" + "Z" * 86,
        },
    ).subject_id
    sweep_at(jikimi, clock, kst(2032, 3, 3))  # idle a year since 2031-03-03: notice, then dormancy
    sweep_at(jikimi, clock, kst(2032, 4, 3))
    text = every_text(ledger_rows(jikimi)) + every_text(outbox_rows(jikimi, "dormancy_notice", idle))
    assert outbox_rows(jikimi, "dormancy_notice", idle)
    leaked = [value for value in PERSONAL + ["idle@example.com", "010-2222-3333"] if value in text]
    assert leaked == []
    assert sid not in every_text(ledger_rows(jikimi))  # counted by class, not by subject


def test_render_month_prints_a_month_for_the_officers_signature(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("reference")
    lived_and_left(jikimi, clock)
    march = jikimi.lifecycle.ledger_text("2026-03")
    june = jikimi.lifecycle.ledger_text("2026-06")
    may = jikimi.lifecycle.ledger_text("2026-05")
    assert march.startswith("파기 기록 (Destruction ledger) — 2026-03 (KST)")
    assert "2026-03-20 16:30" in march  # the withdrawal, on the Korean clock
    assert "이름" in march and "탈퇴·목적 달성" in march
    assert "웹사이트 접속 기록" not in march  # kept: not destroyed in March
    assert "2026-06-21 00:00" in june and "아이디" in june and "보유기간 만료" in june  # login id: 3 months
    assert "2026-06-03 00:00" in june and "통신비밀보호법 시행령 제41조제2항" in june  # logs: 3 months
    assert f"파기 방법 (Method): {DESTROY_METHOD[:64]}" in june
    assert "개인정보 보호책임자" in march and "서명 (Signature)" in march
    assert "Nothing was destroyed this month" in may
    for page in (march, june):
        assert [v for v in PERSONAL if v in page] == []
