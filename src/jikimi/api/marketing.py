"""The advertising send gate and consents to receive advertising (정보통신망법 50), a thin face.

Every route calls one ``jikimi.marketing`` method with the calling handler and the client's
address, so the access log records who did what from where. ``POST /v1/marketing/check`` answers
up to 100,000 subjects in one call: per subject ``allowed`` and a stable ``reason``, with each
reason's Korean and English message once in ``messages`` (not 100,000 times).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from jikimi.api.answers import ACTION_DENIED, INVALID, STATE_CONFLICT, SUBJECT_MISSING, Answer, answers
from jikimi.api.deps import HandlerDep, JikimiDep, SourceDep
from jikimi.api.examples import example
from jikimi.api.schemas import SUBJECT_ID_PATTERN, ConsentChangeIn, Instant, Moment, PolicyId, SubjectRef
from jikimi.notices.marketing_rules import MAX_SUBJECTS, REASONS

router = APIRouter(prefix="/v1", tags=["marketing"])

INVALID_CHANNEL = Answer(
    422,
    "vault.invalid",
    "ad_channel: 처리방침이 쓰지 않는 광고 전송매체입니다",
    "ad_channel: not an advertising channel the policy uses",
    field="ad_channel",
)

CHECK_PATH = "/v1/marketing/check"
CHECK_BODY_BYTES = MAX_SUBJECTS * 36 + 64 * 1024
"""The largest check body: 100,000 quoted ids of up to 32 characters, and room for the rest."""

SubjectId = Annotated[str, Path(pattern=SUBJECT_ID_PATTERN, description="대상자 id (opaque subject id)")]
AdChannel = Annotated[
    str,
    Path(
        pattern=r"^[a-z]{2,16}$",
        description="광고 전송매체 (sms, email, push, phone, fax, letter) 또는 night (야간 수신동의)",
    ),
]


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("must include a UTC offset, e.g. 2026-12-03T22:00:00+09:00")
    return moment


SendAt = Annotated[Moment, AfterValidator(_aware)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CheckIn(_In):
    model_config = example(
        {
            "subject_ids": ["Hx7sK2mPq9LrT4vWz8bN3c", "Kp2wN8xQ4rLm6TzV9bC1sd"],
            "channel": "sms",
            "send_at": "2026-12-03T22:00:00+09:00",
            "purpose": "marketing",
        }
    )

    subject_ids: list[SubjectRef] = Field(min_length=1, max_length=MAX_SUBJECTS)
    channel: Annotated[str, Field(min_length=1, max_length=16)] = Field(
        description="광고 전송매체 (advertising channel): sms, email, push, phone, fax, letter"
    )
    send_at: SendAt = Field(
        strict=False,
        description="전송 시각, 시간대 포함 (send time with its offset), e.g. 2026-12-03T22:00+09:00",
    )
    purpose: PolicyId | None = Field(
        default=None,
        description="마케팅 목적 id; 없으면 이 매체를 쓰는 목적 (default: the purpose using the channel)",
    )


class Message(BaseModel):
    message_ko: str
    message_en: str


class CheckRow(BaseModel):
    subject_id: str
    allowed: bool
    reason: str = Field(description="허용 또는 거부 사유 코드 (a key of messages)")
    detail: str | None = Field(default=None, description="사유의 세부 (the channel, the state…)")


class CheckOut(BaseModel):
    model_config = example(
        {
            "purpose": "marketing",
            "channel": "sms",
            "send_at": "2026-12-03T13:00:00Z",
            "night": True,
            "counts": {"allowed": 1, "night_without_consent": 1},
            "messages": {
                "allowed": {"message_ko": "보낼 수 있습니다", "message_en": "may be sent"},
                "night_without_consent": {
                    "message_ko": "야간 수신동의가 없습니다",
                    "message_en": "no consent to night-time advertising",
                },
            },
            "results": [
                {
                    "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
                    "allowed": True,
                    "reason": "allowed",
                    "detail": None,
                },
                {
                    "subject_id": "Kp2wN8xQ4rLm6TzV9bC1sd",
                    "allowed": False,
                    "reason": "night_without_consent",
                    "detail": None,
                },
            ],
        }
    )

    purpose: str
    channel: str
    send_at: Instant
    night: bool = Field(description="오후 9시~오전 8시(KST) 전송인지 (a night-time send)")
    counts: dict[str, int] = Field(description="사유별 대상자 수 (subjects per reason)")
    messages: dict[str, Message] = Field(description="사유 코드 → 한국어·영어 메시지 (reason → messages)")
    results: list[CheckRow] = Field(description="요청한 순서대로, 대상자마다 한 번 (as asked, each once)")


class AdConsentOut(BaseModel):
    model_config = example({"subject_id": "Hx7sK2mPq9LrT4vWz8bN3c", "channel": "sms", "granted": True})

    subject_id: str
    channel: str
    granted: bool


class ReconfirmedOut(BaseModel):
    model_config = example({"subject_id": "Hx7sK2mPq9LrT4vWz8bN3c", "reconfirmed": ["sms"]})

    subject_id: str
    reconfirmed: list[str]


class ChannelConsentRow(BaseModel):
    channel: str
    given_at: Instant
    confirmed_at: Instant | None
    answered_via: str
    expires_at: Instant = Field(description="재확인 없이 동의가 끝나는 때 (lapses unreconfirmed at)")
    notice_at: Instant = Field(description="재확인 안내를 보낼 때 (reconfirmation notice due)")


class ChannelConsentsOut(BaseModel):
    model_config = example(
        {
            "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
            "consents": [
                {
                    "channel": "sms",
                    "given_at": "2026-12-03T01:00:00Z",
                    "confirmed_at": None,
                    "answered_via": "web",
                    "expires_at": "2028-12-03T01:00:00Z",
                    "notice_at": "2028-11-03T01:00:00Z",
                }
            ],
        }
    )

    subject_id: str
    consents: list[ChannelConsentRow]


@router.post(
    "/marketing/check",
    responses=answers(ACTION_DENIED, INVALID),
    response_model=CheckOut,
    summary="광고 전송 확인 (advertising send check)",
)
def check(body: CheckIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep) -> JSONResponse:
    """대상자마다 광고성 정보를 이 매체로 이 시각에 보내도 되는지 답합니다 (정보통신망법 50).
    `marketing` 작업 권한이 필요하고, 호출 한 번이 (거부된 호출도) 접속기록 한 행입니다.
    Answers, per subject, whether advertising may be sent through the channel at the time:
    allowed, or denied with its reason (no_consent, no_channel_consent, night_without_consent,
    consent_expired, child, withdrawn, processing_stopped, unknown_subject)."""
    result = jikimi.marketing.check(
        body.subject_ids,
        channel=body.channel,
        send_at=body.send_at,
        purpose=body.purpose,
        actor=handler,
        source=source,
    )
    counts = result.counts
    # 100,000 rows: plain JSON in the documented shape (``CheckOut``), without a model per row
    return JSONResponse(
        {
            "purpose": result.purpose,
            "channel": result.channel,
            "send_at": result.send_at.isoformat().replace("+00:00", "Z"),
            "night": result.night,
            "counts": counts,
            "messages": {r: {"message_ko": REASONS[r][0], "message_en": REASONS[r][1]} for r in counts},
            "results": [
                {"subject_id": sid, "allowed": d.allowed, "reason": d.reason, "detail": d.detail or None}
                for sid, d in result.decisions.items()
            ],
        }
    )


@router.get(
    "/subjects/{subject_id}/ad-consents",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING),
    response_model=ChannelConsentsOut,
    summary="광고 수신동의 (consents to receive advertising)",
)
def consents(
    subject_id: SubjectId, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> ChannelConsentsOut:
    """대상자의 유효한 광고 수신동의(매체별, 야간)와 재확인 기한. `metadata` 권한, 기록됨.
    A subject's live consents to receive advertising, each with when it lapses unreconfirmed."""
    found = jikimi.marketing.consents(subject_id, actor=handler, source=source)
    rows = [ChannelConsentRow.model_validate(vars(c)) for c in found]
    return ChannelConsentsOut(subject_id=subject_id, consents=rows)


@router.post(
    "/subjects/{subject_id}/ad-consents/{ad_channel}",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, INVALID_CHANNEL),
    response_model=AdConsentOut,
    summary="광고 수신동의 (consent to receive advertising through a channel)",
)
def give(
    subject_id: SubjectId,
    ad_channel: AdChannel,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: Annotated[ConsentChangeIn | None, Body()] = None,
) -> AdConsentOut:
    """매체별(또는 야간) 광고 수신동의를 기록합니다. `consent` 작업 권한이 필요합니다.
    Records the subject's consent to receive advertising through the channel (or at night: `night`)."""
    via = (body or ConsentChangeIn()).channel
    jikimi.marketing.give(subject_id, ad_channel, actor=handler, via=via, source=source)
    return AdConsentOut(subject_id=subject_id, channel=ad_channel, granted=True)


@router.post(
    "/subjects/{subject_id}/ad-consents/{ad_channel}/withdraw",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, INVALID_CHANNEL),
    response_model=AdConsentOut,
    summary="광고 수신동의 철회 (withdraw a consent to receive advertising)",
)
def withdraw(
    subject_id: SubjectId,
    ad_channel: AdChannel,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: Annotated[ConsentChangeIn | None, Body()] = None,
) -> AdConsentOut:
    """매체별(또는 야간) 광고 수신동의를 철회합니다. 다음 확인부터 바로 거부됩니다. `consent` 작업 권한이
    필요합니다.
    Withdraws the consent; every send check from now on denies it (`no_channel_consent`). Needs the
    `consent` action."""
    via = (body or ConsentChangeIn()).channel
    jikimi.marketing.withdraw(subject_id, ad_channel, actor=handler, via=via, source=source)
    return AdConsentOut(subject_id=subject_id, channel=ad_channel, granted=False)


@router.post(
    "/subjects/{subject_id}/ad-consents/{ad_channel}/reconfirm",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, STATE_CONFLICT, INVALID_CHANNEL),
    response_model=ReconfirmedOut,
    summary="광고 수신동의 재확인 (reconfirm a consent to receive advertising)",
)
def reconfirm(
    subject_id: SubjectId,
    ad_channel: AdChannel,
    jikimi: JikimiDep,
    handler: HandlerDep,
    source: SourceDep,
    body: Annotated[ConsentChangeIn | None, Body()] = None,
) -> ReconfirmedOut:
    """대상자가 수신동의를 유지한다고 답했습니다: 2년의 기한이 오늘부터 다시 셉니다 (시행령 62-3). `consent`
    작업 권한이 필요합니다.
    The subject keeps the consent: its 2-year clock starts again now. 409 when none is live. Needs the
    `consent` action."""
    via = (body or ConsentChangeIn()).channel
    done = jikimi.marketing.reconfirm(subject_id, [ad_channel], actor=handler, via=via, source=source)
    return ReconfirmedOut(subject_id=subject_id, reconfirmed=done)
