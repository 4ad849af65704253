"""The ways into the privacy center: the entry page, the one-time code (asked for, then typed),
the service's link (``/privacy/enter?token=…``, exchanged at once for a session cookie so the token
does not stay in the address bar), and leaving.

The code form carries a CSRF token bound to a pre-session cookie; the pass id of a code asked for
lives in a cookie of its own (never in the page or the URL), and the form to type the code carries
a token bound to it. Whatever was typed as a contact, the next page is the same ("if this is yours,
a code is on its way"): no one learns whether an address belongs to a member.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.errors import AuthError
from jikimi.signin.privacy import CODE_LIFETIME, CODE_TRIES, ENTER_PATH
from jikimi.signin.sessions import IDLE, PRIVACY_LIFETIME
from jikimi.web.console.deps import JikimiDep, SourceDep, csrf_refused, same_origin
from jikimi.web.cookies import PRE_LIFETIME, pre_session_csrf, pre_session_ok, set_cookie
from jikimi.web.errors import redirect
from jikimi.web.forms import parse_form
from jikimi.web.pages import page
from jikimi.web.privacy.deps import COOKIE, ENTRY, public_page

router = APIRouter()

PRE_COOKIE = "jk_privacy_pre"
PASS_COOKIE = "jk_privacy_pass"
HOME = "/privacy/me"
CHANNEL_NAMES = {"email": ("이메일", "e-mail"), "sms": ("휴대전화 문자", "text message")}


def _set(response: Response, request: Request, name: str, value: str, seconds: int) -> None:
    set_cookie(response, request, name, value, seconds, path="/privacy")


def _pre_csrf(request: Request, jikimi: JikimiDep) -> tuple[str, str | None]:
    """The CSRF token of the forms shown before sign-in, and a new pre-session cookie value if any."""
    return pre_session_csrf(request, jikimi.sessions, PRE_COOKIE, "privacy-pre")


def _entry_page(
    request: Request, jikimi: JikimiDep, *, error: tuple[str, str] | None = None, status: int = 200
) -> Response:
    public_page(request)
    csrf, new_pre = _pre_csrf(request, jikimi)
    request.state.csrf = csrf
    channels = [(c, *CHANNEL_NAMES[c]) for c in jikimi.passes.channels()]
    token = request.cookies.get(COOKIE, "")
    context = {
        "inside": bool(token) and jikimi.sessions.privacy(token) is not None,
        "channels": channels,
        "error": error,
        "minutes": int(CODE_LIFETIME.total_seconds() // 60),
        "idle": int(IDLE.total_seconds() // 60),
        "controller": jikimi.policy.controller,
    }
    response = page(request, "privacy/entry.html", context, status=status)
    if new_pre is not None:
        _set(response, request, PRE_COOKIE, new_pre, PRE_LIFETIME)
    return response


@router.get("/", response_class=HTMLResponse)
def entry(request: Request, jikimi: JikimiDep) -> Response:
    return _entry_page(request, jikimi)


@router.post("/code", response_class=HTMLResponse)
async def ask_for_code(request: Request, jikimi: JikimiDep, source: SourceDep) -> Response:
    same_origin(request)
    form = parse_form(await request.body())
    if not pre_session_ok(request, jikimi.sessions, PRE_COOKIE, "privacy-pre", form.get("csrf", "")):
        raise csrf_refused()
    channel = form.text("channel", required=True, max_length=16)
    pass_id = jikimi.passes.start_code(
        channel, form.text("contact", required=True, max_length=320), source=source
    )
    response = redirect("/privacy/code")
    _set(response, request, PASS_COOKIE, pass_id, int(CODE_LIFETIME.total_seconds()))
    return response


def _code_page(
    request: Request,
    jikimi: JikimiDep,
    pass_id: str,
    *,
    error: tuple[str, str] | None = None,
    status: int = 200,
) -> Response:
    public_page(request)
    request.state.csrf = jikimi.sessions.csrf("privacy-pass:" + pass_id)
    context = {"error": error, "minutes": int(CODE_LIFETIME.total_seconds() // 60), "tries": CODE_TRIES}
    return page(request, "privacy/code.html", context, status=status)


@router.get("/code", response_class=HTMLResponse)
def code_form(request: Request, jikimi: JikimiDep) -> Response:
    pass_id = request.cookies.get(PASS_COOKIE, "")
    if not pass_id:
        return redirect(ENTRY)
    return _code_page(request, jikimi, pass_id)


@router.post("/code/enter", response_class=HTMLResponse)
async def enter_code(request: Request, jikimi: JikimiDep, source: SourceDep) -> Response:
    same_origin(request)
    form = parse_form(await request.body())
    pass_id = request.cookies.get(PASS_COOKIE, "")
    if not pass_id:
        return redirect(ENTRY)
    if not jikimi.sessions.csrf_ok("privacy-pass:" + pass_id, form.get("csrf", "")):
        raise csrf_refused()
    try:
        entry = jikimi.passes.finish_code(pass_id, form.get("code", "")[:16], source=source)
    except AuthError as exc:
        return _code_page(request, jikimi, pass_id, error=(exc.message_ko, exc.message_en), status=401)
    response = _signed_in(request, jikimi, entry.subject_id, entry.acting_as, source)
    response.delete_cookie(PASS_COOKIE, path="/privacy")
    return response


@router.get("/enter", response_class=HTMLResponse)
def enter_link(request: Request, jikimi: JikimiDep, source: SourceDep, token: str = "") -> Response:
    """The service's link: used once, exchanged for a session cookie, then on to the member's page
    (the 303 leaves the token out of the address bar and out of the history's last entry)."""
    entry = jikimi.passes.enter_link(token[:128], source=source)
    return _signed_in(request, jikimi, entry.subject_id, entry.acting_as, source)


def _signed_in(request: Request, jikimi: JikimiDep, subject_id: str, acting_as: str, source: str) -> Response:
    """A new session (a new cookie value: nothing from before is carried over), then the home page."""
    old = request.cookies.get(COOKIE, "")
    if old:
        jikimi.sessions.end(old, source=source)
    token = jikimi.sessions.open_privacy(
        subject_id, "guardian" if acting_as == "guardian" else "self", source=source
    )
    notice = (
        ("법정대리인으로 들어왔습니다", "you are in as the legal guardian")
        if acting_as == "guardian"
        else ("개인정보 센터에 들어왔습니다", "you are in the privacy center")
    )
    response = redirect(HOME, notice=notice)
    _set(response, request, COOKIE, token, int(PRIVACY_LIFETIME.total_seconds()))
    return response


@router.post("/sign-out", response_class=HTMLResponse)
async def sign_out(request: Request, jikimi: JikimiDep, source: SourceDep) -> Response:
    same_origin(request)
    form = parse_form(await request.body())
    token = request.cookies.get(COOKIE, "")
    if not token or not jikimi.sessions.csrf_ok(token, form.get("csrf", "")):
        raise csrf_refused()
    jikimi.sessions.end(token, source=source)
    response = redirect(ENTRY, notice=("개인정보 센터에서 나왔습니다", "you have left the privacy center"))
    response.delete_cookie(COOKIE, path="/privacy")
    return response


__all__ = ["ENTER_PATH", "router"]
