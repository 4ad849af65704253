"""The console, walked end to end in a real browser (Debian's chromium via Playwright) against a
real ``jikimi serve`` over the demo database: the officer signs in with a password and a TOTP code,
works the rights desk (answers one request before its deadline, extends one with a reason, refuses
one on a legal ground), reviews the month's access log and asks a handler to justify an alert (소명),
which the handler answers from their own sign-in and the officer closes, signs the month's
destruction ledger, and compares a draft policy with the one in force and schedules its notice.
Every page passes ``check_page`` (axe-core, 360 px, a screenshot in out/screenshots/).

What the walk works on is made the way a service makes it: members signed up, requests filed and
a withdrawal through the API with the demo handlers' tokens; the alert by a handler's refused
reads, also through the API."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from jikimi.audit.alerts import DENIALS_LIMIT
from jikimi.periods import kst_day

from .conftest import DRAFT, Demo, PageChecks, browser_context, sign_in, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HANDLER = "demo-cs"
"""The handler asked to justify: support, whose role reads for membership and support only."""
_serial = itertools.count(1)
_people: list[dict[str, str]] = []
"""What the walk's members signed up with: none of it may appear in an address the officer opens."""


def this_month() -> str:
    return kst_day(datetime.now(UTC)).strftime("%Y-%m")


def new_member(demo: Demo) -> str:
    """A member signed up through the API, as the service's sign-up form does."""
    n = next(_serial)
    data = {
        "name": f"최산책{n}",
        "birthdate": "1988-05-05",
        "login_id": f"walker{n}",
        "password": f"walk-pass-{n}-secret",
        "mobile": f"010-7{n:03d}-4321",
        "email": f"walker{n}@example.com",
        "ci": f"CIWALK{n:02d}" + "W" * 80,
    }
    _people.append(data)
    body = {"context": "signup", "data": data, "consents": {"marketing": False}, "channel": "web"}
    return str(demo.api("POST", "/v1/subjects", json=body)["subject_id"])


def file_request(demo: Demo, kind: str) -> dict[str, Any]:
    """A rights request the member made by e-mail, received through the API."""
    body = {"subject_id": new_member(demo), "type": kind, "channel": "email"}
    request: dict[str, Any] = demo.api("POST", "/v1/rights/requests", json=body)
    return request


def request_now(demo: Demo, request_id: str) -> dict[str, Any]:
    found: dict[str, Any] = demo.api("GET", f"/v1/rights/requests/{request_id}")
    return found


def assert_no_one_named_in_an_address(page: Any) -> None:
    values = {p[k] for p in _people for k in ("name", "email", "mobile", "login_id")}
    values |= {v.replace("-", "") for v in values}
    named = [url for url in page.jikimi_urls if any(v in unquote(url) for v in values)]
    assert not named, f"addresses naming a member: {named}"


def menu(page: Any, name: str) -> None:
    """Follow the console menu's entry ``name`` (its Korean words)."""
    page.get_by_role("navigation", name="메뉴").get_by_role("link", name=name).click()
    page.wait_for_load_state()


def notice(page: Any) -> str:
    return str(page.get_by_role("status").inner_text())


@pytest.fixture(scope="module")
def officer(browser: Any, axe_script: Path, demo: Demo) -> Iterator[Any]:
    """The officer's browser, signed in once for the whole walk (as a person keeps a tab open)."""
    context = browser_context(browser, demo, axe_script)
    page = watched_page(context)
    sign_in(page, demo)
    yield page
    context.close()


def test_the_officer_signs_in_with_a_password_and_a_totp_code_and_sees_the_dashboard(
    new_page: Any, demo: Demo, check_page: PageChecks
) -> None:
    file_request(demo, "access")
    page = new_page()
    sign_in(page, demo, check=check_page)
    assert page.locator("h1").inner_text().startswith("현황")
    assert "로그인했습니다" in notice(page)
    rights = page.locator("section[aria-labelledby=rights-h]")
    assert re.search(r"처리 중 [1-9]\d*건", rights.inner_text()), "open requests, by deadline"
    assert "남음" in rights.inner_text()
    check_page(page, "console-dashboard")
    menu(page, "현황")  # the notice was shown once
    assert page.get_by_role("status").count() == 0


def test_the_officer_answers_a_request_before_its_deadline(
    officer: Any, demo: Demo, check_page: PageChecks
) -> None:
    filed = file_request(demo, "access")
    menu(officer, "권리 행사")
    check_page(officer, "console-rights")
    officer.get_by_role("link", name=filed["id"]).click()
    officer.wait_for_url(f"**/console/rights/{filed['id']}")
    check_page(officer, "console-rights-request")

    officer.get_by_label("확인한 방법 또는 코드").fill("등록된 휴대전화로 다시 걸어 본인 확인")
    officer.get_by_role("button", name="본인 확인").click()
    officer.wait_for_url(f"**/console/rights/{filed['id']}")
    assert request_now(demo, filed["id"])["verified_at"] is not None
    officer.get_by_role("link", name="열람 자료 미리 보기").click()
    officer.wait_for_url(f"**/console/rights/{filed['id']}/package")
    check_page(officer, "console-rights-package")
    officer.go_back()

    officer.get_by_role("button", name=re.compile(r"^답변 ")).click()
    officer.wait_for_url(f"**/console/rights/{filed['id']}")
    answered = request_now(demo, filed["id"])
    assert answered["status"] == "answered", answered
    assert answered["answered_at"] < answered["due_at"] and not answered["overdue"]
    assert "처리" in officer.locator("dl.facts").inner_text()
    check_page(officer, "console-rights-answered")
    assert_no_one_named_in_an_address(officer)


def test_the_officer_extends_a_request_with_a_reason(
    officer: Any, demo: Demo, check_page: PageChecks
) -> None:
    filed = file_request(demo, "access")
    officer.goto(f"/console/rights/{filed['id']}")
    later = date.fromisoformat(filed["due_day"]) + timedelta(days=14)
    officer.get_by_label("새 기한").fill(later.isoformat())
    officer.get_by_label("연기 사유").fill("자료가 세 시스템에 나뉘어 있어 모으는 데 시간이 더 걸립니다")
    officer.get_by_role("button", name=re.compile(r"^연기 ")).click()
    officer.wait_for_url(f"**/console/rights/{filed['id']}")
    extended = request_now(demo, filed["id"])
    assert extended["status"] == "extended" and extended["due_day"] == later.isoformat(), extended
    facts = officer.locator("dl.facts").inner_text()
    assert later.isoformat() in facts and "1번" in facts
    assert (
        "세 시스템"
        in officer.locator("#h-history + .table-wrap, section[aria-labelledby=h-history]").last.inner_text()
    )
    check_page(officer, "console-rights-extended")
    assert_no_one_named_in_an_address(officer)


def test_the_officer_refuses_a_request_on_a_legal_ground(
    officer: Any, demo: Demo, check_page: PageChecks
) -> None:
    filed = file_request(demo, "deletion")
    officer.goto(f"/console/rights/{filed['id']}")
    ground = officer.locator("#refuse-ground")
    ground.select_option(index=1)
    chosen = ground.input_value()
    officer.locator("#refuse-note").fill("전자상거래법에 따라 대금결제 기록을 5년 보존해야 합니다")
    officer.get_by_role("button", name=re.compile(r"^거절 ")).click()
    officer.wait_for_url(f"**/console/rights/{filed['id']}")
    refused = request_now(demo, filed["id"])
    assert refused["status"] == "refused" and refused["refusal_ground"] == chosen, refused
    notice_section = officer.locator("section[aria-labelledby=h-refusal]")
    assert "이의" in notice_section.inner_text() or "분쟁" in notice_section.inner_text(), "how to object"
    check_page(officer, "console-rights-refused")
    assert_no_one_named_in_an_address(officer)


def test_the_officer_reviews_the_month_asks_for_a_justification_the_handler_answers_and_it_is_closed(
    officer: Any, new_page: Any, demo: Demo, check_page: PageChecks
) -> None:
    member = demo.example("member")
    for _ in range(DENIALS_LIMIT + 1):  # support reading for marketing: refused each time, and logged
        answer = httpx.post(
            f"{demo.url}/v1/subjects/{member}/read",
            headers=demo.headers(HANDLER),
            json={"items": ["email"], "purpose": "marketing"},
            timeout=30,
        )
        assert answer.status_code == 403, answer.text
    month = this_month()
    menu(officer, "접속기록 점검")
    if not officer.locator("h1").inner_text().endswith(month):  # it opens on last month
        officer.get_by_role("link", name=f"{month} →").click()
        officer.wait_for_url(f"**/console/review?month={month}")
    check_page(officer, "console-review")
    alert = officer.locator("article.card").filter(has_text="반복된 거부").filter(has_text=HANDLER).first
    assert "role_not_allowed" in alert.inner_text()
    alert.get_by_role("button", name="소명 요청").click()
    officer.wait_for_url(f"**/console/review?month={month}")
    assert f"{HANDLER}에게 소명을 요청했습니다" in notice(officer)
    check_page(officer, "console-review-asked")

    handler = new_page()
    sign_in(handler, demo, HANDLER)
    menu(handler, "소명")
    check_page(handler, "console-justifications-handler")
    mine = handler.locator(
        "section[aria-labelledby=mine-h] article, section[aria-labelledby=mine-h] .card"
    ).first
    mine.get_by_label("답변").fill(
        "회원 문의에 답하려고 마케팅 목적으로 잘못 골랐습니다. 이후 회원 관리로 조회합니다."
    )
    mine.get_by_role("button", name="답변 보내기").click()
    handler.wait_for_url("**/console/justifications")
    assert "답변했습니다" in notice(handler)
    check_page(handler, "console-justifications-answered")

    menu(officer, "소명")
    answered = officer.locator("section[aria-labelledby=all-h] .card").filter(has_text=HANDLER).first
    assert "잘못 골랐습니다" in answered.inner_text()
    answered.get_by_label("종결 결과").select_option(index=0)
    answered.get_by_role("button", name="종결").click()
    officer.wait_for_url("**/console/justifications")
    assert f"{HANDLER}의 소명을 종결했습니다" in notice(officer)
    check_page(officer, "console-justifications-closed")


def test_the_officer_signs_the_months_destruction_ledger(
    officer: Any, demo: Demo, check_page: PageChecks
) -> None:
    leaving = new_member(demo)
    demo.api("POST", f"/v1/subjects/{leaving}/withdraw", json={"reason": "member_request", "channel": "web"})
    month = this_month()
    menu(officer, "파기 기록")
    if not officer.locator("h1").inner_text().endswith(month):  # it opens on last month
        officer.get_by_role("link", name=f"{month} →").click()
        officer.wait_for_url(f"**/console/ledger?month={month}")
    check_page(officer, "console-ledger")
    entries = officer.locator("section[aria-labelledby=entries-h]")
    assert "withdrawal" in entries.inner_text() or "탈퇴" in entries.inner_text()
    officer.get_by_label("메모").fill("이번 달 탈퇴 파기분 확인")
    officer.get_by_role("button", name=re.compile("서명합니다")).click()
    officer.wait_for_url(f"**/console/ledger?month={month}")
    signed = officer.locator("section[aria-labelledby=signoff-h]").inner_text()
    assert "demo-admin" in signed and "SHA-256" in signed, signed
    check_page(officer, "console-ledger-signed")
    assert_no_one_named_in_an_address(officer)


def test_the_officer_compares_a_draft_with_the_policy_in_force_and_schedules_its_notice(
    officer: Any, demo: Demo, check_page: PageChecks
) -> None:
    menu(officer, "처리방침")
    check_page(officer, "console-policy")
    officer.get_by_label("새 버전").select_option(DRAFT)
    officer.get_by_role("button", name="비교").click()
    officer.wait_for_url("**/console/policy/diff?**")
    check_page(officer, "console-policy-diff")
    needed = officer.locator("section[aria-labelledby=notice-h]").inner_text()
    assert "일" in needed, needed  # the notice days the change needs
    earliest = officer.get_by_label("시행일").input_value()
    assert date.fromisoformat(earliest) > kst_day(datetime.now(UTC))
    officer.get_by_role("button", name=re.compile("고지합니다")).click()
    officer.wait_for_url("**/console/policy")
    assert "고지했습니다" in notice(officer) and earliest in notice(officer)
    check_page(officer, "console-policy-published")


def test_the_officer_signs_in_with_the_keyboard_alone_and_skips_to_the_content(
    new_page: Any, demo: Demo
) -> None:
    page = new_page()
    page.goto("/console/sign-in")
    assert page.evaluate("document.activeElement.id") == "login", "the login field has the focus"
    page.keyboard.type("demo-admin")
    page.keyboard.press("Tab")
    page.keyboard.type(demo.staff()["password"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/sign-in/code")
    assert page.evaluate("document.activeElement.id") == "code"
    page.keyboard.type(demo.code())
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'main'")


def test_every_page_of_the_officers_menu_passes_the_checks(officer: Any, check_page: PageChecks) -> None:
    """Every page a person needs is reachable from the menu, and each passes check_page."""
    officer.goto("/console/")
    entries = officer.get_by_role("navigation", name="메뉴").get_by_role("link")
    paths = [entries.nth(i).get_attribute("href") for i in range(entries.count())]
    assert len(paths) >= 10, paths
    for path in paths:
        officer.goto(path)
        assert officer.url.endswith(path), f"{path} sent the officer to {officer.url}"
        slug = path.strip("/").replace("/", "-") or "console"
        check_page(officer, f"menu-{slug}")


def test_an_error_is_a_page_of_its_own(officer: Any, check_page: PageChecks) -> None:
    answer = officer.goto("/console/rights/AAAAAAAAAAAAAAAAAAAAAA")
    assert answer.status == 404
    assert "요구" in officer.locator("main").inner_text()
    check_page(officer, "console-error-404")
