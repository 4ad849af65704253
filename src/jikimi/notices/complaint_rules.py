"""Complaints on the clock, as pure rules: when the answer to a complaint is due, and why.

No database, no framework. The promise is the policy's (``complaints``): the mecross seed says
"접수 후 24시간 내에 성실하게 답변 드리겠습니다. 다만, 근무시간 이후 또는 주말 및 공휴일에는 익일
처리하는 것을 원칙으로 합니다" — ``response_hours: 24``, ``business_days: true``. How jikimi reads it
(``docs/notices.md``, section complaints):

* **Working time** is the working hours (``complaints.working_hours``; a policy that states none
  gets the engine's default, 09:00–18:00 KST, and every deadline says so) of business days:
  Monday to Friday except Korean public holidays — the ``holidays`` package's calendar, with
  설날 and 추석, substitute holidays (대체공휴일), election days and temporary holidays.
* **Received in working hours** (from the start, up to but not including the end): due
  ``response_hours`` clock hours later (24 hours: the same time the next day). If that instant
  falls outside working time, the answer is due by the end of the next working hours (a complaint
  received Friday 10:00 is due Monday 18:00: "주말 … 익일 처리").
* **Received outside working hours** (after the end, before the start, at the weekend, on a
  public holiday): "익일 처리" — the hours run as if it had arrived at the end of the last working
  hours, so with 24 hours it is due by the end of the next business day's working hours (Friday
  19:00 before a public-holiday Monday → Tuesday 18:00).
* **Never later than a complaint received after it**: with 24 hours the two rules above never
  give an earlier complaint a later deadline. With other hours (4, 48) they could; the deadline
  is then the one a complaint received later would get (``not_after_a_later_complaint``), so the
  queue's order is the order of receipt and a deadline is monotone in the receipt time.
* ``business_days: false``: ``response_hours`` clock hours, whatever the day. No
  ``response_hours``: no deadline is promised, and none is set.

Deadlines are instants (aware, UTC when stored); all arithmetic is in Korean time (UTC+9, no
daylight saving).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from jikimi.periods import KST
from jikimi.policy.model import Policy

DEFAULT_WORKING_HOURS = (time(9, 0), time(18, 0))
"""The engine's working hours (09:00–18:00 KST) for a policy that states none: the engine's, never
the policy's — each deadline resting on them says so."""

NO_DEADLINE = datetime(9999, 1, 1, tzinfo=UTC)
"""What is stored as the deadline of a complaint whose policy promises no answer time (the column
is required): later than any real deadline, so such complaints come last in the queue and are never
overdue, and far enough from the calendar's end to be shown in any time zone."""

CHANNELS: dict[str, tuple[str, str]] = {
    "email": ("전자우편", "e-mail"),
    "fax": ("팩스", "fax"),
    "letter": ("우편", "letter"),
    "phone": ("전화", "phone"),
    "web": ("웹", "web form"),
    "in_person": ("방문", "in person"),
}
"""How a complaint can arrive (Korean, English)."""

STATUSES: dict[str, tuple[str, str]] = {"open": ("답변 전", "open"), "answered": ("답변함", "answered")}

RECEIPTS: dict[str, tuple[str, str]] = {
    "working_hours": ("근무시간 중", "in working hours"),
    "before_hours": ("근무시간 전", "before working hours"),
    "after_hours": ("근무시간 이후", "after working hours"),
    "weekend": ("주말", "at the weekend"),
    "holiday": ("공휴일", "on a public holiday"),
}
"""When a complaint arrived, relative to working time."""

BASES = (
    "hours_after_receipt",
    "hours_after_last_close",
    "end_of_next_working_hours",
    "not_after_a_later_complaint",
    "calendar_hours",
    "not_promised",
)
"""Which rule set a deadline: ``response_hours`` after a receipt in working hours, or after the end
of the last working hours for one outside them (익일 처리); the end of the next working hours when
that instant is outside working time; a later complaint's deadline when it is earlier; clock hours
(``business_days: false``); none promised."""

_LONGEST_BREAK = 60
"""More days than any run of weekends and holidays; a calendar without a business day in this many
days is a broken calendar, not a long holiday."""

HolidayOf = Callable[[date], str | None]
"""The name of the public holiday on a day (Korean), or None."""


@cache
def _calendar(year: int) -> Mapping[date, str]:
    import holidays  # a data library; imported lazily so that importing this module stays cheap

    return dict(holidays.country_holidays("KR", years=year, language="ko"))


def korean_holiday(day: date) -> str | None:
    """The Korean public holiday on ``day`` (``"추석"``, ``"개천절 대체 휴일"``, ``"지방선거일"``), or None.

    From the ``holidays`` package (공휴일에 관한 규정: substitute holidays, election days and the
    temporary holidays it knows of); a temporary holiday designated later needs a newer package."""
    return _calendar(day.year).get(day)


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class ResponseRule:
    """What the policy promises about answering complaints, as the rules need it."""

    hours: int | None
    business_days: bool
    opens: time = DEFAULT_WORKING_HOURS[0]
    closes: time = DEFAULT_WORKING_HOURS[1]
    hours_stated: bool = False
    """True when the working hours are the policy's; False when they are the engine's default."""

    @classmethod
    def of(cls, policy: Policy) -> ResponseRule:
        """The rule of ``policy``'s ``complaints`` section (no section: no deadline promised)."""
        section = policy.complaints
        if section is None:
            return cls(hours=None, business_days=False)
        working = section.working_hours
        if working is None:
            return cls(hours=section.response_hours, business_days=section.business_days)
        return cls(
            hours=section.response_hours,
            business_days=section.business_days,
            opens=_hhmm(working.start),
            closes=_hhmm(working.end),
            hours_stated=True,
        )

    def working_hours_ko(self) -> str:
        source = "처리방침" if self.hours_stated else "처리방침에 없어 jikimi 기본값"
        return f"근무시간 평일 {self.opens:%H:%M}–{self.closes:%H:%M} KST({source}), 공휴일 제외"

    def working_hours_en(self) -> str:
        source = "the policy's" if self.hours_stated else "jikimi's default; the policy states none"
        return f"working hours {self.opens:%H:%M}–{self.closes:%H:%M} KST on weekdays except public holidays ({source})"  # noqa: E501


@dataclass(frozen=True)
class Deadline:
    """When an answer is due (``due_at``, UTC; None when the policy promises no time) and why."""

    received_at: datetime
    due_at: datetime | None
    basis: str
    """One of ``BASES``."""
    received: str
    """One of ``RECEIPTS``: when the complaint arrived, relative to working time."""
    holiday: str | None
    """The holiday the complaint arrived on (``received == "holiday"``)."""
    rule: ResponseRule
    counted_from: datetime | None = None
    """Where the hours run from: the receipt, or the end of the last working hours before it."""
    landing: datetime | None = None
    """``counted_from`` plus the hours: the deadline itself when it is working time."""
    landing_holiday: str | None = None
    later_receipt: datetime | None = None
    """For ``not_after_a_later_complaint``: the receipt time whose deadline this one takes."""

    def explain(self) -> tuple[str, str]:
        """Why the answer is due when it is, in Korean and in English."""
        hours = self.rule.hours
        if self.basis == "not_promised":
            return (
                "처리방침이 답변 시한을 정하지 않았습니다 (complaints.response_hours 없음): 기한 없음",
                "the policy promises no answer time (no complaints.response_hours): no deadline",
            )
        due = _kst(self.due_at)
        if self.basis == "calendar_hours":
            return (
                f"접수 후 {hours}시간, {due}까지. 근거: 처리방침 complaints.response_hours {hours}시간, "
                "영업일을 따지지 않음 (business_days 아님)",
                f"{hours} hours after receipt, by {due}. Basis: the policy's complaints.response_hours "
                f"({hours}), every day counting (not business_days)",
            )
        when_ko, when_en = RECEIPTS[self.received]
        if self.holiday:
            when_ko, when_en = f"{when_ko}({self.holiday})", f"{when_en} ({self.holiday})"
        start = _kst(self.counted_from)
        if self.received == "working_hours":
            lead_ko, lead_en = (
                f"{when_ko} 접수: 접수 후 {hours}시간",
                f"received {when_en}: {hours} hours after receipt",
            )
        else:
            lead_ko = f"{when_ko} 접수: 익일 처리 — 마지막 근무시간이 끝난 {start}부터 {hours}시간"
            lead_en = (
                f"received {when_en}: handled the next business day (익일 처리), the {hours} hours running "
                f"from the end of the last working hours ({start})"
            )
        landing = _kst(self.landing) + (f", {self.landing_holiday}" if self.landing_holiday else "")
        later = _kst(self.later_receipt)
        tails = {
            "hours_after_receipt": (f", {due}까지", f", due {due}"),
            "hours_after_last_close": (f", {due}까지", f", due {due}"),
            "end_of_next_working_hours": (
                f" 뒤({landing})는 근무시간 밖이므로 다음 근무시간이 끝나는 {due}까지",
                f"; that instant ({landing}) is outside working hours, so due by the end of the next "
                f"working hours, {due}",
            ),
            "not_after_a_later_complaint": (
                f" 뒤({landing})는 근무시간 밖이고, 나중에 접수한 민원({later} 접수)보다 기한이 늦을 수 "
                f"없으므로 {due}까지",
                f"; that instant ({landing}) is outside working hours, and no complaint is due later "
                f"than one received after it (at {later}), so due {due}",
            ),
        }
        tail_ko, tail_en = tails[self.basis]
        return (
            f"{lead_ko}{tail_ko}. 근거: 처리방침 complaints.response_hours {hours}시간, "
            f"{self.rule.working_hours_ko()}",
            f"{lead_en}{tail_en}. Basis: the policy's complaints.response_hours ({hours}), "
            f"{self.rule.working_hours_en()}",
        )


def _kst(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(KST):%Y-%m-%d %H:%M} KST"


class _WorkingTime:
    """The working hours of business days, on one calendar: which instants are working time, and
    the working hours before and after an instant. Instants are aware, in Korean time."""

    def __init__(self, rule: ResponseRule, holiday: HolidayOf) -> None:
        self.rule = rule
        self.holiday = holiday

    def business(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday(day) is None

    def opening(self, day: date) -> datetime:
        return datetime.combine(day, self.rule.opens, tzinfo=KST)

    def closing(self, day: date) -> datetime:
        return datetime.combine(day, self.rule.closes, tzinfo=KST)

    def contains(self, moment: datetime) -> bool:
        """Working time, both ends included: a deadline at the end of working hours is inside them."""
        day = moment.date()
        return self.business(day) and self.opening(day) <= moment <= self.closing(day)

    def next_business_day(self, day: date) -> date:
        for _ in range(_LONGEST_BREAK):
            day += timedelta(days=1)
            if self.business(day):
                return day
        raise ValueError(f"no business day within {_LONGEST_BREAK} days after {day}")

    def previous_business_day(self, day: date) -> date:
        for _ in range(_LONGEST_BREAK):
            day -= timedelta(days=1)
            if self.business(day):
                return day
        raise ValueError(f"no business day within {_LONGEST_BREAK} days before {day}")

    def next_hours(self, moment: datetime) -> date:
        """The day of the first working hours that start after ``moment`` (outside working time)."""
        day = moment.date()
        if self.business(day) and moment < self.opening(day):
            return day
        return self.next_business_day(day)

    def last_close(self, moment: datetime) -> datetime:
        """The end of the last working hours at or before ``moment`` (outside working time)."""
        day = moment.date()
        if self.business(day) and moment >= self.closing(day):
            return self.closing(day)
        return self.closing(self.previous_business_day(day))

    def first_from(self, moment: datetime) -> datetime:
        """``moment`` if it is working time, else the start of the next working hours."""
        return moment if self.contains(moment) else self.opening(self.next_hours(moment))


def received_when(received_at: datetime, rule: ResponseRule, holiday: HolidayOf = korean_holiday) -> str:
    """When a complaint arrived relative to working time (a key of ``RECEIPTS``)."""
    local = received_at.astimezone(KST)
    if holiday(local.date()) is not None:
        return "holiday"
    if local.weekday() >= 5:
        return "weekend"
    if local.time() < rule.opens:
        return "before_hours"
    if local.time() >= rule.closes:
        return "after_hours"
    return "working_hours"


def deadline(received_at: datetime, rule: ResponseRule, holiday: HolidayOf = korean_holiday) -> Deadline:
    """When the answer to a complaint received at ``received_at`` (aware) is due, and why."""
    if received_at.tzinfo is None:
        raise ValueError("naive datetime: a receipt time needs its time zone")
    local = received_at.astimezone(KST)
    received = received_when(local, rule, holiday)
    made = Deadline(
        received_at=received_at.astimezone(UTC),
        due_at=None,
        basis="not_promised",
        received=received,
        holiday=holiday(local.date()) if received == "holiday" else None,
        rule=rule,
    )
    if rule.hours is None:
        return made
    span = timedelta(hours=rule.hours)
    if not rule.business_days:
        return replace(made, due_at=(local + span).astimezone(UTC), basis="calendar_hours")
    working = _WorkingTime(rule, holiday)
    inside = received == "working_hours"
    start = local if inside else working.last_close(local)  # 익일 처리: as if received at the last close
    landing = start + span
    made = replace(
        made,
        counted_from=start.astimezone(UTC),
        landing=landing.astimezone(UTC),
        landing_holiday=holiday(landing.date()),
    )
    if working.contains(landing):
        basis = "hours_after_receipt" if inside else "hours_after_last_close"
        return replace(made, due_at=landing.astimezone(UTC), basis=basis)
    day = working.next_hours(landing)
    end = working.closing(day)
    # the earliest later receipt whose hours end inside those working hours: its deadline bounds ours
    later = working.first_from(working.opening(day) - span)
    if later + span < end:
        return replace(
            made,
            due_at=(later + span).astimezone(UTC),
            basis="not_after_a_later_complaint",
            later_receipt=later.astimezone(UTC),
        )
    return replace(made, due_at=end.astimezone(UTC), basis="end_of_next_working_hours")


def hours_left(due_at: datetime | None, now: datetime) -> float | None:
    """Hours from ``now`` to the deadline, one decimal (negative when overdue; None without one)."""
    if due_at is None:
        return None
    return round((due_at - now).total_seconds() / 3600, 1)
