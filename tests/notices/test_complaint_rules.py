"""Complaint deadlines as the mecross seed promises them: "접수 후 24시간 내에 … 다만, 근무시간 이후 또는
주말 및 공휴일에는 익일 처리" — on real Korean holidays (설날, 추석, substitute holidays, election days)
from the ``holidays`` package. Pure rules: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jikimi.notices.complaint_rules import (
    BASES,
    DEFAULT_WORKING_HOURS,
    ResponseRule,
    deadline,
    hours_left,
    korean_holiday,
    received_when,
)
from jikimi.periods import KST

from ..conftest import CLEAN_POLICY  # noqa: TID252
from ..policies import cached_policy_text, policy_with  # noqa: TID252

SEED = ResponseRule(hours=24, business_days=True)
"""mecross: 24 hours, business days, working hours not stated (the engine's 09:00–18:00)."""


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)  # type: ignore[misc]


def due(received: datetime, rule: ResponseRule = SEED) -> datetime:
    found = deadline(received, rule).due_at
    assert found is not None
    return found.astimezone(KST)


# -- the calendar, as the holidays package has it ----------------------------------------------------


def test_the_holidays_package_knows_the_2026_and_2027_holidays_these_tests_rest_on() -> None:
    assert korean_holiday(date(2026, 2, 16)) == "설날 전날"
    assert korean_holiday(date(2026, 9, 25)) == "추석"
    assert korean_holiday(date(2026, 10, 5)) == "개천절 대체 휴일"  # 개천절 on Saturday 10-03
    assert korean_holiday(date(2026, 8, 17)) == "광복절 대체 휴일"
    assert korean_holiday(date(2027, 2, 9)) == "설날 대체 휴일"  # 설날 on Sunday 02-07
    assert korean_holiday(date(2026, 6, 3)) == "지방선거일"
    assert korean_holiday(date(2025, 6, 3)) == "대통령 선거일"
    assert korean_holiday(date(2025, 10, 8)) == "추석 대체 휴일"
    assert korean_holiday(date(2026, 3, 2)) == "삼일절 대체 휴일"
    # 추석 다음날 on Saturday 2026-09-26 gives no substitute: 설날·추석 are substituted only for a Sunday
    assert korean_holiday(date(2026, 9, 28)) is None
    assert korean_holiday(date(2026, 10, 6)) is None


# -- the acceptance case ----------------------------------------------------------------------------


def test_a_complaint_received_friday_19_00_before_a_holiday_monday_is_due_tuesday_working_hours() -> None:
    # Saturday 2026-10-03 개천절, Monday 10-05 its substitute holiday (대체공휴일)
    found = deadline(kst(2026, 10, 2, 19, 0), SEED)
    assert found.due_at == kst(2026, 10, 6, 18, 0).astimezone(UTC)
    assert (found.received, found.basis) == ("after_hours", "end_of_next_working_hours")
    ko, en = found.explain()
    assert "익일 처리" in ko and "2026-10-06 18:00 KST" in ko and "jikimi 기본값" in ko
    assert "2026-10-06 18:00 KST" in en and "jikimi's default; the policy states none" in en


def test_a_complaint_received_friday_19_00_before_the_liberation_day_substitute_monday_is_due_tuesday() -> (
    None
):
    assert due(kst(2026, 8, 14, 19, 0)) == kst(2026, 8, 18, 18, 0)


def test_a_complaint_received_friday_19_00_before_seollal_is_due_the_thursday_after_it() -> None:
    # 설날 2026: Monday 02-16 to Wednesday 02-18
    assert due(kst(2026, 2, 13, 19, 0)) == kst(2026, 2, 19, 18, 0)


def test_a_complaint_received_friday_evening_before_seollal_with_its_substitute_day_is_due_wednesday() -> (
    None
):
    # 설날 2027: Saturday 02-06 to Monday 02-08, and Tuesday 02-09 in place of the Sunday
    assert due(kst(2027, 2, 5, 19, 0)) == kst(2027, 2, 10, 18, 0)
    assert due(kst(2027, 2, 5, 10, 0)) == kst(2027, 2, 10, 18, 0)


def test_a_complaint_received_the_day_before_chuseok_in_working_hours_is_due_after_the_holidays() -> None:
    # 추석 2026: Thursday 09-24 to Saturday 09-26; 24 hours after Wednesday 10:00 is 추석 전날
    found = deadline(kst(2026, 9, 23, 10, 0), SEED)
    assert found.due_at == kst(2026, 9, 28, 18, 0).astimezone(UTC)
    assert found.basis == "end_of_next_working_hours" and found.landing_holiday == "추석 전날"
    assert "추석 전날" in found.explain()[0]


def test_a_complaint_received_on_chuseok_waits_for_the_first_business_day_after_the_long_holiday() -> None:
    # 2025: 개천절 Fri 10-03, weekend, 추석 Mon–Tue, its substitute Wed 10-08, 한글날 Thu 10-09
    found = deadline(kst(2025, 10, 7, 11, 0), SEED)
    assert found.due_at == kst(2025, 10, 10, 18, 0).astimezone(UTC)
    assert (found.received, found.holiday) == ("holiday", "추석 다음날")
    assert due(kst(2025, 10, 2, 19, 0)) == kst(2025, 10, 10, 18, 0)


def test_a_complaint_received_the_day_before_an_election_day_is_due_the_day_after_it() -> None:
    assert due(kst(2026, 6, 2, 10, 0)) == kst(2026, 6, 4, 18, 0)  # 지방선거일 Wednesday 06-03
    assert due(kst(2025, 6, 2, 10, 0)) == kst(2025, 6, 4, 18, 0)  # 대통령 선거일 Tuesday 06-03


# -- inside working hours: 24 hours ----------------------------------------------------------------


def test_a_complaint_received_in_working_hours_is_due_24_hours_later() -> None:
    found = deadline(kst(2026, 3, 3, 10, 0), SEED)  # a Tuesday
    assert found.due_at == kst(2026, 3, 4, 10, 0).astimezone(UTC)
    assert (found.received, found.basis) == ("working_hours", "hours_after_receipt")
    assert found.explain()[0].startswith("근무시간 중 접수: 접수 후 24시간, 2026-03-04 10:00 KST까지")


def test_a_complaint_received_at_the_last_working_minute_is_due_at_that_minute_the_next_day() -> None:
    assert due(kst(2026, 3, 3, 17, 59)) == kst(2026, 3, 4, 17, 59)


def test_a_complaint_received_friday_in_working_hours_is_due_by_the_end_of_monday() -> None:
    found = deadline(kst(2026, 3, 6, 10, 0), SEED)
    assert found.due_at == kst(2026, 3, 9, 18, 0).astimezone(UTC)
    assert found.basis == "end_of_next_working_hours"


def test_a_complaint_received_at_the_close_is_handled_the_next_business_day() -> None:
    found = deadline(kst(2026, 3, 3, 18, 0), SEED)
    assert found.due_at == kst(2026, 3, 4, 18, 0).astimezone(UTC)
    assert (found.received, found.basis) == ("after_hours", "hours_after_last_close")


def test_a_complaint_received_before_the_opening_is_handled_in_that_days_working_hours() -> None:
    # the night belongs to the evening before: 익일 is this morning's working day
    found = deadline(kst(2026, 3, 4, 7, 30), SEED)
    assert found.due_at == kst(2026, 3, 4, 18, 0).astimezone(UTC)
    assert found.received == "before_hours"


def test_a_complaint_received_at_the_weekend_is_due_by_the_end_of_monday() -> None:
    assert due(kst(2026, 3, 7, 11, 0)) == kst(2026, 3, 9, 18, 0)
    assert received_when(kst(2026, 3, 7, 11, 0), SEED) == "weekend"


def test_receipt_is_read_in_korean_time_not_utc() -> None:
    # 01:00 UTC on Tuesday is 10:00 KST: in working hours
    assert deadline(datetime(2026, 3, 3, 1, 0, tzinfo=UTC), SEED).received == "working_hours"
    # 10:00 UTC on Tuesday is 19:00 KST: after hours
    assert deadline(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), SEED).received == "after_hours"


# -- the policy's own values ----------------------------------------------------------------------------


def test_the_policy_states_the_rule_and_its_working_hours_replace_the_engines() -> None:
    def hours(data: dict[str, object]) -> None:
        data["complaints"] = {
            "response_hours": 24,
            "business_days": True,
            "working_hours": {"start": "10:00", "end": "17:00"},
        }

    rule = ResponseRule.of(policy_with(hours))
    assert (rule.opens, rule.closes, rule.hours_stated) == (time(10, 0), time(17, 0), True)
    found = deadline(kst(2026, 3, 3, 17, 30), rule)  # after 17:00: after hours under the policy
    assert found.due_at == kst(2026, 3, 4, 17, 0).astimezone(UTC)
    assert "처리방침)" in found.explain()[0] and "the policy's)" in found.explain()[1]


def test_without_stated_working_hours_the_engine_default_applies_and_says_so() -> None:
    rule = ResponseRule.of(policy_with(lambda data: None))
    assert (rule.hours, rule.business_days) == (24, True)
    assert (rule.opens, rule.closes) == DEFAULT_WORKING_HOURS == (time(9, 0), time(18, 0))
    assert not rule.hours_stated


def test_working_hours_written_without_quotes_load_as_times_of_day() -> None:
    text = CLEAN_POLICY.replace(
        "complaints:\n",
        "complaints:\n  response_hours: 24\n  business_days: true\n"
        "  working_hours: {start: 09:30, end: 18:30}\n",
    )
    rule = ResponseRule.of(cached_policy_text(text))
    assert (rule.opens, rule.closes) == (time(9, 30), time(18, 30))


def test_working_hours_that_end_before_they_start_do_not_load() -> None:
    from jikimi.errors import PolicyLoadError

    def backwards(data: dict[str, object]) -> None:
        data["complaints"] = {"response_hours": 24, "working_hours": {"start": "18:00", "end": "09:00"}}

    with pytest.raises(PolicyLoadError) as caught:
        policy_with(backwards)
    assert "working_hours" in str(caught.value)


def test_hours_without_business_days_are_clock_hours() -> None:
    rule = ResponseRule(hours=24, business_days=False)
    found = deadline(kst(2026, 10, 2, 19, 0), rule)
    assert (found.due_at, found.basis) == (kst(2026, 10, 3, 19, 0).astimezone(UTC), "calendar_hours")


def test_a_policy_without_response_hours_promises_no_deadline() -> None:
    for rule in (
        ResponseRule(hours=None, business_days=True),
        ResponseRule.of(policy_with(lambda d: d.pop("complaints"))),
    ):
        found = deadline(kst(2026, 10, 2, 19, 0), rule)
        assert (found.due_at, found.basis) == (None, "not_promised")
        assert "기한 없음" in found.explain()[0]
    assert hours_left(None, kst(2026, 1, 1)) is None


def test_short_hours_after_hours_run_from_the_next_opening_so_no_later_complaint_is_due_earlier() -> None:
    four = ResponseRule(hours=4, business_days=True)
    found = deadline(kst(2026, 10, 2, 19, 0), four)
    assert found.due_at == kst(2026, 10, 6, 13, 0).astimezone(UTC)
    assert (found.basis, found.later_receipt) == (
        "not_after_a_later_complaint",
        kst(2026, 10, 6, 9, 0).astimezone(UTC),
    )
    assert due(kst(2026, 10, 6, 9, 0), four) == kst(2026, 10, 6, 13, 0)


def test_a_naive_receipt_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        deadline(datetime(2026, 10, 2, 19, 0), SEED)


def test_every_basis_has_words() -> None:
    rules = {
        "hours_after_receipt": (SEED, kst(2026, 3, 3, 10, 0)),
        "hours_after_last_close": (SEED, kst(2026, 3, 3, 19, 0)),
        "end_of_next_working_hours": (SEED, kst(2026, 10, 2, 19, 0)),
        "not_after_a_later_complaint": (ResponseRule(hours=4, business_days=True), kst(2026, 10, 2, 19, 0)),
        "calendar_hours": (ResponseRule(hours=24, business_days=False), kst(2026, 10, 2, 19, 0)),
        "not_promised": (ResponseRule(hours=None, business_days=False), kst(2026, 10, 2, 19, 0)),
    }
    assert set(rules) == set(BASES)
    for basis, (rule, received) in rules.items():
        found = deadline(received, rule)
        assert found.basis == basis
        ko, en = found.explain()
        assert ko and en and ko != en


# -- properties ----------------------------------------------------------------------------------------

RECEIPTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 1), timezones=st.just(KST)
)
HOURS = st.one_of(st.just(24), st.integers(min_value=1, max_value=120))
WORKING = st.sampled_from([(time(9, 0), time(18, 0)), (time(10, 0), time(17, 0)), (time(8, 30), time(20, 0))])
PROPERTIES = settings(max_examples=300, deadline=None)


def _rule(hours: int, working: tuple[time, time]) -> ResponseRule:
    return ResponseRule(
        hours=hours, business_days=True, opens=working[0], closes=working[1], hours_stated=True
    )


@PROPERTIES
@given(RECEIPTS, HOURS, WORKING)
def test_the_deadline_is_always_in_working_hours_on_a_business_day(
    received: datetime, hours: int, working: tuple[time, time]
) -> None:
    rule = _rule(hours, working)
    at = due(received, rule)
    assert at.weekday() < 5 and korean_holiday(at.date()) is None
    assert rule.opens <= at.time() <= rule.closes


@PROPERTIES
@given(RECEIPTS, HOURS, WORKING)
def test_the_deadline_is_never_before_receipt_nor_sooner_than_promised(
    received: datetime, hours: int, working: tuple[time, time]
) -> None:
    rule = _rule(hours, working)
    found = deadline(received, rule)
    assert found.due_at is not None and found.due_at > received
    if found.received == "working_hours":
        assert found.due_at >= received + timedelta(hours=hours)


@PROPERTIES
@given(RECEIPTS, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)), HOURS, WORKING)
def test_a_later_complaint_is_never_due_earlier(
    received: datetime, gap: timedelta, hours: int, working: tuple[time, time]
) -> None:
    rule = _rule(hours, working)
    assert due(received, rule) <= due(received + gap, rule)


@PROPERTIES
@given(RECEIPTS, WORKING)
def test_with_24_hours_the_answer_is_due_by_the_end_of_the_next_working_day_at_the_latest(
    received: datetime, working: tuple[time, time]
) -> None:
    rule = _rule(24, working)
    found = deadline(received, rule)
    assert found.basis != "not_after_a_later_complaint"  # the two rules alone are monotone for 24 hours
    day = received.date()
    while True:  # the first working hours that start after the receipt
        opening = datetime.combine(day, rule.opens, tzinfo=KST)
        if day.weekday() < 5 and korean_holiday(day) is None and opening > received:
            break
        day += timedelta(days=1)
    end = datetime.combine(day, rule.closes, tzinfo=KST)
    if found.received == "working_hours":  # 24 hours when the next day is a business day, else its end
        later = received + timedelta(hours=24)
        assert due(received, rule) == (later if later.date() == day else end)
    else:  # 익일 처리: the end of the next working hours
        assert due(received, rule) == end
