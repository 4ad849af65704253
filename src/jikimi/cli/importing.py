"""``jikimi import``: bulk import of existing members from a CSV file (a thin face over
``jikimi.vault.import_csv``).

Exit codes: 0 every row imported; 1 some rows were skipped (listed by line and field, never by
value); 2 the file or the options cannot be used (unknown context, bad header, no key).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from jikimi.bootstrap import Jikimi
from jikimi.cli._common import DbOption, PolicyOption, err, jikimi_for
from jikimi.vault.importer import ImportReport, RowProblem, count_lines

MAX_SHOWN = 200


def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="회원 CSV 파일: 머리글은 항목 id와 consent:<목적> (members CSV; header = item ids "
            "and optional consent:<purpose> columns)",
            show_default=False,
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    context: Annotated[str, typer.Option("--context", help="수집 상황 id (collection context), e.g. signup")],
    policy: PolicyOption = None,
    db: DbOption = None,
    hash_plain_passwords: Annotated[
        bool,
        typer.Option(
            "--hash-plain-passwords",
            help="평문 비밀번호를 Argon2id로 해시해 가져옵니다 — 행마다 0.1초 이상 걸려 매우 느립니다. "
            "(Hash plain passwords with Argon2id: a tenth of a second or more per row, so very slow; "
            "without it plain passwords are refused and only bcrypt/Argon2 hashes are accepted.)",
        ),
    ] = False,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=50_000, help="한 트랜잭션의 행 수 (rows per transaction)")
    ] = 2000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            max=64,
            help="검증 프로세스 수, 0이면 CPU 수 (validation processes; 0: one per CPU)",
        ),
    ] = 0,
) -> None:
    """기존 회원을 CSV에서 가져옵니다. Import existing members from a CSV file.

    Every row is checked exactly like a sign-up (``collect``): required items, formats, consents.
    Legacy password hashes (bcrypt ``$2b$…``) are kept as they are, encrypted, and upgraded to
    Argon2id at the member's next login. Rows that fail, and duplicates (login id, email, mobile,
    CI already in the file or in the vault), are reported by line and field and skipped.
    """
    with jikimi_for(db, policy) as jikimi:
        report, seconds = _import(jikimi, file, context, hash_plain_passwords, batch, workers)
    typer.echo(
        f"가져옴 {report.imported}, 건너뜀 {report.skipped} (형식 {report.invalid}, 중복 {report.duplicates}), "  # noqa: E501
        f"법정대리인 동의 대기 {report.pending_guardian}, {seconds:.1f}초 — "
        f"imported {report.imported}, skipped {report.skipped} ({report.invalid} invalid, {report.duplicates} duplicates), "  # noqa: E501
        f"{report.pending_guardian} pending guardian consent, {seconds:.1f}s"
    )
    raise typer.Exit(1 if report.skipped else 0)


def _import(
    jikimi: Jikimi, file: Path, context: str, hash_plain_passwords: bool, batch: int, workers: int
) -> tuple[ImportReport, float]:
    procs = workers or os.cpu_count() or 1
    if hash_plain_passwords:
        err.print(
            "[yellow]--hash-plain-passwords: 평문 비밀번호마다 Argon2id 해시를 계산합니다. 느립니다 "
            "(hashing each plain password with Argon2id: expect 0.1 s or more per row).[/yellow]"
        )
    total = count_lines(file)
    shown = 0

    def problem(p: RowProblem) -> None:
        nonlocal shown
        shown += 1
        if shown <= MAX_SHOWN:
            progress.console.print(f"{file}:{p}", markup=False, highlight=False)
        elif shown == MAX_SHOWN + 1:
            progress.console.print("… (더 있는 문제는 요약에만 셉니다; further problems are only counted)")

    started = time.monotonic()
    with Progress(
        TextColumn("[bold]가져오는 중 (importing)"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task("import", total=total, rate="-")

        def advance(count: int) -> None:
            done = progress.tasks[0].completed + count
            progress.update(task, advance=count, rate=f"{done / max(time.monotonic() - started, 1e-6):,.0f}")

        report = jikimi.vault.import_csv(
            file,
            context,
            hash_plain_passwords=hash_plain_passwords,
            batch_size=batch,
            workers=procs,
            on_problem=problem,
            on_progress=advance,
        )
    return report, time.monotonic() - started
