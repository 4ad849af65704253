"""The 소명 workflow: the officer asks a handler to justify what an alert showed, the handler asked
answers (they alone, once), the officer closes it after the answer; every step is in the access
log, the texts are kept without personal data, the deadline is seven days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jikimi.audit.justifications import Justifications
from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, InvalidInput, NotFound, StateConflict
from jikimi.handlers import Handler
from jikimi.periods import KST

JUNE_2 = datetime(2026, 6, 2, 10, 0, tzinfo=KST)
QUESTION = "5월 9일(토) 11시 회원 정보 열람 3건의 업무상 사유를 알려 주십시오."


@pytest.fixture
def desk(jikimi: Jikimi, clock: FixedClock) -> Justifications:
    clock.set(JUNE_2)
    return jikimi.justifications


@pytest.fixture
def auditor(jikimi: Jikimi, officer: Handler) -> Handler:
    """A second reviewer: the audit action and nothing else."""
    jikimi.handlers.define_role("auditor", purposes=[], actions=["audit"], actor=officer)
    handler, _ = jikimi.handlers.create("au-jung", "correct horse battery", role="auditor", actor=officer)
    return handler


def steps(jikimi: Jikimi) -> list[tuple[str, str, str, str | None]]:
    """The access-log rows of the workflow: actor, action, outcome, reason."""
    page = jikimi.audit.in_month("2026-06", limit=1000)
    return [(e.actor, e.action, e.outcome, e.reason) for e in page.entries if e.action.startswith("audit.")]


def test_officer_asks_a_handler_to_justify_off_hours_reads_and_closes_it_after_the_answer(
    jikimi: Jikimi, desk: Justifications, clock: FixedClock, officer: Handler, support_agent: Handler
) -> None:
    asked = desk.ask("2026-05", "cs-kim", "off_hours", "2026-05-09", QUESTION, actor=officer)
    assert (asked.state, asked.handler, asked.asked_by, asked.alert, asked.alert_day) == (
        "asked",
        "cs-kim",
        "officer-park",
        "off_hours",
        date(2026, 5, 9),
    )
    assert asked.question == QUESTION and asked.asked_at == JUNE_2.astimezone(UTC)
    assert asked.due_at == datetime(2026, 6, 10, 0, 0, tzinfo=KST)  # the close of the 7th day after
    assert asked.due_day == date(2026, 6, 9)
    assert desk.for_handler("cs-kim", actor=support_agent) == [asked]

    clock.advance(timedelta(hours=3))
    answered = desk.answer(
        asked.id, "토요일 긴급 배송 문의 응대였습니다 (상담 번호 A-1182).", actor=support_agent
    )
    assert answered.state == "answered" and answered.answered_at == clock.now()
    assert answered.answer == "토요일 긴급 배송 문의 응대였습니다 (상담 번호 A-1182)."

    clock.advance(timedelta(hours=1))
    closed = desk.close(asked.id, "accepted", "상담 기록과 일치", actor=officer)
    assert (closed.state, closed.outcome, closed.closed_by, closed.closing_note) == (
        "closed",
        "accepted",
        "officer-park",
        "상담 기록과 일치",
    )
    assert desk.listed(month="2026-05", actor=officer) == [closed]
    reason = f"justification={asked.id}; month=2026-05; alert=off_hours; handler=cs-kim"
    assert steps(jikimi) == [
        ("officer-park", "audit.justification.ask", "allowed", reason),
        ("cs-kim", "audit.justification.answer", "allowed", reason),
        ("officer-park", "audit.justification.close", "allowed", reason),
    ]
    assert jikimi.audit.verify().ok


def test_the_question_the_answer_and_the_note_are_kept_without_personal_data(
    desk: Justifications, officer: Handler, support_agent: Handler
) -> None:
    asked = desk.ask(
        "2026-05", "cs-kim", "volume_jump", None, "010-1234-5678 회원을 왜 60번 열람했나요?", actor=officer
    )
    assert "010-1234-5678" not in asked.question and "<" in asked.question
    answered = desk.answer(asked.id, "hong@example.com 고객의 요청이었습니다", actor=support_agent)
    assert "hong@example.com" not in (answered.answer or "")
    closed = desk.close(asked.id, "action", "주민번호 900101-1234567 노출 건 교육 실시", actor=officer)
    assert "900101-1234567" not in (closed.closing_note or "")
    again = desk.listed(actor=officer)[0]
    assert (again.question, again.answer, again.closing_note) == (
        asked.question,
        answered.answer,
        closed.closing_note,
    )


def test_only_the_handler_asked_answers_and_only_once(
    jikimi: Jikimi, desk: Justifications, officer: Handler, support_agent: Handler, marketer: Handler
) -> None:
    asked = desk.ask("2026-05", "cs-kim", "denials", "2026-05-11", QUESTION, actor=officer)
    for someone_else in (marketer, officer):
        with pytest.raises(Denied) as refused:
            desk.answer(asked.id, "제가 대신 답합니다", actor=someone_else)
        assert refused.value.reason == "action_not_allowed"
    desk.answer(asked.id, "비밀번호를 잊어 여러 번 틀렸습니다", actor=support_agent)
    with pytest.raises(StateConflict):
        desk.answer(asked.id, "고쳐 씁니다", actor=support_agent)
    with pytest.raises(InvalidInput):
        desk.answer(asked.id, "   ", actor=support_agent)
    assert [(actor, outcome) for actor, action, outcome, _ in steps(jikimi) if action.endswith("answer")] == [
        ("mk-lee", "denied:action_not_allowed"),
        ("officer-park", "denied:action_not_allowed"),
        ("cs-kim", "allowed"),
    ]


def test_a_request_is_closed_only_after_its_answer_only_once_and_with_a_known_outcome(
    desk: Justifications, officer: Handler, support_agent: Handler
) -> None:
    asked = desk.ask("2026-05", "cs-kim", "mass_download", "2026-05-07", QUESTION, actor=officer)
    with pytest.raises(StateConflict):
        desk.close(asked.id, "accepted", None, actor=officer)
    desk.answer(asked.id, "이벤트 발송 대상 추출", actor=support_agent)
    with pytest.raises(InvalidInput) as bad:
        desk.close(asked.id, "rejected", None, actor=officer)
    assert bad.value.field == "outcome"
    with pytest.raises(InvalidInput) as no_note:
        desk.close(asked.id, "action", "  ", actor=officer)
    assert no_note.value.field == "note"
    assert desk.close(asked.id, "accepted", None, actor=officer).closing_note is None
    with pytest.raises(StateConflict):
        desk.close(asked.id, "action", "다시", actor=officer)
    with pytest.raises(StateConflict):
        desk.answer(asked.id, "늦은 답변", actor=support_agent)
    with pytest.raises(NotFound):
        desk.close("no-such-request", "accepted", None, actor=officer)


def test_asking_needs_the_audit_action_a_handler_account_and_someone_else(
    jikimi: Jikimi, desk: Justifications, officer: Handler, support_agent: Handler, marketer: Handler
) -> None:
    with pytest.raises(Denied):
        desk.ask("2026-05", "mk-lee", "off_hours", None, QUESTION, actor=support_agent)
    with pytest.raises(Denied):
        desk.ask("2026-05", "mk-lee", "off_hours", None, QUESTION, actor="system")
    assert steps(jikimi) == [
        ("cs-kim", "audit.justification.ask", "denied:action_not_allowed", None),
        ("system", "audit.justification.ask", "denied:action_not_allowed", None),
    ]
    with pytest.raises(InvalidInput) as themselves:
        desk.ask("2026-05", "officer-park", "off_hours", None, QUESTION, actor=officer)
    assert themselves.value.field == "handler"
    with pytest.raises(NotFound):
        desk.ask("2026-05", "nobody", "off_hours", None, QUESTION, actor=officer)
    for month, alert, day, question, field in (
        ("2026-5", "off_hours", None, QUESTION, "month"),
        ("2026-07", "off_hours", None, QUESTION, "month"),  # not begun
        ("2026-05", "curiosity", None, QUESTION, "alert"),
        ("2026-05", "off_hours", "2026-06-01", QUESTION, "alert_day"),
        ("2026-05", "off_hours", "9 May", QUESTION, "alert_day"),
        ("2026-05", "off_hours", None, " ", "question"),
        ("2026-05", "off_hours", None, "x" * 2001, "question"),
    ):
        with pytest.raises(InvalidInput) as bad:
            desk.ask(month, "mk-lee", alert, day, question, actor=officer)
        assert bad.value.field == field
    assert desk.ask("2026-06", "mk-lee", "other", None, QUESTION, actor=officer).state == "asked"


def test_no_one_closes_a_request_addressed_to_themselves(
    desk: Justifications, officer: Handler, auditor: Handler
) -> None:
    asked = desk.ask("2026-05", "au-jung", "off_hours", None, QUESTION, actor=officer)
    desk.answer(asked.id, "점검 작업이었습니다", actor=auditor)
    with pytest.raises(Denied):
        desk.close(asked.id, "accepted", None, actor=auditor)
    assert desk.close(asked.id, "accepted", None, actor=officer).state == "closed"


def test_an_unanswered_request_is_overdue_after_its_seventh_day_and_open_ones_come_first(
    desk: Justifications, clock: FixedClock, officer: Handler, support_agent: Handler, marketer: Handler
) -> None:
    first = desk.ask("2026-05", "cs-kim", "off_hours", None, QUESTION, actor=officer)
    clock.advance(timedelta(days=1))
    second = desk.ask("2026-05", "mk-lee", "volume_jump", None, QUESTION, actor=officer)
    clock.advance(timedelta(minutes=1))
    third = desk.ask("2026-04", "mk-lee", "mass_download", None, QUESTION, actor=officer)
    desk.answer(first.id, "응대", actor=support_agent)
    desk.close(first.id, "accepted", None, actor=officer)

    clock.set(datetime(2026, 6, 10, 23, 59, tzinfo=KST))  # the 7th day after the 3rd: still in time
    assert [j.overdue for j in desk.listed(actor=officer)] == [False, False, False]
    clock.set(datetime(2026, 6, 11, 0, 0, tzinfo=KST))
    listed = desk.listed(actor=officer)
    assert [(j.id, j.overdue) for j in listed] == [(second.id, True), (third.id, True), (first.id, False)]
    assert [j.id for j in desk.listed(open_only=True, actor=officer)] == [second.id, third.id]
    assert [j.id for j in desk.listed(month="2026-05", handler="mk-lee", actor=officer)] == [second.id]
    assert listed[0].state_ko == "답변 대기" and listed[0].state_en == "awaiting the answer"


def test_a_handler_sees_only_the_requests_addressed_to_them(
    desk: Justifications, officer: Handler, support_agent: Handler, marketer: Handler
) -> None:
    mine = desk.ask("2026-05", "cs-kim", "off_hours", None, QUESTION, actor=officer)
    desk.ask("2026-05", "mk-lee", "off_hours", None, QUESTION, actor=officer)
    assert [j.id for j in desk.for_handler("cs-kim", actor=support_agent)] == [mine.id]
    assert desk.get(mine.id, actor=support_agent) == mine
    with pytest.raises(Denied):
        desk.for_handler("mk-lee", actor=support_agent)
    with pytest.raises(Denied):
        desk.listed(actor=support_agent)
    theirs = desk.for_handler("mk-lee", actor=marketer)[0]
    with pytest.raises(Denied):
        desk.get(theirs.id, actor=support_agent)
    assert len(desk.for_handler("mk-lee", actor=officer)) == 1  # an auditor sees anyone's
