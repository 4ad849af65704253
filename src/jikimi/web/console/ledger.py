"""The destruction ledger (파기 기록) of a month and the privacy officer's sign-off under it.

Reading it needs the ``audit`` action (as ``GET /v1/ledger``); signing needs ``admin`` (the officer,
``lifecycle.signoff``). The page shows who signed and when, over how many entries and which text
(its SHA-256), and says when entries arrived after the signature, so the month is signed again.
``/console/ledger.txt`` is the month's text for printing: as signed while it is unchanged, else as
it stands now.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from jikimi.lifecycle.ledger import TRIGGERS
from jikimi.lifecycle.signoff import NOTE_MAX, labels
from jikimi.periods import kst_day, previous_month, shift_month
from jikimi.web.console.deps import ConsoleForm, JikimiDep, Officer, SourceDep, need
from jikimi.web.errors import redirect
from jikimi.web.pages import SECURITY_HEADERS, page

router = APIRouter()

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM (KST)")]


def chosen_month(jikimi: JikimiDep, month: str | None) -> str:
    """The month asked for, else last month (the one the officer signs at the start of a month)."""
    return month or previous_month(kst_day(jikimi.core.now()))


@router.get("/ledger", response_class=HTMLResponse, include_in_schema=False)
def ledger_page(request: Request, user: Officer, jikimi: JikimiDep, month: Month = None) -> Response:
    need(user, "audit")
    chosen = chosen_month(jikimi, month)
    found = jikimi.lifecycle.signoffs.month(chosen)
    totals: dict[str, int] = {}
    for entry in found.entries:
        totals[entry.class_kind] = totals.get(entry.class_kind, 0) + entry.count
    return page(
        request,
        "console/ledger.html",
        {
            "month": chosen,
            "earlier": shift_month(chosen, -1),
            "later": shift_month(chosen, 1),
            "found": found,
            "labels": labels(jikimi.policy),
            "triggers": TRIGGERS,
            "totals": sorted(totals.items()),
            "may_sign": user.may("admin"),
            "note_max": NOTE_MAX,
            "recent": jikimi.lifecycle.signoffs.recent(limit=12),
        },
    )


@router.get("/ledger.txt", include_in_schema=False)
def ledger_text(user: Officer, jikimi: JikimiDep, month: Month = None) -> Response:
    need(user, "audit")
    chosen = chosen_month(jikimi, month)
    found = jikimi.lifecycle.signoffs.month(chosen)
    text = jikimi.lifecycle.signoffs.signed_text(chosen) if found.signed and not found.changed else None
    body = text if text is not None else jikimi.lifecycle.ledger_text(chosen)
    headers = SECURITY_HEADERS | {"Content-Disposition": f'inline; filename="ledger-{chosen}.txt"'}
    return PlainTextResponse(body + "\n", headers=headers)


@router.post("/ledger/sign", include_in_schema=False)
def sign(user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep) -> Response:
    need(user, "admin")
    month = form.text("month", required=True, max_length=7)
    note = form.text("note", max_length=NOTE_MAX) or None
    signed = jikimi.lifecycle.signoffs.sign(month, note=note, actor=user.handler, source=source)
    return redirect(
        f"/console/ledger?month={signed.month}",
        notice=(
            f"{signed.month} 파기 기록에 서명했습니다 ({signed.entries}건)",
            f"signed the {signed.month} destruction ledger ({signed.entries} entries)",
        ),
    )
