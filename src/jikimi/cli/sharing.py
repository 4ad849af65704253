"""CLI for sharing: ``jikimi provide …``, ``jikimi processors …``, ``jikimi export stats``. Mounted by ``jikimi.cli``.

A thin face over ``jikimi.sharing``: each command opens jikimi from ``Settings`` and its options, acts as the operator at the terminal (``cli:<user>`` in the access log) and prints the
result. Provided values go only to a file readable by its owner (0600), never to the terminal.
"""  # noqa: E501

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jikimi.cli._common import DbOption, PolicyOption, jikimi_for, operator, split, write_private
from jikimi.errors import UsageError
from jikimi.sharing import DEFAULT_K, SubjectQuery

provide_app = typer.Typer(
    help="제3자 제공 (provision to third parties): 제공, 동의, 제공 기록. Provide, consents, ledger.",
    no_args_is_help=True,
)
processors_app = typer.Typer(
    help="수탁자 (processors): 등록부와 대상자별 보유 항목. Registry and holdings.", no_args_is_help=True
)
export_app = typer.Typer(
    help="내보내기 (exports): 가명처리 통계. De-identified statistics.", no_args_is_help=True
)

_out = Console(soft_wrap=True)


class Basis(StrEnum):
    consent = "consent"
    law = "law"


class Mode(StrEnum):
    aggregate = "aggregate"
    extract = "extract"


class TableFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


# -- provide ----------------------------------------------------------------------------------------


@provide_app.command("run")
def provide_run(
    third_party: Annotated[
        str, typer.Argument(help="제3자 id (recipient id from the policy)", show_default=False)
    ],
    items: Annotated[
        str,
        typer.Option("--items", help="쉼표로 구분한 항목 id (comma-separated item ids)", show_default=False),
    ],
    basis: Annotated[
        Basis, typer.Option("--basis", help="근거: consent 또는 law (legal basis)", show_default=False)
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="제공할 값을 쓸 파일, 권한 0600 (file for the values)", show_default=False
        ),
    ],
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference", help="법령 근거 문서 번호, law일 때 필수 (e.g. a warrant number; required for law)"
        ),
    ] = None,
    subjects_file: Annotated[
        Path | None,
        typer.Option(
            "--subjects-file",
            help="대상자 id 파일, 한 줄에 하나 (subject ids, one per line)",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    consented: Annotated[
        bool,
        typer.Option(
            "--consented", help="이 제3자 제공에 동의한 활성 대상자 전부 (every active subject who consented)"
        ),
    ] = False,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """제3자에게 개인정보를 제공하고 제공 기록을 남깁니다. Provide personal data to a third party, recorded.

    Give the subjects with --subjects-file or --consented. Each subject is decided (consent to the
    recipient or a legal basis with --reference; never children under 14 when the policy says so,
    never items under correction hold); the values of those allowed are written to --output (mode
    0600) and every provision becomes a ledger row. Prints the counts by reason.
    """
    if (subjects_file is None) == (not consented):
        raise UsageError(
            "--subjects-file 또는 --consented 중 하나를 지정하십시오",
            "give exactly one of --subjects-file and --consented",
        )
    selection: list[str] | SubjectQuery = (
        SubjectQuery(consented=True)
        if subjects_file is None
        else [line.strip() for line in subjects_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    )
    with jikimi_for(db, policy) as jikimi:
        result = jikimi.sharing.provide(
            selection,
            third_party,
            split(items),
            basis=basis.value,
            reference=reference,
            actor=operator(),
            source="cli",
        )
    write_private(
        output,
        json.dumps(
            {
                "batch_id": result.batch_id,
                "third_party": result.third_party,
                "basis": result.basis,
                "reference": result.reference,
                "at": result.at.isoformat(),
                "values": result.values,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
    )
    typer.echo(
        f"제공 묶음 (batch) {result.batch_id}: "
        + ", ".join(f"{k}={v}" for k, v in sorted(result.counts.items()))
    )
    typer.echo(f"저장했습니다 (written, mode 0600): {output}")


@provide_app.command("consent")
def provide_consent(
    subject_id: Annotated[str, typer.Argument(help="대상자 id (subject id)", show_default=False)],
    third_party: Annotated[str, typer.Argument(help="제3자 id (recipient id)", show_default=False)],
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="동의를 철회합니다 (withdraw instead)")
    ] = False,
    channel: Annotated[
        str, typer.Option("--channel", help="동의 경로 (channel: web, paper, phone…)")
    ] = "paper",
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """제3자 제공 동의를 기록하거나 철회합니다. Record or withdraw a subject's consent to a recipient."""
    with jikimi_for(db, policy) as jikimi:
        sharing = jikimi.sharing
        change = sharing.withdraw_consent if withdraw else sharing.give_consent
        change(subject_id, third_party, actor=operator(), channel=channel, source="cli")
    typer.echo(f"{'철회' if withdraw else '동의'} ({'withdrawn' if withdraw else 'given'}): {third_party}")


@provide_app.command("ledger")
def provide_ledger(
    subject_id: Annotated[str | None, typer.Option("--subject", help="대상자 id (subject id)")] = None,
    third_party: Annotated[str | None, typer.Option("--third-party", help="제3자 id (recipient id)")] = None,
    batch_id: Annotated[str | None, typer.Option("--batch", help="제공 묶음 id (batch id)")] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="최대 행 수 (rows at most)")
    ] = 1000,
    format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="출력 형식 (output format)")
    ] = TableFormat.text,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """제3자 제공 기록을 보여 줍니다 (값 없음). Show the provision ledger (ids and items, never values)."""
    with jikimi_for(db, policy) as jikimi:
        rows = jikimi.sharing.ledger(
            subject_id=subject_id, third_party=third_party, batch_id=batch_id, limit=limit
        )
    records: list[dict[str, object]] = [
        {
            "id": r.id,
            "batch_id": r.batch_id,
            "subject_id": r.subject_id,
            "third_party": r.third_party_id,
            "items": " ".join(r.items),
            "basis": r.basis,
            "reference": r.reference,
            "at": r.at.isoformat(),
            "actor": r.actor,
        }
        for r in rows
    ]
    if format is TableFormat.json:
        sys.stdout.write(
            json.dumps(
                [{**r, "items": str(r["items"]).split()} for r in records], ensure_ascii=False, indent=2
            )
            + "\n"
        )
        return
    if format is TableFormat.csv:
        sys.stdout.write(_csv(records))
        return
    table = Table(title="제3자 제공 기록 (provision ledger)")
    columns = ("at", "third_party", "subject_id", "items", "basis", "reference", "actor")
    for column in columns:
        table.add_column(column)
    for r in records:
        table.add_row(*(str(r[c] or "-")[:19] if c == "at" else str(r[c] or "-") for c in columns))
    _out.print(table)


# -- processors -------------------------------------------------------------------------------------


@processors_app.command("sync")
def processors_sync(db: DbOption = None, policy: PolicyOption = None) -> None:
    """처리방침의 수탁자로 등록부를 맞춥니다. Sync the processor registry with the policy (new, changed, released)."""  # noqa: E501
    with jikimi_for(db, policy) as jikimi:
        rows = jikimi.sharing.register_processors(actor=operator(), source="cli")
    for r in rows:
        state = f"해제 released {r.released_at:%Y-%m-%d}" if r.released_at else "위탁 중 (in force)"
        typer.echo(f"{r.processor_id}: {r.name} — {', '.join(r.items)} [{r.until or '-'}] {state}")


@processors_app.command("holding")
def processors_holding(
    subject_id: Annotated[str, typer.Argument(help="대상자 id (subject id)", show_default=False)],
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """대상자의 어떤 항목을 어느 수탁자가 처리하는지 보여 줍니다. Which processors hold which of a subject's items."""  # noqa: E501
    with jikimi_for(db, policy) as jikimi:
        rows = jikimi.sharing.processors_holding(subject_id, actor=operator(), source="cli")
    for r in rows:
        typer.echo(
            f"{r.processor_id}: {r.name} ({r.task}) — {', '.join(r.items)}; {r.until_text or r.until or '-'}"
        )


# -- export stats -----------------------------------------------------------------------------------


def _csv(rows: list[dict[str, object]]) -> str:
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@export_app.command("stats")
def export_stats(
    items: Annotated[
        str,
        typer.Option("--items", help="쉼표로 구분한 항목 id (comma-separated item ids)", show_default=False),
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="내려받기 사유, 필수 (the recorded reason)", show_default=False)
    ],
    mode: Annotated[
        Mode,
        typer.Option("--mode", help="aggregate: 집단별 수, extract: 가명 행 (counts or pseudonymized rows)"),
    ] = Mode.aggregate,
    k: Annotated[
        int, typer.Option("--k", min=2, max=1000, help="k-익명성의 k (smallest group shown)")
    ] = DEFAULT_K,
    context: Annotated[
        str | None, typer.Option("--context", help="이 수집 상황의 대상자만 (only subjects of a context)")
    ] = None,
    format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="출력 형식 (output format)")
    ] = TableFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="저장할 파일 (default: stdout)")
    ] = None,
    db: DbOption = None,
    policy: PolicyOption = None,
) -> None:
    """가명처리한 통계를 내보냅니다 (k-익명성). Export de-identified statistics with k-anonymity.

    Direct identifiers are removed, birth dates become 10-year age bands and addresses their 시/도,
    and groups smaller than k are suppressed (counted on stderr). This is k-anonymity on the chosen
    items only — not l-diversity, not differential privacy. The export is logged with its reason.
    """
    with jikimi_for(db, policy) as jikimi:
        result = jikimi.sharing.export_stats(
            split(items),
            mode=mode.value,
            k=k,
            reason=reason,
            actor=operator(),
            source="cli",
            context=context,
        )
    if format is TableFormat.json:
        text = (
            json.dumps(
                {
                    "id": result.id,
                    "kind": result.kind,
                    "k": result.k,
                    "columns": list(result.columns),
                    "treatments": result.treatments,
                    "removed": list(result.removed),
                    "subjects_read": result.subjects_read,
                    "suppressed_rows": result.suppressed_rows,
                    "suppressed_groups": result.suppressed_groups,
                    "rows": result.rows,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    else:
        text = _csv([dict(row) for row in result.rows])
        if format is TableFormat.text:
            text = text.replace(",", "\t")
    if output is None:
        sys.stdout.write(text)
    else:
        write_private(output, text)
    removed = (
        f"; 제거한 직접 식별자 (removed direct identifiers): {', '.join(result.removed)}"
        if result.removed
        else ""
    )
    typer.echo(
        f"내보내기 (export) {result.id}: {len(result.rows)}행 (rows), 대상자 {result.subjects_read}명 (subjects), "  # noqa: E501
        f"k={result.k} 미만 억제 {result.suppressed_rows}명/{result.suppressed_groups}집단 "
        f"(suppressed {result.suppressed_rows} subjects in {result.suppressed_groups} groups){removed}",
        err=True,
    )
