"""CLI for delivery: ``jikimi deliver`` (통지 발송) and ``jikimi outbox`` (발송 대기열: status, list, retry).

A thin face over ``Jikimi.delivery``. ``--once`` delivers everything due and exits (cron, systemd
timers); without it the worker keeps polling until Ctrl+C or SIGTERM. ``--workers N`` runs N
processes, which take different messages (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one
writer, so more than one rarely helps there).
"""

from __future__ import annotations

import json
import multiprocessing
import signal
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from jikimi.cli._common import DbOption, PolicyOption, jikimi_for, operator, split, tables
from jikimi.errors import UsageError
from jikimi.notices.rounds import DeliveryReport
from jikimi.periods import KST
from jikimi.store.outbox import STATUSES

_err = Console(stderr=True)

outbox_app = typer.Typer(
    help="발송 대기열: 상태, 목록, 재시도 (the outbox: status, messages, dead letters tried again)",
    no_args_is_help=True,
)

STATE_LABELS = {
    "due": "발송 대기 (due)",
    "later": "예정 (later)",
    "delivered": "발송됨 (delivered)",
    "dead": "실패 (dead)",
}


def _report(report: DeliveryReport) -> dict[str, Any]:
    return {
        "claimed": report.claimed,
        "delivered": report.delivered,
        "retried": report.retried,
        "dead": report.dead,
        "events": report.events,
        "errors": dict(sorted(report.errors.items())),
    }


def _worker(db: str | None, policy: str | None, once: bool, poll: float, lease: float, queue: Any) -> None:
    """One delivering process (``--workers``): its result through ``queue``."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with jikimi_for(db, Path(policy) if policy else None, migrate=False) as jikimi:
        jikimi.delivery.lease = timedelta(seconds=lease)
        report = jikimi.delivery.drain() if once else jikimi.delivery.run(stop, poll=poll)
    queue.put(_report(report))


def deliver_command(
    policy: PolicyOption = None,
    db: DbOption = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="지금 발송할 것을 모두 보내고 끝냅니다 (deliver what is due, then exit)"),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="동시에 실행할 발송 프로세스 수 (delivering processes)"
        ),
    ] = 1,
    poll: Annotated[
        float,
        typer.Option(
            "--poll", min=0.1, max=3600, help="보낼 것이 없을 때 기다리는 초 (seconds to wait when idle)"
        ),
    ] = 2.0,
    lease: Annotated[
        float,
        typer.Option(
            "--lease",
            min=1,
            max=86_400,
            help="가져간 메시지를 다른 작업자가 못 가져가는 초; 멈춘 작업자의 몫은 그 뒤 다시 보냅니다 "
            "(seconds a claimed message is held; a stopped worker's messages go again after it)",
        ),
    ] = 120.0,
    as_json: Annotated[
        bool, typer.Option("--json", help="결과를 JSON으로 출력 (print the result as JSON)")
    ] = False,
) -> None:
    """발송 대기열의 통지를 보냅니다. Deliver the notices in the outbox.

    Each message's contact is read through the gate under the policy's notice purpose (logged),
    its Korean wording rendered, and it is sent by e-mail (JIKIMI_SMTP_URL), through the service's
    own sender (JIKIMI_SENDER_URL, signed with JIKIMI_SENDER_SECRET) or to the letter queue
    (JIKIMI_LETTER_QUEUE). A failed try is repeated with back-off; after the last
    (JIKIMI_DELIVERY_TRIES) the message is dead: `jikimi outbox list --status dead` shows why.
    Service events go in the same rounds to JIKIMI_EVENTS_URL (signed with JIKIMI_EVENTS_SECRET),
    a subject's in order: `jikimi events status` counts them.
    """
    if workers == 1:
        with jikimi_for(db, policy) as jikimi:
            jikimi.delivery.lease = timedelta(seconds=lease)
            if once:
                report = jikimi.delivery.drain()
            else:
                stop = threading.Event()
                signal.signal(signal.SIGTERM, lambda *_: stop.set())
                _err.print("통지 발송 중 — 멈추려면 Ctrl+C (delivering; Ctrl+C to stop)")
                try:
                    report = jikimi.delivery.run(stop, poll=poll)
                except KeyboardInterrupt:
                    stop.set()
                    report = DeliveryReport()
        result = _report(report)
    else:
        with jikimi_for(db, policy):  # migrate once, before the workers open it without migrating
            pass
        result = _run_workers(db, policy, once, poll, lease, workers)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    if result["events"]:
        sys.stdout.write(
            f"서비스 이벤트 {result['events']:,}건 포함 (of which service events: {result['events']:,})\n"
        )
    sys.stdout.write(
        f"발송 {result['delivered']:,}건, 재시도 예정 {result['retried']:,}건, 실패 {result['dead']:,}건\n"
        f"(delivered {result['delivered']:,}, to be tried again {result['retried']:,}, "
        f"dead {result['dead']:,})\n"
    )
    for code, n in result["errors"].items():
        sys.stdout.write(f"  {code}: {n:,}\n")


def _run_workers(
    db: str | None, policy: Path | None, once: bool, poll: float, lease: float, workers: int
) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_worker, args=(db, str(policy) if policy else None, once, poll, lease, queue))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    total = DeliveryReport()
    try:
        results = [queue.get() for _ in processes]
    except KeyboardInterrupt:
        for process in processes:
            process.terminate()
        results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    for result in results:
        total.claimed += result["claimed"]
        total.delivered += result["delivered"]
        total.retried += result["retried"]
        total.dead += result["dead"]
        total.events += result["events"]
        total.errors.update(result["errors"])
    return _report(total)


@outbox_app.command("status")
def status_command(
    policy: PolicyOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON으로 출력 (print as JSON)")] = False,
) -> None:
    """종류별 발송 상태를 셉니다. Count messages by kind: due, later, delivered, dead."""
    with jikimi_for(db, policy) as jikimi:
        counts = jikimi.delivery.counts()
    print_states(counts, "종류 (kind)", as_json=as_json)


def print_states(counts: dict[tuple[str, str], int], heading: str, *, as_json: bool) -> None:
    """``(kind, state)`` counts as a table of kinds by state, or one JSON document (kind → state → n)."""
    if as_json:
        document: dict[str, dict[str, int]] = {}
        for (kind, state), n in sorted(counts.items()):
            document.setdefault(kind, {})[state] = n
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        return
    table = Table(heading, *STATE_LABELS.values())
    for kind in sorted({kind for kind, _ in counts}):
        table.add_row(kind, *(f"{counts.get((kind, state), 0):,}" for state in STATE_LABELS))
    tables().print(table)


@outbox_app.command("list")
def list_command(
    policy: PolicyOption = None,
    db: DbOption = None,
    status: Annotated[
        str | None, typer.Option("--status", help=f"상태 (status): {', '.join(STATUSES)}", show_default=False)
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="종류 (kind, e.g. dormancy_notice)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="최대 개수 (at most)")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON으로 출력 (print as JSON)")] = False,
) -> None:
    """메시지 목록 (최신 순): 아이디, 종류, 채널, 상태, 시도 횟수, 오류 코드. Messages, newest first.

    No contact and no personal value is shown: a message holds ids, dates and codes only.
    """
    if status is not None and status not in STATUSES:
        raise UsageError(
            f"--status는 {', '.join(STATUSES)} 중 하나입니다",
            f"--status must be one of {', '.join(STATUSES)}",
        )
    with jikimi_for(db, policy) as jikimi:
        found = jikimi.delivery.messages(status=status, kind=kind, limit=limit)
    if as_json:
        for m in found:
            line = {
                "id": m.id,
                "message_id": m.message_id,
                "kind": m.kind,
                "channel": m.channel,
                "recipient": m.recipient,
                "subject_id": m.subject_id,
                "status": m.status,
                "attempts": m.attempts,
                "last_error": m.last_error,
                "due_at": m.due_at.isoformat(),
            }
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    table = Table(
        "#",
        "종류 (kind)",
        "채널 (channel)",
        "상태 (status)",
        "시도 (tries)",
        "오류 (error)",
        "예정 (due, KST)",
    )
    for m in found:
        due = m.due_at.astimezone(KST).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            str(m.id), m.kind, m.channel or "-", m.status, str(m.attempts), m.last_error or "-", due
        )
    tables().print(table)


@outbox_app.command("retry")
def retry_command(
    ids: Annotated[
        str | None,
        typer.Argument(help="메시지 번호들, 쉼표로 구분; 없으면 실패한 것 모두 (ids; none: every dead one)"),
    ] = None,
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """실패한 메시지를 다시 보낼 차례로 돌립니다 (접속기록에 남음). Make dead messages due again (logged)."""
    chosen: list[int] | None = None
    if ids:
        try:
            chosen = [int(part) for part in split(ids)]
        except ValueError:
            raise UsageError(
                "메시지 번호는 정수입니다 (예: 12,15)", "message ids are whole numbers (e.g. 12,15)"
            ) from None
    with jikimi_for(db, policy) as jikimi:
        count = jikimi.delivery.revive(chosen, actor=operator().login)
    sys.stdout.write(f"다시 보낼 메시지 {count:,}건 (messages due again: {count:,})\n")
