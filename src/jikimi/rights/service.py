"""The rights desk: receive, verify, extend, answer and refuse data-subject requests (PIPA 35–38).

``RightsService(vault)`` keeps every request in ``rights_requests`` with its deadline and its
history in ``rights_events``. Each operation is one unit of work that also writes the access log.
A second open request of the same subject and type is detected (the ``open_key`` unique column)
and returned instead of doubled, even when two arrive at once. Nothing that discloses or changes
data — the access package, a correction, a deletion, a stop — happens before the requester's
identity is verified (본인 확인).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from jikimi.audit import Entry
from jikimi.crypto import open_value, seal_value
from jikimi.errors import Denied, InvalidInput, NotFound, StateConflict
from jikimi.handlers import Handler
from jikimi.ids import new_id
from jikimi.rights import corrections
from jikimi.rights.model import (
    CHANNELS,
    MAX_EXTENSIONS,
    REFUSAL_GROUNDS,
    REQUEST_TYPES,
    REQUESTERS,
    can_move,
    days_left,
    due_at,
    due_day,
    due_instant,
    grounds_for,
    is_korean_public_holiday,
    is_open,
    open_key,
)
from jikimi.rights.verification import OneTimeCode, VerifiedByHandler, Verifier
from jikimi.store.tables import processing_stops, rights_events, rights_requests, subjects
from jikimi.store.uow import UnitOfWork
from jikimi.vault import SELF, Vault


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


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _maybe_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


def detail_key_id(request_id: str) -> str:
    """The data key sealing a request's requester details: its own, so they outlive a deletion."""
    return f"rq~{request_id}"


class RightsService:
    """Data-subject requests over a vault. Handlers need the ``rights`` action (the subject may file)."""

    def __init__(
        self,
        vault: Vault,
        *,
        verifiers: Mapping[str, Verifier] | None = None,
        is_holiday: Callable[[date], bool] = is_korean_public_holiday,
    ) -> None:
        self.vault = vault
        self.policy = vault.policy
        self._verifiers = dict(verifiers) if verifiers is not None else None
        self._is_holiday = is_holiday

    # -- helpers --------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return _utc(self.vault.clock.now())

    def verifier(self, name: str) -> Verifier:
        if self._verifiers is None:
            index_key = self.vault.keys.ensure_index_key(self.vault.engine, self._now())
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
        handler = self.vault._actor(actor)
        if subject_may and handler.id == SELF.id:
            return handler
        if not handler.role.may("rights"):
            raise Denied(
                "action_not_allowed",
                "정보주체 권리 요구를 처리할 권한이 없습니다",
                "the handler may not handle data-subject requests",
            )
        return handler

    def _row(self, conn: Connection, request_id: str, *, lock: bool = False) -> Row[Any]:
        query = select(rights_requests).where(rights_requests.c.id == request_id)
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise NotFound("권리 요구가 없습니다", "no such rights request")
        return row

    def _view(self, row: Row[Any], now: datetime) -> RightsRequest:
        scope = json.loads(row.scope)
        due = _utc(row.due_at)
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
            received_at=_utc(row.received_at),
            due_at=due,
            due_day=due_day(due),
            days_left=days_left(due, now),
            overdue=open_now and now >= due,
            verified_at=_maybe_utc(row.verified_at),
            verification=row.verification,
            answered_at=_maybe_utc(row.answered_at),
            refusal_ground=row.refusal_ground,
            note=row.note,
            handler=row.handler,
        )

    def _event(
        self,
        conn: Connection,
        request_id: str,
        now: datetime,
        actor: Handler,
        status: str,
        note: str | None = None,
    ) -> None:
        conn.execute(
            insert(rights_events).values(
                request_id=request_id, at=now, actor=actor.login, status=status, note=note
            )
        )

    def _move(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        target: str,
        actor: Handler,
        now: datetime,
        event: str | None = None,
        **values: object,
    ) -> None:
        """Change the status (checked against the allowed moves); closing frees the duplicate key."""
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
        result = uow.conn.execute(
            update(rights_requests)
            .where(rights_requests.c.id == row.id, rights_requests.c.status == row.status)
            .values(**changes)
        )
        if not result.rowcount:
            raise StateConflict(
                "다른 처리와 겹쳤습니다. 다시 시도하십시오", "the request changed meanwhile; try again"
            )
        self._event(uow.conn, row.id, now, actor, target, event)

    def _log(
        self,
        uow: UnitOfWork,
        now: datetime,
        actor: Handler,
        action: str,
        outcome: str,
        row: Row[Any] | None,
        items: Sequence[str] = (),
        source: str = "local",
        subject_id: str | None = None,
    ) -> None:
        sid = subject_id if row is None else row.subject_id
        reason = None if row is None else f"request={row.id}; type={row.type}"
        self.vault.access_log.append(
            uow, [Entry(now, actor.login, action, outcome, sid, tuple(items), source=source, reason=reason)]
        )

    # -- receiving ------------------------------------------------------------------------------

    def receive(
        self,
        subject_id: str,
        type: str,
        *,
        channel: str,
        actor: Handler | str,
        requester: str = "self",
        requester_detail: Mapping[str, str] | None = None,
        items: Sequence[str] = (),
        purposes: Sequence[str] = (),
        decision: str | None = None,
        source: str = "local",
    ) -> Received:
        """Receive a request (접수). Its deadline runs from now; a duplicate returns the open one.

        ``requester_detail`` (the guardian's or agent's name, relation, power-of-attorney
        reference) is sealed under a key of the request's own. ``items`` names what to see,
        correct or delete (empty: everything); ``purposes`` what to stop or withdraw consent for;
        ``decision`` the automated decision objected to.
        """
        handler = self._handler(actor, subject_may=True)
        self._check_kind(type, channel, requester)
        scope = self._scope(type, items, purposes, decision)
        detail = {k: str(v) for k, v in (requester_detail or {}).items() if str(v).strip()}
        if requester == "agent" and not detail.get("power_of_attorney"):
            raise InvalidInput(
                "requester_detail.power_of_attorney",
                "대리인의 요구에는 위임장이 필요합니다",
                "an agent's request needs a power of attorney reference (PIPA 38①)",
            )
        now = self._now()
        request_id = new_id()
        with UnitOfWork(self.vault.engine) as uow:
            subject = uow.conn.execute(select(subjects.c.is_child).where(subjects.c.id == subject_id)).first()
            if subject is None:
                raise NotFound("대상자가 없습니다", "no such subject")
            if requester == "guardian" and not subject.is_child:
                raise InvalidInput(
                    "requester",
                    "법정대리인은 만 14세 미만 아동의 권리만 행사합니다",
                    "a legal guardian acts only for a child under 14 (PIPA 38②)",
                )
            if type == "correction":
                held = corrections.held_items(uow.conn, subject_id, scope["items"])
                missing = sorted(set(scope["items"]) - set(held))
                if missing:
                    raise InvalidInput(
                        "items",
                        f"보관하지 않는 항목은 정정할 수 없습니다: {missing}",
                        f"items not held cannot be corrected: {missing}",
                    )
            sealed = None
            if detail:
                kid = detail_key_id(request_id)
                key = self.vault.keys.create(uow.conn, [kid], now)[kid]
                sealed = seal_value(key, kid, "requester_detail", json.dumps(detail, ensure_ascii=False))
            try:
                with uow.conn.begin_nested():
                    uow.conn.execute(
                        insert(rights_requests).values(
                            id=request_id,
                            subject_id=subject_id,
                            type=type,
                            requester=requester,
                            requester_detail=sealed,
                            channel=channel,
                            status="received",
                            scope=json.dumps(scope),
                            received_at=now,
                            due_at=due_at(now, type, self._is_holiday),
                            open_key=open_key(subject_id, type),
                            handler=None if handler.id == SELF.id else handler.login,
                        )
                    )
            except IntegrityError:
                existing = uow.conn.execute(
                    select(rights_requests).where(rights_requests.c.open_key == open_key(subject_id, type))
                ).first()
                if existing is None:  # closed meanwhile: let the caller try again
                    raise StateConflict(
                        "같은 요구가 방금 처리되었습니다. 다시 시도하십시오",
                        "the same request was just closed; try again",
                    ) from None
                self._event(
                    uow.conn,
                    existing.id,
                    now,
                    handler,
                    existing.status,
                    f"duplicate received (channel={channel}, requester={requester})",
                )
                self._log(uow, now, handler, "rights.receive", "duplicate", existing, source=source)
                uow.commit()
                return Received(self._view(existing, now), duplicate=True)
            self._event(
                uow.conn, request_id, now, handler, "received", f"channel={channel}, requester={requester}"
            )
            row = self._row(uow.conn, request_id)
            self._log(uow, now, handler, "rights.receive", "allowed", row, source=source)
            uow.commit()
        return Received(self._view(row, now), duplicate=False)

    def _check_kind(self, type: str, channel: str, requester: str) -> None:
        for field, value, known in (
            ("type", type, REQUEST_TYPES),
            ("channel", channel, CHANNELS),
            ("requester", requester, REQUESTERS),
        ):
            if value not in known:
                raise InvalidInput(
                    field,
                    f"알 수 없는 값입니다 (있는 것: {', '.join(known)})",
                    f"unknown value (known: {', '.join(known)})",
                )

    def _scope(
        self, type: str, items: Sequence[str], purposes: Sequence[str], decision: str | None
    ) -> dict[str, Any]:
        items = list(dict.fromkeys(items))
        purposes = list(dict.fromkeys(purposes))
        unknown = [i for i in items if i not in self.policy.items_by_id]
        if unknown:
            raise InvalidInput(
                "items", f"처리방침에 없는 항목: {unknown}", f"items not in the policy: {unknown}"
            )
        if type == "correction" and not items:
            raise InvalidInput("items", "정정할 항목을 지정하십시오", "name the items to correct")
        if type in ("stop", "consent_withdrawal"):
            bad = [p for p in purposes if p not in self.policy.purposes_by_id]
            if bad:
                raise InvalidInput(
                    "purposes", f"처리방침에 없는 목적: {bad}", f"purposes not in the policy: {bad}"
                )
            if type == "stop" and not purposes:
                raise InvalidInput(
                    "purposes", "처리를 정지할 목적을 지정하십시오", "name the purposes to stop"
                )
            if type == "consent_withdrawal":
                not_consent = [p for p in purposes if self.policy.purposes_by_id[p].basis != "consent"]
                if not_consent:
                    raise InvalidInput(
                        "purposes",
                        f"동의를 근거로 하지 않는 목적: {not_consent}",
                        f"purposes not based on consent: {not_consent}",
                    )
        if decision is not None and self.policy.automated_decisions:
            if decision not in {d.id for d in self.policy.automated_decisions}:
                raise InvalidInput(
                    "decision",
                    "처리방침에 없는 자동화된 결정입니다",
                    "is not an automated decision the policy declares",
                )
        return {"items": items, "purposes": purposes, "decision": decision}

    # -- identity -------------------------------------------------------------------------------

    def start_verification(
        self, request_id: str, *, method: str = "one_time_code", actor: Handler | str, source: str = "local"
    ) -> str | None:
        """Begin verifying the requester; returns the one-time code for the service to deliver."""
        handler = self._handler(actor)
        verifier = self.verifier(method)
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._row(uow.conn, request_id, lock=True)
            self._need_unverified(row)
            code = verifier.start(uow.conn, request_id, now)
            self._event(
                uow.conn, request_id, now, handler, row.status, f"verification started ({verifier.name})"
            )
            self._log(uow, now, handler, "rights.verify.start", "allowed", row, source=source)
            uow.commit()
        return code

    def _need_unverified(self, row: Row[Any]) -> None:
        if not is_open(row.status):
            raise StateConflict("이미 끝난 요구입니다", "the request is closed")
        if row.verified_at is not None:
            raise StateConflict("이미 본인 확인이 끝났습니다", "the requester is already verified")

    def verify(
        self, request_id: str, *, method: str, proof: str, actor: Handler | str, source: str = "local"
    ) -> RightsRequest:
        """Verify the requester (본인 확인). A correction's items go on hold from here on."""
        handler = self._handler(actor, subject_may=method == "one_time_code")
        verifier = self.verifier(method)
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._row(uow.conn, request_id, lock=True)
            self._need_unverified(row)
            outcome = verifier.check(uow.conn, request_id, proof, now)
            if not outcome.ok:
                self._event(
                    uow.conn, request_id, now, handler, row.status, f"verification failed: {outcome.reason}"
                )
                self._log(uow, now, handler, "rights.verify", f"denied:{outcome.reason}", row, source=source)
                uow.commit()  # the failed attempt counts
                raise Denied(
                    f"verification_{outcome.reason}",
                    "본인 확인에 실패했습니다",
                    "identity verification failed",
                )
            values: dict[str, object] = {"verified_at": now, "verification": verifier.name}
            target = "verified" if row.status in ("received", "extended") else row.status
            if target == row.status:
                uow.conn.execute(
                    update(rights_requests).where(rights_requests.c.id == request_id).values(**values)
                )
                self._event(uow.conn, request_id, now, handler, row.status, f"verified ({outcome.method})")
            else:
                self._move(uow, row, "verified", handler, now, f"verified ({outcome.method})", **values)
            held: Sequence[str] = ()
            if row.type == "correction" and row.subject_id is not None:
                held = json.loads(row.scope)["items"]
                corrections.place_hold(uow.conn, row.subject_id, held)
            self._log(uow, now, handler, "rights.verify", "allowed", row, items=held, source=source)
            uow.commit()
        return self.get(request_id, actor=handler)

    # -- progress -------------------------------------------------------------------------------

    def start(self, request_id: str, *, actor: Handler | str, source: str = "local") -> RightsRequest:
        """Mark a verified request as being worked on (처리 중)."""
        return self._simple_move(request_id, "in_progress", actor, None, source)

    def _simple_move(
        self,
        request_id: str,
        target: str,
        actor: Handler | str,
        note: str | None,
        source: str,
        **values: object,
    ) -> RightsRequest:
        handler = self._handler(actor)
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._row(uow.conn, request_id, lock=True)
            if target == "in_progress" and row.verified_at is None:
                raise StateConflict("본인 확인 전입니다", "the requester's identity is not verified yet")
            self._move(uow, row, target, handler, now, note, **values)
            self._log(uow, now, handler, f"rights.{target}", "allowed", row, source=source)
            uow.commit()
        return self.get(request_id, actor=handler)

    def extend(
        self, request_id: str, *, until: date, reason: str, actor: Handler | str, source: str = "local"
    ) -> RightsRequest:
        """Put the answer off to ``until`` (KST day) with a reason (연기: 열람 35③; 자동화된 결정, twice)."""
        handler = self._handler(actor)
        if not reason.strip():
            raise InvalidInput("reason", "연기 사유를 적어야 합니다", "state the reason for the extension")
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._row(uow.conn, request_id, lock=True)
            if row.type not in MAX_EXTENSIONS:
                raise StateConflict(
                    "이 요구는 법이 정한 10일 안에 결과를 알려야 하며 연기할 수 없습니다",
                    "the law gives no extension for this request type; answer within 10 days",
                )
            limit = MAX_EXTENSIONS[row.type]
            done = uow.conn.execute(
                select(func.count())
                .select_from(rights_events)
                .where(rights_events.c.request_id == request_id, rights_events.c.status == "extended")
            ).scalar_one()
            if limit is not None and done >= limit:
                raise StateConflict(
                    f"연기는 {limit}번까지입니다", f"the answer may be extended at most {limit} times"
                )
            current = _utc(row.due_at)
            if now >= current:
                raise StateConflict(
                    "기한이 지난 뒤에는 연기할 수 없습니다. 지체 없이 답하십시오",
                    "the deadline has passed; an extension must be given before it",
                )
            if until <= due_day(current):
                raise InvalidInput(
                    "until", "새 기한은 지금 기한보다 늦어야 합니다", "must be later than the current due day"
                )
            self._move(
                uow,
                row,
                "extended",
                handler,
                now,
                f"until {until.isoformat()}: {reason.strip()}"[:500],
                due_at=due_instant(until),
                note=reason.strip()[:500],
            )
            self._log(uow, now, handler, "rights.extend", "allowed", row, source=source)
            uow.commit()
        return self.get(request_id, actor=handler)

    def refuse(
        self,
        request_id: str,
        *,
        ground: str,
        note: str | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> RightsRequest:
        """Refuse the request on a legal ground; a correction's hold is lifted. See ``refusal_notice``."""
        handler = self._handler(actor)
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._row(uow.conn, request_id, lock=True)
            self._check_ground(row.type, ground)
            self._move(
                uow,
                row,
                "refused",
                handler,
                now,
                f"refused: {ground}",
                refusal_ground=ground,
                note=(note or "").strip()[:500] or None,
            )
            if row.type == "correction" and row.subject_id is not None:
                corrections.lift_hold(uow.conn, row.subject_id, json.loads(row.scope)["items"])
            self._log(uow, now, handler, "rights.refuse", "refused", row, source=source)
            uow.commit()
        return self.get(request_id, actor=handler)

    def _check_ground(self, type: str, ground: str) -> None:
        if ground not in {g.id for g in grounds_for(type)}:
            known = ", ".join(g.id for g in grounds_for(type))
            raise InvalidInput(
                "ground",
                f"이 요구에 쓸 수 없는 거절 사유입니다 (있는 것: {known})",
                f"not a refusal ground for this request type (known: {known})",
            )

    def answer(
        self,
        request_id: str,
        *,
        note: str | None = None,
        partly_ground: str | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> RightsRequest:
        """Close an access or automated-decision request as answered (or partly, with a legal ground).

        The other types close through the action that carries them out (``apply_correction``,
        ``delete``, ``stop_processing``, ``withdraw_consents``)."""
        handler = self._handler(actor)
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._row(uow.conn, request_id, lock=True)
            if row.type not in ("access", "automated_decision"):
                raise StateConflict(
                    "이 요구는 정정·삭제·정지·철회를 실행하여 마칩니다",
                    "this request closes by carrying it out (correction, deletion, stop, withdrawal)",
                )
            target = "answered"
            if partly_ground is not None:
                self._check_ground(row.type, partly_ground)
                target = "partly_answered"
            self._move(
                uow,
                row,
                target,
                handler,
                now,
                note and note[:500],
                refusal_ground=partly_ground,
                note=(note or "").strip()[:500] or None,
            )
            self._log(uow, now, handler, f"rights.{target}", "allowed", row, source=source)
            uow.commit()
        return self.get(request_id, actor=handler)

    # -- carrying requests out ------------------------------------------------------------------

    def _verified_open(self, uow: UnitOfWork, request_id: str, type: str) -> Row[Any]:
        row = self._row(uow.conn, request_id, lock=True)
        if row.type != type:
            raise StateConflict(f"'{type}' 요구가 아닙니다", f"the request is not of type '{type}'")
        if not is_open(row.status):
            raise StateConflict("이미 끝난 요구입니다", "the request is closed")
        if row.verified_at is None:
            raise StateConflict("본인 확인 전입니다", "the requester's identity is not verified yet")
        return row

    def _close_partly(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        handler: Handler,
        now: datetime,
        done: Sequence[str],
        refused: Mapping[str, str],
        what: str,
    ) -> str:
        for each in refused.values():
            self._check_ground(row.type, each)
        note = "; ".join(f"{key}: {why}" for key, why in sorted(refused.items())) or None
        ground = sorted(refused.values())[0] if refused else None
        target = ("refused" if not done else "partly_answered") if refused else "answered"
        self._move(
            uow,
            row,
            target,
            handler,
            now,
            f"{what}: {', '.join(done) or '-'}" + (f"; refused {note}" if note else ""),
            refusal_ground=ground,
            note=note,
        )
        return target

    def apply_correction(
        self,
        request_id: str,
        values: Mapping[str, str],
        *,
        refuse: Mapping[str, str] | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> RightsRequest:
        """Correct the items (정정): new values re-sealed, holds lifted, earlier recipients notified.

        Every item of the request must be either corrected (``values``) or refused with a ground
        (``refuse``: item → ground). Values are checked like at collection."""
        handler = self._handler(actor)
        refused = dict(refuse or {})
        new_values = corrections.validated(self.policy, values)
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._verified_open(uow, request_id, "correction")
            items = set(json.loads(row.scope)["items"])
            stray = sorted((set(new_values) | set(refused)) - items)
            if stray:
                raise InvalidInput(
                    stray[0], "이 정정 요구에 없는 항목입니다", "is not an item of this correction request"
                )
            left = sorted(items - set(new_values) - set(refused))
            if left:
                raise InvalidInput(
                    left[0], "정정하거나 거절 사유를 정해야 합니다", "correct it or refuse it with a ground"
                )
            sid = row.subject_id
            key = self.vault.keys.get(uow.conn, sid)
            if key is None:
                raise StateConflict(
                    "대상자의 데이터 키가 없습니다 (파기됨)", "the subject's data key is gone (destroyed)"
                )
            index_key = self.vault.keys.ensure_index_key(self.vault.engine, now)
            corrections.apply_values(
                uow.conn, self.policy, subject_id=sid, data_key=key, index_key=index_key, values=new_values
            )
            corrections.lift_hold(uow.conn, sid, refused)
            notified = corrections.queue_correction_notices(
                uow.conn, request_id=request_id, subject_id=sid, items=new_values, now=now
            )
            self._close_partly(uow, row, handler, now, sorted(new_values), refused, "corrected")
            if notified:
                self._event(
                    uow.conn,
                    request_id,
                    now,
                    handler,
                    "answered" if not refused else "partly_answered",
                    f"correction notices queued for {', '.join(notified)}",
                )
            self._log(
                uow, now, handler, "rights.correct", "allowed", row, items=sorted(new_values), source=source
            )
            uow.commit()
        return self.get(request_id, actor=handler)

    def stop_processing(
        self,
        request_id: str,
        *,
        refuse: Mapping[str, str] | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> RightsRequest:
        """Stop processing for the purposes named (처리정지); the gate then denies them
        (``processing_stopped``). Purposes in ``refuse`` (purpose → ground) keep running."""
        handler = self._handler(actor)
        refused = dict(refuse or {})
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._verified_open(uow, request_id, "stop")
            purposes = json.loads(row.scope)["purposes"]
            stray = sorted(set(refused) - set(purposes))
            if stray:
                raise InvalidInput(stray[0], "이 요구에 없는 목적입니다", "is not a purpose of this request")
            stopped = [p for p in purposes if p not in refused]
            for purpose_id in stopped:
                already = uow.conn.execute(
                    select(processing_stops.c.id).where(
                        processing_stops.c.subject_id == row.subject_id,
                        processing_stops.c.purpose_id == purpose_id,
                        processing_stops.c.lifted_at.is_(None),
                    )
                ).first()
                if already is None:
                    uow.conn.execute(
                        insert(processing_stops).values(
                            subject_id=row.subject_id, purpose_id=purpose_id, request_id=request_id, at=now
                        )
                    )
            self._close_partly(uow, row, handler, now, stopped, refused, "stopped")
            self.vault.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "rights.stop",
                        "allowed",
                        row.subject_id,
                        (),
                        ",".join(stopped)[:64] or None,
                        source,
                        f"request={row.id}; type=stop",
                    )
                ],
            )
            uow.commit()
        return self.get(request_id, actor=handler)

    def withdraw_consents(
        self,
        request_id: str,
        *,
        refuse: Mapping[str, str] | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> RightsRequest:
        """Withdraw the consents named (동의 철회, 37): later reads for them are denied.

        Each withdrawal is the vault's own (idempotent) operation, recorded as the subject's act
        through the request's channel; the request closes once they are all done."""
        handler = self._handler(actor)
        refused = dict(refuse or {})
        with UnitOfWork(self.vault.engine) as uow:
            row = self._verified_open(uow, request_id, "consent_withdrawal")
        purposes = json.loads(row.scope)["purposes"] or [
            p.id for p in self.policy.purposes if p.basis == "consent"
        ]
        stray = sorted(set(refused) - set(purposes))
        if stray:
            raise InvalidInput(stray[0], "이 요구에 없는 목적입니다", "is not a purpose of this request")
        for ground in refused.values():
            self._check_ground(row.type, ground)
        done = [p for p in purposes if p not in refused]
        by = handler if handler.role.may("consent") else SELF
        for purpose_id in done:
            self.vault.withdraw_consent(
                row.subject_id, purpose_id, actor=by, channel=row.channel, source=source
            )
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._verified_open(uow, request_id, "consent_withdrawal")
            self._close_partly(uow, row, handler, now, done, refused, "withdrawn")
            self._log(uow, now, handler, "rights.withdraw_consent", "allowed", row, source=source)
            uow.commit()
        return self.get(request_id, actor=handler)

    def delete(
        self,
        request_id: str,
        *,
        refuse: Mapping[str, str] | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> RightsRequest:
        """Delete the items named, or everything when none are named (삭제, 36), by the lifecycle's rules.

        What a retention rule keeps is separated (분리보관), not kept active; the answer then says
        so with the ground ``other_law_requires_data``. Items in ``refuse`` (item → ground) stay.
        The vault's deletion is its own transaction; the request closes right after it (a retry
        after a crash in between finds nothing left to delete and closes the request)."""
        handler = self._handler(actor)
        refused = dict(refuse or {})
        with UnitOfWork(self.vault.engine) as uow:
            row = self._verified_open(uow, request_id, "deletion")
            status = uow.conn.execute(
                select(subjects.c.status).where(subjects.c.id == row.subject_id)
            ).scalar()
            held = corrections.held_items(uow.conn, row.subject_id, self.policy.items_by_id)
        for ground in refused.values():
            self._check_ground(row.type, ground)
        named = json.loads(row.scope)["items"]
        stray = sorted(set(refused) - set(named or held))
        if stray:
            raise InvalidInput(
                stray[0], "이 삭제 요구에 없는 항목입니다", "is not an item of this deletion request"
            )
        destroyed: set[str] = set()
        separated: set[str] = set()
        if status is not None and status != "withdrawn":
            end = None
            if not named and not refused:
                end = self.vault.withdraw(
                    row.subject_id,
                    "deletion_request",
                    source=source,
                    channel=row.channel,
                    actor=handler if handler.role.may("withdraw") else SELF,
                )
            else:
                targets = [i for i in (named or held) if i not in refused]
                if targets:
                    end = self.vault.delete_items(row.subject_id, targets, actor=handler, source=source)
            if end is not None:
                destroyed, separated = set(end.destroyed), set(end.separated)
        kept = {
            slot.split(":")[0] if slot.startswith("record:") else slot: "other_law_requires_data"
            for slot in separated
        }
        done = sorted(destroyed - set(kept)) or (["-"] if not kept and not refused else [])
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._verified_open(uow, request_id, "deletion")
            self._close_partly(uow, row, handler, now, done, {**kept, **refused}, "deleted")
            self._log(
                uow, now, handler, "rights.delete", "allowed", row, items=sorted(destroyed), source=source
            )
            uow.commit()
        return self.get(request_id, actor=handler)

    # -- reading --------------------------------------------------------------------------------

    def get(self, request_id: str, *, actor: Handler | str) -> RightsRequest:
        self._handler(actor, subject_may=True)
        with self.vault.engine.connect() as conn:
            row = self._row(conn, request_id)
        return self._view(row, self._now())

    def events(self, request_id: str, *, actor: Handler | str) -> list[Event]:
        """The request's history: every status change, verification attempt and duplicate."""
        self._handler(actor)
        with self.vault.engine.connect() as conn:
            self._row(conn, request_id)
            rows = conn.execute(
                select(rights_events)
                .where(rights_events.c.request_id == request_id)
                .order_by(rights_events.c.id)
            ).all()
        return [Event(_utc(r.at), r.actor, r.status, r.note) for r in rows]

    def list_requests(
        self,
        *,
        actor: Handler | str,
        open_only: bool = True,
        subject_id: str | None = None,
        type: str | None = None,
        limit: int = 200,
    ) -> list[RightsRequest]:
        """Requests, overdue ones first, then by due date (the officer's work queue)."""
        self._handler(actor)
        now = self._now()
        query = select(rights_requests)
        if open_only:
            query = query.where(
                rights_requests.c.status.in_(("received", "verified", "in_progress", "extended"))
            )
        if subject_id is not None:
            query = query.where(rights_requests.c.subject_id == subject_id)
        if type is not None:
            query = query.where(rights_requests.c.type == type)
        overdue_first = case(
            (and_(rights_requests.c.open_key.is_not(None), rights_requests.c.due_at <= now), 0), else_=1
        )
        query = query.order_by(overdue_first, rights_requests.c.due_at, rights_requests.c.id).limit(
            max(1, min(limit, 5000))
        )
        with self.vault.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [self._view(r, now) for r in rows]

    def requester_detail(
        self, request_id: str, *, actor: Handler | str, source: str = "local"
    ) -> dict[str, str]:
        """The guardian's or agent's details (sealed); a read of personal data, logged."""
        handler = self._handler(actor)
        now = self._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = self._row(uow.conn, request_id)
            self._log(uow, now, handler, "rights.requester_detail", "allowed", row, source=source)
            if row.requester_detail is None:
                uow.commit()
                return {}
            kid = detail_key_id(request_id)
            key = self.vault.keys.get(uow.conn, kid)
            uow.commit()
        if key is None:
            return {}
        detail: dict[str, str] = json.loads(
            open_value(key, kid, "requester_detail", bytes(row.requester_detail))
        )
        return detail

    def refusal_notice(self, request_id: str, *, actor: Handler | str) -> dict[str, str]:
        """What to tell the requester of a refusal: the ground, its article, and how to object."""
        from jikimi.rights.model import HOW_TO_OBJECT_EN, HOW_TO_OBJECT_KO

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
