"""Signing in to the console: a password and a TOTP code (안전성 확보조치 기준: a safe
authentication means for handlers over a network), a new session at each step, the API's lockout,
an idle time-out, and every step in the access log."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.signin import totp
from jikimi.signin.sessions import IDLE

from .conftest import PASSWORD, Staff, csrf_of, sign_in


def _password_step(client: TestClient, staff: Staff, password: str = PASSWORD) -> object:
    form = client.get("/console/sign-in")
    return client.post(
        "/console/sign-in", data={"csrf": csrf_of(form.text), "login": staff.login, "password": password}
    )


def test_a_handler_signs_in_with_password_and_totp_and_sees_the_dashboard(
    web_client: TestClient, officer: Staff, clock: FixedClock
) -> None:
    assert web_client.get("/console/").headers["location"] == "/console/sign-in"
    sign_in(web_client, officer, clock)
    page = web_client.get("/console/")
    assert page.status_code == 200
    assert "현황" in page.text and officer.login in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["cache-control"] == "no-store"


def test_the_password_alone_does_not_open_the_console(
    web_client: TestClient, officer: Staff, clock: FixedClock
) -> None:
    assert _password_step(web_client, officer).status_code == 303  # type: ignore[attr-defined]
    assert web_client.get("/console/").headers["location"] == "/console/sign-in"


def test_a_wrong_code_is_refused_and_a_used_code_does_not_work_twice(
    web_client: TestClient, officer: Staff, clock: FixedClock, web_jikimi: Jikimi
) -> None:
    _password_step(web_client, officer)
    code_page = web_client.get("/console/sign-in/code")
    csrf = csrf_of(code_page.text)
    good = officer.code(clock)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    refused = web_client.post("/console/sign-in/code", data={"csrf": csrf, "code": wrong})
    assert refused.status_code == 401 and "인증 코드가 맞지 않습니다" in refused.text
    assert web_client.post("/console/sign-in/code", data={"csrf": csrf, "code": good}).status_code == 303
    # the same code again, from a second browser, in the same 30 seconds
    with TestClient(web_client.app, follow_redirects=False) as other:
        _password_step(other, officer)
        page = other.get("/console/sign-in/code")
        again = other.post("/console/sign-in/code", data={"csrf": csrf_of(page.text), "code": good})
        assert again.status_code == 401
    entries = web_jikimi.audit.by_handler(officer.login).entries
    outcomes = [e.outcome for e in entries if e.action == "console.second_factor"]
    assert outcomes.count("denied:wrong_code") == 2


def test_wrong_passwords_lock_the_console_sign_in_as_the_api_does(
    web_client: TestClient, officer: Staff
) -> None:
    for _ in range(5):
        assert _password_step(web_client, officer, "wrong").status_code == 401  # type: ignore[attr-defined]
    locked = _password_step(web_client, officer)
    assert locked.status_code == 401  # type: ignore[attr-defined]
    assert "잠겼습니다" in locked.text  # type: ignore[attr-defined]


def test_a_session_ends_after_15_idle_minutes(
    web_client: TestClient, officer: Staff, clock: FixedClock
) -> None:
    sign_in(web_client, officer, clock)
    clock.advance(IDLE - timedelta(minutes=1))
    assert web_client.get("/console/").status_code == 200
    clock.advance(IDLE + timedelta(seconds=1))
    assert web_client.get("/console/").headers["location"] == "/console/sign-in"


def test_each_sign_in_step_gives_a_new_session_cookie(
    web_client: TestClient, officer: Staff, clock: FixedClock
) -> None:
    web_client.cookies.set("jk_console", "chosen-by-an-attacker", domain="testserver.local", path="/console")
    _password_step(web_client, officer)
    pending = web_client.cookies.get("jk_console_pending")
    assert pending and web_client.cookies.get("jk_console") is None
    page = web_client.get("/console/sign-in/code")
    clock.advance(timedelta(seconds=totp.STEP_SECONDS))
    web_client.post("/console/sign-in/code", data={"csrf": csrf_of(page.text), "code": officer.code(clock)})
    session = web_client.cookies.get("jk_console")
    assert session and session not in (pending, "chosen-by-an-attacker")
    assert web_client.cookies.get("jk_console_pending") is None


def test_signing_out_ends_the_session(web_client: TestClient, officer: Staff, clock: FixedClock) -> None:
    sign_in(web_client, officer, clock)
    kept = web_client.cookies.get("jk_console")
    page = web_client.get("/console/")
    assert web_client.post("/console/sign-out", data={"csrf": csrf_of(page.text)}).status_code == 303
    web_client.cookies.set("jk_console", kept or "", path="/console")
    assert web_client.get("/console/").headers["location"] == "/console/sign-in"


def test_a_form_without_its_csrf_token_is_refused(
    web_client: TestClient, officer: Staff, clock: FixedClock
) -> None:
    sign_in(web_client, officer, clock)
    refused = web_client.post("/console/sign-out", data={})
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "CSRF" in refused.text
