"""Carrying requests out: correction (정정), deletion (삭제), stop (처리정지) and consent withdrawal
(동의 철회) — each in ONE unit of work with the request's closing.

The change and the answer commit together: a crash at any point leaves either the data changed and
the request closed, or neither. Keys follow after the commit (a deletion's everyday key, see
``lifecycle/separation.py``). Every item or purpose named must be carried out or refused with a
legal ground; what a retention rule keeps after a deletion is separated and answered with the
ground ``other_law_requires_data``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from jikimi.errors import InvalidInput, StateConflict
from jikimi.handlers import SELF, Handler
from jikimi.lifecycle.separation import Ended, Ending
from jikimi.rights import corrections
from jikimi.rights.requests import Reader, RightsRequest, Step
from jikimi.states import SubjectStatus
from jikimi.store import rights as rows
from jikimi.store import subjects as subject_rows
from jikimi.store import values as value_rows
from jikimi.store.rights import RequestRow
from jikimi.store.uow import UnitOfWork
from jikimi.vault.consents import Consenting


class CarryingOut(Reader):
    """The four requests that close by carrying them out."""

    lifecycle: Ending
    consents: Consenting

    def _close_partly(
        self,
        uow: UnitOfWork,
        row: RequestRow,
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

    def _stray(self, asked: Sequence[str], refused: Mapping[str, str], what: tuple[str, str]) -> None:
        stray = sorted(set(refused) - set(asked))
        if stray:
            raise InvalidInput(stray[0], *what)

    def _carry_out(
        self,
        request_id: str,
        kind: str,
        actor: Handler | str,
        refuse: Mapping[str, str] | None,
        step: Callable[[Step], None],
    ) -> RightsRequest:
        """Carry out a verified open request of ``kind`` with ``step`` and close it, in one unit of work."""
        handler = self._handler(actor)
        with self._step(request_id, handler, carrying_out=kind, refuse=refuse) as at:
            step(at)
        return self.get(request_id, actor=handler)

    # -- correction -----------------------------------------------------------------------------

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
        handler = self._handler(actor)  # who acts is checked first, as for every step of the desk
        new_values = corrections.validated(self.core.policy, values)
        # the index key before the unit of work: its first use is a transaction of its own
        index_key = self.core.index_key()
        return self._carry_out(
            request_id,
            "correction",
            handler,
            refuse,
            lambda at: self._correct(at, new_values, index_key, source),
        )

    def _correct(self, at: Step, new_values: Mapping[str, str], index_key: bytes, source: str) -> None:
        core, uow, row, refused = self.core, at.uow, at.row, at.refused
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
        key = core.keys.get(uow.conn, sid)
        if key is None:
            raise StateConflict(
                "대상자의 데이터 키가 없습니다 (파기됨)", "the subject's data key is gone (destroyed)"
            )
        corrections.apply_values(
            uow, core.policy, subject_id=sid, data_key=key, index_key=index_key, values=new_values
        )
        value_rows.set_hold(uow.conn, sid, refused, False)
        notified = corrections.queue_correction_notices(
            uow, request_id=row.id, subject_id=sid, items=new_values, now=at.now
        )
        self._close_partly(uow, row, at.handler, at.now, sorted(new_values), refused, "corrected")
        if notified:
            status = "answered" if not refused else "partly_answered"
            self._event(
                uow,
                row.id,
                at.now,
                at.handler,
                status,
                f"correction notices queued for {', '.join(notified)}",
            )
        self._log(
            uow, at.now, at.handler, "rights.correct", "allowed", row, items=sorted(new_values), source=source
        )

    # -- stop -----------------------------------------------------------------------------------

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
        return self._carry_out(request_id, "stop", actor, refuse, lambda at: self._stop(at, source))

    def _stop(self, at: Step, source: str) -> None:
        row = at.row
        purposes = json.loads(row.scope)["purposes"]
        self._stray(purposes, at.refused, ("이 요구에 없는 목적입니다", "is not a purpose of this request"))
        stopped = [p for p in purposes if p not in at.refused]
        for purpose_id in stopped:
            rows.stop(at.uow.conn, row.subject_id, purpose_id, row.id, at.now)
        self._close_partly(at.uow, row, at.handler, at.now, stopped, at.refused, "stopped")
        self.core.log(
            at.uow,
            at.now,
            at.handler.login,
            "rights.stop",
            subject_id=row.subject_id,
            purpose=",".join(stopped)[:64] or None,
            source=source,
            reason=f"request={row.id}; type=stop",
        )

    # -- consent withdrawal ---------------------------------------------------------------------

    def withdraw_consents(
        self,
        request_id: str,
        *,
        refuse: Mapping[str, str] | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> RightsRequest:
        """Withdraw the consents named (동의 철회, 37): later reads for them are denied.

        Each withdrawal is the vault's own, recorded as the subject's act through the request's
        channel, in the same unit of work that closes the request."""
        return self._carry_out(
            request_id, "consent_withdrawal", actor, refuse, lambda at: self._withdraw(at, source)
        )

    def _withdraw(self, at: Step, source: str) -> None:
        row = at.row
        named = json.loads(row.scope)["purposes"]
        purposes = named or [p.id for p in self.core.policy.purposes if p.basis == "consent"]
        self._stray(purposes, at.refused, ("이 요구에 없는 목적입니다", "is not a purpose of this request"))
        for ground in at.refused.values():
            self._check_ground(row.type, ground)
        done = [p for p in purposes if p not in at.refused]
        by = at.handler if at.handler.role.may("consent") else SELF
        for purpose_id in done:
            self.consents.change_in(
                at.uow, row.subject_id, purpose_id, False, actor=by, channel=row.channel, source=source
            )
        ended = self.consents.end_withdrawn_in(
            at.uow,
            row.subject_id,
            all_consents=not named and not at.refused,
            actor=at.handler,
            channel=row.channel,
            source=source,
        )
        if ended is not None and not done:
            done = ["-"]  # consent as a whole: the membership it rested on ended
        self._close_partly(at.uow, row, at.handler, at.now, done, at.refused, "withdrawn")
        items = sorted(set(ended.destroyed) | set(ended.separated)) if ended is not None else []
        self._log(
            at.uow, at.now, at.handler, "rights.withdraw_consent", "allowed", row, items=items, source=source
        )

    # -- deletion -------------------------------------------------------------------------------

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
        The deletion and the request's closing are one unit of work."""
        return self._carry_out(request_id, "deletion", actor, refuse, lambda at: self._delete(at, source))

    def _delete(self, at: Step, source: str) -> None:
        uow, row, handler, refused = at.uow, at.row, at.handler, at.refused
        subject = subject_rows.find(uow.conn, row.subject_id)
        held = value_rows.held_among(uow.conn, row.subject_id, self.core.policy.items_by_id)
        for ground in refused.values():
            self._check_ground(row.type, ground)
        named = json.loads(row.scope)["items"]
        self._stray(
            named or held,
            refused,
            ("이 삭제 요구에 없는 항목입니다", "is not an item of this deletion request"),
        )
        end: Ended | None = None
        if subject is not None and subject.status != SubjectStatus.WITHDRAWN:
            if not named and not refused:
                by = handler if handler.role.may("withdraw") else SELF
                end = self.lifecycle.withdraw_in(
                    uow, row.subject_id, "deletion_request", actor=by, channel=row.channel, source=source
                )
            else:
                targets = [i for i in (named or held) if i not in refused]
                if targets:
                    end = self.lifecycle.delete_items_in(
                        uow, row.subject_id, targets, actor=handler, source=source
                    )
        destroyed, separated = (set(end.destroyed), set(end.separated)) if end is not None else (set(), set())
        kept = {
            slot.split(":")[0] if slot.startswith("record:") else slot: "other_law_requires_data"
            for slot in separated
        }
        done = sorted(destroyed - set(kept)) or (["-"] if not kept and not refused else [])
        self._close_partly(uow, row, handler, at.now, done, {**kept, **refused}, "deleted")
        self._log(
            uow, at.now, handler, "rights.delete", "allowed", row, items=sorted(destroyed), source=source
        )
