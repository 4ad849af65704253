"""``jikimi marketing …``: the advertising send gate and consents to receive advertising
(정보통신망법 50). A thin face over ``jikimi.marketing``, acting as the operator at the terminal
(``cli:<user>`` in the access log). Mounted by ``jikimi.cli``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from jikimi.cli._common import DbOption, FormatOption, PolicyOption, TextOrJson, jikimi_for, operator
from jikimi.errors import InvalidInput, UsageError

marketing_app = typer.Typer(
    help="광고성 정보 (advertising, 정보통신망법 50): 전송 확인, 매체별 수신동의, 재확인. "
    "Send checks, consents to receive per channel, reconfirmation.",
    no_args_is_help=True,
)

SubjectArg = Annotated[str, typer.Argument(help="대상자 id (subject id)", show_default=False)]
ChannelArg = Annotated[
    str,
    typer.Argument(
        help="전송매체 sms, email, push, phone, fax, letter, 또는 야간 동의 night (channel, or night)",
        show_default=False,
    ),
]
ViaOption = Annotated[str, typer.Option("--via", help="대상자가 답한 경로 (where the subject answered)")]


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(
            "--at", "ISO 8601 시각이어야 합니다 (예: 2026-12-03T22:00+09:00)", "must be an ISO 8601 time"
        ) from exc


def _ids(subject_ids: list[str] | None, file: Path | None) -> list[str]:
    ids = list(subject_ids or [])
    if file is not None:
        ids += [line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not ids:
        raise UsageError(
            "대상자 id를 주거나 --file로 id 파일을 지정하십시오",
            "give subject ids, or a file of them with --file",
        )
    return ids


@marketing_app.command("check")
def check_command(
    channel: Annotated[
        str,
        typer.Option("--channel", help="전송매체 (sms, email, push, phone, fax, letter)", show_default=False),
    ],
    at: Annotated[
        str,
        typer.Option(
            "--at",
            help="전송 시각, 시간대 포함 (send time with offset), e.g. 2026-12-03T22:00+09:00",
            show_default=False,
        ),
    ],
    subject_ids: Annotated[
        list[str] | None, typer.Argument(help="대상자 id (subject ids)", show_default=False)
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="대상자 id 파일, 한 줄에 하나 (ids, one per line)", exists=True, dir_okay=False
        ),
    ] = None,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="마케팅 목적 id (default: the one using the channel)")
    ] = None,
    format: FormatOption = TextOrJson.text,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """광고를 보내도 되는지 대상자마다 답합니다. Check, per subject, whether advertising may be sent.

    Each line: the subject, allowed or denied, the reason code and its message. Reasons: no_consent,
    no_channel_consent, night_without_consent (21:00–08:00 KST), consent_expired (2 years without
    reconfirmation), child, withdrawn (not active, dormant), processing_stopped, unknown_subject.
    Exits 0 whatever the answers; 2 for an unknown channel or a time without its offset.
    """
    ids = _ids(subject_ids, file)
    with jikimi_for(db, policy) as jikimi:
        result = jikimi.marketing.check(
            ids, channel=channel, send_at=_moment(at), purpose=purpose, actor=operator(), source="cli"
        )
    if format == TextOrJson.json:
        rows = [
            {"subject_id": sid, "allowed": d.allowed, "reason": d.reason, "detail": d.detail or None}
            for sid, d in result.decisions.items()
        ]
        head = {"purpose": result.purpose, "channel": result.channel, "send_at": result.send_at.isoformat()}
        body = {**head, "night": result.night, "counts": result.counts, "results": rows}
        sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
        return
    lines = [
        f"{sid}\t{'allowed' if d.allowed else 'denied'}\t{d.reason}\t{d.message_ko} ({d.message_en})"
        for sid, d in result.decisions.items()
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    summary = ", ".join(f"{reason} {n:,}" for reason, n in sorted(result.counts.items()))
    typer.echo(
        f"허용 {len(result.allowed):,}명 / {len(ids):,}명 (allowed {len(result.allowed):,}): {summary}",
        err=True,
    )


@marketing_app.command("give")
def give_command(
    subject_id: SubjectArg,
    channel: ChannelArg,
    via: ViaOption = "web",
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """매체별(또는 야간) 광고 수신동의를 기록합니다. Record a consent to receive advertising."""
    with jikimi_for(db, policy) as jikimi:
        jikimi.marketing.give(subject_id, channel, actor=operator(), via=via, source="cli")
    typer.echo(f"{subject_id} {channel}: 동의 (consent given)")


@marketing_app.command("withdraw")
def withdraw_command(
    subject_id: SubjectArg,
    channel: ChannelArg,
    via: ViaOption = "web",
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """광고 수신동의를 철회합니다: 바로 거부됩니다. Withdraw a consent to receive advertising, at once."""
    with jikimi_for(db, policy) as jikimi:
        jikimi.marketing.withdraw(subject_id, channel, actor=operator(), via=via, source="cli")
    typer.echo(f"{subject_id} {channel}: 철회 (withdrawn)")


@marketing_app.command("reconfirm")
def reconfirm_command(
    subject_id: SubjectArg,
    channels: Annotated[
        list[str] | None,
        typer.Argument(help="재확인할 매체; 없으면 전부 (channels; default: every live one)"),
    ] = None,
    via: ViaOption = "web",
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """대상자가 수신동의를 유지한다고 답했습니다 (2년을 다시 셈). Record that the subject keeps them."""
    with jikimi_for(db, policy) as jikimi:
        done = jikimi.marketing.reconfirm(subject_id, channels or (), actor=operator(), via=via, source="cli")
    typer.echo(f"{subject_id}: 재확인 (reconfirmed) {', '.join(done)}")


@marketing_app.command("consents")
def consents_command(
    subject_id: SubjectArg,
    format: FormatOption = TextOrJson.text,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """대상자의 유효한 광고 수신동의와 재확인 기한. A subject's live consents to receive advertising."""
    with jikimi_for(db, policy) as jikimi:
        found = jikimi.marketing.consents(subject_id, actor=operator(), source="cli")
    rows = [
        {
            "channel": c.channel,
            "given_at": c.given_at.isoformat(),
            "confirmed_at": c.confirmed_at.isoformat() if c.confirmed_at else None,
            "answered_via": c.answered_via,
            "expires_at": c.expires_at.isoformat(),
            "notice_at": c.notice_at.isoformat(),
        }
        for c in found
    ]
    if format == TextOrJson.json:
        sys.stdout.write(json.dumps({"subject_id": subject_id, "consents": rows}, ensure_ascii=False) + "\n")
        return
    for row in rows:
        typer.echo(
            f"{row['channel']}\t동의 (given) {row['given_at']}"
            f"\t재확인 (reconfirmed) {row['confirmed_at'] or '-'}\t기한 (lapses) {row['expires_at']}"
        )


@marketing_app.command("reconfirmations")
def reconfirmations_command(db: DbOption = None, policy: PolicyOption = None) -> None:
    """2년 기한 30일 전의 재확인 안내를 넣습니다 (스윕도 함). Queue the reconfirmation notices due now."""
    with jikimi_for(db, policy) as jikimi:
        queued = jikimi.marketing.queue_reconfirmations()
    typer.echo(f"재확인 안내 {queued:,}건을 넣었습니다 ({queued:,} reconfirmation notices queued)")
