"""정정 (correction, PIPA 36): the new values, and the notices to those who received the old ones.

The policy's promise: data under correction is neither used nor provided until it is corrected,
and third parties that received the old value are told. So a verified correction request puts
``item_values.hold`` on its items (the gate then denies reads and provisions with
``correction_hold``); applying it re-seals the validated new values and lifts the hold; refusing
it lifts the hold. Every earlier recipient of a corrected item gets ONE ``correction_notice`` in
the outbox, with ids only. These helpers work inside the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from jikimi.crypto import blind_index, seal_value
from jikimi.errors import InvalidInput
from jikimi.policy.model import Policy
from jikimi.store import lookups
from jikimi.store import provisions as provision_rows
from jikimi.store import values as value_rows
from jikimi.store.outbox import enqueue
from jikimi.store.uow import UnitOfWork
from jikimi.validation import Problem, normalise


def validated(policy: Policy, values: Mapping[str, str]) -> dict[str, str]:
    """The new values in canonical form (the same checks as collection); ``InvalidInput`` otherwise."""
    out: dict[str, str] = {}
    for item_id, raw in values.items():
        item = policy.items_by_id.get(item_id)
        if item is None:
            raise InvalidInput(item_id, "처리방침에 없는 항목입니다", "is not an item of the policy")
        if item.format == "password":
            raise InvalidInput(
                item_id,
                "비밀번호는 정정 요구가 아니라 비밀번호 변경으로 바꿉니다",
                "a password is changed by a password change, not a correction",
            )
        result = normalise(item, raw)
        if isinstance(result, Problem):
            raise InvalidInput(item_id, result.reason_ko, result.reason_en)
        out[item_id] = result
    return out


def apply_values(
    uow: UnitOfWork,
    policy: Policy,
    *,
    subject_id: str,
    data_key: bytes,
    index_key: bytes,
    values: Mapping[str, str],
) -> None:
    """Re-seal the corrected values, lift their hold, and move their look-up digests."""
    for item_id, value in values.items():
        value_rows.replace_ciphertext(
            uow.conn, subject_id, item_id, seal_value(data_key, subject_id, item_id, value), hold=False
        )
        if policy.items_by_id[item_id].lookup:
            lookups.replace(uow.conn, subject_id, item_id, blind_index(index_key, item_id, value))


def queue_correction_notices(
    uow: UnitOfWork, *, request_id: str, subject_id: str, items: Iterable[str], now: datetime
) -> list[str]:
    """One ``correction_notice`` per earlier recipient of a corrected item; returns their ids."""
    queued: list[str] = []
    recipients = provision_rows.earlier_recipients(uow.conn, subject_id, items)
    for third_party_id, (given, last_at) in sorted(recipients.items()):
        payload = {
            "request_id": request_id,
            "subject_id": subject_id,
            "third_party_id": third_party_id,
            "items": given,
            "last_provided_at": last_at,
            "corrected_at": now,
        }
        if enqueue(
            uow.conn,
            kind="correction_notice",
            subject_id=subject_id,
            dedupe_key=f"correction_notice:{request_id}:{third_party_id}",
            payload=payload,
            due_at=now,
            now=now,
            recipient="third_party",
        ):
            queued.append(third_party_id)
    return queued
