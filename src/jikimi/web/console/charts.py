"""The review's charts as geometry for inline SVG (``templates/console/_charts.html`` draws them):
no script, no image file, every number in the SVG also in a table beside it (the text alternative).

``daily`` is one handler's reads per day of the month, the off-hours part of each bar marked, the
rest days shaded and the alert days flagged; ``horizontal`` is a bar per label (off-hours reads per
handler, refusals by reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from jikimi.periods import kst_day, month_bounds

PITCH = 12
"""Horizontal room per day, in SVG units."""
BAR = 8
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 14, 22
PLOT = 96
"""Height of the plot area of a daily chart."""
LABEL = 120
"""Room for the labels of a horizontal chart."""
ROW = 22
BAR_AREA = 240
SHORT = 16
"""Labels longer than this are cut in the chart (the table has them whole)."""


@dataclass(frozen=True)
class Column:
    """One day of a daily chart: the bar (all reads) and its off-hours part, in SVG units."""

    day: date
    band_x: float
    """The left edge of the day's slot (the rest-day shading)."""
    x: float
    reads: int
    off_hours: int
    y: float
    height: float
    off_y: float
    off_height: float
    rest: bool
    alert: bool
    label: str | None
    """The day number under the axis (1, 5, 10…), or None."""


@dataclass(frozen=True)
class DailyChart:
    handler: str
    pitch: int
    bar: int
    width: int
    height: int
    top: int
    base: int
    left: int
    right: int
    peak: int
    columns: tuple[Column, ...]
    total: int


@dataclass(frozen=True)
class HBar:
    label: str
    short: str
    value: int
    y: float
    width: float


@dataclass(frozen=True)
class HorizontalChart:
    width: int
    height: int
    label_width: int
    bars: tuple[HBar, ...]


def month_days(month: str) -> list[date]:
    start, end = month_bounds(month)
    first, last = kst_day(start), kst_day(end) - timedelta(days=1)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def daily(
    month: str,
    handler: str,
    per_day: Iterable[Mapping[str, object]],
    *,
    rest_days: Iterable[date],
    alert_days: Iterable[date] = (),
) -> DailyChart:
    """The daily chart of ``handler`` from the review's ``reads_by_day`` rows."""
    days = month_days(month)
    counts: dict[date, tuple[int, int]] = {}
    for row in per_day:
        if row["actor"] == handler:
            counts[date.fromisoformat(str(row["day"]))] = (_int(row["reads"]), _int(row["off_hours"]))
    peak = max((reads for reads, _ in counts.values()), default=0) or 1
    rest, flagged = set(rest_days), set(alert_days)
    base = TOP + PLOT
    columns = []
    for i, day in enumerate(days):
        reads, off = counts.get(day, (0, 0))
        height = PLOT * reads / peak
        off_height = PLOT * off / peak
        columns.append(
            Column(
                day=day,
                band_x=LEFT + i * PITCH,
                x=LEFT + i * PITCH + (PITCH - BAR) / 2,
                reads=reads,
                off_hours=off,
                y=base - height,
                height=height,
                off_y=base - off_height,
                off_height=off_height,
                rest=day in rest,
                alert=day in flagged,
                label=str(day.day) if day.day == 1 or day.day % 5 == 0 else None,
            )
        )
    return DailyChart(
        handler=handler,
        pitch=PITCH,
        bar=BAR,
        width=LEFT + len(days) * PITCH + RIGHT,
        height=base + BOTTOM,
        top=TOP,
        base=base,
        left=LEFT,
        right=LEFT + len(days) * PITCH,
        peak=peak,
        columns=tuple(columns),
        total=sum(reads for reads, _ in counts.values()),
    )


def horizontal(values: Sequence[tuple[str, int]]) -> HorizontalChart:
    """One bar per ``(label, value)``, longest first as given."""
    peak = max((v for _, v in values), default=0) or 1
    bars = tuple(
        HBar(
            label=label,
            short=label if len(label) <= SHORT else label[: SHORT - 1] + "…",
            value=value,
            y=4 + i * ROW,
            width=max(BAR_AREA * value / peak, 1 if value else 0),
        )
        for i, (label, value) in enumerate(values)
    )
    return HorizontalChart(
        width=LABEL + BAR_AREA + 48, height=8 + len(bars) * ROW, label_width=LABEL, bars=bars
    )


def _int(value: object) -> int:
    return value if isinstance(value, int) else int(str(value))
