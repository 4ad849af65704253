"""Ending a purpose: withdrawal (회원탈퇴) and deletion of single items — destroy at once what no
retention rule keeps, separate the rest (분리보관) until its period ends.

Transactions and keys. The data keys live in their own database (an attached SQLite file, a
PostgreSQL schema). With SQLite in WAL mode a transaction spanning both files is atomic in each
file but not across them, so no transaction here both creates a key and seals data under it, or
both destroys data and its key. ``withdraw_in`` and ``delete_items_in`` work inside the caller's
unit of work and touch only the main database: the kept rows move to the separated store still
sealed under the subject's everyday key. Right after the commit (``uow.after_commit``) ``rekey``
creates the retention-group keys (committed first), re-seals the kept rows under them, and then
destroys the everyday key if nothing active needs it. A crash between the steps leaves at worst
rows still under the everyday key (readable; the next sweep finishes the re-keying) or an unused
key (the next sweep destroys it, ``destroy_orphan_keys``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.crypto import open_value, seal_value
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import SELF, Handler
from jikimi.lifecycle.ledger import LedgerBatch
from jikimi.lifecycle.rules import Destroy, Keep, fate_at_end, group_key_id, rule_basis, rule_for
from jikimi.states import SubjectStatus
from jikimi.store import consents as consent_rows
from jikimi.store import lookups, separated
from jikimi.store import subjects as subject_rows
from jikimi.store.separated import Kept, Slot
from jikimi.store.uow import UnitOfWork
from jikimi.validation import known_items

_log = logging.getLogger("jikimi.lifecycle")

END_REASONS: dict[str, tuple[str, str]] = {
    "member_request": ("회원 탈퇴 요청", "the member asked to leave"),
    "membership_lost": ("회원 자격 상실", "membership was lost"),
    "consent_withdrawn": ("마지막 목적의 동의 철회", "consent withdrawn for the last purpose"),
    "deletion_request": ("삭제 요구 (개인정보 보호법 제36조)", "a deletion request (PIPA 36)"),
    "dormancy_destroy": ("장기 미이용 회원 파기", "idle account destroyed under the dormancy policy"),
}


@dataclass(frozen=True)
class Ended:
    """What ending a purpose did: the slots destroyed and those separated with their expiry."""

    subject_id: str
    destroyed: tuple[str, ...]
    separated: dict[str, datetime | None] = field(default_factory=dict)
    subject_removed: bool = False


class Ending:
    """Withdrawal and item deletion, each either its own transaction or inside the caller's."""

    core: Core

    # -- withdrawal -----------------------------------------------------------------------------

    def withdraw(
        self,
        subject_id: str,
        reason: str,
        *,
        actor: Handler | str = SELF,
        channel: str = "web",
        source: str = "local",
    ) -> Ended:
        """End the subject's purpose (회원탈퇴 등): destroy what no rule keeps, separate the rest (분리보관)."""  # noqa: E501
        with self.core.unit_of_work() as uow:
            ended = self.withdraw_in(uow, subject_id, reason, actor=actor, channel=channel, source=source)
            uow.commit()
        return ended

    def withdraw_in(
        self,
        uow: UnitOfWork,
        subject_id: str,
        reason: str,
        *,
        actor: Handler | str,
        channel: str = "web",
        source: str = "local",
    ) -> Ended:
        """``withdraw`` inside the caller's unit of work; the keys follow after its commit."""
        if reason not in END_REASONS:
            raise InvalidInput(
                "reason",
                f"종료 사유는 {', '.join(END_REASONS)} 중 하나입니다",
                f"reason must be one of {', '.join(END_REASONS)}",
            )
        core = self.core
        handler = core.actor(actor)
        if not handler.role.may("withdraw"):
            raise Denied(
                "action_not_allowed", "탈퇴 처리 권한이 없습니다", "the handler may not end memberships"
            )
        now = core.now()
        row = subject_rows.get(uow.conn, subject_id, lock=True)
        if row.status == SubjectStatus.WITHDRAWN:
            raise StateConflict("이미 탈퇴한 대상자입니다", "the subject has already withdrawn")
        ledger = LedgerBatch(actor=handler.login)
        ended = self._end(uow, subject_id, None, now, as_utc(row.last_activity_at), "withdrawal", ledger)
        ledger.write(uow, now)
        touched = sorted(set(ended.destroyed) | set(ended.separated))
        core.log(
            uow,
            now,
            handler.login,
            "withdraw",
            subject_id=subject_id,
            items=touched,
            source=source,
            reason=f"{reason}; channel={channel}",
        )
        self._tell(uow, ended, now, reason, withdrawn=True)
        return ended

    def _tell(self, uow: UnitOfWork, ended: Ended, now: datetime, reason: str, *, withdrawn: bool) -> None:
        """The service events of an ended purpose, in its transaction: ``subject.withdrawn`` (for a
        withdrawal), ``subject.separated`` when something is kept apart, ``subject.destroyed`` when
        nothing is left."""
        core, sid, key = self.core, ended.subject_id, f"{ended.subject_id}:{now.isoformat()}"
        if withdrawn:
            core.emit(uow, now, "subject.withdrawn", sid, key=key, reason=reason)
        if ended.separated:
            ends = [at for at in ended.separated.values() if at is not None]
            until = max(ends).isoformat() if ends and len(ends) == len(ended.separated) else None
            core.emit(
                uow,
                now,
                "subject.separated",
                sid,
                key=key,
                cause="withdrawal" if withdrawn else reason,
                items=sorted(ended.separated),
                until=until,
            )
        if ended.subject_removed:
            core.emit(uow, now, "subject.destroyed", sid, key=key, trigger="withdrawal")

    # -- deletion of items ----------------------------------------------------------------------

    def delete_items(
        self,
        subject_id: str,
        items: Sequence[str],
        *,
        actor: Handler | str,
        reason: str = "deletion_request",
        source: str = "local",
    ) -> Ended:
        """Delete some items (삭제): destroyed now unless a retention rule keeps them, then separated."""
        with self.core.unit_of_work() as uow:
            ended = self.delete_items_in(uow, subject_id, items, actor=actor, reason=reason, source=source)
            uow.commit()
        return ended

    def delete_items_in(
        self,
        uow: UnitOfWork,
        subject_id: str,
        items: Sequence[str],
        *,
        actor: Handler | str,
        reason: str = "deletion_request",
        source: str = "local",
    ) -> Ended:
        """``delete_items`` inside the caller's unit of work (of an active or dormant subject)."""
        core = self.core
        handler = core.actor(actor)
        if not handler.role.may("withdraw") and not handler.role.may("rights"):
            raise Denied(
                "action_not_allowed", "삭제 처리 권한이 없습니다", "the handler may not delete items"
            )
        known_items(items, core.policy.items_by_id)
        now = core.now()
        row = subject_rows.get(uow.conn, subject_id, lock=True)
        if row.status not in (SubjectStatus.ACTIVE, SubjectStatus.DORMANT):
            raise StateConflict(
                "활성 또는 휴면 상태의 대상자만 항목을 삭제할 수 있습니다",
                "items can be deleted only for an active or dormant subject",
            )
        ledger = LedgerBatch(actor=handler.login)
        ended = self._end(
            uow, subject_id, list(items), now, as_utc(row.last_activity_at), "deletion_request", ledger
        )
        ledger.write(uow, now)
        touched = sorted(set(ended.destroyed) | set(ended.separated))
        core.log(
            uow,
            now,
            handler.login,
            "delete",
            subject_id=subject_id,
            items=touched,
            source=source,
            reason=reason[:200],
        )
        self._tell(uow, ended, now, "deletion_request", withdrawn=False)
        return ended

    # -- the end of a purpose -------------------------------------------------------------------

    def _plan(
        self, slots: Iterable[Slot], ended_at: datetime, last_activity_at: datetime
    ) -> dict[Slot, Keep | Destroy]:
        policy = self.core.policy
        return {
            s: Destroy(rule_for(policy, s.slot))
            if s.expires_at is not None and s.expires_at <= ended_at
            else fate_at_end(
                policy,
                s.slot,
                ended_at=ended_at,
                collected_at=s.collected_at,
                last_activity_at=last_activity_at,
                occurred_at=s.occurred_at,
            )
            for s in slots
        }  # a log already past its own expiry is due now, whatever its rule's start

    def _end(
        self,
        uow: UnitOfWork,
        subject_id: str,
        items: list[str] | None,
        now: datetime,
        last_activity_at: datetime,
        trigger: str,
        ledger: LedgerBatch,
    ) -> Ended:
        """End the purpose of ``items`` (None: of the whole subject) inside ``uow``."""
        conn = uow.conn
        plan = self._plan(separated.slots(conn, subject_id, items), now, last_activity_at)
        destroyed: list[str] = []
        kept: list[Kept] = []
        for slot, fate in plan.items():
            if isinstance(fate, Destroy):
                destroyed.append(slot.slot)
                ledger.add(
                    "record" if slot.record_id else "item",
                    slot.slot,
                    trigger if fate.rule is None else "retention_expired",
                    fate.rule.id if fate.rule else None,
                    rule_basis(fate.rule),
                )
            else:
                kept.append(Kept(slot, fate.rule.id, fate.start_at, fate.expires_at))
        separated.separate(conn, subject_id, kept, now, items=items)
        self._move_lookups(
            uow, subject_id, items, {k.slot.slot: k for k in kept if not k.slot.record_id}, ledger, trigger
        )
        removed = False
        if items is None:
            count = consent_rows.forget(conn, subject_id)
            ledger.add("consent", "consents", trigger, None, rule_basis(None), count)
            separated.lift_stops(conn, subject_id)
            if kept:
                subject_rows.set_status(conn, subject_id, SubjectStatus.WITHDRAWN, now, guardian_id=None)
            else:
                subject_rows.remove(conn, subject_id)
                removed = True
        if kept or items is None:
            uow.after_commit(lambda: self._rekey_after_commit(subject_id))
        return Ended(subject_id, tuple(sorted(destroyed)), {k.slot.slot: k.expires_at for k in kept}, removed)

    def _move_lookups(
        self,
        uow: UnitOfWork,
        subject_id: str,
        items: list[str] | None,
        kept: dict[str, Kept],
        ledger: LedgerBatch,
        trigger: str,
    ) -> None:
        """A kept look-up item keeps its blind index (so a withdrawn login id is not reused at once)."""
        for item_id, digest in lookups.of_subject(uow.conn, subject_id, items):
            fate = kept.get(item_id)
            if fate is not None:
                lookups.keep(uow.conn, subject_id, item_id, digest, fate.rule_id, fate.expires_at)
            else:
                ledger.add("lookup", item_id, trigger, None, rule_basis(None))
        lookups.drop(uow.conn, subject_id, items)

    # -- keys -----------------------------------------------------------------------------------

    def _rekey_after_commit(self, subject_id: str) -> None:
        """``rekey`` once the purpose's end is committed; a failure here leaves the committed change
        whole (the kept rows stay readable under the everyday key) and the next sweep finishes it."""
        try:
            self.rekey(subject_id)
        except Exception as exc:  # noqa: BLE001 - the change is committed; say so without personal data
            _log.warning("re-keying after commit failed (%s); the next sweep finishes it", type(exc).__name__)

    def rekey(self, subject_id: str) -> int:
        """Re-seal the subject's kept rows still under its everyday key under their retention group's
        key, and destroy the everyday key once no active data or kept row needs it. Idempotent; runs
        right after a withdrawal or deletion commits, and from the sweep for any a crash left behind.
        Returns how many rows were re-sealed."""
        core = self.core
        now = core.now()
        with (
            core.unit_of_work() as uow
        ):  # the group keys first, committed before anything is sealed under them
            waiting = separated.awaiting_rekey(uow.conn, subject_id)
            wanted = {group_key_id(subject_id, row.rule_id) for row in waiting}
            have = set(core.keys.get_many(uow.conn, sorted(wanted)))
            core.keys.create(uow.conn, sorted(wanted - have), now)
            uow.commit()
        count = 0
        if waiting:
            with core.unit_of_work() as uow:
                subject_rows.find(
                    uow.conn, subject_id
                )  # (the row lock of PostgreSQL's get is not needed here)
                everyday = core.keys.get(uow.conn, subject_id)
                if everyday is None:
                    raise StateConflict(
                        "데이터 키가 없어 보존 자료를 옮길 수 없습니다", "the subject's data key is missing"
                    )
                group = core.keys.get_many(uow.conn, sorted(wanted))
                for row in separated.awaiting_rekey(uow.conn, subject_id):
                    kid = group_key_id(subject_id, row.rule_id)
                    plain = open_value(everyday, subject_id, row.aad, row.ciphertext)
                    separated.rekeyed(
                        uow.conn, subject_id, row, kid, seal_value(group[kid], subject_id, row.aad, plain)
                    )
                    count += 1
                uow.commit()
        with core.unit_of_work() as uow:
            subject = subject_rows.find(uow.conn, subject_id)
            active = subject is not None and subject.status != SubjectStatus.WITHDRAWN
            if not active and not separated.keys_in_use(uow.conn, [subject_id]):
                core.keys.destroy(uow, [subject_id])  # the everyday key: nothing active is left under it
            uow.commit()
        return count
