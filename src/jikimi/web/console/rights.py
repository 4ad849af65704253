"""The console's rights desk (정보주체 권리 행사 처리, PIPA 35–38): the queue, one request with the
steps it allows, and the access package previewed as the subject will see it.

Every page calls the rights desk (``jikimi.rights``) with the signed-in handler, as the API does:
the service checks the ``rights`` action and writes the access log. A step refused for its input
shows the request again with the message beside the field (422), or above the forms when the
request's state forbids it (409); a step done redirects back (303) with a notice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.bootstrap import Jikimi
from jikimi.errors import Denied, InvalidInput, JikimiError, StateConflict
from jikimi.policy.wording import CHANNEL
from jikimi.rights import RightsRequest
from jikimi.rights.model import (
    HOW_TO_OBJECT_EN,
    HOW_TO_OBJECT_KO,
    MAX_EXTENSIONS,
    REFUSAL_GROUNDS,
    REQUEST_TYPES,
    REQUESTERS,
    STATUSES,
    grounds_for,
    is_open,
)
from jikimi.rights.package import ACTOR_KINDS, BASES
from jikimi.web.console.deps import ConsoleForm, ConsoleUser, JikimiDep, Officer, SourceDep, need
from jikimi.web.errors import redirect
from jikimi.web.forms import Form
from jikimi.web.pages import page

router = APIRouter(prefix="/rights")

SOON_DAYS = 3
"""An open request due within this many Korean days gets the 'due soon' badge."""

ANSWERED = frozenset({"access", "automated_decision"})
"""The types closed by an answer; the others close by carrying them out (``CARRY_OUT``)."""

CARRY_OUT: dict[str, tuple[str, str]] = {
    "correction": ("정정 실행", "Apply the correction"),
    "deletion": ("삭제 실행", "Carry out the deletion"),
    "stop": ("처리정지 실행", "Stop the processing"),
    "consent_withdrawal": ("동의 철회 실행", "Withdraw the consents"),
}

FILTERS = ("open", "all", *STATUSES)
"""The queue's status filter: the open requests (the default), all, or one status."""


@dataclass(frozen=True)
class Extension:
    """Whether the answer may still be put off, how often it was and may be, and why."""

    allowed: bool
    used: int
    remaining: int | None
    """None: no fixed number (열람, as long as the stated reason lasts)."""
    why: tuple[str, str]


def extension_of(r: RightsRequest, used: int) -> Extension:
    """What the law allows for putting off this request's answer (열람 35③; 자동화된 결정 령 44-4)."""
    if r.type not in MAX_EXTENSIONS:
        return Extension(
            False,
            used,
            0,
            (
                "정정·삭제·처리정지·동의 철회는 법이 연기를 두지 않아 10일 안에 결과를 알려야 합니다.",
                "The law gives no extension for a correction, deletion, stop or withdrawal: "
                "the result is due within 10 days.",
            ),
        )
    limit = MAX_EXTENSIONS[r.type]
    remaining = None if limit is None else max(0, limit - used)
    if limit is None:
        ko = "열람은 정당한 사유가 있으면 그 사유를 알리고 연기할 수 있습니다 (개인정보 보호법 제35조제3항)."
        en = "An access answer may be put off with a stated reason while the reason lasts (PIPA 35③)."
    else:
        ko = (
            f"자동화된 결정에 대한 답은 {limit}번까지 연장할 수 있습니다 (시행령 제44조의4). "
            f"남은 횟수: {remaining}번."
        )
        en = (
            f"An automated-decision answer may be extended at most {limit} times (Decree 44-4); "
            f"{remaining} left."
        )
    if is_open(r.status) and r.overdue:
        ko += " 기한이 지나 더는 연기할 수 없습니다. 지체 없이 답하십시오."
        en += " The deadline has passed, so it can no longer be extended: answer without delay."
    allowed = is_open(r.status) and not r.overdue and remaining != 0
    return Extension(allowed, used, remaining, (ko, en))


def days_text(r: RightsRequest) -> tuple[str, str]:
    """Days left to the last day on time (Korean days), as the desk says them."""
    if r.days_left > 0:
        return f"{r.days_left}일 남음", f"{r.days_left} day{'s' if r.days_left != 1 else ''} left"
    if r.days_left == 0:
        return "오늘까지", "due today"
    late = -r.days_left
    return f"{late}일 지남", f"{late} day{'s' if late != 1 else ''} overdue"


def badge(r: RightsRequest) -> str | None:
    """``overdue``, or ``soon`` (due within ``SOON_DAYS``), for an open request; else None."""
    if not is_open(r.status):
        return None
    if r.overdue:
        return "overdue"
    return "soon" if r.days_left <= SOON_DAYS else None


LABELS: dict[str, Any] = {
    "types": REQUEST_TYPES,
    "statuses": STATUSES,
    "requesters": REQUESTERS,
    "channels": CHANNEL,
    "badge": badge,
    "days_text": days_text,
    "is_open": is_open,
}
"""What every rights page shows codes with (no personal values: labels of the law and the policy)."""


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request, user: Officer, jikimi: JikimiDep, status: str = "open", type: str = ""
) -> HTMLResponse:
    """The work queue: overdue first, then by deadline; filtered by status and type."""
    need(user, "rights")
    if status not in FILTERS:
        raise InvalidInput("status", "알 수 없는 상태입니다", "unknown status")
    found = jikimi.rights.list_requests(
        actor=user.handler,
        open_only=status == "open",
        status=status if status in STATUSES else None,
        type=type or None,
        limit=500,
    )
    context = {"requests": found, "status": status, "type": type, "filters": FILTERS, **LABELS}
    return page(request, "console/rights/list.html", context)


def _scope_purposes(jikimi: Jikimi, r: RightsRequest) -> tuple[str, ...]:
    """The purposes a stop or withdrawal names; a withdrawal naming none withdraws every consent."""
    if r.type == "consent_withdrawal" and not r.purposes:
        return tuple(p.id for p in jikimi.policy.purposes if p.basis == "consent")
    return r.purposes


def _detail(
    request: Request,
    user: ConsoleUser,
    jikimi: Jikimi,
    request_id: str,
    *,
    errors: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
    problem: JikimiError | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    desk = jikimi.rights
    r = desk.get(request_id, actor=user.handler)
    events = desk.events(request_id, actor=user.handler)
    policy = jikimi.policy
    purposes = policy.purposes_by_id
    decisions = {d.id: d.label for d in policy.automated_decisions}
    context = {
        "r": r,
        "type_names": REQUEST_TYPES[r.type],
        "b": badge(r),
        "left": days_text(r),
        "open_now": is_open(r.status),
        "events": events,
        "extension": extension_of(r, sum(1 for e in events if e.status == "extended")),
        "extend_min": (r.due_day + timedelta(days=1)).isoformat(),
        "grounds": grounds_for(r.type),
        "all_grounds": REFUSAL_GROUNDS,
        "how_to_object": (HOW_TO_OBJECT_KO, HOW_TO_OBJECT_EN),
        "refusal": desk.refusal_notice(request_id, actor=user.handler) if r.refusal_ground else None,
        "item_labels": [(i, policy.label_of(i)) for i in r.items],
        "purpose_labels": [
            (p, purposes[p].label if p in purposes else p) for p in _scope_purposes(jikimi, r)
        ],
        "decision_label": decisions.get(r.decision, r.decision) if r.decision else None,
        "answers": r.type in ANSWERED,
        "carry_out": CARRY_OUT.get(r.type),
        "errors": errors or {},
        "problem": problem,
        "values": values or {},
        **LABELS,
    }
    return page(request, "console/rights/detail.html", context, status=status)


@router.get("/{request_id}", response_class=HTMLResponse)
def detail(request: Request, user: Officer, jikimi: JikimiDep, request_id: str) -> HTMLResponse:
    """One request: what was asked, by whom, its deadline and history, and the steps it allows."""
    need(user, "rights")
    return _detail(request, user, jikimi, request_id)


def _step(
    request: Request,
    user: ConsoleUser,
    jikimi: Jikimi,
    request_id: str,
    form: Form,
    name: str,
    notice: tuple[str, str],
    act: Callable[[], object],
) -> Response:
    """Run one step of the desk: done, 303 back with ``notice``; refused for its input or the
    request's state, the request's page again with the reason (the form ``name`` refilled, never
    with the values of a correction)."""
    need(user, "rights")
    kept = {k: v for k, v in form.items() if k != "csrf" and not k.startswith("value:")}
    kept["_form"] = name
    try:
        act()
    except InvalidInput as exc:
        field = {name: {exc.field: (exc.reason_ko, exc.reason_en)}}
        return _detail(request, user, jikimi, request_id, errors=field, values=kept, status=422)
    except Denied as exc:
        if not exc.reason.startswith("verification_"):
            raise
        field = {name: {"proof": (exc.message_ko, exc.message_en)}}
        return _detail(request, user, jikimi, request_id, errors=field, values=kept, status=422)
    except StateConflict as exc:
        return _detail(request, user, jikimi, request_id, problem=exc, values=kept, status=409)
    return redirect(f"/console/rights/{request_id}", notice=notice)


def _ground(form: Form) -> str:
    ground = form.text("ground", max_length=48)
    if not ground:
        raise InvalidInput("ground", "법이 정한 사유를 고르십시오", "choose a legal ground")
    return ground


def _note(form: Form) -> str | None:
    return form.text("note", max_length=500) or None


def _day(form: Form) -> date:
    text = form.text("until", max_length=10)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("until", "날짜를 YYYY-MM-DD로 적으십시오", "give the date as YYYY-MM-DD") from None


@router.post("/{request_id}/verify")
def verify(
    request: Request, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep, request_id: str
) -> Response:
    """본인 확인: checked by the handler (saying how), or the one-time code the requester received."""

    def act() -> object:
        method = form.get("method") or "handler"
        proof = form.text("proof", max_length=200)
        return jikimi.rights.verify(request_id, method=method, proof=proof, actor=user.handler, source=source)

    notice = ("본인 확인을 마쳤습니다", "identity verified")
    return _step(request, user, jikimi, request_id, form, "verify", notice, act)


@router.post("/{request_id}/start")
def start(
    request: Request, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep, request_id: str
) -> Response:
    """Mark a verified request as being worked on (처리 중)."""
    notice = ("처리 중으로 표시했습니다", "marked in progress")
    return _step(
        request,
        user,
        jikimi,
        request_id,
        form,
        "start",
        notice,
        lambda: jikimi.rights.start(request_id, actor=user.handler, source=source),
    )


@router.post("/{request_id}/answer")
def answer(
    request: Request, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep, request_id: str
) -> Response:
    """Close an access or automated-decision request as answered; the answer notice is queued."""
    notice = ("답변했습니다. 결과 통지를 보냅니다", "answered; the answer notice is queued")
    return _step(
        request,
        user,
        jikimi,
        request_id,
        form,
        "answer",
        notice,
        lambda: jikimi.rights.answer(request_id, note=_note(form), actor=user.handler, source=source),
    )


@router.post("/{request_id}/partial-answer")
def partial_answer(
    request: Request, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep, request_id: str
) -> Response:
    """Answer in part: what is withheld rests on a legal ground the request's type allows."""
    notice = (
        "일부 답변했습니다. 결과 통지에 사유가 담깁니다",
        "partly answered; the notice carries the ground",
    )
    return _step(
        request,
        user,
        jikimi,
        request_id,
        form,
        "partial",
        notice,
        lambda: jikimi.rights.answer(
            request_id, note=_note(form), partly_ground=_ground(form), actor=user.handler, source=source
        ),
    )


@router.post("/{request_id}/extend")
def extend(
    request: Request, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep, request_id: str
) -> Response:
    """Put the answer off to a new Korean day, with the reason told to the requester."""
    notice = ("기한을 연기했습니다. 요구한 분께 사유를 알리십시오", "extended; tell the requester why")
    return _step(
        request,
        user,
        jikimi,
        request_id,
        form,
        "extend",
        notice,
        lambda: jikimi.rights.extend(
            request_id,
            until=_day(form),
            reason=form.text("reason", max_length=500),
            actor=user.handler,
            source=source,
        ),
    )


@router.post("/{request_id}/refuse")
def refuse(
    request: Request, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep, request_id: str
) -> Response:
    """Refuse on a legal ground; the notice carries the ground and how to object."""
    notice = (
        "거절했습니다. 통지에 사유와 이의제기 방법이 담깁니다",
        "refused; the notice carries the ground and how to object",
    )
    return _step(
        request,
        user,
        jikimi,
        request_id,
        form,
        "refuse",
        notice,
        lambda: jikimi.rights.refuse(
            request_id, ground=_ground(form), note=_note(form), actor=user.handler, source=source
        ),
    )


def _refusals(form: Form) -> dict[str, str]:
    """``refuse:<item or purpose>`` → ground, for the entries the officer refuses."""
    return {k.removeprefix("refuse:"): v for k, v in form.items() if k.startswith("refuse:") and v}


@router.post("/{request_id}/carry-out")
def carry_out(
    request: Request, user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep, request_id: str
) -> Response:
    """Carry out a correction, deletion, stop or withdrawal; the request closes with it."""
    desk = jikimi.rights

    def act() -> object:
        kind = desk.get(request_id, actor=user.handler).type
        refuse = _refusals(form)
        if kind == "correction":
            values = {
                k.removeprefix("value:"): v
                for k, v in form.items()
                if k.startswith("value:") and k.removeprefix("value:") not in refuse and v.strip()
            }
            return desk.apply_correction(request_id, values, refuse=refuse, actor=user.handler, source=source)
        if kind == "deletion":
            return desk.delete(request_id, refuse=refuse, actor=user.handler, source=source)
        if kind == "stop":
            return desk.stop_processing(request_id, refuse=refuse, actor=user.handler, source=source)
        if kind == "consent_withdrawal":
            return desk.withdraw_consents(request_id, refuse=refuse, actor=user.handler, source=source)
        raise StateConflict(
            "이 요구는 답변으로 마칩니다", "this request closes with an answer, not by carrying it out"
        )

    notice = (
        "실행하고 요구를 마쳤습니다. 결과 통지를 보냅니다",
        "carried out and closed; the answer notice is queued",
    )
    return _step(request, user, jikimi, request_id, form, "carry_out", notice, act)


@router.get("/{request_id}/package", response_class=HTMLResponse)
def package(
    request: Request, user: Officer, jikimi: JikimiDep, source: SourceDep, request_id: str
) -> HTMLResponse:
    """The access package as the subject will see it (``shared/package.html``); a logged read."""
    need(user, "rights")
    p = jikimi.rights.package(request_id, actor=user.handler, source=source)
    context = {
        "p": p,
        "records": p.records(),
        "provisions": p.provisions(),
        "history": p.access_history(),
        "bases": BASES,
        "actor_kinds": ACTOR_KINDS,
        "policy": jikimi.policy,
    }
    return page(request, "console/rights/package.html", context)
