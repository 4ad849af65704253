"""The privacy center (``/privacy/``) as a member and a guardian use it in a browser: in by the
service's link (once) or a one-time code; my data as a page and a download, each a logged read; a
consent withdrawn and given again with one click each (PIPA 38④); a deletion request and its
deadline in Korean time; a guardian acting for a child; and no personal value in any URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.notices.privacy_codes import with_code
from jikimi.store.engine import make_engine

from ..conftest import EXAMPLES, MEMBER  # noqa: TID252
from ..databases import fresh_database  # noqa: TID252
from ..notices.marketing_setup import SIGNUP as MECROSS_SIGNUP  # noqa: TID252
from ..policies import cached_policy  # noqa: TID252
from ..vault.conftest import fast_passwords  # noqa: TID252
from .conftest import csrf_of
from .privacy_helpers import CHILD, PERSONAL, backend, child, enter, join, links_of, log_rows, queued

MEMBER_PAGES = [
    "/privacy/me",
    "/privacy/consents",
    "/privacy/requests",
    "/privacy/policy",
    "/privacy/consent-screens",
]
PUBLIC_PAGES = ["/privacy/", "/privacy/policy", "/privacy/consent-screens"]


def signed_in(client: TestClient, jikimi: Jikimi, subject_id: str, acting_as: str = "self") -> None:
    answer = enter(client, jikimi, subject_id, acting_as)
    assert answer.status_code == 303 and answer.headers["location"] == "/privacy/me", answer.text


def post(client: TestClient, page: str, action: str, fields: dict[str, str | list[str]]) -> object:
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return client.post(action, data={"csrf": csrf_of(shown.text), **fields})


# -- getting in ----------------------------------------------------------------------------------


def test_the_services_link_opens_the_center_once_and_leaves_no_token_in_the_address(
    web_jikimi: Jikimi, web_client: TestClient
) -> None:
    sid = join(web_jikimi)
    link = web_jikimi.passes.issue_link(sid, actor=backend(web_jikimi))
    answer = web_client.get(link.url)
    assert answer.status_code == 303 and answer.headers["location"] == "/privacy/me"
    assert answer.headers["referrer-policy"] == "no-referrer"
    cookie = answer.headers["set-cookie"]
    assert "jk_privacy=" in cookie and "HttpOnly" in cookie and "Path=/privacy" in cookie
    page = web_client.get("/privacy/me")
    assert page.status_code == 200 and MEMBER["email"] in page.text
    assert link.token not in page.text
    again = TestClient(create_app(web_jikimi), follow_redirects=False).get(link.url)
    assert again.status_code == 410 and "이미 쓰였습니다" in again.text


def test_the_services_backend_gets_the_link_from_the_api(web_jikimi: Jikimi, web_client: TestClient) -> None:
    sid, kid = join(web_jikimi), child(web_jikimi)
    web_jikimi.handlers.define_role("service", purposes=[], actions=["privacy"])
    _, token = web_jikimi.handlers.create("shop-api", "correct horse battery", role="service")
    headers = {"Authorization": f"Bearer {token}"}
    answer = web_client.post("/v1/privacy/sessions", json={"subject_id": sid}, headers=headers)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["url"].startswith("/privacy/enter?token=pl_") and body["expires_at"] == "2026-03-02T01:10:00Z"
    opened = web_client.get(body["url"])
    assert opened.status_code == 303 and opened.headers["location"] == "/privacy/me"
    adult_as_guardian = {"subject_id": sid, "acting_as": "guardian"}
    refused = web_client.post("/v1/privacy/sessions", json=adult_as_guardian, headers=headers)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "acting_as"
    guardian = web_client.post(
        "/v1/privacy/sessions", json={"subject_id": kid, "acting_as": "guardian"}, headers=headers
    )
    assert guardian.status_code == 201
    missing = web_client.post(
        "/v1/privacy/sessions", json={"subject_id": "Nobody0000000000000000"}, headers=headers
    )
    assert missing.status_code == 404
    web_jikimi.handlers.define_role("reader", purposes=["membership"], actions=["read"])
    _, other = web_jikimi.handlers.create("cs-lee", "correct horse battery", role="reader")
    denied = web_client.post(
        "/v1/privacy/sessions", json={"subject_id": sid}, headers={"Authorization": f"Bearer {other}"}
    )
    assert denied.status_code == 403


def test_without_a_session_the_member_pages_send_the_browser_to_the_entry(web_client: TestClient) -> None:
    for path in ("/privacy/me", "/privacy/consents", "/privacy/requests", "/privacy/me/download"):
        answer = web_client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/privacy/", path


def test_a_one_time_code_lets_the_member_in(web_jikimi: Jikimi, web_client: TestClient) -> None:
    sid = join(web_jikimi)
    entry = web_client.get("/privacy/")
    assert entry.status_code == 200 and 'name="contact"' in entry.text
    asked = web_client.post(
        "/privacy/code", data={"csrf": csrf_of(entry.text), "channel": "email", "contact": MEMBER["email"]}
    )
    assert asked.status_code == 303 and asked.headers["location"] == "/privacy/code"
    (message,) = queued(web_jikimi, "privacy_code")
    assert message["subject_id"] == sid
    code = str(with_code(json.loads(message["payload"]), web_jikimi.core.keys.master)["code"])
    form = web_client.get("/privacy/code")
    wrong = web_client.post(
        "/privacy/code/enter", data={"csrf": csrf_of(form.text), "code": f"{(int(code) + 1) % 10**6:06d}"}
    )
    assert wrong.status_code == 401 and "코드가 맞지 않거나" in wrong.text
    done = web_client.post("/privacy/code/enter", data={"csrf": csrf_of(wrong.text), "code": code})
    assert done.status_code == 303 and done.headers["location"] == "/privacy/me"
    assert MEMBER["name"] in web_client.get("/privacy/me").text


def test_an_unknown_contact_gets_the_same_answer(web_jikimi: Jikimi, web_client: TestClient) -> None:
    join(web_jikimi)
    answers = []
    for contact in (MEMBER["mobile"], "010-5555-0000"):
        with TestClient(create_app(web_jikimi), follow_redirects=False) as browser:
            entry = browser.get("/privacy/")
            asked = browser.post(
                "/privacy/code", data={"csrf": csrf_of(entry.text), "channel": "sms", "contact": contact}
            )
            answers.append(
                (
                    asked.status_code,
                    asked.headers["location"],
                    "jk_privacy_pass=" in asked.headers["set-cookie"],
                )
            )
            shown = browser.get("/privacy/code")
            assert "회원의 것이라면" in shown.text
    assert answers[0] == answers[1] == (303, "/privacy/code", True)
    assert len(queued(web_jikimi, "privacy_code")) == 1


def test_the_code_form_is_refused_without_its_csrf_token(web_jikimi: Jikimi, web_client: TestClient) -> None:
    web_client.get("/privacy/")
    refused = web_client.post("/privacy/code", data={"channel": "email", "contact": MEMBER["email"]})
    assert refused.status_code == 403
    assert queued(web_jikimi, "privacy_code") == []


def test_leaving_ends_the_session(web_jikimi: Jikimi, web_client: TestClient) -> None:
    signed_in(web_client, web_jikimi, join(web_jikimi))
    assert "이미 들어와 있습니다" in web_client.get("/privacy/").text
    left = post(web_client, "/privacy/me", "/privacy/sign-out", {})
    assert left.status_code == 303 and left.headers["location"] == "/privacy/"  # type: ignore[attr-defined]
    assert web_client.get("/privacy/me").status_code == 303


# -- my data -------------------------------------------------------------------------------------


def test_my_data_and_its_download_are_logged_reads_by_the_member(
    web_jikimi: Jikimi, web_client: TestClient
) -> None:
    sid = join(web_jikimi)
    signed_in(web_client, web_jikimi, sid)
    page = web_client.get("/privacy/me")
    for value in (MEMBER["name"], MEMBER["email"], MEMBER["mobile"], "회원 가입 및 관리"):
        assert value in page.text
    assert MEMBER["password"] not in page.text
    download = web_client.get("/privacy/me/download")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    assert download.headers["cache-control"] == "no-store"
    body = download.json()
    assert body["package"]["subject_id"] == sid and body["package"]["request_id"] is None
    assert {i["id"] for i in body["items"]} >= {"name", "email", "mobile"}
    reads = log_rows(web_jikimi, "rights.access_package")
    assert [(r["actor"], r["subject_id"]) for r in reads] == [("self", sid), ("self", sid)]


# -- consents ------------------------------------------------------------------------------------


def test_a_purpose_consent_is_withdrawn_and_given_again_with_one_click_each(
    web_jikimi: Jikimi, web_client: TestClient
) -> None:
    sid = join(web_jikimi, consents={"marketing": True})
    signed_in(web_client, web_jikimi, sid)
    page = web_client.get("/privacy/consents")
    assert "마케팅 및 광고성 정보 제공" in page.text and "동의 철회" in page.text
    off = post(
        web_client,
        "/privacy/consents",
        "/privacy/consents",
        {"kind": "purpose", "target": "marketing", "give": "0"},
    )
    assert off.status_code == 303  # type: ignore[attr-defined]
    assert web_jikimi.vault.basis_holds(sid, "marketing").reason == "consent_withdrawn"
    shown = web_client.get("/privacy/consents")  # the notice, then the toggle the other way
    assert "마케팅 및 광고성 정보 제공 동의를 철회했습니다" in shown.text and "동의하기" in shown.text
    on = post(
        web_client,
        "/privacy/consents",
        "/privacy/consents",
        {"kind": "purpose", "target": "marketing", "give": "1"},
    )
    assert on.status_code == 303  # type: ignore[attr-defined]
    assert web_jikimi.vault.basis_holds(sid, "marketing").allowed
    changes = [
        r["action"] for r in log_rows(web_jikimi, "consent.withdraw") + log_rows(web_jikimi, "consent.give")
    ]
    assert changes.count("consent.withdraw") == 1


def test_a_consent_change_is_refused_without_the_csrf_token(
    web_jikimi: Jikimi, web_client: TestClient
) -> None:
    sid = join(web_jikimi, consents={"marketing": True})
    signed_in(web_client, web_jikimi, sid)
    refused = web_client.post(
        "/privacy/consents", data={"kind": "purpose", "target": "marketing", "give": "0"}
    )
    assert refused.status_code == 403
    assert web_jikimi.vault.basis_holds(sid, "marketing").allowed


@pytest.fixture
def mecross(tmp_path: Path, clock: FixedClock) -> Iterator[Jikimi]:
    """The 메크로스 seed's policy: advertising consents by text, e-mail and app push."""
    with fresh_database("sqlite", tmp_path) as url:
        engine = make_engine(url)
        yield build_jikimi(
            policy=cached_policy(EXAMPLES / "remediated" / "mecross.yaml"),
            engine=engine,
            keys=KeyRing(MasterKey.generate()),
            clock=clock,
            passwords=fast_passwords(),
        )
        engine.dispose()


def test_marketing_email_is_turned_off_and_on_again(mecross: Jikimi) -> None:
    sid = mecross.vault.collect(
        "signup", MECROSS_SIGNUP, {"marketing": True, "ad:email": True, "ad:sms": True}
    ).subject_id
    with TestClient(create_app(mecross), follow_redirects=False) as browser:
        signed_in(browser, mecross, sid)
        page = browser.get("/privacy/consents")
        assert "광고성 정보 수신" in page.text and "앱 푸시 알림" in page.text
        post(
            browser, "/privacy/consents", "/privacy/consents", {"kind": "ad", "target": "email", "give": "0"}
        )
        assert {c.channel for c in mecross.marketing.consents(sid)} == {"sms"}
        post(
            browser, "/privacy/consents", "/privacy/consents", {"kind": "ad", "target": "email", "give": "1"}
        )
        assert {c.channel for c in mecross.marketing.consents(sid)} == {"sms", "email"}


# -- requests ------------------------------------------------------------------------------------


def test_a_deletion_request_is_filed_and_shows_its_deadline_in_korean_time(
    web_jikimi: Jikimi, web_client: TestClient
) -> None:
    sid = join(web_jikimi)
    signed_in(web_client, web_jikimi, sid)
    filed = post(web_client, "/privacy/requests", "/privacy/requests", {"type": "deletion"})
    assert filed.status_code == 303  # type: ignore[attr-defined]
    (request,) = web_jikimi.rights.own_requests(sid, actor="self")
    assert (request.type, request.requester, request.channel, request.status) == (
        "deletion",
        "self",
        "web",
        "received",
    )
    assert (
        request.due_day.isoformat() == "2026-03-12"
    )  # received Monday 2026-03-02 (KST): 10 days from the next
    page = web_client.get("/privacy/requests")
    assert "삭제" in page.text and "2026-03-12" in page.text and "접수" in page.text
    assert "2026-03-13 00:00" in page.text  # the deadline's end, shown in KST
    duplicate = post(web_client, "/privacy/requests", "/privacy/requests", {"type": "deletion"})
    assert duplicate.status_code == 303  # type: ignore[attr-defined]
    assert len(web_jikimi.rights.own_requests(sid, actor="self")) == 1


def test_every_kind_of_request_can_be_filed(web_jikimi: Jikimi, web_client: TestClient) -> None:
    sid = join(web_jikimi)
    signed_in(web_client, web_jikimi, sid)
    kinds: dict[str, dict[str, str | list[str]]] = {
        "access": {},
        "correction": {"items": ["email"]},
        "stop": {"purposes": ["marketing"]},
        "consent_withdrawal": {"purposes": ["marketing"]},
        "automated_decision": {},
    }
    for kind, fields in kinds.items():
        answer = post(web_client, "/privacy/requests", "/privacy/requests", {"type": kind, **fields})
        assert answer.status_code == 303, (kind, answer.text)  # type: ignore[attr-defined]
    assert {r.type for r in web_jikimi.rights.own_requests(sid, actor="self")} == set(kinds)
    bad = post(web_client, "/privacy/requests", "/privacy/requests", {"type": "correction"})
    assert bad.status_code == 422 and "정정할 항목" in bad.text  # type: ignore[attr-defined]


# -- the guardian --------------------------------------------------------------------------------


def test_a_guardian_sees_the_childs_data_and_files_as_the_guardian(
    web_jikimi: Jikimi, web_client: TestClient
) -> None:
    kid = child(web_jikimi)
    answer = enter(web_client, web_jikimi, kid, "guardian")
    assert answer.status_code == 303 and CHILD["name"] not in unquote(answer.headers["location"])
    page = web_client.get("/privacy/me")
    assert f"법정대리인으로서 {CHILD['name']} 아동의 정보를 보고 있습니다" in page.text
    assert CHILD["guardian_mobile"] in page.text
    assert "법정대리인으로서 아동의 정보를 보고 있습니다" in web_client.get("/privacy/requests").text
    post(web_client, "/privacy/requests", "/privacy/requests", {"type": "access"})
    (request,) = web_jikimi.rights.own_requests(kid, actor="guardian")
    assert request.requester == "guardian"
    assert log_rows(web_jikimi, "rights.access_package")[0]["actor"] == "guardian"


# -- no personal value in a URL ------------------------------------------------------------------


def test_no_page_links_to_a_url_with_a_personal_value(web_jikimi: Jikimi) -> None:
    sid, kid = join(web_jikimi), child(web_jikimi)
    seen: list[str] = []
    with TestClient(create_app(web_jikimi), follow_redirects=False) as browser:
        for path in PUBLIC_PAGES:
            seen += links_of(browser.get(path).text)
        for subject, acting_as in ((sid, "self"), (kid, "guardian")):
            answer = enter(browser, web_jikimi, subject, acting_as)
            seen.append(answer.headers["location"])
            for path in MEMBER_PAGES:
                page = browser.get(path)
                assert page.status_code == 200, (path, page.text)
                seen += links_of(page.text)
            filed = post(browser, "/privacy/requests", "/privacy/requests", {"type": "access"})
            seen.append(filed.headers["location"])  # type: ignore[attr-defined]
    assert len(seen) > 20
    for url in seen:
        plain = unquote(url)
        leaked = [value for value in PERSONAL if value in plain or value.replace("-", "") in plain]
        assert not leaked, (url, leaked)


def test_the_policy_pages_show_the_document_in_force_its_versions_and_the_consent_screens(
    web_client: TestClient, web_jikimi: Jikimi
) -> None:
    page = web_client.get("/privacy/policy")
    assert page.status_code == 200
    assert "개인정보의 처리 목적" in page.text and "시행 중" in page.text
    version = web_jikimi.policy.version_key
    assert web_client.get(f"/privacy/policy/{version}").status_code == 200
    for entry in web_jikimi.policy.history:
        earlier = web_client.get(f"/privacy/policy/{entry.version}")
        assert earlier.status_code == 200 and entry.effective.isoformat() in earlier.text
    assert web_client.get("/privacy/policy/1999-01-01").status_code == 404
    screens = web_client.get("/privacy/consent-screens")
    assert screens.status_code == 200 and "회원가입" in screens.text and "[선택]" in screens.text


def test_a_stored_name_with_markup_is_shown_as_text(web_jikimi: Jikimi, web_client: TestClient) -> None:
    attack = '<img src=x onerror="alert(1)">'
    kid = web_jikimi.vault.collect("signup", {**CHILD, "name": attack}, {"marketing": False}).subject_id
    web_jikimi.vault.record_guardian_consent(kid, method="법정대리인 명의 휴대전화 본인확인")
    web_jikimi.vault.collect("signup", {**CHILD, "name": attack}, {"marketing": False}, subject_id=kid)
    enter(web_client, web_jikimi, kid, "guardian")
    page = web_client.get("/privacy/me").text
    assert attack not in page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page


def test_every_page_has_one_h1_unique_ids_and_a_label_for_every_input(web_jikimi: Jikimi) -> None:
    ids = re.compile(r'\sid="([^"]+)"')
    inputs = re.compile(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"[^>]*>')
    with TestClient(create_app(web_jikimi), follow_redirects=False) as browser:
        pages = [browser.get(path).text for path in PUBLIC_PAGES]
        enter(browser, web_jikimi, join(web_jikimi))
        pages += [browser.get(path).text for path in MEMBER_PAGES]
    for html in pages:
        assert html.count("<h1") == 1
        found = ids.findall(html)
        assert len(found) == len(set(found)), sorted(i for i in found if found.count(i) > 1)
        for field in inputs.findall(html):
            assert f'for="{field}"' in html, field
