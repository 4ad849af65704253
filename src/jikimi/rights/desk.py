"""The rights desk's steps (PIPA 35–38): receive, verify the requester, work on, extend, refuse and
answer a request.

A second open request of the same subject and type is detected (the ``open_key`` unique column)
and returned instead of doubled, even when two arrive at once. Nothing that discloses or changes
data happens before the requester's identity is verified (본인 확인); the carrying out of a
correction, deletion, stop or withdrawal is in ``carry_out.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from jikimi.clock import as_utc
from jikimi.core import scrub
from jikimi.crypto import seal_value
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import Handler
from jikimi.ids import new_id
from jikimi.policy.wording import CHANNEL
from jikimi.rights.model import (
    MAX_EXTENSIONS,
    REQUEST_TYPES,
    REQUESTERS,
    due_at,
    due_day,
    due_instant,
    is_open,
    open_key,
)
from jikimi.rights.requests import Reader, Received, RightsRequest, detail_key_id
from jikimi.store import rights as rows
from jikimi.store import subjects as subject_rows
from jikimi.store import values as value_rows
from jikimi.store.rights import RequestRow


class Steps(Reader):
    """Receiving a request and the steps up to its answer."""

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

        ``channel`` is one the policy's rights section declares (``rights.channels``; when it
        declares none, ``DEFAULT_CHANNELS``), recorded on the request; any other is ``InvalidInput``.
        ``requester_detail`` (the guardian's or agent's name, relation, power-of-attorney
        reference) is sealed under a key of the request's own. ``items`` names what to see,
        correct or delete (empty: everything); ``purposes`` what to stop or withdraw consent for;
        ``decision`` the automated decision objected to.
        """
        handler = self._handler(actor, subject_may=True)
        requester = self._requester(handler, requester)
        self._check_kind(type, channel, requester)
        scope = self._scope(type, items, purposes, decision)
        detail = {k: str(v) for k, v in (requester_detail or {}).items() if str(v).strip()}
        if requester == "agent" and not detail.get("power_of_attorney"):
            raise InvalidInput(
                "requester_detail.power_of_attorney",
                "대리인의 요구에는 위임장이 필요합니다",
                "an agent's request needs a power of attorney reference (PIPA 38①)",
            )
        now = self.core.now()
        request_id = new_id()
        key: bytes | None = None
        if (
            detail
        ):  # the key first: a crash leaves a key without a request, never a sealed detail without its key
            with self.core.unit_of_work() as uow:
                kid = detail_key_id(request_id)
                key = self.core.keys.create(uow.conn, [kid], now)[kid]
                uow.commit()
        with self.core.unit_of_work() as uow:
            subject = subject_rows.get(uow.conn, subject_id)
            if requester == "guardian" and not subject.is_child:
                raise InvalidInput(
                    "requester",
                    "법정대리인은 만 14세 미만 아동의 권리만 행사합니다",
                    "a legal guardian acts only for a child under 14 (PIPA 38②)",
                )
            if type == "correction":
                held = value_rows.held_among(uow.conn, subject_id, scope["items"])
                missing = sorted(set(scope["items"]) - set(held))
                if missing:
                    raise InvalidInput(
                        "items",
                        f"보관하지 않는 항목은 정정할 수 없습니다: {missing}",
                        f"items not held cannot be corrected: {missing}",
                    )
            sealed = None
            if key is not None:
                kid = detail_key_id(request_id)
                sealed = seal_value(key, kid, "requester_detail", json.dumps(detail, ensure_ascii=False))
            added = rows.add(
                uow.conn,
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
                handler=None if handler.for_subject else handler.login,
            )
            if not added:
                existing = rows.open_one(uow.conn, open_key(subject_id, type))
                if key is not None:  # the duplicate's details are not kept: its key goes after the commit
                    uow.after_commit(lambda: self._drop_key(detail_key_id(request_id)))
                if existing is None:  # closed meanwhile: let the caller try again
                    raise StateConflict(
                        "같은 요구가 방금 처리되었습니다. 다시 시도하십시오",
                        "the same request was just closed; try again",
                    ) from None
                self._event(
                    uow,
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
                uow, request_id, now, handler, "received", f"channel={channel}, requester={requester}"
            )
            row = rows.get(uow.conn, request_id)
            self._log(uow, now, handler, "rights.receive", "allowed", row, source=source)
            self.core.emit(
                uow,
                now,
                "rights_request.received",
                subject_id,
                key=request_id,
                request_id=request_id,
                request_type=type,
                due_at=as_utc(row.due_at).isoformat(),
            )
            uow.commit()
        return Received(self._view(row, now), duplicate=False)

    def _check_kind(self, type: str, channel: str, requester: str) -> None:
        for field, value, known in (("type", type, REQUEST_TYPES), ("requester", requester, REQUESTERS)):
            if value not in known:
                raise InvalidInput(
                    field,
                    f"알 수 없는 값입니다 (있는 것: {', '.join(known)})",
                    f"unknown value (known: {', '.join(known)})",
                )
        self._check_channel(channel)

    def _check_channel(self, channel: str) -> None:
        """The request must come through a channel the policy's rights section declares (its
        promise to subjects); a policy that declares none gets ``DEFAULT_CHANNELS``."""
        rights = self.core.policy.rights
        declared = rights.channels if rights is not None else ()
        accepted = self.core.policy.rights_channels
        if channel in accepted:
            return
        ko = ", ".join(f"{CHANNEL.get(c, c)}({c})" for c in accepted)
        en = ", ".join(accepted)
        if declared:
            raise InvalidInput(
                "channel",
                f"처리방침이 정한 권리 행사 방법이 아닙니다 (처리방침의 방법: {ko})",
                f"not a channel the policy's rights section declares (declared: {en})",
            )
        raise InvalidInput(
            "channel",
            f"처리방침에 권리 행사 방법이 없어 기본 방법만 받습니다 (기본: {ko})",
            f"the policy's rights section declares no channels; the default ones are accepted ({en})",
        )

    def _scope(
        self, type: str, items: Sequence[str], purposes: Sequence[str], decision: str | None
    ) -> dict[str, Any]:
        items = list(dict.fromkeys(items))
        purposes = list(dict.fromkeys(purposes))
        unknown = [i for i in items if i not in self.core.policy.items_by_id]
        if unknown:
            raise InvalidInput(
                "items", f"처리방침에 없는 항목: {unknown}", f"items not in the policy: {unknown}"
            )
        if type == "correction" and not items:
            raise InvalidInput("items", "정정할 항목을 지정하십시오", "name the items to correct")
        if type in ("stop", "consent_withdrawal"):
            bad = [p for p in purposes if p not in self.core.policy.purposes_by_id]
            if bad:
                raise InvalidInput(
                    "purposes", f"처리방침에 없는 목적: {bad}", f"purposes not in the policy: {bad}"
                )
            if type == "stop" and not purposes:
                raise InvalidInput(
                    "purposes", "처리를 정지할 목적을 지정하십시오", "name the purposes to stop"
                )
            if type == "consent_withdrawal":
                not_consent = [p for p in purposes if self.core.policy.purposes_by_id[p].basis != "consent"]
                if not_consent:
                    raise InvalidInput(
                        "purposes",
                        f"동의를 근거로 하지 않는 목적: {not_consent}",
                        f"purposes not based on consent: {not_consent}",
                    )
        if decision is not None and self.core.policy.automated_decisions:
            if decision not in {d.id for d in self.core.policy.automated_decisions}:
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
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            row = rows.get(uow.conn, request_id, lock=True)
            self._need_unverified(row)
            code = verifier.start(uow, request_id, now)
            self._event(uow, request_id, now, handler, row.status, f"verification started ({verifier.name})")
            self._log(uow, now, handler, "rights.verify.start", "allowed", row, source=source)
            uow.commit()
        return code

    def _need_unverified(self, row: RequestRow) -> None:
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
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            row = rows.get(uow.conn, request_id, lock=True)
            self._need_unverified(row)
            outcome = verifier.check(uow, request_id, proof, now)
            if not outcome.ok:
                self._event(
                    uow, request_id, now, handler, row.status, f"verification failed: {outcome.reason}"
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
                rows.change(uow.conn, request_id, **values)
                self._event(uow, request_id, now, handler, row.status, f"verified ({scrub(outcome.method)})")
            else:
                self._move(
                    uow, row, "verified", handler, now, f"verified ({scrub(outcome.method)})", **values
                )
            held: Sequence[str] = ()
            if row.type == "correction" and row.subject_id is not None:
                held = json.loads(row.scope)["items"]
                value_rows.set_hold(uow.conn, row.subject_id, held, True)
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
        with self._step(request_id, handler) as at:
            if target == "in_progress" and at.row.verified_at is None:
                raise StateConflict("본인 확인 전입니다", "the requester's identity is not verified yet")
            self._move(at.uow, at.row, target, handler, at.now, note, **values)
            self._log(at.uow, at.now, handler, f"rights.{target}", "allowed", at.row, source=source)
        return self.get(request_id, actor=handler)

    def extend(
        self, request_id: str, *, until: date, reason: str, actor: Handler | str, source: str = "local"
    ) -> RightsRequest:
        """Put the answer off to ``until`` (KST day) with a reason (연기: 열람 35③; 자동화된 결정, twice)."""
        handler = self._handler(actor)
        if not reason.strip():
            raise InvalidInput("reason", "연기 사유를 적어야 합니다", "state the reason for the extension")
        with self._step(request_id, handler) as at:
            uow, row, now = at.uow, at.row, at.now
            if row.type not in MAX_EXTENSIONS:
                raise StateConflict(
                    "이 요구는 법이 정한 10일 안에 결과를 알려야 하며 연기할 수 없습니다",
                    "the law gives no extension for this request type; answer within 10 days",
                )
            limit = MAX_EXTENSIONS[row.type]
            done = rows.extensions(uow.conn, request_id)
            if limit is not None and done >= limit:
                raise StateConflict(
                    f"연기는 {limit}번까지입니다", f"the answer may be extended at most {limit} times"
                )
            current = as_utc(row.due_at)
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
                f"until {until.isoformat()}: {scrub(reason.strip())}"[:500],
                due_at=due_instant(until),
                note=(scrub(reason.strip()) or "")[:500],
            )
            self._log(uow, now, handler, "rights.extend", "allowed", row, source=source)
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
        with self._step(request_id, handler) as at:
            uow, row, now = at.uow, at.row, at.now
            self._check_ground(row.type, ground)
            self._move(
                uow,
                row,
                "refused",
                handler,
                now,
                f"refused: {ground}",
                refusal_ground=ground,
                note=(scrub((note or "").strip()) or "")[:500] or None,
            )
            if row.type == "correction" and row.subject_id is not None:
                value_rows.set_hold(uow.conn, row.subject_id, json.loads(row.scope)["items"], False)
            self._log(uow, now, handler, "rights.refuse", "refused", row, source=source)
        return self.get(request_id, actor=handler)

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
        with self._step(request_id, handler) as at:
            uow, row, now = at.uow, at.row, at.now
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
                note and (scrub(note) or "")[:500],
                refusal_ground=partly_ground,
                note=(scrub((note or "").strip()) or "")[:500] or None,
            )
            self._log(uow, now, handler, f"rights.{target}", "allowed", row, source=source)
        return self.get(request_id, actor=handler)

    def _drop_key(self, key_id: str) -> None:
        with self.core.unit_of_work() as uow:
            self.core.keys.destroy(uow, [key_id])
            uow.commit()
