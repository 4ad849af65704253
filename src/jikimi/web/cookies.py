"""Every cookie the console and the privacy center set is ``Secure`` when the request came over
TLS — whichever page set it (a session, a pre-session CSRF cookie, a one-time notice). A pure ASGI
middleware, so no page has to remember it and the response is not buffered. And the two helpers both
faces' sign-in pages use: ``set_cookie`` (the attributes every cookie of theirs has) and the CSRF
token of a form shown before any session (``pre_session_csrf``, ``pre_session_ok``)."""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jikimi.signin import Sessions
from jikimi.web.errors import WEB_PREFIXES


class SecureCookies:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope.get("scheme") != "https" or not path.startswith(WEB_PREFIXES):
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [_secure(name, value) for name, value in message.get("headers", [])]
            await send(message)

        await self.app(scope, receive, send_secure)


def _secure(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() != b"set-cookie":
        return name, value
    attributes = {part.strip().split(b"=")[0].lower() for part in value.split(b";")[1:]}
    return (name, value) if b"secure" in attributes else (name, value + b"; Secure")


def set_cookie(
    response: Response, request: Request, name: str, value: str, seconds: int, *, path: str
) -> None:
    """Set one of the faces' cookies: HttpOnly, SameSite=Lax, Secure over TLS, scoped to ``path``."""
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path=path,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


PRE_LIFETIME = 3600
"""How long a pre-session cookie (the CSRF binding of a form shown before sign-in) lives."""


def pre_session_csrf(request: Request, sessions: Sessions, cookie: str, label: str) -> tuple[str, str | None]:
    """The CSRF token of a form shown before any session, bound to the pre-session ``cookie``; and
    the cookie's new value to set when the browser had none (else None)."""
    pre = request.cookies.get(cookie, "")
    new = None
    if not 20 <= len(pre) <= 64:
        pre = new = secrets.token_urlsafe(24)
    return sessions.csrf(f"{label}:{pre}"), new


def pre_session_ok(request: Request, sessions: Sessions, cookie: str, label: str, submitted: str) -> bool:
    """Whether ``submitted`` is the CSRF token of the pre-session ``cookie`` the browser sent."""
    pre = request.cookies.get(cookie, "")
    return bool(pre) and sessions.csrf_ok(f"{label}:{pre}", submitted)
