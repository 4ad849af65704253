"""Who is signed in to the console, and the only way a console page reads a posted form (with its
CSRF token checked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from jikimi.bootstrap import Jikimi
from jikimi.errors import Denied
from jikimi.handlers import Handler
from jikimi.signin import ConsoleSession
from jikimi.web import menu
from jikimi.web.errors import Redirect
from jikimi.web.forms import Form, parse_form

COOKIE = "jk_console"
"""The console's session cookie (Path=/console; HttpOnly; SameSite=Lax; Secure over TLS)."""
SIGN_IN = "/console/sign-in"


def get_jikimi(request: Request) -> Jikimi:
    jikimi = getattr(request.app.state, "jikimi", None)
    if not isinstance(jikimi, Jikimi):  # pragma: no cover - the pages are mounted only with jikimi
        raise RuntimeError("the app was created without jikimi")
    return jikimi


async def jikimi_dependency(request: Request) -> Jikimi:
    """``get_jikimi`` as a dependency, on the event loop (no thread for what does no I/O)."""
    return get_jikimi(request)


async def source_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


JikimiDep = Annotated[Jikimi, Depends(jikimi_dependency)]
SourceDep = Annotated[str, Depends(source_address)]


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in handler, their session and the CSRF token of the forms shown to them."""

    session: ConsoleSession
    csrf: str

    @property
    def handler(self) -> Handler:
        return self.session.handler

    @property
    def login(self) -> str:
        return self.session.handler.login

    def may(self, action: str) -> bool:
        return self.session.handler.role.may(action)


def console_user(request: Request, jikimi: JikimiDep) -> ConsoleUser:
    """The handler signed in with this request's cookie; otherwise a 303 to the sign-in page."""
    token = request.cookies.get(COOKIE, "")
    session = jikimi.sessions.console(token) if token else None
    if session is None:
        raise Redirect(SIGN_IN)
    user = ConsoleUser(session=session, csrf=jikimi.sessions.csrf(token))
    request.state.face = "console"
    request.state.who = user
    request.state.csrf = user.csrf
    request.state.menu = [item for item in menu.CONSOLE if item.needs is None or user.may(item.needs)]
    return user


Officer = Annotated[ConsoleUser, Depends(console_user)]


def same_origin(request: Request) -> None:
    """Refuse a form posted from another site (the Origin header, when the browser sends one)."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = urlsplit(origin).netloc
        if host != request.headers.get("host", request.url.netloc):
            raise Denied(
                "csrf", "다른 사이트에서 보낸 양식은 받지 않습니다", "a form posted from another site"
            )


def csrf_refused() -> Denied:
    return Denied(
        "csrf",
        "양식이 만료되었거나 올바르지 않습니다. 페이지를 새로 열어 다시 시도하십시오",
        "the form has expired or is not valid (CSRF); reload the page and try again",
    )


async def console_form(request: Request, user: Officer) -> Form:
    """The posted form of a signed-in handler, refused (403) without the CSRF token of their session."""
    same_origin(request)
    form = parse_form(await request.body())
    jikimi = get_jikimi(request)
    if not jikimi.sessions.csrf_ok(user.session.token, form.get("csrf", "")):
        raise csrf_refused()
    return form


ConsoleForm = Annotated[Form, Depends(console_form)]


def need(user: ConsoleUser, action: str) -> None:
    """403 page when the handler's role does not allow ``action``."""
    if not user.may(action):
        raise Denied(
            "action_not_allowed",
            f"이 역할에는 '{action}' 작업이 허용되지 않습니다",
            f"the handler's role may not do '{action}'",
        )
