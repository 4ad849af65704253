"""The monthly access-log review (접속기록 월간 점검): reads per handler, denials, bulk downloads with
reasons, reads outside working hours (nights, weekends, Korean holidays), volume jumps, rights changes."""

from __future__ import annotations

import json
from datetime import date, datetime

import holidays
import pytest

from jikimi.audit.report import off_hours, render_text
from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, UsageError
from jikimi.handlers import Handler
from jikimi.periods import KST, month_bounds

from .conftest import MEMBER

KR = holidays.country_holidays("KR", years=[2026], language="ko")


def kst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=KST)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (kst(2026, 5, 6, 9, 0), None),
        (kst(2026, 5, 6, 17, 59), None),
        (kst(2026, 5, 6, 8, 59), "night"),
        (kst(2026, 5, 6, 18, 0), "night"),
        (kst(2026, 5, 6, 23, 30), "night"),
        (kst(2026, 5, 9, 11, 0), "weekend"),
        (kst(2026, 5, 10, 11, 0), "weekend"),
        (kst(2026, 5, 5, 10, 0), "holiday:어린이날"),
        (kst(2026, 3, 2, 10, 0), f"holiday:{KR[date(2026, 3, 2)]}"),  # alternative holiday for 삼일절
    ],
)
def test_working_hours_are_weekdays_nine_to_six_except_public_holidays(
    moment: datetime, why: str | None
) -> None:
    assert off_hours(moment, KR) == why


def test_months_are_korean_calendar_months() -> None:
    start, end = month_bounds("2026-05")
    assert start == kst(2026, 5, 1) and end == kst(2026, 6, 1)
    assert month_bounds("2026-12")[1] == kst(2027, 1, 1)
    for bad in ("2026-5", "2026-13", "May 2026", ""):
        with pytest.raises(UsageError):
            month_bounds(bad)


def _reads(
    jikimi: Jikimi,
    clock: FixedClock,
    when: datetime,
    count: int,
    sid: str,
    items: list[str],
    purpose: str,
    actor: Handler,
) -> None:
    clock.set(when)
    for _ in range(count):
        jikimi.vault.read(sid, items, purpose, actor)


@pytest.fixture
def may(
    jikimi: Jikimi, clock: FixedClock, support_agent: Handler, marketer: Handler, officer: Handler
) -> dict[str, str]:
    """Three months of ordinary reads, then a May with a jump, nights, a holiday, bulk reads and new rights."""  # noqa: E501
    clock.set(kst(2026, 2, 2, 10, 0))
    member = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    others = [
        jikimi.vault.collect(
            "signup",
            {
                **MEMBER,
                "login_id": f"other{i}",
                "mobile": f"010-3000-000{i}",
                "email": f"o{i}@example.com",
                "ci": f"CI{i}" + "Q" * 85,
            },
            {"marketing": False},
        ).subject_id
        for i in range(2)
    ]
    for month in (2, 3, 4):
        _reads(jikimi, clock, kst(2026, month, 10, 11, 0), 2, member, ["name"], "support", support_agent)
        _reads(jikimi, clock, kst(2026, month, 10, 14, 0), 20, member, ["email"], "marketing", marketer)
    _reads(
        jikimi, clock, kst(2026, 4, 30, 23, 30), 1, member, ["name"], "membership", officer
    )  # April in KST

    _reads(jikimi, clock, kst(2026, 5, 6, 10, 0), 54, member, ["name", "email"], "support", support_agent)
    clock.set(kst(2026, 5, 6, 11, 0))
    with pytest.raises(Denied):
        jikimi.vault.read(member, ["email"], "marketing", support_agent)
    _reads(jikimi, clock, kst(2026, 5, 6, 8, 59), 2, member, ["name"], "support", support_agent)
    _reads(jikimi, clock, kst(2026, 5, 6, 18, 0), 1, member, ["name"], "support", support_agent)
    _reads(jikimi, clock, kst(2026, 5, 9, 11, 0), 1, member, ["name"], "support", support_agent)
    _reads(jikimi, clock, kst(2026, 5, 5, 10, 0), 1, member, ["name"], "support", support_agent)

    _reads(jikimi, clock, kst(2026, 5, 7, 14, 0), 55, member, ["email"], "marketing", marketer)
    clock.set(kst(2026, 5, 7, 14, 59))
    with pytest.raises(Denied):
        jikimi.vault.read_many([member, *others], ["email"], "marketing", marketer, "")
    clock.set(kst(2026, 5, 7, 15, 0))
    jikimi.vault.read_many([member, *others], ["email"], "marketing", marketer, "5월 이벤트 안내 발송")

    _reads(
        jikimi, clock, kst(2026, 5, 31, 23, 30), 1, member, ["name"], "membership", officer
    )  # Sunday night
    _reads(
        jikimi, clock, kst(2026, 6, 1, 0, 30), 1, member, ["name"], "membership", officer
    )  # June in KST, May in UTC

    clock.set(kst(2026, 5, 11, 10, 0))
    jikimi.handlers.define_role("auditor", purposes=[], actions=["audit"], actor=officer)
    jikimi.handlers.create("au-jung", "correct horse battery", role="auditor", actor=officer)
    return {"member": member}


def test_the_monthly_review_counts_reads_denials_bulk_nights_jumps_and_rights(
    jikimi: Jikimi, may: dict[str, str], clock: FixedClock
) -> None:
    clock.set(kst(2026, 6, 2, 9, 0))  # the review is generated the day after the month
    report = jikimi.audit.monthly_report("2026-05")
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report, "the report is JSON-ready"
    assert report["period"] == {"from": "2026-05-01T00:00:00+09:00", "to": "2026-06-01T00:00:00+09:00"}
    assert report["reads_by_handler"] == [
        {"actor": "cs-kim", "reads": 60, "allowed": 59, "denied": 1, "off_hours": 5},
        {"actor": "mk-lee", "reads": 59, "allowed": 56, "denied": 3, "off_hours": 0},
        {"actor": "officer-park", "reads": 1, "allowed": 1, "denied": 0, "off_hours": 1},
    ]
    assert [(d["reason"], d["count"], d["actions"]) for d in report["denials_by_reason"]] == [
        ("consent_missing", 2, {"read.bulk": 2}),
        ("reason_required", 1, {"read.bulk": 1}),
        ("role_not_allowed", 1, {"read": 1}),
    ]
    assert [
        (b["at"], b["actor"], b["reason"], b["subjects"], b["allowed"]) for b in report["bulk_reads"]
    ] == [
        ("2026-05-07T14:59:00+09:00", "mk-lee", "", 1, 0),
        ("2026-05-07T15:00:00+09:00", "mk-lee", "5월 이벤트 안내 발송", 3, 1),
    ]
    off = report["off_hours"]
    assert off["total"] == 6 and not off["truncated"]
    assert sorted((r["at"], r["actor"], r["why"]) for r in off["rows"]) == [
        ("2026-05-05T10:00:00+09:00", "cs-kim", "holiday:어린이날"),
        ("2026-05-06T08:59:00+09:00", "cs-kim", "night"),
        ("2026-05-06T08:59:00+09:00", "cs-kim", "night"),
        ("2026-05-06T18:00:00+09:00", "cs-kim", "night"),
        ("2026-05-09T11:00:00+09:00", "cs-kim", "weekend"),
        ("2026-05-31T23:30:00+09:00", "officer-park", "weekend"),
    ]
    assert all(r["subject_id"] == may["member"] for r in off["rows"])
    assert report["volume_jumps"] == [
        {"actor": "cs-kim", "reads": 60, "previous_average": 2.0, "factor": 30.0}
    ]
    assert [(c["actor"], c["handler"], c["change"]) for c in report["rights_changes"]] == [
        ("officer-park", "auditor", "role"),
        ("officer-park", "au-jung", "grant"),
    ]
    assert report["chain"]["ok"] and report["chain"]["heads"] and report["chain"]["breaks"] == []


def test_the_previous_months_are_the_baseline_not_part_of_the_review(
    jikimi: Jikimi, may: dict[str, str]
) -> None:
    april = jikimi.audit.monthly_report("2026-04")
    assert [(r["actor"], r["reads"], r["off_hours"]) for r in april["reads_by_handler"]] == [
        ("mk-lee", 20, 0),
        ("cs-kim", 2, 0),
        ("officer-park", 1, 1),
    ]
    assert april["volume_jumps"] == [] and april["bulk_reads"] == []
    june = jikimi.audit.monthly_report("2026-06")
    assert [(r["actor"], r["reads"]) for r in june["reads_by_handler"]] == [("officer-park", 1)]


def test_the_printed_review_has_everything_and_a_signature_line(jikimi: Jikimi, may: dict[str, str]) -> None:
    text = render_text(jikimi.audit.monthly_report("2026-05"))
    for expected in (
        "2026-05",
        "cs-kim",
        "mk-lee",
        "consent_missing",
        "5월 이벤트 안내 발송",
        "holiday:어린이날",
        "au-jung",
        "정상 (intact)",
        "개인정보 보호책임자",
        "서명 (signature)",
    ):
        assert expected in text
    assert "hong@example.com" not in text and "홍길동" not in text
