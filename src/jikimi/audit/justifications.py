"""The 소명 (justification) workflow of the monthly access-log review.

The officer reviewing a month (``audit.report``) asks a handler to justify what an alert shows
(``ask``: a question, due in ``DUE_DAYS`` days); the handler asked, and only they, answers
(``answer``); the officer closes the answered request (``close``): the answer is ``accepted``, or
``action`` was taken (a note says which). A request moves ``asked`` → ``answered`` → ``closed``,
never back. Asking and closing need the ``audit`` action, and no one closes a request addressed
to themselves.

Each step writes an access-log row (``audit.justification.ask``, ``.answer``, ``.close``; a refused
step its ``denied:`` row) naming the request, the month, the alert and the handler asked. The
question, the answer and the note are free text: stored scrubbed of personal data (``core.scrub``).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from jikimi.audit.alerts import ALERT_KINDS
from jikimi.clock import as_utc
from jikimi.core import Core, scrub
from jikimi.errors import Denied, InvalidInput, StateConflict, UsageError
from jikimi.handlers import Handler
from jikimi.ids import new_id
from jikimi.periods import Duration, expiry_instant, kst_day, month_bounds
from jikimi.store import justifications as rows
from jikimi.store.justifications import JustificationRow
from jikimi.store.uow import UnitOfWork

DUE_DAYS = 7
"""Days the handler has to answer, the day of asking not counted (the close of the 7th day, KST)."""
MAX_TEXT = 2000
"""The longest question, answer or note, in characters."""
ALERTS: dict[str, tuple[str, str]] = {**ALERT_KINDS, "other": ("기타", "other")}
"""What a request may be about: an alert kind of the review, or ``other``."""
OUTCOMES: dict[str, tuple[str, str]] = {
    "accepted": ("소명 인정", "justification accepted"),
    "action": ("조치 필요", "action taken"),
}
"""How the officer closes a request."""
STATES: dict[str, tuple[str, str]] = {
    "asked": ("답변 대기", "awaiting the answer"),
    "answered": ("답변됨 (종결 대기)", "answered, to be closed"),
    "closed": ("종결", "closed"),
}


@dataclass(frozen=True, kw_only=True)
class Justification:
    """A 소명 request as its parties see it: handler logins, dates, codes and the scrubbed texts."""

    id: str
    month: str
    handler: str
    alert: str
    alert_day: date | None
    question: str
    asked_by: str
    asked_at: datetime
    due_at: datetime
    """The answer is late from this instant (UTC)."""
    answer: str | None
    answered_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    outcome: str | None
    closing_note: str | None
    overdue: bool
    """Unanswered past ``due_at``."""

    @property
    def due_day(self) -> date:
        """The last day to answer (KST): the answer is late from the midnight after it."""
        return kst_day(self.due_at - timedelta(microseconds=1))

    @property
    def state(self) -> str:
        """``asked``, ``answered`` or ``closed`` (``STATES``)."""
        if self.closed_at is not None:
            return "closed"
        return "answered" if self.answered_at is not None else "asked"

    @property
    def state_ko(self) -> str:
        return STATES[self.state][0]

    @property
    def state_en(self) -> str:
        return STATES[self.state][1]


class Justifications:
    """The 소명 requests over a ``Core``."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def ask(
        self,
        month: str,
        handler_login: str,
        alert: str,
        alert_day: date | str | None,
        question: str,
        *,
        actor: Handler | str,
        source: str = "local",
    ) -> Justification:
        """Ask ``handler_login`` to justify what ``alert`` (``ALERTS``) showed in ``month``
        (``YYYY-MM``, begun already) on ``alert_day`` (a day of that month, or None). The asker
        needs the ``audit`` action and a handler account, and asks someone else."""
        core = self.core
        now = core.now()
        asker = self._auditor(actor, "ask", now, source)
        month = _month(month, now)
        if alert not in ALERTS:
            raise InvalidInput(
                "alert",
                f"알 수 없는 알림 종류입니다 (있는 것: {', '.join(ALERTS)})",
                f"unknown alert kind (known: {', '.join(ALERTS)})",
            )
        day = _day(alert_day, month)
        text = _text("question", question, required=True)
        asked = core.handlers.get(handler_login)  # NotFound for an unknown or disabled handler
        if asked.id == asker.id:
            raise InvalidInput(
                "handler", "자기 자신에게는 소명을 요청할 수 없습니다", "no one asks themselves to justify"
            )
        justification_id = new_id()
        with core.unit_of_work() as uow:
            rows.add(
                uow.conn,
                id=justification_id,
                month=month,
                handler_id=asked.id,
                alert=alert,
                alert_day=None if day is None else day.isoformat(),
                question=text,
                asked_by=asker.id,
                asked_at=now,
                due_at=expiry_instant(now, Duration(days=DUE_DAYS)),
            )
            row = rows.get(uow.conn, justification_id)
            self._log(uow, now, asker, "ask", row, source)
            uow.commit()
        return _view(row, now)

    def answer(
        self, justification_id: str, text: str, *, actor: Handler | str, source: str = "local"
    ) -> Justification:
        """The asked handler's answer to an open, unanswered request (once; late answers are taken)."""
        core = self.core
        now = core.now()
        handler = core.actor(actor)
        answer = _text("answer", text, required=True)
        with core.unit_of_work() as uow:
            row = rows.get(uow.conn, justification_id, lock=True)
            if row.handler_id != handler.id:
                self._log(uow, now, handler, "answer", row, source, outcome="denied:action_not_allowed")
                uow.commit()
                raise Denied(
                    "action_not_allowed",
                    "소명을 요청받은 취급자만 답변할 수 있습니다",
                    "only the handler asked may answer",
                )
            _still_open(row)
            if row.answered_at is not None:
                raise StateConflict("이미 답변한 소명 요청입니다", "the request is answered already")
            if not rows.answer(uow.conn, justification_id, text=answer or "", at=now):
                raise StateConflict(
                    "다른 처리와 겹쳤습니다. 다시 시도하십시오", "the request changed meanwhile; try again"
                )
            row = rows.get(uow.conn, justification_id)
            self._log(uow, now, handler, "answer", row, source)
            uow.commit()
        return _view(row, now)

    def close(
        self,
        justification_id: str,
        outcome: str,
        note: str | None,
        *,
        actor: Handler | str,
        source: str = "local",
    ) -> Justification:
        """Close an answered request with ``outcome`` (``OUTCOMES``); ``action`` needs a ``note``
        saying what was done. The closer needs the ``audit`` action and is not the handler asked."""
        core = self.core
        now = core.now()
        officer = self._auditor(actor, "close", now, source)
        if outcome not in OUTCOMES:
            raise InvalidInput(
                "outcome",
                f"종결 결과는 {', '.join(OUTCOMES)} 중 하나입니다",
                f"the outcome is one of {', '.join(OUTCOMES)}",
            )
        text = _text("note", note, required=outcome == "action")
        with core.unit_of_work() as uow:
            row = rows.get(uow.conn, justification_id, lock=True)
            if row.handler_id == officer.id:
                self._log(uow, now, officer, "close", row, source, outcome="denied:action_not_allowed")
                uow.commit()
                raise Denied(
                    "action_not_allowed",
                    "자기에게 온 소명 요청은 종결할 수 없습니다",
                    "no one closes a request addressed to themselves",
                )
            _still_open(row)
            if row.answered_at is None:
                raise StateConflict(
                    "답변이 없는 소명 요청은 종결할 수 없습니다",
                    "the request cannot be closed before its answer",
                )
            if not rows.close(uow.conn, justification_id, by=officer.id, at=now, outcome=outcome, note=text):
                raise StateConflict(
                    "다른 처리와 겹쳤습니다. 다시 시도하십시오", "the request changed meanwhile; try again"
                )
            row = rows.get(uow.conn, justification_id)
            self._log(uow, now, officer, "close", row, source)
            uow.commit()
        return _view(row, now)

    def listed(
        self,
        month: str | None = None,
        handler: str | None = None,
        open_only: bool = False,
        *,
        actor: Handler | str,
    ) -> builtins.list[Justification]:
        """The requests of ``month`` and to ``handler`` (a login; each when given), open ones first
        by deadline (``open_only``: only those). Needs the ``audit`` action."""
        now = self.core.now()
        handler_ = self.core.actor(actor)
        if not handler_.role.may("audit"):
            raise _not_auditor()
        if month is not None:
            month = _month(month, None)
        with self.core.reading() as conn:
            found = rows.listed(conn, month=month, handler_login=handler, open_only=open_only)
        return [_view(r, now) for r in found]

    def for_handler(self, login: str, *, actor: Handler | str) -> builtins.list[Justification]:
        """The requests addressed to the handler ``login``, open ones first: theirs to see, or an
        auditor's."""
        now = self.core.now()
        handler = self.core.actor(actor)
        if handler.login != login and not handler.role.may("audit"):
            raise Denied(
                "action_not_allowed",
                "다른 취급자에게 온 소명 요청은 볼 수 없습니다",
                "a handler sees only the requests addressed to them",
            )
        with self.core.reading() as conn:
            found = rows.listed(conn, handler_login=login)
        return [_view(r, now) for r in found]

    def get(self, justification_id: str, *, actor: Handler | str) -> Justification:
        """One request: to the handler asked, or to an auditor (``NotFound`` if there is none)."""
        now = self.core.now()
        handler = self.core.actor(actor)
        with self.core.reading() as conn:
            row = rows.get(conn, justification_id)
        if row.handler_id != handler.id and not handler.role.may("audit"):
            raise Denied(
                "action_not_allowed",
                "다른 취급자에게 온 소명 요청은 볼 수 없습니다",
                "a handler sees only the requests addressed to them",
            )
        return _view(row, now)

    # -- helpers --------------------------------------------------------------------------------

    def _auditor(self, actor: Handler | str, step: str, now: datetime, source: str) -> Handler:
        """The acting handler, if it may ask and close: the ``audit`` action and a handler account
        (the requests name their asker and closer by account). A refusal is logged."""
        core = self.core
        handler = core.actor(actor)
        if handler.role.may("audit") and core.handlers.by_id(handler.id) is not None:
            return handler
        with core.unit_of_work() as uow:
            core.log(
                uow,
                now,
                handler.login,
                f"audit.justification.{step}",
                outcome="denied:action_not_allowed",
                source=source,
            )
            uow.commit()
        raise _not_auditor()

    def _log(
        self,
        uow: UnitOfWork,
        now: datetime,
        actor: Handler,
        step: str,
        row: JustificationRow,
        source: str,
        *,
        outcome: str = "allowed",
    ) -> None:
        self.core.log(
            uow,
            now,
            actor.login,
            f"audit.justification.{step}",
            outcome=outcome,
            source=source,
            reason=(
                f"justification={row.id}; month={row.month}; alert={row.alert}; handler={row.handler_login}"
            ),
        )


def _not_auditor() -> Denied:
    return Denied(
        "action_not_allowed",
        "소명 요청과 종결에는 접속기록 점검(audit) 권한이 있는 취급자 계정이 필요합니다",
        "asking for and closing justifications needs a handler account whose role has the audit action",
    )


def _still_open(row: JustificationRow) -> None:
    if row.closed_at is not None:
        raise StateConflict("이미 종결된 소명 요청입니다", "the request is closed already")


def _month(month: str, now: datetime | None) -> str:
    try:
        start, _ = month_bounds(month)
    except UsageError as exc:
        raise InvalidInput("month", "월은 YYYY-MM 형식입니다", "the month is YYYY-MM") from exc
    if now is not None and start > now:
        raise InvalidInput("month", "아직 시작하지 않은 달입니다", "the month has not begun")
    return month.strip()


def _day(day: date | str | None, month: str) -> date | None:
    if day is None or (isinstance(day, str) and not day.strip()):
        return None
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day.strip())
        except ValueError as exc:
            raise InvalidInput("alert_day", "날짜는 YYYY-MM-DD 형식입니다", "the day is YYYY-MM-DD") from exc
    if day.strftime("%Y-%m") != month:
        raise InvalidInput("alert_day", "점검하는 달의 날이 아닙니다", "the day is not in the reviewed month")
    return day


def _text(field: str, text: str | None, *, required: bool) -> str | None:
    """Free text as stored: stripped, bounded, scrubbed of personal data (None when empty)."""
    if text is None or not text.strip():
        if required:
            raise InvalidInput(field, "비어 있습니다", "is empty")
        return None
    if len(text) > MAX_TEXT:
        raise InvalidInput(field, f"{MAX_TEXT}자를 넘습니다", f"longer than {MAX_TEXT} characters")
    if "\x00" in text:
        raise InvalidInput(field, "NUL 문자가 있습니다", "contains a NUL character")
    return scrub(text.strip())


def _view(row: JustificationRow, now: datetime) -> Justification:
    due_at = as_utc(row.due_at)
    answered_at = as_utc(row.answered_at)
    closed_at = as_utc(row.closed_at)
    return Justification(
        id=row.id,
        month=row.month,
        handler=row.handler_login,
        alert=row.alert,
        alert_day=None if row.alert_day is None else date.fromisoformat(row.alert_day),
        question=row.question,
        asked_by=row.asked_by_login,
        asked_at=as_utc(row.asked_at),
        due_at=due_at,
        answer=row.answer,
        answered_at=answered_at,
        closed_by=row.closed_by_login,
        closed_at=closed_at,
        outcome=row.outcome,
        closing_note=row.closing_note,
        overdue=answered_at is None and closed_at is None and now >= due_at,
    )
