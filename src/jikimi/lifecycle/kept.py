"""Data kept apart (분리보관): reads for the reasons its retention rule allows, and the end of dormancy.

Separated data is read only for a reason its rule declares (PIPA 21③: "used only for that
reason"), by a handler with the ``separated`` action; every attempt, allowed or not, is logged.
A dormant member's data comes back to the active tables when the member returns (휴면 해제): by
logging in, or on request through a handler with the ``withdraw`` action.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.crypto import open_value
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import SELF, Handler
from jikimi.lifecycle.rules import allowed_reasons, rule_for
from jikimi.states import SubjectStatus
from jikimi.store import separated
from jikimi.store import subjects as subject_rows
from jikimi.store.records import RecordOut
from jikimi.validation import known_items


@dataclass(frozen=True)
class SeparatedData:
    values: dict[str, str]
    records: list[RecordOut]


class Keeping:
    """Reads of separated data, and reactivation of dormant members."""

    core: Core

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
        """Read data kept after withdrawal, only for a reason its retention rule allows. Always logged."""
        core = self.core
        handler = core.actor(actor)
        policy = core.policy
        wanted = known_items(items, policy.items_by_id.keys() | policy.records_by_id.keys())
        if not reason or not reason.strip():
            raise InvalidInput("reason", "분리보관 자료 열람에는 사유가 필요합니다", "a reason is required")
        now = core.now()
        denial = self._denial(handler, wanted, reason)
        with core.unit_of_work() as uow:
            exists_row = subject_rows.find(uow.conn, subject_id)
            note = f"{reason}; ref={reference}" if reference else reason
            outcome = (
                "allowed"
                if denial is None and exists_row is not None
                else (f"denied:{denial[0]}" if denial else "not_found")
            )
            core.log(
                uow,
                now,
                handler.login,
                "read.separated",
                outcome=outcome,
                subject_id=subject_id,
                items=tuple(wanted),
                source=source,
                reason=note[:500],
            )
            if denial is not None or exists_row is None:
                uow.commit()
                if denial is not None:
                    raise Denied(*denial)
                raise subject_rows.not_found()
            value_rows, record_rows = separated.kept_rows(uow.conn, subject_id, wanted, now)
            keys = core.keys.get_many(
                uow.conn, sorted({r.key_id for r in value_rows} | {r.key_id for r in record_rows})
            )
            uow.commit()
        values = {
            r.item_id: open_value(k, subject_id, r.item_id, bytes(r.ciphertext))
            for r in value_rows
            if (k := keys.get(r.key_id)) is not None and policy.items_by_id[r.item_id].format != "password"
        }
        out_records = [
            RecordOut(
                r.id,
                r.type,
                as_utc(r.occurred_at),
                json.loads(open_value(k, subject_id, f"record:{r.id}", bytes(r.ciphertext))),
            )
            for r in record_rows
            if (k := keys.get(r.key_id)) is not None
        ]
        return SeparatedData(values, out_records)

    def _denial(self, handler: Handler, wanted: Sequence[str], reason: str) -> tuple[str, str, str] | None:
        if not handler.role.may("separated"):
            return (
                "action_not_allowed",
                "분리보관 자료 열람 권한이 없습니다",
                "the handler may not read separated data",
            )
        for slot in wanted:
            rule = rule_for(self.core.policy, slot)
            allowed = allowed_reasons(rule) if rule is not None else ()
            if reason not in allowed:
                return (
                    "reason_not_allowed",
                    f"{slot}: 보존 사유에 해당하지 않습니다 (허용: {' / '.join(allowed) or '없음'})",
                    f"{slot}: not a reason its retention rule allows (allowed: {' / '.join(allowed) or 'none'})",  # noqa: E501
                )
        return None

    def reactivate(
        self, subject_id: str, *, actor: Handler | str = SELF, via: str = "request", source: str = "local"
    ) -> None:
        """End a member's dormancy (휴면 해제) on request: their data comes back from the separated
        store (logging in does it too, see ``Vault.verify_password``). Needs the ``withdraw`` action
        (a change of membership on the member's request, like a withdrawal); a refused attempt is
        logged (``reactivate``, ``denied:action_not_allowed``) before ``Denied`` is raised."""
        core = self.core
        handler = core.actor(actor)
        now = core.now()
        if not handler.role.may("withdraw"):
            with core.unit_of_work() as uow:
                core.log(
                    uow,
                    now,
                    handler.login,
                    "reactivate",
                    outcome="denied:action_not_allowed",
                    subject_id=subject_id,
                    source=source,
                    reason=f"via={via}",
                )
                uow.commit()
            raise Denied(
                "action_not_allowed",
                "이 역할에는 휴면 해제가 허용되지 않습니다 ('withdraw' 작업)",
                "the handler's role may not end a dormancy (the 'withdraw' action)",
            )
        with core.unit_of_work() as uow:
            row = subject_rows.get(uow.conn, subject_id, lock=True)
            if row.status != SubjectStatus.DORMANT:
                raise StateConflict("휴면 상태의 회원이 아닙니다", "the member is not dormant")
            dormancy = core.policy.dormancy
            if dormancy is not None and dormancy.reactivation and via not in dormancy.reactivation:
                raise StateConflict(
                    "처리방침이 정한 방법으로만 휴면을 해제할 수 있습니다",
                    f"the policy allows reactivation only by {', '.join(dormancy.reactivation)}",
                )
            separated.restore_dormant(uow.conn, subject_id, now)
            core.log(
                uow,
                now,
                handler.login,
                "reactivate",
                subject_id=subject_id,
                source=source,
                reason=f"via={via}",
            )
            core.emit(
                uow, now, "subject.reactivated", subject_id, key=f"{subject_id}:{now.isoformat()}", via=via
            )
            uow.commit()
