"""Seed 000 (yeongsang): "회원의 정보" is kept after the contract ends for "oo년간" — a blank left in the
template. The engine separates the member's data with no expiry and invents no period; the linter
flags the blank; once the policy states a period, the next sweep prices the kept data and destroys
it on time. The statutory records are kept by their statutes; logs 3 months."""

from __future__ import annotations

import pytest

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock, as_utc
from jikimi.errors import Denied
from jikimi.lifecycle.separation import Ended
from jikimi.policy.lint import lint
from jikimi.store.tables import separated_values

from ..vault.conftest import policy_from
from .conftest import (
    VaultFor,
    active_slots,
    example_data,
    kst,
    ledger_rows,
    officer_of,
    separated_slots,
    subject_exists,
    sweep_at,
    with_policy,
)

SIGNUP = {
    "name": "이영상",
    "birthdate": "1985-07-01",
    "gender": "남",
    "login_id": "ysang",
    "password": "secret-pass-1",
    "home_phone": "02-2664-1128",
    "mobile": "010-3456-7890",
    "email": "ys@example.com",
}
SERVICE_USE = {
    "service_log": "강의 3편 시청",
    "access_log": "GET /lecture/3",
    "cookie": "sid=abc",
    "ip": "203.0.113.9",
}
MEMBER_ITEMS = {"name", "birthdate", "gender", "login_id", "password", "home_phone", "mobile", "email"}
ACCESS = "불량회원의 부정한 이용의 재발을 방지"


def withdrawn_member(jikimi: Jikimi, clock: FixedClock) -> tuple[str, Ended]:
    """Signed up and used the service on 2026-03-02, left on 2026-04-01 (이용계약 해지)."""
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.collect("service_use", SERVICE_USE, subject_id=sid)
    for kind in ("payment_record", "abuse_record", "contract_record", "complaint_record"):
        jikimi.vault.add_record(sid, kind, {"kind": kind}, occurred_at=kst(2026, 3, 2, 10, 0))
    clock.set(kst(2026, 4, 1, 12, 0))
    return sid, jikimi.lifecycle.withdraw(sid, "member_request")


def test_the_placeholder_period_keeps_member_data_separated_with_no_expiry(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("yeongsang")
    sid, ended = withdrawn_member(jikimi, clock)
    assert set(ended.destroyed) == {"service_log", "cookie", "ip", "abuse_record"}
    assert {slot for slot, expiry in ended.separated.items() if expiry is None} == MEMBER_ITEMS
    assert ended.separated["access_log"] == kst(2026, 6, 3)  # 3 months from its collection on 2026-03-02
    assert ended.separated["contract_record"] == kst(2031, 3, 3)
    assert ended.separated["payment_record"] == kst(2031, 3, 3)
    assert ended.separated["complaint_record"] == kst(2029, 3, 3)

    # the linter flags the blank; nothing in the engine fills it in
    flagged = [f for f in lint(jikimi.policy) if f.rule == "retention-placeholder"]
    assert len(flagged) == 1 and flagged[0].severity == "warning"  # a blank to fill, never an invented period
    with jikimi.core.engine.connect() as conn:
        expiries = {
            r.item_id: r.expires_at
            for r in conn.execute(
                separated_values.select().where(
                    separated_values.c.subject_id == sid,
                    separated_values.c.rule_id == "member_after_termination",
                )
            )
        }
    assert set(expiries) == MEMBER_ITEMS and set(expiries.values()) == {None}

    officer = officer_of(jikimi)
    kept = jikimi.lifecycle.read_separated(sid, ["email", "password"], ACCESS, actor=officer)
    assert kept.values == {"email": "ys@example.com"}  # a password is never handed out, even a kept one
    with pytest.raises(Denied):
        jikimi.lifecycle.read_separated(sid, ["email"], "마케팅", actor=officer)

    # twenty years of sweeps: everything with a period went on time, the member's data is still there
    sweep_at(jikimi, clock, kst(2029, 3, 3))
    assert separated_slots(jikimi, sid) == MEMBER_ITEMS | {"contract_record", "payment_record"}
    sweep_at(jikimi, clock, kst(2046, 4, 1))
    assert separated_slots(jikimi, sid) == MEMBER_ITEMS
    assert subject_exists(jikimi, sid)


def test_once_the_policy_states_the_period_the_sweep_applies_it(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("yeongsang")
    sid, _ = withdrawn_member(jikimi, clock)
    data = example_data("yeongsang")
    (rule,) = [r for r in data["retention"] if r["id"] == "member_after_termination"]
    rule["period"] = "P1Y"  # the officer fills in the blank: 1년간
    fixed = with_policy(jikimi, policy_from(data))
    assert [f for f in lint(fixed.policy) if f.rule == "retention-placeholder"] == []

    report = sweep_at(fixed, clock, kst(2026, 5, 1))
    assert report.repriced == len(MEMBER_ITEMS)
    with jikimi.core.engine.connect() as conn:
        expiries = {
            r.expires_at
            for r in conn.execute(
                separated_values.select().where(
                    separated_values.c.subject_id == sid,
                    separated_values.c.rule_id == "member_after_termination",
                )
            )
        }
    assert {as_utc(e) for e in expiries} == {kst(2027, 4, 2)}  # 1 year from the contract's end on 2026-04-01
    sweep_at(fixed, clock, kst(2027, 4, 1, 23, 59, 59))
    assert MEMBER_ITEMS <= separated_slots(fixed, sid)
    sweep_at(fixed, clock, kst(2027, 4, 2))
    assert separated_slots(fixed, sid) == {"contract_record", "payment_record", "complaint_record"}
    destroyed = {e["class_id"] for e in ledger_rows(fixed) if e["rule_id"] == "member_after_termination"}
    assert destroyed >= MEMBER_ITEMS


def test_access_log_items_are_destroyed_three_months_after_collection_while_the_member_is_active(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("yeongsang")
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.collect(
        "service_use", SERVICE_USE, subject_id=sid
    )  # 2026-03-02: kept to the close of 2026-06-02
    sweep_at(jikimi, clock, kst(2026, 6, 2, 23, 59, 59))
    assert "access_log" in active_slots(jikimi, sid)
    sweep_at(jikimi, clock, kst(2026, 6, 3))
    assert "access_log" not in active_slots(jikimi, sid)
