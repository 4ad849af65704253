"""What the console charts from the monthly review: reads per handler per day, refusals per
handler, bulk downloads with the subjects they stand for and their reasons, and the threshold
alerts; the review itself is a logged read that needs the ``audit`` action."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from jikimi.audit.report import render_text
from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied
from jikimi.handlers import Handler
from jikimi.periods import KST

from ..conftest import MEMBER  # noqa: TID252


def kst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=KST)  # type: ignore[misc]


@pytest.fixture
def may(
    jikimi: Jikimi, clock: FixedClock, support_agent: Handler, marketer: Handler, officer: Handler
) -> str:
    """A May with a jump, a Saturday read, a day of refusals and a large export; the month's
    review is generated on 2 June."""
    clock.set(kst(2026, 5, 4, 9, 30))
    member = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    for day in (4, 6, 7):
        clock.set(kst(2026, 5, day, 10, 0))
        for _ in range(2):
            jikimi.vault.read(member, ["name"], "support", support_agent)
    clock.set(kst(2026, 5, 12, 10, 0))
    for _ in range(55):
        jikimi.vault.read(member, ["name"], "support", support_agent)
    clock.set(kst(2026, 5, 9, 11, 0))  # a Saturday
    jikimi.vault.read(member, ["name"], "support", support_agent)
    clock.set(kst(2026, 5, 11, 14, 0))
    for _ in range(6):
        with pytest.raises(Denied):
            jikimi.vault.read(member, ["name"], "support", marketer)
    clock.set(kst(2026, 5, 13, 14, 0))
    with jikimi.core.unit_of_work() as uow:  # a statistics export that read 250 subjects (one row)
        jikimi.core.log(
            uow, jikimi.core.now(), "mk-lee", "export", items=["birthdate"], reason="분기 통계", count=250
        )
        uow.commit()
    clock.set(kst(2026, 6, 2, 9, 0))
    return member


def test_the_review_has_reads_per_handler_per_day_refusals_downloads_and_alerts(
    jikimi: Jikimi, may: str
) -> None:
    report = jikimi.audit.monthly_report("2026-05")
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report, "the report is JSON-ready"
    assert [
        (d["day"], d["actor"], d["reads"], d["off_hours"], d["denied"]) for d in report["reads_by_day"]
    ] == [
        ("2026-05-04", "cs-kim", 2, 0, 0),
        ("2026-05-06", "cs-kim", 2, 0, 0),
        ("2026-05-07", "cs-kim", 2, 0, 0),
        ("2026-05-09", "cs-kim", 1, 1, 0),
        ("2026-05-11", "mk-lee", 6, 0, 6),
        ("2026-05-12", "cs-kim", 55, 0, 0),
        ("2026-05-13", "mk-lee", 1, 0, 0),
    ]
    assert report["denials_by_handler"] == [
        {"actor": "mk-lee", "count": 6, "reasons": {"role_not_allowed": 6}}
    ]
    assert [
        (b["actor"], b["action"], b["subjects"], b["allowed"], b["reason"]) for b in report["bulk_reads"]
    ] == [("mk-lee", "export", 250, 250, "분기 통계")]
    assert [(a["day"], a["kind"], a["handler"], a["count"], a["threshold"]) for a in report["alerts"]] == [
        ("2026-05-09", "off_hours", "cs-kim", 1, 0),
        ("2026-05-11", "denials", "mk-lee", 6, 5),
        ("2026-05-12", "volume_jump", "cs-kim", 55, 50),
        ("2026-05-13", "mass_download", "mk-lee", 250, 100),
    ]
    assert report["alerts"][3]["detail"]["reason"] == "분기 통계"
    assert report["thresholds"] == {
        "volume_factor": 3,
        "volume_floor": 50,
        "off_hours": 0,
        "mass_download": 100,
        "denials": 5,
        "day": "08:00-20:00 KST",
    }
    assert "분기 통계" in render_text(report)


def test_reviewing_a_month_is_a_logged_read_that_needs_the_audit_action(
    jikimi: Jikimi, may: str, officer: Handler, support_agent: Handler
) -> None:
    jikimi.audit.monthly_report("2026-05", actor=officer, source="console")
    with pytest.raises(Denied) as refused:
        jikimi.audit.monthly_report("2026-05", actor=support_agent)
    assert refused.value.reason == "action_not_allowed"
    logged = [
        (e.actor, e.outcome, e.source, e.reason)
        for e in jikimi.audit.in_month("2026-06").entries
        if e.action == "audit.report"
    ]
    assert logged == [
        ("officer-park", "allowed", "console", "month=2026-05"),
        ("cs-kim", "denied:action_not_allowed", "local", "month=2026-05"),
    ]
