"""The console's access-log review (접속기록 월 1회 점검, 안전성 확보조치 기준 8조) and its 소명 workflow:
the officer reviews a month (charts with tables, alerts, the chain's state; the review logged),
asks a handler to justify an alert, the handler answers, the officer closes it; every step a
form with its CSRF token, every typed string escaped, the review closed to roles without ``audit``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied
from jikimi.periods import KST
from jikimi.store.tables import access_log

from ..conftest import MEMBER, START  # noqa: TID252
from .conftest import csrf_of

FEBRUARY = "/console/review?month=2026-02"
XSS = '<script>alert("x")</script>'


def kst(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=KST)  # type: ignore[misc]


@pytest.fixture
def cs(console_as: Callable[[str, str], TestClient]) -> TestClient:
    """A support handler's browser (cs-lee): reads for support, no ``audit``."""
    return console_as("cs-lee", "cs")


@pytest.fixture
def february(web_jikimi: Jikimi, clock: FixedClock, cs: TestClient, console: TestClient) -> str:
    """A February with cs-lee's Saturday-night reads, a day of refusals and a large export; then
    back to the sign-in day, the sessions still fresh."""
    now = clock.now()
    clock.set(kst(2026, 2, 2, 10, 0))
    member = web_jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    clock.set(kst(2026, 2, 3, 10, 0))
    web_jikimi.vault.read(member, ["name"], "support", "cs-lee")
    clock.set(kst(2026, 2, 7, 23, 0))  # a Saturday night
    for _ in range(3):
        web_jikimi.vault.read(member, ["name"], "support", "cs-lee")
    clock.set(kst(2026, 2, 10, 15, 0))
    for _ in range(6):
        with pytest.raises(Denied):
            web_jikimi.vault.read(member, ["email"], "marketing", "cs-lee")
    clock.set(kst(2026, 2, 12, 11, 0))
    with web_jikimi.core.unit_of_work() as uow:
        web_jikimi.core.log(uow, clock.now(), "officer-kim", "export", reason="분기 통계", count=300)
        uow.commit()
    clock.set(now + timedelta(seconds=1))
    return member


def review_rows(jikimi: Jikimi, action_prefix: str) -> list[tuple[str, str, str | None]]:
    with jikimi.core.engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.actor, access_log.c.outcome, access_log.c.reason)
            .where(access_log.c.action.like(f"{action_prefix}%"))
            .order_by(access_log.c.seq)
        ).all()
    return [(r.actor, r.outcome, r.reason) for r in rows]


def ask(console: TestClient, **fields: str) -> object:
    shown = console.get(FEBRUARY)
    assert shown.status_code == 200, shown.text
    base = {"month": "2026-02", "handler": "cs-lee", "alert": "off_hours", "alert_day": "2026-02-07"}
    return console.post("/console/review/ask", data={"csrf": csrf_of(shown.text), **base, **fields})


def test_the_officer_reviews_a_month_with_charts_tables_alerts_and_the_chains_state(
    console: TestClient, web_jikimi: Jikimi, february: str
) -> None:
    page = console.get(FEBRUARY)
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>" in html and "접속기록 점검" in html and "2026-02" in html
    # the charts: inline SVG images with a name and a description, each with a table of the same numbers
    assert html.count('role="img"') >= 3
    assert 'aria-labelledby="daily-1-t daily-1-d"' in html and '<title id="daily-1-t">' in html
    assert "cs-lee 일별 열람" in html and "<caption>" in html
    # the alerts, each with its form (Saturday night, refusals, the export of 300)
    assert re.search(r"심야·휴일 열람.*cs-lee, 2026-02-07", html)
    assert re.search(r"반복된 거부.*cs-lee, 2026-02-10", html)
    assert re.search(r"대량 다운로드.*officer-kim, 2026-02-12", html) and "분기 통계" in html
    assert html.count('action="/console/review/ask"') == 2  # no one asks themselves: not the officer's own
    # bulk downloads with reasons, refusals, the chain
    assert "300" in html and "role_not_allowed" in html
    assert "정상" in html and "위변조 의심" not in html
    # no personal value on the page
    assert all(value not in html for value in (MEMBER["name"], MEMBER["email"], MEMBER["mobile"]))
    assert review_rows(web_jikimi, "audit.report") == [("officer-kim", "allowed", "month=2026-02")]


def test_the_officer_asks_the_handler_answers_and_the_officer_closes_it(
    console: TestClient, cs: TestClient, web_jikimi: Jikimi, february: str
) -> None:
    asked = ask(console, question="2월 7일(토) 23시 열람 3건의 사유를 알려 주십시오.")
    assert asked.status_code == 303 and asked.headers["location"] == FEBRUARY  # type: ignore[attr-defined]
    after = console.get(FEBRUARY).text
    assert "답변 대기" in after and after.count('action="/console/review/ask"') == 1

    mine = cs.get("/console/justifications")
    assert mine.status_code == 200 and "2월 7일(토) 23시 열람 3건의 사유를 알려 주십시오." in mine.text
    (request_id,) = re.findall(r'action="/console/justifications/([^/"]+)/answer"', mine.text)
    answered = cs.post(
        f"/console/justifications/{request_id}/answer",
        data={"csrf": csrf_of(mine.text), "answer": "주말 장애 대응 중 회원 문의 확인"},
    )
    assert answered.status_code == 303, answered.text

    listed = console.get("/console/justifications")
    assert "주말 장애 대응 중 회원 문의 확인" in listed.text
    assert f'action="/console/justifications/{request_id}/close"' in listed.text
    closed = console.post(
        f"/console/justifications/{request_id}/close",
        data={"csrf": csrf_of(listed.text), "outcome": "accepted", "note": "장애 기록과 일치"},
    )
    assert closed.status_code == 303, closed.text
    done = console.get("/console/justifications?state=all").text
    assert "소명 인정" in done and "장애 기록과 일치" in done and "/close" not in done
    assert [(actor, outcome) for actor, outcome, _ in review_rows(web_jikimi, "audit.justification")] == [
        ("officer-kim", "allowed"),
        ("cs-lee", "allowed"),
        ("officer-kim", "allowed"),
    ]
    (j,) = web_jikimi.justifications.listed(actor="officer-kim")
    assert (j.state, j.outcome, j.handler, j.asked_by, j.closed_by) == (
        "closed",
        "accepted",
        "cs-lee",
        "officer-kim",
        "officer-kim",
    )


def test_a_handler_without_the_audit_action_sees_only_their_own_requests(
    cs: TestClient, february: str
) -> None:
    home = cs.get("/console/justifications")
    assert home.status_code == 200
    assert 'href="/console/review"' not in home.text and 'href="/console/justifications"' in home.text
    assert "모든 요청" not in home.text
    refused = cs.get(FEBRUARY)
    assert refused.status_code == 403 and "audit" in refused.text
    posted = cs.post(
        "/console/review/ask",
        data={
            "csrf": csrf_of(home.text),
            "month": "2026-02",
            "handler": "officer-kim",
            "alert": "other",
            "question": "?",
        },
    )
    assert posted.status_code == 403


def test_forms_without_their_csrf_token_are_refused(
    console: TestClient, web_jikimi: Jikimi, february: str
) -> None:
    fields = {"month": "2026-02", "handler": "cs-lee", "alert": "off_hours", "question": "사유?"}
    assert console.post("/console/review/ask", data=fields).status_code == 403
    assert console.post("/console/review/ask", data={**fields, "csrf": "forged"}).status_code == 403
    assert console.post("/console/justifications/abc/close", data={"outcome": "accepted"}).status_code == 403
    assert web_jikimi.justifications.listed(actor="officer-kim") == []


def test_what_people_type_is_escaped_and_kept_without_personal_data(
    console: TestClient, cs: TestClient, february: str
) -> None:
    assert ask(console, question=f"{XSS} 010-9876-5432 회원 건").status_code == 303  # type: ignore[attr-defined]
    for client, path in (
        (console, FEBRUARY),
        (cs, "/console/justifications"),
        (console, "/console/justifications"),
    ):
        html = client.get(path).text
        assert XSS not in html and "010-9876-5432" not in html
    mine = cs.get("/console/justifications").text
    assert "&lt;script&gt;" in mine
    (request_id,) = re.findall(r'action="/console/justifications/([^/"]+)/answer"', mine)
    cs.post(f"/console/justifications/{request_id}/answer", data={"csrf": csrf_of(mine), "answer": XSS})
    listed = console.get("/console/justifications").text
    assert XSS not in listed and listed.count("&lt;script&gt;") >= 2


def test_an_answer_is_required_and_a_closing_needs_an_answer_first(
    console: TestClient, cs: TestClient, web_jikimi: Jikimi, february: str
) -> None:
    ask(console, question="사유를 알려 주십시오")
    (j,) = web_jikimi.justifications.listed(actor="officer-kim")
    listed = console.get("/console/justifications")
    too_early = console.post(
        f"/console/justifications/{j.id}/close", data={"csrf": csrf_of(listed.text), "outcome": "accepted"}
    )
    assert too_early.status_code == 409 and "답변이 없는" in too_early.text
    mine = cs.get("/console/justifications")
    empty = cs.post(
        f"/console/justifications/{j.id}/answer", data={"csrf": csrf_of(mine.text), "answer": "  "}
    )
    assert empty.status_code == 422 and "answer" in empty.text
    assert "Traceback" not in empty.text


def test_a_broken_chain_is_shown_with_where_it_breaks(
    console: TestClient, web_jikimi: Jikimi, february: str
) -> None:
    with web_jikimi.core.engine.begin() as conn:
        seq = conn.execute(
            select(access_log.c.seq).where(access_log.c.action == "read").limit(1)
        ).scalar_one()
        conn.execute(update(access_log).where(access_log.c.seq == seq).values(purpose="membership"))
    html = console.get(FEBRUARY).text
    assert "위변조 의심" in html and f"seq {seq}" in html and 'role="alert"' in html


def test_a_month_is_chosen_by_its_number_only_and_defaults_to_the_last_one(
    console: TestClient, february: str
) -> None:
    assert START.astimezone(KST).strftime("%Y-%m") == "2026-03"
    assert "2026-02" in console.get("/console/review").text.split("</h1>")[0]
    bad = console.get("/console/review?month=2026-13")
    assert bad.status_code == 422 and "Traceback" not in bad.text
