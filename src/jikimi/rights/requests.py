"""The rights desk's common ground: the request as the desk shows it, and the steps every operation
shares — who may act, the request's history, status moves checked against the allowed ones, and
the access-log row of each step. Requests hold ids, dates and codes, never personal values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.crypto import open_value
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import GUARDIAN, Handler
from jikimi.rights.answers import queue_answer
from jikimi.rights.model import (
    HOW_TO_OBJECT_EN,
    HOW_TO_OBJECT_KO,
    REFUSAL_GROUNDS,
    REQUEST_TYPES,
    STATUSES,
    can_move,
    days_left,
    due_day,
    grounds_for,
    is_open,
)
from jikimi.rights.verification import OneTimeCode, VerifiedByHandler, Verifier
from jikimi.store import rights as rows
from jikimi.store.rights import RequestRow
from jikimi.store.uow import UnitOfWork


@dataclass(frozen=True)
class RightsRequest:
    """A request as the desk sees it: ids, dates and codes, never personal values."""

    id: str
    subject_id: str | None
    type: str
    requester: str
    channel: str
    status: str
    items: tuple[str, ...]
    purposes: tuple[str, ...]
    decision: str | None
    received_at: datetime
    due_at: datetime
    due_day: date
    days_left: int
    overdue: bool
    verified_at: datetime | None
    verification: str | None
    answered_at: datetime | None
    refusal_ground: str | None
    note: str | None
    handler: str | None


@dataclass(frozen=True)
class Received:
    request: RightsRequest
    duplicate: bool
    """True when an open request of the same subject and type already existed (it is returned)."""


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    status: str
    note: str | None


@dataclass(frozen=True)
class Step:
    """What one step on a request works with: its unit of work, its locked row, who acts, the
    items or purposes refused with their grounds (when carrying it out), and the step's instant."""

    uow: UnitOfWork
    row: RequestRow
    handler: Handler
    refused: dict[str, str]
    now: datetime


class DeskBase:
    """What every step of the rights desk shares. Handlers need the ``rights`` action (the subject may file)."""  # noqa: E501

    core: Core
    _verifiers: dict[str, Verifier] | None
    _is_holiday: Callable[[date], bool]

    # -- helpers --------------------------------------------------------------------------------

    def verifier(self, name: str) -> Verifier:
        if self._verifiers is None:
            index_key = self.core.index_key()
            otp_key = hmac.new(index_key, b"jikimi/rights/one-time-code", hashlib.sha256).digest()
            self._verifiers = {"one_time_code": OneTimeCode(otp_key), "handler": VerifiedByHandler()}
        found = self._verifiers.get(name)
        if found is None:
            known = ", ".join(sorted(self._verifiers))
            raise InvalidInput(
                "method",
                f"알 수 없는 본인 확인 방법입니다 (있는 것: {known})",
                f"unknown verification method (known: {known})",
            )
        return found

    def _handler(self, actor: Handler | str, *, subject_may: bool = False) -> Handler:
        handler = self.core.actor(actor)
        if subject_may and handler.for_subject:  # the subject, or a child's guardian, themselves
            return handler
        if not handler.role.may("rights"):
            raise Denied(
                "action_not_allowed",
                "정보주체 권리 요구를 처리할 권한이 없습니다",
                "the handler may not handle data-subject requests",
            )
        return handler

    @staticmethod
    def _requester(handler: Handler, requester: str) -> str:
        """Who makes the request: as given, except that the guardian acting (``actor="guardian"``)
        files as the child's legal guardian: ``"self"`` (the default) reads as ``"guardian"``."""
        if handler.id != GUARDIAN.id or requester == "guardian":
            return requester
        if requester != "self":
            raise InvalidInput(
                "requester",
                "법정대리인이 직접 낸 요구는 법정대리인(guardian)의 요구입니다",
                "a request the guardian files is the guardian's (requester='guardian')",
            )
        return "guardian"

    @contextmanager
    def _step(
        self,
        request_id: str,
        handler: Handler,
        *,
        carrying_out: str | None = None,
        refuse: Mapping[str, str] | None = None,
    ) -> Iterator[Step]:
        """One step on a request, in one unit of work: the request's row is locked, and the work
        done in the ``with`` block commits when it ends without an error. ``carrying_out``: the
        request must be a verified, open request of that type."""
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            row = rows.get(uow.conn, request_id, lock=True)
            if carrying_out is not None:
                if row.type != carrying_out:
                    raise StateConflict(
                        f"'{carrying_out}' 요구가 아닙니다", f"the request is not of type '{carrying_out}'"
                    )
                if not is_open(row.status):
                    raise StateConflict("이미 끝난 요구입니다", "the request is closed")
                if row.verified_at is None:
                    raise StateConflict("본인 확인 전입니다", "the requester's identity is not verified yet")
            yield Step(uow, row, handler, dict(refuse or {}), now)
            uow.commit()

    def _view(self, row: RequestRow, now: datetime) -> RightsRequest:
        scope = json.loads(row.scope)
        due = as_utc(row.due_at)
        open_now = is_open(row.status)
        return RightsRequest(
            id=row.id,
            subject_id=row.subject_id,
            type=row.type,
            requester=row.requester,
            channel=row.channel,
            status=row.status,
            items=tuple(scope.get("items", ())),
            purposes=tuple(scope.get("purposes", ())),
            decision=scope.get("decision"),
            received_at=as_utc(row.received_at),
            due_at=due,
            due_day=due_day(due),
            days_left=days_left(due, now),
            overdue=open_now and now >= due,
            verified_at=as_utc(row.verified_at),
            verification=row.verification,
            answered_at=as_utc(row.answered_at),
            refusal_ground=row.refusal_ground,
            note=row.note,
            handler=row.handler,
        )

    def _event(
        self,
        uow: UnitOfWork,
        request_id: str,
        now: datetime,
        actor: Handler,
        status: str,
        note: str | None = None,
    ) -> None:
        rows.add_event(uow.conn, request_id, at=now, actor=actor.login, status=status, note=note)

    def _move(
        self,
        uow: UnitOfWork,
        row: RequestRow,
        target: str,
        actor: Handler,
        now: datetime,
        event: str | None = None,
        **values: object,
    ) -> None:
        """Change the status (checked against the allowed moves); closing frees the duplicate key and
        queues the answer notice to the subject in the same unit of work (``answers.queue_answer``)."""
        if not can_move(row.status, target):
            raise StateConflict(
                f"'{row.status}' 상태에서 '{target}'(으)로 바꿀 수 없습니다",
                f"a request that is '{row.status}' cannot become '{target}'",
            )
        if target in ("answered", "partly_answered") and row.verified_at is None:
            raise StateConflict(
                "본인 확인 전에는 답할 수 없습니다", "the requester's identity is not verified yet"
            )
        changes: dict[str, object] = {"status": target, "handler": actor.login, **values}
        if not is_open(target):
            changes.update(open_key=None, answered_at=now)
        if not rows.move(uow.conn, row.id, row.status, **changes):
            raise StateConflict(
                "다른 처리와 겹쳤습니다. 다시 시도하십시오", "the request changed meanwhile; try again"
            )
        if not is_open(target):  # the answer is told to the subject, or the history says why not
            ground = values.get("refusal_ground")
            told = queue_answer(
                uow,
                self.core.policy,
                self.core.keys.master,
                row,
                target,
                ground if isinstance(ground, str) else None,
                now,
            )
            event = "; ".join(part for part in (event, told.event_note()) if part)
        self._event(uow, row.id, now, actor, target, event)

    def _log(
        self,
        uow: UnitOfWork,
        now: datetime,
        actor: Handler,
        action: str,
        outcome: str,
        row: RequestRow | None,
        items: Sequence[str] = (),
        source: str = "local",
        subject_id: str | None = None,
    ) -> None:
        sid = subject_id if row is None else row.subject_id
        reason = None if row is None else f"request={row.id}; type={row.type}"
        self.core.log(
            uow,
            now,
            actor.login,
            action,
            outcome=outcome,
            subject_id=sid,
            items=tuple(items),
            source=source,
            reason=reason,
        )

    def _check_ground(self, type: str, ground: str) -> None:
        if ground not in {g.id for g in grounds_for(type)}:
            known = ", ".join(g.id for g in grounds_for(type))
            raise InvalidInput(
                "ground",
                f"이 요구에 쓸 수 없는 거절 사유입니다 (있는 것: {known})",
                f"not a refusal ground for this request type (known: {known})",
            )


def detail_key_id(request_id: str) -> str:
    """The data key sealing a request's requester details: its own, so they outlive a deletion."""
    return f"rq~{request_id}"


class Reader(DeskBase):
    """Reading requests: one, its history, the queue, the requester's details, a refusal notice."""

    def get(self, request_id: str, *, actor: Handler | str) -> RightsRequest:
        self._handler(actor, subject_may=True)
        with self.core.reading() as conn:
            row = rows.get(conn, request_id)
        return self._view(row, self.core.now())

    def events(self, request_id: str, *, actor: Handler | str) -> list[Event]:
        """The request's history: every status change, verification attempt and duplicate."""
        self._handler(actor)
        with self.core.reading() as conn:
            rows.get(conn, request_id)
            found = rows.events(conn, request_id)
        return [Event(as_utc(r.at), r.actor, r.status, r.note) for r in found]

    def list_requests(
        self,
        *,
        actor: Handler | str,
        open_only: bool = True,
        subject_id: str | None = None,
        type: str | None = None,
        status: str | None = None,
        limit: int = 200,
    ) -> list[RightsRequest]:
        """Requests, overdue ones first, then by due date (the officer's work queue). ``status``
        keeps only the requests in that status (``open_only`` then does not matter)."""
        self._handler(actor)
        for field, value, known in (("type", type, REQUEST_TYPES), ("status", status, STATUSES)):
            if value is not None and value not in known:
                raise InvalidInput(
                    field,
                    f"알 수 없는 값입니다 (있는 것: {', '.join(known)})",
                    f"unknown value (known: {', '.join(known)})",
                )
        now = self.core.now()
        with self.core.reading() as conn:
            found = rows.queue(
                conn,
                now,
                open_only=open_only,
                subject_id=subject_id,
                type=type,
                status=status,
                limit=max(1, min(limit, 5000)),
            )
        return [self._view(r, now) for r in found]

    def requester_detail(
        self, request_id: str, *, actor: Handler | str, source: str = "local"
    ) -> dict[str, str]:
        """The guardian's or agent's details (sealed); a read of personal data, logged."""
        handler = self._handler(actor)
        core = self.core
        now = core.now()
        with core.unit_of_work() as uow:
            row = rows.get(uow.conn, request_id)
            self._log(uow, now, handler, "rights.requester_detail", "allowed", row, source=source)
            if row.requester_detail is None:
                uow.commit()
                return {}
            kid = detail_key_id(request_id)
            key = core.keys.get(uow.conn, kid)
            uow.commit()
        if key is None:
            return {}
        detail: dict[str, str] = json.loads(
            open_value(key, kid, "requester_detail", bytes(row.requester_detail))
        )
        return detail

    def refusal_notice(self, request_id: str, *, actor: Handler | str) -> dict[str, str]:
        """What to tell the requester of a refusal: the ground, its article, and how to object."""
        request = self.get(request_id, actor=actor)
        if request.refusal_ground is None:
            raise StateConflict("거절된 요구가 아닙니다", "the request was not refused")
        ground = REFUSAL_GROUNDS[request.refusal_ground]
        return {
            "ground": ground.id,
            "article": ground.article,
            "reason_ko": ground.ko,
            "reason_en": ground.en,
            "how_to_object_ko": HOW_TO_OBJECT_KO,
            "how_to_object_en": HOW_TO_OBJECT_EN,
        }
