"""The privacy officer signs a month's destruction ledger (the standard guideline's 파기 기록 확인):
the signature records who, when, how many entries and the SHA-256 of the text signed; a month
signed once is not signed again unless its ledger changed since, and every signature (and every
refused attempt) is an access-log row."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import SYSTEM, Handler
from jikimi.store.tables import access_log

from ..conftest import MEMBER
from .conftest import VaultFor, kst


def officer(jikimi: Jikimi) -> Handler:
    jikimi.handlers.define_role("officer", purposes=["*"], actions=["admin", "audit"])
    handler, _ = jikimi.handlers.create("officer-kim", "correct horse battery", role="officer")
    return handler


def withdrawn_member(jikimi: Jikimi, clock: FixedClock, when: tuple[int, int, int]) -> None:
    """A member who signs up and withdraws on ``when`` (KST), each with their own look-up values."""
    day = when[2]
    member = MEMBER | {
        "login_id": f"member{day}",
        "email": f"m{day}@example.com",
        "mobile": f"010-1234-{5600 + day}",
        "ci": "CI" + chr(ord("A") + day % 26) * 86,
    }
    sid = jikimi.vault.collect("signup", member, {"marketing": True}).subject_id
    clock.set(kst(*when, 10))
    jikimi.lifecycle.withdraw(sid, "member_request")


def sign_rows(jikimi: Jikimi) -> list[tuple[str, str, str | None]]:
    with jikimi.core.engine.connect() as conn:
        found = conn.execute(
            select(access_log.c.actor, access_log.c.outcome, access_log.c.reason)
            .where(access_log.c.action == "ledger.sign")
            .order_by(access_log.c.at)
        )
        return [(r.actor, r.outcome, r.reason) for r in found]


def test_the_signature_records_who_when_how_many_and_the_digest_of_the_text(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("reference")
    kim = officer(jikimi)
    withdrawn_member(jikimi, clock, (2026, 3, 20))
    clock.set(kst(2026, 4, 2, 9, 30))
    signed = jikimi.lifecycle.signoffs.sign("2026-03", note="확인함, 문의 010-1234-5678", actor=kim)
    assert (signed.month, signed.signer_login, signed.signed_at) == (
        "2026-03",
        "officer-kim",
        kst(2026, 4, 2, 9, 30),
    )
    assert signed.entries == len(jikimi.lifecycle.ledger("2026-03")) > 0
    assert signed.note == "확인함, 문의 <전화번호>"  # free text is scrubbed at rest
    # the text signed can be printed again, and its SHA-256 is the digest recorded
    text = jikimi.lifecycle.signoffs.signed_text("2026-03")
    assert text is not None and "출력 (Printed): 2026-04-02 09:30 KST" in text
    assert hashlib.sha256(text.encode()).hexdigest() == signed.digest
    month = jikimi.lifecycle.signoffs.month("2026-03")
    assert month.signoff == signed and not month.changed and month.new_entries == 0
    assert sign_rows(jikimi) == [
        ("officer-kim", "allowed", f"month=2026-03; entries={signed.entries}; sha256={signed.digest}")
    ]


def test_a_month_signed_is_not_signed_again_until_its_ledger_changes(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("reference")
    kim = officer(jikimi)
    withdrawn_member(jikimi, clock, (2026, 3, 5))
    clock.set(kst(2026, 3, 10))
    first = jikimi.lifecycle.signoffs.sign("2026-03", actor=kim)  # a month signed before it ended
    with pytest.raises(StateConflict, match="officer-kim"):
        jikimi.lifecycle.signoffs.sign("2026-03", actor=kim)
    withdrawn_member(jikimi, clock, (2026, 3, 25))  # later destructions of the same month
    month = jikimi.lifecycle.signoffs.month("2026-03")
    assert month.changed and month.new_entries > 0
    clock.set(kst(2026, 4, 1, 9))
    second = jikimi.lifecycle.signoffs.sign("2026-03", actor=kim)
    assert second.entries > first.entries and second.digest != first.digest
    assert jikimi.lifecycle.signoffs.signoff("2026-03") == second
    # the replaced signature stays in the access log
    reasons = [reason or "" for _, _, reason in sign_rows(jikimi)]
    assert reasons[-1].endswith(f"replaces={first.digest}") and first.digest in reasons[0]


def test_a_month_with_nothing_destroyed_can_be_signed(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("reference")
    signed = jikimi.lifecycle.signoffs.sign("2026-02", actor=officer(jikimi))
    assert signed.entries == 0
    assert "파기한 개인정보가 없습니다" in (jikimi.lifecycle.signoffs.signed_text("2026-02") or "")


def test_only_the_officers_account_signs_and_a_refusal_is_logged(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    jikimi = vault_for("reference")
    jikimi.handlers.define_role("auditor", purposes=[], actions=["audit"])
    auditor, _ = jikimi.handlers.create("auditor-lee", "correct horse battery", role="auditor")
    with pytest.raises(Denied):
        jikimi.lifecycle.signoffs.sign("2026-02", actor=auditor)
    with pytest.raises(Denied):  # jikimi's own processes sign nothing: a signature names a person
        jikimi.lifecycle.signoffs.sign("2026-02", actor=SYSTEM)
    assert jikimi.lifecycle.signoffs.signoff("2026-02") is None
    assert [(a, o) for a, o, _ in sign_rows(jikimi)] == [
        ("auditor-lee", "denied:action_not_allowed"),
        ("system", "denied:action_not_allowed"),
    ]


def test_a_month_not_yet_begun_has_nothing_to_sign(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("reference")
    with pytest.raises(InvalidInput):
        jikimi.lifecycle.signoffs.sign("2026-04", actor=officer(jikimi))


def test_the_dashboard_knows_when_a_sweep_last_acted(vault_for: VaultFor, clock: FixedClock) -> None:
    jikimi = vault_for("reference")
    assert jikimi.lifecycle.last_sweep() is None
    withdrawn_member(jikimi, clock, (2026, 3, 5))
    clock.set(kst(2026, 6, 21, 3))  # the login id's three months have run out: the sweep destroys it
    assert jikimi.lifecycle.sweep().subjects
    assert jikimi.lifecycle.last_sweep() == kst(2026, 6, 21, 3)
    clock.set(kst(2026, 9, 1))
    assert jikimi.lifecycle.last_sweep() is None  # looked for within the last 40 days only
