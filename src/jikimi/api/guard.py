"""An ASGI middleware that guards every request: a body size limit and a last-resort error net.

* The body limit is checked twice: a declared ``Content-Length`` over the limit is refused at
  once, and the bytes actually received are counted (a chunked or lying client is refused as
  soon as it passes the limit). The body is buffered (it is small by then) and replayed.
* Any exception that escapes the app becomes a 500 in the error envelope; only the exception's
  type is logged, because messages of foreign errors may quote input or SQL parameters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jikimi.api.errors import internal_error_response, too_large_body


class GuardMiddleware:
    """``max_body_bytes`` for every path, except paths under a prefix of ``path_limits``."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, path_limits: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_limits = dict(path_limits or {})

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.path_limits.items():
            if path.startswith(prefix):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(str(scope.get("path", "")))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(send, limit)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await self._too_large(send, limit)
                return
            more = bool(message.get("more_body", False))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, replay, tracking_send)
        except Exception as exc:  # noqa: BLE001 - the last net: log the type only, answer 500
            response = internal_error_response(exc)
            if not started:  # otherwise the client sees a cut-off response
                await response(scope, receive, send)

    async def _too_large(self, send: Send, limit: int) -> None:
        payload = json.dumps(too_large_body(limit), ensure_ascii=False).encode("utf-8")
        headers: list[tuple[bytes, bytes]] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode("ascii")),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    headers: Any = scope.get("headers") or []
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
