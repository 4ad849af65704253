"""Deadlines count like the Civil Act: receipt day not counted, Saturday or holiday ends next day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from jikimi.periods import KST
from jikimi.rights.model import (
    CLOSED_STATUSES,
    REFUSAL_GROUNDS,
    REQUEST_TYPES,
    TRANSITIONS,
    days_left,
    due_at,
    due_day,
    grounds_for,
    is_korean_public_holiday,
    last_day,
)


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)  # type: ignore[misc]


def test_ten_days_from_a_monday_end_at_the_close_of_the_thursday_a_week_later() -> None:
    due = due_at(kst(2026, 3, 9, 10, 0), "access")
    assert due == kst(2026, 3, 20, 0, 0).astimezone(UTC)
    assert due_day(due) == date(2026, 3, 19)


def test_the_day_of_receipt_is_not_counted_even_late_at_night() -> None:
    assert due_day(due_at(kst(2026, 3, 9, 23, 59), "correction")) == date(2026, 3, 19)
    assert due_day(due_at(kst(2026, 3, 10, 0, 1), "correction")) == date(2026, 3, 20)


def test_receipt_is_counted_in_korean_time_not_utc() -> None:
    # 2026-03-09 16:00 UTC is already 2026-03-10 01:00 in Korea
    assert due_day(due_at(datetime(2026, 3, 9, 16, 0, tzinfo=UTC), "deletion")) == date(2026, 3, 20)


def test_a_period_ending_on_a_saturday_ends_on_the_monday() -> None:
    assert due_day(due_at(kst(2026, 3, 11, 9, 0), "stop")) == date(2026, 3, 23)


def test_a_period_ending_on_a_public_holiday_ends_the_next_working_day() -> None:
    # 2026-05-05 어린이날 (Tuesday)
    assert due_day(due_at(kst(2026, 4, 25, 9, 0), "access")) == date(2026, 5, 6)
    # 2026-03-01 삼일절 falls on a Sunday; its substitute holiday is Monday 2026-03-02
    assert due_day(due_at(kst(2026, 2, 19, 9, 0), "access")) == date(2026, 3, 3)


def test_automated_decisions_get_thirty_days() -> None:
    assert due_day(due_at(kst(2026, 3, 9, 10, 0), "automated_decision")) == date(2026, 4, 8)


def test_days_left_is_negative_once_overdue() -> None:
    due = due_at(kst(2026, 3, 9, 10, 0), "access")
    assert days_left(due, kst(2026, 3, 9, 12, 0).astimezone(UTC)) == 10
    assert days_left(due, kst(2026, 3, 19, 23, 59).astimezone(UTC)) == 0
    assert days_left(due, kst(2026, 3, 20, 0, 0).astimezone(UTC)) == -1


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
    st.sampled_from(sorted(REQUEST_TYPES)),
)
def test_the_last_day_is_the_first_working_day_at_or_after_the_nominal_end(
    moment: datetime, kind: str
) -> None:
    received = moment.replace(tzinfo=UTC)
    last = due_day(due_at(received, kind))
    nominal = received.astimezone(KST).date() + timedelta(days=30 if kind == "automated_decision" else 10)
    assert last >= nominal
    assert last.weekday() != 5 and not is_korean_public_holiday(last)
    day = nominal
    while day < last:  # every day skipped was a Saturday or a public holiday
        assert day.weekday() == 5 or is_korean_public_holiday(day)
        day += timedelta(days=1)


def test_an_injected_holiday_calendar_is_used() -> None:
    assert last_day(date(2026, 3, 9), 10, lambda d: d == date(2026, 3, 19)) == date(2026, 3, 20)


def test_closed_requests_cannot_move_and_every_status_is_reachable() -> None:
    assert all(not TRANSITIONS[s] for s in CLOSED_STATUSES)
    reachable = {"received"} | {t for targets in TRANSITIONS.values() for t in targets}
    assert reachable == set(TRANSITIONS)


def test_every_request_type_has_grounds_and_every_ground_has_an_article_in_both_languages() -> None:
    for kind in REQUEST_TYPES:
        assert grounds_for(kind), kind
    for ground in REFUSAL_GROUNDS.values():
        assert ground.article.startswith("PIPA") and ground.ko and ground.en and ground.applies_to
