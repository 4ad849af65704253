"""Ending a purpose: withdrawal (회원탈퇴), deletion of single items, dormancy (휴면) and its end,
and reads of separated data (분리보관 자료 열람) for the reasons its rule allows.

Transactions and keys. The data keys live in their own database (an attached SQLite file, a
PostgreSQL schema). With SQLite in WAL mode a transaction spanning both files is atomic in each
file but not across them, so keys are never created and used, or destroyed and orphaned, in one
transaction: retention-group keys are created and committed *before* the data is re-sealed
under them, and keys are destroyed only *after* the data they protected is gone. A crash between
the steps leaves at worst an unused key, which the next sweep destroys (``destroy_orphan_keys``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, delete, exists, insert, not_, or_, select, text, update

from jikimi.audit import Entry
from jikimi.crypto import open_value, seal_value
from jikimi.errors import Denied, InvalidInput, NotFound, StateConflict
from jikimi.lifecycle.ledger import LedgerBatch
from jikimi.lifecycle.rules import (
    Destroy,
    Keep,
    allowed_reasons,
    fate_at_end,
    group_key_id,
    rule_basis,
    rule_for,
)
from jikimi.store.hints import Span, among, unindexed
from jikimi.store.tables import (
    consents,
    data_keys,
    item_values,
    lookups,
    processing_stops,
    records,
    separated_lookups,
    separated_records,
    separated_values,
    subjects,
)
from jikimi.store.uow import UnitOfWork

if TYPE_CHECKING:
    from jikimi.handlers import Handler
    from jikimi.vault import RecordOut, Vault

END_REASONS: dict[str, tuple[str, str]] = {
    "member_request": ("회원 탈퇴 요청", "the member asked to leave"),
    "membership_lost": ("회원 자격 상실", "membership was lost"),
    "consent_withdrawn": ("마지막 목적의 동의 철회", "consent withdrawn for the last purpose"),
    "deletion_request": ("삭제 요구 (개인정보 보호법 제36조)", "a deletion request (PIPA 36)"),
    "dormancy_destroy": ("장기 미이용 회원 파기", "idle account destroyed under the dormancy policy"),
}

ORPHAN_KEY_GRACE = timedelta(hours=1)
"""A key younger than this may belong to a sign-up or withdrawal still in flight."""


@dataclass(frozen=True)
class Ended:
    """What ending a purpose did: the slots destroyed and those separated with their expiry."""

    subject_id: str
    destroyed: tuple[str, ...]
    separated: dict[str, datetime | None] = field(default_factory=dict)
    subject_removed: bool = False


@dataclass(frozen=True)
class SeparatedData:
    values: dict[str, str]
    records: list[RecordOut]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _lock_subject(conn: Connection, subject_id: str) -> Any:
    query = select(subjects).where(subjects.c.id == subject_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("대상자가 없습니다", "no such subject")
    return row


@dataclass(frozen=True)
class _Slot:
    """One item value or record of a subject, active or separated for dormancy."""

    slot: str  # item id, or record type
    aad: str  # the associated data it is sealed with: item id, or "record:<id>"
    ciphertext: bytes
    collected_at: datetime
    occurred_at: datetime | None
    context: str
    record_id: str | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None  # a log's own expiry (records.expires_at), set while it was active


class Separation:
    """Withdrawal, item deletion, dormancy and separated reads for one vault."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    # -- gathering ------------------------------------------------------------------------------

    def _slots(self, conn: Connection, subject_id: str, items: Sequence[str] | None = None) -> list[_Slot]:
        found: list[_Slot] = []
        value_query = select(item_values).where(item_values.c.subject_id == subject_id)
        dormant_query = select(separated_values).where(
            separated_values.c.subject_id == subject_id, separated_values.c.cause == "dormancy"
        )
        if items is not None:
            value_query = value_query.where(item_values.c.item_id.in_(list(items)))
            dormant_query = dormant_query.where(separated_values.c.item_id.in_(list(items)))
        for r in list(conn.execute(value_query)) + list(conn.execute(dormant_query)):
            found.append(
                _Slot(r.item_id, r.item_id, bytes(r.ciphertext), _utc(r.collected_at), None, r.context)
            )
        if items is None:
            for r in conn.execute(select(records).where(records.c.subject_id == subject_id)):
                found.append(
                    _Slot(
                        r.type,
                        f"record:{r.id}",
                        bytes(r.ciphertext),
                        _utc(r.created_at),
                        _utc(r.occurred_at),
                        "",
                        r.id,
                        _utc(r.created_at),
                        _utc(r.expires_at) if r.expires_at is not None else None,
                    )
                )
            for r in conn.execute(
                select(separated_records).where(
                    separated_records.c.subject_id == subject_id, separated_records.c.cause == "dormancy"
                )
            ):
                found.append(
                    _Slot(
                        r.type,
                        f"record:{r.id}",
                        bytes(r.ciphertext),
                        _utc(r.created_at),
                        _utc(r.occurred_at),
                        "",
                        r.id,
                        _utc(r.created_at),
                        _utc(r.expires_at) if r.expires_at is not None else None,
                    )
                )
        return found

    def _plan(
        self, slots: Iterable[_Slot], ended_at: datetime, last_activity_at: datetime
    ) -> dict[_Slot, Keep | Destroy]:
        policy = self.vault.policy
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

    def _ensure_group_keys(self, subject_id: str, rule_ids: set[str], now: datetime) -> None:
        """Create (and commit) the retention-group keys before any data is sealed under them."""
        if not rule_ids:
            return
        wanted = {group_key_id(subject_id, r) for r in rule_ids}
        with UnitOfWork(self.vault.engine) as uow:
            have = {
                r.subject_id
                for r in uow.conn.execute(
                    select(data_keys.c.subject_id).where(data_keys.c.subject_id.in_(sorted(wanted)))
                )
            }
            self.vault.keys.create(uow.conn, sorted(wanted - have), now)
            uow.commit()

    def _destroy_keys(self, key_ids: Iterable[str]) -> None:
        ids = sorted(set(key_ids))
        if ids:
            with UnitOfWork(self.vault.engine) as uow:
                self.vault.keys.destroy(uow.conn, ids)
                uow.commit()

    # -- withdrawal and deletion ----------------------------------------------------------------

    def withdraw(
        self,
        subject_id: str,
        reason: str,
        *,
        actor: Handler | str,
        channel: str = "web",
        source: str = "local",
    ) -> Ended:
        """End the subject's membership (회원탈퇴 등 목적 달성): destroy at once what no rule keeps,
        separate the rest with its expiry, close the subject. One transaction for the data."""
        if reason not in END_REASONS:
            raise InvalidInput(
                "reason",
                f"종료 사유는 {', '.join(END_REASONS)} 중 하나입니다",
                f"reason must be one of {', '.join(END_REASONS)}",
            )
        handler = self.vault._actor(actor)
        if not handler.role.may("withdraw"):
            raise Denied(
                "action_not_allowed", "탈퇴 처리 권한이 없습니다", "the handler may not end memberships"
            )
        now = self.vault._now()
        with UnitOfWork(self.vault.engine) as uow:  # plan, then make the keys the plan needs
            row = _lock_subject(uow.conn, subject_id)
            if row.status == "withdrawn":
                raise StateConflict("이미 탈퇴한 대상자입니다", "the subject has already withdrawn")
            plan = self._plan(self._slots(uow.conn, subject_id), now, _utc(row.last_activity_at))
        self._ensure_group_keys(subject_id, {f.rule.id for f in plan.values() if isinstance(f, Keep)}, now)
        with UnitOfWork(self.vault.engine) as uow:
            row = _lock_subject(uow.conn, subject_id)
            if row.status == "withdrawn":
                raise StateConflict("이미 탈퇴한 대상자입니다", "the subject has already withdrawn")
            ledger = LedgerBatch(actor=handler.login)
            ended = self._end(
                uow.conn,
                subject_id,
                None,
                now,
                _utc(row.last_activity_at),
                "withdrawal",
                ledger,
                whole=True,
            )
            ledger.write(uow.conn, now)
            self.vault.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "withdraw",
                        "allowed",
                        subject_id,
                        tuple(sorted(set(ended.destroyed) | set(ended.separated))),
                        source=source,
                        reason=f"{reason}; channel={channel}",
                    )
                ],
            )
            uow.commit()
        self._destroy_keys([subject_id])  # the everyday key: nothing active is left under it
        return ended

    def delete_items(
        self,
        subject_id: str,
        items: Sequence[str],
        *,
        actor: Handler | str,
        reason: str = "deletion_request",
        source: str = "local",
    ) -> Ended:
        """End the purpose of some items of an active subject (삭제): destroyed unless a rule keeps them."""
        handler = self.vault._actor(actor)
        if not handler.role.may("withdraw") and not handler.role.may("rights"):
            raise Denied(
                "action_not_allowed", "삭제 처리 권한이 없습니다", "the handler may not delete items"
            )
        unknown = [i for i in items if i not in self.vault.policy.items_by_id]
        if unknown or not items:
            raise InvalidInput(
                "items",
                f"알 수 없는 항목: {unknown}" if unknown else "항목이 없습니다",
                f"unknown items {unknown}" if unknown else "no items given",
            )
        now = self.vault._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = _lock_subject(uow.conn, subject_id)
            if row.status not in ("active", "dormant"):
                raise StateConflict(
                    "활성 또는 휴면 상태의 대상자만 항목을 삭제할 수 있습니다",
                    "items can be deleted only for an active or dormant subject",
                )
            plan = self._plan(self._slots(uow.conn, subject_id, items), now, _utc(row.last_activity_at))
        self._ensure_group_keys(subject_id, {f.rule.id for f in plan.values() if isinstance(f, Keep)}, now)
        with UnitOfWork(self.vault.engine) as uow:
            row = _lock_subject(uow.conn, subject_id)
            ledger = LedgerBatch(actor=handler.login)
            ended = self._end(
                uow.conn,
                subject_id,
                list(items),
                now,
                _utc(row.last_activity_at),
                "deletion_request",
                ledger,
                whole=False,
            )
            ledger.write(uow.conn, now)
            self.vault.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "delete",
                        "allowed",
                        subject_id,
                        tuple(sorted(set(ended.destroyed) | set(ended.separated))),
                        source=source,
                        reason=reason[:200],
                    )
                ],
            )
            uow.commit()
        return ended

    def _end(
        self,
        conn: Connection,
        subject_id: str,
        items: list[str] | None,
        now: datetime,
        last_activity_at: datetime,
        trigger: str,
        ledger: LedgerBatch,
        *,
        whole: bool,
    ) -> Ended:
        slots = self._slots(conn, subject_id, items)
        plan = self._plan(slots, now, last_activity_at)
        key = self.vault.keys.get(conn, subject_id)
        group_keys: dict[str, bytes] = {}
        destroyed: list[str] = []
        separated: dict[str, datetime | None] = {}
        value_rows: list[dict[str, object]] = []
        record_rows: list[dict[str, object]] = []
        for slot, fate in plan.items():
            kind = "record" if slot.record_id else "item"
            if isinstance(fate, Destroy):
                destroyed.append(slot.slot)
                ledger.add(
                    kind,
                    slot.slot,
                    trigger if fate.rule is None else "retention_expired",
                    fate.rule.id if fate.rule else None,
                    rule_basis(fate.rule),
                )
                continue
            kid = group_key_id(subject_id, fate.rule.id)
            if kid not in group_keys:
                got = self.vault.keys.get(conn, kid)
                group_keys[kid] = got if got is not None else self.vault.keys.create(conn, [kid], now)[kid]
            if key is None:
                raise StateConflict(
                    "데이터 키가 없어 보존 자료를 옮길 수 없습니다", "the subject's data key is missing"
                )
            sealed = seal_value(
                group_keys[kid], subject_id, slot.aad, open_value(key, subject_id, slot.aad, slot.ciphertext)
            )
            separated[slot.slot] = fate.expires_at
            common = {
                "subject_id": subject_id,
                "ciphertext": sealed,
                "key_id": kid,
                "cause": "withdrawal",
                "rule_id": fate.rule.id,
                "start_at": fate.start_at,
                "expires_at": fate.expires_at,
                "separated_at": now,
            }
            if slot.record_id:
                record_rows.append(
                    {
                        **common,
                        "id": slot.record_id,
                        "type": slot.slot,
                        "occurred_at": slot.occurred_at,
                        "created_at": slot.created_at,
                    }
                )
            else:
                value_rows.append(
                    {
                        **common,
                        "item_id": slot.slot,
                        "collected_at": slot.collected_at,
                        "context": slot.context,
                    }
                )
        # the old rows go: active ones, and dormancy-separated ones
        value_filter = [item_values.c.subject_id == subject_id]
        dormant_filter = [separated_values.c.subject_id == subject_id, separated_values.c.cause == "dormancy"]
        if items is not None:
            value_filter.append(item_values.c.item_id.in_(items))
            dormant_filter.append(separated_values.c.item_id.in_(items))
        conn.execute(delete(item_values).where(*value_filter))
        conn.execute(delete(separated_values).where(*dormant_filter))
        if value_rows:
            conn.execute(
                delete(separated_values).where(
                    separated_values.c.subject_id == subject_id,
                    separated_values.c.item_id.in_([r["item_id"] for r in value_rows]),
                )
            )
            conn.execute(insert(separated_values), value_rows)
        if whole:
            conn.execute(delete(records).where(records.c.subject_id == subject_id))
            conn.execute(
                delete(separated_records).where(
                    separated_records.c.subject_id == subject_id, separated_records.c.cause == "dormancy"
                )
            )
            if record_rows:
                conn.execute(insert(separated_records), record_rows)
        self._move_lookups(conn, subject_id, items, plan, ledger, trigger)
        removed = False
        if whole:
            count = conn.execute(delete(consents).where(consents.c.subject_id == subject_id)).rowcount or 0
            ledger.add("consent", "consents", trigger, None, rule_basis(None), count)
            conn.execute(delete(processing_stops).where(processing_stops.c.subject_id == subject_id))
            if separated:
                conn.execute(
                    update(subjects)
                    .where(subjects.c.id == subject_id)
                    .values(status="withdrawn", status_changed_at=now, guardian_id=None)
                )
            else:
                conn.execute(
                    update(subjects).where(subjects.c.guardian_id == subject_id).values(guardian_id=None)
                )
                conn.execute(delete(subjects).where(subjects.c.id == subject_id))
                removed = True
        return Ended(subject_id, tuple(sorted(destroyed)), separated, removed)

    def _move_lookups(
        self,
        conn: Connection,
        subject_id: str,
        items: list[str] | None,
        plan: dict[_Slot, Keep | Destroy],
        ledger: LedgerBatch,
        trigger: str,
    ) -> None:
        """A kept look-up item keeps its blind index (so a withdrawn login id is not reused at once)."""
        keep = {s.slot: f for s, f in plan.items() if isinstance(f, Keep) and not s.record_id}
        query = select(lookups).where(lookups.c.subject_id == subject_id)
        if items is not None:
            query = query.where(lookups.c.item_id.in_(items))
        for row in conn.execute(query).all():
            fate = keep.get(row.item_id)
            if fate is not None:
                conn.execute(
                    delete(separated_lookups).where(
                        separated_lookups.c.item_id == row.item_id, separated_lookups.c.digest == row.digest
                    )
                )
                conn.execute(
                    insert(separated_lookups).values(
                        item_id=row.item_id,
                        digest=row.digest,
                        subject_id=subject_id,
                        rule_id=fate.rule.id,
                        expires_at=fate.expires_at,
                    )
                )
            else:
                ledger.add("lookup", row.item_id, trigger, None, rule_basis(None))
        lookup_filter = [lookups.c.subject_id == subject_id]
        if items is not None:
            lookup_filter.append(lookups.c.item_id.in_(items))
        conn.execute(delete(lookups).where(*lookup_filter))

    # -- dormancy -------------------------------------------------------------------------------

    def reactivate(
        self, subject_id: str, *, actor: Handler | str, source: str = "local", via: str = "request"
    ) -> None:
        """A dormant member logs in or asks to return: their data comes back from the separated store."""
        handler = self.vault._actor(actor)
        now = self.vault._now()
        with UnitOfWork(self.vault.engine) as uow:
            row = _lock_subject(uow.conn, subject_id)
            if row.status != "dormant":
                raise StateConflict("휴면 상태의 회원이 아닙니다", "the member is not dormant")
            dormancy = self.vault.policy.dormancy
            if dormancy is not None and dormancy.reactivation and via not in dormancy.reactivation:
                raise StateConflict(
                    "처리방침이 정한 방법으로만 휴면을 해제할 수 있습니다",
                    f"the policy allows reactivation only by {', '.join(dormancy.reactivation)}",
                )
            restore_dormant(uow.conn, subject_id, now)
            self.vault.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "reactivate",
                        "allowed",
                        subject_id,
                        source=source,
                        reason=f"via={via}",
                    )
                ],
            )
            uow.commit()

    # -- separated reads ------------------------------------------------------------------------

    def read_separated(
        self,
        subject_id: str,
        items: Sequence[str],
        reason: str,
        *,
        actor: Handler | str,
        reference: str | None = None,
        source: str = "local",
    ) -> SeparatedData:
        """Read data kept after withdrawal, only for a reason its retention rule allows. Always logged."""
        handler = self.vault._actor(actor)
        policy = self.vault.policy
        wanted = list(dict.fromkeys(items))
        unknown = [i for i in wanted if i not in policy.items_by_id and i not in policy.records_by_id]
        if unknown or not wanted:
            raise InvalidInput(
                "items",
                f"알 수 없는 항목: {unknown}" if unknown else "항목이 없습니다",
                f"unknown items {unknown}" if unknown else "no items requested",
            )
        if not reason or not reason.strip():
            raise InvalidInput("reason", "분리보관 자료 열람에는 사유가 필요합니다", "a reason is required")
        now = self.vault._now()
        denial: tuple[str, str, str] | None = None
        if not handler.role.may("separated"):
            denial = (
                "action_not_allowed",
                "분리보관 자료 열람 권한이 없습니다",
                "the handler may not read separated data",
            )
        else:
            for slot in wanted:
                rule = rule_for(policy, slot)
                allowed = allowed_reasons(rule) if rule is not None else ()
                if reason not in allowed:
                    denial = (
                        "reason_not_allowed",
                        f"{slot}: 보존 사유에 해당하지 않습니다 (허용: {' / '.join(allowed) or '없음'})",
                        f"{slot}: not a reason its retention rule allows (allowed: {' / '.join(allowed) or 'none'})",
                    )
                    break
        live = or_(separated_values.c.expires_at.is_(None), separated_values.c.expires_at > now)
        live_records = or_(separated_records.c.expires_at.is_(None), separated_records.c.expires_at > now)
        with UnitOfWork(self.vault.engine) as uow:
            exists_row = uow.conn.execute(
                select(subjects.c.status).where(subjects.c.id == subject_id)
            ).first()
            note = f"{reason}; ref={reference}" if reference else reason
            outcome = (
                "allowed"
                if denial is None and exists_row is not None
                else (f"denied:{denial[0]}" if denial else "not_found")
            )
            self.vault.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "read.separated",
                        outcome,
                        subject_id,
                        tuple(wanted),
                        source=source,
                        reason=note[:500],
                    )
                ],
            )
            if denial is not None or exists_row is None:
                uow.commit()
                if denial is not None:
                    raise Denied(*denial)
                raise NotFound("대상자가 없습니다", "no such subject")
            value_rows = uow.conn.execute(
                select(separated_values).where(
                    separated_values.c.subject_id == subject_id,
                    separated_values.c.cause == "withdrawal",
                    separated_values.c.item_id.in_(wanted),
                    live,
                )
            ).all()
            record_rows = uow.conn.execute(
                select(separated_records)
                .where(
                    separated_records.c.subject_id == subject_id,
                    separated_records.c.cause == "withdrawal",
                    separated_records.c.type.in_(wanted),
                    live_records,
                )
                .order_by(separated_records.c.occurred_at)
            ).all()
            keys = {
                kid: self.vault.keys.get(uow.conn, kid)
                for kid in {r.key_id for r in value_rows} | {r.key_id for r in record_rows}
            }
            uow.commit()
        from jikimi.vault import RecordOut

        values = {
            r.item_id: open_value(k, subject_id, r.item_id, bytes(r.ciphertext))
            for r in value_rows
            if (k := keys.get(r.key_id)) is not None and policy.items_by_id[r.item_id].format != "password"
        }
        out_records = [
            RecordOut(
                r.id,
                r.type,
                _utc(r.occurred_at),
                json.loads(open_value(k, subject_id, f"record:{r.id}", bytes(r.ciphertext))),
            )
            for r in record_rows
            if (k := keys.get(r.key_id)) is not None
        ]
        return SeparatedData(values, out_records)


def separate_dormant(
    conn: Connection, subject_ids: Sequence[str], now: datetime, span: Span | None = None
) -> int:
    """Move dormant members' values and records to the separated store (휴면 분리보관), set-based.

    The everyday key stays: the member may come back. Logs keep their own expiry. ``span``: the
    first and last id in the database's order, when known (see ``among``).
    """
    if not subject_ids:
        return 0
    ids = list(subject_ids)
    conn.execute(
        insert(separated_values).from_select(
            [
                "subject_id",
                "item_id",
                "ciphertext",
                "key_id",
                "cause",
                "rule_id",
                "start_at",
                "expires_at",
                "collected_at",
                "context",
                "separated_at",
            ],
            select(
                item_values.c.subject_id,
                item_values.c.item_id,
                item_values.c.ciphertext,
                item_values.c.subject_id,
                _literal("dormancy"),
                _literal(None),
                subjects.c.last_activity_at,
                _literal(None),
                item_values.c.collected_at,
                item_values.c.context,
                _literal(now),
            )
            .join(subjects, subjects.c.id == item_values.c.subject_id)
            # the ids on both sides of the join: PostgreSQL does not carry them across the ``=`` and would
            # hash every subject to find the batch's
            .where(among(item_values.c.subject_id, ids, span), among(subjects.c.id, ids, span)),
        )
    )
    conn.execute(delete(item_values).where(among(item_values.c.subject_id, ids, span)))
    conn.execute(
        insert(separated_records).from_select(
            [
                "id",
                "subject_id",
                "type",
                "ciphertext",
                "key_id",
                "cause",
                "rule_id",
                "occurred_at",
                "created_at",
                "start_at",
                "expires_at",
                "separated_at",
            ],
            select(
                records.c.id,
                records.c.subject_id,
                records.c.type,
                records.c.ciphertext,
                records.c.subject_id,
                _literal("dormancy"),
                _literal(None),
                records.c.occurred_at,
                records.c.created_at,
                records.c.occurred_at,
                records.c.expires_at,
                _literal(now),
            ).where(among(records.c.subject_id, ids, span)),
        )
    )
    conn.execute(delete(records).where(among(records.c.subject_id, ids, span)))
    result = conn.execute(
        update(subjects)
        .where(among(subjects.c.id, ids, span), unindexed(subjects.c.status) == "active")
        .values(status="dormant", status_changed_at=now)
    )
    return result.rowcount or 0


def restore_dormant(conn: Connection, subject_id: str, now: datetime) -> None:
    """Bring a dormant member's data back to the active tables (휴면 해제)."""
    conn.execute(
        insert(item_values).from_select(
            ["subject_id", "item_id", "ciphertext", "context", "collected_at", "hold"],
            select(
                separated_values.c.subject_id,
                separated_values.c.item_id,
                separated_values.c.ciphertext,
                separated_values.c.context,
                separated_values.c.collected_at,
                _literal(False),
            ).where(separated_values.c.subject_id == subject_id, separated_values.c.cause == "dormancy"),
        )
    )
    conn.execute(
        delete(separated_values).where(
            separated_values.c.subject_id == subject_id, separated_values.c.cause == "dormancy"
        )
    )
    conn.execute(
        insert(records).from_select(
            ["id", "subject_id", "type", "ciphertext", "occurred_at", "created_at", "expires_at"],
            select(
                separated_records.c.id,
                separated_records.c.subject_id,
                separated_records.c.type,
                separated_records.c.ciphertext,
                separated_records.c.occurred_at,
                separated_records.c.created_at,
                separated_records.c.expires_at,
            ).where(separated_records.c.subject_id == subject_id, separated_records.c.cause == "dormancy"),
        )
    )
    conn.execute(
        delete(separated_records).where(
            separated_records.c.subject_id == subject_id, separated_records.c.cause == "dormancy"
        )
    )
    conn.execute(
        update(subjects)
        .where(subjects.c.id == subject_id)
        .values(status="active", status_changed_at=now, last_activity_at=now)
    )


def destroy_orphan_keys(conn: Connection, now: datetime) -> int:
    """Destroy keys nothing needs any more (left by a crash between a data commit and its key step)."""
    # only keys this module makes: everyday keys (a bare subject id) and retention-group keys
    # ("<subject>~<6 hex>"); other modules' keys (e.g. rights requests' "rq~<id>") are theirs to keep
    group = and_(data_keys.c.subject_id.like("%~______"), not_(data_keys.c.subject_id.like("rq~%")))
    everyday = not_(data_keys.c.subject_id.like("%~%"))
    unused_group = and_(
        group,
        not_(exists().where(separated_values.c.key_id == data_keys.c.subject_id)),
        not_(exists().where(separated_records.c.key_id == data_keys.c.subject_id)),
    )
    unused_everyday = and_(
        everyday,
        not_(exists().where(subjects.c.id == data_keys.c.subject_id, subjects.c.status != "withdrawn")),
    )
    if conn.dialect.name == "postgresql":
        # the scan's estimated cost passes jit_above_cost from a few thousand keys on, and compiling it
        # took longer than running it: 210 ms against 80 ms with 70,000 keys (docs/performance.md)
        conn.execute(text("SET LOCAL jit = off"))
    result = conn.execute(
        delete(data_keys).where(
            data_keys.c.created_at < now - ORPHAN_KEY_GRACE, or_(unused_group, unused_everyday)
        )
    )
    return result.rowcount or 0


def _literal(value: object) -> Any:
    from sqlalchemy import literal, null

    return null() if value is None else literal(value)
