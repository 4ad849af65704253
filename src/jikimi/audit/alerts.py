"""Threshold alerts of the monthly access-log review (접속기록 이상 징후): pure rules, no framework.

The review (``audit.report``) streams one month's access-log rows past a ``Tally``, which counts
them per handler and Korean day and finds four kinds of alert, each a day on which one handler
went past a threshold (an alert fires when its ``count`` is above its ``threshold``):

``volume_jump``    more reads on a day than ``VOLUME_FACTOR`` × the handler's median reads per
                   working day of the month (zero days counted), and more than ``VOLUME_FLOOR``;
``off_hours``      reads at night (before ``DAY_START``, from ``DAY_END``, KST) or on a rest day
                   (Saturday, Sunday, a Korean public holiday), more than ``OFF_HOURS_LIMIT``;
``mass_download``  one bulk call (``BULK_ACTIONS``: a bulk read or an export) that disclosed more
                   than ``MASS_DOWNLOAD_LIMIT`` subjects, with the reason the handler stated;
``denials``        refusals of the handler's attempts (any action) on a day, more than
                   ``DENIALS_LIMIT``.

The officer asks the handler to justify (소명) what an alert shows (``audit.justifications``).
Only handler accounts are alerted on: the subject (``self``), a guardian, jikimi itself
(``system``) and an unknown login cannot be asked.

Working hours for the review's own list of off-hours reads (``off_hours``) are narrower than the
alert's day (09:00-18:00 against 08:00-20:00): the list shows every read outside working hours for
the officer to look over; the alert picks out the night and the rest days, where a read is rare.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from jikimi.clock import as_utc
from jikimi.periods import KST, kst_day, month_bounds

READ_ACTIONS = ("read", "read.bulk", "record.read", "export", "lookup")
"""Actions that disclose something about a subject; they count as reads in the review."""
BULK_ACTIONS = ("read.bulk", "export")
"""Actions that disclose many subjects in one call (a bulk read, a download): each call's subjects
and stated reason are listed, and a large one is a ``mass_download`` alert."""

WORK_START = time(9, 0)
WORK_END = time(18, 0)
"""Working hours on working days (KST): the review lists every read outside them."""

VOLUME_FACTOR = 3
"""A day with more reads than this many times the handler's median reads per working day is a jump."""
VOLUME_FLOOR = 50
"""… and only with more reads than this: a handler who reads 2 a day may read 7 without an alert."""
DAY_START = time(8, 0)
DAY_END = time(20, 0)
"""Reads before ``DAY_START`` or from ``DAY_END`` (KST) are night reads for the ``off_hours`` alert."""
OFF_HOURS_LIMIT = 0
"""More night or rest-day reads than this by one handler on one day is an alert: by default any
(a service with night shifts raises it)."""
MASS_DOWNLOAD_LIMIT = 100
"""More subjects disclosed by one bulk call than this is a ``mass_download`` alert (every bulk call
is listed with its reason whatever its size: 안전성 확보조치 기준 8조② asks the reason of each
download)."""
DENIALS_LIMIT = 5
"""More refused attempts by one handler on one day than this is a ``denials`` alert."""

ALERT_KINDS: dict[str, tuple[str, str]] = {
    "volume_jump": ("열람량 급증", "volume jump"),
    "off_hours": ("심야·휴일 열람", "reads at night or on a rest day"),
    "mass_download": ("대량 다운로드", "mass download"),
    "denials": ("반복된 거부", "repeated denials"),
}
"""Every alert kind with its Korean and English name (the ``justifications.alert`` codes, with
``other`` for a question about something no rule found)."""

NOT_ASKED = frozenset({"self", "guardian", "system", "(unknown)"})
"""Actors who are not handler accounts (``handlers.BUILT_IN``, an unknown login): never alerted on."""


@dataclass(frozen=True)
class Thresholds:
    """The thresholds of the four rules (the named constants by default)."""

    volume_factor: int = VOLUME_FACTOR
    volume_floor: int = VOLUME_FLOOR
    off_hours: int = OFF_HOURS_LIMIT
    mass_download: int = MASS_DOWNLOAD_LIMIT
    denials: int = DENIALS_LIMIT
    day_start: time = DAY_START
    day_end: time = DAY_END

    def as_dict(self) -> dict[str, Any]:
        return {
            "volume_factor": self.volume_factor,
            "volume_floor": self.volume_floor,
            "off_hours": self.off_hours,
            "mass_download": self.mass_download,
            "denials": self.denials,
            "day": f"{self.day_start:%H:%M}-{self.day_end:%H:%M} KST",
        }


@dataclass(frozen=True, kw_only=True)
class LogRow:
    """What the rules read of one access-log row: when, who, what, how it ended, and for bulk calls
    the purpose, the stated reason and how many subjects the row stands for (``count``)."""

    at: datetime
    actor: str
    action: str
    outcome: str = "allowed"
    purpose: str | None = None
    reason: str | None = None
    count: int = 1

    @property
    def denied(self) -> bool:
        return self.outcome.startswith("denied:")


@dataclass(frozen=True, kw_only=True)
class Alert:
    """One handler past one threshold on one Korean day: ``count`` above ``threshold``.
    ``detail`` says more, by kind: the median (``volume_jump``), why the day is off hours
    (``off_hours``), the call's instant, action, purpose and reason (``mass_download``), the
    refusals by reason (``denials``)."""

    kind: str
    handler: str
    day: date
    count: int
    threshold: int
    detail: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def label_ko(self) -> str:
        return ALERT_KINDS[self.kind][0]

    @property
    def label_en(self) -> str:
        return ALERT_KINDS[self.kind][1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label_ko": self.label_ko,
            "label_en": self.label_en,
            "handler": self.handler,
            "day": self.day.isoformat(),
            "count": self.count,
            "threshold": self.threshold,
            "detail": dict(self.detail),
        }


@dataclass(frozen=True, kw_only=True)
class BulkCall:
    """One bulk read or download: its rows share the instant, the handler, the action, the purpose
    and the reason. ``subjects`` it asked for, ``allowed`` of them disclosed."""

    at: datetime
    actor: str
    action: str
    purpose: str | None
    reason: str | None
    subjects: int
    allowed: int


def off_hours(
    moment: datetime, calendar: Mapping[date, str], *, start: time = WORK_START, end: time = WORK_END
) -> str | None:
    """Why ``moment`` is outside working hours in Korea (``holiday:NAME``, ``weekend``, ``night``),
    or None; ``calendar`` maps the public holidays to their names, and the day runs from ``start``
    to ``end`` (KST)."""
    local = as_utc(moment).astimezone(KST)
    day = local.date()
    if day in calendar:
        return f"holiday:{calendar[day]}"
    if local.weekday() >= 5:
        return "weekend"
    if not start <= local.time() < end:
        return "night"
    return None


@cache
def korean_calendar(year: int) -> Mapping[date, str]:
    """The Korean public holidays of ``year`` with their Korean names (the ``holidays`` package:
    substitute holidays and election days included; 공휴일에 관한 규정)."""
    import holidays  # a data library; imported lazily so that importing this module stays cheap

    return dict(holidays.country_holidays("KR", years=[year], language="ko"))


def working_days(month: str, calendar: Mapping[date, str], *, until: date | None = None) -> list[date]:
    """The working days of ``month`` (``YYYY-MM``, KST): weekdays that are not public holidays,
    up to ``until`` when given (a month still running has only the days begun so far)."""
    start, end = month_bounds(month)
    day, last = kst_day(start), kst_day(end) - timedelta(days=1)
    if until is not None:
        last = min(last, until)
    days = []
    while day <= last:
        if day.weekday() < 5 and day not in calendar:
            days.append(day)
        day += timedelta(days=1)
    return days


class Tally:
    """One month's rows counted as they stream past (``add`` a read, ``add_denial`` a refusal of
    any action), then the counts per handler and day, the bulk calls, and the alerts."""

    def __init__(
        self,
        month: str,
        calendar: Mapping[date, str],
        *,
        until: date | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self._calendar = calendar
        self._baseline_days = working_days(month, calendar, until=until)
        self.thresholds = thresholds or Thresholds()
        self._reads: dict[tuple[str, date], int] = Counter()
        self._off_hours: dict[tuple[str, date], int] = Counter()
        self._night: dict[tuple[str, date], int] = Counter()
        self._night_why: dict[tuple[str, date], str] = {}
        self._denied: dict[tuple[str, date], Counter[str]] = defaultdict(Counter)
        self._bulk: dict[tuple[datetime, str, str, str | None, str | None], list[int]] = {}

    def add(self, row: LogRow) -> None:
        """Count one read (a row of ``READ_ACTIONS``, allowed or denied)."""
        at = as_utc(row.at)
        key = (row.actor, kst_day(at))
        self._reads[key] += 1
        if off_hours(at, self._calendar) is not None:
            self._off_hours[key] += 1
        night = off_hours(at, self._calendar, start=self.thresholds.day_start, end=self.thresholds.day_end)
        if night is not None:
            self._night[key] += 1
            self._night_why.setdefault(key, night)
        if row.action in BULK_ACTIONS:
            counts = self._bulk.setdefault((at, row.actor, row.action, row.purpose, row.reason), [0, 0])
            counts[0] += row.count
            counts[1] += 0 if row.denied else row.count

    def add_denial(self, row: LogRow) -> None:
        """Count one refused attempt (a row whose outcome is ``denied:<reason>``, any action)."""
        self._denied[(row.actor, kst_day(as_utc(row.at)))][row.outcome.removeprefix("denied:")] += 1

    def per_day(self) -> list[dict[str, Any]]:
        """``{"day", "actor", "reads", "off_hours", "denied"}`` for every handler and day with a
        read or a refusal, by day then handler (what the review charts)."""
        keys = set(self._reads) | set(self._denied)
        return [
            {
                "day": day.isoformat(),
                "actor": actor,
                "reads": self._reads.get((actor, day), 0),
                "off_hours": self._off_hours.get((actor, day), 0),
                "denied": sum(self._denied[(actor, day)].values()) if (actor, day) in self._denied else 0,
            }
            for actor, day in sorted(keys, key=lambda k: (k[1], k[0]))
        ]

    def bulk_calls(self) -> list[BulkCall]:
        """Every bulk read and download, in time order."""
        return [
            BulkCall(
                at=at,
                actor=actor,
                action=action,
                purpose=purpose,
                reason=reason,
                subjects=subjects,
                allowed=allowed,
            )
            for (at, actor, action, purpose, reason), (subjects, allowed) in sorted(
                self._bulk.items(),
                key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], kv[0][3] or "", kv[0][4] or ""),
            )
        ]

    def medians(self) -> dict[str, float]:
        """Each handler's median reads per working day of the month (days without a read count 0)."""
        actors = {actor for actor, _ in self._reads}
        return {
            actor: float(statistics.median([self._reads.get((actor, d), 0) for d in self._baseline_days]))
            if self._baseline_days
            else 0.0
            for actor in actors
        }

    def alerts(self) -> list[Alert]:
        """Every alert of the month, by day, kind and handler."""
        t = self.thresholds
        found: list[Alert] = []
        medians = self.medians()
        for (actor, day), reads in self._reads.items():
            median = medians[actor]
            limit = max(int(t.volume_factor * median), t.volume_floor)  # int(): counts are whole
            if reads > limit:
                found.append(
                    Alert(
                        kind="volume_jump",
                        handler=actor,
                        day=day,
                        count=reads,
                        threshold=limit,
                        detail={"median": median, "working_days": len(self._baseline_days)},
                    )
                )
        for (actor, day), night in self._night.items():
            if night > t.off_hours:
                why = self._night_why[(actor, day)]
                found.append(
                    Alert(
                        kind="off_hours",
                        handler=actor,
                        day=day,
                        count=night,
                        threshold=t.off_hours,
                        detail={"why": why},
                    )
                )
        for call in self.bulk_calls():
            if call.allowed > t.mass_download:
                found.append(
                    Alert(
                        kind="mass_download",
                        handler=call.actor,
                        day=kst_day(call.at),
                        count=call.allowed,
                        threshold=t.mass_download,
                        detail={
                            "at": call.at.astimezone(KST).isoformat(timespec="seconds"),
                            "action": call.action,
                            "purpose": call.purpose,
                            "reason": call.reason,
                            "subjects": call.subjects,
                        },
                    )
                )
        for (actor, day), reasons in self._denied.items():
            total = sum(reasons.values())
            if total > t.denials:
                found.append(
                    Alert(
                        kind="denials",
                        handler=actor,
                        day=day,
                        count=total,
                        threshold=t.denials,
                        detail={"reasons": dict(sorted(reasons.items()))},
                    )
                )
        order = list(ALERT_KINDS)
        return sorted(
            (a for a in found if a.handler not in NOT_ASKED),
            key=lambda a: (a.day, order.index(a.kind), a.handler, a.detail.get("at", "")),
        )


def alerts(
    reads: Iterable[LogRow],
    denials: Iterable[LogRow] = (),
    *,
    month: str,
    calendar: Mapping[date, str],
    until: date | None = None,
    thresholds: Thresholds | None = None,
) -> list[Alert]:
    """The alerts of ``month`` from its read rows and its refusals (a ``Tally`` fed all of them)."""
    tally = Tally(month, calendar, until=until, thresholds=thresholds)
    for row in reads:
        tally.add(row)
    for row in denials:
        tally.add_denial(row)
    return tally.alerts()
