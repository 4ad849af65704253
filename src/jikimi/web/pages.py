"""Rendering the pages: one Jinja2 environment (autoescaping every value), the base layout with its
menu, and the headers every page leaves with — a strict Content-Security-Policy (no inline script,
nothing from another origin), no caching of pages that may show personal data, no referrer (a
privacy-center link must not leak to another site)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup, escape

from jikimi.notices.wording import kst, kst_date

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def bilingual(ko: object, en: object) -> Markup:
    """Korean first, English alongside (marked as English for screen readers)."""
    return Markup('{} <span class="en" lang="en">{}</span>').format(escape(ko), escape(en))


@pass_context
def csrf_field(context: Any) -> Markup:
    """The hidden CSRF field every form carries."""
    return Markup('<input type="hidden" name="csrf" value="{}">').format(context.get("csrf", ""))


def _kst(value: object) -> str:
    if isinstance(value, datetime):
        return kst(value, "%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _kst_date(value: object) -> str:
    if isinstance(value, datetime):
        return kst_date(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jikimi.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = bilingual
    env.globals["csrf_field"] = csrf_field
    env.filters["kst"] = _kst
    env.filters["kst_date"] = _kst_date
    return env


def page(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HTMLResponse:
    """Render ``template`` (which extends ``base.html``) with the layout's context: the face, the
    menu for whoever is signed in, the CSRF token of their forms and a one-time notice."""
    values: dict[str, Any] = {
        "request": request,
        "path": request.url.path,
        "face": getattr(request.state, "face", "console"),
        "menu": getattr(request.state, "menu", []),
        "who": getattr(request.state, "who", None),
        "csrf": getattr(request.state, "csrf", ""),
        "notice": read_notice(request),
    }
    values |= dict(context or {})
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    if values["notice"]:
        response.delete_cookie(NOTICE_COOKIE, path="/")
    return response


NOTICE_COOKIE = "jk_notice"
"""A one-time notice after a post/redirect/get ("답변을 보냈습니다"), carried by a cookie, never the URL."""


def read_notice(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(NOTICE_COOKIE, "")
    if not raw:
        return None
    try:
        ko, en = json.loads(unquote(raw))
    except (ValueError, TypeError):
        return None
    return str(ko)[:300], str(en)[:300]


def notice_value(ko: str, en: str) -> str:
    return quote(json.dumps([ko, en], ensure_ascii=False))
