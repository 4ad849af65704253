"""The sweep: everything whose time has come is acted on, in batches, idempotently, by any number
of worker processes at once.

Each kind of due work has a claim query that returns subject ids through an index (expiry times,
statuses, last activity). A batch locks the claimed subjects' rows — ``FOR UPDATE OF subjects SKIP
LOCKED`` on PostgreSQL, so concurrent workers take disjoint subjects; SQLite serialises writers —
and then, for exactly those subjects, does *all* their due work with set-based statements that
re-check every condition inside the transaction: destroy expired separated data and records,
expire logs, destroy unconfirmed children's data, queue dormancy notices, separate dormant
members (or end them, where the policy destroys idle accounts), remove subjects with nothing left.
After the batches the access log's rows older than its retention period go (``log_expiry``).
The batch's destruction ledger entries are written in the same transaction, so a crash at any
point leaves either the whole batch done and recorded or none of it; re-running finishes the work.
Keys are destroyed after the commit (see separation.py). The statements are in
``store/sweep_queries.py``; this module decides when each kind is due and what a batch counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.errors import StateConflict
from jikimi.handlers import SYSTEM
from jikimi.lifecycle.ledger import LedgerBatch
from jikimi.lifecycle.log_expiry import expire_access_log
from jikimi.lifecycle.rules import dormancy_period, expiry_for, rule_basis, rule_for
from jikimi.periods import Duration, due_if_before, expiry_instant, shift
from jikimi.policy.model import Policy
from jikimi.states import Cause
from jikimi.store import events as event_rows
from jikimi.store import rights as rights_rows
from jikimi.store import separated, wal
from jikimi.store import sweep_queries as q
from jikimi.store.keys import vacuum_key_table
from jikimi.store.outbox import enqueue
from jikimi.store.slots import sweep_slot
from jikimi.store.sweep_queries import KINDS, Claim, Due, Position
from jikimi.store.uow import UnitOfWork

if TYPE_CHECKING:
    from jikimi.lifecycle.separation import Ending

SWEEPER = "system:sweep"
RIGHTS_DUE_SOON = timedelta(days=3)
"""How long before a rights request's deadline the service is told (``rights_request.due_soon``)."""
REKEY_BATCH = 1000

__all__ = ["KINDS", "SWEEPER", "Sweeper", "SweepReport", "due_at", "log_item_periods"]


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
    rekeyed: int = 0
    batches: int = 0
    ledger_entries: int = 0
    access_log_expired: int = 0  # access-log rows older than its retention period, destroyed
    reconfirmations: int = 0  # advertising consents' reconfirmation notices queued (notices.marketing)
    rights_due_soon: int = 0  # rights_request.due_soon events written (requests due within 3 days)
    events_expired: int = 0  # service events older than store.events.KEPT (30 days), deleted
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
            "rekeyed",
            "batches",
            "ledger_entries",
            "access_log_expired",
            "reconfirmations",
            "rights_due_soon",
            "events_expired",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.subjects |= other.subjects


Progress = Callable[[str, int], None]
"""Called after each batch with the kind being swept and how many subjects the batch handled."""


def log_item_periods(policy: Policy) -> dict[str, Duration]:
    """Generated items (logs, IP addresses) kept under a rule counted from their own date: they expire
    after its period even while the member is active, as logs kept as records do."""
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


def due_at(policy: Policy, now: datetime) -> Due:
    """When each kind of the policy's work is due at ``now`` (pure: the Civil Act's counting)."""
    after = dormancy_period(policy)
    lead = policy.dormancy.notice_before if policy.dormancy else None
    children = policy.children
    confirm = children.confirm_within if children is not None else None
    return Due(
        now=now,
        log_items=tuple(
            (item_id, due_if_before(now, period))
            for item_id, period in sorted(log_item_periods(policy).items())
        ),
        guardian_before=due_if_before(now, confirm) if confirm is not None else None,
        notice_before=due_if_before(shift(now, lead), after)
        if after is not None and lead is not None
        else None,
        notice_sent_by=shift(now, lead, back=True) if lead is not None else None,
        dormant_before=due_if_before(now, after) if after is not None else None,
    )


class Sweeper:
    """``max_active``: at most that many processes sweep the database at once, the others stand by
    (see slots.py); None, no limit. ``ending`` ends idle members' purposes where the dormancy
    policy destroys them, and finishes re-keying a crash left behind."""

    def __init__(
        self, core: Core, ending: Ending, *, batch_size: int = 500, max_active: int | None = None
    ) -> None:
        if max_active is not None and max_active < 1:
            raise ValueError("max_active must be at least 1, or None for no limit")
        self.core = core
        self.ending = ending
        self.batch_size = batch_size
        self.max_active = max_active
        policy = core.policy
        self.dormancy_destroys = policy.dormancy is not None and policy.dormancy.action == "destroy"

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
        with sweep_slot(self.core.engine, self.max_active, on_wait=on_wait) as slot:
            return self._run(now, progress, kinds, standby=slot.waited)

    def count_due(self, now: datetime | None = None) -> dict[str, int]:
        """How many subjects each kind of work would claim now (for progress bars and dry runs)."""
        with self.core.reading() as conn:
            return q.count_due(conn, due_at(self.core.policy, now or self.core.now()))

    def _run(
        self, now: datetime | None, progress: Progress | None, kinds: Sequence[str], *, standby: bool
    ) -> SweepReport:
        core = self.core
        moment = now or core.now()
        due = due_at(core.policy, moment)
        report = SweepReport(moment)
        report.repriced = self._reprice(moment)
        report.rekeyed = self._finish_rekeying()
        report.rights_due_soon = self._rights_due_soon(moment)
        with core.unit_of_work() as uow:  # the service events have had their time to be pulled
            report.events_expired = event_rows.expire(uow.conn, before=moment - event_rows.KEPT)
            uow.commit()
        keyset = core.engine.dialect.name == "postgresql"  # see sweep_queries.claim
        for kind in kinds:
            with core.reading() as conn:
                if q.none_expired(conn, kind, moment):
                    continue
            after: Position | None = None
            while True:
                with core.unit_of_work() as uow:
                    claim = q.claim(uow.conn, kind, due, after, self.batch_size)
                    if not claim.ids:
                        break
                    uow.after_commit(wal.checkpoint_later(uow.conn))
                    batch, keys, idle = self._process(uow, claim, due)
                    if batch.subjects:
                        core.log(
                            uow,
                            moment,
                            SWEEPER,
                            "sweep",
                            items=sorted(batch.destroyed),
                            source="sweep",
                            reason=f"kind={kind}",
                            count=len(batch.subjects),
                        )
                    uow.commit()
                batch.keys_destroyed = self._destroy_keys(keys)
                for subject_id in idle:  # dormancy action "destroy": ended like a withdrawal
                    try:
                        self.ending.withdraw(subject_id, "dormancy_destroy", actor=SYSTEM, source="sweep")
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
            with core.unit_of_work() as uow:
                if q.first_to_clean_up(uow.conn):
                    report.keys_destroyed += core.keys.destroy_orphans(uow, moment)
                uow.commit()
        # the access log's own expiry, once per sweep: serialised, so a second sweep finds it done
        report.access_log_expired = expire_access_log(core, moment).rows
        wal.truncate_sqlite_wal(core.engine)
        vacuum_key_table(core.engine)  # PostgreSQL: keys destroyed since the last sweep pruned now
        return report

    def _rights_due_soon(self, now: datetime) -> int:
        """Tell the service of rights requests due within ``RIGHTS_DUE_SOON`` (one event per request
        and deadline: an extended one is told again)."""
        with self.core.unit_of_work() as uow:
            written = 0
            for row in rights_rows.due_within(uow.conn, now, now + RIGHTS_DUE_SOON):
                due = as_utc(row.due_at).isoformat()
                written += self.core.emit_all(
                    uow,
                    now,
                    "rights_request.due_soon",
                    [row.subject_id] if row.subject_id else [],
                    key=f"{row.id}:{due}",
                    request_id=row.id,
                    request_type=row.type,
                    due_at=due,
                )
            uow.commit()
        return written

    def _destroy_keys(self, key_ids: set[str]) -> int:
        if not key_ids:
            return 0
        with self.core.unit_of_work() as uow:
            count = self.core.keys.destroy(uow, sorted(key_ids))
            uow.commit()
        return count

    def _reprice(self, now: datetime) -> int:
        """Separated data whose rule had a placeholder period gets its expiry once the policy states one."""
        policy = self.core.policy
        priced = [r.id for r in policy.retention if r.duration is not None]
        if not priced:
            return 0
        with self.core.unit_of_work() as uow:
            rows = q.rows_awaiting_period(uow.conn, priced)
            for table, row in rows:
                q.set_expiry(uow.conn, table, row, expiry_for(policy, row.rule_id, as_utc(row.start_at)))
            uow.commit()
        return len(rows)

    def _finish_rekeying(self) -> int:
        """Kept rows a crash left under their subject's everyday key get their group's key now."""
        with self.core.reading() as conn:
            waiting = separated.subjects_awaiting_rekey(conn, REKEY_BATCH)
        return sum(self.ending.rekey(subject_id) for subject_id in waiting)

    # -- one batch ------------------------------------------------------------------------------

    def _process(self, uow: UnitOfWork, claim: Claim, due: Due) -> tuple[SweepReport, set[str], list[str]]:
        """All due work for the claimed (and locked) subjects, re-checked here.

        Returns the report, the keys to destroy after the commit, and the idle members to end
        (dormancy action ``destroy``) after it."""
        conn, ids, span, now = uow.conn, claim.ids, claim.span, due.now
        report = SweepReport(now)
        policy = self.core.policy
        touched_keys: set[str] = set()
        done: set[str] = set()
        # (class kind, class id, trigger, rule id) → how many; turned into ledger entries at the end
        counts: Counter[tuple[str, str, str, str | None]] = Counter()

        for row in q.expire_values(conn, ids, span, now):
            counts["item", row.item_id, "retention_expired", row.rule_id] += 1
            touched_keys.add(row.key_id)
            done.add(row.subject_id)
        for row in q.expire_records(conn, ids, span, now):
            withdrawal = row.cause == Cause.WITHDRAWAL
            rule_id = row.rule_id if row.rule_id else _rule_id(policy, row.type)
            counts["record", row.type, "retention_expired" if withdrawal else "log_expired", rule_id] += 1
            if withdrawal:
                touched_keys.add(row.key_id)
            done.add(row.subject_id)
        for row in q.expire_lookups(conn, ids, span, now):
            counts["lookup", row.item_id, "retention_expired", row.rule_id] += 1
            done.add(row.subject_id)
        for row in q.expire_logs(conn, ids, span, now):
            counts["record", row.type, "log_expired", _rule_id(policy, row.type)] += 1
            done.add(row.subject_id)
        for row in q.expire_log_items(conn, ids, span, due):
            counts["item", row.item_id, "log_expired", _rule_id(policy, row.item_id)] += 1
            done.add(row.subject_id)

        removed = self._unconfirmed_children(uow, claim, due, counts)
        done |= removed
        for sid, last in q.notice_due(conn, ids, span, due):
            if self._queue_notice(uow, sid, as_utc(last), now):
                report.notices += 1
                done.add(sid)
        idle: list[str] = []
        dormant = q.dormancy_due(conn, ids, span, due)
        if dormant and not self.dormancy_destroys:
            report.separated_dormant += separated.move_dormant(conn, dormant, now, span)
            done.update(dormant)
            self.core.emit_all(uow, now, "subject.dormant", dormant, key=now.isoformat())
        else:
            idle = dormant
        gone = q.remove_finished(conn, ids, span)
        report.subjects_removed += len(gone) + len(removed)
        done.update(gone)
        # the service is told in this transaction: a subject with nothing left is gone
        self.core.emit_all(
            uow, now, "subject.destroyed", gone, key=now.isoformat(), trigger="retention_expired"
        )
        self.core.emit_all(
            uow,
            now,
            "subject.destroyed",
            sorted(removed),
            key=now.isoformat(),
            trigger="guardian_not_confirmed",
        )
        # only retention-group keys ("<subject>~<hash>") go with their last row here: an everyday key
        # goes with its subject (``gone``, ``removed``), or after re-keying (separation.py)
        group_keys = {k for k in touched_keys if "~" in k}
        keys = (group_keys - separated.keys_in_use(conn, group_keys)) | set(gone) | removed
        ledger = LedgerBatch(actor=SWEEPER)
        for (kind, class_id, trigger, rule_id), count in counts.items():
            rule = policy.retention_by_id.get(rule_id) if rule_id else None
            ledger.add(kind, class_id, trigger, rule_id, rule_basis(rule) if rule_id else None, count)
            report.destroyed[f"{kind}:{class_id}"] += count
        report.ledger_entries = ledger.write(uow, now)
        report.subjects = done
        report.batches = 1
        return report, keys, idle

    def _unconfirmed_children(
        self, uow: UnitOfWork, claim: Claim, due: Due, counts: Counter[tuple[str, str, str, str | None]]
    ) -> set[str]:
        """Children's data whose guardian never confirmed within the policy's limit is destroyed."""
        if due.guardian_before is None:
            return set()
        children, items, looked = q.destroy_unconfirmed_children(
            uow.conn, claim.ids, claim.span, due.guardian_before
        )
        for item_id in items:
            counts["item", item_id, "guardian_not_confirmed", None] += 1
        for item_id in looked:
            counts["lookup", item_id, "guardian_not_confirmed", None] += 1
        return set(children)

    def _queue_notice(self, uow: UnitOfWork, subject_id: str, last_activity: datetime, now: datetime) -> bool:
        policy = self.core.policy
        after = dormancy_period(policy)
        assert after is not None and policy.dormancy is not None
        separation_at = expiry_instant(last_activity, after)
        return enqueue(
            uow.conn,
            kind=q.NOTICE_KIND,
            subject_id=subject_id,
            dedupe_key=f"dormancy_notice:{subject_id}:{last_activity.isoformat()}",
            payload={
                "subject_id": subject_id,
                "separation_at": separation_at.isoformat(),
                "channels": list(policy.dormancy.notice_channels),
            },
            due_at=now,
            now=now,
        )


def _rule_id(policy: Policy, record_type: str) -> str | None:
    rule = rule_for(policy, record_type)
    return rule.id if rule is not None else None
