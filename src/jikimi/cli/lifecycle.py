"""CLI for the lifecycle: ``jikimi sweep`` (파기·분리보관·휴면 처리) and ``jikimi ledger`` (파기 기록).

A thin face over ``jikimi.lifecycle`` (``sweep``, ``count_due``, ``ledger_text``). ``--workers N``
runs N sweeping processes at once (each claims disjoint subjects on PostgreSQL; SQLite serialises
them); ``--max-active K`` lets at most K processes — of this command or any other — sweep the
database at once, the others standing by (store/slots.py).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jikimi.bootstrap import Jikimi
from jikimi.cli._common import DbOption, PolicyOption, jikimi_for
from jikimi.errors import UsageError
from jikimi.lifecycle import SweepReport
from jikimi.lifecycle.sweep import KINDS
from jikimi.periods import KST, previous_month

_err = Console(stderr=True)

KIND_LABELS = {
    "separated_values": "보존기간 만료 항목 파기 (expired separated items)",
    "separated_records": "보존기간 만료 기록 파기 (expired separated records)",
    "separated_lookups": "보존 조회키 파기 (expired kept look-ups)",
    "expired_logs": "로그 보관기간 만료 (expired logs)",
    "expired_log_items": "로그 항목 보관기간 만료 (expired log items)",
    "pending_guardian": "법정대리인 미동의 파기 (unconfirmed children)",
    "dormancy_notice": "휴면 사전 안내 (dormancy notices)",
    "dormancy": "휴면 분리보관 (dormant members)",
}


def _report_dict(report: SweepReport) -> dict[str, Any]:
    return {
        "now": report.now.isoformat(),
        "destroyed": dict(sorted(report.destroyed.items())),
        "destroyed_total": report.destroyed_total,
        "separated_dormant": report.separated_dormant,
        "notices": report.notices,
        "subjects_removed": report.subjects_removed,
        "keys_destroyed": report.keys_destroyed,
        "repriced": report.repriced,
        "rekeyed": report.rekeyed,
        "batches": report.batches,
        "ledger_entries": report.ledger_entries,
        "access_log_expired": report.access_log_expired,
        "reconfirmations": report.reconfirmations,
        "subjects": len(report.subjects),
    }


def _worker(db_url: str | None, policy: str | None, batch_size: int, limit: int | None, queue: Any) -> None:
    """One sweeping process (``--workers``): reports progress and its result through ``queue``."""
    with jikimi_for(db_url, Path(policy) if policy else None, migrate=False) as jikimi:
        report = jikimi.lifecycle.sweep(
            batch_size=batch_size,
            max_active=limit,
            progress=lambda kind, n: queue.put(("progress", kind, n)),
            on_wait=lambda: queue.put(("waiting",)),
        )
    queue.put(("done", _report_dict(report), sorted(report.subjects)))


def sweep_command(
    policy: PolicyOption = None,
    db: DbOption = None,
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size", min=1, max=10_000, help="한 트랜잭션의 대상자 수 (subjects per transaction)"
        ),
    ] = 500,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="동시에 실행할 프로세스 수 (sweeping processes)")
    ] = 1,
    max_active: Annotated[
        int | None,
        typer.Option(
            "--max-active",
            min=0,
            max=1024,
            help="데이터베이스를 동시에 스윕할 최대 프로세스 수, 나머지는 대기; 0은 제한 없음. 기본값: PostgreSQL이 "  # noqa: E501
            "이 호스트에 있으면 CPU 수, 아니면 제한 없음 (at most this many processes sweep the database at once, "  # noqa: E501
            "the others stand by; 0: no limit; default: the CPU count when PostgreSQL runs on this host, "
            "else no limit)",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="처리하지 않고 대상 수만 셉니다 (count what is due, change nothing)"),
    ] = False,
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at", help="--dry-run과 함께: 이 시각 기준으로 셉니다 (with --dry-run: count as of this time)"
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="결과를 JSON으로 출력 (print the result as JSON)")
    ] = False,
) -> None:
    """기한이 된 개인정보를 파기·분리보관하고 휴면 안내를 보냅니다. Act on everything due now.

    Destroys separated data and records whose retention ended, expires logs, destroys children's
    data never confirmed by a guardian, queues dormancy notices and separates idle members —
    writing one destruction-ledger entry per batch and class — and destroys the access log's rows
    older than its retention period (as `jikimi audit expire` does). Idempotent: run it from cron as often
    as you like; several processes may run at once.
    """
    if at is not None and not dry_run:
        raise UsageError(
            "--at은 --dry-run과 함께만 쓸 수 있습니다 (미래 시각으로 파기하면 보존 중인 자료가 조기 파기됩니다)",  # noqa: E501
            "--at works only with --dry-run (sweeping as of a future time would destroy data early)",
        )
    with jikimi_for(db, policy) as jikimi:
        _sweep(jikimi, db, policy, batch_size, workers, max_active, dry_run, at, as_json)


def _sweep(
    jikimi: Jikimi,
    db: str | None,
    policy: Path | None,
    batch_size: int,
    workers: int,
    max_active: int | None,
    dry_run: bool,
    at: datetime | None,
    as_json: bool,
) -> None:
    lifecycle = jikimi.lifecycle
    limit = lifecycle.sweep_limit(max_active, os.cpu_count() or 1)
    moment = (at.replace(tzinfo=KST) if at and at.tzinfo is None else at) if at else None
    due = lifecycle.count_due(moment.astimezone(UTC) if moment else None)
    if dry_run:
        if as_json:
            sys.stdout.write(json.dumps(due, ensure_ascii=False) + "\n")
        else:
            for kind in KINDS:
                sys.stdout.write(f"{KIND_LABELS[kind]}: {due[kind]:,}\n")
        return
    for advice in worker_advice(jikimi.dialect, workers, os.cpu_count() or 1, limit):
        _err.print(advice)
    total = sum(due.values())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err,
        disable=as_json or not _err.is_terminal,
    ) as bar:
        task = bar.add_task("파기·분리보관 (sweeping)", total=total or None)

        def advance(kind: str, n: int) -> None:
            bar.update(task, advance=n, description=KIND_LABELS.get(kind, kind))

        def standing_by() -> None:
            _err.print(
                f"스윕 슬롯 {limit}개가 모두 사용 중이라 한 프로세스가 대기합니다 "
                f"(all {limit} sweep slots are busy: a process stands by until one frees)"
            )

        if workers == 1:
            report = lifecycle.sweep(
                batch_size=batch_size, max_active=limit, progress=advance, on_wait=standing_by
            )
            result = _report_dict(report)
        else:
            result = _run_workers(db, policy, batch_size, workers, limit, advance, standing_by)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    sys.stdout.write(
        f"파기 {result['destroyed_total']:,}건, 휴면 분리 {result['separated_dormant']:,}명, "
        f"휴면 안내 {result['notices']:,}건, 삭제된 대상자 {result['subjects_removed']:,}명, "
        f"배치 {result['batches']:,}, 파기 기록 {result['ledger_entries']:,}줄, "
        f"보관기간이 지난 접속기록 {result['access_log_expired']:,}행 파기, "
        f"광고 수신동의 재확인 안내 {result['reconfirmations']:,}건\n"
        f"(destroyed {result['destroyed_total']:,}, separated {result['separated_dormant']:,} dormant, "
        f"{result['notices']:,} notices queued, {result['subjects_removed']:,} subjects removed, "
        f"{result['batches']:,} batches, {result['ledger_entries']:,} ledger entries, "
        f"{result['access_log_expired']:,} access-log rows past their retention destroyed, "
        f"{result['reconfirmations']:,} advertising-consent reconfirmation notices queued)\n"
    )


def worker_advice(dialect: str, workers: int, cpus: int, limit: int | None = None) -> list[str]:
    """What to tell someone asking for more sweeping processes than can help (measured in
    docs/performance.md: on 2 CPUs shared with PostgreSQL, 4 unlimited workers sweep slower than 2)."""
    notes: list[str] = []
    if workers > 1 and dialect == "sqlite":
        notes.append(
            "SQLite는 한 번에 한 프로세스만 쓸 수 있어 --workers를 늘려도 빨라지지 않습니다 "
            "(SQLite has one writer at a time: more workers do not make the sweep faster)"
        )
    elif limit is not None and workers > limit:
        notes.append(
            f"작업자 {workers}개 중 {limit}개만 동시에 스윕하고 나머지는 대기하다가 이어받습니다; "
            f"--max-active로 바꿀 수 있습니다 (only {limit} of {workers} workers sweep at once, the others "
            f"stand by and take over when one stops; --max-active changes the limit)"
        )
    elif workers > cpus:
        notes.append(
            f"작업자 {workers}개가 CPU {cpus}개보다 많습니다: CPU 수를 넘는 작업자는 빨라지지 않습니다 "
            f"({workers} workers on {cpus} CPUs: workers beyond the CPU count do not sweep faster)"
        )
    return notes


def _run_workers(
    db: str | None,
    policy: Path | None,
    batch_size: int,
    workers: int,
    limit: int | None,
    advance: Any,
    standing_by: Any,
) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    procs = [
        context.Process(target=_worker, args=(db, str(policy) if policy else None, batch_size, limit, queue))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    results: list[dict[str, Any]] = []
    while len(results) < workers:
        message = queue.get()
        if message[0] == "progress":
            advance(message[1], message[2])
        elif message[0] == "waiting":
            standing_by()
        else:
            results.append(message[1])
        if len(results) < workers and not any(p.is_alive() for p in procs) and queue.empty():
            break
    for proc in procs:
        proc.join()
    failed = [p.exitcode for p in procs if p.exitcode]
    if failed:
        raise UsageError(
            f"스윕 프로세스 {len(failed)}개가 실패했습니다. 다시 실행하면 남은 작업을 이어서 합니다",
            f"{len(failed)} sweeping process(es) failed; run again to finish the remaining work",
        )
    merged: dict[str, Any] = {"workers": workers}
    for result in results:
        for key, value in result.items():
            if isinstance(value, int):
                merged[key] = merged.get(key, 0) + value
            elif isinstance(value, dict):
                bucket = merged.setdefault(key, {})
                for name, count in value.items():
                    bucket[name] = bucket.get(name, 0) + count
    return merged


def ledger_command(
    policy: PolicyOption = None,
    db: DbOption = None,
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM (KST); 기본값은 지난달 (default: last month)")
    ] = None,
) -> None:
    """파기 기록을 출력합니다 (개인정보 보호책임자 서명용). Print a month of the destruction ledger for signature."""  # noqa: E501
    chosen = month or previous_month(datetime.now(KST).date())
    try:
        datetime.strptime(chosen, "%Y-%m")
    except ValueError as exc:
        raise typer.BadParameter("YYYY-MM 형식이어야 합니다 (must be YYYY-MM)", param_hint="--month") from exc
    with jikimi_for(db, policy) as jikimi:
        sys.stdout.write(jikimi.lifecycle.ledger_text(chosen) + "\n")
