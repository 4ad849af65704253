"""제3자 제공 (PIPA 17, 18): the only way personal data leaves jikimi for another controller.

``Sharing(vault).provide(...)`` decides every subject with ``decisions.decide_provision``, hands
over the values only of the subjects allowed, and writes, in one unit of work per chunk of
subjects, one provision ledger row per subject provided (ids, items, basis, reference — never
values) and one access-log row per subject considered, allowed or not. A chunk that fails rolls
back whole; chunks already committed stay recorded, so the ledger may over-record an interrupted
call but never under-record one.

Third-party consents live in ``consents`` with ``target_kind="third_party"``; ``give_consent`` and
``withdraw_consent`` change them, as easily one way as the other (PIPA 37④).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, exists, insert, select, update

from jikimi.audit import Entry
from jikimi.crypto import open_value
from jikimi.errors import Denied, InvalidInput, NotFound, StateConflict
from jikimi.handlers import Handler
from jikimi.sharing.decisions import (
    BASES,
    REASONS,
    RecipientFacts,
    decide_call,
    decide_subject,
    recipient,
    stop_keys,
)
from jikimi.sharing.deidentify import DEFAULT_K
from jikimi.sharing.processors import (
    ProcessorHolding,
    RegisteredProcessor,
    processors_holding,
    register_processors,
    registry,
)
from jikimi.sharing.stats import ExportKind, ExportRequest, StatsExport, export_stats
from jikimi.store.bulk import insert_many
from jikimi.store.tables import consents, item_values, processing_stops, provisions, subjects
from jikimi.store.uow import UnitOfWork
from jikimi.vault import Vault

MAX_PROVIDE = 100_000
"""Subjects per call (a larger recipient list is several calls, each its own batch)."""
CHUNK = 2_000
"""Subjects per unit of work."""
_IN = 500
"""Ids per ``IN (...)`` list."""
_PROVISION_COLUMNS = (
    "batch_id",
    "subject_id",
    "third_party_id",
    "items",
    "basis",
    "reference",
    "at",
    "actor",
    "policy_version",
)


@dataclass(frozen=True)
class SubjectQuery:
    """Which subjects a provision is for, when not listed by id.

    ``consented=True`` keeps only subjects whose consent to the recipient is live (the usual
    query for a consent-based recipient). ``status`` defaults to active subjects.
    """

    status: str | None = "active"
    context: str | None = None
    kind: str | None = None
    consented: bool = False


@dataclass(frozen=True)
class ProvisionResult:
    """What one ``provide`` call handed over, and what it refused and why."""

    batch_id: str
    third_party: str
    basis: str
    reference: str | None
    at: datetime
    values: dict[str, dict[str, str]]
    """The data actually handed over: subject id → item id → value."""
    denied: dict[str, str] = field(default_factory=dict)
    """Subject id → reason (see ``decisions.REASONS``) for every subject not provided."""

    @property
    def allowed(self) -> int:
        return len(self.values)

    @property
    def counts(self) -> dict[str, int]:
        """``{"allowed": n, "<reason>": n, …}``."""
        out = {"allowed": len(self.values)}
        for reason in self.denied.values():
            out[reason] = out.get(reason, 0) + 1
        return out


@dataclass(frozen=True)
class ProvisionRecord:
    """One row of the provision ledger (제3자 제공 기록): ids and codes only."""

    id: int
    batch_id: str
    subject_id: str
    third_party_id: str
    items: tuple[str, ...]
    basis: str
    reference: str | None
    at: datetime
    actor: str
    policy_version: str


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _slices(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class Sharing:
    """Provision to third parties, their consents and ledger, processors and statistics exports."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.policy = vault.policy

    # -- helpers --------------------------------------------------------------------------------

    def actor(self, actor: Handler | str) -> Handler:
        return actor if isinstance(actor, Handler) else self.vault.handlers.get(actor)

    def now(self) -> datetime:
        return _utc(self.vault.clock.now())

    # -- provide --------------------------------------------------------------------------------

    def provide(
        self,
        subjects_or_query: Sequence[str] | SubjectQuery,
        third_party: str,
        items: Sequence[str],
        *,
        basis: str,
        reference: str | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> ProvisionResult:
        """Provide ``items`` of the subjects to ``third_party`` (제3자 제공) on ``basis`` ``"consent"`` or ``"law"``.

        ``reference`` records the legal basis's document (a warrant number, a statute and request
        number) and is required for ``"law"``. Raises ``Denied`` when the call itself is refused
        (role, recipient, items, missing reference — logged once); otherwise each subject is
        decided and logged, and only allowed subjects' values are returned and recorded.
        """
        handler = self.actor(actor)
        wanted = list(dict.fromkeys(items))
        if basis not in BASES:
            raise InvalidInput("basis", "consent 또는 law여야 합니다", "must be consent or law")
        if not wanted:
            raise InvalidInput("items", "항목이 없습니다", "no items requested")
        reference = reference.strip() if reference and reference.strip() else None
        if reference is not None and len(reference) > 500:
            raise InvalidInput("reference", "500자 이하여야 합니다", "must be at most 500 characters")
        ids = (
            self._resolve(subjects_or_query, third_party)
            if isinstance(subjects_or_query, SubjectQuery)
            else list(dict.fromkeys(subjects_or_query))
        )
        if len(ids) > MAX_PROVIDE:
            raise InvalidInput(
                "subjects", f"한 번에 {MAX_PROVIDE}명까지입니다", f"at most {MAX_PROVIDE} subjects per call"
            )
        now = self.now()
        batch_id = secrets.token_hex(16)
        note = f"third_party={third_party}; basis={basis}; batch={batch_id}" + (
            f"; reference={reference}" if reference else ""
        )
        call = decide_call(
            self.policy,
            third_party_id=third_party,
            items=wanted,
            basis=basis,
            reference=reference,
            role=handler.role,
        )
        if not call.allowed:
            with UnitOfWork(self.vault.engine) as uow:
                self.vault.access_log.append(
                    uow,
                    [
                        Entry(
                            now,
                            handler.login,
                            "provide",
                            f"denied:{call.reason}",
                            None,
                            wanted,
                            None,
                            source,
                            note,
                            count=max(len(ids), 1),
                        )
                    ],
                )
                uow.commit()
            raise Denied(call.reason, call.message_ko, call.message_en)
        values: dict[str, dict[str, str]] = {}
        denied: dict[str, str] = {}
        for chunk in _slices(ids, CHUNK):
            with UnitOfWork(self.vault.engine) as uow:
                self._provide_chunk(
                    uow,
                    chunk,
                    third_party,
                    wanted,
                    basis,
                    reference,
                    handler,
                    source,
                    now,
                    batch_id,
                    note,
                    values,
                    denied,
                )
                uow.commit()
        return ProvisionResult(batch_id, third_party, basis, reference, now, values, denied)

    def _provide_chunk(
        self,
        uow: UnitOfWork,
        chunk: Sequence[str],
        third_party: str,
        items: list[str],
        basis: str,
        reference: str | None,
        handler: Handler,
        source: str,
        now: datetime,
        batch_id: str,
        note: str,
        values: dict[str, dict[str, str]],
        denied: dict[str, str],
    ) -> None:
        facts = self._facts(uow.conn, chunk, items, third_party)
        allowed: list[str] = []
        outcome: dict[str, str] = {}
        for sid in chunk:
            subject = facts.get(sid)
            if subject is None:
                outcome[sid] = "subject_not_found"
                continue
            decision = decide_subject(self.policy, items=items, basis=basis, subject=subject)
            if decision.allowed:
                allowed.append(sid)
            else:
                outcome[sid] = decision.reason
        opened = self._open(uow.conn, allowed, items)
        for sid in allowed:
            if opened.get(sid):
                values[sid] = opened[sid]
            else:
                outcome[sid] = "nothing_held"
        denied.update(outcome)
        version = self.policy.version_key
        insert_many(
            uow.conn,
            provisions,
            _PROVISION_COLUMNS,
            [
                (
                    batch_id,
                    sid,
                    third_party,
                    json.dumps(sorted(values[sid])),
                    basis,
                    reference,
                    now,
                    handler.login,
                    version,
                )
                for sid in allowed
                if sid in values
            ],
        )
        self.vault.access_log.append(
            uow,
            [
                Entry(
                    now,
                    handler.login,
                    "provide",
                    "allowed" if sid not in outcome else f"denied:{outcome[sid]}",
                    sid,
                    sorted(values[sid]) if sid in values else items,
                    None,
                    source,
                    note,
                )
                for sid in chunk
            ],
        )

    def _facts(
        self, conn: Connection, ids: Sequence[str], items: list[str], third_party: str
    ) -> dict[str, RecipientFacts]:
        state: dict[str, tuple[str, bool]] = {}
        held: dict[str, set[str]] = {}
        live: set[str] = set()
        withdrawn: set[str] = set()
        stopped: set[str] = set()
        for part in _slices(ids, _IN):
            chunk = list(part)
            for subject in conn.execute(
                select(subjects.c.id, subjects.c.status, subjects.c.is_child).where(subjects.c.id.in_(chunk))
            ):
                state[subject.id] = (subject.status, bool(subject.is_child))
            for value in conn.execute(
                select(item_values.c.subject_id, item_values.c.item_id).where(
                    item_values.c.subject_id.in_(chunk),
                    item_values.c.item_id.in_(items),
                    item_values.c.hold.is_(True),
                )
            ):
                held.setdefault(value.subject_id, set()).add(value.item_id)
            for row in conn.execute(
                select(consents.c.subject_id, consents.c.granted, consents.c.withdrawn_at).where(
                    consents.c.subject_id.in_(chunk),
                    consents.c.target_kind == "third_party",
                    consents.c.target_id == third_party,
                )
            ):
                if row.granted and row.withdrawn_at is None:
                    live.add(row.subject_id)
                elif row.withdrawn_at is not None:
                    withdrawn.add(row.subject_id)
            for stop in conn.execute(
                select(processing_stops.c.subject_id).where(
                    processing_stops.c.subject_id.in_(chunk),
                    processing_stops.c.purpose_id.in_(stop_keys(third_party)),
                    processing_stops.c.lifted_at.is_(None),
                )
            ):
                stopped.add(stop.subject_id)
        return {
            sid: RecipientFacts(
                status,
                is_child,
                frozenset(held.get(sid, ())),
                "live" if sid in live else "withdrawn" if sid in withdrawn else "none",
                sid in stopped,
            )
            for sid, (status, is_child) in state.items()
        }

    def _open(self, conn: Connection, ids: list[str], items: list[str]) -> dict[str, dict[str, str]]:
        """Decrypt ``items`` of ``ids`` (passwords are never handed over)."""
        out: dict[str, dict[str, str]] = {}
        if not ids:
            return out
        keys = self.vault.keys.get_many(conn, ids)
        items_by_id = self.policy.items_by_id
        wanted = [i for i in items if items_by_id[i].format != "password"]
        for part in _slices(ids, _IN):
            for r in conn.execute(
                select(item_values.c.subject_id, item_values.c.item_id, item_values.c.ciphertext).where(
                    item_values.c.subject_id.in_(list(part)), item_values.c.item_id.in_(wanted)
                )
            ):
                key = keys.get(r.subject_id)
                if key is not None:
                    out.setdefault(r.subject_id, {})[r.item_id] = open_value(
                        key, r.subject_id, r.item_id, bytes(r.ciphertext)
                    )
        return out

    def _resolve(self, query: SubjectQuery, third_party: str) -> list[str]:
        statement = select(subjects.c.id).order_by(subjects.c.id)
        if query.status is not None:
            statement = statement.where(subjects.c.status == query.status)
        if query.context is not None:
            statement = statement.where(subjects.c.context == query.context)
        if query.kind is not None:
            statement = statement.where(subjects.c.kind == query.kind)
        if query.consented:
            statement = statement.where(
                exists().where(
                    consents.c.subject_id == subjects.c.id,
                    consents.c.target_kind == "third_party",
                    consents.c.target_id == third_party,
                    consents.c.granted.is_(True),
                    consents.c.withdrawn_at.is_(None),
                )
            )
        with self.vault.engine.connect() as conn:
            ids = [r.id for r in conn.execute(statement.limit(MAX_PROVIDE + 1))]
        return ids

    # -- third-party consents ---------------------------------------------------------------------

    def give_consent(
        self,
        subject_id: str,
        third_party: str,
        *,
        actor: Handler | str,
        channel: str = "web",
        source: str = "local",
    ) -> None:
        """Record the subject's consent to provision to ``third_party`` (제3자 제공 동의, PIPA 17①1)."""
        self._set_consent(subject_id, third_party, True, actor, channel, source)

    def withdraw_consent(
        self,
        subject_id: str,
        third_party: str,
        *,
        actor: Handler | str,
        channel: str = "web",
        source: str = "local",
    ) -> None:
        """Withdraw consent to provision to ``third_party`` (PIPA 37): later provisions are denied."""
        self._set_consent(subject_id, third_party, False, actor, channel, source)

    def _set_consent(
        self,
        subject_id: str,
        third_party: str,
        granted: bool,
        actor: Handler | str,
        channel: str,
        source: str,
    ) -> None:
        handler = self.actor(actor)
        if not handler.role.may("consent"):
            raise Denied(
                "action_not_allowed", "동의 변경 권한이 없습니다", "the handler may not change consents"
            )
        party = recipient(self.policy, third_party)
        if party is None:
            raise InvalidInput(
                "third_party", REASONS["unknown_third_party"][0], REASONS["unknown_third_party"][1]
            )
        if party.basis == "law":
            raise InvalidInput(
                "third_party",
                "법령에 따라 제공하는 제3자로, 동의를 받지 않습니다",
                "this recipient receives data on a legal basis, not on consent",
            )
        now = self.now()
        with UnitOfWork(self.vault.engine) as uow:
            row = uow.conn.execute(select(subjects.c.status).where(subjects.c.id == subject_id)).first()
            if row is None:
                raise NotFound("대상자가 없습니다", "no such subject")
            live = and_(
                consents.c.subject_id == subject_id,
                consents.c.target_kind == "third_party",
                consents.c.target_id == third_party,
                consents.c.granted.is_(True),
                consents.c.withdrawn_at.is_(None),
            )
            if granted:
                if row.status != "active":
                    raise StateConflict("활성 상태가 아닌 대상자입니다", "the subject is not active")
                if uow.conn.execute(select(consents.c.id).where(live)).first() is None:
                    uow.conn.execute(
                        insert(consents).values(
                            subject_id=subject_id,
                            target_kind="third_party",
                            target_id=third_party,
                            granted=True,
                            policy_version=self.policy.version_key,
                            channel=channel,
                            actor=handler.login,
                            at=now,
                        )
                    )
            else:
                uow.conn.execute(update(consents).where(live).values(withdrawn_at=now))
            self.vault.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "consent.give" if granted else "consent.withdraw",
                        "allowed",
                        subject_id,
                        (),
                        None,
                        source,
                        f"third_party={third_party}; channel={channel}",
                    )
                ],
            )
            uow.commit()

    # -- ledger ---------------------------------------------------------------------------------------

    def ledger(
        self,
        *,
        subject_id: str | None = None,
        third_party: str | None = None,
        batch_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_id: int = 0,
        limit: int = 1000,
    ) -> list[ProvisionRecord]:
        """Provision ledger rows, oldest first (page with ``after_id`` = the last row's ``id``)."""
        statement = (
            select(provisions)
            .where(provisions.c.id > after_id)
            .order_by(provisions.c.id)
            .limit(max(1, min(limit, 10_000)))
        )
        if subject_id is not None:
            statement = statement.where(provisions.c.subject_id == subject_id)
        if third_party is not None:
            statement = statement.where(provisions.c.third_party_id == third_party)
        if batch_id is not None:
            statement = statement.where(provisions.c.batch_id == batch_id)
        if since is not None:
            statement = statement.where(provisions.c.at >= _utc(since))
        if until is not None:
            statement = statement.where(provisions.c.at < _utc(until))
        with self.vault.engine.connect() as conn:
            rows = conn.execute(statement).all()
        return [
            ProvisionRecord(
                r.id,
                r.batch_id,
                r.subject_id,
                r.third_party_id,
                tuple(json.loads(r.items)),
                r.basis,
                r.reference,
                _utc(r.at),
                r.actor,
                r.policy_version,
            )
            for r in rows
        ]

    # -- processors (수탁자) ------------------------------------------------------------------------

    def register_processors(
        self, *, actor: Handler | str, source: str = "local"
    ) -> list[RegisteredProcessor]:
        """Sync ``processor_registry`` with the policy's processors (new, changed, released)."""
        handler = self.actor(actor)
        if not handler.role.may("admin"):
            raise Denied(
                "action_not_allowed", "수탁자 등록 권한이 없습니다", "the handler may not register processors"
            )
        return register_processors(
            self.vault.engine,
            self.policy,
            self.vault.access_log,
            actor=handler,
            now=self.now(),
            source=source,
        )

    def registry(self) -> list[RegisteredProcessor]:
        """The processor registry, current and released."""
        return registry(self.vault.engine)

    def processors_holding(self, subject_id: str) -> list[ProcessorHolding]:
        """Which processors hold which of the subject's items, and until when (ids only; for 열람, PIPA 35)."""
        return processors_holding(self.vault.engine, self.policy, subject_id)

    # -- de-identified statistics (가명처리) -------------------------------------------------------

    def export_stats(
        self,
        items: Sequence[str],
        *,
        mode: ExportKind = "aggregate",
        k: int = DEFAULT_K,
        reason: str,
        actor: Handler | str,
        source: str = "local",
        context: str | None = None,
    ) -> StatsExport:
        """Export aggregates or a pseudonymized extract of ``items``, k-anonymous (see ``jikimi.sharing.stats``)."""
        return export_stats(
            self.vault,
            ExportRequest(items, mode, k, reason, context),
            actor=self.actor(actor),
            source=source,
            now=self.now(),
        )
