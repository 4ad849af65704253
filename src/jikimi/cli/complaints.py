"""``jikimi complaints …``: complaints on the clock at the terminal (a thin face over ``jikimi.complaints``).

The operator acts as ``cli:<user>`` in the access log. What a person wrote (the body, the answer)
is read from a file or standard input, never from arguments (arguments end up in shell history).
Times are shown in Korean time; a receipt time typed without an offset is Korean time.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from jikimi.cli._common import DbOption, PolicyOption, jikimi_for, operator, tables
from jikimi.handlers import Handler
from jikimi.notices.complaint_rules import CHANNELS, STATUSES
from jikimi.notices.complaints import Complaint, Complaints
from jikimi.periods import KST

complaints_app = typer.Typer(
    help="민원·고충 처리 (complaints): 접수, 기한 순 목록, 답변. "
    "Complaints on the clock: receive, the queue (overdue first), answer, read.",
    no_args_is_help=True,
)

ComplaintArg = Annotated[str, typer.Argument(help="민원 id (complaint id)", show_default=False)]


class StatusChoice(StrEnum):
    open = "open"
    answered = "answered"
    all = "all"


@contextmanager
def _desk(db: str | None, policy: Path | None) -> Iterator[tuple[Complaints, Handler]]:
    """The complaints service of the database, and the operator acting at it."""
    with jikimi_for(db, policy) as jikimi:
        yield jikimi.complaints, operator()


def _kst(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(KST):%Y-%m-%d %H:%M}"


def _left(complaint: Complaint) -> str:
    if complaint.hours_left is None:
        return "-"
    return f"{complaint.hours_left:+.1f}h"


def _show(complaint: Complaint) -> None:
    late = " (기한 지남 / OVERDUE)" if complaint.overdue else ""
    due = (
        "기한 없음 (no deadline)" if complaint.due_at is None else f"기한 {_kst(complaint.due_at)} KST{late}"
    )
    typer.echo(
        f"{complaint.id} {complaint.channel} {STATUSES[complaint.status][0]} ({complaint.status}) "
        f"접수 {_kst(complaint.received_at)} KST, {due}"
    )
    typer.echo(f"  {complaint.basis_ko}")
    typer.echo(f"  {complaint.basis_en}")


def _read_text(path: Path, option: str) -> str:
    """A text from a file, or from standard input when ``path`` is ``-``."""
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(
            f"파일을 읽을 수 없습니다 (cannot read the file: {type(exc).__name__})", param_hint=option
        ) from None


def _receipt(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            "ISO 8601 형식이어야 합니다, 예: 2026-10-02T19:00 (시간대가 없으면 한국 시간) "
            "(expected ISO 8601, e.g. 2026-10-02T19:00; without an offset it is Korean time)",
            param_hint="--received-at",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=KST)


@complaints_app.command("receive")
def receive_command(
    channel: Annotated[
        str,
        typer.Option(
            "--channel", help=f"접수 경로 (how it arrived): {', '.join(CHANNELS)}", show_default=False
        ),
    ],
    received_at: Annotated[
        str | None,
        typer.Option(
            "--received-at",
            help="접수 시각 ISO 8601, 시간대가 없으면 한국 시간 "
            "(when it arrived; default: now; without an offset: KST)",
            show_default=False,
        ),
    ] = None,
    subject_id: Annotated[
        str | None, typer.Option("--subject", help="대상자 id (subject id), if known", show_default=False)
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="주제 코드 (a topic code, e.g. privacy_leak)", show_default=False),
    ] = None,
    body_file: Annotated[
        Path | None,
        typer.Option(
            "--body-file",
            help="민원 내용 파일, - 이면 표준 입력 (the complaint's text from a file, or - for stdin; "
            "sealed)",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """전자우편·팩스·우편·전화·방문으로 받은 민원을 접수합니다. 기한과 그 근거를 보여 줍니다.
    Receive a complaint; shows its deadline and the rule that set it."""
    body = None if body_file is None else _read_text(body_file, "--body-file")
    received = _receipt(received_at)
    with _desk(db, policy) as (desk, actor):
        _show(
            desk.receive(
                channel, actor=actor, received_at=received, subject_id=subject_id, topic=topic, body=body
            )
        )


@complaints_app.command("list")
def list_command(
    status: Annotated[StatusChoice, typer.Option("--status", help="상태 (status)")] = StatusChoice.open,
    overdue: Annotated[
        bool | None,
        typer.Option(
            "--overdue/--not-overdue",
            help="기한이 지난 것만 / 지나지 않은 것만 (only overdue / only the others)",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=5000, help="최대 행 수 (at most)")] = 200,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """민원 목록: 기한이 지난 것부터, 그다음 기한 순 (한국 시간). The queue, overdue first, times in KST."""
    with _desk(db, policy) as (desk, actor):
        found = desk.list(
            actor=actor,
            status=None if status is StatusChoice.all else status.value,
            overdue=overdue,
            limit=limit,
        )
        table = Table(title="민원 (complaints): 기한 지난 것부터 (overdue first), KST")
        table.add_column("id", no_wrap=True, min_width=22)
        for column in ("due", "hours left", "status", "received", "channel", "topic", "subject"):
            table.add_column(column, overflow="fold")
        for c in found:
            table.add_row(
                c.id,
                _kst(c.due_at),
                _left(c) + (" OVERDUE" if c.overdue else ""),
                c.status,
                _kst(c.received_at),
                c.channel,
                c.topic or "-",
                c.subject_id or "-",
            )
        tables().print(table)


@complaints_app.command("answer")
def answer_command(
    complaint_id: ComplaintArg,
    text_file: Annotated[
        Path,
        typer.Option(
            "--text-file", help="답변 파일, - 이면 표준 입력 (the answer from a file, or - for stdin; sealed)"
        ),
    ] = Path("-"),
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """답변을 봉인해 저장하고, 대상자가 있으면 답변 안내를 보냅니다.
    Answer a complaint; a known subject is told an answer is ready."""
    text = _read_text(text_file, "--text-file")
    with _desk(db, policy) as (desk, actor):
        answered = desk.answer(complaint_id, text, actor=actor)
        _show(answered.complaint)
        if answered.notice_queued:
            typer.echo("  대상자에게 답변 안내를 보냅니다 (a notice to the subject is queued)")


@complaints_app.command("show")
def show_command(complaint_id: ComplaintArg, db: DbOption = None, policy: PolicyOption = None) -> None:
    """민원과 그 내용·답변을 봅니다 (접속기록에 남음). Show a complaint with its text and answer (logged)."""
    with _desk(db, policy) as (desk, actor):
        shown = desk.show(complaint_id, actor=actor, source="cli")
        _show(shown.complaint)
        complaint = shown.complaint
        typer.echo(
            f"  주제 (topic): {complaint.topic or '-'}  대상자 (subject): {complaint.subject_id or '-'}"
        )
        typer.echo("--- 내용 (body) ---")
        typer.echo(shown.body if shown.body is not None else "(없음 / none)")
        typer.echo("--- 답변 (answer) ---")
        typer.echo(shown.answer if shown.answer is not None else "(없음 / none)")
