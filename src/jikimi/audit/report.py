"""The monthly access-log review (접속기록 월간 점검, 안전성 확보조치 기준 제8조).

``monthly_report(conn, month)`` reads the access log and the rights log for one calendar month in
Korean time and returns a JSON-ready dict: reads per handler (allowed, denied), denials by reason,
bulk reads and downloads with their recorded reasons, reads outside working hours (before 09:00 or
from 18:00 KST, weekends, Korean public holidays), handlers whose volume jumped, the rights changes
of the month, and the chain heads of the access log (an anchor the officer keeps with the signed
report: a later truncation of a chain shows against it). ``render_text`` prints it for signing.

Values never appear here: the log holds item ids, purposes and opaque subject ids only.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from jikimi.audit.alerts import (
    READ_ACTIONS,
    WORK_END,
    WORK_START,
    LogRow,
    Tally,
    korean_calendar,
    off_hours,
)
from jikimi.audit.anchors import read_anchors
from jikimi.audit.log import AccessLog, Entry, LogEntry, LogPage, Verification, verify
from jikimi.clock import Clock, as_utc
from jikimi.crypto import KeyRing
from jikimi.errors import Denied, UsageError
from jikimi.gate import REASONS
from jikimi.handlers import Handler
from jikimi.periods import FAR_PAST, KST, kst_day, month_bounds, shift_month
from jikimi.store import access_log as log_rows
from jikimi.store import handlers as handler_rows
from jikimi.store.uow import UnitOfWork

JUMP_FACTOR = 3
JUMP_MINIMUM = 50
OFF_HOURS_LISTED = 500


def _kst(moment: datetime) -> str:
    try:
        return as_utc(moment).astimezone(KST).isoformat(timespec="seconds")
    except OverflowError:  # the end of 9999-12 (FAR_FUTURE) is past the calendar's last KST moment
        return datetime.max.replace(tzinfo=KST).isoformat(timespec="seconds")


def _baseline_start(month: str) -> datetime:
    """The first instant of the three months before ``month`` (the calendar's first one in 0001)."""
    earlier = shift_month(month, -3)
    return FAR_PAST if earlier < "0001-01" else month_bounds(earlier)[0]


def monthly_report(
    conn: Connection, month: str, *, generated_at: datetime, keys: KeyRing | None = None
) -> dict[str, Any]:
    """The review of ``month`` (``YYYY-MM``, Korean time) as a JSON-ready dict (the chain checked
    with ``keys`` when given)."""
    start, end = month_bounds(month)
    first_baseline = _baseline_start(month)
    local_start = start.astimezone(KST)
    calendar = korean_calendar(local_start.year)

    tally = Tally(month.strip(), calendar, until=kst_day(as_utc(generated_at)))
    per_handler: dict[str, Counter[str]] = defaultdict(Counter)
    night_rows: list[dict[str, Any]] = []
    for row in log_rows.reads_between(conn, start, end, READ_ACTIONS):
        read = LogRow(
            at=row.at,
            actor=row.actor,
            action=row.action,
            outcome=row.outcome,
            purpose=row.purpose,
            reason=row.reason,
            count=int(row.n),
        )
        tally.add(read)
        counts = per_handler[row.actor]
        counts["reads"] += 1
        counts["denied" if read.denied else "allowed"] += 1
        why = off_hours(row.at, calendar)
        if why is not None:
            counts["off_hours"] += 1
            if len(night_rows) < OFF_HOURS_LISTED:
                night_rows.append(
                    {
                        "seq": row.seq,
                        "at": _kst(row.at),
                        "actor": row.actor,
                        "action": row.action,
                        "purpose": row.purpose,
                        "subject_id": row.subject_id,
                        "outcome": row.outcome,
                        "why": why,
                    }
                )
    refused: dict[str, Counter[str]] = defaultdict(Counter)
    denials: Counter[tuple[str, str]] = Counter()
    for row in log_rows.denied_between(conn, start, end):
        tally.add_denial(LogRow(at=row.at, actor=row.actor, action=row.action, outcome=row.outcome))
        refused[row.actor][row.outcome.removeprefix("denied:")] += 1
        denials[(row.outcome, row.action)] += 1
    baseline = log_rows.reads_per_actor(conn, first_baseline, start, READ_ACTIONS)
    rights = handler_rows.rights_changes(conn, start, end)
    chain = verify(conn, keys=keys)

    return {
        "month": month.strip(),
        "timezone": "Asia/Seoul (KST, UTC+09:00)",
        "period": {"from": _kst(start), "to": _kst(end)},
        "generated_at": _kst(generated_at),
        "working_hours": f"{WORK_START:%H:%M}-{WORK_END:%H:%M} KST, weekdays except public holidays",
        "reads_by_handler": sorted(
            (
                {
                    "actor": actor,
                    "reads": c["reads"],
                    "allowed": c["allowed"],
                    "denied": c["denied"],
                    "off_hours": c["off_hours"],
                }
                for actor, c in per_handler.items()
            ),
            key=lambda r: (-r["reads"], r["actor"]),
        ),
        "denials_by_reason": _denials((o, a, n) for (o, a), n in denials.items()),
        "bulk_reads": [
            {
                "at": _kst(b.at),
                "actor": b.actor,
                "action": b.action,
                "purpose": b.purpose,
                "reason": b.reason,
                "subjects": b.subjects,
                "allowed": b.allowed,
            }
            for b in tally.bulk_calls()
        ],
        "off_hours": {
            "total": sum(c["off_hours"] for c in per_handler.values()),
            "rows": night_rows,
            "truncated": sum(c["off_hours"] for c in per_handler.values()) > len(night_rows),
        },
        "volume_jumps": _jumps(per_handler, baseline),
        "rights_changes": [
            {
                "at": _kst(r.at),
                "actor": r.actor,
                "handler": r.handler_login,
                "change": r.change,
                "detail": json.loads(r.detail),
                "keep_until": _kst(r.keep_until),
            }
            for r in rights
        ],
        "chain": {
            "ok": chain.ok,
            "rows": chain.rows,
            "chains": chain.chains,
            "heads": chain.heads,
            "breaks": [str(b) for b in chain.breaks],
            "warnings": list(chain.warnings),
        },
        "reads_by_day": tally.per_day(),
        "denials_by_handler": [
            {"actor": actor, "count": sum(reasons.values()), "reasons": dict(sorted(reasons.items()))}
            for actor, reasons in sorted(refused.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        ],
        "alerts": [a.as_dict() for a in tally.alerts()],
        "thresholds": tally.thresholds.as_dict(),
    }


def _denials(rows: Iterable[Any]) -> list[dict[str, Any]]:
    by_reason: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome, action, count in rows:
        by_reason[outcome.removeprefix("denied:")][action] += int(count)
    out = []
    for reason, actions in by_reason.items():
        ko, en = REASONS.get(reason, (reason, reason))
        out.append(
            {
                "reason": reason,
                "count": sum(actions.values()),
                "label_ko": ko,
                "label_en": en,
                "actions": dict(sorted(actions.items())),
            }
        )
    return sorted(out, key=lambda r: (-r["count"], r["reason"]))


def _jumps(per_handler: Mapping[str, Counter[str]], baseline: Mapping[str, int]) -> list[dict[str, Any]]:
    """Handlers whose reads exceed 3× their average of the previous three months (and at least 50)."""
    jumps = []
    for actor, counts in per_handler.items():
        average = baseline.get(actor, 0) / 3
        if counts["reads"] >= JUMP_MINIMUM and counts["reads"] > JUMP_FACTOR * average:
            jumps.append(
                {
                    "actor": actor,
                    "reads": counts["reads"],
                    "previous_average": round(average, 1),
                    "factor": round(counts["reads"] / average, 1) if average else None,
                }
            )
    return sorted(jumps, key=lambda j: (-j["reads"], j["actor"]))


_Row = Mapping[str, Any]


def render_text(report: Mapping[str, Any]) -> str:
    """The review as plain text (Korean with English) for printing and signing."""
    out: list[str] = []
    line = out.append
    line(f"개인정보처리시스템 접속기록 월간 점검 보고서 (monthly access-log review): {report['month']}")
    line(f"기간 (period): {report['period']['from']} ~ {report['period']['to']} ({report['timezone']})")
    line(f"작성 (generated): {report['generated_at']}")
    line(f"업무 시간 (working hours): {report['working_hours']}")
    line("")

    def listed(
        title: str, rows: Sequence[Mapping[str, Any]], show: Callable[[Mapping[str, Any]], str]
    ) -> None:
        """A numbered part of the review: its title, a line a row (or "none"), a blank line."""
        line(title)
        out.extend(f"   {show(r)}" for r in rows)
        if not rows:
            line("   없음 (none)")
        line("")

    listed(
        "1. 취급자별 열람 (reads per handler)\n"
        f"   {'취급자 handler':24} {'열람 reads':>10} {'허용 allowed':>12} {'거부 denied':>11} {'시간외 off-hours':>16}",  # noqa: E501
        report["reads_by_handler"],
        lambda r: (
            f"{r['actor']:24} {r['reads']:>10} {r['allowed']:>12} {r['denied']:>11} {r['off_hours']:>16}"
        ),
    )
    listed(
        "2. 거부 사유별 건수 (denials by reason)",
        report["denials_by_reason"],
        lambda d: (
            f"{d['reason']:22} {d['count']:>6}  {d['label_ko']} ({d['label_en']}) "
            f"[{', '.join(f'{a} {n}' for a, n in d['actions'].items())}]"
        ),
    )
    listed(
        "3. 대량 열람·다운로드와 사유 (bulk reads and downloads with their reasons)",
        report["bulk_reads"],
        lambda b: (
            f"{b['at']} {b['actor']} {b['action']} purpose={b['purpose']} 대상 {b['subjects']}명 "
            f"(allowed {b['allowed']}) 사유(reason): {b['reason'] or '-'}"
        ),
    )
    off = report["off_hours"]
    line(f"4. 업무 시간 외 열람 (reads outside working hours): {off['total']}건")
    for r in off["rows"]:
        line(
            f"   seq={r['seq']} {r['at']} {r['actor']} {r['action']} purpose={r['purpose']} {r['outcome']} ({r['why']})"  # noqa: E501
        )
    if off["truncated"]:
        line(f"   … 처음 {len(off['rows'])}건만 표시 (first {len(off['rows'])} shown; use --format json)")
    line("")
    listed(
        f"5. 열람량 급증 취급자 (volume jumps: > {JUMP_FACTOR}x the previous 3 months' average and >= {JUMP_MINIMUM})",  # noqa: E501
        report["volume_jumps"],
        lambda j: (
            f"{j['actor']}: {j['reads']}건 (previous average {j['previous_average']}, "
            + ("new)" if j["factor"] is None else f"{j['factor']}x)")
        ),
    )
    listed(
        "6. 권한 부여·변경·말소 (rights changes)",
        report["rights_changes"],
        lambda c: (
            f"{c['at']} {c['actor']} → {c['handler']}: {c['change']} "
            f"{json.dumps(c['detail'], ensure_ascii=False)}"
        ),
    )
    chain = report["chain"]
    status = "정상 (intact)" if chain["ok"] else "위변조 의심 (BROKEN)"
    line(
        f"7. 접속기록 무결성 (access-log integrity): {status}, {chain['rows']} rows, {chain['chains']} chains"
    )
    for problem in chain["breaks"]:
        line(f"   ! {problem}")
    for warning in chain.get("warnings", ()):
        line(f"   ? {warning}")
    line("   체인 헤드 (chain heads; keep with this report to detect later truncation):")
    for name, head in chain["heads"].items():
        line(f"   {name} {head}")
    line("")
    line("위와 같이 접속기록을 점검하였습니다. (I have reviewed the access log as above.)")
    line("")
    line(
        "개인정보 보호책임자 (chief privacy officer): ____________________  서명 (signature): ____________  "
        "날짜 (date): ____________"
    )
    return "\n".join(out) + "\n"


MAX_PAGE = 1000
"""The most rows one page of the readers returns."""


class Audit:
    """The access log's face (``jikimi.audit``): chain verification, the monthly review, and readers
    of the log by subject, by handler and by month, a page at a time.

    The review is itself a read of metadata about subjects and handlers: asked for by a handler
    (``actor``), it needs the ``audit`` action and writes an ``audit.report`` row to ``access_log``
    (refused: a ``denied:`` row). The readers are not logged: they show who did what to whose data
    by ids (handler logins, item ids, opaque subject ids), never a value.
    """

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        keys: KeyRing | None = None,
        anchor_file: Path | None = None,
        access_log: AccessLog | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._keys = keys
        self._anchor_file = anchor_file
        self._log = access_log

    def about_subject(self, subject_id: str, *, after: int = 0, limit: int = 100) -> LogPage:
        """The rows about one subject (``subject_id``), in log order, from the one after ``after``
        (a ``LogPage.next_after``; ``0``: from the start), at most ``limit`` (1 to 1000)."""
        return self._page(after, limit, subject_id=subject_id)

    def by_handler(self, handler: Handler | str, *, after: int = 0, limit: int = 100) -> LogPage:
        """The rows of one actor: a ``Handler`` or its login, or ``"self"``, ``"guardian"``,
        ``"system"``, ``"cli:<user>"`` (disabled handlers' rows stay in the log under their login)."""
        return self._page(after, limit, actor=handler.login if isinstance(handler, Handler) else handler)

    def in_month(self, month: str, *, after: int = 0, limit: int = 100) -> LogPage:
        """The rows of a calendar month in Korean time (``YYYY-MM``; ``UsageError`` if malformed)."""
        start, end = month_bounds(month)
        return self._page(after, limit, start=start, end=end)

    def _page(
        self,
        after: int,
        limit: int,
        *,
        subject_id: str | None = None,
        actor: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> LogPage:
        if not 1 <= limit <= MAX_PAGE or after < 0:
            raise UsageError(
                f"limit은 1~{MAX_PAGE}, after는 0 이상이어야 합니다",
                f"limit must be 1 to {MAX_PAGE} and after 0 or more",
            )
        with self._engine.connect() as conn:
            rows = log_rows.page(
                conn, after=after, limit=limit + 1, subject_id=subject_id, actor=actor, start=start, end=end
            )
        entries = tuple(
            LogEntry(
                seq=int(r.seq),
                at=as_utc(r.at),
                actor=r.actor,
                action=r.action,
                outcome=r.outcome,
                subject_id=r.subject_id,
                items=tuple(json.loads(r.ids)),
                purpose=r.purpose,
                source=r.source,
                reason=r.reason,
                count=int(r.n),
            )
            for r in rows[:limit]
        )
        return LogPage(entries, entries[-1].seq if len(rows) > limit else None)

    def verify(self, *, keys: KeyRing | None = None, anchor_file: Path | None = None) -> Verification:
        """Walk every chain of the access log (``jikimi audit verify``): MACs under ``keys`` (default:
        the ring this face was built with; none: links only), truncation and deleted chains against
        the anchors in ``anchor_file`` (default: the configured one, if it exists)."""
        keys = keys or self._keys
        path = anchor_file or self._anchor_file
        anchors = read_anchors(path) if path is not None and (anchor_file or path.exists()) else None
        with self._engine.connect() as conn:
            return verify(conn, keys=keys, anchors=anchors)

    def monthly_report(
        self, month: str, *, actor: Handler | None = None, source: str = "local"
    ) -> dict[str, Any]:
        """The review of ``month`` (``YYYY-MM``, Korean time) as a JSON-ready dict; ``render_text``
        prints it for signing. Raises ``UsageError`` for a malformed month; ``Denied`` when
        ``actor``'s role lacks the ``audit`` action. With an ``actor``, the review is logged
        (``audit.report``, the month in the reason)."""
        month_bounds(month)
        now = as_utc(self._clock.now())
        if actor is not None and not actor.role.may("audit"):
            self._logged(now, actor, month, source, "denied:action_not_allowed")
            raise Denied(
                "action_not_allowed",
                "접속기록 점검(audit) 권한이 없습니다",
                "the handler's role may not review the access log",
            )
        with self._engine.connect() as conn:
            report = monthly_report(conn, month, generated_at=now, keys=self._keys)
        if actor is not None:
            self._logged(now, actor, month, source, "allowed")
        return report

    def _logged(self, now: datetime, actor: Handler, month: str, source: str, outcome: str) -> None:
        if self._log is None:
            return
        entry = Entry(
            at=now,
            actor=actor.login,
            action="audit.report",
            outcome=outcome,
            source=source,
            reason=f"month={month.strip()}",
        )
        with UnitOfWork(self._engine) as uow:
            self._log.append(uow, [entry])
            uow.commit()
