"""Collection (수집): the only way personal data enters jikimi.

``collect`` takes what a collection context declares (and nothing else), checks formats and
consents, finds duplicate sign-ups through blind indexes (account contexts only: a guest order or an
inquiry never conflicts), holds children's data until a legal
guardian consents, and stores every value encrypted under the subject's own data key. ``intake``
is the validation alone, shared with the bulk importer so both apply exactly the same rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.crypto import blind_index, seal_value
from jikimi.errors import Denied, InvalidInput, StateConflict, UnlawfulCollection
from jikimi.handlers import SELF, SYSTEM, Handler
from jikimi.ids import new_id
from jikimi.lifecycle.rules import log_expiry
from jikimi.periods import kst_day
from jikimi.policy.lawful import missing_ground
from jikimi.policy.model import Context, Purpose
from jikimi.states import SubjectKind, SubjectStatus
from jikimi.store import consents as consent_rows
from jikimi.store import lookups
from jikimi.store import marketing as ad_rows
from jikimi.store import records as record_rows
from jikimi.store import subjects as subject_rows
from jikimi.store import values as value_rows
from jikimi.store.uow import UnitOfWork
from jikimi.validation import Problem, normalise, registration_birthdate
from jikimi.vault.advertising import KEY_PREFIX, split_answers

MAX_RECORD_CHARS = 64_000


@dataclass(frozen=True)
class Collected:
    subject_id: str
    status: SubjectStatus
    stored_items: tuple[str, ...]
    consents_given: tuple[str, ...]
    consents_refused: tuple[str, ...]


@dataclass(frozen=True)
class Intake:
    """One collection, validated and ready to store (see ``Collecting.intake``)."""

    values: dict[str, str]
    status: SubjectStatus
    is_child: bool
    given: list[str]
    refused: list[str]
    digests: dict[str, bytes]
    ads: tuple[tuple[str, bool], ...] = ()  # consents to receive advertising: (channel or night, granted)

    def collected(self, subject_id: str, status: SubjectStatus | None = None) -> Collected:
        """The answer once this intake is stored (``status``: the subject's, if not the intake's)."""
        return Collected(
            subject_id,
            status or self.status,
            tuple(sorted(self.values)),
            (*self.given, *(KEY_PREFIX + target for target, yes in self.ads if yes)),
            (*self.refused, *(KEY_PREFIX + target for target, yes in self.ads if not yes)),
        )


class Collecting:
    """Collection, guardian consent and records: the vault's ways in."""

    core: Core

    def context(self, context_id: str) -> Context:
        """The collection context, or ``InvalidInput`` naming the known ones."""
        ctx = self.core.policy.contexts_by_id.get(context_id)
        if ctx is None:
            known = ", ".join(self.core.policy.contexts_by_id)
            raise InvalidInput(
                "context",
                f"처리방침에 없는 수집 상황입니다 (있는 것: {known})",
                f"no such collection context (known: {known})",
            )
        return ctx

    def context_purposes(self, ctx: Context) -> list[Purpose]:
        """The purposes a context collects for: as listed, else every purpose using its items."""
        return list(self.core.policy.purposes_of(ctx))

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
        ``True``; optional ones may be refused or left out. ``ad:<channel>`` and ``ad:night`` are
        consents to receive advertising (``vault.advertising``). With ``subject_id``, the items are
        added to an existing active subject (an order by a member, or a child's sign-up completed
        after the guardian's consent) instead of creating a new one.

        ``Duplicate`` comes only from an account context (``subjects: member``) whose look-up item
        another account holds (or keeps after a withdrawal). A guest context makes a new guest record
        each time — a returning guest is not linked to the earlier order — and an inquiry (``any``)
        never conflicts with the member who writes in.
        """  # noqa: E501
        core = self.core
        handler = core.actor(actor)
        if not handler.role.may("collect"):
            raise Denied("action_not_allowed", "수집 권한이 없습니다", "the handler may not collect")
        ctx = self.context(context)
        now = core.now()
        before = self._consented_before(subject_id, ctx) if subject_id is not None else set()
        intake = self.intake(
            ctx, data, consents_given or {}, now, new_subject=subject_id is None, consented_before=before
        )
        if subject_id is not None:
            return self._collect_into(subject_id, ctx, intake, channel, handler, source, now)
        sid = new_id()
        # the key first: a crash leaves a key without data, never data without a key
        with core.unit_of_work() as uow:
            data_key = core.keys.create(uow.conn, [sid], now)[sid]
            uow.commit()
        try:
            with core.unit_of_work() as uow:
                subject_rows.insert_one(
                    uow.conn,
                    subject_id=sid,
                    kind=SubjectKind.GUEST if ctx.subjects == "guest" else SubjectKind.MEMBER,
                    status=intake.status,
                    context=ctx.id,
                    is_child=intake.is_child,
                    policy_version=core.policy.version_key,
                    now=now,
                )
                self._store(uow, sid, data_key, ctx, intake, channel, handler, source, now)
                uow.commit()
        except BaseException:
            with core.unit_of_work() as uow:
                core.keys.destroy(uow, [sid])
                uow.commit()
            raise
        return intake.collected(sid)

    def _consented_before(self, subject_id: str, ctx: Context) -> set[str]:
        """The purposes an existing subject consents to, where the context collects an item that
        needs a separate consent (read only then)."""
        items = self.core.policy.items_by_id
        if not any(items[i].is_sensitive or items[i].is_unique_id for i in (*ctx.required, *ctx.optional)):
            return set()
        with self.core.reading() as conn:
            return consent_rows.live_targets(conn, subject_id, "purpose")

    def _store(
        self,
        uow: UnitOfWork,
        sid: str,
        key: bytes,
        ctx: Context,
        intake: Intake,
        channel: str,
        handler: Handler,
        source: str,
        now: datetime,
        *,
        note: str = "",
    ) -> None:
        """Seal and store the intake's values, claim its look-ups, record its consents, and log it."""
        sealed = {item_id: seal_value(key, sid, item_id, value) for item_id, value in intake.values.items()}
        value_rows.insert_sealed(uow.conn, sid, ctx.id, sealed, now)
        lookups.claim_all(uow.conn, sid, intake.digests, now)
        consent_rows.add(
            uow.conn,
            sid,
            kind="purpose",
            given=intake.given,
            refused=intake.refused,
            policy_version=self.core.policy.version_key,
            channel=channel,
            actor=handler.login,
            now=now,
        )
        version = self.core.policy.version_key
        ad_rows.add_answers(
            uow.conn, sid, intake.ads, policy_version=version, channel=channel, actor=handler.login, now=now
        )
        self.core.log(
            uow,
            now,
            handler.login,
            "collect",
            subject_id=sid,
            items=tuple(intake.values),
            source=source,
            reason=f"context={ctx.id}{note}",
        )

    def _collect_into(
        self,
        sid: str,
        ctx: Context,
        intake: Intake,
        channel: str,
        handler: Handler,
        source: str,
        now: datetime,
    ) -> Collected:
        core = self.core
        with core.unit_of_work() as uow:
            row = subject_rows.get(uow.conn, sid)
            if row.status != SubjectStatus.ACTIVE:
                raise StateConflict(
                    "활성 상태의 대상자에게만 추가로 수집할 수 있습니다 (법정대리인 동의 대기, 휴면, 탈퇴 제외)",  # noqa: E501
                    "items can be added only to an active subject (not pending guardian, dormant or withdrawn)",  # noqa: E501
                )
            key = core.keys.get(uow.conn, sid)
            assert key is not None
            value_rows.delete_items(uow.conn, sid, intake.values)
            self._store(
                uow,
                sid,
                key,
                ctx,
                intake,
                channel,
                handler,
                source,
                now,
                note="; added to an existing subject",
            )
            subject_rows.touch(uow.conn, sid, now)
            uow.commit()
        return intake.collected(sid, SubjectStatus.ACTIVE)

    # -- validation -----------------------------------------------------------------------------

    def intake(
        self,
        ctx: Context,
        data: Mapping[str, str],
        consents_given: Mapping[str, bool],
        now: datetime,
        *,
        new_subject: bool = True,
        password: Callable[[str, str], str] | None = None,
        consented_before: Collection[str] = (),
    ) -> Intake:
        """Validate one collection against the policy (items, formats, consents, children, lawful
        grounds) without storing it.

        Shared by ``collect`` and the bulk importer so that both apply exactly the same rules.
        ``password(item_id, value)`` gives the stored form of a password (default: an Argon2id hash).
        ``consented_before``: the purposes an existing subject consented to earlier, which count as
        the separate consent a sensitive item or unique identifier needs (``policy.lawful``).
        Raises ``InvalidInput`` naming the first offending field, ``UnlawfulCollection`` for an
        item the policy gives no lawful ground.
        """
        policy = self.core.policy
        values = self._validated(ctx, data, password)
        answers, ads = split_answers(self.context_purposes(ctx), consents_given)
        given, refused = self._consents(ctx, answers)
        birth = self._birthdate(values)
        age = policy.children.age if policy.children else 14
        child = birth is not None and _age(birth, kst_day(now)) < age
        status = SubjectStatus.ACTIVE
        if child and new_subject and ctx.subjects != "guardian":
            values, status, given, refused = (
                self._child_intake(ctx, values),
                SubjectStatus.PENDING_GUARDIAN,
                [],
                [],
            )
        consented = set(given) | set(consented_before)
        for item_id in values:
            missing = missing_ground(policy, policy.items_by_id[item_id], consented.__contains__)
            if missing is not None:
                raise UnlawfulCollection(
                    item_id, missing.rule, missing.article, missing.message_ko, missing.message_en
                )
        digests = self._lookup_digests(ctx, values)
        return Intake(values, status, child, given, refused, digests, () if child else ads)

    def _validated(
        self, ctx: Context, data: Mapping[str, str], password: Callable[[str, str], str] | None = None
    ) -> dict[str, str]:
        policy = self.core.policy
        allowed = set(ctx.required) | set(ctx.optional)
        guardian_items = set(policy.children.guardian_items) if policy.children else set()
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
            item = policy.items_by_id[key]
            result = normalise(item, raw)
            if isinstance(result, Problem):
                raise InvalidInput(key, result.reason_ko, result.reason_en)
            if item.format == "password":
                result = password(key, result) if password is not None else self.core.passwords.hash(result)
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
            item = self.core.policy.items_by_id[item_id]
            if item.format == "date" and ("birth" in item.id or "생년월일" in item.label):
                return date.fromisoformat(value)
            if item.format in ("rrn", "frn"):
                return registration_birthdate(value)
        return None

    def _child_intake(self, ctx: Context, values: dict[str, str]) -> dict[str, str]:
        """Under 14: keep only the guardian's name and contact until the guardian consents (령 17-2②)."""
        rule = self.core.policy.children
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

    def _lookup_digests(self, ctx: Context, values: Mapping[str, str]) -> dict[str, bytes]:
        """The blind-index digests this collection claims for its subject, uniquely: the look-up
        items (login id, email, mobile, CI) of an account context (``subjects: member``, a sign-up).
        A guest order, a guardian's details or an inquiry (``guest``, ``guardian``, ``any``) claims
        none — no one promised those values are unique — so they never conflict, and are not found
        by value (``find``) either."""
        if ctx.subjects != "member":
            return {}
        out: dict[str, bytes] = {}
        for item_id, value in values.items():
            item = self.core.policy.items_by_id[item_id]
            if item.lookup and item.format != "password":
                out[item_id] = blind_index(self.core.index_key(), item_id, value)
        return out

    # -- guardian consent and records -----------------------------------------------------------

    def record_guardian_consent(
        self,
        subject_id: str,
        *,
        method: str,
        actor: Handler | str = SELF,
        channel: str = "web",
        source: str = "local",
    ) -> None:
        """The legal guardian consented (법정대리인 동의, PIPA 22-2): the child's data may now be collected."""  # noqa: E501
        core = self.core
        handler = core.actor(actor)
        now = core.now()
        with core.unit_of_work() as uow:
            row = subject_rows.get(uow.conn, subject_id)
            if row.status != SubjectStatus.PENDING_GUARDIAN:
                raise StateConflict(
                    "법정대리인 동의를 기다리는 대상자가 아닙니다",
                    "the subject is not waiting for a guardian",
                )
            subject_rows.set_status(uow.conn, subject_id, SubjectStatus.ACTIVE, now)
            consent_rows.add(
                uow.conn,
                subject_id,
                kind="guardian",
                given=["guardian"],
                policy_version=core.policy.version_key,
                channel=channel,
                actor=handler.login,
                now=now,
            )
            core.log(
                uow,
                now,
                handler.login,
                "consent.guardian",
                subject_id=subject_id,
                source=source,
                reason=f"method={method}"[:200],
            )
            core.emit_consent(uow, now, subject_id, "guardian", "guardian", granted=True)
            uow.commit()

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
        core = self.core
        handler = core.actor(actor)
        if not handler.role.may("record"):
            raise Denied("action_not_allowed", "기록 권한이 없습니다", "the handler may not add records")
        declared = core.policy.records_by_id.get(type)
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
        if len(body) > MAX_RECORD_CHARS:
            raise InvalidInput("data", "기록이 너무 큽니다 (64KB)", "the record is larger than 64 KB")
        now = core.now()
        when = as_utc(occurred_at) if occurred_at else now
        record_id = new_id()
        with core.unit_of_work() as uow:
            row = subject_rows.get(uow.conn, subject_id)
            if row.status != SubjectStatus.ACTIVE:
                raise StateConflict(
                    "활성 상태가 아닌 대상자에게는 기록을 남길 수 없습니다", "the subject is not active"
                )
            key = core.keys.get(uow.conn, subject_id)
            assert key is not None
            record_rows.add(
                uow.conn,
                record_id=record_id,
                subject_id=subject_id,
                type=type,
                sealed=seal_value(key, subject_id, f"record:{record_id}", body),
                occurred_at=when,
                now=now,
                expires_at=log_expiry(core.policy, type, when),
            )
            core.log(
                uow, now, handler.login, "record.add", subject_id=subject_id, items=(type,), source=source
            )
            uow.commit()
        return record_id


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
