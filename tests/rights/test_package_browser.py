"""The HTML access package, looked at in a real browser (Debian's chromium via Playwright)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jikimi.bootstrap import Jikimi
from jikimi.handlers import Handler
from jikimi.rights import RightsDesk
from jikimi.rights.package import package_html

pytestmark = pytest.mark.browser

SECTIONS = {
    "items": "보유 항목과 내용",
    "purposes": "처리 목적과 보유기간",
    "records": "거래·이용 기록",
    "consents": "동의 내역",
    "provisions": "제3자 제공 내역",
    "processors": "처리위탁",
    "separated": "분리 보관",
    "history": "열람·처리 기록",
}


@pytest.fixture
def page_file(
    jikimi: Jikimi, desk: RightsDesk, clerk: Handler, officer: Handler, member: str, tmp_path: Path
) -> Path:
    jikimi.vault.add_record(
        member,
        "payment",
        {"name": "홍길동", "recipient_name": "<b>수령인</b>"},
        datetime(2026, 2, 1, tzinfo=UTC),
    )
    sharing = jikimi.sharing
    sharing.give_consent(member, "nurim_points", actor=officer)
    sharing.provide([member], "nurim_points", ["name", "mobile"], basis="consent", actor=officer)
    request = desk.receive(member, "access", channel="web", actor=clerk).request
    desk.verify(request.id, method="handler", proof="로그인 세션 확인", actor=clerk)
    path = tmp_path / "package.html"
    path.write_text("".join(package_html(desk.package(request.id, actor=clerk))), encoding="utf-8")
    return path


def test_the_html_package_shows_every_section_in_a_browser(browser: Any, page_file: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(page_file.as_uri())
    assert page.title().startswith("개인정보 열람 결과")
    for section_id, heading in SECTIONS.items():
        title = page.locator(f"section#{section_id} h2")
        assert title.is_visible(), section_id
        assert heading in title.inner_text()
        assert page.locator(f'nav a[href="#{section_id}"]').is_visible()
    items = page.locator("section#items").inner_text()
    assert "홍길동" in items and "hong@example.com" in items and "010-1234-5678" in items
    assert "회원 가입 및 관리" in page.locator("section#purposes").inner_text()
    assert "3개월" in page.locator("section#purposes").inner_text()
    records = page.locator("section#records").inner_text()
    assert "<b>수령인</b>" in records  # shown as text, never as markup
    assert page.locator("section#records b").count() == 0
    assert "주식회사 누림포인트" in page.locator("section#provisions").inner_text()
    assert "주식회사 누리클라우드" in page.locator("section#processors").inner_text()
    assert "2026-03-02" in page.locator("section#consents").inner_text()
    assert "개인정보취급자" in page.locator("section#history").inner_text()
    page.close()


def test_on_a_phone_the_package_does_not_overflow_sideways(browser: Any, page_file: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(page_file.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
