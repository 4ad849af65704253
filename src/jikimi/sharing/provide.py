"""제3자 제공 (PIPA 17, 18): the only way personal data leaves jikimi for another controller.

``provide`` decides every subject with ``decisions.decide_subject``, hands over the values only of
the subjects allowed, and writes, in one unit of work per chunk of subjects, one provision ledger
row per subject provided (ids, items, basis, reference — never values) and one access-log row per
subject considered, allowed or not. A chunk that fails rolls back whole; chunks already committed
stay recorded, so the ledger may over-record an interrupted call but never under-record one.

Third-party consents live in ``consents`` with ``target_kind="third_party"``; ``give_consent`` and
``withdraw_consent`` change them through the vault's one consent writer, as easily one way as the
other (PIPA 37④).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jikimi.audit.log import Entry
from jikimi.clock import as_utc
from jikimi.core import Core, scrub
from jikimi.crypto import open_value
from jikimi.errors import Denied, InvalidInput
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
from jikimi.store import facts as fact_rows
from jikimi.store import provisions as provision_rows
from jikimi.store import subjects as subject_rows
from jikimi.store import values as value_rows
from jikimi.store.facts import Consent, Facts
from jikimi.store.subjects import Selection
from jikimi.store.uow import UnitOfWork
from jikimi.vault.consents import change_consent, consenting

MAX_PROVIDE = 100_000
"""Subjects per call (a larger recipient list is several calls, each its own batch)."""
CHUNK = 2_000
"""Subjects per unit of work."""
_CONSENT_STATES = {Consent.LIVE: "live", Consent.WITHDRAWN: "withdrawn", Consent.NONE: "none"}


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


def recipient_facts(facts: Facts) -> RecipientFacts:
    """The provision rules' view of one subject's facts."""
    return RecipientFacts(
        facts.status, facts.is_child, facts.held, _CONSENT_STATES[facts.consent], facts.stopped
    )


def _slices(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class Providing:
    """Provision to third parties, their consents, and the provision ledger."""

    core: Core

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
        decided and logged, and only allowed subjects' values are returned and recorded. Never
        children's data when the policy says so, nor items on correction hold.
        """  # noqa: E501
        core = self.core
        handler = core.actor(actor)
        wanted = list(dict.fromkeys(items))
        if basis not in BASES:
            raise InvalidInput("basis", "consent 또는 law여야 합니다", "must be consent or law")
        if not wanted:
            raise InvalidInput("items", "항목이 없습니다", "no items requested")
        reference = scrub(reference.strip()) if reference and reference.strip() else None
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
        now = core.now()
        batch_id = secrets.token_hex(16)
        party = recipient(core.policy, third_party)
        citation = party.citation.text() if party is not None and party.citation else None
        note = (
            f"third_party={third_party}; basis={basis}; batch={batch_id}"
            + (f"; citation={citation}" if basis == "law" and citation else "")
            + (f"; reference={reference}" if reference else "")
        )
        call = decide_call(
            core.policy,
            third_party_id=third_party,
            items=wanted,
            basis=basis,
            reference=reference,
            role=handler.role,
        )
        if not call.allowed:
            with core.unit_of_work() as uow:
                core.log(
                    uow,
                    now,
                    handler.login,
                    "provide",
                    outcome=f"denied:{call.reason}",
                    items=wanted,
                    source=source,
                    reason=note,
                    count=max(len(ids), 1),
                )
                uow.commit()
            raise Denied(call.reason, call.message_ko, call.message_en)
        values: dict[str, dict[str, str]] = {}
        denied: dict[str, str] = {}
        for chunk in _slices(ids, CHUNK):
            with core.unit_of_work() as uow:
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
        core = self.core
        facts = fact_rows.many(uow.conn, chunk, items, third_party=third_party, stops=stop_keys(third_party))
        allowed: list[str] = []
        outcome: dict[str, str] = {}
        for sid in chunk:
            subject = facts.get(sid)
            if subject is None:
                outcome[sid] = "subject_not_found"
                continue
            decision = decide_subject(core.policy, items=items, basis=basis, subject=recipient_facts(subject))
            if decision.allowed:
                allowed.append(sid)
            else:
                outcome[sid] = decision.reason
        opened = self._open(uow, allowed, items)
        for sid in allowed:
            if opened.get(sid):
                values[sid] = opened[sid]
            else:
                outcome[sid] = "nothing_held"
        denied.update(outcome)
        version = core.policy.version_key
        provision_rows.add_many(
            uow.conn,
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
        core.log_all(
            uow,
            (
                Entry(
                    at=now,
                    actor=handler.login,
                    action="provide",
                    outcome="allowed" if sid not in outcome else f"denied:{outcome[sid]}",
                    subject_id=sid,
                    items=sorted(values[sid]) if sid in values else items,
                    source=source,
                    reason=note,
                )
                for sid in chunk
            ),
        )

    def _open(self, uow: UnitOfWork, ids: list[str], items: list[str]) -> dict[str, dict[str, str]]:
        """Decrypt ``items`` of ``ids`` (passwords are never handed over)."""
        out: dict[str, dict[str, str]] = {}
        if not ids:
            return out
        keys = self.core.keys.get_many(uow.conn, ids)
        items_by_id = self.core.policy.items_by_id
        wanted = [i for i in items if items_by_id[i].format != "password"]
        for sid, item_id, blob in value_rows.sealed_of(uow.conn, ids, wanted):
            key = keys.get(sid)
            if key is not None:
                out.setdefault(sid, {})[item_id] = open_value(key, sid, item_id, blob)
        return out

    def _resolve(self, query: SubjectQuery, third_party: str) -> list[str]:
        selection = Selection(
            status=query.status,
            context=query.context,
            kind=query.kind,
            consented_to=third_party if query.consented else None,
        )
        with self.core.reading() as conn:
            return subject_rows.select_ids(conn, selection, MAX_PROVIDE + 1)

    # -- third-party consents -------------------------------------------------------------------

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
        handler = consenting(self.core, actor)
        party = recipient(self.core.policy, third_party)
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
        with self.core.unit_of_work() as uow:
            change_consent(
                self.core,
                uow,
                subject_id=subject_id,
                kind="third_party",
                target=third_party,
                granted=granted,
                handler=handler,
                channel=channel,
                source=source,
                reason=f"third_party={third_party}; channel={channel}",
            )
            uow.commit()

    # -- ledger ---------------------------------------------------------------------------------

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
        with self.core.reading() as conn:
            rows = provision_rows.page(
                conn,
                subject_id=subject_id,
                third_party=third_party,
                batch_id=batch_id,
                since=as_utc(since),
                until=as_utc(until),
                after_id=after_id,
                limit=max(1, min(limit, 10_000)),
            )
        return [
            ProvisionRecord(
                r.id,
                r.batch_id,
                r.subject_id,
                r.third_party_id,
                tuple(json.loads(r.items)),
                r.basis,
                r.reference,
                as_utc(r.at),
                r.actor,
                r.policy_version,
            )
            for r in rows
        ]
