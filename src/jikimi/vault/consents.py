"""Consents (동의): given, refused and withdrawn — as easily one way as the other (PIPA 37④).

``change_consent`` is the one writer of consent changes, for purposes (here) and for third-party
recipients (``jikimi.sharing``), with its access-log row; callers check the handler
(``consenting``) and what their target is. ``Consenting`` is the vault's face for purposes, with
a composable ``change_in`` that works inside the caller's unit of work (a rights request closes in
the same transaction).

A withdrawal is carried out, not only recorded ("동의 철회시 … 당해 개인정보는 삭제됩니다", PIPA 37③,
38④): the purposes stop at once (the gate answers ``consent_withdrawn``), the items that only
purposes no longer holding use are deleted, and when no purpose the subject was collected for
still holds, the membership ends — both under the retention rules (``end_withdrawn_in``, the rules
in ``jikimi.lifecycle.rules.after_consent_withdrawal``).
"""

from __future__ import annotations

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.gate import Decision, purpose_basis_holds
from jikimi.handlers import GUARDIAN, SELF, SYSTEM, Handler
from jikimi.lifecycle import Ended, Lifecycle
from jikimi.lifecycle.rules import after_consent_withdrawal
from jikimi.states import SubjectStatus
from jikimi.store import consents as consent_rows
from jikimi.store import subjects as subject_rows
from jikimi.store import values as value_rows
from jikimi.store.facts import read_state
from jikimi.store.uow import UnitOfWork
from jikimi.vault.metadata import metadata_row
from jikimi.vault.reads import gate_facts


def consenting(core: Core, actor: Handler | str) -> Handler:
    """The acting handler, if it may change consents (``Denied`` if not)."""
    handler = core.actor(actor)
    if not handler.role.may("consent"):
        raise Denied("action_not_allowed", "동의 변경 권한이 없습니다", "the handler may not change consents")
    return handler


def change_consent(
    core: Core,
    uow: UnitOfWork,
    *,
    subject_id: str,
    kind: str,
    target: str,
    granted: bool,
    handler: Handler,
    channel: str,
    source: str,
    purpose: str | None = None,
    reason: str | None = None,
) -> None:
    """Give (only to an active subject; nothing new if already live) or withdraw a consent to
    ``target`` (a purpose or a recipient, by ``kind``) inside ``uow``, and log the change there
    (``purpose`` and ``reason`` are the log row's). ``NotFound`` for no subject. The caller has
    checked the handler (``consenting``) and what ``target`` is."""
    now = core.now()
    row = subject_rows.get(uow.conn, subject_id)
    if handler.id == GUARDIAN.id and not row.is_child:
        raise Denied(
            "action_not_allowed",
            "법정대리인은 만 14세 미만 아동의 동의만 바꿀 수 있습니다",
            "a legal guardian changes consents only for a child under 14 (PIPA 22-2)",
        )
    changed = True
    if granted:
        if row.status != SubjectStatus.ACTIVE:
            raise StateConflict("활성 상태가 아닌 대상자입니다", "the subject is not active")
        changed = not consent_rows.is_live(uow.conn, subject_id, kind, target)
        if changed:
            consent_rows.add(
                uow.conn,
                subject_id,
                kind=kind,
                given=[target],
                policy_version=core.policy.version_key,
                channel=channel,
                actor=handler.login,
                now=now,
            )
    else:
        changed = consent_rows.withdraw(uow.conn, subject_id, kind, target, now) > 0
    if changed:
        core.emit_consent(uow, now, subject_id, kind, target, granted)
    core.log(
        uow,
        now,
        handler.login,
        "consent.give" if granted else "consent.withdraw",
        subject_id=subject_id,
        purpose=purpose,
        source=source,
        reason=reason,
    )


class Consenting:
    """Consents for purposes based on consent (PIPA 15①1, 22)."""

    core: Core
    lifecycle: Lifecycle

    def give_consent(
        self,
        subject_id: str,
        purpose: str,
        *,
        actor: Handler | str = SELF,
        channel: str = "web",
        source: str = "local",
    ) -> None:
        """Record the subject's consent for a consent-based purpose."""
        self._change(subject_id, purpose, True, actor, channel, source)

    def withdraw_consent(
        self,
        subject_id: str,
        purpose: str,
        *,
        actor: Handler | str = SELF,
        channel: str = "web",
        source: str = "local",
    ) -> None:
        """Withdraw consent for one purpose (동의 철회, PIPA 37): later reads for it are denied, and
        what it alone covered is deleted — the whole membership, if nothing else holds
        (``end_withdrawn_in``)."""
        self._change(subject_id, purpose, False, actor, channel, source)

    def _change(
        self, subject_id: str, purpose: str, granted: bool, actor: Handler | str, channel: str, source: str
    ) -> None:
        with self.core.unit_of_work() as uow:
            self.change_in(uow, subject_id, purpose, granted, actor=actor, channel=channel, source=source)
            if not granted:
                self.end_withdrawn_in(uow, subject_id, actor=actor, channel=channel, source=source)
            uow.commit()

    def end_withdrawn_in(
        self,
        uow: UnitOfWork,
        subject_id: str,
        *,
        all_consents: bool = False,
        actor: Handler | str,
        channel: str,
        source: str = "local",
    ) -> Ended | None:
        """Carry out the consents withdrawn (inside ``uow``): end the membership when no purpose the
        subject was collected for still holds, else delete the items only withdrawn purposes used —
        by the retention rules, like any end of purpose. ``all_consents``: the subject withdrew
        consent as a whole (a request naming no purpose), so purposes with no declared basis end
        too. ``None`` when nothing was left to end (or the subject is no longer active or dormant)."""
        core = self.core
        row = subject_rows.get(uow.conn, subject_id, lock=True)
        if row.status not in (SubjectStatus.ACTIVE, SubjectStatus.DORMANT):
            return None
        policy = core.policy
        ctx = policy.contexts_by_id.get(row.context)
        collected_for = policy.purposes_of(ctx) if ctx is not None else ()
        outcome = after_consent_withdrawal(
            policy,
            collected_for,
            held=value_rows.held_among(uow.conn, subject_id, policy.items_by_id),
            live=consent_rows.live_targets(uow.conn, subject_id, "purpose"),
            all_consents=all_consents,
        )
        handler = core.actor(actor)
        by = handler if handler.role.may("withdraw") else SELF  # the subject's own act
        if outcome.end_membership:
            return self.lifecycle.withdraw_in(
                uow, subject_id, "consent_withdrawn", actor=by, channel=channel, source=source
            )
        if outcome.delete:
            return self.lifecycle.delete_items_in(
                uow, subject_id, outcome.delete, actor=by, reason="consent_withdrawn", source=source
            )
        return None

    def change_in(
        self,
        uow: UnitOfWork,
        subject_id: str,
        purpose_id: str,
        granted: bool,
        *,
        actor: Handler | str,
        channel: str,
        source: str = "local",
    ) -> None:
        """Give or withdraw consent for a purpose inside the caller's unit of work, logged there."""
        handler = consenting(self.core, actor)
        purpose = self.core.policy.purposes_by_id.get(purpose_id)
        if purpose is None or purpose.basis != "consent":
            raise InvalidInput(
                "purpose", "동의를 근거로 하는 목적이 아닙니다", "is not a purpose based on consent"
            )
        change_consent(
            self.core,
            uow,
            subject_id=subject_id,
            kind="purpose",
            target=purpose_id,
            granted=granted,
            handler=handler,
            channel=channel,
            source=source,
            purpose=purpose_id,
        )

    def consents_of(
        self, subject_id: str, *, actor: Handler | str = SYSTEM, source: str = "local"
    ) -> list[dict[str, object]]:
        """The consent history of a subject (purpose, answer, policy version, channel, times);
        ``NotFound`` for an unknown subject. Needs the ``metadata`` action; logged as
        ``consents.read`` (``vault.metadata``)."""
        with self.core.unit_of_work() as uow:
            metadata_row(
                self.core, uow, actor=actor, action="consents.read", subject_id=subject_id, source=source
            )
            rows = consent_rows.history(uow.conn, subject_id)
            uow.commit()
        return [
            {
                "target_kind": r.target_kind,
                "target_id": r.target_id,
                "granted": r.granted,
                "policy_version": r.policy_version,
                "channel": r.channel,
                "at": as_utc(r.at),
                "withdrawn_at": as_utc(r.withdrawn_at),
            }
            for r in rows
        ]

    def basis_holds(self, subject_id: str, purpose_id: str) -> Decision:
        """Whether the purpose's legal basis holds for the subject now (its consent, where consent is the basis)."""  # noqa: E501
        with self.core.reading() as conn:
            state = read_state(conn, subject_id, [], purpose_id)
        if state is None:
            raise subject_rows.not_found()
        _, consents = gate_facts(state.facts, purpose_id)
        return purpose_basis_holds(self.core.policy, purpose_id, consents)
