"""The access-log review (접속기록 월간 점검, 안전성 확보조치 기준 8조) and the 소명 workflow pages.

``/console/review?month=YYYY-MM`` is the month's review (``jikimi.audit.monthly_report``: a logged
read that needs the ``audit`` action) drawn as charts with their tables, the threshold alerts each
with a form asking the handler to justify (소명 요청), and the state of the access log's chains
(``jikimi.audit.verify``). ``/console/justifications`` lists the requests: a handler answers the
ones addressed to them; a reviewer (``audit``) sees them all and closes the answered ones.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.audit.alerts import ALERT_KINDS, korean_calendar, working_days
from jikimi.audit.justifications import ALERTS, MAX_TEXT, OUTCOMES, STATES, Justification
from jikimi.periods import kst_day, previous_month, shift_month
from jikimi.web.console import charts
from jikimi.web.console.deps import ConsoleForm, JikimiDep, Officer, SourceDep, need
from jikimi.web.errors import redirect
from jikimi.web.pages import page

router = APIRouter()

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM (KST)")]
RequestId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
CHARTED = 20
"""Handlers with a daily chart (the busiest); the table lists every one."""
LISTED = 200
"""Off-hours reads shown on the page (the text and JSON reviews have up to 500)."""


def _month(jikimi: JikimiDep, month: str | None) -> str:
    """The month asked for, else last month (the one reviewed at the start of a month)."""
    return month or previous_month(kst_day(jikimi.core.now()))


def question_for(alert: dict[str, Any]) -> str:
    """The question a form proposes for an alert (the officer may rewrite it)."""
    count, threshold, day = alert["count"], alert["threshold"], alert["day"]
    detail = alert.get("detail", {})
    if alert["kind"] == "mass_download":
        return (
            f"{detail.get('at', day)} {detail.get('action')} 한 번에 {count}명(기준 {threshold}명 초과)을 "
            f"내려받았습니다. 기록된 사유 '{detail.get('reason') or '-'}'의 업무상 필요와 파일의 보관·파기를 "
            "설명해 주십시오."
        )
    what = ALERT_KINDS[alert["kind"]][0]
    return f"{day} {what} {count}건(기준 {threshold}건 초과)에 대해 업무상 사유를 알려 주십시오."


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(
    request: Request, user: Officer, jikimi: JikimiDep, source: SourceDep, month: Month = None
) -> Response:
    need(user, "audit")
    chosen = _month(jikimi, month)
    report = jikimi.audit.monthly_report(chosen, actor=user.handler, source=source)
    verification = jikimi.audit.verify()
    asked = {
        (j.handler, j.alert, j.alert_day.isoformat() if j.alert_day else ""): j
        for j in jikimi.justifications.listed(month=chosen, actor=user.handler)
    }
    year = int(chosen[:4])
    working = set(working_days(chosen, korean_calendar(year)))
    rest = [d for d in charts.month_days(chosen) if d not in working]
    alerts: list[dict[str, Any]] = report["alerts"]
    alert_days: dict[str, set[date]] = {}
    for a in alerts:
        alert_days.setdefault(a["handler"], set()).add(date.fromisoformat(a["day"]))
    handlers = [r["actor"] for r in report["reads_by_handler"]][:CHARTED]
    daily = [
        charts.daily(chosen, h, report["reads_by_day"], rest_days=rest, alert_days=alert_days.get(h, set()))
        for h in handlers
    ]
    off_chart = charts.horizontal(
        [(r["actor"], r["off_hours"]) for r in report["reads_by_handler"] if r["off_hours"]]
    )
    denial_chart = charts.horizontal([(d["reason"], d["count"]) for d in report["denials_by_reason"]])
    return page(
        request,
        "console/review.html",
        {
            "month": chosen,
            "earlier": shift_month(chosen, -1),
            "later": shift_month(chosen, 1),
            "report": report,
            "verification": verification,
            "daily": daily,
            "off_chart": off_chart,
            "denial_chart": denial_chart,
            "alerts": [
                {
                    **a,
                    "asked": asked.get((a["handler"], a["kind"], a["day"])),
                    "question": question_for(a),
                    "askable": not a["handler"].startswith("cli:") and a["handler"] != user.login,
                }
                for a in alerts
            ],
            "off_rows": report["off_hours"]["rows"][:LISTED],
            "max_text": MAX_TEXT,
            "states": STATES,
        },
    )


@router.post("/review/ask", include_in_schema=False)
def ask(user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep) -> Response:
    need(user, "audit")
    asked = jikimi.justifications.ask(
        form.text("month", required=True, max_length=7),
        form.text("handler", required=True, max_length=64),
        form.text("alert", required=True, max_length=32),
        form.text("alert_day", max_length=10) or None,
        form.text("question", required=True, max_length=MAX_TEXT),
        actor=user.handler,
        source=source,
    )
    return redirect(
        f"/console/review?month={asked.month}",
        notice=(
            f"{asked.handler}에게 소명을 요청했습니다 (답변 기한 {asked.due_day:%Y-%m-%d}까지)",
            f"asked {asked.handler} to justify (answer due by the end of {asked.due_day:%Y-%m-%d})",
        ),
    )


@router.get("/justifications", response_class=HTMLResponse, include_in_schema=False)
def justifications_page(
    request: Request,
    user: Officer,
    jikimi: JikimiDep,
    month: Month = None,
    state: Annotated[str, Query(pattern="^(open|all)$")] = "open",
) -> Response:
    mine = jikimi.justifications.for_handler(user.login, actor=user.handler)
    everyone: list[Justification] | None = None
    if user.may("audit"):
        everyone = jikimi.justifications.listed(month=month, open_only=state == "open", actor=user.handler)
    return page(
        request,
        "console/justifications.html",
        {
            "mine": mine,
            "everyone": everyone,
            "month": month or "",
            "state": state,
            "alerts": ALERTS,
            "outcomes": OUTCOMES,
            "states": STATES,
            "max_text": MAX_TEXT,
            "me": user.login,
        },
    )


@router.post("/justifications/{justification_id}/answer", include_in_schema=False)
def answer(
    justification_id: RequestId, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep
) -> Response:
    done = jikimi.justifications.answer(
        justification_id,
        form.text("answer", required=True, max_length=MAX_TEXT),
        actor=user.handler,
        source=source,
    )
    return redirect(
        "/console/justifications",
        notice=(f"{done.month} 소명 요청에 답변했습니다", f"answered the {done.month} request"),
    )


@router.post("/justifications/{justification_id}/close", include_in_schema=False)
def close(
    justification_id: RequestId, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep
) -> Response:
    need(user, "audit")
    done = jikimi.justifications.close(
        justification_id,
        form.text("outcome", required=True, max_length=16),
        form.text("note", max_length=MAX_TEXT) or None,
        actor=user.handler,
        source=source,
    )
    ko, en = OUTCOMES[done.outcome or "accepted"]
    return redirect(
        "/console/justifications",
        notice=(
            f"{done.handler}의 소명을 종결했습니다: {ko}",
            f"closed {done.handler}'s justification: {en}",
        ),
    )
