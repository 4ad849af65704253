"""The privacy center, walked end to end in a real browser (Debian's chromium via Playwright, at a
phone's 360 px) against a real ``jikimi serve`` over the demo database: a member comes in from the
service's link, sees their data and downloads it, turns marketing e-mail off with one click, files
a deletion request and sees its deadline; a guardian comes in for a demo child and acts for them.
Every page passes ``check_page`` (axe-core, 360 px, a screenshot in out/screenshots/)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from jikimi.periods import kst_day

from .conftest import PHONE, Demo, PageChecks

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def service_link(demo: Demo, subject_id: str, acting_as: str = "self") -> str:
    """What the service's backend does for its signed-in member: ask jikimi for a link."""
    link = demo.api("POST", "/v1/privacy/sessions", json={"subject_id": subject_id, "acting_as": acting_as})
    url = str(link["url"])
    assert url.startswith("/privacy/enter?token="), url
    return url


def menu(page: Any, name: str) -> None:
    """Follow the menu entry ``name`` (its Korean words), as a person taps it."""
    page.get_by_role("navigation", name="메뉴").get_by_role("link", name=name).click()
    page.wait_for_load_state()


def requests_of(demo: Demo, subject_id: str) -> list[dict[str, Any]]:
    queue = demo.api("GET", "/v1/rights/requests", params={"status": "all"})["requests"]
    return [r for r in queue if r["subject_id"] == subject_id]


def consent_card(page: Any, heading: str) -> Any:
    return page.locator(".card").filter(has=page.get_by_role("heading", name=heading)).first


def may_email_ads(demo: Demo, subject_id: str) -> tuple[bool, str | None]:
    """The service's send check for an advertising e-mail to the subject tomorrow at 10:00 KST."""
    tomorrow = kst_day(datetime.now(UTC)) + timedelta(days=1)
    body = {"subject_ids": [subject_id], "channel": "email", "send_at": f"{tomorrow}T10:00:00+09:00"}
    [result] = demo.api("POST", "/v1/marketing/check", json=body)["results"]
    return bool(result["allowed"]), result["reason"]


def turn_marketing_email_off(page: Any, demo: Demo, member: str) -> None:
    """One click on the e-mail card of the consents page; the service's next send check refuses."""
    assert "email" in demo.ad_channels, "the reference policy asks advertising consent per channel"
    assert may_email_ads(demo, member) == (True, "allowed")
    card = consent_card(page, "이메일")
    assert "동의함" in card.inner_text(), card.inner_text()
    card.get_by_role("button", name="동의 철회").click()
    page.wait_for_url("**/privacy/consents")
    assert "동의를 철회했습니다" in page.get_by_role("status").inner_text()
    assert "동의하지 않음" in consent_card(page, "이메일").inner_text()
    assert "동의함" in consent_card(page, "마케팅").inner_text(), "only the e-mail channel is off"
    assert may_email_ads(demo, member) == (False, "no_channel_consent")


def test_a_member_from_the_service_link_sees_their_data_turns_marketing_email_off_and_asks_for_deletion(
    new_page: Any, demo: Demo, check_page: PageChecks
) -> None:
    member = demo.example("member")  # signed up with the marketing consent given
    demo.api("POST", f"/v1/subjects/{member}/ad-consents/email")  # and e-mail ads, on the service
    held = demo.api(
        "POST", f"/v1/subjects/{member}/read", json={"items": ["name", "email"], "purpose": "membership"}
    )
    page = new_page(PHONE)
    page.goto("/privacy/")
    check_page(page, "privacy-entry")

    url = service_link(demo, member)
    page.goto(url)
    page.wait_for_url("**/privacy/me")
    assert "token" not in page.url, "the link's token does not stay in the address bar"
    assert page.locator("h1").inner_text().startswith("내 정보")
    items = page.locator("section#items").inner_text()
    assert held["values"]["name"] in items and held["values"]["email"] in items, items
    check_page(page, "privacy-me")
    with page.expect_download() as download:
        page.get_by_role("link", name="전부 내려받기").click()
    package = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert held["values"]["email"] in json.dumps(package, ensure_ascii=False)

    again = new_page(PHONE)
    again.goto(url)  # the link opens once
    assert "/privacy/me" not in again.url
    check_page(again, "privacy-link-used")

    menu(page, "내 동의")
    check_page(page, "privacy-consents")
    turn_marketing_email_off(page, demo, member)
    check_page(page, "privacy-consents-withdrawn")

    menu(page, "내 요구")
    check_page(page, "privacy-requests")
    page.get_by_role("radio", name="삭제").check()
    page.get_by_role("button", name="요구하기").click()
    page.wait_for_url("**/privacy/requests")
    [filed] = [r for r in requests_of(demo, member) if r["type"] == "deletion"]
    assert filed["status"] == "received" and filed["channel"] == "web"
    due = date.fromisoformat(filed["due_day"])
    row = page.locator("tbody tr").filter(has_text=filed["id"])
    assert due.isoformat() in row.inner_text(), row.inner_text()
    assert "남음" in row.inner_text()
    check_page(page, "privacy-requests-filed")

    page.get_by_role("button", name="나가기").click()
    page.wait_for_url("**/privacy/")
    check_page(page, "privacy-left")
    page.goto("/privacy/me")
    assert page.url.endswith("/privacy/"), "after leaving, the member's pages are closed"
    values = {held["values"]["name"], held["values"]["email"], *held["values"]["email"].split("@")[:1]}
    named = [url for url in page.jikimi_urls if any(v in unquote(url) for v in values)]
    assert not named, f"addresses with the member's name or e-mail: {named}"
    assert len(page.jikimi_urls) > 10


def test_the_policy_and_its_earlier_versions_are_open_to_anyone(
    new_page: Any, demo: Demo, check_page: PageChecks
) -> None:
    page = new_page(PHONE)
    page.goto("/privacy/")
    menu(page, "처리방침")
    check_page(page, "privacy-policy")
    versions = page.locator("table").first.locator("tbody tr")
    assert versions.count() >= 2, "the policy in force and at least one earlier version"
    versions.nth(1).get_by_role("link").first.click()
    page.wait_for_load_state()
    check_page(page, "privacy-policy-earlier")
    page.goto("/privacy/")
    menu(page, "동의 화면")
    check_page(page, "privacy-consent-screens")


def test_a_member_keeps_their_menu_and_the_way_out_on_the_public_pages(new_page: Any, demo: Demo) -> None:
    """The policy and the consent screens are open to anyone; a member who opens them from their
    own menu still has that menu there (back to 내 정보) and the button to leave."""
    page = new_page(PHONE)
    page.goto(service_link(demo, demo.example("member_no_marketing")))
    page.wait_for_url("**/privacy/me")
    for name in ("처리방침", "동의 화면"):
        menu(page, name)
        nav = page.get_by_role("navigation", name="메뉴")
        assert nav.get_by_role("link", name="내 정보").count() == 1, f"{page.url}: no way back to 내 정보"
        assert page.get_by_role("button", name="나가기").count() == 1, f"{page.url}: no way to leave"


def test_a_guardian_acts_for_a_child(new_page: Any, demo: Demo, check_page: PageChecks) -> None:
    child = demo.example("child")
    page = new_page(PHONE)
    page.goto(service_link(demo, child, "guardian"))
    page.wait_for_url("**/privacy/me")
    note = page.get_by_role("note").inner_text()
    assert "법정대리인으로서" in note, note
    check_page(page, "privacy-guardian-me")

    menu(page, "내 동의")
    assert "법정대리인으로서" in page.get_by_role("note").inner_text()
    check_page(page, "privacy-guardian-consents")

    menu(page, "내 요구")
    page.get_by_role("radio", name="열람").check()
    page.get_by_role("button", name="요구하기").click()
    page.wait_for_url("**/privacy/requests")
    [filed] = [r for r in requests_of(demo, child) if r["type"] == "access"]
    assert filed["requester"] == "guardian", filed
    row = page.locator("tbody tr").filter(has_text=filed["id"])
    assert "법정대리인" in row.inner_text() and filed["due_day"] in row.inner_text()
    check_page(page, "privacy-guardian-requests")


def test_every_page_of_the_members_menu_passes_the_checks(
    new_page: Any, demo: Demo, check_page: PageChecks
) -> None:
    page = new_page(PHONE)
    page.goto(service_link(demo, demo.example("member_no_marketing")))
    page.wait_for_url("**/privacy/me")
    entries = page.get_by_role("navigation", name="메뉴").get_by_role("link")
    paths = [entries.nth(i).get_attribute("href") for i in range(entries.count())]
    assert {"/privacy/me", "/privacy/consents", "/privacy/requests", "/privacy/policy"} <= set(paths), paths
    for path in paths:
        page.goto(path)
        check_page(page, "menu-" + path.strip("/").replace("/", "-"))
