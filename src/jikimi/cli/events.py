"""CLI for the service events: ``jikimi events status|list|replay`` (서비스 이벤트).

A thin face over ``Jikimi.events``. Events are delivered by ``jikimi deliver`` (or ``jikimi serve
--deliver``) to ``JIKIMI_EVENTS_URL``; a service may pull them instead (``GET /v1/events``).
``replay`` sends events again with the same ids, after an outage on the service's side.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from jikimi.cli._common import DbOption, PolicyOption, jikimi_for, operator, split, tables
from jikimi.cli.delivery import print_states
from jikimi.errors import UsageError
from jikimi.periods import KST
from jikimi.store.events import EVENT_TYPES, STATUSES

events_app = typer.Typer(
    help="서비스 이벤트: 상태, 목록, 다시 보내기 (service events: status, list, replay)",
    no_args_is_help=True,
)


def _types(value: str | None) -> list[str]:
    chosen = split(value) if value else []
    unknown = sorted(set(chosen) - set(EVENT_TYPES))
    if unknown:
        raise UsageError(
            f"알 수 없는 이벤트 유형: {', '.join(unknown)} (있는 것: {', '.join(EVENT_TYPES)})",
            f"unknown event types: {', '.join(unknown)} (known: {', '.join(EVENT_TYPES)})",
        )
    return chosen


@events_app.command("status")
def status_command(
    policy: PolicyOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON으로 출력 (print as JSON)")] = False,
) -> None:
    """유형별 발송 상태를 셉니다. Count events by type: due, later, delivered, dead."""
    with jikimi_for(db, policy) as jikimi:
        jikimi.events.sequence()
        counts = jikimi.events.counts()
    print_states(counts, "유형 (type)", as_json=as_json)


@events_app.command("list")
def list_command(
    policy: PolicyOption = None,
    db: DbOption = None,
    after: Annotated[
        int | None,
        typer.Option("--after", min=0, help="이 위치 다음부터 (after this position)", show_default=False),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help=f"상태 (status): {', '.join(STATUSES)}", show_default=False)
    ] = None,
    types: Annotated[
        str | None,
        typer.Option("--type", help="유형, 쉼표로 구분 (types, comma-separated)", show_default=False),
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="이 대상자의 것만 (one subject's)", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="최대 개수 (at most)")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 줄로 출력 (print JSON lines)")] = False,
) -> None:
    """이벤트 목록 (순서대로): 위치, id, 유형, 대상자, 상태, 시도, 오류. Events in order.

    Events hold ids, types, dates and codes — never a personal value.
    """
    if status is not None and status not in STATUSES:
        raise UsageError(
            f"--status는 {', '.join(STATUSES)} 중 하나입니다",
            f"--status must be one of {', '.join(STATUSES)}",
        )
    chosen = _types(types)
    with jikimi_for(db, policy) as jikimi:
        jikimi.events.sequence()
        found = jikimi.events.listed(
            after=after, status=status, types=chosen, subject_id=subject, limit=limit
        )
    if as_json:
        for e in found:
            line = {**e.document(), "status": e.status, "attempts": e.attempts, "last_error": e.last_error}
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    table = Table(
        "#",
        "id",
        "유형 (type)",
        "대상자 (subject)",
        "상태 (status)",
        "시도 (tries)",
        "오류 (error)",
        "시각 (KST)",
    )
    for e in found:
        at = e.occurred_at.astimezone(KST).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            str(e.position) if e.position is not None else "-",
            e.event_id,
            e.type,
            e.subject_id or "-",
            e.status,
            str(e.attempts),
            e.last_error or "-",
            at,
        )
    tables().print(table)


@events_app.command("replay")
def replay_command(
    ids: Annotated[
        str | None,
        typer.Argument(help="이벤트 id들, 쉼표로 구분 (event ids, comma-separated)", show_default=False),
    ] = None,
    after: Annotated[
        int | None,
        typer.Option("--after", min=0, help="이 위치 다음의 모든 이벤트 (every event after this position)"),
    ] = None,
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """이벤트를 같은 id로 다시 보냅니다 (접속기록에 남음). Send events again, with the same ids (logged).

    Name event ids, or `--after N` for every event after position N (e.g. after an outage of the
    service's endpoint). The service drops ids it has already handled.
    """
    chosen = split(ids) if ids else []
    if not chosen and after is None:
        raise UsageError(
            "다시 보낼 이벤트 id나 --after 위치를 주십시오", "name event ids or a position with --after"
        )
    with jikimi_for(db, policy) as jikimi:
        jikimi.events.sequence()
        count = jikimi.events.replay(ids=chosen, after=after, actor=operator().login)
    sys.stdout.write(f"다시 보낼 이벤트 {count:,}건 (events to be sent again: {count:,})\n")
