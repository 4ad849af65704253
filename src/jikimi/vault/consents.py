"""Consents (동의): given, refused and withdrawn — as easily one way as the other (PIPA 37④).

``change_consent`` is the one writer of consent changes, for purposes (here) and for third-party
recipients (``jikimi.sharing``), with its access-log row; callers check the handler
(``consenting``) and what their target is. ``Consenting`` is the vault's face for purposes, with
a composable ``change_in`` that works inside the caller's unit of work (a rights request closes in
the same transaction).
"""

from __future__ import annotations

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.gate import Decision, purpose_basis_holds
from jikimi.handlers import SELF, Handler
from jikimi.states import SubjectStatus
from jikimi.store import consents as consent_rows
from jikimi.store import subjects as subject_rows
from jikimi.store.facts import read_state
from jikimi.store.uow import UnitOfWork
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
    if granted:
        if row.status != SubjectStatus.ACTIVE:
            raise StateConflict("활성 상태가 아닌 대상자입니다", "the subject is not active")
        if not consent_rows.is_live(uow.conn, subject_id, kind, target):
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
        consent_rows.withdraw(uow.conn, subject_id, kind, target, now)
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
        """Withdraw consent for one purpose (동의 철회, PIPA 37): later reads for it are denied."""
        self._change(subject_id, purpose, False, actor, channel, source)

    def _change(
        self, subject_id: str, purpose: str, granted: bool, actor: Handler | str, channel: str, source: str
    ) -> None:
        with self.core.unit_of_work() as uow:
            self.change_in(uow, subject_id, purpose, granted, actor=actor, channel=channel, source=source)
            uow.commit()

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

    def consents_of(self, subject_id: str) -> list[dict[str, object]]:
        """The consent history of a subject (purpose, answer, policy version, channel, times)."""
        with self.core.reading() as conn:
            rows = consent_rows.history(conn, subject_id)
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
