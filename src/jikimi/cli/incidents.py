"""``jikimi incident …``: breach response at the terminal (a thin face over ``jikimi.incidents``).

The operator acts as ``cli:<user>`` in the access log. Times without an offset are Korean time.
Subject ids come from a file (one per line), never as arguments: arguments end up in shell history,
and a list of affected people is itself worth keeping out of it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from jikimi.cli._common import (
    DbOption,
    FormatOption,
    PolicyOption,
    TextOrJson,
    jikimi_for,
    operator,
    split,
    write,
)
from jikimi.errors import InvalidInput
from jikimi.notices.incident_model import Incident, Step
from jikimi.notices.incident_rules import BODIES, CAUSES, KINDS, MEASURES, affected_query, parse_instant

incident_app = typer.Typer(
    help="개인정보 유출 등 대응 (breach response, PIPA 34): 72시간 안의 통지와 신고. "
    "Open an incident, list the affected subjects, report to PIPC or KISA, notify, close.",
    no_args_is_help=True,
)

IncidentArg = Annotated[str, typer.Argument(help="사고 id (incident id)", show_default=False)]
MeasuresOption = Annotated[
    str,
    typer.Option("--measures", help=f"대응조치, 쉼표로 구분 (measures taken: {', '.join(MEASURES)})"),
]


def _instant(field: str, text: str | None) -> datetime | None:
    return None if text is None else parse_instant(field, text)


def _show(incident: Incident) -> None:
    decision = (
        "신고 필요 (report required)" if incident.decision.required else "신고 의무 없음 (no report owed)"
    )
    left = f"{incident.hours_left:+.1f}h" + (" 기한 지남 / OVERDUE" if incident.hours_left < 0 else "")
    typer.echo(
        f"{incident.id} {incident.kind} {incident.status} 인지 {incident.aware_at.isoformat()} "
        f"기한까지 (hours left) {left} 대상자 {incident.subjects:,} 통지 {incident.notified:,}"
    )
    typer.echo(f"  {decision}")
    for reason in (*incident.decision.grounds, *incident.decision.notes):
        typer.echo(f"  - [{reason.code}] {reason.ko} ({reason.en})")


def _jsonable(value: object) -> Any:
    return json.loads(json.dumps(value, default=str))


@incident_app.command("open")
def open_command(
    kind: Annotated[str, typer.Option("--kind", help=f"유형 (kind): {', '.join(KINDS)}", show_default=False)],
    aware_at: Annotated[
        str, typer.Option("--aware-at", help="알게 된 시각, ISO 8601 (when the controller became aware)")
    ],
    items: Annotated[
        str, typer.Option("--items", help="유출 등이 된 항목 id, 쉼표로 구분 (item ids)", show_default=False)
    ],
    occurred_at: Annotated[
        str | None, typer.Option("--occurred-at", help="일어난 시각 (when it happened)", show_default=False)
    ] = None,
    cause: Annotated[
        str | None, typer.Option("--cause", help=f"원인 (cause): {', '.join(CAUSES)}", show_default=False)
    ] = None,
    summary: Annotated[
        str | None,
        typer.Option(
            "--summary", help="경위 (what happened; personal data in it is masked)", show_default=False
        ),
    ] = None,
    measures: MeasuresOption = "",
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """유출 등을 알게 되어 사고를 엽니다 (72시간이 이때부터). Open an incident; the 72 hours run from --aware-at."""  # noqa: E501
    with jikimi_for(db, policy) as jikimi:
        incident = jikimi.incidents.open(
            kind=kind,
            aware_at=parse_instant("aware_at", aware_at),
            occurred_at=_instant("occurred_at", occurred_at),
            cause=cause,
            items=split(items),
            summary=summary,
            measures=split(measures),
            actor=operator(),
            source="cli",
        )
        _show(incident)


@incident_app.command("affected")
def affected_command(
    incident_id: IncidentArg,
    query: Annotated[
        str | None,
        typer.Option(
            "--query",
            help="검색 (query): holding=email,mobile status=active context=signup created_from=… created_until=…",  # noqa: E501
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="대상자 id 파일, 한 줄에 하나 (subject ids, one a line)")
    ] = None,
    all_holding: Annotated[
        str | None,
        typer.Option(
            "--all-holding", help="이 항목을 가진 모든 대상자 (every subject holding any of these items)"
        ),
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="with --all-holding: 상태 (status)")] = None,
    context: Annotated[
        str | None, typer.Option("--context", help="with --all-holding: 수집 상황 (context)")
    ] = None,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """영향받은 정보주체를 정합니다 (목록 또는 검색). List the affected subjects: a file of ids or a query."""
    given = [
        name
        for name, value in (("--query", query), ("--file", file), ("--all-holding", all_holding))
        if value
    ]
    if len(given) != 1:
        raise typer.BadParameter(
            "--query, --file, --all-holding 가운데 하나만 주십시오 (give exactly one)", param_hint="--query"
        )
    if (status or context) and all_holding is None:
        raise typer.BadParameter("--status와 --context는 --all-holding과 함께 씁니다", param_hint="--status")
    with jikimi_for(db, policy) as jikimi:
        actor = operator()
        if file is not None:
            try:
                lines = file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidInput(
                    "file", "파일을 읽을 수 없습니다", f"cannot read the file ({type(exc).__name__})"
                ) from exc
            result = jikimi.incidents.affected(incident_id, subject_ids=lines, actor=actor, source="cli")
        elif all_holding is not None:
            found = affected_query(jikimi.policy, holding=split(all_holding), status=status, context=context)
            result = jikimi.incidents.affected(incident_id, query=found, actor=actor, source="cli")
        else:
            result = jikimi.incidents.affected(incident_id, query=query, actor=actor, source="cli")
        typer.echo(f"추가 (added) {result.added:,}; 금고에 없음 (not in the vault) {result.not_in_vault:,}")
        _show(result.incident)


@incident_app.command("report")
def report_command(
    incident_id: IncidentArg,
    to: Annotated[str, typer.Option("--to", help=f"신고 기관 (to): {', '.join(BODIES)}")] = "pipc",
    draft_out: Annotated[
        Path | None,
        typer.Option("--draft-out", help="초안을 쓸 파일 (write the draft here)", show_default=False),
    ] = None,
    sent: Annotated[
        bool, typer.Option("--sent", help="신고했다고 기록합니다 (record the report as sent)")
    ] = False,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """신고 필요 여부와 신고서 초안(한국어). Whether a report is owed, and the draft; --sent records it sent."""  # noqa: E501
    with jikimi_for(db, policy) as jikimi:
        actor = operator()
        draft = jikimi.incidents.draft_report(incident_id, to=to, actor=actor, source="cli")
        if draft_out is not None or not sent:
            write(draft.markdown, draft_out)
        if sent:
            _show(jikimi.incidents.report(incident_id, to=to, actor=actor, source="cli"))
            typer.echo(f"신고했다고 기록했습니다 (recorded as sent to {to})", err=True)
        else:
            _show(draft.incident)


@incident_app.command("notify")
def notify_command(
    incident_id: IncidentArg, measures: MeasuresOption = "", db: DbOption = None, policy: PolicyOption = None
) -> None:
    """영향받은 정보주체에게 통지를 보냅니다 (연락처가 없으면 홈페이지 30일 게시). Queue the notices; post the rest."""  # noqa: E501
    with jikimi_for(db, policy) as jikimi:
        result = jikimi.incidents.notify(
            incident_id, measures=split(measures), actor=operator(), source="cli"
        )
        channels = ", ".join(f"{c} {n:,}" for c, n in sorted(result.by_channel.items())) or "-"
        typer.echo(
            f"통지 대기열 (queued) {result.queued:,} ({channels}); 홈페이지 게시 (posted) {result.posted:,}"
        )
        _show(result.incident)


@incident_app.command("close")
def close_command(
    incident_id: IncidentArg,
    unfounded: Annotated[
        bool, typer.Option("--unfounded", help="조사 결과 유출 등이 아니었습니다 (no breach after all)")
    ] = False,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """통지·신고를 마친 사고를 종결합니다. Close an incident whose notices and report are done."""
    with jikimi_for(db, policy) as jikimi:
        _show(jikimi.incidents.close(incident_id, unfounded=unfounded, actor=operator(), source="cli"))


@incident_app.command("show")
def show_command(
    incident_id: IncidentArg,
    format: FormatOption = TextOrJson.text,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """사고의 상태, 72시간 시계, 신고 판단과 처리 경과. An incident, its clock, the report decision and timeline."""  # noqa: E501
    with jikimi_for(db, policy) as jikimi:
        actor = operator()
        incident = jikimi.incidents.get(incident_id, actor=actor)
        steps = jikimi.incidents.timeline(incident_id, actor=actor)
    if format is TextOrJson.json:
        body = {"incident": asdict(incident), "timeline": [asdict(s) for s in steps]}
        sys.stdout.write(json.dumps(_jsonable(body), ensure_ascii=False, indent=2) + "\n")
        return
    _show(incident)
    typer.echo("처리 경과 (timeline):")
    for step in steps:
        typer.echo(_step(step))


def _step(step: Step) -> str:
    return f"  {step.at.isoformat()} {step.action:24} {step.actor} n={step.count} {step.reason or ''}"


@incident_app.command("list")
def list_command(
    open_only: Annotated[bool, typer.Option("--open", help="열린 사고만 (open incidents only)")] = False,
    format: FormatOption = TextOrJson.text,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """사고 목록: 열린 것부터. Incidents, open ones first, with the hours left."""
    with jikimi_for(db, policy) as jikimi:
        found = jikimi.incidents.list_incidents(actor=operator(), open_only=open_only)
    if format is TextOrJson.json:
        sys.stdout.write(
            json.dumps(_jsonable([asdict(i) for i in found]), ensure_ascii=False, indent=2) + "\n"
        )
        return
    for incident in found:
        _show(incident)
