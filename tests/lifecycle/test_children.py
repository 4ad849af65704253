"""Children under 14 (reference.yaml, PIPA 22-2, 령 17-2②): until the legal guardian consents only the
guardian's name and contact are held, and if the consent is not confirmed within 7 days
(``confirm_within: P7D``) they are destroyed without delay; a confirmed child's data stays."""

from __future__ import annotations

from datetime import timedelta

from jikimi.clock import FixedClock

from ..conftest import MEMBER
from .conftest import VaultFor, active_slots, key_ids_of, kst, ledger_rows, subject_exists, sweep_at

CHILD = {
    **MEMBER,
    "birthdate": "2016-05-05",
    "login_id": "kid",
    "email": "kid@example.com",
    "mobile": "010-9876-5432",
    "ci": "CI" + "K" * 86,
    "guardian_name": "홍부모",
    "guardian_mobile": "010-1111-2222",
}
# signed up 2026-03-02 10:00 KST; 7 days end at the close of 2026-03-09
DESTROY_AT = kst(2026, 3, 10)


def test_unconfirmed_child_data_is_destroyed_after_seven_days(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("reference")
    sid = jikimi.vault.collect("signup", CHILD).subject_id
    assert jikimi.vault.subject(sid)["status"] == "pending_guardian"
    assert active_slots(jikimi, sid) == {"guardian_name", "guardian_mobile"}  # nothing of the child yet

    sweep_at(jikimi, clock, DESTROY_AT - timedelta(seconds=1))
    assert subject_exists(jikimi, sid)
    report = sweep_at(jikimi, clock, DESTROY_AT)
    assert report.subjects_removed == 1
    assert not subject_exists(jikimi, sid)
    assert key_ids_of(jikimi, sid) == set()
    entries = [e for e in ledger_rows(jikimi) if e["trigger"] == "guardian_not_confirmed"]
    assert sorted((e["class_kind"], e["class_id"], e["count"]) for e in entries) == [
        ("item", "guardian_mobile", 1),
        ("item", "guardian_name", 1),
    ]


def test_confirmed_child_data_is_kept(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("reference")
    sid = jikimi.vault.collect("signup", CHILD).subject_id
    clock.advance(timedelta(days=6))
    jikimi.vault.record_guardian_consent(sid, method="법정대리인 명의 휴대전화 본인확인")
    sweep_at(jikimi, clock, DESTROY_AT)
    sweep_at(jikimi, clock, kst(2026, 6, 1))
    assert jikimi.vault.subject(sid)["status"] == "active"
    assert active_slots(jikimi, sid) == {"guardian_name", "guardian_mobile"}
    assert [e for e in ledger_rows(jikimi) if e["trigger"] == "guardian_not_confirmed"] == []


def test_only_the_late_child_is_destroyed(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("reference")
    early = jikimi.vault.collect("signup", CHILD).subject_id
    clock.set(kst(2026, 3, 5, 23, 0))
    late = jikimi.vault.collect(
        "signup",
        {
            **CHILD,
            "login_id": "kid2",
            "email": "kid2@example.com",
            "mobile": "010-9876-5433",
            "ci": "CI" + "L" * 86,
        },
    ).subject_id
    sweep_at(jikimi, clock, DESTROY_AT)
    assert not subject_exists(jikimi, early)
    assert subject_exists(jikimi, late)
    sweep_at(jikimi, clock, kst(2026, 3, 13) - timedelta(seconds=1))
    assert subject_exists(jikimi, late)
    sweep_at(jikimi, clock, kst(2026, 3, 13))
    assert not subject_exists(jikimi, late)
