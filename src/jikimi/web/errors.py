"""What a page answers when something goes wrong: jikimi's errors become a page with the Korean and
English message and a 4xx status (the API's status for the same error), never a traceback; a form's
field error names the field. ``Redirect`` is how a dependency sends a browser elsewhere (sign in
first), ``redirect`` how a handler ends a successful post (post/redirect/get, with a notice)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from jikimi.web.pages import NOTICE_COOKIE, SECURITY_HEADERS, notice_value, page

WEB_PREFIXES = ("/console", "/privacy")


class Redirect(Exception):  # noqa: N818 - not an error: a dependency's way to send the browser elsewhere
    """Raised by a page dependency: answer with a 303 to ``location``."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def wants_page(request: Request) -> bool:
    """A request to the console or the privacy center: its errors are pages, not JSON."""
    path = request.url.path
    return any(path == prefix or path.startswith(prefix + "/") for prefix in WEB_PREFIXES)


def error_page(
    request: Request, status: int, code: str, ko: str, en: str, *, field: str | None = None
) -> Response:
    face = "privacy" if request.url.path.startswith("/privacy") else "console"
    request.state.face = getattr(request.state, "face", face)
    return page(
        request,
        "error.html",
        {"status": status, "code": code, "message_ko": ko, "message_en": en, "field": field},
        status=status,
    )


def redirect(location: str, *, notice: tuple[str, str] | None = None) -> RedirectResponse:
    """303 to ``location`` (a path on this site), with a one-time notice for the next page."""
    if not location.startswith("/") or location.startswith("//"):
        location = "/"
    response = RedirectResponse(location, status_code=303, headers=SECURITY_HEADERS)
    if notice is not None:
        response.set_cookie(NOTICE_COOKIE, notice_value(*notice), path="/", httponly=True, samesite="lax")
    return response


def redirect_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return redirect(exc.location)
