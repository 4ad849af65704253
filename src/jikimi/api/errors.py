"""The API's one error envelope, and the handlers that turn every error into it.

Every error response has the same shape::

    {"error": {"code": "vault.denied", "message_ko": "...", "message_en": "...",
               "field": null, "reason": "consent_withdrawn"}}

``code`` is the stable code of jikimi's error tree (``jikimi.errors``), or one of the API's own
``request.invalid`` (the body does not fit the schema), ``request.too_large`` (413), ``http.<status>``
(no such route or method) and ``internal`` (500, nothing more said); ``field`` names the
offending input field (an item id or a JSON path such as ``data.mobile``, never its value);
``reason`` is the gate's machine-readable reason for a denial (or the validator's error type).
Nothing the client sent is echoed back, and unexpected errors say nothing beyond ``internal``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from jikimi.api.pii import InvalidField
from jikimi.errors import (
    AccountLocked,
    AuthError,
    CallInProgress,
    Denied,
    Duplicate,
    Expired,
    IdempotencyError,
    InputTooLarge,
    InvalidInput,
    JikimiError,
    NotFound,
    PiiError,
    StateConflict,
    TooManyAttempts,
    UnlawfulCollection,
    UsageError,
    VaultError,
)
from jikimi.web.errors import error_page, wants_page

log = logging.getLogger("jikimi.api")

INTERNAL = "internal"
TOO_LARGE = "request.too_large"
REQUEST_INVALID = "request.invalid"


class ErrorBody(BaseModel):
    code: str
    message_ko: str
    message_en: str
    field: str | None = None
    reason: str | None = None


class ErrorEnvelope(BaseModel):
    """The shape of every error response."""

    error: ErrorBody


def envelope(
    code: str, message_ko: str, message_en: str, *, field: str | None = None, reason: str | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message_ko": message_ko,
            "message_en": message_en,
            "field": field,
            "reason": reason,
        }
    }


def error_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


STATUS_OF: tuple[tuple[type[JikimiError] | tuple[type[JikimiError], ...], int], ...] = (
    (TooManyAttempts, 429),
    (AccountLocked, 423),
    (AuthError, 401),
    (InvalidInput, 422),
    ((Duplicate, StateConflict, CallInProgress), 409),
    (Expired, 410),
    (NotFound, 404),
    (Denied, 403),
    (InputTooLarge, 413),
    ((PiiError, UsageError, IdempotencyError), 422),  # a bad or reused Idempotency-Key
    (VaultError, 400),
)
"""The HTTP status of each kind of error, the first that matches (a subclass before its base)."""


def status_of(exc: JikimiError) -> int:
    """The HTTP status for one of jikimi's errors (the domain never chooses it)."""
    for kinds, status in STATUS_OF:
        if isinstance(exc, kinds):
            return status
    return 500  # key ring, policy: the server's problem, not the client's


def _render(exc: JikimiError, field: str | None) -> JSONResponse:
    status = status_of(exc)
    if status == 500:
        return internal_error_response(exc)
    field = exc.field if isinstance(exc, InvalidInput | Duplicate) else field
    reason = (
        exc.reason if isinstance(exc, Denied) else exc.rule if isinstance(exc, UnlawfulCollection) else None
    )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(
        status, envelope(exc.code, exc.message_ko, exc.message_en, field=field, reason=reason), headers
    )


def _jikimi_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JikimiError)
    if wants_page(request):
        return _page(request, exc, None)
    return _render(exc, None)


def _page(request: Request, exc: JikimiError, field: str | None) -> Response:
    """The console's or privacy center's page for one of jikimi's errors (same status as the API)."""
    status = status_of(exc)
    if status == 500:
        log.error("internal error: %s", type(exc).__name__)
        return error_page(request, 500, INTERNAL, "내부 오류가 발생했습니다", "internal error")
    field = exc.field if isinstance(exc, InvalidInput | Duplicate) else field
    return error_page(request, status, exc.code, exc.message_ko, exc.message_en, field=field)


def _invalid_field(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidField)
    if wants_page(request):
        return _page(request, exc.error, exc.field)
    return _render(exc.error, exc.field)


def _field_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    field = _field_path(first.get("loc", ()))
    kind = str(first.get("type", "invalid"))
    if kind == "json_invalid":
        field = "body"
        ko, en = "JSON 형식이 아닙니다", "the body is not valid JSON"
    else:
        ko, en = f"{field}: 형식이 맞지 않습니다 ({kind})", f"{field}: {first.get('msg', 'invalid value')}"
    if wants_page(request):
        return error_page(request, 422, REQUEST_INVALID, ko, en, field=field)
    return error_response(422, envelope(REQUEST_INVALID, ko, en, field=field, reason=kind))


_HTTP_MESSAGES = {
    404: ("없는 주소입니다", "no such endpoint"),
    405: ("허용되지 않는 메서드입니다", "method not allowed"),
}


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    ko, en = _HTTP_MESSAGES.get(
        exc.status_code, ("요청을 처리할 수 없습니다", "the request cannot be processed")
    )
    if wants_page(request):
        return error_page(request, exc.status_code, f"http.{exc.status_code}", ko, en)
    return error_response(
        exc.status_code, envelope(f"http.{exc.status_code}", ko, en), dict(exc.headers or {})
    )


def internal_error_response(exc: BaseException) -> JSONResponse:
    # Only the type: messages of foreign errors may quote values (SQL parameters, input).
    log.error("internal error: %s", type(exc).__name__)
    return error_response(500, envelope(INTERNAL, "내부 오류가 발생했습니다", "internal error"))


def too_large_body(limit: int) -> dict[str, Any]:
    return envelope(
        TOO_LARGE,
        f"요청 본문이 너무 큽니다 (최대 {limit}바이트)",
        f"the request body is larger than {limit} bytes",
        field="body",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(JikimiError, _jikimi_error)
    app.add_exception_handler(InvalidField, _invalid_field)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
