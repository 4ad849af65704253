"""Reads through the gate (열람): the only way personal data leaves jikimi for a handler.

Every read, allowed or denied, is an access-log row: one query gathers the facts and the sealed
values (``store.facts.read_state``), ``gate.decide_read`` decides, the log row is written and
committed, and only then is the data key unwrapped and the values decrypted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from jikimi.audit.log import Entry
from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.crypto import blind_index, open_value, seal_value
from jikimi.errors import Denied, InvalidInput
from jikimi.gate import ConsentFacts, Decision, SubjectFacts, decide_read
from jikimi.handlers import SELF, SYSTEM, Handler
from jikimi.states import SubjectStatus
from jikimi.store import access_log as log_rows
from jikimi.store import lookups, separated
from jikimi.store import records as record_rows
from jikimi.store import subjects as subject_rows
from jikimi.store import values as value_rows
from jikimi.store.facts import Consent, Facts, ReadState, read_state
from jikimi.store.logged_reads import Accepted, read_and_log, statement_engine
from jikimi.store.records import RecordOut
from jikimi.store.uow import UnitOfWork, once_more_if_dropped
from jikimi.validation import Problem, known_items, normalise
from jikimi.vault.metadata import metadata_row

MAX_BULK = 100_000
USUAL = [(False, Consent.LIVE), (False, Consent.NONE), (False, Consent.WITHDRAWN)]
USUAL += [(True, consent) for _, consent in USUAL]
"""An active subject's usual facts besides its state (child flag, consent), the first the most usual."""
KEPT_SHAPES = 512
CALL_DENIALS = frozenset(
    {"reason_required", "role_not_allowed", "action_not_allowed", "unknown_purpose", "item_not_in_purpose"}
)
"""Reasons that do not depend on the subject: a bulk read stops at the first one."""


def gate_facts(facts: Facts, purpose_id: str) -> tuple[SubjectFacts, ConsentFacts]:
    """The gate's view of one subject's facts for one purpose."""
    only = frozenset({purpose_id})
    subject = SubjectFacts(facts.status, facts.is_child, facts.held, only if facts.stopped else frozenset())
    if facts.consent == Consent.LIVE:
        return subject, ConsentFacts(granted=only)
    return subject, ConsentFacts(withdrawn=only) if facts.consent == Consent.WITHDRAWN else ConsentFacts()


def outcome(decision: Decision) -> str:
    """The access log's outcome for a decision: ``allowed`` or ``denied:<reason>``."""
    return "allowed" if decision.allowed else f"denied:{decision.reason}"


def _entry(
    at: datetime,
    handler: Handler,
    action: str,
    decision: Decision,
    subject_id: str,
    items: Sequence[str],
    purpose: str,
    source: str,
    reason: str | None,
) -> Entry:
    """The access-log row of one decided read (of several written together)."""
    return Entry(
        at=at,
        actor=handler.login,
        action=action,
        outcome=outcome(decision),
        subject_id=subject_id,
        items=items,
        purpose=purpose,
        source=source,
        reason=reason,
    )


class Reading:
    """Gated reads, look-ups, logins and subject state: the vault's ways out."""

    core: Core

    def _decide(
        self,
        state: ReadState,
        items: Sequence[str],
        purpose: str,
        handler: Handler,
        reason: str | None,
        *,
        bulk: bool = False,
    ) -> Decision:
        return self._decide_on(state.facts, items, purpose, handler, reason, bulk=bulk)

    def _decide_on(
        self,
        facts: Facts,
        items: Sequence[str],
        purpose: str,
        handler: Handler,
        reason: str | None,
        *,
        bulk: bool = False,
    ) -> Decision:
        subject, consents = gate_facts(facts, purpose)
        return decide_read(
            self.core.policy,
            purpose_id=purpose,
            items=items,
            subject=subject,
            consents=consents,
            role=handler.role,
            bulk=bulk,
            reason=reason,
        )

    def _open(self, subject_id: str, state: ReadState) -> dict[str, str]:
        """The state's values, decrypted (passwords are never returned)."""
        if state.wrapped_key is None or state.master_key_id is None:
            return {}
        key = self.core.keys.unwrap(subject_id, state.wrapped_key, state.master_key_id)
        items_by_id = self.core.policy.items_by_id
        return {
            item_id: open_value(key, subject_id, item_id, blob)
            for item_id, blob in state.ciphertexts.items()
            if items_by_id[item_id].format != "password"
        }

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
        """The values of ``items`` for ``purpose`` — or ``Denied`` with the gate's reason. Always logged.

        A connection the server dropped is replaced and the read tried once more
        (``once_more_if_dropped``): the first try committed nothing, so nothing is logged twice."""
        core = self.core
        handler = core.actor(actor)
        items = known_items(items, core.policy.items_by_id)
        now = core.now()

        def log_read(uow: UnitOfWork, decision: Decision) -> None:
            core.log(
                uow,
                now,
                handler.login,
                "read",
                outcome=outcome(decision),
                subject_id=subject_id,
                items=items,
                purpose=purpose,
                source=source,
                reason=reason,
            )

        def decide_and_log(uow: UnitOfWork) -> tuple[ReadState, Decision]:
            # one query: the subject's state, its consent for the purpose, the items' holds and sealed values,
            # and the wrapped key
            state = read_state(uow.conn, subject_id, items, purpose)
            if state is None:
                raise subject_rows.not_found()
            decision = self._decide(state, items, purpose, handler, reason)
            log_read(uow, decision)
            uow.commit()
            return state, decision

        def in_one_statement(uow: UnitOfWork) -> tuple[ReadState, Decision] | None:
            return self._read_in_one_statement(uow, subject_id, items, purpose, handler, reason, log_read)

        found = None
        if core.engine.dialect.name == "postgresql":
            found = once_more_if_dropped(statement_engine(core.engine), in_one_statement)
        state, decision = found or once_more_if_dropped(core.engine, decide_and_log)
        if not decision.allowed:
            raise Denied(decision.reason, decision.message_ko, decision.message_en)
        return self._open(subject_id, state)

    def _assumed(
        self, items: Sequence[str], purpose: str, handler: Handler, reason: str | None
    ) -> tuple[Decision, Accepted]:
        """The gate's decision for the usual facts, and the facts it decides alike on (pure, so kept
        for the next read asking the same: up to ``KEPT_SHAPES`` of the last shapes)."""
        policy = self.core.policy
        kept: dict[object, tuple[Decision, Accepted]] = self.__dict__.setdefault("_assumed_kept", {})
        key = (id(policy), purpose, tuple(items), handler.role, reason)
        hit = kept.get(key)
        if hit is not None:
            return hit
        usual = [Facts(SubjectStatus.ACTIVE, child, consent, frozenset(), False) for child, consent in USUAL]
        decisions = [self._decide_on(facts, items, purpose, handler, reason) for facts in usual]
        alike = (facts for facts, d in zip(usual, decisions, strict=True) if d == decisions[0])
        hit = decisions[0], frozenset((facts.is_child, int(facts.consent)) for facts in alike)
        if len(kept) >= KEPT_SHAPES:
            kept.clear()
        kept[key] = hit
        return hit

    def _read_in_one_statement(
        self,
        uow: UnitOfWork,
        subject_id: str,
        items: Sequence[str],
        purpose: str,
        handler: Handler,
        reason: str | None,
        log_read: Callable[[UnitOfWork, Decision], None],
    ) -> tuple[ReadState, Decision] | None:
        """PostgreSQL, in autocommit: the read and its log row in one statement, if the subject's facts
        are the usual ones (``store.logged_reads``); None when they are not, and nothing was written.
        ``log_read`` builds the read's row as the other path does; here it is held back for the statement."""
        assumed, accepted = self._assumed(items, purpose, handler, reason)
        with log_rows.held_back(uow.conn) as held:
            log_read(uow, assumed)
        # a connection lost while the statement ran leaves unknown whether it committed; it is tried
        # again anyway: the row tried again has the same chain, position and instant, which the log's
        # unique key (chain, chain_seq, at) refuses if the first try did commit — never a second row
        found = read_and_log(uow.conn, subject_id, items, purpose, row=held[0], accepted=accepted)
        if not found.logged or found.state is None:
            return None
        decision = self._decide(found.state, items, purpose, handler, reason)
        if decision != assumed:  # the statement logged only facts the gate decides this way on
            raise RuntimeError("the gated read's facts do not match the decision logged")
        uow.commit()  # committed already: the access log's chain moves on
        return found.state, decision

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
        core = self.core
        handler = core.actor(actor)
        if len(subject_ids) > MAX_BULK:
            raise InvalidInput(
                "subject_ids", f"한 번에 {MAX_BULK}명까지입니다", f"at most {MAX_BULK} subjects per call"
            )
        now = core.now()
        allowed: dict[str, ReadState] = {}
        with core.unit_of_work() as uow:
            entries: list[Entry] = []
            for sid in subject_ids:
                state = read_state(uow.conn, sid, items, purpose)
                if state is None:
                    continue
                decision = self._decide(state, items, purpose, handler, reason, bulk=True)
                entries.append(
                    _entry(now, handler, "read.bulk", decision, sid, items, purpose, source, reason)
                )
                if decision.reason in CALL_DENIALS:
                    core.log_all(uow, entries)
                    uow.commit()
                    raise Denied(decision.reason, decision.message_ko, decision.message_en)
                if decision.allowed:
                    allowed[sid] = state
            core.log_all(uow, entries)
            uow.commit()
        out = {sid: self._open(sid, state) for sid, state in allowed.items()}
        return {sid: values for sid, values in out.items() if values}

    def read_each(
        self,
        wanted: Sequence[tuple[str, Sequence[str], str, str]],
        actor: Handler | str,
        *,
        source: str = "local",
    ) -> list[dict[str, str] | str]:
        """Several reads, each ``(subject id, items, purpose, reason)``, in one unit of work — for
        jikimi's own workers (delivery reads a batch of contacts): each decided and logged as its own
        ``read`` row with its own reason. For each, the values (when allowed) or the gate's reason."""
        core = self.core
        handler = core.actor(actor)
        now = core.now()
        decided: list[tuple[str, ReadState] | str] = []
        with core.unit_of_work() as uow:
            entries: list[Entry] = []
            for subject_id, asked, purpose, reason in wanted:
                items = known_items(asked, core.policy.items_by_id)
                state = read_state(uow.conn, subject_id, items, purpose)
                if state is None:
                    decided.append("subject_not_found")
                    continue
                decision = self._decide(state, items, purpose, handler, reason)
                entries.append(
                    _entry(now, handler, "read", decision, subject_id, items, purpose, source, reason)
                )
                decided.append((subject_id, state) if decision.allowed else decision.reason)
            core.log_all(uow, entries)
            uow.commit()
        return [self._open(*d) if isinstance(d, tuple) else d for d in decided]

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
        core = self.core
        handler = core.actor(actor)
        if type not in core.policy.records_by_id:
            raise InvalidInput(
                "type", "처리방침에 없는 기록 종류입니다", "is not a record type the policy declares"
            )
        now = core.now()
        with core.unit_of_work() as uow:
            state = read_state(uow.conn, subject_id, [], purpose)
            if state is None:
                raise subject_rows.not_found()
            decision = self._decide(state, [type], purpose, handler, reason)
            core.log(
                uow,
                now,
                handler.login,
                "record.read",
                outcome=outcome(decision),
                subject_id=subject_id,
                items=(type,),
                purpose=purpose,
                source=source,
                reason=reason,
            )
            if not decision.allowed:
                uow.commit()
                raise Denied(decision.reason, decision.message_ko, decision.message_en)
            rows = record_rows.of_type(uow.conn, subject_id, type)
            uow.commit()
        if state.wrapped_key is None or state.master_key_id is None:
            return []
        key = core.keys.unwrap(subject_id, state.wrapped_key, state.master_key_id)
        return [
            RecordOut(
                r.id,
                r.type,
                as_utc(r.occurred_at),
                json.loads(open_value(key, subject_id, f"record:{r.id}", bytes(r.ciphertext))),
            )
            for r in rows
        ]

    # -- look-ups, logins and state -------------------------------------------------------------

    def find(self, item_id: str, value: str, *, actor: Handler | str, source: str = "local") -> str | None:
        """The account holding ``value`` for a look-up item (login id, email, mobile, CI), via its blind index.

        Only account identifiers are indexed — the look-up items collected in a context whose
        ``subjects`` is ``member`` — so at most one subject holds a value and this answers it, or
        None. The same value given in a guest order or an inquiry is stored but not indexed: it
        is not found here (a guest may order again with it; each order is a guest record of its own).
        """  # noqa: E501
        core = self.core
        handler = core.actor(actor)
        item = core.policy.items_by_id.get(item_id)
        if item is None or not item.lookup:
            raise InvalidInput("item", "조회용 항목이 아닙니다", "is not a look-up item")
        normal = normalise(item, value)
        if isinstance(normal, Problem):
            raise InvalidInput(item_id, normal.reason_ko, normal.reason_en)
        digest = blind_index(core.index_key(), item_id, normal)
        now = core.now()
        with core.unit_of_work() as uow:
            found = lookups.owner(uow.conn, item_id, digest)
            core.log(
                uow,
                now,
                handler.login,
                "lookup",
                outcome="found" if found else "not_found",
                subject_id=found,
                items=(item_id,),
                source=source,
            )
            uow.commit()
        return found

    def verify_password(self, subject_id: str, item_id: str, password: str, *, source: str = "local") -> bool:
        """Check a subject's password; a legacy (bcrypt) or outdated hash is replaced on success.
        A dormant member logging in comes back (휴면 해제) when the policy allows reactivation by login."""
        core = self.core
        item = core.policy.items_by_id.get(item_id)
        if item is None or item.format != "password":
            raise InvalidInput("item", "비밀번호 항목이 아닙니다", "is not a password item")
        now = core.now()
        with core.unit_of_work() as uow:
            blob = value_rows.ciphertext(uow.conn, subject_id, item_id)
            dormant = False
            if blob is None and self._may_reactivate_by_login():
                blob = separated.dormant_ciphertext(uow.conn, subject_id, item_id)
                dormant = blob is not None
            key = core.keys.get(uow.conn, subject_id)
            if blob is None or key is None:
                return False
            check = core.passwords.verify(open_value(key, subject_id, item_id, blob), password)
            if check.ok and dormant:  # 휴면 해제: the member came back by logging in
                separated.restore_dormant(uow.conn, subject_id, now)
                core.log(
                    uow,
                    now,
                    SELF.login,
                    "reactivate",
                    subject_id=subject_id,
                    source=source,
                    reason="via=login",
                )
                core.emit(
                    uow,
                    now,
                    "subject.reactivated",
                    subject_id,
                    key=f"{subject_id}:{now.isoformat()}",
                    via="login",
                )
            if check.ok and check.new_hash:
                value_rows.replace_ciphertext(
                    uow.conn, subject_id, item_id, seal_value(key, subject_id, item_id, check.new_hash)
                )
            if check.ok:
                subject_rows.touch(uow.conn, subject_id, now)
            core.log(
                uow,
                now,
                SELF.login,
                "login",
                outcome="allowed" if check.ok else "denied:wrong_password",
                subject_id=subject_id,
                items=(item_id,),
                source=source,
            )
            uow.commit()
        return check.ok

    def _may_reactivate_by_login(self) -> bool:
        dormancy = self.core.policy.dormancy
        return dormancy is not None and (not dormancy.reactivation or "login" in dormancy.reactivation)

    def subject(
        self, subject_id: str, *, actor: Handler | str = SYSTEM, source: str = "local"
    ) -> dict[str, object]:
        """A subject's state and the ids of its items (never their values). Needs the ``metadata``
        action; logged as ``subject.state`` (``vault.metadata``)."""
        with self.core.unit_of_work() as uow:
            row = metadata_row(
                self.core, uow, actor=actor, action="subject.state", subject_id=subject_id, source=source
            )
            held = value_rows.item_ids(uow.conn, subject_id)
            uow.commit()
        return {
            "id": row.id,
            "kind": row.kind,
            "status": row.status,
            "context": row.context,
            "is_child": row.is_child,
            "policy_version": row.policy_version,
            "created_at": as_utc(row.created_at),
            "last_activity_at": as_utc(row.last_activity_at),
            "items": held,
        }
