"""Every cookie the console and the privacy center set is ``Secure`` when the request came over
TLS — whichever page set it (a session, a pre-session CSRF cookie, a one-time notice). A pure ASGI
middleware, so no page has to remember it and the response is not buffered."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
