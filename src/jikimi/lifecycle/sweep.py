"""The sweep: everything whose time has come is acted on, in batches, idempotently, by any number
of worker processes at once.

Each kind of due work has a claim query that returns subject ids through an index (expiry times,
statuses, last activity). A batch locks the claimed subjects' rows — ``FOR UPDATE OF subjects SKIP
LOCKED`` on PostgreSQL, so concurrent workers take disjoint subjects; SQLite serialises writers —
and then, for exactly those subjects, does *all* their due work with set-based statements that
re-check every condition inside the transaction: destroy expired separated data and records,
expire logs, destroy unconfirmed children's data, queue dormancy notices, separate dormant
members, remove subjects with nothing left. The batch's destruction ledger entries are written in
the same transaction, so a crash at any point leaves either the whole batch done and recorded or
none of it; re-running finishes the work. Keys are destroyed after the commit (see separation.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    exists,
    func,
    not_,
    or_,
    select,
    update,
)

from jikimi.audit import Entry
from jikimi.errors import StateConflict
from jikimi.handlers import SYSTEM
from jikimi.lifecycle.ledger import LedgerBatch
from jikimi.lifecycle.rules import dormancy_period, expiry_for, rule_basis
from jikimi.lifecycle.separation import destroy_orphan_keys, separate_dormant
from jikimi.outbox import enqueue
from jikimi.periods import Duration, add_months, due_if_before, expiry_instant
from jikimi.store.tables import (
    KEYS_SCHEMA,
    consents,
    item_values,
    lookups,
    outbox,
    records,
    separated_lookups,
    separated_records,
    separated_values,
    subjects,
)
from jikimi.store.uow import UnitOfWork

if TYPE_CHECKING:
    from jikimi.vault import Vault

SWEEPER = "system:sweep"
KINDS = ("separated_values", "separated_records", "separated_lookups", "expired_logs", "expired_log_items",
         "pending_guardian",
         "dormancy_notice", "dormancy")


@dataclass
class SweepReport:
    """What one sweep did. ``subjects`` holds every subject that had due work done by this process."""

    now: datetime
    destroyed: Counter[str] = field(default_factory=Counter)  # "item:login_id" → count
    separated_dormant: int = 0
    notices: int = 0
    subjects_removed: int = 0
    keys_destroyed: int = 0
    repriced: int = 0
    batches: int = 0
    ledger_entries: int = 0
    subjects: set[str] = field(default_factory=set)

    @property
    def destroyed_total(self) -> int:
        return sum(self.destroyed.values())

    def merge(self, other: SweepReport) -> None:
        self.destroyed.update(other.destroyed)
        for name in ("separated_dormant", "notices", "subjects_removed", "keys_destroyed", "repriced", "batches",
                     "ledger_entries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.subjects |= other.subjects


Progress = Callable[[str, int], None]
"""Called after each batch with the kind being swept and how many subjects the batch handled."""


def shift(moment: datetime, period: Duration, *, back: bool = False) -> datetime:
    """``moment`` moved forward (or back) by a period: calendar months, then days."""
    sign = -1 if back else 1
    day = add_months(moment.date(), sign * period.total_months)
    return moment.replace(year=day.year, month=day.month, day=day.day) + timedelta(days=sign * period.total_days)


class Sweeper:
    def __init__(self, vault: Vault, *, batch_size: int = 500) -> None:
        self.vault = vault
        self.batch_size = batch_size
        policy = vault.policy
        self.after = dormancy_period(policy)
        self.notice_before = policy.dormancy.notice_before if policy.dormancy else None
        self.dormancy_destroys = policy.dormancy is not None and policy.dormancy.action == "destroy"
        self.log_items = log_item_periods(policy)
        children = policy.children
        self.confirm_within = children.confirm_within if children is not None else None

    # -- thresholds -----------------------------------------------------------------------------

    def _dormant_before(self, now: datetime) -> datetime | None:
        return due_if_before(now, self.after) if self.after else None

    def _notice_before(self, now: datetime) -> datetime | None:
        if self.after is None or self.notice_before is None:
            return None
        return due_if_before(shift(now, self.notice_before), self.after)

    def _notice_sent(self, now: datetime) -> ColumnElement[bool]:
        """A dormancy notice for the member's current idle spell, sent the lead time ago or earlier."""
        sent = and_(outbox.c.subject_id == subjects.c.id, outbox.c.kind == "dormancy_notice",
                    outbox.c.created_at >= subjects.c.last_activity_at)
        if self.notice_before is None:
            return sent
        return and_(sent, outbox.c.created_at <= shift(now, self.notice_before, back=True))

    def _noticed(self, now: datetime) -> list[ColumnElement[bool]]:
        """The notice condition for separating an idle member: none when the policy sets no notice."""
        if self.notice_before is None:
            return []
        return [exists().where(self._notice_sent(now))]

    @staticmethod
    def _notice_unsent() -> ColumnElement[bool]:
        """No dormancy notice queued yet for the member's current idle spell."""
        return not_(exists().where(outbox.c.subject_id == subjects.c.id, outbox.c.kind == "dormancy_notice",
                                   outbox.c.created_at >= subjects.c.last_activity_at))

    # -- claims ---------------------------------------------------------------------------------

    def _claim_query(self, kind: str, now: datetime) -> Any:
        active_member = and_(subjects.c.status == "active", subjects.c.kind == "member")
        if kind == "separated_values":
            return select(subjects.c.id).join(separated_values, separated_values.c.subject_id == subjects.c.id).where(
                separated_values.c.expires_at <= now)
        if kind == "separated_records":
            return select(subjects.c.id).join(separated_records, separated_records.c.subject_id == subjects.c.id).where(
                separated_records.c.expires_at <= now)
        if kind == "separated_lookups":
            return select(subjects.c.id).join(separated_lookups, separated_lookups.c.subject_id == subjects.c.id).where(
                separated_lookups.c.expires_at <= now)
        if kind == "expired_logs":
            return select(subjects.c.id).join(records, records.c.subject_id == subjects.c.id).where(
                records.c.expires_at <= now)
        if kind == "expired_log_items":
            expired = self._expired_log_items(now, item_values)
            if expired is None:
                return None
            return select(subjects.c.id).join(item_values, item_values.c.subject_id == subjects.c.id).where(expired)
        if kind == "pending_guardian":
            if self.confirm_within is None:
                return None
            return select(subjects.c.id).where(subjects.c.status == "pending_guardian",
                                               subjects.c.created_at < due_if_before(now, self.confirm_within))
        if kind == "dormancy_notice":
            threshold = self._notice_before(now)
            if threshold is None:
                return None
            return select(subjects.c.id).where(active_member, subjects.c.last_activity_at < threshold,
                                               self._notice_unsent())
        if kind == "dormancy":
            threshold = self._dormant_before(now)
            if threshold is None:
                return None
            return select(subjects.c.id).where(active_member, subjects.c.last_activity_at < threshold,
                                               *self._noticed(now))
        raise ValueError(kind)

    def _expired_log_items(self, now: datetime, table: Any) -> ColumnElement[bool] | None:
        """Generated items (접속 로그, IP…) collected before their period's cut-off, or None if none are declared."""
        if not self.log_items:
            return None
        return or_(*(and_(table.c.item_id == item_id, table.c.collected_at < due_if_before(now, period))
                     for item_id, period in sorted(self.log_items.items())))

    def _claim(self, conn: Connection, kind: str, now: datetime) -> list[str]:
        query = self._claim_query(kind, now)
        if query is None:
            return []
        query = query.limit(self.batch_size * 4)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=subjects)
        ids = list(dict.fromkeys(r[0] for r in conn.execute(query)))
        return ids[: self.batch_size]

    # -- the run --------------------------------------------------------------------------------

    def run(self, now: datetime | None = None, *, progress: Progress | None = None,
            kinds: Sequence[str] = KINDS) -> SweepReport:
        """Sweep until nothing this process can claim is due. Safe to run in several processes at once."""
        moment = now or self.vault._now()
        report = SweepReport(moment)
        report.repriced = self._reprice(moment)
        for kind in kinds:
            while True:
                with UnitOfWork(self.vault.engine) as uow:
                    claimed = self._claim(uow.conn, kind, moment)
                    if not claimed:
                        break
                    batch, keys, to_destroy = self._process(uow.conn, claimed, moment)
                    if batch.subjects:
                        self.vault.access_log.append(uow, [Entry(
                            moment, SWEEPER, "sweep", "allowed", None, sorted(batch.destroyed), source="sweep",
                            reason=f"kind={kind}", count=len(batch.subjects))])
                    uow.commit()
                batch.keys_destroyed = self._destroy_keys(keys)
                for subject_id in to_destroy:  # dormancy action "destroy": ended like a withdrawal
                    try:
                        self.vault.withdraw(subject_id, "dormancy_destroy", actor=SYSTEM, source="sweep")
                    except StateConflict:
                        continue  # another worker got there first
                    batch.subjects.add(subject_id)
                report.merge(batch)
                if progress is not None:
                    progress(kind, len(batch.subjects))
                if not batch.subjects:
                    break  # everything left is held by another worker (or not due after all)
        with UnitOfWork(self.vault.engine) as uow:
            report.keys_destroyed += destroy_orphan_keys(uow.conn, moment)
            uow.commit()
        truncate_sqlite_wal(self.vault.engine)
        return report

    def count_due(self, now: datetime | None = None) -> dict[str, int]:
        """How many subjects each kind of work would claim now (for progress bars and dry runs)."""
        moment = now or self.vault._now()
        out: dict[str, int] = {}
        with self.vault.engine.connect() as conn:
            for kind in KINDS:
                query = self._claim_query(kind, moment)
                out[kind] = 0 if query is None else int(conn.execute(
                    select(func.count(func.distinct(query.subquery().c.id)))).scalar() or 0)
        return out

    def _destroy_keys(self, key_ids: set[str]) -> int:
        if not key_ids:
            return 0
        with UnitOfWork(self.vault.engine) as uow:
            count = self.vault.keys.destroy(uow.conn, sorted(key_ids))
            uow.commit()
        return count

    def _reprice(self, now: datetime) -> int:
        """Separated data whose rule had a placeholder period gets its expiry once the policy states one."""
        priced = [r.id for r in self.vault.policy.retention if r.duration is not None]
        if not priced:
            return 0
        count = 0
        with UnitOfWork(self.vault.engine) as uow:
            for table in (separated_values, separated_records):
                rows = uow.conn.execute(select(table.c.subject_id, table.c.rule_id, table.c.start_at,
                                               *([table.c.item_id] if table is separated_values else [table.c.id]))
                                        .where(table.c.expires_at.is_(None), table.c.cause == "withdrawal",
                                               table.c.rule_id.in_(priced))).all()
                for row in rows:
                    expires = expiry_for(self.vault.policy, row.rule_id, _aware(row.start_at))
                    key_filter = (table.c.item_id == row.item_id) if table is separated_values else (table.c.id == row.id)
                    uow.conn.execute(update(table).where(table.c.subject_id == row.subject_id, key_filter)
                                     .values(expires_at=expires))
                    if table is separated_values:
                        uow.conn.execute(update(separated_lookups).where(
                            separated_lookups.c.subject_id == row.subject_id,
                            separated_lookups.c.item_id == row.item_id).values(expires_at=expires))
                    count += 1
            uow.commit()
        return count

    # -- one batch ------------------------------------------------------------------------------

    def _process(self, conn: Connection, claimed: list[str], now: datetime) -> tuple[SweepReport, set[str], list[str]]:
        """All due work for the claimed (and locked) subjects, re-checked here.

        Returns the report, the keys to destroy after the commit, and the idle members to destroy
        (dormancy action ``destroy``) after it."""
        report = SweepReport(now)
        ledger = LedgerBatch(actor=SWEEPER)
        policy = self.vault.policy
        touched_keys: set[str] = set()
        done: set[str] = set()

        def destroyed(kind: str, class_id: str, trigger: str, rule_id: str | None) -> None:
            rule = policy.retention_by_id.get(rule_id) if rule_id else None
            ledger.add(kind, class_id, trigger, rule_id, rule_basis(rule) if rule_id else None)
            report.destroyed[f"{kind}:{class_id}"] += 1

        row: Any
        for row in conn.execute(delete(separated_values).where(
                separated_values.c.subject_id.in_(claimed), separated_values.c.expires_at <= now)
                .returning(separated_values.c.subject_id, separated_values.c.item_id, separated_values.c.rule_id,
                           separated_values.c.key_id)):
            destroyed("item", row.item_id, "retention_expired", row.rule_id)
            touched_keys.add(row.key_id)
            done.add(row.subject_id)
        for row in conn.execute(delete(separated_records).where(
                separated_records.c.subject_id.in_(claimed), separated_records.c.expires_at <= now)
                .returning(separated_records.c.subject_id, separated_records.c.type, separated_records.c.rule_id,
                           separated_records.c.key_id, separated_records.c.cause)):
            destroyed("record", row.type, "retention_expired" if row.cause == "withdrawal" else "log_expired",
                      row.rule_id if row.rule_id else _rule_id(policy, row.type))
            if row.cause == "withdrawal":
                touched_keys.add(row.key_id)
            done.add(row.subject_id)
        for row in conn.execute(delete(separated_lookups).where(
                separated_lookups.c.subject_id.in_(claimed), separated_lookups.c.expires_at <= now)
                .returning(separated_lookups.c.subject_id, separated_lookups.c.item_id, separated_lookups.c.rule_id)):
            destroyed("lookup", row.item_id, "retention_expired", row.rule_id)
            done.add(row.subject_id)
        for row in conn.execute(delete(records).where(records.c.subject_id.in_(claimed), records.c.expires_at <= now)
                                .returning(records.c.subject_id, records.c.type)):
            destroyed("record", row.type, "log_expired", _rule_id(policy, row.type))
            done.add(row.subject_id)

        for table in (item_values, separated_values):  # logs kept as items expire like logs kept as records
            expired = self._expired_log_items(now, table)
            if expired is None:
                break
            where = [table.c.subject_id.in_(claimed), expired]
            if table is separated_values:
                where.append(separated_values.c.cause == "dormancy")
            for row in conn.execute(delete(table).where(*where).returning(table.c.subject_id, table.c.item_id)):
                destroyed("item", row.item_id, "log_expired", _rule_id(policy, row.item_id))
                done.add(row.subject_id)

        removed = self._unconfirmed_children(conn, claimed, now, destroyed)
        done |= removed
        if self._notice_before(now) is not None:
            for sid, last in conn.execute(select(subjects.c.id, subjects.c.last_activity_at).where(
                    subjects.c.id.in_(claimed), subjects.c.status == "active", subjects.c.kind == "member",
                    subjects.c.last_activity_at < self._notice_before(now), self._notice_unsent())):
                if self._queue_notice(conn, sid, _aware(last), now):
                    report.notices += 1
                    done.add(sid)
        dormant_before = self._dormant_before(now)
        to_destroy: list[str] = []
        if dormant_before is not None:
            due = [r.id for r in conn.execute(select(subjects.c.id).where(
                subjects.c.id.in_(claimed), subjects.c.status == "active", subjects.c.kind == "member",
                subjects.c.last_activity_at < dormant_before, *self._noticed(now)))]
            if due and not self.dormancy_destroys:
                report.separated_dormant += separate_dormant(conn, due, now)
                done.update(due)
            else:
                to_destroy = due
        gone = [r.id for r in conn.execute(delete(subjects).where(
            subjects.c.id.in_(claimed), subjects.c.status == "withdrawn",
            not_(exists().where(separated_values.c.subject_id == subjects.c.id)),
            not_(exists().where(separated_records.c.subject_id == subjects.c.id)),
            not_(exists().where(separated_lookups.c.subject_id == subjects.c.id))).returning(subjects.c.id))]
        report.subjects_removed += len(gone) + len(removed)
        done.update(gone)
        if touched_keys:
            still = {r[0] for r in conn.execute(select(separated_values.c.key_id).where(
                separated_values.c.key_id.in_(sorted(touched_keys))).distinct())}
            still |= {r[0] for r in conn.execute(select(separated_records.c.key_id).where(
                separated_records.c.key_id.in_(sorted(touched_keys))).distinct())}
            touched_keys -= still
        keys = touched_keys | set(gone) | removed
        report.ledger_entries = ledger.write(conn, now)
        report.subjects = done
        report.batches = 1
        return report, keys, to_destroy

    def _unconfirmed_children(self, conn: Connection, claimed: list[str], now: datetime,
                              destroyed: Callable[[str, str, str, str | None], None]) -> set[str]:
        """Children's data whose guardian never confirmed within the policy's limit is destroyed."""
        if self.confirm_within is None:
            return set()
        due = [r.id for r in conn.execute(select(subjects.c.id).where(
            subjects.c.id.in_(claimed), subjects.c.status == "pending_guardian",
            subjects.c.created_at < due_if_before(now, self.confirm_within)))]
        if not due:
            return set()
        for row in conn.execute(delete(item_values).where(item_values.c.subject_id.in_(due))
                                .returning(item_values.c.item_id)):
            destroyed("item", row.item_id, "guardian_not_confirmed", None)
        for row in conn.execute(delete(lookups).where(lookups.c.subject_id.in_(due)).returning(lookups.c.item_id)):
            destroyed("lookup", row.item_id, "guardian_not_confirmed", None)
        conn.execute(delete(consents).where(consents.c.subject_id.in_(due)))
        conn.execute(delete(subjects).where(subjects.c.id.in_(due)))
        return set(due)

    def _queue_notice(self, conn: Connection, subject_id: str, last_activity: datetime, now: datetime) -> bool:
        assert self.after is not None
        separation_at = expiry_instant(last_activity, self.after)
        return enqueue(conn, kind="dormancy_notice", subject_id=subject_id,
                       dedupe_key=f"dormancy_notice:{subject_id}:{last_activity.isoformat()}",
                       payload={"subject_id": subject_id, "separation_at": separation_at.isoformat(),
                                "channels": list(self.vault.policy.dormancy.notice_channels)
                                if self.vault.policy.dormancy else []},
                       due_at=now, now=now)


def log_item_periods(policy: Any) -> dict[str, Duration]:
    """Generated items (logs, IP addresses) kept under a rule counted from their own date: they expire
    after its period even while the member is active, as logs kept as records do."""
    from jikimi.lifecycle.rules import rule_for

    out: dict[str, Duration] = {}
    for item in policy.items:
        rule = rule_for(policy, item.id)
        if item.generated and rule is not None and rule.duration is not None and rule.start in ("record_date",
                                                                                                 "collection"):
            out[item.id] = rule.duration
    return out


def truncate_sqlite_wal(engine: Engine) -> None:
    """SQLite keeps old page versions in the write-ahead log until a checkpoint; with
    ``secure_delete`` the database pages are zeroed, and truncating the WAL after a sweep removes
    the old frames too, so destroyed ciphertexts do not linger in ``-wal`` files. A busy database
    (readers in progress) may refuse the truncation; the next sweep tries again."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        for schema in ("main", KEYS_SCHEMA):
            driver.execute(f"PRAGMA {schema}.wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _rule_id(policy: Any, record_type: str) -> str | None:
    from jikimi.lifecycle.rules import rule_for

    rule = rule_for(policy, record_type)
    return rule.id if rule is not None else None


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
