"""Seed 002 (shop): no retention rule at all — "탈퇴 … 재생할 수 없는 방법에 의하여 하드디스크에서 완전히
삭제". Everything is destroyed at once when the member leaves or loses membership, keys included."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, true

from jikimi.clock import FixedClock
from jikimi.errors import Denied, NotFound, UnlawfulCollection
from jikimi.store.tables import data_keys, subjects

from .conftest import VaultFor, key_ids_of, ledger_rows, subject_exists

SIGNUP = {
    "name": "홍길동",
    "address": "서울특별시 종로구 세종대로 1",
    "phone": "02-123-4567",
    "login_id": "hong",
    "password": "secret-pass-1",
    "email": "hong@example.com",
    "additional_info": "취미: 등산",
}


def without_rrn(data: dict[str, Any]) -> None:
    """The first remediation of the seed: it collects 주민등록번호 with no law requiring it (PIPA 24-2)."""
    data["items"] = [i for i in data["items"] if i["id"] != "rrn"]
    for ctx in data["contexts"]:
        ctx["required"] = [i for i in ctx.get("required", []) if i != "rrn"]


def test_as_written_the_shop_signs_up_no_one_since_it_requires_a_resident_number_no_law_asks_for(
    vault_for: VaultFor,
) -> None:
    jikimi = vault_for("shop")
    with pytest.raises(UnlawfulCollection) as refused:
        jikimi.vault.collect("signup", {**SIGNUP, "rrn": "900101-1234568"})
    assert (refused.value.field, refused.value.rule) == ("rrn", "rrn-without-basis")
    assert "제24조의2" in refused.value.message_ko and "900101" not in str(refused.value)
    with jikimi.core.engine.connect() as conn:
        assert (
            conn.execute(select(subjects, data_keys).select_from(subjects.outerjoin(data_keys, true()))).all()
            == []
        )


@pytest.mark.parametrize("reason", ["member_request", "membership_lost"])
def test_everything_is_destroyed_at_once_when_membership_ends(
    vault_for: VaultFor, clock: FixedClock, reason: str
) -> None:
    jikimi = vault_for("shop", without_rrn)
    assert jikimi.policy.retention == ()
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    assert key_ids_of(jikimi, sid) == {sid}
    ended = jikimi.lifecycle.withdraw(sid, reason)
    assert set(ended.destroyed) == set(SIGNUP)
    assert ended.separated == {} and ended.subject_removed
    assert not subject_exists(jikimi, sid)
    assert key_ids_of(jikimi, sid) == set()  # crypto-shredded: old backups of the rows are unreadable
    with pytest.raises(NotFound):
        jikimi.vault.subject(sid)
    destroyed = {e["class_id"]: e for e in ledger_rows(jikimi) if e["class_kind"] == "item"}
    assert set(destroyed) == set(SIGNUP)
    assert {e["trigger"] for e in destroyed.values()} == {"withdrawal"}
    assert {e["basis"] for e in destroyed.values()} == {"처리 목적 달성 (개인정보 보호법 제21조①)"}
    assert jikimi.lifecycle.sweep().destroyed_total == 0  # nothing was left for a sweep


def test_the_delivery_company_is_not_given_data_without_consent_because_a_call_cites_the_terms(
    vault_for: VaultFor,
) -> None:
    """The seed serves its delivery companies on its own terms of use ("00 이용약관 15조 3항"), not on a law:
    a call that claims ``law`` is refused whole, and the refusal is logged."""
    jikimi = vault_for("shop", without_rrn)
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.handlers.define_role("partnerships", purposes=[], actions=["provide", "provide_by_law"])
    provider, _ = jikimi.handlers.create("pt-kim", "correct horse battery", role="partnerships")
    with pytest.raises(Denied) as refused:
        jikimi.sharing.provide(
            [sid],
            "delivery_companies",
            ["name", "address", "phone"],
            basis="law",
            reference="이용약관 15조 3항",
            actor=provider,
        )
    assert refused.value.reason == "basis_not_declared"
    assert jikimi.sharing.ledger() == []
    without_consent = jikimi.sharing.provide(
        [sid], "delivery_companies", ["name", "address", "phone"], basis="consent", actor=provider
    )
    assert without_consent.denied == {sid: "consent_missing"}
