"""Fixtures for the console and privacy-center pages: the real app over a real vault (a SQLite file,
a moving fixed clock), handlers with a TOTP second factor, and signing in the way a browser does
(the forms, their CSRF fields, the cookies)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.handlers import SYSTEM
from jikimi.signin import totp
from jikimi.store.engine import make_engine

from ..conftest import EXAMPLES  # noqa: TID252
from ..databases import fresh_database  # noqa: TID252
from ..policies import cached_policy as load_policy  # noqa: TID252

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]*)"')

ROLES: dict[str, tuple[list[str], list[str]]] = {
    "admin": (["*"], ["*"]),
    "cs": (["membership", "support"], ["read", "metadata", "rights"]),
    "auditor": ([], ["audit", "metadata"]),
}


@dataclass(frozen=True)
class Staff:
    login: str
    password: str
    secret: bytes

    def code(self, clock: FixedClock) -> str:
        return totp.code_at(self.secret, clock.now())


@pytest.fixture
def web_db(tmp_path: Path) -> Iterator[str]:
    with fresh_database("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def web_jikimi(web_db: str, clock: FixedClock) -> Iterator[Jikimi]:
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    engine = make_engine(web_db)
    jikimi = build_jikimi(
        policy=load_policy(EXAMPLES / "reference.yaml"),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=passwords,
    )
    for role, (purposes, actions) in ROLES.items():
        jikimi.handlers.define_role(role, purposes=purposes, actions=actions)
    yield jikimi
    engine.dispose()


@pytest.fixture
def make_staff(web_jikimi: Jikimi) -> Callable[[str, str], Staff]:
    """A handler account with a role and an enrolled TOTP factor."""

    def make(login: str, role: str = "admin") -> Staff:
        web_jikimi.handlers.create(login, PASSWORD, role=role)
        secret = web_jikimi.sessions.enrol(login, actor=SYSTEM)
        return Staff(login, PASSWORD, totp.from_base32(secret))

    return make


@pytest.fixture
def officer(make_staff: Callable[[str, str], Staff]) -> Staff:
    """The privacy officer (개인정보 보호책임자): the administrator role."""
    return make_staff("officer-kim", "admin")


@pytest.fixture
def web_client(web_jikimi: Jikimi) -> Iterator[TestClient]:
    with TestClient(create_app(web_jikimi), follow_redirects=False) as client:
        yield client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, staff: Staff, clock: FixedClock) -> None:
    """Sign ``client`` in as ``staff``: the password form, then the code (the clock moves a step on,
    so each sign-in has a code not used before)."""
    form = client.get("/console/sign-in")
    assert form.status_code == 200, form.text
    answer = client.post(
        "/console/sign-in",
        data={"csrf": csrf_of(form.text), "login": staff.login, "password": staff.password},
    )
    assert answer.status_code == 303, answer.text
    code_form = client.get("/console/sign-in/code")
    clock.advance(timedelta(seconds=totp.STEP_SECONDS))
    done = client.post(
        "/console/sign-in/code", data={"csrf": csrf_of(code_form.text), "code": staff.code(clock)}
    )
    assert done.status_code == 303 and done.headers["location"] == "/console/", done.text


@pytest.fixture
def console(web_jikimi: Jikimi, officer: Staff, clock: FixedClock) -> Iterator[TestClient]:
    """A browser signed in to the console as the officer."""
    with TestClient(create_app(web_jikimi), follow_redirects=False) as client:
        sign_in(client, officer, clock)
        yield client


@pytest.fixture
def console_as(
    web_jikimi: Jikimi, make_staff: Callable[[str, str], Staff], clock: FixedClock
) -> Iterator[Callable[[str, str], TestClient]]:
    """A browser signed in as a new handler ``login`` with ``role`` (admin, cs or auditor)."""
    opened: list[TestClient] = []

    def open_as(login: str, role: str = "cs") -> TestClient:
        staff = make_staff(login, role)
        client = TestClient(create_app(web_jikimi), follow_redirects=False)
        client.__enter__()
        opened.append(client)
        sign_in(client, staff, clock)
        return client

    yield open_as
    for client in opened:
        client.__exit__(None, None, None)


def post_form(client: TestClient, page: str, action: str, fields: dict[str, str]) -> object:
    """Open ``page``, take its CSRF field, post ``fields`` to ``action`` (as the browser would)."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return client.post(action, data={"csrf": csrf_of(shown.text), **fields})
