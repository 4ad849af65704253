"""The destruction ledger in the console: the month's entries and the officer's sign-off, recorded with
who and when (the standard guideline's 파기 기록 확인), behind the CSRF token of the officer's session."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.periods import KST
from jikimi.store.tables import access_log

from ..conftest import MEMBER
from .conftest import Staff, csrf_of, post_form, sign_in


def a_member_left(jikimi: Jikimi, clock: FixedClock, when: datetime) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    clock.set(when)
    jikimi.lifecycle.withdraw(sid, "member_request")


def test_the_month_shows_its_entries_and_the_sign_off_is_recorded_with_who_and_when(
    web_client: TestClient, officer: Staff, web_jikimi: Jikimi, clock: FixedClock
) -> None:
    a_member_left(web_jikimi, clock, datetime(2026, 3, 20, 16, 30, tzinfo=KST))
    clock.set(datetime(2026, 4, 1, 9, 14, tzinfo=KST))
    console = web_client
    sign_in(console, officer, clock)  # the clock moves a TOTP step on: 09:14:30
    page = console.get("/console/ledger")  # last month by default: the one signed at the start of this
    assert page.status_code == 200
    assert "2026-03" in page.text and "아직 서명하지 않았습니다" in page.text
    assert "이메일" in page.text and "탈퇴·목적 달성" in page.text  # classes by their labels, the trigger
    entries = len(web_jikimi.lifecycle.ledger("2026-03"))

    done = console.post(
        "/console/ledger/sign", data={"csrf": csrf_of(page.text), "month": "2026-03", "note": "확인"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/console/ledger?month=2026-03"
    signed = console.get(done.headers["location"])
    assert "officer-kim" in signed.text and "2026-04-01 09:14" in signed.text
    assert "서명했습니다" in signed.text  # the one-time notice after the post
    signoff = web_jikimi.lifecycle.signoffs.signoff("2026-03")
    assert signoff is not None and (signoff.signer_login, signoff.entries) == ("officer-kim", entries)
    assert signoff.digest in signed.text
    assert 'action="/console/ledger/sign"' not in signed.text  # nothing left to sign
    # the printable text is the one signed: its SHA-256 is the digest shown
    text = console.get("/console/ledger.txt?month=2026-03")
    assert text.headers["content-type"].startswith("text/plain")
    assert hashlib.sha256(text.text.rstrip("\n").encode()).hexdigest() == signoff.digest
    with web_jikimi.core.engine.connect() as conn:
        rows = conn.execute(select(access_log.c.actor).where(access_log.c.action == "ledger.sign")).all()
    assert [r.actor for r in rows] == ["officer-kim"]


def test_signing_without_the_csrf_token_is_refused(console: TestClient, web_jikimi: Jikimi) -> None:
    refused = console.post("/console/ledger/sign", data={"month": "2026-02"})
    assert refused.status_code == 403
    assert web_jikimi.lifecycle.signoffs.signoff("2026-02") is None


def test_a_month_signed_twice_says_who_signed_it_first(console: TestClient, web_jikimi: Jikimi) -> None:
    first = post_form(console, "/console/ledger?month=2026-02", "/console/ledger/sign", {"month": "2026-02"})
    assert first.status_code == 303  # type: ignore[attr-defined]
    page = console.get("/console/")
    again = console.post("/console/ledger/sign", data={"csrf": csrf_of(page.text), "month": "2026-02"})
    assert again.status_code == 409 and "officer-kim" in again.text


def test_an_auditor_reads_the_ledger_but_does_not_sign_it(
    console_as: Callable[[str, str], TestClient], web_jikimi: Jikimi
) -> None:
    auditor = console_as("auditor-lee", "auditor")
    page = auditor.get("/console/ledger?month=2026-02")
    assert page.status_code == 200 and 'action="/console/ledger/sign"' not in page.text
    refused = auditor.post("/console/ledger/sign", data={"csrf": csrf_of(page.text), "month": "2026-02"})
    assert refused.status_code == 403
    assert web_jikimi.lifecycle.signoffs.signoff("2026-02") is None


def test_a_handler_without_the_audit_action_does_not_see_the_ledger(
    console_as: Callable[[str, str], TestClient],
) -> None:
    support = console_as("cs-park", "cs")
    assert support.get("/console/ledger").status_code == 403
    assert 'href="/console/ledger"' not in support.get("/console/").text  # nor its menu entry


def test_a_month_that_is_not_one_is_a_page_not_a_traceback(console: TestClient) -> None:
    assert console.get("/console/ledger?month=2026-13").status_code in (400, 422)
