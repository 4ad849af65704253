"""``jikimi rights …``: data-subject requests at the terminal (a thin face over ``jikimi.rights``).

The operator acts as ``cli:<user>`` in the access log. New values of a correction are read from
standard input as JSON, never from arguments (arguments end up in shell history).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jikimi.cli._common import DbOption, PolicyOption, jikimi_for, operator
from jikimi.handlers import Handler
from jikimi.rights import RightsDesk, RightsRequest
from jikimi.rights.model import HOW_TO_OBJECT_KO, REFUSAL_GROUNDS, STATUSES

rights_app = typer.Typer(
    help="정보주체 권리 요구 (rights): 열람·정정·삭제·처리정지·동의 철회. "
    "Data-subject requests: access, correction, deletion, stop, withdrawal.",
    no_args_is_help=True,
)

RequestArg = Annotated[str, typer.Argument(help="권리 요구 id (request id)", show_default=False)]
_out = Console(soft_wrap=True)


class PackageFormat(StrEnum):
    json = "json"
    html = "html"


@contextmanager
def _desk(db: str | None, policy: Path | None) -> Iterator[tuple[RightsDesk, Handler]]:
    """The rights desk of the database, and the operator acting at it."""
    with jikimi_for(db, policy) as jikimi:
        yield jikimi.rights, operator()


def _show(request: RightsRequest) -> None:
    late = " (기한 지남 / OVERDUE)" if request.overdue else ""
    typer.echo(
        f"{request.id} {request.type} {STATUSES[request.status][0]} ({request.status}) "
        f"기한 {request.due_day.isoformat()}{late} subject={request.subject_id}"
    )


@rights_app.command("list")
def list_command(
    all_requests: Annotated[
        bool, typer.Option("--all", help="끝난 요구도 보여 줍니다 (include closed)")
    ] = False,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """처리할 요구 목록: 기한이 지난 것부터. The request queue, overdue first, then by due date."""
    with _desk(db, policy) as (desk, actor):
        rows = desk.list_requests(actor=actor, open_only=not all_requests)
        table = Table(title="정보주체 권리 요구 (rights requests)")
        table.add_column("id", no_wrap=True, min_width=22)
        for column in ("type", "status", "due (KST)", "days left", "channel", "requester"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                r.id,
                r.type,
                r.status,
                r.due_day.isoformat() + (" OVERDUE" if r.overdue else ""),
                str(r.days_left),
                r.channel,
                r.requester,
            )
        _out.print(table)


@rights_app.command("grounds")
def grounds_command() -> None:
    """법이 정한 거절 사유와 이의제기 방법. The legal refusal grounds, their articles, and how to object."""
    for g in REFUSAL_GROUNDS.values():
        sys.stdout.write(f"{g.id:28} {g.article:18} {','.join(sorted(g.applies_to))}\n    {g.ko}\n")
    sys.stdout.write(f"\n이의제기: {HOW_TO_OBJECT_KO}\n")


@rights_app.command("receive")
def receive_command(
    subject_id: Annotated[str, typer.Argument(help="대상자 id (subject id)", show_default=False)],
    type: Annotated[
        str,
        typer.Option(
            "--type",
            help="access, correction, deletion, stop, consent_withdrawal, automated_decision",
            show_default=False,
        ),
    ],
    channel: Annotated[
        str,
        typer.Option(
            "--channel",
            help="처리방침 rights.channels에 있는 방법 (a channel the policy's rights section declares: "
            "web, email, phone, letter, board…)",
        ),
    ] = "letter",
    items: Annotated[str, typer.Option("--items", help="쉼표로 구분한 항목 id (item ids)")] = "",
    purposes: Annotated[str, typer.Option("--purposes", help="쉼표로 구분한 목적 id (purpose ids)")] = "",
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """서면·전화·방문으로 받은 요구를 접수합니다. Receive a request (by letter, phone, in person…)."""
    with _desk(db, policy) as (desk, actor):
        result = desk.receive(
            subject_id,
            type,
            channel=channel,
            actor=actor,
            items=[i for i in items.split(",") if i],
            purposes=[p for p in purposes.split(",") if p],
        )
        if result.duplicate:
            typer.echo("같은 요구가 이미 열려 있습니다 (duplicate; the open request):")
        _show(result.request)


@rights_app.command("verify")
def verify_command(
    request_id: RequestArg,
    how: Annotated[
        str,
        typer.Option(
            "--how", help="확인 방법 (how identity was checked, e.g. 신분증 확인)", show_default=False
        ),
    ],
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """취급자가 본인임을 확인했다고 기록합니다. Record that you verified the requester, and how."""
    with _desk(db, policy) as (desk, actor):
        _show(desk.verify(request_id, method="handler", proof=how, actor=actor))


@rights_app.command("extend")
def extend_command(
    request_id: RequestArg,
    until: Annotated[
        str, typer.Option("--until", help="새 기한 YYYY-MM-DD (new last day, KST)", show_default=False)
    ],
    reason: Annotated[str, typer.Option("--reason", help="연기 사유 (reason)", show_default=False)],
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """열람·자동화된 결정의 답을 사유와 함께 미룹니다. Extend an access or automated-decision answer."""
    try:
        day = date.fromisoformat(until)
    except ValueError:
        raise typer.BadParameter(
            "YYYY-MM-DD 형식이어야 합니다 (expected YYYY-MM-DD)", param_hint="--until"
        ) from None
    with _desk(db, policy) as (desk, actor):
        _show(desk.extend(request_id, until=day, reason=reason, actor=actor))


@rights_app.command("refuse")
def refuse_command(
    request_id: RequestArg,
    ground: Annotated[
        str, typer.Option("--ground", help="거절 사유 id (see `jikimi rights grounds`)", show_default=False)
    ],
    note: Annotated[str | None, typer.Option("--note", help="설명 (explanation; no personal data)")] = None,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """법이 정한 사유로 거절합니다. Refuse a request on a legal ground."""
    with _desk(db, policy) as (desk, actor):
        _show(desk.refuse(request_id, ground=ground, note=note, actor=actor))


@rights_app.command("answer")
def answer_command(
    request_id: RequestArg,
    note: Annotated[str | None, typer.Option("--note", help="답변 요약 (summary; no personal data)")] = None,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """열람·자동화된 결정 요구를 처리 완료로 닫습니다. Close an access or automated-decision request as answered."""  # noqa: E501
    with _desk(db, policy) as (desk, actor):
        _show(desk.answer(request_id, note=note, actor=actor))


@rights_app.command("carry-out")
def carry_out_command(
    request_id: RequestArg,
    values_stdin: Annotated[
        bool,
        typer.Option(
            "--values-stdin",
            help="정정할 새 값을 표준 입력의 JSON 객체로 읽습니다 (correction values as JSON on stdin)",
        ),
    ] = False,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """정정·삭제·처리정지·동의 철회를 실행합니다. Carry out a correction, deletion, stop or consent withdrawal."""  # noqa: E501
    with _desk(db, policy) as (desk, actor):
        request = desk.get(request_id, actor=actor)
        if request.type == "correction":
            if not values_stdin:
                raise typer.BadParameter(
                    "정정은 --values-stdin 으로 새 값을 주십시오 (give the values on stdin)",
                    param_hint="--values-stdin",
                )
            values = json.loads(sys.stdin.read())
            _show(desk.apply_correction(request_id, values, actor=actor))
        elif request.type == "deletion":
            _show(desk.delete(request_id, actor=actor))
        elif request.type == "stop":
            _show(desk.stop_processing(request_id, actor=actor))
        elif request.type == "consent_withdrawal":
            _show(desk.withdraw_consents(request_id, actor=actor))
        else:
            raise typer.BadParameter(
                "열람·자동화된 결정은 answer로 닫습니다 (use `answer`)", param_hint="REQUEST_ID"
            )


@rights_app.command("package")
def package_command(
    request_id: RequestArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="저장할 파일 (file to write)", show_default=False)
    ],
    format: Annotated[
        PackageFormat, typer.Option("--format", "-f", help="형식 (format)")
    ] = PackageFormat.html,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """열람 자료(모든 보유 정보)를 파일로 만듭니다 (접속기록에 남음). Write the access package to a file (logged)."""  # noqa: E501
    from jikimi.rights.package import package_html, package_json

    with _desk(db, policy) as (desk, actor):
        package = desk.package(request_id, actor=actor, source="cli")
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as handle:
            for chunk in package_json(package) if format is PackageFormat.json else package_html(package):
                handle.write(chunk)
        typer.echo(f"저장했습니다 (written): {output}", err=True)
