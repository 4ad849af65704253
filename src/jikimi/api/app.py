"""The ASGI app: mounts the routers, ``/healthz``, a request-size guard and one error envelope.

Every error leaves as ``{"error": {"code", "message_ko", "message_en", "field"}}``; the HTTP
status is chosen here from the error's code, never by the domain.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jikimi.api.pii import InvalidField, PiiApiConfig
from jikimi.api.pii import router as pii_router
from jikimi.errors import JikimiError

_STATUS = {"pii.too_large": 413, "usage": 422, "pii": 422}
# JSON escapes can make a character six bytes (\uXXXX); allow that plus room for the other fields.
_BYTES_PER_CHAR = 6
_BODY_SLACK = 64 * 1024


def error_body(code: str, message_ko: str, message_en: str, field: str | None) -> dict[str, Any]:
    return {"error": {"code": code, "message_ko": message_ko, "message_en": message_en, "field": field}}


def _jikimi_error(error: JikimiError, field: str | None) -> JSONResponse:
    status = _STATUS.get(error.code, 400)
    return JSONResponse(error_body(error.code, error.message_ko, error.message_en, field), status_code=status)


class BodySizeLimit:
    """Refuses a request body larger than ``max_bytes`` before anything parses it (413)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            error_body("request.too_large", "요청 본문이 너무 큽니다", "request body too large", "body"),
            status_code=413,
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def create_app(*, pii: PiiApiConfig | None = None) -> FastAPI:
    """The jikimi HTTP app. ``pii`` configures the PII endpoints (size limit, key)."""
    config = pii or PiiApiConfig()
    app = FastAPI(title="jikimi", summary="지킴이 — personal-data engine", version="0.1.0")
    app.state.pii_config = config
    app.add_middleware(BodySizeLimit, max_bytes=config.max_chars * _BYTES_PER_CHAR + _BODY_SLACK)

    @app.exception_handler(InvalidField)
    async def invalid_field(request: Request, exc: InvalidField) -> JSONResponse:
        return _jikimi_error(exc.error, exc.field)

    @app.exception_handler(JikimiError)
    async def jikimi_error(request: Request, exc: JikimiError) -> JSONResponse:
        return _jikimi_error(exc, None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(part) for part in first.get("loc", ()) if part != "body"]
        reason = str(first.get("msg", "invalid request"))
        return JSONResponse(
            error_body("request.invalid", f"요청이 올바르지 않습니다: {reason}", f"invalid request: {reason}",
                       ".".join(loc) or None),
            status_code=422,
        )

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """살아 있음 (liveness)."""
        return {"status": "ok"}

    app.include_router(pii_router)
    return app
