"""The browser walks' harness: a real ``jikimi serve`` over a demo database, Playwright driving
Debian's chromium, and ``check_page`` — the checks every console and privacy-center page passes.

The server is what a new user gets from ``make run``: ``jikimi demo`` fills a fresh SQLite file
(handlers, roles, invented people, the console's demo officer with a password and a TOTP secret in
the token file) and ``jikimi serve`` serves it on a free loopback port. What a walk needs beyond
the demo is made through the API with a demo handler's token, or through the Jikimi library on the
same database (never with SQL).

``check_page(page, name)`` injects axe-core (installed once by ``npm ci`` from this folder's
``package-lock.json``, tests/clients/tools.py) and fails on any serious or critical WCAG 2.0/2.1
A/AA violation, checks that nothing scrolls sideways at 360 px, and keeps a full-page screenshot
at ``out/screenshots/<name>-360.png`` for a person to look at.

No chromium, or no npm: the walks skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from jikimi import Settings, open_jikimi
from jikimi.bootstrap import Jikimi
from jikimi.notices.marketing_rules import declared
from jikimi.signin.totp import from_base32

from ...clients.server import _wait_until_healthy, free_port
from ...clients.tools import in_ci, npm_packages
from ...conftest import EXAMPLES, ROOT
from ...policies import cached_policy

HERE = Path(__file__).resolve().parent
POLICY = EXAMPLES / "reference.yaml"
"""The policy ``make run`` serves; the walks serve a copy of it with its versions/ folder."""
DRAFT = "reference-next-third-party.yaml"
"""A draft the walk adds beside the copied ones: the third-party change of the committed
reference-v2-third-party.yaml without an effective date of its own (those committed drafts'
dates are fixed, and so come too soon once the calendar passes them), so the console proposes
the earliest lawful date."""
SUBJECTS = 30
"""Invented people in the demo database (the first is a child, then a member, then a guest)."""
SCREENSHOTS = ROOT / "out" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
TOTP_STEP = 30
OFFICER = "demo-admin"
"""The demo's privacy officer (개인정보 보호책임자), as `make run` prints it."""


# -- axe-core, installed once -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """``node_modules/axe-core/axe.min.js``, installed by ``npm ci`` from the committed lock file."""
    npm = shutil.which("npm")
    if npm is None:
        if in_ci():
            pytest.fail("CI needs npm for axe-core in the browser walks (apt-get install npm)")
        pytest.skip("npm is not installed: the browser walks inject axe-core from an npm package")
    script = npm_packages(npm, HERE) / "axe-core" / "axe.min.js"
    assert script.exists(), f"npm ci did not install {script}"
    return script


# -- the server ---------------------------------------------------------------------------------------


@dataclass
class Demo:
    """A running ``jikimi serve`` over a demo database, and what ``jikimi demo`` wrote about it."""

    url: str
    db_url: str
    key_file: Path
    policy: Path
    state: dict[str, Any]
    log: Path
    used_steps: dict[str, int] = field(default_factory=dict)

    def token(self, login: str) -> str:
        """A demo handler's API token (``demo-admin``, ``demo-cs``, …)."""
        return str(self.state["handlers"][login]["token"])

    def headers(self, login: str = "demo-admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(login)}"}

    def api(self, method: str, path: str, *, login: str = "demo-admin", **kwargs: Any) -> Any:
        """One call to the server's JSON API as a demo handler; the answer's JSON body."""
        answer = httpx.request(method, self.url + path, headers=self.headers(login), timeout=30, **kwargs)
        assert answer.status_code < 400, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def staff(self, login: str = OFFICER) -> dict[str, str]:
        """A demo handler's ``password`` and ``totp`` secret (base32), as ``jikimi demo`` wrote them."""
        account: dict[str, str] = self.state["handlers"][login]
        return account

    @property
    def ad_channels(self) -> tuple[str, ...]:
        """The advertising channels the served policy asks a consent for, each on its own."""
        return declared(cached_policy(self.policy).purposes)

    def example(self, kind: str) -> str:
        """The demo's example subject id of a kind: member, member_no_marketing, child, guest."""
        return str(self.state["examples"][kind])

    def code(self, login: str = OFFICER) -> str:
        """A code for ``login``'s authenticator that the server has not seen yet: a code is good
        once, so a second sign-in within 30 seconds takes the next step's (the server accepts one
        step either side), waiting only if that too is used."""
        step = int(time.time()) // TOTP_STEP
        wanted = max(step, self.used_steps.get(login, -1) + 1)
        while wanted > int(time.time()) // TOTP_STEP + 1:
            time.sleep(1)
        self.used_steps[login] = wanted
        secret = from_base32(self.staff(login)["totp"])
        totp = TOTP(secret, 6, SHA1(), TOTP_STEP, enforce_key_length=False)
        return totp.generate(wanted * TOTP_STEP).decode("ascii")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]

    @contextmanager
    def library(self) -> Iterator[Jikimi]:
        """The Jikimi library over the server's own database and key (seeding what the API lacks)."""
        jikimi = open_jikimi(Settings(db_url=self.db_url, key_file=self.key_file), policy_path=self.policy)
        try:
            yield jikimi
        finally:
            jikimi.close()


def served_policy(folder: Path) -> Path:
    """The reference policy and its drafts copied to ``folder``, with the walk's own draft."""
    drafts = folder / "versions"
    drafts.mkdir(parents=True)
    shutil.copy(POLICY, folder / POLICY.name)
    for draft in (POLICY.parent / "versions").glob("*.yaml"):
        shutil.copy(draft, drafts / draft.name)
    text = (drafts / "reference-v2-third-party.yaml").read_text(encoding="utf-8")
    for line in ("effective: 2026-09-01\n", "announced: 2026-08-01\n"):
        assert line in text, line
        text = text.replace(line, "", 1)
    (drafts / DRAFT).write_text(text.replace('version: "2026-09-01"', 'version: "next"', 1), encoding="utf-8")
    return folder / POLICY.name


def _jikimi_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("jikimi")), *args]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``jikimi demo`` then ``jikimi serve`` on a free loopback port, as ``make run`` does."""
    tmp = tmp_path_factory.mktemp("served")
    policy = served_policy(tmp / "policies")
    db_url, key_file, tokens = f"sqlite:///{tmp / 'demo.db'}", tmp / "master.key", tmp / "demo-tokens.json"
    env = {name: value for name, value in os.environ.items() if not name.startswith("JIKIMI_")}
    common = ["--policy", str(policy), "--db", db_url, "--key-file", str(key_file)]
    made = subprocess.run(
        _jikimi_command("demo", *common, "--tokens", str(tokens), "--subjects", str(SUBJECTS)),
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, f"jikimi demo failed:\n{made.stdout}\n{made.stderr}"
    port = free_port()
    log = tmp / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            _jikimi_command("serve", *common, "--port", str(port)),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log)
        state = json.loads(tokens.read_text(encoding="utf-8"))
        yield Demo(url=url, db_url=db_url, key_file=key_file, policy=policy, state=state, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- pages --------------------------------------------------------------------------------------------


def browser_context(browser: Any, demo: Demo, axe: Path, viewport: dict[str, int] | None = None) -> Any:
    """A browser context of its own (its own cookies: one person), with axe-core as an init script,
    which the pages' Content-Security-Policy (``script-src 'self'``, no inline script) does not see;
    the policy itself stays in force."""
    context = browser.new_context(viewport=viewport or DESKTOP, locale="ko-KR", base_url=demo.url)
    context.set_default_timeout(15_000)
    context.add_init_script(path=str(axe))
    return context


def watched_page(context: Any) -> Any:
    """A new page whose errors the browser reports (a CSP violation, a script error, a failed load)
    are kept in ``page.jikimi_errors`` for ``check_page``, and every address it asks for in
    ``page.jikimi_urls``."""
    page = context.new_page()
    errors: list[str] = []
    urls: list[str] = []
    page.on("console", lambda message: _console_error(errors, message))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda answer: _failed_resource(errors, answer))
    page.on("request", lambda request: urls.append(request.url))
    page.jikimi_errors, page.jikimi_urls = errors, urls
    return page


@pytest.fixture
def new_page(browser: Any, axe_script: Path, demo: Demo) -> Iterator[Any]:
    """``new_page(viewport=DESKTOP)``: a watched page in a browser context of its own, closed after
    the test."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None) -> Any:
        contexts.append(browser_context(browser, demo, axe_script, viewport))
        return watched_page(contexts[-1])

    yield make
    for context in contexts:
        context.close()


def _console_error(errors: list[str], message: Any) -> None:
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)  # a failed load is told, with its address, by _failed_resource


def _failed_resource(errors: list[str], answer: Any) -> None:
    """A stylesheet, image or script of the page that did not load (the page itself may be a 4xx
    on purpose; chromium's own /favicon.ico request is not the page's)."""
    if answer.status >= 400 and answer.request.resource_type != "document":
        if not answer.url.endswith("/favicon.ico"):
            errors.append(f"{answer.status} {answer.url}")


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  const shown = (v, nodes) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: nodes.map((n) => ({
      target: n.target.join(" "), html: n.html.slice(0, 200), why: n.failureSummary || ""
    }))
  });
  // axe leaves text as light as its background "to review" (it may be hidden on purpose); on
  // these pages such text is never meant to be hidden, so it counts as unreadable
  const invisible = result.incomplete.filter((v) => v.id === "color-contrast").map((v) => shown(
    {...v, impact: "serious", help: "Text has a 1:1 contrast ratio with its background (invisible)"},
    v.nodes.filter((n) => n.any.some((a) => (a.message || "").includes("1:1 contrast ratio")))
  )).filter((v) => v.nodes.length);
  return result.violations.map((v) => shown(v, v.nodes)).concat(invisible);
}"""


WIDEST = """(width) => {
  const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
  const inside = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (scrolls(p)) return true;
    return false;
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 1 && !inside(e))
    .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > width + 1))
    .slice(0, 6).map((e) => `${name(e)} (${Math.round(e.getBoundingClientRect().right)} px)`);
}"""


SQUEEZED = """() => [...document.querySelectorAll("main :is(p, dt, dd, td, th, li, label, h1, h2, h3, a)")]
  .filter((e) => {
    const text = e.innerText.trim(), box = e.getBoundingClientRect();
    const em = parseFloat(getComputedStyle(e).fontSize);
    return text.length >= 6 && box.width > 0 && box.width < 2.5 * em && box.height > 4 * em;
  })
  .slice(0, 6).map((e) => `${e.tagName.toLowerCase()} "${e.innerText.trim().slice(0, 30)}"`)"""
"""Text squeezed into a column a character or two wide (a word per line is fine, a letter is not)."""


def _violations(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
    return [v for v in found if v["impact"] in BLOCKING_IMPACTS]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['impact']} {v['id']}: {v['help']}")
        lines.extend(f"    {n['target']}: {n['html']}\n      {n['why']}" for n in v["nodes"][:5])
    return "\n".join(lines)


@dataclass
class PageChecks:
    """``check_page(page, name)``; ``checked`` lists the pages checked, in order."""

    checked: list[str] = field(default_factory=list)

    def __call__(self, page: Any, name: str) -> None:
        assert re.fullmatch(r"[a-z0-9-]+", name), f"screenshot names are lower-case words: {name}"
        assert page.evaluate("document.documentElement.lang") == "ko", f"{name}: <html lang> is not ko"
        assert page.locator("h1").count() == 1, f"{name}: a page has one <h1>"
        errors = getattr(page, "jikimi_errors", [])
        assert not errors, f"{name}: the browser reported errors: {errors}"
        own = page.viewport_size
        problems = _violations(page)
        page.set_viewport_size(PHONE)
        try:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # first: a failing page leaves its picture too
            page.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (
                f"{name} scrolls sideways at 360 px: {width} px wide; what sticks out: "
                + ", ".join(page.evaluate(WIDEST, PHONE["width"]))
            )
            squeezed = page.evaluate(SQUEEZED)
            assert not squeezed, f"{name} at 360 px squeezes text a letter or two a line: {squeezed}"
            problems += [v for v in _violations(page) if v["id"] not in {p["id"] for p in problems}]
        finally:
            if own is not None:
                page.set_viewport_size(own)
        assert not problems, (
            f"{name} ({page.url}) has serious or critical axe violations:\n{_describe(problems)}"
        )
        self.checked.append(name)


@pytest.fixture
def check_page() -> PageChecks:
    return PageChecks()


def sign_in(page: Any, demo: Demo, login: str = OFFICER, check: PageChecks | None = None) -> None:
    """Sign in to the console the way a person does: the console sends them to the sign-in form,
    the login and password, then the authenticator's code; the dashboard opens."""
    page.goto("/console/")
    assert page.url.endswith("/console/sign-in"), page.url
    if check is not None:
        check(page, "console-sign-in")
    page.get_by_label("계정").fill(login)
    page.get_by_label("비밀번호").fill(demo.staff(login)["password"])
    page.get_by_role("button", name="다음").click()
    page.wait_for_url("**/console/sign-in/code")
    if check is not None:
        check(page, "console-sign-in-code")
    page.get_by_label("인증 코드").fill(demo.code(login))
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/")
