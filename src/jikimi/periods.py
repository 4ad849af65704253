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

A duration is at most ``MAX_YEARS`` (100) years long: no retention period is longer, and a bound
keeps ``P9000Y`` a load error rather than a date past the calendar. The arithmetic never raises
either: a period that would run past ``date.max`` (9999-12-31) ends on ``date.max``, and its
expiry is ``FAR_FUTURE`` (``datetime.max`` in UTC) — "not within the calendar", never due. Moving
back past ``date.min`` stops at ``date.min`` and ``FAR_PAST`` the same way.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")

MAX_YEARS = 100
"""The longest duration jikimi accepts, in years: ``approx_days()`` at most ``MAX_YEARS`` average
Gregorian years of 365.2425 days. ``P100Y``, ``P1200M`` and ``P36524D`` are the longest of their kind."""

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
"""The expiry of a period that runs past the calendar (9999-12-31): never due."""
FAR_PAST = datetime.min.replace(tzinfo=UTC)
"""The earliest instant; ``due_if_before`` returns it when no event can be due yet."""

_ISO_DURATION = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_MAX_DIGITS = 9  # more digits than this is always too long, and is never turned into an int


@dataclass(frozen=True, order=False)
class Duration:
    """A calendar duration: years, months, weeks and days (no hours; retention is counted in days)."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        # approx_days() counted in millionths of a day (integers), so that P100Y is exactly the bound
        micro_days = self.total_months * 30_436_875 + self.total_days * 1_000_000
        if micro_days > MAX_YEARS * 365_242_500:
            raise ValueError(_too_long(self.iso()))

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``P5Y``, ``P3M``, ``P1Y6M``, ``P2W``, ``P30D``. Raises ``ValueError`` otherwise,
        and for a duration longer than ``MAX_YEARS`` years (``P9000Y``, ``P1201M``, ``P36525D``)."""
        match = _ISO_DURATION.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise ValueError(
                f"'{text}' is not an ISO 8601 duration such as P5Y, P3M, P30D (ISO 8601 기간 형식이 아닙니다)"
            )
        if any(g and len(g.lstrip("0")) > _MAX_DIGITS for g in match.groups()):
            raise ValueError(_too_long(text.strip()))
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


def _too_long(text: str) -> str:
    text = text if len(text) <= 24 else text[:20] + "…"
    return f"'{text}' is longer than {MAX_YEARS} years ({MAX_YEARS}년보다 긴 기간입니다)"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; a missing day becomes the month's last day (민법 160③).

    Past the calendar's ends the result stays on ``date.max`` or ``date.min``."""
    index = day.year * 12 + (day.month - 1) + months
    if index >= (date.max.year + 1) * 12:
        return date.max
    if index < date.min.year * 12:
        return date.min
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_days(day: date, days: int) -> date:
    """``day`` moved by ``days`` (negative: earlier), staying on ``date.max`` or ``date.min`` at the ends."""
    ordinal = min(max(day.toordinal() + days, date.min.toordinal()), date.max.toordinal())
    return date.fromordinal(ordinal)


def last_day_of_period(start_day: date, period: Duration) -> date:
    """The last day of a period that begins with an event on ``start_day`` (in KST).

    The event day is not counted (민법 157), so the period covers the days after it; the
    returned day is the last one inside the period, kept until its close. A period that would
    end past 9999-12-31 ends on ``date.max``.
    """
    end = add_months(start_day, period.total_months)
    return add_days(end, period.total_days)


def kst_day(moment: datetime) -> date:
    """The calendar day in Korea of an aware UTC (or any zone) timestamp (``date.max``/``date.min``
    for an instant whose Korean day is past the calendar's ends)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: jikimi stores aware UTC timestamps")
    try:
        return moment.astimezone(KST).date()
    except OverflowError:
        return date.max if moment.year > date.min.year else date.min


def expiry_instant(event: datetime, period: Duration) -> datetime:
    """The first instant (UTC) after the period that starts with ``event`` has run out.

    Data kept for ``period`` from ``event`` may be destroyed from this instant on, and must be
    destroyed without delay after it. Example: kept 3 months from a withdrawal on 2024-01-31
    (KST) → kept to the close of 2024-04-30 KST → due at 2024-05-01 00:00 KST (2024-04-30 15:00 UTC).
    A period that runs to the end of the calendar expires at ``FAR_FUTURE``.
    """
    return _midnight_after(last_day_of_period(kst_day(event), period))


def due_if_before(now: datetime, period: Duration) -> datetime:
    """The instant T such that a period started by an event before T has run out at ``now``.

    The inverse of ``expiry_instant`` for queries: "every row whose event is before T is due"
    uses an index range, where computing each row's expiry would read them all. Expiry depends
    only on the event's KST day and grows with it, so T is the KST midnight after the last due day.
    ``FAR_PAST`` when no event can be due yet; an expiry of ``FAR_FUTURE`` is never due.
    """

    def due(day: date) -> bool:
        expiry = _expiry_of_day(day, period)
        return expiry != FAR_FUTURE and expiry <= now

    day = add_days(add_months(kst_day(now), -period.total_months), -period.total_days)
    while day < date.max and due(add_days(day, 1)):
        day = add_days(day, 1)
    while day > date.min and not due(day):
        day = add_days(day, -1)
    return _midnight_after(day) if due(day) else FAR_PAST


def _expiry_of_day(day: date, period: Duration) -> datetime:
    return _midnight_after(last_day_of_period(day, period))


def _midnight_after(last: date) -> datetime:
    """The KST midnight that closes ``last``, in UTC; ``FAR_FUTURE`` when ``last`` is ``date.max``."""
    if last >= date.max:
        return FAR_FUTURE
    return datetime.combine(add_days(last, 1), time(0, 0), tzinfo=KST).astimezone(UTC)


def shift(moment: datetime, period: Duration, *, back: bool = False) -> datetime:
    """``moment`` moved forward (or back) by a period: calendar months, then days.

    Past the calendar's ends the result is ``datetime.max`` (or ``datetime.min``) in ``moment``'s zone."""
    sign = -1 if back else 1
    day = add_months(moment.date(), sign * period.total_months)
    try:
        return moment.replace(year=day.year, month=day.month, day=day.day) + timedelta(
            days=sign * period.total_days
        )
    except OverflowError:
        edge = datetime.min if back else datetime.max
        return edge.replace(tzinfo=moment.tzinfo)


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
    if year < date.min.year:
        raise UsageError(f"0년은 없습니다: {month!r}", f"there is no year 0: {month!r}")
    start = _kst_midnight(date(year, mon, 1))
    end = _kst_midnight(add_months(date(year, mon, 1), 1)) if (year, mon) != (9999, 12) else FAR_FUTURE
    return start, end


def _kst_midnight(day: date) -> datetime:
    """The start of ``day`` in Korea, in UTC (``FAR_PAST`` for 0001-01-01, which starts before it)."""
    if day <= date.min:
        return FAR_PAST
    return datetime.combine(day, time(0, 0), tzinfo=KST).astimezone(UTC)


def shift_month(month: str, months: int) -> str:
    """``YYYY-MM`` moved by ``months`` (negative: earlier)."""
    year, mon = (int(part) for part in month.strip().split("-"))
    index = year * 12 + mon - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(today: date) -> str:
    """The month before ``today``'s, as ``YYYY-MM``."""
    first = today.replace(day=1) - timedelta(days=1)
    return first.strftime("%Y-%m")
