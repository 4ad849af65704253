"""My consents: one toggle per optional purpose and per advertising channel the policy's marketing
purposes declare, each a one-click form — withdrawing is as easy as giving (PIPA 37, 38④;
정보통신망법 50). Every change goes through the same services as the API (``vault.give_consent`` /
``withdraw_consent``, ``marketing.give`` / ``withdraw``), and so does reading the current state
(metadata reads by the member, logged)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.errors import InvalidInput
from jikimi.notices.marketing_rules import declared
from jikimi.states import NIGHT
from jikimi.web.console.deps import JikimiDep, SourceDep
from jikimi.web.errors import redirect
from jikimi.web.pages import page
from jikimi.web.privacy.deps import Member, PrivacyForm

router = APIRouter()

HERE = "/privacy/consents"
AD_NAMES = {
    "email": ("이메일", "e-mail"),
    "sms": ("문자 메시지", "text messages"),
    "push": ("앱 푸시 알림", "app push notifications"),
    "phone": ("전화", "phone calls"),
    "fax": ("팩스", "fax"),
    "letter": ("우편", "letters"),
    NIGHT: ("야간(21시~8시) 광고 수신", "advertising at night (21:00-08:00)"),
}


@dataclass(frozen=True)
class Toggle:
    """One consent the member may give or withdraw here, and whether it is given now."""

    kind: str  # purpose | ad
    target: str
    ko: str
    en: str
    on: bool
    required: bool = False
    closed: bool = False
    """It cannot be given to this subject (a child and a purpose excluding children)."""


@router.get("/consents", response_class=HTMLResponse)
def my_consents(request: Request, jikimi: JikimiDep, member: Member, source: SourceDep) -> Response:
    policy = jikimi.policy
    state = jikimi.vault.subject(member.subject_id, actor=member.actor, source=source)
    child = bool(state["is_child"])
    history = jikimi.vault.consents_of(member.subject_id, actor=member.actor, source=source)
    live = {
        str(c["target_id"])
        for c in history
        if c["target_kind"] == "purpose" and c["granted"] and c["withdrawn_at"] is None
    }
    purposes = [
        Toggle(
            "purpose",
            p.id,
            p.label,
            p.label_en or p.id,
            p.id in live,
            required=p.consent == "required",
            closed=child and policy.excludes_children(p),
        )
        for p in policy.purposes
        if p.basis == "consent"
    ]
    channels = declared(policy.purposes)
    ads: list[Toggle] = []
    if channels:
        given = {
            c.channel for c in jikimi.marketing.consents(member.subject_id, actor=member.actor, source=source)
        }
        ads = [
            Toggle("ad", c, *AD_NAMES.get(c, (c, c)), c in given, closed=child) for c in (*channels, NIGHT)
        ]
    context = {"purposes": purposes, "ads": ads, "child": None, "active": state["status"] == "active"}
    return page(request, "privacy/consents.html", context)


@router.post("/consents", response_class=HTMLResponse)
def change(jikimi: JikimiDep, member: Member, form: PrivacyForm, source: SourceDep) -> Response:
    """One toggle: ``kind`` (purpose or ad), ``target`` and ``give`` (1 gives, 0 withdraws)."""
    kind, target = (
        form.text("kind", required=True, max_length=16),
        form.text("target", required=True, max_length=64),
    )
    give = form.text("give", required=True, max_length=1)
    if give not in ("0", "1"):
        raise InvalidInput("give", "0 또는 1이어야 합니다", "must be 0 or 1")
    granted = give == "1"
    if kind == "purpose":
        if granted:
            jikimi.vault.give_consent(
                member.subject_id, target, actor=member.actor, channel="web", source=source
            )
        else:
            jikimi.vault.withdraw_consent(
                member.subject_id, target, actor=member.actor, channel="web", source=source
            )
        name = jikimi.policy.purposes_by_id[target].label
    elif kind == "ad":
        if granted:
            jikimi.marketing.give(member.subject_id, target, actor=member.actor, via="web", source=source)
        else:
            jikimi.marketing.withdraw(member.subject_id, target, actor=member.actor, via="web", source=source)
        name = AD_NAMES.get(target, (target, target))[0]
    else:
        raise InvalidInput("kind", "purpose 또는 ad여야 합니다", "must be purpose or ad")
    notice = (
        (f"{name}에 동의했습니다", "consent given")
        if granted
        else (f"{name} 동의를 철회했습니다. 지금부터 적용됩니다", "consent withdrawn, from now on")
    )
    return redirect(HERE, notice=notice)
