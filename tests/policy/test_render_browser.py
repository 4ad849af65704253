"""The published 처리방침 looks right in a real browser (Debian's chromium driven by Playwright).

Skipped when /usr/bin/chromium is missing, except in CI (CI=true), where it must run. Screenshots
are kept at /tmp/jikimi-render.png (the top of the page) and /tmp/jikimi-render-full.png.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from jikimi.policy.model import Policy
from jikimi.policy.render import render_html
from tests.conftest import EXAMPLES, SEEDS

from ..policies import cached_policy as load_policy

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/jikimi-render.png")


@pytest.fixture(scope="module")
def policy() -> Policy:
    """The reference policy, else the first seed present."""
    for name in ["reference", *SEEDS]:
        if (EXAMPLES / f"{name}.yaml").exists():
            return load_policy(EXAMPLES / f"{name}.yaml")
    pytest.skip("no example policy to render")


@pytest.fixture
def page_url(policy: Policy, tmp_path: Path) -> str:
    page = tmp_path / "policy.html"
    page.write_text(render_html(policy), encoding="utf-8")
    return page.as_uri()


def _sections(policy: Policy) -> int:
    return render_html(policy).count('<section id="') - 1  # without the summary label


def test_the_page_shows_its_title_label_first_and_a_visible_table_of_contents(
    browser: Any, policy: Policy, page_url: str, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(page_url)
    assert page.title().startswith(policy.title)
    assert page.locator("h1").is_visible()
    toc = page.locator("nav.toc")
    assert toc.is_visible()
    links = toc.locator("a")
    assert links.count() == _sections(policy) + 1
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    headings = page.locator("main h2")
    assert headings.count() == _sections(policy) + 1
    assert all(headings.nth(i).is_visible() for i in range(headings.count()))

    label = page.locator("#summary table").bounding_box()
    first = page.locator("main section:not(#summary)").first.bounding_box()
    assert label is not None and first is not None
    assert label["y"] < 900, "the summary label is in the first screen"
    assert label["y"] + label["height"] <= first["y"], "the summary label comes before the sections"

    page.screenshot(path=str(tmp_path / "render.png"), full_page=True)
    shutil.copy(tmp_path / "render.png", SCREENSHOT.with_name("jikimi-render-full.png"))
    page.screenshot(
        path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": 1280, "height": 1400}, full_page=True
    )
    assert SCREENSHOT.stat().st_size > 10_000
    page.close()


def test_a_table_of_contents_link_brings_its_section_into_view(browser: Any, page_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(page_url)
    page.locator('nav.toc a[href="#changes"]').click()
    page.wait_for_function("location.hash === '#changes'")
    top = page.evaluate("document.getElementById('changes').getBoundingClientRect().top")
    assert 0 <= top < 900
    page.close()


def test_the_skip_link_appears_on_focus_and_leads_to_the_content(browser: Any, page_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(page_url)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#content'")
    page.close()


def test_on_a_phone_nothing_overflows_and_the_contents_come_before_the_label(
    browser: Any, page_url: str
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(page_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    toc, label = page.locator("nav.toc").bounding_box(), page.locator("#summary").bounding_box()
    assert toc is not None and label is not None and toc["y"] < label["y"]
    page.close()


def test_printing_leaves_out_the_table_of_contents(browser: Any, page_url: str) -> None:
    page = browser.new_page()
    page.goto(page_url)
    page.emulate_media(media="print")
    assert not page.locator("nav.toc").is_visible()
    assert page.locator("#summary table").is_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
    page.close()
