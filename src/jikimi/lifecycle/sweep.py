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
    Select,
    Table,
    and_,
    delete,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    tuple_,
    update,
)

from jikimi.audit import Entry
from jikimi.errors import StateConflict
from jikimi.handlers import SYSTEM
from jikimi.lifecycle.ledger import LedgerBatch
from jikimi.lifecycle.rules import dormancy_period, expiry_for, rule_basis
from jikimi.lifecycle.separation import destroy_orphan_keys, separate_dormant
from jikimi.lifecycle.slots import sweep_slot
from jikimi.outbox import enqueue
from jikimi.periods import Duration, add_months, due_if_before, expiry_instant
from jikimi.store.hints import Span, among, unindexed
from jikimi.store.tables import (
    AWAITING_PERIOD,
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
IDLE_KINDS = ("dormancy_notice", "dormancy")
KINDS = (
    "separated_values",
    "separated_records",
    "separated_lookups",
    "expired_logs",
    "expired_log_items",
    "pending_guardian",
    "dormancy_notice",
    "dormancy",
)
EXPIRING: dict[str, Table] = {
    "separated_values": separated_values,
    "separated_records": separated_records,
    "separated_lookups": separated_lookups,
    "expired_logs": records,
}
"""The kinds whose due work is the rows of one table past their ``expires_at``."""


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
        for name in (
            "separated_dormant",
            "notices",
            "subjects_removed",
            "keys_destroyed",
            "repriced",
            "batches",
            "ledger_entries",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.subjects |= other.subjects


@dataclass(frozen=True)
class Position:
    """How far a PostgreSQL worker's walk through one kind of due work has got: the last subject
    claimed and, for idle members, its last activity (the walk follows the activity index)."""

    at: datetime | None
    id: str


@dataclass(frozen=True)
class Claim:
    """One batch of claimed subjects; on PostgreSQL also where the walk goes on from and, for a walk
    in id order, the batch's first and last id (see ``among``)."""

    ids: list[str]
    position: Position | None = None
    span: Span | None = None


Progress = Callable[[str, int], None]
"""Called after each batch with the kind being swept and how many subjects the batch handled."""


def shift(moment: datetime, period: Duration, *, back: bool = False) -> datetime:
    """``moment`` moved forward (or back) by a period: calendar months, then days."""
    sign = -1 if back else 1
    day = add_months(moment.date(), sign * period.total_months)
    return moment.replace(year=day.year, month=day.month, day=day.day) + timedelta(
        days=sign * period.total_days
    )


def awaiting_period(table: Table, rule_ids: Sequence[str]) -> Select[Any]:
    """The rows of ``separated_values`` or ``separated_records`` kept under one of ``rule_ids`` whose
    period was a placeholder when they were separated, so they have no expiry yet. The predicate is
    written out (``tables.AWAITING_PERIOD``) for the planners to use the partial index holding just
    those rows; dormant rows, which have no expiry either, are never read."""
    key = table.c.item_id if table is separated_values else table.c.id
    return select(table.c.subject_id, table.c.rule_id, table.c.start_at, key).where(
        text(AWAITING_PERIOD), table.c.rule_id.in_(rule_ids)
    )


def first_expired(table: Table, now: datetime) -> Select[Any]:
    """The earliest expiry at or before ``now`` in ``table`` (no row: nothing has expired), asked in
    expiry order so that it reads one entry of the expiry index (see ``Sweeper._none_expired``)."""
    return select(table.c.expires_at).where(table.c.expires_at <= now).order_by(table.c.expires_at).limit(1)


class Sweeper:
    """``max_active``: at most that many processes sweep the database at once, the others stand by
    (see slots.py); None, no limit."""

    def __init__(self, vault: Vault, *, batch_size: int = 500, max_active: int | None = None) -> None:
        if max_active is not None and max_active < 1:
            raise ValueError("max_active must be at least 1, or None for no limit")
        self.vault = vault
        self.batch_size = batch_size
        self.max_active = max_active
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
        sent = and_(
            outbox.c.subject_id == subjects.c.id,
            outbox.c.kind == "dormancy_notice",
            outbox.c.created_at >= subjects.c.last_activity_at,
        )
        if self.notice_before is None:
            return sent
        return and_(sent, outbox.c.created_at <= shift(now, self.notice_before, back=True))

    def _noticed(self, now: datetime) -> list[ColumnElement[bool]]:
        """The notice condition for separating an idle member: none when the policy sets no notice."""
        if self.notice_before is None:
            return []
        return [_probe(self._notice_sent(now))]

    @staticmethod
    def _notice_unsent() -> ColumnElement[bool]:
        """No dormancy notice queued yet for the member's current idle spell."""
        return not_(
            _probe(
                and_(
                    outbox.c.subject_id == subjects.c.id,
                    outbox.c.kind == "dormancy_notice",
                    outbox.c.created_at >= subjects.c.last_activity_at,
                )
            )
        )

    def _idle_due(self, kind: str, now: datetime) -> list[ColumnElement[bool]]:
        """Beyond being idle long enough: the notice condition of ``dormancy_notice`` or ``dormancy``."""
        return [self._notice_unsent()] if kind == "dormancy_notice" else self._noticed(now)

    def _idle_threshold(self, kind: str, now: datetime) -> datetime | None:
        return self._notice_before(now) if kind == "dormancy_notice" else self._dormant_before(now)

    # -- claims ---------------------------------------------------------------------------------

    def _claim_query(self, kind: str, now: datetime, after: Position | None = None) -> Any:
        """Subject ids (and, for idle members, their last activity) with due work of ``kind``; with
        ``after``, only those beyond a worker's position in the order ``_claim`` walks them."""
        active_member = and_(subjects.c.status == "active", subjects.c.kind == "member")
        beyond: list[ColumnElement[bool]] = [] if after is None else [subjects.c.id > after.id]

        def joined(table: Any, *where: ColumnElement[bool]) -> Any:
            # the position on both sides of the join: PostgreSQL does not carry ``>`` across ``=``
            position = [] if after is None else [table.c.subject_id > after.id]
            return (
                select(subjects.c.id)
                .join(table, table.c.subject_id == subjects.c.id)
                .where(*where, *beyond, *position)
            )

        def idle(threshold: datetime, *where: ColumnElement[bool]) -> Any:
            # walked in the order of the (status, last_activity_at, id) index, from the position on
            last = subjects.c.last_activity_at
            position = [] if after is None else [tuple_(last, subjects.c.id) > tuple_(after.at, after.id)]
            return select(subjects.c.id, last).where(active_member, last < threshold, *where, *position)

        if kind in EXPIRING:
            table = EXPIRING[kind]
            return joined(table, table.c.expires_at <= now)
        if kind == "expired_log_items":
            expired = self._expired_log_items(now, item_values)
            if expired is None:
                return None
            return joined(item_values, expired)
        if kind == "pending_guardian":
            if self.confirm_within is None:
                return None
            return select(subjects.c.id).where(
                subjects.c.status == "pending_guardian",
                subjects.c.created_at < due_if_before(now, self.confirm_within),
                *beyond,
            )
        if kind in IDLE_KINDS:
            threshold = self._idle_threshold(kind, now)
            if threshold is None:
                return None
            return idle(threshold, *self._idle_due(kind, now))
        raise ValueError(kind)

    def _expired_log_items(self, now: datetime, table: Any) -> ColumnElement[bool] | None:
        """Generated items (접속 로그, IP…) collected before their period's cut-off, or None if none are declared."""
        if not self.log_items:
            return None
        return or_(
            *(
                and_(table.c.item_id == item_id, table.c.collected_at < due_if_before(now, period))
                for item_id, period in sorted(self.log_items.items())
            )
        )

    def _none_expired(self, kind: str, now: datetime) -> bool:
        """Whether ``kind`` is an expiry kind with no row past its expiry: looked up before its walk.

        Asked in expiry order, the look reads the expiry index's first entry whatever the planner's
        statistics say. The claim cannot be asked that way: just after a large sweep, before
        autovacuum has analysed, PostgreSQL still believes most rows due and plans the claim as a
        walk of the whole table in id order — a whole-table read for the claim that finds nothing
        (61 ms at 230,000 separated values), paid by every sweep that comes next, standbys first."""
        table = EXPIRING.get(kind)
        if table is None:
            return False
        with self.vault.engine.connect() as conn:
            return conn.execute(first_expired(table, now)).first() is None

    def _claim(self, conn: Connection, kind: str, now: datetime, after: Position | None) -> Claim:
        """Claim up to a batch of subjects with due work of ``kind``: them and, on PostgreSQL, the
        position to go on from (None: the walk is over) and, for a walk in id order, its span.

        SQLite serialises writers and removes index entries as rows go: the claim takes the first due
        subjects (DISTINCT: a subject may have several due rows). PostgreSQL locks the claimed subjects
        (``FOR UPDATE OF subjects SKIP LOCKED``: concurrent workers take disjoint sets) and walks them in
        order — subject id; last activity then id for idle members — from the worker's position: a claim
        from the start would re-read, every batch, the index entries of the rows earlier batches deleted
        or moved (they stay until vacuum) and of subjects other workers hold, which is quadratic over a
        sweep. Subjects passed over because another worker held them are that worker's; if it fails,
        the next sweep finds them."""
        query = self._claim_query(kind, now, after)
        if query is None:
            return Claim([])
        if conn.dialect.name != "postgresql":
            return Claim(
                list(dict.fromkeys(row[0] for row in conn.execute(query.distinct().limit(self.batch_size))))
            )
        idle = kind in IDLE_KINDS
        order = [subjects.c.last_activity_at, subjects.c.id] if idle else [subjects.c.id]
        # PostgreSQL refuses DISTINCT with FOR UPDATE: rows are de-duplicated here
        rows = conn.execute(
            query.order_by(*order)
            .limit(self.batch_size * (1 if idle else 4))
            .with_for_update(skip_locked=True, of=subjects)
        ).all()
        taken = list(dict.fromkeys(row[0] for row in rows))[: self.batch_size]
        if not taken:
            return Claim([])
        last = next(row for row in reversed(rows) if row[0] == taken[-1])
        # in id order the batch lies between its first and last id (as PostgreSQL sorted them)
        return Claim(
            taken, Position(last[1] if idle else None, last[0]), None if idle else (taken[0], taken[-1])
        )

    # -- the run --------------------------------------------------------------------------------

    def run(
        self,
        now: datetime | None = None,
        *,
        progress: Progress | None = None,
        kinds: Sequence[str] = KINDS,
        on_wait: Callable[[], None] | None = None,
    ) -> SweepReport:
        """Sweep until nothing this process can claim is due. Safe to run in several processes at once;
        with ``max_active``, first waits for a free slot (``on_wait`` is called if it has to)."""
        with sweep_slot(self.vault.engine, self.max_active, on_wait=on_wait) as slot:
            return self._run(now, progress, kinds, standby=slot.waited)

    def _run(
        self, now: datetime | None, progress: Progress | None, kinds: Sequence[str], *, standby: bool = False
    ) -> SweepReport:
        moment = now or self.vault._now()
        report = SweepReport(moment)
        report.repriced = self._reprice(moment)
        keyset = self.vault.engine.dialect.name == "postgresql"  # see _claim
        for kind in kinds:
            if self._none_expired(kind, moment):
                continue
            after: Position | None = None
            while True:
                with UnitOfWork(self.vault.engine) as uow:
                    claim = self._claim(uow.conn, kind, moment, after)
                    if not claim.ids:
                        break
                    batch, keys, to_destroy = self._process(uow.conn, claim.ids, moment, claim.span)
                    if batch.subjects:
                        self.vault.access_log.append(
                            uow,
                            [
                                Entry(
                                    moment,
                                    SWEEPER,
                                    "sweep",
                                    "allowed",
                                    None,
                                    sorted(batch.destroyed),
                                    source="sweep",
                                    reason=f"kind={kind}",
                                    count=len(batch.subjects),
                                )
                            ],
                        )
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
                if keyset:
                    after = claim.position
                elif not batch.subjects:
                    break  # claimed, but not due after all: the same subjects would be claimed again
        # a standby that found nothing left leaves the orphan-key scan to the sweeps it waited for: they
        # ran it as they finished (keys orphaned by one that died are found by the next sweep)
        if not (standby and not report.subjects):
            with UnitOfWork(self.vault.engine) as uow:
                if _first_to_clean_up(uow.conn):
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
                out[kind] = (
                    0
                    if query is None
                    else int(
                        conn.execute(select(func.count(func.distinct(query.subquery().c.id)))).scalar() or 0
                    )
                )
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
                rows = uow.conn.execute(awaiting_period(table, priced)).all()
                for row in rows:
                    expires = expiry_for(self.vault.policy, row.rule_id, _aware(row.start_at))
                    key_filter = (
                        (table.c.item_id == row.item_id)
                        if table is separated_values
                        else (table.c.id == row.id)
                    )
                    uow.conn.execute(
                        update(table)
                        .where(table.c.subject_id == row.subject_id, key_filter)
                        .values(expires_at=expires)
                    )
                    if table is separated_values:
                        uow.conn.execute(
                            update(separated_lookups)
                            .where(
                                separated_lookups.c.subject_id == row.subject_id,
                                separated_lookups.c.item_id == row.item_id,
                            )
                            .values(expires_at=expires)
                        )
                    count += 1
            uow.commit()
        return count

    # -- one batch ------------------------------------------------------------------------------

    def _process(
        self, conn: Connection, claimed: list[str], now: datetime, span: Span | None = None
    ) -> tuple[SweepReport, set[str], list[str]]:
        """All due work for the claimed (and locked) subjects, re-checked here.

        Returns the report, the keys to destroy after the commit, and the idle members to destroy
        (dormancy action ``destroy``) after it."""
        report = SweepReport(now)
        policy = self.vault.policy
        touched_keys: set[str] = set()
        done: set[str] = set()
        # (class kind, class id, trigger, rule id) → how many; turned into ledger entries at the end
        counts: Counter[tuple[str, str, str, str | None]] = Counter()

        def claimed_in(column: Any) -> among:
            return among(column, claimed, span)

        row: Any
        for row in conn.execute(
            delete(separated_values)
            .where(claimed_in(separated_values.c.subject_id), separated_values.c.expires_at <= now)
            .returning(
                separated_values.c.subject_id,
                separated_values.c.item_id,
                separated_values.c.rule_id,
                separated_values.c.key_id,
            )
        ):
            counts["item", row.item_id, "retention_expired", row.rule_id] += 1
            touched_keys.add(row.key_id)
            done.add(row.subject_id)
        for row in conn.execute(
            delete(separated_records)
            .where(claimed_in(separated_records.c.subject_id), separated_records.c.expires_at <= now)
            .returning(
                separated_records.c.subject_id,
                separated_records.c.type,
                separated_records.c.rule_id,
                separated_records.c.key_id,
                separated_records.c.cause,
            )
        ):
            withdrawal = row.cause == "withdrawal"
            counts[
                "record",
                row.type,
                "retention_expired" if withdrawal else "log_expired",
                row.rule_id if row.rule_id else _rule_id(policy, row.type),
            ] += 1
            if withdrawal:
                touched_keys.add(row.key_id)
            done.add(row.subject_id)
        for row in conn.execute(
            delete(separated_lookups)
            .where(claimed_in(separated_lookups.c.subject_id), separated_lookups.c.expires_at <= now)
            .returning(
                separated_lookups.c.subject_id, separated_lookups.c.item_id, separated_lookups.c.rule_id
            )
        ):
            counts["lookup", row.item_id, "retention_expired", row.rule_id] += 1
            done.add(row.subject_id)
        for row in conn.execute(
            delete(records)
            .where(claimed_in(records.c.subject_id), records.c.expires_at <= now)
            .returning(records.c.subject_id, records.c.type)
        ):
            counts["record", row.type, "log_expired", _rule_id(policy, row.type)] += 1
            done.add(row.subject_id)

        for table in (item_values, separated_values):  # logs kept as items expire like logs kept as records
            expired = self._expired_log_items(now, table)
            if expired is None:
                break
            where = [claimed_in(table.c.subject_id), expired]
            if table is separated_values:
                where.append(separated_values.c.cause == "dormancy")
            for row in conn.execute(
                delete(table).where(*where).returning(table.c.subject_id, table.c.item_id)
            ):
                counts["item", row.item_id, "log_expired", _rule_id(policy, row.item_id)] += 1
                done.add(row.subject_id)

        removed = self._unconfirmed_children(conn, claimed, now, counts, span)
        done |= removed
        if self._notice_before(now) is not None:
            for sid, last in conn.execute(
                select(subjects.c.id, subjects.c.last_activity_at).where(
                    claimed_in(subjects.c.id),
                    unindexed(subjects.c.status) == "active",
                    subjects.c.kind == "member",
                    subjects.c.last_activity_at < self._notice_before(now),
                    self._notice_unsent(),
                )
            ):
                if self._queue_notice(conn, sid, _aware(last), now):
                    report.notices += 1
                    done.add(sid)
        dormant_before = self._dormant_before(now)
        to_destroy: list[str] = []
        if dormant_before is not None:
            due = [
                r.id
                for r in conn.execute(
                    select(subjects.c.id).where(
                        claimed_in(subjects.c.id),
                        unindexed(subjects.c.status) == "active",
                        subjects.c.kind == "member",
                        subjects.c.last_activity_at < dormant_before,
                        *self._noticed(now),
                    )
                )
            ]
            if due and not self.dormancy_destroys:
                report.separated_dormant += separate_dormant(conn, due, now, span)
                done.update(due)
            else:
                to_destroy = due
        gone = [
            r.id
            for r in conn.execute(
                delete(subjects)
                .where(
                    claimed_in(subjects.c.id),
                    unindexed(subjects.c.status) == "withdrawn",
                    not_(exists().where(separated_values.c.subject_id == subjects.c.id)),
                    not_(exists().where(separated_records.c.subject_id == subjects.c.id)),
                    not_(exists().where(separated_lookups.c.subject_id == subjects.c.id)),
                )
                .returning(subjects.c.id)
            )
        ]
        report.subjects_removed += len(gone) + len(removed)
        done.update(gone)
        if touched_keys:
            still = {
                r[0]
                for r in conn.execute(
                    select(separated_values.c.key_id)
                    .where(among(separated_values.c.key_id, touched_keys))
                    .distinct()
                )
            }
            still |= {
                r[0]
                for r in conn.execute(
                    select(separated_records.c.key_id)
                    .where(among(separated_records.c.key_id, touched_keys))
                    .distinct()
                )
            }
            touched_keys -= still
        keys = touched_keys | set(gone) | removed
        ledger = LedgerBatch(actor=SWEEPER)
        for (kind, class_id, trigger, rule_id), count in counts.items():
            rule = policy.retention_by_id.get(rule_id) if rule_id else None
            ledger.add(kind, class_id, trigger, rule_id, rule_basis(rule) if rule_id else None, count)
            report.destroyed[f"{kind}:{class_id}"] += count
        report.ledger_entries = ledger.write(conn, now)
        report.subjects = done
        report.batches = 1
        return report, keys, to_destroy

    def _unconfirmed_children(
        self,
        conn: Connection,
        claimed: list[str],
        now: datetime,
        counts: Counter[tuple[str, str, str, str | None]],
        span: Span | None,
    ) -> set[str]:
        """Children's data whose guardian never confirmed within the policy's limit is destroyed."""
        if self.confirm_within is None:
            return set()
        due = [
            r.id
            for r in conn.execute(
                select(subjects.c.id).where(
                    among(subjects.c.id, claimed, span),
                    unindexed(subjects.c.status) == "pending_guardian",
                    subjects.c.created_at < due_if_before(now, self.confirm_within),
                )
            )
        ]
        if not due:
            return set()
        for row in conn.execute(
            delete(item_values)
            .where(among(item_values.c.subject_id, due, span))
            .returning(item_values.c.item_id)
        ):
            counts["item", row.item_id, "guardian_not_confirmed", None] += 1
        for row in conn.execute(
            delete(lookups).where(among(lookups.c.subject_id, due, span)).returning(lookups.c.item_id)
        ):
            counts["lookup", row.item_id, "guardian_not_confirmed", None] += 1
        conn.execute(delete(consents).where(among(consents.c.subject_id, due, span)))
        conn.execute(delete(subjects).where(among(subjects.c.id, due, span)))
        return set(due)

    def _queue_notice(
        self, conn: Connection, subject_id: str, last_activity: datetime, now: datetime
    ) -> bool:
        assert self.after is not None
        separation_at = expiry_instant(last_activity, self.after)
        return enqueue(
            conn,
            kind="dormancy_notice",
            subject_id=subject_id,
            dedupe_key=f"dormancy_notice:{subject_id}:{last_activity.isoformat()}",
            payload={
                "subject_id": subject_id,
                "separation_at": separation_at.isoformat(),
                "channels": list(self.vault.policy.dormancy.notice_channels)
                if self.vault.policy.dormancy
                else [],
            },
            due_at=now,
            now=now,
        )


ORPHAN_KEYS_LOCK = 0x6A696B696D69  # "jikimi": the advisory lock of the orphan-key clean-up


def _first_to_clean_up(conn: Connection) -> bool:
    """Whether this worker runs the end-of-sweep orphan-key clean-up (a scan of every data key).

    On PostgreSQL, workers finishing together would each scan the whole key table; the first to take
    a transaction-scoped advisory lock does it and the others skip — its scan finds every key orphaned
    so far, and one left by a later crash is found by the next sweep. SQLite serialises writers anyway."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(select(func.pg_try_advisory_xact_lock(ORPHAN_KEYS_LOCK))).scalar())


def _probe(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``EXISTS (SELECT 1 … OFFSET 0)``: the same answer as a plain EXISTS, but PostgreSQL keeps it a
    per-row probe of the outbox index instead of turning it into a join that hashes the whole outbox
    for every claimed batch (OFFSET stops the planner's EXISTS-to-join rewrite)."""
    return exists(select(literal_column("1")).where(condition).offset(0))


def log_item_periods(policy: Any) -> dict[str, Duration]:
    """Generated items (logs, IP addresses) kept under a rule counted from their own date: they expire
    after its period even while the member is active, as logs kept as records do."""
    from jikimi.lifecycle.rules import rule_for

    out: dict[str, Duration] = {}
    for item in policy.items:
        rule = rule_for(policy, item.id)
        if (
            item.generated
            and rule is not None
            and rule.duration is not None
            and rule.start in ("record_date", "collection")
        ):
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
