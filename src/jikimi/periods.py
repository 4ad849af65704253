"""Retention periods: ISO 8601 durations and the Civil Act's way of counting them.

Pure date arithmetic, no framework. The rules (민법):

* 157 — a period in days, weeks, months or years does not count its first day, unless the
  period starts at 00:00. A withdrawal at 14:00 on 2024-01-31 starts counting on 2024-02-01.
* 160 — months and years run by the calendar; the period ends at the end of the day before the
  day of the last month that corresponds to the first counted day; when the last month has no
  such day, the period ends on that month's last day.

Taken together, a period of N months from an event on day D ends at the close of
``D + N months`` (clamped to the month's last day): 3 months from 2024-01-31 end at the close of
2024-04-30. N days from day D end at the close of ``D + N days``. jikimi stores UTC and counts
days in Korea Standard Time (UTC+9), the time zone of the law that sets the period.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")

_ISO_DURATION = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


@dataclass(frozen=True, order=False)
class Duration:
    """A calendar duration: years, months, weeks and days (no hours; retention is counted in days)."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``P5Y``, ``P3M``, ``P1Y6M``, ``P2W``, ``P30D``. Raises ``ValueError`` otherwise."""
        match = _ISO_DURATION.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(
                f"'{text}' is not an ISO 8601 duration such as P5Y, P3M, P30D (ISO 8601 기간 형식이 아닙니다)"
            )
        y, m, w, d = (int(g) if g else 0 for g in match.groups())
        return cls(years=y, months=m, weeks=w, days=d)

    def iso(self) -> str:
        parts = [(self.years, "Y"), (self.months, "M"), (self.weeks, "W"), (self.days, "D")]
        body = "".join(f"{n}{unit}" for n, unit in parts if n)
        return "P" + (body or "0D")

    def __str__(self) -> str:
        return self.iso()

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def total_days(self) -> int:
        return self.weeks * 7 + self.days

    def approx_days(self) -> float:
        """Average length in days, for comparing periods (e.g. P6M against P180D)."""
        return self.total_months * 30.436875 + self.total_days

    def is_zero(self) -> bool:
        return self.total_months == 0 and self.total_days == 0

    def korean(self) -> str:
        """How the period reads in a Korean document: ``5년``, ``3개월``, ``1년 6개월``, ``30일``."""
        parts: list[str] = []
        if self.years:
            parts.append(f"{self.years}년")
        if self.months:
            parts.append(f"{self.months}개월")
        if self.weeks:
            parts.append(f"{self.weeks}주")
        if self.days:
            parts.append(f"{self.days}일")
        return " ".join(parts) or "0일"

    def english(self) -> str:
        parts: list[str] = []
        for n, unit in (
            (self.years, "year"),
            (self.months, "month"),
            (self.weeks, "week"),
            (self.days, "day"),
        ):
            if n:
                parts.append(f"{n} {unit}{'s' if n != 1 else ''}")
        return " ".join(parts) or "0 days"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; a missing day becomes the month's last day (민법 160③)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def last_day_of_period(start_day: date, period: Duration) -> date:
    """The last day of a period that begins with an event on ``start_day`` (in KST).

    The event day is not counted (민법 157), so the period covers the days after it; the
    returned day is the last one inside the period, kept until its close.
    """
    end = add_months(start_day, period.total_months)
    return end + timedelta(days=period.total_days)


def kst_day(moment: datetime) -> date:
    """The calendar day in Korea of an aware UTC (or any zone) timestamp."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: jikimi stores aware UTC timestamps")
    return moment.astimezone(KST).date()


def expiry_instant(event: datetime, period: Duration) -> datetime:
    """The first instant (UTC) after the period that starts with ``event`` has run out.

    Data kept for ``period`` from ``event`` may be destroyed from this instant on, and must be
    destroyed without delay after it. Example: kept 3 months from a withdrawal on 2024-01-31
    (KST) → kept to the close of 2024-04-30 KST → due at 2024-05-01 00:00 KST (2024-04-30 15:00 UTC).
    """
    last = last_day_of_period(kst_day(event), period)
    return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=KST).astimezone(UTC)


def due_if_before(now: datetime, period: Duration) -> datetime:
    """The instant T such that a period started by an event before T has run out at ``now``.

    The inverse of ``expiry_instant`` for queries: "every row whose event is before T is due"
    uses an index range, where computing each row's expiry would read them all. Expiry depends
    only on the event's KST day and grows with it, so T is the KST midnight after the last due day.
    """
    day = add_months(kst_day(now), -period.total_months) - timedelta(days=period.total_days)
    while _expiry_of_day(day + timedelta(days=1), period) <= now:
        day += timedelta(days=1)
    while _expiry_of_day(day, period) > now:
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=KST).astimezone(UTC)


def _expiry_of_day(day: date, period: Duration) -> datetime:
    last = last_day_of_period(day, period)
    return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=KST).astimezone(UTC)


def shift(moment: datetime, period: Duration, *, back: bool = False) -> datetime:
    """``moment`` moved forward (or back) by a period: calendar months, then days."""
    sign = -1 if back else 1
    day = add_months(moment.date(), sign * period.total_months)
    return moment.replace(year=day.year, month=day.month, day=day.day) + timedelta(
        days=sign * period.total_days
    )


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of ``YYYY-MM`` and of the next month, in Korean time (as aware UTC).
    Raises ``UsageError`` for anything else (the month of a report or a ledger the caller asked for)."""
    from jikimi.errors import UsageError

    match = _MONTH.match(month.strip())
    if not match:
        raise UsageError(
            f"월은 YYYY-MM 형식이어야 합니다: {month!r}", f"the month must be YYYY-MM, got {month!r}"
        )
    year, mon = int(match.group(1)), int(match.group(2))
    start = datetime(year, mon, 1, tzinfo=KST)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=KST)
    return start.astimezone(UTC), end.astimezone(UTC)


def shift_month(month: str, months: int) -> str:
    """``YYYY-MM`` moved by ``months`` (negative: earlier)."""
    year, mon = (int(part) for part in month.strip().split("-"))
    index = year * 12 + mon - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(today: date) -> str:
    """The month before ``today``'s, as ``YYYY-MM``."""
    first = today.replace(day=1) - timedelta(days=1)
    return first.strftime("%Y-%m")
