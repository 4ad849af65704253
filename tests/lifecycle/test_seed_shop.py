"""Seed 002 (shop): no retention rule at all — "탈퇴 … 재생할 수 없는 방법에 의하여 하드디스크에서 완전히
삭제". Everything is destroyed at once when the member leaves or loses membership, keys included."""

from __future__ import annotations

import pytest

from jikimi.clock import FixedClock
from jikimi.errors import NotFound

from .conftest import VaultFor, key_ids_of, ledger_rows, subject_exists

SIGNUP = {
    "name": "홍길동",
    "rrn": "900101-1234568",
    "address": "서울특별시 종로구 세종대로 1",
    "phone": "02-123-4567",
    "login_id": "hong",
    "password": "secret-pass-1",
    "email": "hong@example.com",
    "additional_info": "취미: 등산",
}


@pytest.mark.parametrize("reason", ["member_request", "membership_lost"])
def test_everything_is_destroyed_at_once_when_membership_ends(
    vault_for: VaultFor, clock: FixedClock, reason: str
) -> None:
    vault = vault_for("shop")
    assert vault.policy.retention == ()
    sid = vault.collect("signup", SIGNUP).subject_id
    assert key_ids_of(vault, sid) == {sid}
    ended = vault.withdraw(sid, reason)
    assert set(ended.destroyed) == set(SIGNUP)
    assert ended.separated == {} and ended.subject_removed
    assert not subject_exists(vault, sid)
    assert key_ids_of(vault, sid) == set()  # crypto-shredded: old backups of the rows are unreadable
    with pytest.raises(NotFound):
        vault.subject(sid)
    destroyed = {e["class_id"]: e for e in ledger_rows(vault) if e["class_kind"] == "item"}
    assert set(destroyed) == set(SIGNUP)
    assert {e["trigger"] for e in destroyed.values()} == {"withdrawal"}
    assert {e["basis"] for e in destroyed.values()} == {"처리 목적 달성 (개인정보 보호법 제21조①)"}
    assert vault.sweep().destroyed_total == 0  # nothing was left for a sweep
