"""The registers: processors (수탁자), third parties and the provision ledger (제3자 제공 기록),
handlers with their roles and the rights history, incidents with their 72-hour clocks, complaints
with their due dates. Each page needs the action its API needs; each list comes from the same
service as the API (ids, codes and dates: none of them holds a personal value).

The one action here is the processor registry's sync with the policy (``admin``), a button."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.errors import Denied
from jikimi.web.console.deps import ConsoleForm, ConsoleUser, JikimiDep, Officer, SourceDep, need
from jikimi.web.errors import redirect
from jikimi.web.pages import page

router = APIRouter()

PAGE = 100
HISTORY = 300


@router.get("/processors", response_class=HTMLResponse, include_in_schema=False)
def processors(request: Request, user: Officer, jikimi: JikimiDep) -> Response:
    policy = jikimi.policy
    return page(
        request,
        "console/processors.html",
        {
            "declared": policy.processors.processors,
            "registry": jikimi.sharing.registry(),
            "label": policy.label_of,
            "may_sync": user.may("admin"),
        },
    )


@router.post("/processors/sync", include_in_schema=False)
def sync_processors(user: Officer, _form: ConsoleForm, jikimi: JikimiDep, source: SourceDep) -> Response:
    need(user, "admin")
    rows = jikimi.sharing.register_processors(actor=user.handler, source=source)
    return redirect(
        "/console/processors",
        notice=(
            f"수탁자 등록부를 처리방침에 맞췄습니다 ({len(rows)}곳)",
            f"the processor registry now matches the policy ({len(rows)} processors)",
        ),
    )


def _ledger_reader(user: ConsoleUser) -> None:
    if not (user.may("audit") or user.may("provide")):
        raise Denied(
            "action_not_allowed",
            "제공 기록을 볼 권한이 없습니다",
            "the handler may not read the provision ledger",
        )


@router.get("/provisions", response_class=HTMLResponse, include_in_schema=False)
def provisions(
    request: Request,
    user: Officer,
    jikimi: JikimiDep,
    third_party: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9_]*$")] = None,
    after_id: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    _ledger_reader(user)
    chosen = third_party or None
    rows = jikimi.sharing.ledger(third_party=chosen, after_id=after_id, limit=PAGE + 1)
    policy = jikimi.policy
    return page(
        request,
        "console/provisions.html",
        {
            "recipients": policy.third_parties.recipients,
            "exceptions": policy.third_parties.exceptions,
            "rows": rows[:PAGE],
            "next_after": rows[PAGE - 1].id if len(rows) > PAGE else None,
            "after_id": after_id,
            "third_party": chosen or "",
            "label": policy.label_of,
        },
    )


@router.get("/handlers", response_class=HTMLResponse, include_in_schema=False)
def handlers(request: Request, user: Officer, jikimi: JikimiDep) -> Response:
    need(user, "admin")
    accounts = jikimi.handlers.all()
    roles = {}
    for name in sorted({str(a["role"]) for a in accounts}):
        roles[name] = jikimi.handlers.role(name)
    history = jikimi.handlers.rights_history()
    return page(
        request,
        "console/handlers.html",
        {
            "accounts": accounts,
            "roles": roles,
            "history": list(reversed(history[-HISTORY:])),
            "more": max(0, len(history) - HISTORY),
        },
    )


@router.get("/incidents", response_class=HTMLResponse, include_in_schema=False)
def incidents(request: Request, user: Officer, jikimi: JikimiDep) -> Response:
    need(user, "incident")
    found = jikimi.incidents.list_incidents(actor=user.handler, limit=200)
    return page(request, "console/incidents.html", {"incidents": found, "label": jikimi.policy.label_of})


@router.get("/complaints", response_class=HTMLResponse, include_in_schema=False)
def complaints(
    request: Request,
    user: Officer,
    jikimi: JikimiDep,
    status: Annotated[Literal["open", "answered", "all"], Query()] = "open",
) -> Response:
    need(user, "complaints")
    found = jikimi.complaints.list(actor=user.handler, status=None if status == "all" else status, limit=500)
    return page(
        request,
        "console/complaints.html",
        {"complaints": found, "status": status, "rule": jikimi.complaints.rule},
    )
