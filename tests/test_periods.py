"""Civil Act periods (민법 157, 160): the first day is not counted; a missing day is the month's end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jikimi.periods import (
    FAR_FUTURE,
    KST,
    MAX_YEARS,
    Duration,
    add_months,
    due_if_before,
    expiry_instant,
    kst_day,
    last_day_of_period,
    shift,
)


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


# --- bounded durations, and arithmetic that never runs off the calendar ---------------------------


@pytest.mark.parametrize("text", ["P100Y", "P1200M", "P99Y12M", "P36524D", "P5217W"])
def test_a_hundred_years_is_the_longest_duration(text: str) -> None:
    assert Duration.parse(text).approx_days() <= MAX_YEARS * 365.2425


@pytest.mark.parametrize(
    "text", ["P9000Y", "P101Y", "P1201M", "P99Y13M", "P100Y1D", "P36525D", "P5218W", "P" + "9" * 40 + "Y"]
)
def test_a_duration_longer_than_a_hundred_years_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="longer than 100 years"):
        Duration.parse(text)


def test_a_duration_longer_than_a_hundred_years_cannot_be_built_in_code_either() -> None:
    with pytest.raises(ValueError, match="'P101Y' is longer than 100 years"):
        Duration(years=101)


LONGEST = Duration(years=MAX_YEARS)
NEAR_THE_END = datetime(9999, 12, 30, tzinfo=UTC)


def test_adding_the_longest_duration_to_9999_12_30_does_not_raise() -> None:
    assert last_day_of_period(date(9999, 12, 30), LONGEST) == date.max
    assert last_day_of_period(date(9999, 12, 30), Duration(days=36524)) == date.max
    assert expiry_instant(NEAR_THE_END, LONGEST) == FAR_FUTURE
    assert shift(NEAR_THE_END, LONGEST) >= NEAR_THE_END
    assert shift(datetime(9999, 12, 30, 12, 0, tzinfo=UTC), Duration(days=36524)) == FAR_FUTURE
    assert shift(datetime(1, 1, 2, tzinfo=UTC), LONGEST, back=True) == datetime.min.replace(tzinfo=UTC)
    assert due_if_before(NEAR_THE_END, LONGEST) < NEAR_THE_END


def test_a_period_running_past_the_calendar_is_never_due() -> None:
    assert due_if_before(FAR_FUTURE, LONGEST) < FAR_FUTURE
    assert expiry_instant(FAR_FUTURE, Duration(days=1)) == FAR_FUTURE
    assert kst_day(FAR_FUTURE) == date.max


bounded_durations = st.one_of(
    st.builds(
        Duration,
        years=st.integers(0, MAX_YEARS - 2),
        months=st.integers(0, 11),
        weeks=st.integers(0, 3),
        days=st.integers(0, 31),
    ),
    st.integers(0, 36524).map(lambda d: Duration(days=d)),
    st.just(LONGEST),
)
anywhere = st.datetimes(timezones=st.just(UTC))


@given(anywhere, bounded_durations)
def test_no_event_and_no_period_makes_the_arithmetic_raise(event: datetime, period: Duration) -> None:
    due = expiry_instant(event, period)
    assert due > event or due == FAR_FUTURE
    assert shift(event, period) >= event
    assert shift(event, period, back=True) <= event


@given(anywhere, anywhere, bounded_durations)
def test_the_due_threshold_agrees_with_each_events_expiry_on_the_whole_calendar(
    event: datetime, now: datetime, period: Duration
) -> None:
    expiry = expiry_instant(event, period)
    assert (expiry != FAR_FUTURE and expiry <= now) == (event < due_if_before(now, period))
