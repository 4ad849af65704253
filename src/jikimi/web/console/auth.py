"""Signing in to the console: the password (with the API's lockout), then the TOTP code, each step
with a new cookie value; signing out. The sign-in forms carry a CSRF token bound to a pre-session
cookie (``jk_pre``), the TOTP form one bound to the pending session."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.errors import AuthError
from jikimi.signin.sessions import CONSOLE_LIFETIME, PENDING_LIFETIME
from jikimi.web.console.deps import COOKIE, SIGN_IN, JikimiDep, SourceDep, csrf_refused, same_origin
from jikimi.web.cookies import PRE_LIFETIME, pre_session_csrf, pre_session_ok, set_cookie
from jikimi.web.errors import redirect
from jikimi.web.forms import parse_form
from jikimi.web.pages import page

router = APIRouter()

PRE_COOKIE = "jk_pre"
PENDING_COOKIE = "jk_console_pending"


def _set(response: Response, request: Request, name: str, value: str, seconds: int) -> None:
    set_cookie(response, request, name, value, seconds, path="/console")


def _pre_csrf(request: Request, jikimi: JikimiDep) -> tuple[str, str | None]:
    """The CSRF token of the forms shown before sign-in, and a new pre-session cookie value if any."""
    return pre_session_csrf(request, jikimi.sessions, PRE_COOKIE, "pre")


def _sign_in_page(
    request: Request, jikimi: JikimiDep, *, error: tuple[str, str] | None = None, status: int = 200
) -> Response:
    request.state.face = "console"
    csrf, new_pre = _pre_csrf(request, jikimi)
    request.state.csrf = csrf
    response = page(request, "console/sign_in.html", {"error": error}, status=status)
    if new_pre is not None:
        _set(response, request, PRE_COOKIE, new_pre, PRE_LIFETIME)
    return response


@router.get("/sign-in", response_class=HTMLResponse, include_in_schema=False)
def sign_in_form(request: Request, jikimi: JikimiDep) -> Response:
    return _sign_in_page(request, jikimi)


@router.post("/sign-in", response_class=HTMLResponse, include_in_schema=False)
async def sign_in(request: Request, jikimi: JikimiDep, source: SourceDep) -> Response:
    same_origin(request)
    form = parse_form(await request.body())
    if not pre_session_ok(request, jikimi.sessions, PRE_COOKIE, "pre", form.get("csrf", "")):
        raise csrf_refused()
    try:
        pending = jikimi.sessions.begin(
            form.text("login", required=True, max_length=64),
            form.get("password", "")[:1024],
            source=source,
        )
    except AuthError as exc:  # wrong password, locked, throttled, no factor: say so on the form
        return _sign_in_page(request, jikimi, error=(exc.message_ko, exc.message_en), status=401)
    response = redirect("/console/sign-in/code")
    response.delete_cookie(COOKIE, path="/console")  # whatever came before is not carried over
    _set(response, request, PENDING_COOKIE, pending, int(PENDING_LIFETIME.total_seconds()))
    return response


def _code_page(
    request: Request,
    jikimi: JikimiDep,
    pending: str,
    *,
    error: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    request.state.face = "console"
    request.state.csrf = jikimi.sessions.csrf(pending)
    return page(request, "console/sign_in_code.html", {"error": error}, status=status)


@router.get("/sign-in/code", response_class=HTMLResponse, include_in_schema=False)
def code_form(request: Request, jikimi: JikimiDep) -> Response:
    pending = request.cookies.get(PENDING_COOKIE, "")
    if not pending:
        return redirect(SIGN_IN)
    return _code_page(request, jikimi, pending)


@router.post("/sign-in/code", response_class=HTMLResponse, include_in_schema=False)
async def second_factor(request: Request, jikimi: JikimiDep, source: SourceDep) -> Response:
    same_origin(request)
    form = parse_form(await request.body())
    pending = request.cookies.get(PENDING_COOKIE, "")
    if not pending or not jikimi.sessions.csrf_ok(pending, form.get("csrf", "")):
        raise csrf_refused()
    try:
        session = jikimi.sessions.second_factor(pending, form.get("code", "")[:16], source=source)
    except AuthError as exc:
        if not jikimi.sessions.pending(pending):  # timed out or too many wrong codes: start again
            response = _sign_in_page(request, jikimi, error=(exc.message_ko, exc.message_en), status=401)
            response.delete_cookie(PENDING_COOKIE, path="/console")
            return response
        return _code_page(request, jikimi, pending, error=(exc.message_ko, exc.message_en), status=401)
    response = redirect("/console/", notice=("로그인했습니다", "signed in"))
    response.delete_cookie(PENDING_COOKIE, path="/console")
    _set(response, request, COOKIE, session.token, int(CONSOLE_LIFETIME.total_seconds()))
    return response


@router.post("/sign-out", response_class=HTMLResponse, include_in_schema=False)
async def sign_out(request: Request, jikimi: JikimiDep, source: SourceDep) -> Response:
    same_origin(request)
    form = parse_form(await request.body())
    token = request.cookies.get(COOKIE, "")
    if not token or not jikimi.sessions.csrf_ok(token, form.get("csrf", "")):
        raise csrf_refused()
    jikimi.sessions.end(token, source=source)
    response = redirect(SIGN_IN, notice=("로그아웃했습니다", "signed out"))
    response.delete_cookie(COOKIE, path="/console")
    return response
