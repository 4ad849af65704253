"""The console's first page: what needs the officer's attention today.

Each part shows only when the handler's role allows what it shows (the same action as the page or
API behind it): rights requests by deadline, overdue first (``rights``); open incidents with their
72-hour clocks (``incident``); complaints due (``complaints``); the last sweep and what is due now
(``audit`` or ``sweep``); the outbox's backlog and dead letters (``admin``); last month's ledger and
whether it is signed (``audit``). The policy in force and its lint status show to everyone.
Everything comes from the services the other pages and the API use: ids, counts and dates only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.bootstrap import Jikimi
from jikimi.lifecycle.signoff import LedgerMonth
from jikimi.notices.complaints import Complaint
from jikimi.notices.incident_model import Incident
from jikimi.periods import kst_day, previous_month
from jikimi.rights.model import REQUEST_TYPES
from jikimi.rights.requests import RightsRequest
from jikimi.web.console.deps import ConsoleForm, ConsoleUser, JikimiDep, Officer, need
from jikimi.web.console.policy import summary
from jikimi.web.errors import redirect
from jikimi.web.pages import page

router = APIRouter()

SHOWN = 10
"""Rows each list shows on the dashboard (its own page has the rest)."""
SOON = timedelta(days=3)
"""A rights request due within this is marked as soon due."""

SWEEP_KINDS: dict[str, tuple[str, str]] = {
    "separated_values": ("분리보관 항목의 보유기간 만료", "separated items past their period"),
    "separated_records": ("분리보관 기록의 보유기간 만료", "separated records past their period"),
    "separated_lookups": ("분리보관 조회값의 보유기간 만료", "separated look-ups past their period"),
    "expired_logs": ("보유기간이 끝난 기록", "records past their period"),
    "expired_log_items": ("보유기간이 끝난 기록 항목", "record items past their period"),
    "pending_guardian": ("법정대리인 동의 미확인", "guardian consent never confirmed"),
    "dormancy_notice": ("휴면 전환 사전 안내", "dormancy notices due"),
    "dormancy": ("휴면 전환", "accounts turning dormant"),
}
"""The sweep's kinds of work (``Lifecycle.count_due``), as the dashboard names them."""
OUTBOX_STATES = ("due", "later", "delivered", "dead")


@dataclass
class Outbox:
    """The outbox by kind and state (as ``jikimi outbox status``), and its totals."""

    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)

    def total(self, state: str) -> int:
        return sum(states.get(state, 0) for states in self.by_kind.values())


@dataclass
class Dashboard:
    """What the dashboard shows; a part is ``None`` when the role may not see it."""

    now: datetime
    policy_version: str
    policy_effective: object
    lint: dict[str, int]
    blocking: tuple[str, ...]
    rights: list[RightsRequest] | None = None
    rights_open: int = 0
    rights_overdue: int = 0
    rights_soon: int = 0
    incidents: list[Incident] | None = None
    complaints: list[Complaint] | None = None
    complaints_overdue: int = 0
    last_sweep: datetime | None = None
    due: dict[str, int] | None = None
    outbox: Outbox | None = None
    ledger: LedgerMonth | None = None
    may_revive: bool = False


def gather(jikimi: Jikimi, user: ConsoleUser) -> Dashboard:
    """Every part the handler's role may see, read through the services."""
    policy = jikimi.policy
    now = jikimi.core.now()
    board = Dashboard(
        now=now,
        policy_version=policy.version_key,
        policy_effective=policy.effective,
        lint=summary(jikimi.policy_versions.lint_in_force()),
        blocking=jikimi.policy_check.rules,
    )
    if user.may("rights"):
        found = jikimi.rights.list_requests(actor=user.handler, open_only=True, limit=5000)
        board.rights = found[:SHOWN]
        board.rights_open = len(found)
        board.rights_overdue = sum(r.overdue for r in found)
        board.rights_soon = sum(not r.overdue and r.due_at - now <= SOON for r in found)
    if user.may("incident"):
        board.incidents = jikimi.incidents.list_incidents(actor=user.handler, open_only=True, limit=SHOWN)
    if user.may("complaints"):
        open_ones = jikimi.complaints.list(actor=user.handler, status="open", limit=5000)
        board.complaints = open_ones[:SHOWN]
        board.complaints_overdue = sum(c.overdue for c in open_ones)
    if user.may("audit") or user.may("sweep"):
        board.last_sweep = jikimi.lifecycle.last_sweep()
        board.due = jikimi.lifecycle.count_due()
    if user.may("admin"):
        outbox = Outbox()
        for (kind, state), n in sorted(jikimi.delivery.counts().items()):
            outbox.by_kind.setdefault(kind, {})[state] = n
        board.outbox = outbox
        board.may_revive = True
    if user.may("audit"):
        board.ledger = jikimi.lifecycle.signoffs.month(previous_month(kst_day(now)))
    return board


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request, user: Officer, jikimi: JikimiDep) -> Response:
    board = gather(jikimi, user)
    context: dict[str, Any] = {
        "board": board,
        "types": REQUEST_TYPES,
        "sweep_kinds": SWEEP_KINDS,
        "states": OUTBOX_STATES,
        "label": jikimi.policy.label_of,
    }
    return page(request, "console/dashboard.html", context)


@router.post("/outbox/revive", include_in_schema=False)
def revive(user: Officer, _form: ConsoleForm, jikimi: JikimiDep) -> Response:
    """Dead letters due again now, their tries counted afresh (as ``jikimi outbox retry``); logged."""
    need(user, "admin")
    count = jikimi.delivery.revive(actor=user.login)
    return redirect(
        "/console/",
        notice=(f"실패한 안내 {count}건을 다시 보냅니다", f"{count} dead messages will be tried again"),
    )
