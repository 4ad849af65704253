"""The two faces people open in a browser, served by the same app as the API: the console
(``/console/``) for the privacy officer and handlers, the privacy center (``/privacy/``) for data
subjects and guardians. Server-rendered (Jinja2), no script needed, no build step; every action
goes through the same services as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from jikimi.web.cookies import SecureCookies
from jikimi.web.errors import Redirect, redirect_handler

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    """Add the console, the privacy center and their static files to ``app`` (which holds jikimi)."""
    from jikimi.web import console, privacy  # the routers import the page modules

    app.include_router(console.router)
    app.include_router(privacy.router)
    app.mount("/static/web", StaticFiles(directory=STATIC), name="web-static")
    app.add_exception_handler(Redirect, redirect_handler)
    app.add_middleware(SecureCookies)  # every cookie of the faces is Secure over TLS
