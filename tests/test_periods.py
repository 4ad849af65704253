"""Civil Act periods (민법 157, 160): the first day is not counted; a missing day is the month's end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jikimi.periods import KST, Duration, add_months, expiry_instant, last_day_of_period


def test_three_months_from_january_31_end_at_the_close_of_april_30() -> None:
    assert last_day_of_period(date(2024, 1, 31), Duration.parse("P3M")) == date(2024, 4, 30)


def test_three_days_from_a_withdrawal_end_three_days_later() -> None:
    assert last_day_of_period(date(2024, 1, 31), Duration.parse("P3D")) == date(2024, 2, 3)


def test_a_year_from_a_leap_day_ends_on_february_28() -> None:
    assert last_day_of_period(date(2024, 2, 29), Duration.parse("P1Y")) == date(2025, 2, 28)


def test_data_becomes_due_at_kst_midnight_after_the_last_day() -> None:
    withdrawal = datetime(2024, 1, 31, 14, 0, tzinfo=KST)
    due = expiry_instant(withdrawal, Duration.parse("P3M"))
    assert due == datetime(2024, 5, 1, 0, 0, tzinfo=KST)
    assert due.tzinfo == UTC


def test_a_late_evening_utc_event_counts_from_the_korean_day() -> None:
    # 2024-01-31 16:00 UTC is already 2024-02-01 in Korea
    event = datetime(2024, 1, 31, 16, 0, tzinfo=UTC)
    assert expiry_instant(event, Duration.parse("P1D")) == datetime(2024, 2, 3, 0, 0, tzinfo=KST)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError):
        expiry_instant(datetime(2024, 1, 1), Duration.parse("P1D"))


@pytest.mark.parametrize("text", ["P5Y", "P3M", "P1Y6M", "P2W", "P30D", "P1Y2M3W4D"])
def test_iso_durations_round_trip(text: str) -> None:
    assert Duration.parse(text).iso() == text


@pytest.mark.parametrize("text", ["", "P", "5Y", "P3X", "PT3H", "P-1D", "oo년간", "P1.5Y"])
def test_non_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Duration.parse(text)


def test_korean_wording() -> None:
    assert Duration.parse("P1Y6M").korean() == "1년 6개월"
    assert Duration.parse("P3M").korean() == "3개월"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 240))
def test_month_periods_never_end_before_they_start_and_never_overshoot(day: date, months: int) -> None:
    end = add_months(day, months)
    assert end >= day
    assert (end.year * 12 + end.month) - (day.year * 12 + day.month) == months
    assert end.day <= day.day


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
    st.integers(0, 10),
    st.integers(0, 11),
    st.integers(0, 400),
)
def test_nothing_is_due_before_the_whole_period_has_run(event: datetime, y: int, m: int, d: int) -> None:
    period = Duration(years=y, months=m, days=d)
    due = expiry_instant(event, period)
    assert due > event
    # the whole event day plus the full period have passed (at least the calendar minimum)
    assert due - event >= timedelta(days=d + (y * 12 + m) * 28)
    assert due.astimezone(KST).hour == 0 and due.astimezone(KST).minute == 0
