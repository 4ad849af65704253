"""The advertising send gate's rules (정보통신망법 50, 시행령 61–62-3), pure: may this advertising
go to this subject through this channel at this time? Every answer is a ``Decision`` with a stable
reason; this module imports no framework and touches no database (``notices.marketing`` gathers the
facts, decides here, and logs).

The order of checks is part of the contract — the first that fails is the reason:

    unknown_subject        no such subject
    child                  a child under 14 is never sent advertising (the policy's
                           ``children.no_marketing``, PIPA 22-2; whatever the consents say)
    withdrawn              the subject is not active: withdrawn, dormant (separated), waiting
                           for a guardian (the detail names the state)
    processing_stopped     a processing stop (PIPA 37) on the marketing purpose
    no_consent             no live consent to the marketing purpose (missing, refused, withdrawn)
    no_channel_consent     no live consent to receive advertising through the channel (50①)
    consent_expired        given (or last reconfirmed) 2 years or more before the send and not
                           reconfirmed since (50⑧, 시행령 62-3); the channel's or the night's
    night_without_consent  a send between 21:00 and 08:00 KST without the separate night-time
                           consent (50③); a letter is not sent at a time of day and is exempt

A withdrawal is honoured at once: the facts are read at the check, and a withdrawn consent is not
live. The 2-year clock runs from the consent's anchor (the last time it was given or reconfirmed,
the Civil Act's counting: to the close of the day two years on, KST), judged at the send time
or now, whichever is later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Protocol, get_args

from jikimi.errors import InvalidInput
from jikimi.gate import Decision
from jikimi.periods import KST, Duration, due_if_before, expiry_instant, shift
from jikimi.policy.model import AdChannel, Policy, Purpose
from jikimi.states import NIGHT

CHANNELS: tuple[str, ...] = get_args(AdChannel)
"""Every advertising channel a policy may declare (``Purpose.ad_channels``)."""
RECONFIRM_EVERY = Duration(years=2)
"""정보통신망법 시행령 62-3①: the sender confirms each consent every 2 years from its date."""
RECONFIRM_LEAD = Duration(days=30)
"""How long before the 2-year mark the reconfirmation notice is queued: the delivery worker's
retries have weeks, not hours, and the subject has a month to keep or withdraw the consent before
it would lapse — the same lead the policies give their dormancy notices (30일)."""
NIGHT_FROM, NIGHT_UNTIL = time(21, 0), time(8, 0)
"""정보통신망법 50③: from 21:00 to 08:00 the next day, Korean time."""
TIMELESS = frozenset({"letter"})
"""Channels not sent at a moment of the day (a letter is posted, not transmitted): no night rule."""
MAX_SUBJECTS = 100_000
"""The most subjects one check answers."""

REASONS: dict[str, tuple[str, str]] = {
    "allowed": ("전송할 수 있습니다", "allowed"),
    "unknown_subject": ("없는 대상자입니다", "no such subject"),
    "child": (
        "만 14세 미만 아동에게는 광고성 정보를 보내지 않습니다",
        "advertising is never sent to a child under 14",
    ),
    "withdrawn": (
        "탈퇴했거나 활성 상태가 아닌 대상자입니다 (휴면·법정대리인 동의 대기 포함)",
        "the subject has withdrawn or is not active (dormant, waiting for a guardian)",
    ),
    "processing_stopped": (
        "처리정지 요구로 광고 목적의 처리가 중단되었습니다",
        "processing for the marketing purpose was stopped at the subject's request",
    ),
    "no_consent": (
        "광고 목적의 개인정보 이용에 동의하지 않았거나 동의를 철회했습니다",
        "no consent to the marketing purpose, or it was withdrawn",
    ),
    "no_channel_consent": (
        "이 전송매체로 광고성 정보를 받는 데 동의하지 않았거나 동의를 철회했습니다 (정보통신망법 50①)",
        "no consent to receive advertising through this channel, or it was withdrawn",
    ),
    "consent_expired": (
        "수신동의 후 2년이 지나도록 재확인되지 않았습니다 (정보통신망법 시행령 62-3)",
        "the consent to receive is 2 years old and was not reconfirmed",
    ),
    "night_without_consent": (
        "오후 9시부터 다음 날 오전 8시까지의 전송에 대한 별도 동의가 없습니다 (정보통신망법 50③)",
        "no separate consent to advertising between 21:00 and 08:00 KST",
    ),
}
"""Every reason a send check gives, with its message in Korean and English."""


class Facts(Protocol):
    """What the rules need to know about a subject (never its values)."""

    @property
    def status(self) -> str: ...
    @property
    def is_child(self) -> bool: ...
    @property
    def stopped(self) -> bool: ...
    @property
    def purpose_consent(self) -> str:
        """``live``, ``withdrawn`` or ``missing``."""
        ...

    @property
    def channel_at(self) -> datetime | None:
        """The anchor of the live consent to the channel; ``None``: none is live."""
        ...

    @property
    def night_at(self) -> datetime | None:
        """The anchor of the live night-time consent; ``None``: none is live."""
        ...


def _decision(reason: str, detail: str = "") -> Decision:
    return Decision(reason == "allowed", reason, detail, reasons=REASONS)


_PLAIN = {reason: _decision(reason) for reason in REASONS}
"""One shared decision per reason without a detail: a check of 100,000 subjects makes few objects."""


@dataclass(frozen=True)
class Send:
    """One advertising send, fixed for a whole check (``plan``): through ``channel`` for
    ``purpose``; ``night`` whether it falls between 21:00 and 08:00 KST on a channel with a time of
    day; consents anchored before ``expired_before`` are 2 years old at it."""

    purpose: Purpose
    channel: str
    send_at: datetime
    night: bool
    expired_before: datetime


def plan(purpose: Purpose, channel: str, send_at: datetime, now: datetime) -> Send:
    """The send through ``channel`` at ``send_at`` (aware), asked at ``now``; the 2-year clock is
    judged at the later of the two."""
    moment = send_at.astimezone(KST).time()
    night = channel not in TIMELESS and (moment >= NIGHT_FROM or moment < NIGHT_UNTIL)
    return Send(purpose, channel, send_at, night, due_if_before(max(send_at, now), RECONFIRM_EVERY))


def decide_send(send: Send, facts: Facts | None) -> Decision:
    """Decide one subject's send (the order of checks: see the module)."""
    if facts is None:
        return _PLAIN["unknown_subject"]
    if facts.is_child:
        return _PLAIN["child"]
    if facts.status != "active":
        return _decision("withdrawn", facts.status)
    if facts.stopped:
        return _PLAIN["processing_stopped"]
    if send.purpose.basis == "consent" and facts.purpose_consent != "live":
        return _decision("no_consent", facts.purpose_consent)
    if facts.channel_at is None:
        return _PLAIN["no_channel_consent"]
    if facts.channel_at < send.expired_before:
        return _decision("consent_expired", send.channel)
    if send.night:
        if facts.night_at is None:
            return _PLAIN["night_without_consent"]
        if facts.night_at < send.expired_before:
            return _decision("consent_expired", NIGHT)
    return _PLAIN["allowed"]


def expires_at(anchor: datetime) -> datetime:
    """The first instant a consent given (or reconfirmed) at ``anchor`` no longer holds unreconfirmed."""
    return expiry_instant(anchor, RECONFIRM_EVERY)


def notice_at(anchor: datetime) -> datetime:
    """When the reconfirmation notice of a consent anchored at ``anchor`` is due (30 days ahead)."""
    return shift(expires_at(anchor), RECONFIRM_LEAD, back=True)


def reconfirmation_due_before(now: datetime) -> datetime:
    """Consents anchored before this instant are due a reconfirmation notice at ``now``."""
    return due_if_before(shift(now, RECONFIRM_LEAD), RECONFIRM_EVERY)


# -- the policy's advertising channels -------------------------------------------------------------


def declared(purposes: Sequence[Purpose]) -> tuple[str, ...]:
    """The advertising channels the marketing purposes among ``purposes`` declare, in order."""
    return tuple(dict.fromkeys(c for p in purposes if p.marketing for c in p.ad_channels))


def ad_purpose(policy: Policy, channel: str, purpose_id: str | None = None) -> Purpose:
    """The marketing purpose a send through ``channel`` is for: ``purpose_id``, else the one
    purpose declaring the channel. ``InvalidInput`` (``channel`` or ``purpose``) otherwise."""
    if channel not in CHANNELS:
        raise InvalidInput(
            "channel",
            f"광고 전송매체가 아닙니다 (있는 것: {', '.join(CHANNELS)})",
            f"is not an advertising channel (known: {', '.join(CHANNELS)})",
        )
    if purpose_id is not None:
        purpose = policy.purposes_by_id.get(purpose_id)
        if purpose is None or not purpose.marketing:
            raise InvalidInput("purpose", "처리방침의 마케팅 목적이 아닙니다", "is not a marketing purpose")
        candidates = [purpose] if channel in purpose.ad_channels else []
    else:
        candidates = [p for p in policy.purposes if p.marketing and channel in p.ad_channels]
    if not candidates:
        known = ", ".join(declared(policy.purposes)) or "-"
        raise InvalidInput(
            "channel",
            f"처리방침이 이 매체로는 광고 수신동의를 받지 않습니다 (받는 매체: {known})",
            f"the policy asks no consent to receive advertising through this channel (it does: {known})",
        )
    if len(candidates) > 1:
        raise InvalidInput(
            "purpose",
            "이 매체를 쓰는 마케팅 목적이 여럿입니다: 목적을 지정하십시오",
            "several marketing purposes use this channel: name the purpose",
        )
    return candidates[0]


def ad_target(policy: Policy, target: str) -> str:
    """A consent target a person may give, withdraw or reconfirm: a channel some marketing purpose
    declares, or ``night`` (when any does). ``InvalidInput`` (``channel``) otherwise."""
    known = declared(policy.purposes)
    if target in known or (target == NIGHT and known):
        return target
    names = ", ".join((*known, NIGHT)) if known else "-"
    raise InvalidInput(
        "channel",
        f"처리방침이 이 매체로는 광고 수신동의를 받지 않습니다 (받는 것: {names})",
        f"the policy asks no such consent to receive advertising (it asks: {names})",
    )
