"""The policy pages anyone may open: the 개인정보 처리방침 in force (the document ``jikimi policy
publish`` renders, from the same blocks: ``jikimi.policy.document``), every earlier version with
its dates (and the address its text was published at, when the policy names one), and the consent
screens of each collection context (``jikimi.policy.render.build_consent``). No personal data."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.errors import NotFound
from jikimi.policy.document import build_document
from jikimi.policy.model import Policy
from jikimi.policy.render import build_consent
from jikimi.web.console.deps import JikimiDep
from jikimi.web.pages import page
from jikimi.web.privacy.deps import public_page

router = APIRouter()


def _versions(policy: Policy) -> list[dict[str, object]]:
    """The version in force first, then the earlier ones, newest first, each with its dates: a
    version is in force from its effective date until the day the next one took over."""
    effective = policy.effective if isinstance(policy.effective, date) else None
    rows: list[dict[str, object]] = [
        {
            "version": policy.version_key,
            "effective": effective,
            "until": None,
            "url": None,
            "note": None,
            "current": True,
        }
    ]
    later = effective
    for entry in sorted(policy.history, key=lambda e: e.effective, reverse=True):
        if entry.version == policy.version_key:
            continue
        rows.append(
            {
                "version": entry.version,
                "effective": entry.effective,
                "until": later,
                "url": entry.url
                if entry.url and entry.url.startswith(("https://", "http://", "/"))
                else None,
                "note": entry.note,
                "current": False,
            }
        )
        later = entry.effective
    return rows


@router.get("/policy", response_class=HTMLResponse)
def policy_in_force(request: Request, jikimi: JikimiDep) -> Response:
    public_page(request, member_menu=True)
    policy = jikimi.policy
    context = {"doc": build_document(policy), "versions": _versions(policy), "version": None}
    return page(request, "privacy/policy.html", context)


@router.get("/policy/{version}", response_class=HTMLResponse)
def policy_version(request: Request, jikimi: JikimiDep, version: str) -> Response:
    public_page(request, member_menu=True)
    policy = jikimi.policy
    versions = _versions(policy)
    found = next((v for v in versions if v["version"] == version), None)
    if found is None:
        raise NotFound(
            f"처리방침 버전 '{version[:40]}'이(가) 없습니다", f"no policy version '{version[:40]}'"
        )
    doc = build_document(policy) if found["current"] else None
    return page(request, "privacy/policy.html", {"doc": doc, "versions": versions, "version": found})


@router.get("/consent-screens", response_class=HTMLResponse)
def consent_screens(request: Request, jikimi: JikimiDep) -> Response:
    public_page(request, member_menu=True)
    policy = jikimi.policy
    screens = [build_consent(policy, c.id) for c in policy.contexts]
    return page(
        request, "privacy/consent_screens.html", {"screens": screens, "contexts": policy.contexts_by_id}
    )
