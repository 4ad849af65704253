"""The console's first page: what needs the officer's attention today."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.web.console.deps import JikimiDep, Officer
from jikimi.web.pages import page

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request, user: Officer, jikimi: JikimiDep) -> Response:
    policy = jikimi.policy
    check = jikimi.policy_check
    return page(
        request,
        "console/dashboard.html",
        {"policy_version": policy.version_key, "blocking": check.rules},
    )
