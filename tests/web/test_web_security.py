"""The console and the privacy center against the web's usual attacks, through the real app (no
browser): a form posted without its CSRF token, or with another session's, is refused on every
route that takes a post (found from the app's own routes, so a new route cannot slip past);
whatever a person typed — a reason, a handler's login, a policy's label — comes back escaped;
each sign-in step gives a new cookie value and an old one opens nothing; an idle session ends;
the cookies are HttpOnly, SameSite and, over TLS, Secure; and no name, e-mail address or phone
number of anyone in the database appears in a link, a form's address or a redirect."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.demo import DemoPerson, demo_people, seed_subjects, today_of
from jikimi.handlers import Handler
from jikimi.policy.load import load_policy_text
from jikimi.signin import totp
from jikimi.signin.sessions import IDLE
from jikimi.store.engine import make_engine

from ..conftest import EXAMPLES, MEMBER  # noqa: TID252
from ..databases import fresh_database  # noqa: TID252
from .conftest import PASSWORD, ROLES, Staff, csrf_of, sign_in

pytestmark = pytest.mark.db  # a SQLite file behind the app

FACES = ("/console", "/privacy")
PLACEHOLDER = "AAAAAAAAAAAAAAAAAAAAAA"  # an id of the right shape that names nothing
SERVICE = "shop-backend"
XSS = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
XSS_LOGIN = "<b onmouseover=alert(1)>mallory</b>"
ESCAPED = ("&lt;script&gt;alert(", "&lt;img src=x onerror=alert(1)&gt;")


# -- the routes ---------------------------------------------------------------------------------------


def face_routes(app: FastAPI) -> list[tuple[str, frozenset[str]]]:
    """Every route of the console and the privacy center: its path template and its methods."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before lazily included routers: the routes are flat already
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    found = []
    for route in contexts:
        path, methods = getattr(route, "path", None) or "", getattr(route, "methods", None)
        if methods and any(path == face or path.startswith(face + "/") for face in FACES):
            found.append((path, frozenset(methods)))
    return found


def concrete(template: str) -> str:
    """A path for the template, each parameter filled with a value of its usual shape."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if "month" in name:
            return "2026-03"
        if "version" in name or "day" in name or "date" in name:
            return "2026-03-02"
        return PLACEHOLDER

    return re.sub(r"\{([a-z_]+)(?::[a-z]+)?\}", value, template)


def is_csrf_refusal(answer: Any) -> bool:
    return bool(
        answer.status_code == 403 and "CSRF" in answer.text and "text/html" in answer.headers["content-type"]
    )


# -- people and sessions ------------------------------------------------------------------------------


@pytest.fixture
def service(web_jikimi: Jikimi) -> dict[str, str]:
    """The service's backend: a handler whose token asks for privacy-center links."""
    _, token = web_jikimi.handlers.create(SERVICE, PASSWORD, role="admin")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def member(web_jikimi: Jikimi) -> str:
    return web_jikimi.vault.collect("signup", MEMBER, {"marketing": True}, channel="web").subject_id


def enter_privacy(
    client: TestClient, service: dict[str, str], subject_id: str, acting_as: str = "self"
) -> None:
    """Into the privacy center through the service's link, as a member's browser is sent there."""
    link = client.post(
        "/v1/privacy/sessions", headers=service, json={"subject_id": subject_id, "acting_as": acting_as}
    )
    assert link.status_code == 201, link.text
    entered = client.get(link.json()["url"])
    assert entered.status_code == 303 and entered.headers["location"] == "/privacy/me", entered.text


@dataclass
class Browser:
    """A TestClient with every cookie a face's forms are bound to, and the CSRF tokens it was given."""

    client: TestClient
    tokens: dict[str, str]


@contextmanager
def prepared(
    app: FastAPI, staff: Staff, clock: FixedClock, service: dict[str, str], subject_id: str
) -> Iterator[Browser]:
    """A browser signed in to the console and into the privacy center, holding the pre-session
    cookies of both sign-in forms and a pending one-time code's pass: whatever a route checks its
    CSRF token against, this browser has."""
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, staff, clock)
        enter_privacy(client, service, subject_id)
        tokens = {
            "console sign-in": csrf_of(client.get("/console/sign-in").text),
            "console": csrf_of(client.get("/console/").text),
            "privacy": csrf_of(client.get("/privacy/me").text),
        }
        entry = client.get("/privacy/")
        tokens["privacy entry"] = csrf_of(entry.text)
        asked = client.post(
            "/privacy/code",
            data={"csrf": tokens["privacy entry"], "channel": "email", "contact": MEMBER["email"]},
        )
        assert asked.status_code == 303, asked.text
        tokens["privacy code"] = csrf_of(client.get("/privacy/code").text)
        assert len(set(tokens.values())) == len(tokens)
        yield Browser(client, tokens)


@pytest.fixture
def two_browsers(
    web_jikimi: Jikimi,
    officer: Staff,
    make_staff: Callable[[str, str], Staff],
    clock: FixedClock,
    service: dict[str, str],
    member: str,
) -> Iterator[tuple[Browser, Browser]]:
    other_member = web_jikimi.vault.collect(
        "signup",
        MEMBER
        | {"login_id": "kim2", "email": "kim2@example.com", "mobile": "010-2345-6789", "ci": "CI" + "B" * 86},
        {"marketing": False},
        channel="web",
    ).subject_id
    app = create_app(web_jikimi)
    with ExitStack() as stack:
        mine = stack.enter_context(prepared(app, officer, clock, service, member))
        lee = make_staff("officer-lee", "admin")
        yield mine, stack.enter_context(prepared(app, lee, clock, service, other_member))


def test_the_console_and_the_privacy_center_take_only_gets_and_posts(web_jikimi: Jikimi) -> None:
    routes = face_routes(create_app(web_jikimi))
    assert routes, "no console or privacy-center routes found"
    others = {(path, m) for path, methods in routes for m in methods - {"GET", "HEAD", "POST"}}
    assert not others, f"a form can only get or post; these would escape the CSRF check: {sorted(others)}"


def test_every_form_post_is_refused_without_its_csrf_token(two_browsers: tuple[Browser, Browser]) -> None:
    mine, _ = two_browsers
    posts = [path for path, methods in face_routes(mine.client.app) if "POST" in methods]  # type: ignore[arg-type]
    assert {"/console/sign-in", "/console/sign-in/code", "/console/sign-out", "/privacy/sign-out"} <= set(
        posts
    )
    accepted = []
    for template in posts:
        for body in ({}, {"csrf": ""}, {"csrf": "not-a-token"}):
            answer = mine.client.post(concrete(template), data=body)
            if not is_csrf_refusal(answer):
                accepted.append(f"{template} {body}: {answer.status_code}")
    assert not accepted, "posted without a valid CSRF token and not refused:\n" + "\n".join(accepted)


def test_every_form_post_is_refused_with_another_sessions_token(
    two_browsers: tuple[Browser, Browser],
) -> None:
    mine, theirs = two_browsers
    posts = [path for path, methods in face_routes(mine.client.app) if "POST" in methods]  # type: ignore[arg-type]
    accepted = []
    for template in posts:
        for kind, token in theirs.tokens.items():
            answer = mine.client.post(concrete(template), data={"csrf": token})
            if not is_csrf_refusal(answer):
                accepted.append(f"{template} with the other browser's {kind} token: {answer.status_code}")
    assert not accepted, "posted with another session's CSRF token and not refused:\n" + "\n".join(accepted)
    # the browser's own token still works: the refusals above were the tokens, not the browser
    assert mine.client.post("/console/sign-out", data={"csrf": mine.tokens["console"]}).status_code == 303


def test_a_form_from_another_site_is_refused_even_with_the_right_token(
    two_browsers: tuple[Browser, Browser],
) -> None:
    mine, _ = two_browsers
    answer = mine.client.post(
        "/console/sign-out", data={"csrf": mine.tokens["console"]}, headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert mine.client.get("/console/").status_code == 200, "the session was not ended"


# -- stored XSS ---------------------------------------------------------------------------------------


def assert_escaped(html: str, where: str, payload: str = XSS) -> None:
    assert payload not in html, f"{where} shows the raw markup"
    assert "<script>alert(" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), (
        where
    )


def test_a_reason_and_a_handlers_login_typed_with_markup_come_back_as_text(
    web_jikimi: Jikimi,
    make_staff: Callable[[str, str], Staff],
    officer: Staff,
    clock: FixedClock,
    member: str,
) -> None:
    mallory = make_staff(XSS_LOGIN, "admin")
    actor: Handler = web_jikimi.handlers.get(XSS_LOGIN)
    extended = web_jikimi.rights.receive(member, "access", channel="web", actor=actor).request
    web_jikimi.rights.extend(
        extended.id, until=extended.due_day + timedelta(days=10), reason=XSS, actor=actor
    )
    refused = web_jikimi.rights.receive(member, "deletion", channel="web", actor=actor).request
    ground = next(iter(_grounds_for("deletion")))
    web_jikimi.rights.refuse(refused.id, ground=ground, note=XSS, actor=actor)
    app = create_app(web_jikimi)
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, mallory, clock)
        home = client.get("/console/")
        assert home.status_code == 200
        assert XSS_LOGIN not in home.text and "&lt;b onmouseover=alert(1)&gt;mallory&lt;/b&gt;" in home.text
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, officer, clock)
        for request_id in (extended.id, refused.id):
            page = client.get(f"/console/rights/{request_id}")
            assert page.status_code == 200, page.text
            assert_escaped(page.text, f"/console/rights/{request_id}")
            assert "&lt;script&gt;alert(" in page.text, "the reason is shown (escaped) on the request's page"
            assert XSS_LOGIN not in page.text
        listed = client.get("/console/rights")
        assert listed.status_code == 200 and XSS not in listed.text and XSS_LOGIN not in listed.text


def _grounds_for(kind: str) -> list[str]:
    from jikimi.rights.model import REFUSAL_GROUNDS

    return [g.id for g in REFUSAL_GROUNDS.values() if kind in g.applies_to]


def xss_policy_text() -> str:
    """The reference policy with markup in its title, an item's label and a purpose's label."""
    text = (EXAMPLES / "reference.yaml").read_text(encoding="utf-8")
    swaps = {
        "title: 개인정보 처리방침\n": f'title: "개인정보 처리방침 {XSS}"\n',
        "label: 이메일 주소,": f'label: "이메일 {XSS} 주소",',
        "    label: 회원 가입 및 관리\n": f'    label: "회원 {XSS} 관리"\n',
    }
    for old, new in swaps.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def xss_jikimi(tmp_path: Path, clock: FixedClock) -> Iterator[Jikimi]:
    with fresh_database("sqlite", tmp_path / "xss") as url:
        engine = make_engine(url)
        jikimi = build_jikimi(
            policy=load_policy_text(xss_policy_text()),
            engine=engine,
            keys=KeyRing(MasterKey.generate()),
            clock=clock,
            passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)),
        )
        for role, (purposes, actions) in ROLES.items():
            jikimi.handlers.define_role(role, purposes=purposes, actions=actions)
        yield jikimi
        engine.dispose()


def test_a_policy_label_with_markup_comes_back_as_text_on_every_page(
    xss_jikimi: Jikimi, clock: FixedClock
) -> None:
    _, token = xss_jikimi.handlers.create(SERVICE, PASSWORD, role="admin")
    officer = Staff("officer-kim", PASSWORD, b"")
    xss_jikimi.handlers.create(officer.login, PASSWORD, role="admin")
    secret = totp.from_base32(xss_jikimi.sessions.enrol(officer.login, actor="system"))
    subject_id = xss_jikimi.vault.collect("signup", MEMBER, {"marketing": True}, channel="web").subject_id
    with TestClient(create_app(xss_jikimi), follow_redirects=False) as client:
        sign_in(client, Staff(officer.login, PASSWORD, secret), clock)
        enter_privacy(client, {"Authorization": f"Bearer {token}"}, subject_id)
        pages = crawl(client, ["/console/", "/privacy/me", "/privacy/policy", "/privacy/consent-screens"])
    shown = [url for url, html in pages.items() if any(mark in html for mark in ESCAPED)]
    assert shown, "no page showed the policy's labels at all"
    for url, html in pages.items():
        assert_escaped(html, url)


# -- sessions -----------------------------------------------------------------------------------------


def test_each_sign_in_step_gives_a_new_cookie_and_one_set_before_opens_nothing(
    web_client: TestClient, officer: Staff, clock: FixedClock
) -> None:
    planted = "planted-before-sign-in-" + "x" * 20
    web_client.cookies.set("jk_console", planted, domain="testserver.local", path="/console")
    form = web_client.get("/console/sign-in")
    pre = web_client.cookies.get("jk_pre")
    answer = web_client.post(
        "/console/sign-in",
        data={"csrf": csrf_of(form.text), "login": officer.login, "password": officer.password},
    )
    assert answer.status_code == 303
    pending = web_client.cookies.get("jk_console_pending")
    assert pending and pending not in (planted, pre)
    assert web_client.cookies.get("jk_console") is None, "the planted cookie is deleted at the password step"
    code = web_client.get("/console/sign-in/code")
    clock.advance(timedelta(seconds=totp.STEP_SECONDS))
    done = web_client.post(
        "/console/sign-in/code", data={"csrf": csrf_of(code.text), "code": officer.code(clock)}
    )
    assert done.status_code == 303
    session = web_client.cookies.get("jk_console")
    assert session and session not in (planted, pending, pre)
    assert web_client.get("/console/").status_code == 200
    with TestClient(web_client.app, follow_redirects=False) as other:
        for old in (planted, pending, pre):
            other.cookies.set("jk_console", old or "", domain="testserver.local", path="/console")
            assert other.get("/console/").headers["location"] == "/console/sign-in", old


def test_entering_the_privacy_center_gives_a_new_cookie(
    web_client: TestClient, service: dict[str, str], member: str
) -> None:
    planted = "planted-before-entry-" + "x" * 20
    web_client.cookies.set("jk_privacy", planted, domain="testserver.local", path="/privacy")
    assert web_client.get("/privacy/me").headers["location"] == "/privacy/"
    enter_privacy(web_client, service, member)
    first = web_client.cookies.get("jk_privacy")
    assert first and first != planted
    enter_privacy(web_client, service, member)
    second = web_client.cookies.get("jk_privacy")
    assert second and second != first
    with TestClient(web_client.app, follow_redirects=False) as other:
        other.cookies.set("jk_privacy", first, domain="testserver.local", path="/privacy")
        assert other.get("/privacy/me").headers["location"] == "/privacy/", "the replaced session is over"


def test_an_idle_console_session_and_an_idle_privacy_session_sign_out(
    web_client: TestClient, officer: Staff, clock: FixedClock, service: dict[str, str], member: str
) -> None:
    sign_in(web_client, officer, clock)
    enter_privacy(web_client, service, member)
    for _ in range(3):  # active: each visit within the idle time keeps the sessions open
        clock.advance(IDLE - timedelta(minutes=2))
        assert web_client.get("/console/").status_code == 200
        assert web_client.get("/privacy/me").status_code == 200
    clock.advance(IDLE)
    assert web_client.get("/console/").headers["location"] == "/console/sign-in"
    assert web_client.get("/privacy/me").headers["location"] == "/privacy/"
    clock.advance(-IDLE)  # the clock going back does not bring an ended session back
    assert web_client.get("/console/").headers["location"] == "/console/sign-in"


def _set_cookies(answer: Any) -> list[str]:
    return [value for name, value in answer.headers.multi_items() if name.lower() == "set-cookie"]


def _is_deletion(cookie: str) -> bool:
    return bool(re.search(r"max-age=0\b", cookie, re.I) or re.search(r'=""?;', cookie))


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_the_cookies_are_httponly_samesite_and_secure_over_tls(
    web_jikimi: Jikimi, officer: Staff, clock: FixedClock, service: dict[str, str], member: str, scheme: str
) -> None:
    seen: list[str] = []
    with TestClient(
        create_app(web_jikimi), base_url=f"{scheme}://testserver", follow_redirects=False
    ) as client:
        form = client.get("/console/sign-in")
        seen += _set_cookies(form)
        step = client.post(
            "/console/sign-in",
            data={"csrf": csrf_of(form.text), "login": officer.login, "password": officer.password},
        )
        seen += _set_cookies(step)
        code = client.get("/console/sign-in/code")
        clock.advance(timedelta(seconds=totp.STEP_SECONDS))
        done = client.post(
            "/console/sign-in/code", data={"csrf": csrf_of(code.text), "code": officer.code(clock)}
        )
        seen += _set_cookies(done)
        seen += _set_cookies(client.get("/console/"))
        link = client.post("/v1/privacy/sessions", headers=service, json={"subject_id": member})
        seen += _set_cookies(client.get(link.json()["url"]))
        seen += _set_cookies(client.get("/privacy/"))
    names = {cookie.split("=", 1)[0] for cookie in seen}
    assert {"jk_pre", "jk_console_pending", "jk_console", "jk_privacy", "jk_notice"} <= names, names
    for cookie in (c for c in seen if not _is_deletion(c)):
        attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
        assert "httponly" in attributes, cookie
        assert attributes.get("samesite", "").lower() in ("samesite=lax", "samesite=strict"), cookie
        assert ("secure" in attributes) == (scheme == "https"), cookie


# -- no personal value in a URL -----------------------------------------------------------------------


class _Links(HTMLParser):
    """Every address a page sends the browser to: links, form actions, and what loads with it."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []  # followed by the crawl
        self.actions: list[str] = []  # where the forms post: checked, not opened
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.links += [values[name] for name in ("href", "src") if name in values]
        self.actions += [values[name] for name in ("action", "formaction") if name in values]
        if tag == "form":
            self.forms.append(
                {
                    "action": values.get("action", ""),
                    "method": values.get("method", "get").lower(),
                    "inputs": [],
                }
            )
        elif tag in ("input", "select", "textarea") and self.forms:
            self.forms[-1]["inputs"].append(values | {"tag": tag})


def crawl(client: TestClient, starts: list[str], limit: int = 300, per_path: int = 3) -> dict[str, str]:
    """Every page reachable from ``starts`` by following links (GET, on this site, in the two faces),
    with redirects followed by hand so each ``Location`` is seen: url → html. A path is opened with
    at most ``per_path`` query strings (a month picker links every month). Fails on any 5xx."""
    seen: dict[str, str] = {}
    paths: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or paths.get(path, 0) >= per_path:
            continue
        paths[path] = paths.get(path, 0) + 1
        answer = client.get(url)
        assert answer.status_code < 500, f"{url}: {answer.status_code}"
        if answer.is_redirect:
            location = answer.headers["location"]
            seen[url] = f'<a href="{location}"></a>'
            queue.append(urljoin(url, location))
            continue
        html = answer.text if "text/html" in answer.headers.get("content-type", "") else ""
        seen[url] = html
        parser = _Links()
        parser.feed(html)
        for link in parser.links:
            target = urljoin(url, unescape(link))
            parts = urlsplit(target)
            if parts.netloc in ("", "testserver") and parts.path.startswith(FACES) and not parts.fragment:
                if not parts.path.endswith(("/sign-out", "/sign-in", "/sign-in/code", "/enter")):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def addresses(pages: dict[str, str]) -> list[str]:
    """Every URL visited and every address the pages carry (links, form actions, redirects)."""
    found = list(pages)
    for html in pages.values():
        parser = _Links()
        parser.feed(html)
        found += [unescape(link) for link in parser.links + parser.actions]
    return found


def personal_values(people: list[DemoPerson]) -> set[str]:
    values: set[str] = set()
    for person in people:
        for item in (
            "name",
            "email",
            "mobile",
            "login_id",
            "guardian_name",
            "guardian_mobile",
            "recipient_name",
        ):
            value = person.data.get(item)
            if value:
                values |= {value, value.replace("-", "")}
    return values


def leaks(urls: list[str], values: set[str]) -> list[str]:
    found = []
    for url in urls:
        decoded = unquote(unquote(url)).lower()
        found += [f"{value} in {url}" for value in values if value.lower() in decoded]
    return found


@pytest.fixture
def demo_world(web_jikimi: Jikimi, officer: Staff) -> tuple[list[DemoPerson], dict[str, str]]:
    """The demo's invented people, collected, with rights requests of several kinds and reads."""
    people = list(demo_people(12, today=today_of(web_jikimi)))
    seeded = seed_subjects(web_jikimi, iter(people), lambda: None)
    actor = web_jikimi.handlers.get(officer.login)
    for kind, subject in zip(("access", "deletion", "access"), seeded.examples.values(), strict=False):
        web_jikimi.rights.receive(subject, kind, channel="web", actor=actor)
    for subject in (seeded.examples["member"], seeded.examples["member_no_marketing"]):
        web_jikimi.vault.read(subject, ["name", "email"], purpose="membership", actor=actor)
    return people, seeded.examples


def test_no_personal_value_appears_in_any_link_form_address_or_redirect(
    web_jikimi: Jikimi,
    officer: Staff,
    clock: FixedClock,
    service: dict[str, str],
    demo_world: tuple[list[DemoPerson], dict[str, str]],
) -> None:
    people, examples = demo_world
    values = personal_values(people)
    assert len(values) > 40
    app = create_app(web_jikimi)
    visited: dict[str, str] = {}
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, officer, clock)
        visited |= crawl(client, ["/console/"])
    for kind, acting_as in (("member", "self"), ("member_no_marketing", "self"), ("child", "guardian")):
        with TestClient(app, follow_redirects=False) as client:
            enter_privacy(client, service, examples[kind], acting_as)
            visited |= {
                f"{kind}:{url}": html for url, html in crawl(client, ["/privacy/me", "/privacy/"]).items()
            }
    assert any(url.startswith("/console/rights/") for url in visited), "the crawl reached no rights request"
    assert sum(1 for url in visited if url.startswith("member:")) >= 3, "the crawl saw the privacy center"
    shown = [v for v in values if any(v in html for html in visited.values())]
    assert shown, "no personal value shown anywhere: the crawl saw no personal page"
    assert not leaks(addresses(visited), values), leaks(addresses(visited), values)[:20]
    get_forms = [
        (url, field.get("name"))
        for url, html in visited.items()
        for form in _forms(html)
        if form["method"] == "get"
        for field in form["inputs"]
        if field.get("type", "text") in ("text", "email", "tel", "search") and field["tag"] != "select"
    ]
    assert not get_forms, f"a GET form with a free-text field would put what is typed in the URL: {get_forms}"


def _forms(html: str) -> list[dict[str, Any]]:
    parser = _Links()
    parser.feed(html)
    return parser.forms


def test_a_redirect_after_a_post_names_no_one(
    web_jikimi: Jikimi,
    officer: Staff,
    clock: FixedClock,
    service: dict[str, str],
    demo_world: tuple[list[DemoPerson], dict[str, str]],
) -> None:
    """Every post form the pages offer, sent with personal values typed into its free-text fields:
    where it sends the browser next carries none of them."""
    people, examples = demo_world
    values = personal_values(people)
    typed = people[1].data
    locations: list[str] = []
    app = create_app(web_jikimi)
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, officer, clock)
        enter_privacy(client, service, examples["member"])
        pages = crawl(client, ["/console/", "/privacy/me"])
        for url, html in pages.items():
            for form in _forms(html):
                action = urljoin(url, form["action"] or url)
                if form["method"] != "post" or action.endswith(("/sign-out", "/sign-in", "/sign-in/code")):
                    continue
                data = {}
                for field in form["inputs"]:
                    name, kind = field.get("name"), field.get("type", "text")
                    if not name:
                        continue
                    if field["tag"] == "textarea" or kind in ("text", "search"):
                        data[name] = f"{typed['name']} {typed['email']} {typed['mobile']}"
                    elif kind == "email":
                        data[name] = typed["email"]
                    elif kind == "tel":
                        data[name] = typed["mobile"]
                    elif kind in ("checkbox", "radio") and "checked" not in field:
                        continue
                    else:
                        data[name] = field.get("value", "")
                answer = client.post(urlsplit(action).path, data=data)
                assert answer.status_code < 500, f"{action}: {answer.status_code}"
                if answer.is_redirect:
                    locations.append(answer.headers["location"])
    assert locations, "no form was posted"
    assert not leaks(locations, values), leaks(locations, values)
