"""My requests: what I have asked for, with its status and deadline (KST), and a form for a new one
— 열람, 정정, 삭제, 처리정지, 동의 철회, 자동화된 결정 거부·설명 (PIPA 35–37-2). Each becomes a rights
request through ``jikimi.rights.receive``, as through the API: filed by the subject (``self``) or,
in a guardian's session, by the child's legal guardian (``guardian``, 38②). Requests come in
through the web channel when the policy's rights section takes it."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.errors import InvalidInput
from jikimi.policy.model import Policy
from jikimi.rights.model import REQUEST_TYPES, STATUSES
from jikimi.web.console.deps import JikimiDep, SourceDep
from jikimi.web.errors import redirect
from jikimi.web.pages import page
from jikimi.web.privacy.deps import Member, PrivacyForm

router = APIRouter()

HERE = "/privacy/requests"
CENTER_CHANNELS = ("web", "app")
"""The rights channels a request filed here counts as, the first the policy takes."""
WHAT = {
    "access": (
        "보유한 정보와 그 처리 내역을 보여 주십시오.",
        "Show me what you hold and how it is processed.",
    ),
    "correction": (
        "틀린 정보를 고쳐 주십시오. 처리하는 동안 그 정보는 쓰이지 않습니다.",
        "Correct what is wrong; it is not used meanwhile.",
    ),
    "deletion": (
        "정보를 삭제해 주십시오. 법령이 보존을 정한 것은 그 기간 동안 분리 보관됩니다.",
        "Delete my data; what a law keeps is kept separately for its period.",
    ),
    "stop": ("목적을 정해 처리를 멈춰 주십시오.", "Stop processing for the purposes I name."),
    "consent_withdrawal": (
        "동의를 철회합니다 (목적을 고르지 않으면 전부).",
        "I withdraw my consent (all, if no purpose is chosen).",
    ),
    "automated_decision": (
        "자동화된 결정을 거부하거나 설명을 요구합니다.",
        "I refuse an automated decision or ask for its explanation.",
    ),
}


def center_channel(policy: Policy) -> str | None:
    """The channel a privacy-center request is received through, or None when the policy takes
    requests neither on the web nor in the app."""
    return next((c for c in CENTER_CHANNELS if c in policy.rights_channels), None)


@router.get("/requests", response_class=HTMLResponse)
def my_requests(request: Request, jikimi: JikimiDep, member: Member, source: SourceDep) -> Response:
    policy = jikimi.policy
    found = jikimi.rights.own_requests(member.subject_id, actor=member.actor, source=source)
    state = jikimi.vault.subject(member.subject_id, actor=member.actor, source=source)
    held_ids = set(cast(list[str], state["items"]))
    held = [(i, policy.label_of(i)) for i in policy.items_by_id if i in held_ids]  # in the policy's order
    context = {
        "requests": found,
        "types": [(key, ko, en, article, *WHAT[key]) for key, (ko, en, article) in REQUEST_TYPES.items()],
        "type_names": REQUEST_TYPES,
        "statuses": STATUSES,
        "held": held,
        "purposes": [(p.id, p.label, p.basis == "consent") for p in policy.purposes],
        "decisions": [(d.id, d.label) for d in policy.automated_decisions],
        "channel": center_channel(policy),
        "channels": policy.rights_channels,
        "child": None,
    }
    return page(request, "privacy/requests.html", context)


@router.post("/requests", response_class=HTMLResponse)
def file_request(jikimi: JikimiDep, member: Member, form: PrivacyForm, source: SourceDep) -> Response:
    channel = center_channel(jikimi.policy)
    if channel is None:
        raise InvalidInput(
            "channel",
            "처리방침이 웹으로는 권리 요구를 받지 않습니다. 처리방침에 적힌 방법으로 요구하십시오",
            "the policy takes no requests on the web; use a way it names",
        )
    kind = form.text("type", required=True, max_length=32)
    if kind not in REQUEST_TYPES:
        raise InvalidInput("type", "요구 종류를 고르십시오", "choose what to ask for")
    items = (
        [i[:64] for i in form.getall("items")][:100] if kind in ("access", "correction", "deletion") else []
    )
    purposes = (
        [p[:64] for p in form.getall("purposes")][:100] if kind in ("stop", "consent_withdrawal") else []
    )
    decision = form.text("decision", max_length=64) or None if kind == "automated_decision" else None
    received = jikimi.rights.receive(
        member.subject_id,
        kind,
        channel=channel,
        actor=member.actor,
        requester="guardian" if member.acting_as == "guardian" else "self",
        items=items,
        purposes=purposes,
        decision=decision,
        source=source,
    )
    ko, en, _ = REQUEST_TYPES[kind]
    due = received.request.due_day.isoformat()
    notice = (
        (
            f"같은 {ko} 요구가 이미 처리 중입니다 (기한 {due})",
            f"the same {en} request is already open (due {due})",
        )
        if received.duplicate
        else (
            f"{ko} 요구를 접수했습니다. 기한은 {due}입니다",
            f"your {en} request was received; it is due {due}",
        )
    )
    return redirect(HERE, notice=notice)
