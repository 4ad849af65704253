"""The vault: the only way personal data enters jikimi and the only way it leaves.

``collect`` takes what a collection context declares (and nothing else), checks formats and
consents, finds duplicate sign-ups through blind indexes, holds children's data until a legal
guardian consents, and stores every value encrypted under the subject's own data key.
``read`` returns values only when the gate allows it, and logs every attempt, allowed or not.
Every operation is one unit of work; every personal read and change lands in the access log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from jikimi.audit import AccessLog, Entry
from jikimi.clock import Clock, SystemClock
from jikimi.crypto import KeyRing, Passwords, blind_index, open_value, seal_value
from jikimi.errors import Denied, Duplicate, InvalidInput, NotFound, StateConflict
from jikimi.gate import ConsentFacts, Decision, Role, SubjectFacts, decide_read, purpose_basis_holds
from jikimi.handlers import SYSTEM, Handler, HandlerService
from jikimi.ids import new_id
from jikimi.lifecycle.rules import log_expiry
from jikimi.lifecycle.separation import Ended, SeparatedData, Separation, restore_dormant
from jikimi.lifecycle.sweep import Sweeper, SweepReport
from jikimi.periods import kst_day
from jikimi.policy.model import Context, Policy, Purpose
from jikimi.store.keys import KeyStore
from jikimi.store.reads import CONSENT_LIVE, CONSENT_WITHDRAWN, read_state, stop_in_force
from jikimi.store.tables import (
    consents,
    item_values,
    lookups,
    records,
    separated_lookups,
    separated_values,
    subjects,
)
from jikimi.store.uow import UnitOfWork
from jikimi.validation import Problem, normalise, registration_birthdate

if TYPE_CHECKING:
    from jikimi.sharing.service import ProvisionResult, SubjectQuery

SELF = Handler(
    id="self",
    login="self",
    role=Role("self", frozenset({"*"}), frozenset({"collect", "consent", "record", "withdraw"})),
)
"""The data subject acting for themselves (sign-up, consent changes) through the service."""

MAX_BULK = 100_000


@dataclass(frozen=True)
class Collected:
    subject_id: str
    status: str
    stored_items: tuple[str, ...]
    consents_given: tuple[str, ...]
    consents_refused: tuple[str, ...]


@dataclass(frozen=True)
class Intake:
    """One collection, validated and ready to store (see ``Vault.intake``)."""

    values: dict[str, str]
    status: str
    is_child: bool
    given: list[str]
    refused: list[str]
    digests: dict[str, bytes]


@dataclass(frozen=True)
class RecordOut:
    id: str
    type: str
    occurred_at: datetime
    data: dict[str, object]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Vault:
    """The vault façade. Build one per process with ``Vault(policy=…, engine=…, keys=…)``."""

    def __init__(
        self,
        *,
        policy: Policy,
        engine: Engine,
        keys: KeyRing,
        clock: Clock | None = None,
        passwords: Passwords | None = None,
        access_log: AccessLog | None = None,
    ) -> None:
        self.policy = policy
        self.engine = engine
        self.clock = clock or SystemClock()
        self.passwords = passwords or Passwords()
        self.access_log = access_log or AccessLog()
        self.keys = KeyStore(keys)
        self.handlers = HandlerService(engine, self.clock, self.access_log, self.passwords)
        self._index_key: bytes | None = None

    # -- helpers --------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return _utc(self.clock.now())

    def _index(self) -> bytes:
        if self._index_key is None:
            self._index_key = self.keys.ensure_index_key(self.engine, self._now())
        return self._index_key

    def _actor(self, actor: Handler | str) -> Handler:
        return actor if isinstance(actor, Handler) else self.handlers.get(actor)

    def _context(self, context_id: str) -> Context:
        ctx = self.policy.contexts_by_id.get(context_id)
        if ctx is None:
            known = ", ".join(self.policy.contexts_by_id)
            raise InvalidInput(
                "context",
                f"처리방침에 없는 수집 상황입니다 (있는 것: {known})",
                f"no such collection context (known: {known})",
            )
        return ctx

    def context_purposes(self, ctx: Context) -> list[Purpose]:
        """The purposes a context collects for: as listed, else every purpose using its items."""
        if ctx.purposes:
            return [self.policy.purposes_by_id[p] for p in ctx.purposes]
        items = set(ctx.required) | set(ctx.optional)
        return [p for p in self.policy.purposes if items & set(p.items)]

    # -- collect --------------------------------------------------------------------------------

    def collect(
        self,
        context: str,
        data: Mapping[str, str],
        consents_given: Mapping[str, bool] | None = None,
        *,
        channel: str = "web",
        actor: Handler | str = SELF,
        source: str = "local",
        subject_id: str | None = None,
    ) -> Collected:
        """Collect ``data`` in ``context`` (수집). Raises ``InvalidInput`` or ``Duplicate``; stores nothing then.

        ``consents_given`` maps purpose ids to the subject's answer. Required consents must be
        ``True``; optional ones may be refused or left out. With ``subject_id``, the items are
        added to an existing active subject (an order by a member, or a child's sign-up completed
        after the guardian's consent) instead of creating a new one.
        """
        handler = self._actor(actor)
        if not handler.role.may("collect"):
            raise Denied("action_not_allowed", "수집 권한이 없습니다", "the handler may not collect")
        ctx = self._context(context)
        now = self._now()
        intake = self.intake(ctx, data, consents_given or {}, now, new_subject=subject_id is None)
        values, status, child, given, refused, digests = (
            intake.values,
            intake.status,
            intake.is_child,
            intake.given,
            intake.refused,
            intake.digests,
        )
        if subject_id is not None:
            return self._collect_into(
                subject_id, ctx, values, given, refused, digests, channel, handler, source, now
            )
        sid = new_id()
        with UnitOfWork(
            self.engine
        ) as uow:  # the key first: a crash leaves a key without data, never data without a key
            data_key = self.keys.create(uow.conn, [sid], now)[sid]
            uow.commit()
        try:
            with UnitOfWork(self.engine) as uow:
                uow.conn.execute(
                    insert(subjects).values(
                        id=sid,
                        kind="guest" if ctx.subjects == "guest" else "member",
                        status=status,
                        context=ctx.id,
                        is_child=child,
                        policy_version=self.policy.version_key,
                        created_at=now,
                        last_activity_at=now,
                        status_changed_at=now,
                    )
                )
                self._store_values(uow, sid, data_key, ctx.id, values, now)
                self._store_lookups(uow, sid, digests)
                self._store_consents(uow, sid, given, refused, channel, handler, now)
                self.access_log.append(
                    uow,
                    [
                        Entry(
                            now,
                            handler.login,
                            "collect",
                            "allowed",
                            sid,
                            tuple(values),
                            source=source,
                            reason=f"context={ctx.id}",
                        )
                    ],
                )
                uow.commit()
        except BaseException:
            with UnitOfWork(self.engine) as uow:
                self.keys.destroy(uow.conn, [sid])
                uow.commit()
            raise
        return Collected(sid, status, tuple(sorted(values)), tuple(given), tuple(refused))

    def intake(
        self,
        ctx: Context,
        data: Mapping[str, str],
        consents_given: Mapping[str, bool],
        now: datetime,
        *,
        new_subject: bool = True,
        password: Callable[[str, str], str] | None = None,
    ) -> Intake:
        """Validate one collection against the policy (items, formats, consents, children) without storing it.

        Shared by ``collect`` and the bulk importer so that both apply exactly the same rules.
        ``password(item_id, value)`` gives the stored form of a password (default: an Argon2id hash).
        Raises ``InvalidInput`` naming the first offending field.
        """
        values = self._validated(ctx, data, password)
        given, refused = self._consents(ctx, consents_given)
        birth = self._birthdate(values)
        child = birth is not None and _age(birth, kst_day(now)) < (
            self.policy.children.age if self.policy.children else 14
        )
        status = "active"
        if child and new_subject and ctx.subjects != "guardian":
            values, status, given, refused = self._child_intake(ctx, values), "pending_guardian", [], []
        return Intake(values, status, child, given, refused, self._lookup_digests(values))

    def _validated(
        self, ctx: Context, data: Mapping[str, str], password: Callable[[str, str], str] | None = None
    ) -> dict[str, str]:
        allowed = set(ctx.required) | set(ctx.optional)
        guardian_items = set(self.policy.children.guardian_items) if self.policy.children else set()
        for key in data:
            if key not in allowed and key not in guardian_items:
                raise InvalidInput(
                    key, "이 수집 상황에서 수집하지 않는 항목입니다", "is not collected in this context"
                )
        values: dict[str, str] = {}
        for item_id in ctx.required:
            raw = data.get(item_id)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                raise InvalidInput(item_id, "필수 항목입니다", "is required")
        for key, raw in data.items():
            if raw is None or (isinstance(raw, str) and not raw.strip() and key not in ctx.required):
                continue  # an optional item left empty is simply not collected
            item = self.policy.items_by_id[key]
            result = normalise(item, raw)
            if isinstance(result, Problem):
                raise InvalidInput(key, result.reason_ko, result.reason_en)
            if item.format == "password":
                result = password(key, result) if password is not None else self.passwords.hash(result)
            values[key] = result
        return values

    def _consents(self, ctx: Context, answers: Mapping[str, bool]) -> tuple[list[str], list[str]]:
        purposes = {p.id: p for p in self.context_purposes(ctx)}
        for purpose_id, answer in answers.items():
            if purpose_id not in purposes:
                raise InvalidInput(
                    f"consents.{purpose_id}",
                    "이 수집 상황에서 동의를 받는 목적이 아닙니다",
                    "is not a purpose this context asks consent for",
                )
            if not isinstance(answer, bool):
                raise InvalidInput(
                    f"consents.{purpose_id}", "true 또는 false여야 합니다", "must be true or false"
                )
        given: list[str] = []
        refused: list[str] = []
        for purpose in purposes.values():
            if purpose.basis != "consent":
                continue
            if answers.get(purpose.id) is True:
                given.append(purpose.id)
            elif purpose.consent == "optional":
                refused.append(purpose.id)
            else:
                raise InvalidInput(
                    f"consents.{purpose.id}", "필수 동의 항목입니다", "this consent is required to sign up"
                )
        return given, refused

    def _birthdate(self, values: Mapping[str, str]) -> date | None:
        for item_id, value in values.items():
            item = self.policy.items_by_id[item_id]
            if item.format == "date" and ("birth" in item.id or "생년월일" in item.label):
                return date.fromisoformat(value)
            if item.format in ("rrn", "frn"):
                return registration_birthdate(value)
        return None

    def _child_intake(self, ctx: Context, values: dict[str, str]) -> dict[str, str]:
        """Under 14: keep only the guardian's name and contact until the guardian consents (령 17-2②)."""
        rule = self.policy.children
        if rule is None or rule.policy == "not_collected" or ctx.children == "refused":
            raise InvalidInput(
                "birthdate",
                "만 14세 미만 아동의 개인정보는 수집하지 않습니다",
                "this service does not collect data of children under 14",
            )
        missing = [i for i in rule.guardian_items if i not in values]
        if missing:
            raise InvalidInput(
                missing[0],
                "만 14세 미만은 법정대리인 정보가 필요합니다",
                "children under 14 must give their legal guardian's name and contact",
            )
        return {i: values[i] for i in rule.guardian_items}

    def _lookup_digests(self, values: Mapping[str, str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for item_id, value in values.items():
            item = self.policy.items_by_id[item_id]
            if item.lookup and item.format != "password":
                out[item_id] = blind_index(self._index(), item_id, value)
        return out

    def _store_values(
        self, uow: UnitOfWork, sid: str, key: bytes, ctx: str, values: Mapping[str, str], now: datetime
    ) -> None:
        if values:
            uow.conn.execute(
                insert(item_values),
                [
                    {
                        "subject_id": sid,
                        "item_id": item_id,
                        "ciphertext": seal_value(key, sid, item_id, value),
                        "context": ctx,
                        "collected_at": now,
                        "hold": False,
                    }
                    for item_id, value in values.items()
                ],
            )

    def _store_lookups(self, uow: UnitOfWork, sid: str, digests: Mapping[str, bytes]) -> None:
        for item_id, digest in digests.items():
            taken = uow.conn.execute(
                select(lookups.c.subject_id).where(lookups.c.item_id == item_id, lookups.c.digest == digest)
            ).first()
            if taken is not None and taken.subject_id != sid:
                raise Duplicate(item_id)
            kept = uow.conn.execute(
                select(separated_lookups.c.subject_id).where(  # kept after a withdrawal
                    separated_lookups.c.item_id == item_id,
                    separated_lookups.c.digest == digest,
                    or_(
                        separated_lookups.c.expires_at.is_(None), separated_lookups.c.expires_at > self._now()
                    ),
                )
            ).first()
            if kept is not None and kept.subject_id != sid:
                raise Duplicate(item_id)
            if taken is None:
                try:
                    with uow.conn.begin_nested():
                        uow.conn.execute(
                            insert(lookups).values(item_id=item_id, digest=digest, subject_id=sid)
                        )
                except IntegrityError as exc:  # a concurrent sign-up won the race
                    raise Duplicate(item_id) from exc

    def _store_consents(
        self,
        uow: UnitOfWork,
        sid: str,
        given: Iterable[str],
        refused: Iterable[str],
        channel: str,
        actor: Handler,
        now: datetime,
        target_kind: str = "purpose",
    ) -> None:
        rows = [
            {
                "subject_id": sid,
                "target_kind": target_kind,
                "target_id": p,
                "granted": True,
                "policy_version": self.policy.version_key,
                "channel": channel,
                "actor": actor.login,
                "at": now,
            }
            for p in given
        ]
        rows += [
            {
                "subject_id": sid,
                "target_kind": target_kind,
                "target_id": p,
                "granted": False,
                "policy_version": self.policy.version_key,
                "channel": channel,
                "actor": actor.login,
                "at": now,
            }
            for p in refused
        ]
        if rows:
            uow.conn.execute(insert(consents), rows)

    def _collect_into(
        self,
        sid: str,
        ctx: Context,
        values: dict[str, str],
        given: list[str],
        refused: list[str],
        digests: dict[str, bytes],
        channel: str,
        handler: Handler,
        source: str,
        now: datetime,
    ) -> Collected:
        with UnitOfWork(self.engine) as uow:
            row = uow.conn.execute(select(subjects).where(subjects.c.id == sid)).first()
            if row is None:
                raise NotFound("대상자가 없습니다", "no such subject")
            if row.status != "active":
                raise StateConflict(
                    "활성 상태의 대상자에게만 추가로 수집할 수 있습니다 (법정대리인 동의 대기, 휴면, 탈퇴 제외)",
                    "items can be added only to an active subject (not pending guardian, dormant or withdrawn)",
                )
            key = self.keys.get(uow.conn, sid)
            assert key is not None
            uow.conn.execute(
                delete(item_values).where(
                    item_values.c.subject_id == sid, item_values.c.item_id.in_(list(values))
                )
            )
            self._store_values(uow, sid, key, ctx.id, values, now)
            self._store_lookups(uow, sid, digests)
            self._store_consents(uow, sid, given, refused, channel, handler, now)
            uow.conn.execute(update(subjects).where(subjects.c.id == sid).values(last_activity_at=now))
            self.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "collect",
                        "allowed",
                        sid,
                        tuple(values),
                        source=source,
                        reason=f"context={ctx.id}; added to an existing subject",
                    )
                ],
            )
            uow.commit()
        return Collected(sid, "active", tuple(sorted(values)), tuple(given), tuple(refused))

    def record_guardian_consent(
        self,
        subject_id: str,
        *,
        method: str,
        actor: Handler | str = SELF,
        channel: str = "web",
        source: str = "local",
    ) -> None:
        """The legal guardian consented (법정대리인 동의, PIPA 22-2): the child's data may now be collected."""
        handler = self._actor(actor)
        now = self._now()
        with UnitOfWork(self.engine) as uow:
            row = uow.conn.execute(select(subjects).where(subjects.c.id == subject_id)).first()
            if row is None:
                raise NotFound("대상자가 없습니다", "no such subject")
            if row.status != "pending_guardian":
                raise StateConflict(
                    "법정대리인 동의를 기다리는 대상자가 아닙니다",
                    "the subject is not waiting for a guardian",
                )
            uow.conn.execute(
                update(subjects)
                .where(subjects.c.id == subject_id)
                .values(status="active", status_changed_at=now)
            )
            self._store_consents(
                uow, subject_id, ["guardian"], [], channel, handler, now, target_kind="guardian"
            )
            self.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "consent.guardian",
                        "allowed",
                        subject_id,
                        source=source,
                        reason=f"method={method}"[:200],
                    )
                ],
            )
            uow.commit()

    # -- records --------------------------------------------------------------------------------

    def add_record(
        self,
        subject_id: str,
        type: str,
        data: Mapping[str, object],
        occurred_at: datetime | None = None,
        *,
        actor: Handler | str = SYSTEM,
        source: str = "local",
    ) -> str:
        """Keep a record (결제, 계약, 민원, 로그…) of a type the policy declares, encrypted like items."""
        handler = self._actor(actor)
        if not handler.role.may("record"):
            raise Denied("action_not_allowed", "기록 권한이 없습니다", "the handler may not add records")
        declared = self.policy.records_by_id.get(type)
        if declared is None:
            raise InvalidInput(
                "type", "처리방침에 없는 기록 종류입니다", "is not a record type the policy declares"
            )
        if declared.items:
            extra = sorted(set(data) - set(declared.items))
            if extra:
                raise InvalidInput(
                    extra[0], "이 기록에 담지 않는 항목입니다", "is not part of this record type"
                )
        body = json.dumps(dict(data), ensure_ascii=False, default=str)
        if len(body) > 64_000:
            raise InvalidInput("data", "기록이 너무 큽니다 (64KB)", "the record is larger than 64 KB")
        now = self._now()
        when = _utc(occurred_at) if occurred_at else now
        record_id = new_id()
        with UnitOfWork(self.engine) as uow:
            row = uow.conn.execute(select(subjects.c.status).where(subjects.c.id == subject_id)).first()
            if row is None:
                raise NotFound("대상자가 없습니다", "no such subject")
            if row.status != "active":
                raise StateConflict(
                    "활성 상태가 아닌 대상자에게는 기록을 남길 수 없습니다", "the subject is not active"
                )
            key = self.keys.get(uow.conn, subject_id)
            assert key is not None
            uow.conn.execute(
                insert(records).values(
                    id=record_id,
                    subject_id=subject_id,
                    type=type,
                    ciphertext=seal_value(key, subject_id, f"record:{record_id}", body),
                    occurred_at=when,
                    created_at=now,
                    expires_at=log_expiry(self.policy, type, when),
                )
            )
            self.access_log.append(
                uow, [Entry(now, handler.login, "record.add", "allowed", subject_id, (type,), source=source)]
            )
            uow.commit()
        return record_id

    # -- reads through the gate -----------------------------------------------------------------

    def _facts(
        self, uow: UnitOfWork, subject_id: str, items: Sequence[str], purpose_id: str
    ) -> tuple[SubjectFacts, ConsentFacts]:
        row = uow.conn.execute(
            select(subjects.c.status, subjects.c.is_child).where(subjects.c.id == subject_id)
        ).first()
        if row is None:
            raise NotFound("대상자가 없습니다", "no such subject")
        held = frozenset(
            r.item_id
            for r in uow.conn.execute(
                select(item_values.c.item_id).where(
                    item_values.c.subject_id == subject_id, item_values.c.hold.is_(True)
                )
            )
        )
        live = uow.conn.execute(
            select(consents.c.granted, consents.c.withdrawn_at).where(
                consents.c.subject_id == subject_id,
                consents.c.target_kind == "purpose",
                consents.c.target_id == purpose_id,
            )
        ).all()
        stopped = uow.conn.execute(select(stop_in_force(subject_id, purpose_id))).scalar()
        granted = any(r.granted and r.withdrawn_at is None for r in live)
        withdrawn = any(r.withdrawn_at is not None for r in live)
        consent_facts = ConsentFacts(
            granted=frozenset({purpose_id}) if granted else frozenset(),
            withdrawn=frozenset({purpose_id}) if withdrawn and not granted else frozenset(),
        )
        return (
            SubjectFacts(
                row.status, bool(row.is_child), held, frozenset({purpose_id}) if stopped else frozenset()
            ),
            consent_facts,
        )

    def read(
        self,
        subject_id: str,
        items: Sequence[str],
        purpose: str,
        actor: Handler | str,
        reason: str | None = None,
        *,
        source: str = "local",
    ) -> dict[str, str]:
        """The values of ``items`` for ``purpose`` — or ``Denied`` with the gate's reason. Always logged."""
        handler = self._actor(actor)
        items = list(dict.fromkeys(items))
        unknown = [i for i in items if i not in self.policy.items_by_id]
        if unknown or not items:
            raise InvalidInput(
                "items",
                f"알 수 없는 항목: {unknown}" if unknown else "항목이 없습니다",
                f"unknown items {unknown}" if unknown else "no items requested",
            )
        now = self._now()
        with UnitOfWork(self.engine) as uow:
            # one query: subject state, consent for the purpose, the items' holds and ciphertexts, the wrapped key
            state = read_state(uow.conn, subject_id, items, purpose)
            if state is None:
                raise NotFound("대상자가 없습니다", "no such subject")
            decision = decide_read(
                self.policy,
                purpose_id=purpose,
                items=items,
                subject=SubjectFacts(
                    state.status,
                    state.is_child,
                    state.held,
                    frozenset({purpose}) if state.stopped else frozenset(),
                ),
                consents=_consent_facts(purpose, state.consent),
                role=handler.role,
                reason=reason,
            )
            self.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "read",
                        _outcome(decision),
                        subject_id,
                        items,
                        purpose,
                        source,
                        reason,
                    )
                ],
            )
            uow.commit()
        if not decision.allowed:
            raise Denied(decision.reason, decision.message_ko, decision.message_en)
        if state.wrapped_key is None or state.master_key_id is None:
            return {}
        key = self.keys.unwrap(subject_id, state.wrapped_key, state.master_key_id)
        items_by_id = self.policy.items_by_id
        return {
            item_id: open_value(key, subject_id, item_id, blob)
            for item_id, blob in state.ciphertexts.items()
            if items_by_id[item_id].format != "password"
        }

    def read_many(
        self,
        subject_ids: Sequence[str],
        items: Sequence[str],
        purpose: str,
        actor: Handler | str,
        reason: str,
        *,
        source: str = "local",
    ) -> dict[str, dict[str, str]]:
        """A bulk read or download: needs a recorded reason; each subject is decided and logged."""
        handler = self._actor(actor)
        if len(subject_ids) > MAX_BULK:
            raise InvalidInput(
                "subject_ids", f"한 번에 {MAX_BULK}명까지입니다", f"at most {MAX_BULK} subjects per call"
            )
        out: dict[str, dict[str, str]] = {}
        now = self._now()
        with UnitOfWork(self.engine) as uow:
            entries: list[Entry] = []
            allowed: list[str] = []
            for sid in subject_ids:
                try:
                    subject_facts, consent_facts = self._facts(uow, sid, items, purpose)
                except NotFound:
                    continue
                decision = decide_read(
                    self.policy,
                    purpose_id=purpose,
                    items=items,
                    subject=subject_facts,
                    consents=consent_facts,
                    role=handler.role,
                    bulk=True,
                    reason=reason,
                )
                entries.append(
                    Entry(
                        now,
                        handler.login,
                        "read.bulk",
                        _outcome(decision),
                        sid,
                        items,
                        purpose,
                        source,
                        reason,
                    )
                )
                if decision.reason == "reason_required" or decision.reason in (
                    "role_not_allowed",
                    "action_not_allowed",
                    "unknown_purpose",
                    "item_not_in_purpose",
                ):
                    self.access_log.append(uow, entries)
                    uow.commit()
                    raise Denied(decision.reason, decision.message_ko, decision.message_en)
                if decision.allowed:
                    allowed.append(sid)
            self.access_log.append(uow, entries)
            keys = self.keys.get_many(uow.conn, allowed)
            for start in range(0, len(allowed), 500):
                chunk = allowed[start : start + 500]
                for r in uow.conn.execute(
                    select(item_values.c.subject_id, item_values.c.item_id, item_values.c.ciphertext).where(
                        item_values.c.subject_id.in_(chunk), item_values.c.item_id.in_(list(items))
                    )
                ):
                    if self.policy.items_by_id[r.item_id].format == "password" or r.subject_id not in keys:
                        continue
                    out.setdefault(r.subject_id, {})[r.item_id] = open_value(
                        keys[r.subject_id], r.subject_id, r.item_id, bytes(r.ciphertext)
                    )
            uow.commit()
        return out

    def read_records(
        self,
        subject_id: str,
        type: str,
        purpose: str,
        actor: Handler | str,
        reason: str | None = None,
        *,
        source: str = "local",
    ) -> list[RecordOut]:
        """Records of one type for a purpose that declares them; gated and logged like item reads."""
        handler = self._actor(actor)
        if type not in self.policy.records_by_id:
            raise InvalidInput(
                "type", "처리방침에 없는 기록 종류입니다", "is not a record type the policy declares"
            )
        now = self._now()
        with UnitOfWork(self.engine) as uow:
            subject_facts, consent_facts = self._facts(uow, subject_id, [type], purpose)
            decision = decide_read(
                self.policy,
                purpose_id=purpose,
                items=[type],
                subject=subject_facts,
                consents=consent_facts,
                role=handler.role,
                reason=reason,
            )
            self.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "record.read",
                        _outcome(decision),
                        subject_id,
                        (type,),
                        purpose,
                        source,
                        reason,
                    )
                ],
            )
            if not decision.allowed:
                uow.commit()
                raise Denied(decision.reason, decision.message_ko, decision.message_en)
            rows = uow.conn.execute(
                select(records)
                .where(records.c.subject_id == subject_id, records.c.type == type)
                .order_by(records.c.occurred_at)
            ).all()
            key = self.keys.get(uow.conn, subject_id)
            uow.commit()
        if key is None:
            return []
        return [
            RecordOut(
                r.id,
                r.type,
                _utc(r.occurred_at),
                json.loads(open_value(key, subject_id, f"record:{r.id}", bytes(r.ciphertext))),
            )
            for r in rows
        ]

    # -- consents -------------------------------------------------------------------------------

    def withdraw_consent(
        self,
        subject_id: str,
        purpose: str,
        *,
        actor: Handler | str = SELF,
        channel: str = "web",
        source: str = "local",
    ) -> None:
        """Withdraw consent for one purpose (동의 철회, PIPA 37): later reads for it are denied."""
        self._set_consent(subject_id, purpose, False, actor, channel, source)

    def give_consent(
        self,
        subject_id: str,
        purpose: str,
        *,
        actor: Handler | str = SELF,
        channel: str = "web",
        source: str = "local",
    ) -> None:
        self._set_consent(subject_id, purpose, True, actor, channel, source)

    def _set_consent(
        self, subject_id: str, purpose_id: str, granted: bool, actor: Handler | str, channel: str, source: str
    ) -> None:
        handler = self._actor(actor)
        if not handler.role.may("consent"):
            raise Denied(
                "action_not_allowed", "동의 변경 권한이 없습니다", "the handler may not change consents"
            )
        purpose = self.policy.purposes_by_id.get(purpose_id)
        if purpose is None or purpose.basis != "consent":
            raise InvalidInput(
                "purpose", "동의를 근거로 하는 목적이 아닙니다", "is not a purpose based on consent"
            )
        now = self._now()
        with UnitOfWork(self.engine) as uow:
            row = uow.conn.execute(select(subjects.c.status).where(subjects.c.id == subject_id)).first()
            if row is None:
                raise NotFound("대상자가 없습니다", "no such subject")
            live = and_(
                consents.c.subject_id == subject_id,
                consents.c.target_kind == "purpose",
                consents.c.target_id == purpose_id,
                consents.c.granted.is_(True),
                consents.c.withdrawn_at.is_(None),
            )
            if granted:
                if row.status != "active":
                    raise StateConflict("활성 상태가 아닌 대상자입니다", "the subject is not active")
                if uow.conn.execute(select(consents.c.id).where(live)).first() is None:
                    self._store_consents(uow, subject_id, [purpose_id], [], channel, handler, now)
            else:
                uow.conn.execute(update(consents).where(live).values(withdrawn_at=now))
            self.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "consent.give" if granted else "consent.withdraw",
                        "allowed",
                        subject_id,
                        (),
                        purpose_id,
                        source,
                    )
                ],
            )
            uow.commit()

    def consents_of(self, subject_id: str) -> list[dict[str, object]]:
        """The consent history of a subject (purpose, answer, policy version, channel, times)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(consents).where(consents.c.subject_id == subject_id).order_by(consents.c.id)
            ).all()
        return [
            {
                "target_kind": r.target_kind,
                "target_id": r.target_id,
                "granted": r.granted,
                "policy_version": r.policy_version,
                "channel": r.channel,
                "at": _utc(r.at),
                "withdrawn_at": _utc(r.withdrawn_at) if r.withdrawn_at else None,
            }
            for r in rows
        ]

    def basis_holds(self, subject_id: str, purpose_id: str) -> Decision:
        with UnitOfWork(self.engine) as uow:
            _, consent_facts = self._facts(uow, subject_id, [], purpose_id)
        return purpose_basis_holds(self.policy, purpose_id, consent_facts)

    # -- look-ups and subject state -------------------------------------------------------------

    def find(self, item_id: str, value: str, *, actor: Handler | str, source: str = "local") -> str | None:
        """The subject holding ``value`` for a look-up item (login id, email, mobile, CI), via its blind index."""
        handler = self._actor(actor)
        item = self.policy.items_by_id.get(item_id)
        if item is None or not item.lookup:
            raise InvalidInput("item", "조회용 항목이 아닙니다", "is not a look-up item")
        normal = normalise(item, value)
        if isinstance(normal, Problem):
            raise InvalidInput(item_id, normal.reason_ko, normal.reason_en)
        digest = blind_index(self._index(), item_id, normal)
        now = self._now()
        with UnitOfWork(self.engine) as uow:
            row = uow.conn.execute(
                select(lookups.c.subject_id).where(lookups.c.item_id == item_id, lookups.c.digest == digest)
            ).first()
            self.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        handler.login,
                        "lookup",
                        "found" if row else "not_found",
                        row.subject_id if row else None,
                        (item_id,),
                        source=source,
                    )
                ],
            )
            uow.commit()
        return row.subject_id if row else None

    def verify_password(self, subject_id: str, item_id: str, password: str, *, source: str = "local") -> bool:
        """Check a subject's password; a legacy (bcrypt) or outdated hash is replaced on success."""
        item = self.policy.items_by_id.get(item_id)
        if item is None or item.format != "password":
            raise InvalidInput("item", "비밀번호 항목이 아닙니다", "is not a password item")
        now = self._now()
        with UnitOfWork(self.engine) as uow:
            row = uow.conn.execute(
                select(item_values.c.ciphertext).where(
                    item_values.c.subject_id == subject_id, item_values.c.item_id == item_id
                )
            ).first()
            dormant = False
            if row is None and self._may_reactivate_by_login():
                row = uow.conn.execute(
                    select(separated_values.c.ciphertext).where(
                        separated_values.c.subject_id == subject_id,
                        separated_values.c.item_id == item_id,
                        separated_values.c.cause == "dormancy",
                    )
                ).first()
                dormant = row is not None
            key = self.keys.get(uow.conn, subject_id)
            if row is None or key is None:
                return False
            check = self.passwords.verify(
                open_value(key, subject_id, item_id, bytes(row.ciphertext)), password
            )
            if check.ok and dormant:  # 휴면 해제: the member came back by logging in
                restore_dormant(uow.conn, subject_id, now)
                self.access_log.append(
                    uow,
                    [
                        Entry(
                            now,
                            "self",
                            "reactivate",
                            "allowed",
                            subject_id,
                            source=source,
                            reason="via=login",
                        )
                    ],
                )
            if check.ok and check.new_hash:
                uow.conn.execute(
                    update(item_values)
                    .where(item_values.c.subject_id == subject_id, item_values.c.item_id == item_id)
                    .values(ciphertext=seal_value(key, subject_id, item_id, check.new_hash))
                )
            if check.ok:
                uow.conn.execute(
                    update(subjects).where(subjects.c.id == subject_id).values(last_activity_at=now)
                )
            self.access_log.append(
                uow,
                [
                    Entry(
                        now,
                        "self",
                        "login",
                        "allowed" if check.ok else "denied:wrong_password",
                        subject_id,
                        (item_id,),
                        source=source,
                    )
                ],
            )
            uow.commit()
        return check.ok

    def _may_reactivate_by_login(self) -> bool:
        dormancy = self.policy.dormancy
        return dormancy is not None and (not dormancy.reactivation or "login" in dormancy.reactivation)

    # -- the lifecycle (see jikimi.lifecycle) ---------------------------------------------------

    def withdraw(
        self,
        subject_id: str,
        reason: str,
        *,
        actor: Handler | str = SELF,
        channel: str = "web",
        source: str = "local",
    ) -> Ended:
        """End the subject's purpose (회원탈퇴 등): destroy what no rule keeps, separate the rest (분리보관)."""
        return Separation(self).withdraw(subject_id, reason, actor=actor, channel=channel, source=source)

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
        return Separation(self).delete_items(subject_id, items, actor=actor, reason=reason, source=source)

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
        """Read 분리보관 data, only for a reason its retention rule allows; logged like any read."""
        return Separation(self).read_separated(
            subject_id, items, reason, actor=actor, reference=reference, source=source
        )

    def reactivate(
        self, subject_id: str, *, actor: Handler | str = SELF, via: str = "request", source: str = "local"
    ) -> None:
        """End a member's dormancy (휴면 해제) on request; logging in does it too."""
        Separation(self).reactivate(subject_id, actor=actor, via=via, source=source)

    def sweep(
        self,
        now: datetime | None = None,
        *,
        batch_size: int = 500,
        progress: Callable[[str, int], None] | None = None,
        max_active: int | None = None,
    ) -> SweepReport:
        """Act on everything whose time has come (파기, 분리보관, 휴면 안내); idempotent, parallel-safe.
        ``max_active``: at most that many processes sweep at once, the others wait (PostgreSQL)."""
        return Sweeper(self, batch_size=batch_size, max_active=max_active).run(now, progress=progress)

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
        """Provide items to a third party (제3자 제공): only with its recorded consent or a legal basis with
        a reference; never children's data when the policy says so, nor items on correction hold.
        Every provision is a ledger row (see ``jikimi.sharing``)."""
        from jikimi.sharing.service import Sharing

        return Sharing(self).provide(
            subjects_or_query,
            third_party,
            items,
            basis=basis,
            reference=reference,
            actor=actor,
            source=source,
        )

    def subject(self, subject_id: str) -> dict[str, object]:
        """A subject's state (never its values)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(subjects).where(subjects.c.id == subject_id)).first()
            if row is None:
                raise NotFound("대상자가 없습니다", "no such subject")
            held = [
                r.item_id
                for r in conn.execute(
                    select(item_values.c.item_id).where(item_values.c.subject_id == subject_id)
                )
            ]
        return {
            "id": row.id,
            "kind": row.kind,
            "status": row.status,
            "context": row.context,
            "is_child": row.is_child,
            "policy_version": row.policy_version,
            "created_at": _utc(row.created_at),
            "last_activity_at": _utc(row.last_activity_at),
            "items": sorted(held),
        }


def _consent_facts(purpose_id: str, state: int) -> ConsentFacts:
    only = frozenset({purpose_id})
    if state == CONSENT_LIVE:
        return ConsentFacts(granted=only)
    return ConsentFacts(withdrawn=only) if state == CONSENT_WITHDRAWN else ConsentFacts()


def _outcome(decision: Decision) -> str:
    return "allowed" if decision.allowed else f"denied:{decision.reason}"


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
