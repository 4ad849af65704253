"""Free text is masked before it is stored: a phone number typed into a read's reason, or into a
provision's reference, never reaches the access log or the ledger, so it cannot outlive the member."""

from __future__ import annotations

from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.core import scrub
from jikimi.handlers import Handler
from jikimi.store.tables import access_log, rights_events, rights_requests

from .conftest import MEMBER

TYPED = "고객 010-9876-5432 요청으로 확인 (hong@example.com)"


def _logged_text(jikimi: Jikimi) -> str:
    with jikimi.core.engine.connect() as conn:
        return "\n".join(str(r.reason) for r in conn.execute(select(access_log.c.reason)) if r.reason)


def test_a_phone_number_typed_into_a_reason_is_stored_as_its_type(jikimi: Jikimi, officer: Handler) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    jikimi.vault.read(sid, ["email"], "membership", officer, reason=TYPED)
    logged = _logged_text(jikimi)
    assert "010-9876-5432" not in logged and "hong@example.com" not in logged
    assert "고객 <전화번호> 요청으로 확인 (<이메일>)" in logged
    jikimi.lifecycle.withdraw(sid, "member_request")
    jikimi.lifecycle.sweep()
    assert "9876" not in _logged_text(jikimi)


def test_ids_codes_and_warrant_numbers_pass_unchanged() -> None:
    note = (
        "third_party=police; basis=law; batch=3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6; "
        "reference=서울중앙지법 2026-영장-0042"
    )
    assert scrub(note) == note
    assert scrub(None) is None and scrub("") == ""


def test_a_phone_number_typed_into_a_refusal_note_is_stored_as_its_type(
    jikimi: Jikimi, officer: Handler
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    jikimi.handlers.define_role("privacy_team", purposes=[], actions=["rights"])
    clerk, _ = jikimi.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
    request = jikimi.rights.receive(sid, "access", channel="email", actor=clerk).request
    refused = jikimi.rights.refuse(request.id, ground="identity_not_verified", note=TYPED, actor=clerk)
    assert refused.note is not None and "010-9876-5432" not in refused.note and "<전화번호>" in refused.note
    with jikimi.core.engine.connect() as conn:
        stored = [str(r.note) for r in conn.execute(select(rights_events.c.note)) if r.note]
        stored += [str(r.note) for r in conn.execute(select(rights_requests.c.note)) if r.note]
    assert stored and not any("9876" in note or "hong@example.com" in note for note in stored)
