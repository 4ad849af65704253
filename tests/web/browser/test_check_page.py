"""``check_page`` itself: it really runs axe-core and really measures the width, so a walk that
passes it means something. A page made here (no server) with a missing label, one too wide for a
phone, and a clean one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import SCREENSHOTS, PageChecks

pytestmark = pytest.mark.browser

CLEAN = '<!doctype html><html lang="ko"><head><title>시험</title></head><body><main><h1>시험</h1>'
END = "</main></body></html>"


@pytest.fixture
def blank(browser: Any, axe_script: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(axe_script))
    yield context.new_page()
    context.close()


def test_a_clean_page_passes_and_leaves_its_screenshot(blank: Any) -> None:
    blank.set_content(CLEAN + "<label for='q'>검색</label><input id='q'>" + END)
    check = PageChecks()
    check(blank, "selftest-clean")
    assert check.checked == ["selftest-clean"]
    assert (SCREENSHOTS / "selftest-clean-360.png").stat().st_size > 1000
    assert blank.viewport_size == {"width": 1280, "height": 900}, "the page's own size comes back"


def test_an_input_without_a_label_is_a_critical_violation(blank: Any) -> None:
    blank.set_content(CLEAN + "<input id='q'>" + END)
    with pytest.raises(AssertionError, match="critical label"):
        PageChecks()(blank, "selftest-label")


def test_low_contrast_text_is_a_serious_violation(blank: Any) -> None:
    blank.set_content(CLEAN + "<p style='color:#bbb;background:#fff'>흐린 글씨</p>" + END)
    with pytest.raises(AssertionError, match="serious color-contrast"):
        PageChecks()(blank, "selftest-contrast")


def test_text_as_light_as_its_background_is_a_serious_violation(blank: Any) -> None:
    button = (
        "<button style='background:#fff;color:#123'>나가기 <span style='color:#fff'>Leave</span></button>"
    )
    blank.set_content(CLEAN + button + END)
    with pytest.raises(AssertionError, match="serious color-contrast: Text has a 1:1 contrast ratio"):
        PageChecks()(blank, "selftest-invisible")


def test_text_squeezed_a_letter_a_line_on_a_phone_fails(blank: Any) -> None:
    grid = "<dl style='display:grid;grid-template-columns:minmax(7rem,max-content) 1fr'>"
    term = "<dt>아주 긴 제목이 붙은 항목 이름과 그 설명 Changes and more</dt>"
    blank.set_content(CLEAN + grid + term + "<dd>7건, 그중 중요 변경 1건</dd></dl>" + END)
    with pytest.raises(AssertionError, match="squeezes text"):
        PageChecks()(blank, "selftest-squeezed")


def test_a_page_wider_than_a_phone_fails(blank: Any) -> None:
    blank.set_content(CLEAN + "<table><tr><td style='min-width:500px'>넓은 표</td></tr></table>" + END)
    with pytest.raises(AssertionError, match="scrolls sideways at 360 px"):
        PageChecks()(blank, "selftest-wide")
