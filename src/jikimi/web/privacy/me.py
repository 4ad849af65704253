"""My data: the access package as a page and as a download (PIPA 35) — the items held with their
values, the purposes and retention of each, the records, the consents, the provisions to third
parties, the processors, what is kept separated and who looked at the data. Both are the rights
desk's own package (``RightsDesk.own_package``), so each opening is a logged read by ``self`` (or
the guardian), like an answered access request's."""

from __future__ import annotations

from itertools import islice
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from jikimi.rights.package import ACTOR_KINDS, BASES, Package, package_json
from jikimi.web.console.deps import JikimiDep, SourceDep
from jikimi.web.pages import SECURITY_HEADERS, page
from jikimi.web.privacy.deps import Member

router = APIRouter()

SHOWN = 200
"""Records, provisions and access-history rows shown on the page; the download has them all."""

STATUSES = {
    "active": ("이용 중", "active"),
    "pending_guardian": ("법정대리인 동의 대기", "waiting for the guardian's consent"),
    "dormant": ("휴면 (분리 보관)", "dormant (kept separately)"),
    "withdrawn": ("탈퇴", "withdrawn"),
}


def child_name(package: Package) -> str | None:
    """The child's name, when the package holds one (the guardian's banner says whose data it is)."""
    return next((str(i["value"]) for i in package.items if i["id"] == "name" and i["value"]), None)


def _first(rows: Any, limit: int = SHOWN) -> tuple[list[Any], bool]:
    shown = list(islice(rows, limit + 1))
    return shown[:limit], len(shown) > limit


@router.get("/me", response_class=HTMLResponse)
def my_data(request: Request, jikimi: JikimiDep, member: Member, source: SourceDep) -> Response:
    package = jikimi.rights.own_package(member.subject_id, actor=member.actor, source=source)
    records, more_records = _first(package.records())
    provisions, more_provisions = _first(package.provisions())
    history, more_history = _first(package.access_history())
    context = {
        "p": package,
        "records": records,
        "more_records": more_records,
        "provisions": provisions,
        "more_provisions": more_provisions,
        "history": history,
        "more_history": more_history,
        "bases": BASES,
        "actor_kinds": ACTOR_KINDS,
        "statuses": STATUSES,
        "policy": jikimi.policy,
        "member": member,
        "child": child_name(package) if member.acting_as == "guardian" else None,
        "shown": SHOWN,
    }
    return page(request, "privacy/me.html", context)


@router.get("/me/download")
def download(jikimi: JikimiDep, member: Member, source: SourceDep) -> StreamingResponse:
    """The whole package as one JSON file (an attachment): a read like the page, logged."""
    package = jikimi.rights.own_package(member.subject_id, actor=member.actor, source=source)
    day = package.meta["generated_at"].strftime("%Y%m%d")
    headers = dict(SECURITY_HEADERS) | {
        "Content-Disposition": f'attachment; filename="my-personal-data-{day}.json"',
    }
    return StreamingResponse(package_json(package), media_type="application/json", headers=headers)
