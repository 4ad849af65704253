"""Threshold alerts of the monthly review, from hand-built rows: volume jumps against the handler's
own median day, reads at night and on rest days, mass downloads with their reasons, repeated
denials; Korean days and holidays; only handler accounts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest

from jikimi.audit.alerts import (
    DENIALS_LIMIT,
    MASS_DOWNLOAD_LIMIT,
    VOLUME_FLOOR,
    Alert,
    LogRow,
    Tally,
    Thresholds,
    alerts,
    off_hours,
    working_days,
)
from jikimi.periods import KST

KR = holidays.country_holidays("KR", years=[2026], language="ko")
MAY = "2026-05"


def kst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=KST)  # type: ignore[misc]


def reads(actor: str, at: datetime, n: int, *, action: str = "read", **more: object) -> list[LogRow]:
    return [LogRow(at=at, actor=actor, action=action, **more) for _ in range(n)]  # type: ignore[arg-type]


def every_working_day(actor: str, n: int) -> list[LogRow]:
    return [
        r for day in working_days(MAY, KR) for r in reads(actor, kst(day.year, day.month, day.day, 10), n)
    ]


def of_kind(found: list[Alert], kind: str) -> list[tuple[str, date, int, int]]:
    return [(a.handler, a.day, a.count, a.threshold) for a in found if a.kind == kind]


def test_working_days_are_weekdays_without_public_holidays() -> None:
    days = working_days(MAY, KR)
    assert date(2026, 5, 1) not in days  # 노동절
    assert date(2026, 5, 5) not in days  # 어린이날
    assert date(2026, 5, 25) not in days  # 부처님오신날 대체 휴일
    assert date(2026, 5, 9) not in days  # a Saturday
    assert date(2026, 5, 4) in days and len(days) == 18
    assert working_days(MAY, KR, until=date(2026, 5, 8)) == [date(2026, 5, d) for d in (4, 6, 7, 8)]


def test_a_day_with_more_than_three_times_the_handlers_median_day_is_a_volume_jump() -> None:
    rows = [*every_working_day("cs-kim", 20), *reads("cs-kim", kst(2026, 5, 12, 11), 41)]  # 61 on the 12th
    assert of_kind(alerts(rows, month=MAY, calendar=KR), "volume_jump") == [
        ("cs-kim", date(2026, 5, 12), 61, 60)
    ]
    just_under = [*every_working_day("cs-kim", 20), *reads("cs-kim", kst(2026, 5, 12, 11), 40)]
    assert of_kind(alerts(just_under, month=MAY, calendar=KR), "volume_jump") == []


def test_the_floor_keeps_a_quiet_handler_from_alerting_on_a_few_reads() -> None:
    quiet = [*every_working_day("mk-lee", 2), *reads("mk-lee", kst(2026, 5, 12, 11), VOLUME_FLOOR - 2)]
    assert of_kind(alerts(quiet, month=MAY, calendar=KR), "volume_jump") == []  # 50 reads: not above 50
    burst = reads("new-han", kst(2026, 5, 20, 11), VOLUME_FLOOR + 1)  # one day only: median 0
    found = alerts(burst, month=MAY, calendar=KR)
    assert of_kind(found, "volume_jump") == [("new-han", date(2026, 5, 20), 51, 50)]
    assert found[0].detail == {"median": 0.0, "working_days": 18}


def test_reads_at_night_or_on_a_rest_day_are_off_hours_alerts_with_why() -> None:
    rows = [
        *reads("cs-kim", kst(2026, 5, 6, 7, 59), 2),  # before 08:00
        *reads("cs-kim", kst(2026, 5, 7, 8, 0), 1),  # 08:00-20:00 on a working day: no alert
        *reads("cs-kim", kst(2026, 5, 7, 19, 59), 1),
        *reads("cs-kim", kst(2026, 5, 8, 20, 0), 1),  # from 20:00
        *reads("cs-kim", kst(2026, 5, 9, 11, 0), 3),  # Saturday
        *reads("cs-kim", kst(2026, 5, 5, 10, 0), 1),  # 어린이날
        *reads("cs-kim", kst(2026, 5, 25, 10, 0), 1),  # 부처님오신날 대체 휴일
    ]
    found = [a for a in alerts(rows, month=MAY, calendar=KR) if a.kind == "off_hours"]
    assert [(a.day, a.count, a.threshold, a.detail["why"]) for a in found] == [
        (date(2026, 5, 5), 1, 0, "holiday:어린이날"),
        (date(2026, 5, 6), 2, 0, "night"),
        (date(2026, 5, 8), 1, 0, "night"),
        (date(2026, 5, 9), 3, 0, "weekend"),
        (date(2026, 5, 25), 1, 0, "holiday:부처님오신날 대체 휴일"),
    ]


def test_the_reviews_working_hours_list_more_than_the_night_alert() -> None:
    """08:30 is outside working hours (listed in the review) but not night (no alert)."""
    assert off_hours(kst(2026, 5, 7, 8, 30), KR) == "night"
    assert alerts(reads("cs-kim", kst(2026, 5, 7, 8, 30), 1), month=MAY, calendar=KR) == []
    tally = Tally(MAY, KR)
    tally.add(LogRow(at=kst(2026, 5, 7, 8, 30), actor="cs-kim", action="read"))
    assert tally.per_day() == [
        {"day": "2026-05-07", "actor": "cs-kim", "reads": 1, "off_hours": 1, "denied": 0}
    ]


def test_days_are_korean_days() -> None:
    """15:30 UTC on the 6th is 00:30 KST on the 7th: a night read of the 7th."""
    found = alerts(reads("cs-kim", datetime(2026, 5, 6, 15, 30, tzinfo=UTC), 1), month=MAY, calendar=KR)
    assert of_kind(found, "off_hours") == [("cs-kim", date(2026, 5, 7), 1, 0)]


def test_a_bulk_call_over_the_limit_is_a_mass_download_with_its_reason() -> None:
    at = kst(2026, 5, 7, 15, 0)
    big = reads(
        "mk-lee", at, MASS_DOWNLOAD_LIMIT + 1, action="read.bulk", purpose="marketing", reason="5월 이벤트"
    )
    small = reads(
        "mk-lee",
        at + timedelta(hours=1),
        MASS_DOWNLOAD_LIMIT,
        action="read.bulk",
        purpose="marketing",
        reason="6월",
    )
    export = [LogRow(at=kst(2026, 5, 8, 11), actor="an-choi", action="export", reason="통계", count=500)]
    found = alerts([*big, *small, *export], month=MAY, calendar=KR)
    mass = [a for a in found if a.kind == "mass_download"]
    assert [(a.handler, a.count, a.threshold, a.detail["reason"], a.detail["action"]) for a in mass] == [
        ("mk-lee", 101, 100, "5월 이벤트", "read.bulk"),
        ("an-choi", 500, 100, "통계", "export"),
    ]
    assert mass[0].detail["at"] == "2026-05-07T15:00:00+09:00" and mass[0].detail["subjects"] == 101


def test_only_what_a_bulk_call_disclosed_counts_toward_a_mass_download() -> None:
    at = kst(2026, 5, 7, 15, 0)
    rows = [
        *reads("mk-lee", at, 60, action="read.bulk", purpose="marketing", reason="r"),
        *reads(
            "mk-lee",
            at,
            60,
            action="read.bulk",
            purpose="marketing",
            reason="r",
            outcome="denied:consent_missing",
        ),
    ]
    tally = Tally(MAY, KR)
    for row in rows:
        tally.add(row)
    (call,) = tally.bulk_calls()
    assert (call.subjects, call.allowed, call.reason) == (120, 60, "r")
    assert of_kind(tally.alerts(), "mass_download") == []


def test_more_than_five_refusals_on_a_day_are_repeated_denials() -> None:
    day = kst(2026, 5, 11, 14, 0)
    refusals = [
        *[LogRow(at=day, actor="cs-kim", action="read", outcome="denied:role_not_allowed")] * 4,
        *[LogRow(at=day, actor="cs-kim", action="login", outcome="denied:wrong_password")] * 2,
        *[LogRow(at=day, actor="mk-lee", action="read", outcome="denied:consent_missing")] * DENIALS_LIMIT,
    ]
    found = alerts([], refusals, month=MAY, calendar=KR)
    assert [(a.kind, a.handler, a.count, a.threshold, a.detail) for a in found] == [
        ("denials", "cs-kim", 6, 5, {"reasons": {"role_not_allowed": 4, "wrong_password": 2}})
    ]


def test_the_subject_a_guardian_jikimi_and_unknown_logins_are_never_alerted_on() -> None:
    night = kst(2026, 5, 6, 23, 0)
    rows = [r for who in ("self", "guardian", "system") for r in reads(who, night, 60)]
    refusals = [LogRow(at=night, actor="(unknown)", action="login", outcome="denied:unknown_handler")] * 9
    assert alerts(rows, refusals, month=MAY, calendar=KR) == []


def test_thresholds_can_be_raised_for_a_service_with_night_shifts() -> None:
    rows = reads("cs-kim", kst(2026, 5, 6, 22, 0), 3)
    assert of_kind(alerts(rows, month=MAY, calendar=KR), "off_hours") == [("cs-kim", date(2026, 5, 6), 3, 0)]
    shifts = Thresholds(off_hours=10, day_end=time(23, 0))
    assert alerts(rows, month=MAY, calendar=KR, thresholds=shifts) == []


def test_alerts_come_by_day_then_kind_and_are_json_ready() -> None:
    rows = [
        *reads("cs-kim", kst(2026, 5, 9, 11), 60),  # Saturday: a jump and off hours
        *reads("mk-lee", kst(2026, 5, 6, 22), 1),
    ]
    found = alerts(rows, month=MAY, calendar=KR)
    assert [(a.day.isoformat(), a.kind, a.handler) for a in found] == [
        ("2026-05-06", "off_hours", "mk-lee"),
        ("2026-05-09", "volume_jump", "cs-kim"),
        ("2026-05-09", "off_hours", "cs-kim"),
    ]
    dumped = [a.as_dict() for a in found]
    assert json.loads(json.dumps(dumped, ensure_ascii=False)) == dumped
    assert dumped[1]["label_ko"] == "열람량 급증" and dumped[1]["label_en"] == "volume jump"


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_the_calendars_ends_have_working_days(month: str) -> None:
    assert working_days(month, {}) and alerts([], month=month, calendar={}) == []
