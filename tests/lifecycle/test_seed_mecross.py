"""Seed 001 (mecross): after withdrawal the login id is kept 3 months, the identity value (CI) 3 days,
fraud records 1 year and payment records 5 years — each separated, then destroyed on time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jikimi.clock import FixedClock
from jikimi.errors import Denied, Duplicate
from jikimi.store.tables import item_values, separated_records, separated_values

from .conftest import VaultFor, officer_of

SIGNUP = {
    "name": "홍길동", "birthdate": "1990-01-31", "login_id": "hong", "password": "secret-pass-1",
    "mobile": "010-1234-5678", "address": "서울특별시 종로구 세종대로 1", "email": "hong@example.com",
    "gender": "남", "ci": "CI" + "A" * 86, "guardian_ci": "CI" + "B" * 86,
}


def test_withdrawn_member_walks_through_the_retention_section(vault_for: VaultFor, clock: FixedClock) -> None:
    vault = vault_for("mecross")
    officer = officer_of(vault)
    sid = vault.collect("signup", SIGNUP).subject_id
    vault.add_record(sid, "fraud_record", {"what": "쿠폰 중복 사용"})
    vault.add_record(sid, "payment_record", {"amount": 12000})
    clock.advance(timedelta(days=10))
    ended = vault.withdraw(sid, "member_request")
    assert set(ended.separated) == {"login_id", "ci", "fraud_record", "payment_record"}
    assert "name" in ended.destroyed and "mobile" in ended.destroyed
    with vault.engine.connect() as conn:
        assert conn.execute(item_values.select().where(item_values.c.subject_id == sid)).first() is None

    # the login id cannot be taken again while it is kept
    with pytest.raises(Duplicate):
        vault.collect("signup", {**SIGNUP, "ci": "CI" + "C" * 86, "email": "other@example.com"})

    # separated data only for its rule's reason
    assert vault.read_separated(sid, ["login_id"], "컨텐츠 이용ID 중복방지", actor=officer).values == {"login_id": "hong"}
    with pytest.raises(Denied) as denied:
        vault.read_separated(sid, ["login_id"], "마케팅", actor=officer)
    assert denied.value.reason == "reason_not_allowed"

    def kept() -> set[str]:
        with vault.engine.connect() as conn:
            values = {r.item_id for r in conn.execute(separated_values.select().where(separated_values.c.subject_id == sid))}
            recs = {r.type for r in conn.execute(separated_records.select().where(separated_records.c.subject_id == sid))}
        return values | recs

    clock.advance(timedelta(days=3))
    vault.sweep()
    assert kept() == {"login_id", "ci", "fraud_record", "payment_record"}  # CI: 3 days end at the close of day 3
    clock.advance(timedelta(days=1))
    vault.sweep()
    assert kept() == {"login_id", "fraud_record", "payment_record"}
    clock.advance(timedelta(days=92))
    vault.sweep()
    assert kept() == {"fraud_record", "payment_record"}
    clock.advance(timedelta(days=300))
    vault.sweep()
    assert kept() == {"payment_record"}
    clock.advance(timedelta(days=365 * 5))
    report = vault.sweep()
    assert kept() == set()
    assert report.subjects_removed == 1
    with pytest.raises(Exception):
        vault.subject(sid)
