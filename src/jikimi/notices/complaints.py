"""Complaints on the clock (의견수렴 및 불만처리): receive one, the work queue, answer, read.

The deadline is the policy's (``complaints.response_hours``, ``business_days``, working hours,
Korean public holidays), decided by ``complaint_rules`` at receipt and stored; every view says which
rule set it. What a person wrote — the complaint's body and the answer — may hold personal data:
both are sealed under the complaint's own data key (``cp~<id>``, like a rights request's
``rq~<id>``), so they outlive the subject's deletion and are readable only here, each read logged
(``complaint.read``). Receipt and answer are logged too (``complaint.receive``,
``complaint.answer``). An answer to a known subject queues a ``complaint_answer`` notice (ids and
dates only): the notice says an answer is ready and how to get it, never the answer itself.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.crypto import open_value, seal_value
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import Handler
from jikimi.ids import new_id
from jikimi.notices.complaint_rules import (
    CHANNELS,
    NO_DEADLINE,
    STATUSES,
    Deadline,
    HolidayOf,
    ResponseRule,
    deadline,
    hours_left,
    korean_holiday,
)
from jikimi.states import SubjectStatus
from jikimi.store import complaints as rows
from jikimi.store import outbox
from jikimi.store import subjects as subject_rows
from jikimi.store.complaints import ComplaintRow
from jikimi.store.uow import UnitOfWork

MAX_TEXT = 20_000
"""The longest body or answer, in characters."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a receipt time may lie (another machine's clock), and no further."""
EARLIEST_RECEIPT = datetime(2000, 1, 1, tzinfo=UTC)
"""A receipt time before this is a typing error."""
_TOPIC = re.compile(r"[a-z][a-z0-9_]{0,47}")
BODY, ANSWER = "complaint_body", "complaint_answer"
"""The slots the two texts are sealed in (bound into the ciphertext with the key id)."""


def key_id(complaint_id: str) -> str:
    """The data key sealing a complaint's body and answer: its own, so they outlive a deletion."""
    return f"cp~{complaint_id}"


@dataclass(frozen=True)
class Complaint:
    """A complaint as the desk sees it: ids, dates and codes, never what was written."""

    id: str
    channel: str
    subject_id: str | None
    topic: str | None
    status: str
    received_at: datetime
    received_by: str
    due_at: datetime | None
    """When the answer is late from (UTC); None when the policy promises no answer time."""
    basis: str
    """Which rule set the deadline (``complaint_rules.BASES``), or ``set_at_receipt`` when the policy
    has changed since and would set another."""
    basis_ko: str
    basis_en: str
    overdue: bool
    hours_left: float | None
    """Hours to the deadline while open (negative when overdue); None once answered or without one."""
    answered_at: datetime | None
    answered_by: str | None
    on_time: bool | None
    """Whether the answer came before the deadline (None while open)."""
    has_body: bool


@dataclass(frozen=True)
class ComplaintText:
    """A complaint with what was written: its body and its answer (a logged read)."""

    complaint: Complaint
    body: str | None
    answer: str | None


@dataclass(frozen=True)
class Answered:
    complaint: Complaint
    notice_queued: bool
    """True when a ``complaint_answer`` notice to the subject was queued."""


class Complaints:
    """Complaints over a ``Core``. Handlers need the ``complaints`` action; the subject may file one."""

    def __init__(self, core: Core, *, holiday: HolidayOf = korean_holiday) -> None:
        self.core = core
        self._holiday = holiday

    @property
    def rule(self) -> ResponseRule:
        """What the policy in force promises about answering complaints."""
        return ResponseRule.of(self.core.policy)

    def deadline(self, received_at: datetime) -> Deadline:
        """The deadline, and its basis, of a complaint received at ``received_at`` (nothing stored)."""
        return deadline(received_at, self.rule, self._holiday)

    def receive(
        self,
        channel: str,
        *,
        actor: Handler | str,
        received_at: datetime | None = None,
        subject_id: str | None = None,
        topic: str | None = None,
        body: str | None = None,
        source: str = "local",
    ) -> Complaint:
        """Receive a complaint (접수) that arrived through ``channel`` at ``received_at`` (aware; by
        default now). Its deadline is set now, from the policy; ``body`` is sealed; ``topic`` is a
        code (``privacy_leak``), never free text."""
        handler = self._handler(actor, subject_may=True)
        now = self.core.now()
        _check_channel(channel)
        received = _check_receipt(received_at, now)
        topic = _check_topic(topic)
        text = _check_text("body", body)
        due = self.deadline(received)
        complaint_id = new_id()
        kid = key_id(complaint_id)
        if subject_id is not None:
            with self.core.reading() as conn:
                subject_rows.get(conn, subject_id)
        # the key first: a crash leaves a key without a complaint, never a sealed body without its key
        with self.core.unit_of_work() as uow:
            key = self.core.keys.create(uow.conn, [kid], now)[kid]
            uow.commit()
        try:
            with self.core.unit_of_work() as uow:
                rows.add(
                    uow.conn,
                    id=complaint_id,
                    channel=channel,
                    subject_id=subject_id,
                    topic=topic,
                    body=None if text is None else seal_value(key, kid, BODY, text),
                    received_at=received,
                    due_at=NO_DEADLINE if due.due_at is None else due.due_at,
                    received_by=handler.login,
                )
                row = rows.get(uow.conn, complaint_id)
                self._log(uow, now, handler, "complaint.receive", row, source)
                uow.commit()
        except Exception:
            with suppress(Exception):  # best effort: the error to report is the one above
                self._drop_key(kid)
            raise
        return self._view(row, now)

    def answer(
        self, complaint_id: str, answer_text: str, *, actor: Handler | str, source: str = "local"
    ) -> Answered:
        """Answer an open complaint: the answer is sealed, and a notice that it is ready is queued
        for the subject when the complaint names one who is still a member."""
        handler = self._handler(actor)
        text = _check_text("answer", answer_text)
        if text is None:
            raise InvalidInput("answer", "답변이 비어 있습니다", "the answer is empty")
        now = self.core.now()
        kid = key_id(complaint_id)
        with self.core.unit_of_work() as uow:
            row = rows.get(uow.conn, complaint_id, lock=True)
            if row.status != "open":
                raise StateConflict("이미 답변한 민원입니다", "the complaint is answered already")
            key = self.core.keys.get(uow.conn, kid)
            if key is None:
                raise StateConflict(
                    "민원의 데이터 키가 없어 답변을 봉인할 수 없습니다",
                    "the complaint's data key is gone: the answer cannot be sealed",
                )
            sealed = seal_value(key, kid, ANSWER, text)
            if not rows.answer(
                uow.conn, complaint_id, answered_at=now, answered_by=handler.login, sealed=sealed
            ):
                raise StateConflict(
                    "다른 처리와 겹쳤습니다. 다시 시도하십시오", "the complaint changed meanwhile; try again"
                )
            queued = self._queue_notice(uow, row, now)
            answered = rows.get(uow.conn, complaint_id)
            self._log(uow, now, handler, "complaint.answer", answered, source)
            uow.commit()
        return Answered(self._view(answered, now), queued)

    def show(self, complaint_id: str, *, actor: Handler | str, source: str = "local") -> ComplaintText:
        """A complaint with its body and answer, opened: a read of what a person wrote, logged."""
        handler = self._handler(actor)
        core = self.core
        now = core.now()
        kid = key_id(complaint_id)
        with core.unit_of_work() as uow:
            row = rows.get(uow.conn, complaint_id)
            self._log(uow, now, handler, "complaint.read", row, source)
            key = core.keys.get(uow.conn, kid) if row.body is not None or row.answer is not None else None
            uow.commit()
        body = answer = None
        if key is not None:
            body = None if row.body is None else open_value(key, kid, BODY, bytes(row.body))
            answer = None if row.answer is None else open_value(key, kid, ANSWER, bytes(row.answer))
        return ComplaintText(self._view(row, now), body, answer)

    def list(
        self,
        *,
        actor: Handler | str,
        status: str | None = "open",
        overdue: bool | None = None,
        limit: int = 200,
    ) -> builtins.list[Complaint]:
        """The work queue: overdue complaints first, then by deadline. ``status``: ``open`` (the
        default), ``answered`` or None for both; ``overdue``: only overdue ones, or only the others."""
        self._handler(actor)
        if status is not None and status not in STATUSES:
            raise InvalidInput(
                "status",
                f"알 수 없는 상태입니다 (있는 것: {', '.join(STATUSES)})",
                f"unknown status (known: {', '.join(STATUSES)})",
            )
        statuses: Sequence[str] = tuple(STATUSES) if status is None else (status,)
        now = self.core.now()
        with self.core.reading() as conn:
            found = rows.queue(conn, now, statuses=statuses, overdue=overdue, limit=max(1, min(limit, 5000)))
        return [self._view(r, now) for r in found]

    # -- helpers --------------------------------------------------------------------------------

    def _handler(self, actor: Handler | str, *, subject_may: bool = False) -> Handler:
        handler = self.core.actor(actor)
        if subject_may and handler.for_subject:  # the subject files through the service's own form
            return handler
        if not handler.role.may("complaints"):
            raise Denied(
                "action_not_allowed",
                "민원(고충)을 처리할 권한이 없습니다",
                "the handler may not handle complaints",
            )
        return handler

    def _queue_notice(self, uow: UnitOfWork, row: ComplaintRow, now: datetime) -> bool:
        """Tell the subject an answer is ready (ids and dates: the text stays sealed here)."""
        if row.subject_id is None:
            return False
        subject = subject_rows.find(uow.conn, row.subject_id)
        if subject is None or subject.status == SubjectStatus.WITHDRAWN:
            return False  # no one to tell: the member left, and their contact with them
        return outbox.enqueue(
            uow.conn,
            kind="complaint_answer",
            subject_id=row.subject_id,
            dedupe_key=f"complaint_answer:{row.id}",
            payload={
                "complaint_id": row.id,
                "received_at": as_utc(row.received_at).isoformat(),
                "answered_at": now.isoformat(),
            },
            due_at=now,
            now=now,
            channel="email",
            recipient="subject",
        )

    def _log(
        self, uow: UnitOfWork, now: datetime, actor: Handler, action: str, row: ComplaintRow, source: str
    ) -> None:
        self.core.log(
            uow,
            now,
            actor.login,
            action,
            subject_id=row.subject_id,
            source=source,
            reason=f"complaint={row.id}; channel={row.channel}",
        )

    def _drop_key(self, kid: str) -> None:
        with self.core.unit_of_work() as uow:
            self.core.keys.destroy(uow, [kid])
            uow.commit()

    def _view(self, row: ComplaintRow, now: datetime) -> Complaint:
        received_at = as_utc(row.received_at)
        stored = as_utc(row.due_at)
        due_at = None if stored >= NO_DEADLINE else stored
        answered_at = as_utc(row.answered_at)
        is_open = row.status == "open"
        now_rule = self.deadline(received_at)
        if now_rule.due_at == due_at:
            basis, (basis_ko, basis_en) = now_rule.basis, now_rule.explain()
        else:
            basis = "set_at_receipt"
            basis_ko = "접수할 때 처리방침에 따라 정한 기한입니다 (그 뒤 처리방침의 답변 시한이 바뀌었습니다)"
            basis_en = "the deadline the policy set at receipt (the policy's answer time has changed since)"
        return Complaint(
            id=row.id,
            channel=row.channel,
            subject_id=row.subject_id,
            topic=row.topic,
            status=row.status,
            received_at=received_at,
            received_by=row.received_by,
            due_at=due_at,
            basis=basis,
            basis_ko=basis_ko,
            basis_en=basis_en,
            overdue=is_open and due_at is not None and now >= due_at,
            hours_left=hours_left(due_at, now) if is_open else None,
            answered_at=answered_at,
            answered_by=row.answered_by,
            on_time=None if answered_at is None else due_at is None or answered_at < due_at,
            has_body=row.body is not None,
        )


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        known = ", ".join(CHANNELS)
        raise InvalidInput(
            "channel",
            f"알 수 없는 접수 경로입니다 (있는 것: {known})",
            f"unknown channel (known: {known})",
        )


def _check_receipt(received_at: datetime | None, now: datetime) -> datetime:
    if received_at is None:
        return now
    if received_at.tzinfo is None:
        raise InvalidInput(
            "received_at",
            "접수 시각에 시간대가 없습니다 (예: 2026-10-02T19:00+09:00)",
            "the receipt time has no time zone (e.g. 2026-10-02T19:00+09:00)",
        )
    received = received_at.astimezone(UTC)
    if received > now + CLOCK_SKEW:
        raise InvalidInput("received_at", "접수 시각이 미래입니다", "the receipt time is in the future")
    if received < EARLIEST_RECEIPT:
        raise InvalidInput(
            "received_at", "접수 시각이 2000년보다 이릅니다", "the receipt time is before the year 2000"
        )
    return received


def _check_topic(topic: str | None) -> str | None:
    if topic is None or not topic.strip():
        return None
    if not _TOPIC.fullmatch(topic.strip()):
        raise InvalidInput(
            "topic",
            "주제는 코드입니다: 영문 소문자로 시작하는 소문자·숫자·_ 48자 이내 (자유 문구는 본문에)",
            "the topic is a code: lower-case letters, digits and _, starting with a letter, at most 48 "
            "(free text goes in the body)",
        )
    return topic.strip()


def _check_text(field: str, text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_TEXT:
        raise InvalidInput(field, f"{MAX_TEXT}자를 넘습니다", f"longer than {MAX_TEXT} characters")
    if "\x00" in text:
        raise InvalidInput(field, "NUL 문자가 있습니다", "contains a NUL character")
    return text.strip()
