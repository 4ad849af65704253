"""정정 (correction, PIPA 36): the hold while a correction is open, the new values, and the notices.

The policy's promise: data under correction is neither used nor provided until it is corrected,
and third parties that received the old value are told. So a verified correction request puts
``item_values.hold`` on its items (the gate then denies reads and provisions with
``correction_hold``); applying it re-seals the validated new values and lifts the hold; refusing
it lifts the hold. Every earlier recipient of a corrected item gets ONE ``correction_notice`` in
the outbox, with ids only. These helpers work inside the caller's unit of work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jikimi.crypto import blind_index, seal_value
from jikimi.errors import Duplicate, InvalidInput
from jikimi.outbox import enqueue
from jikimi.policy.model import Policy
from jikimi.store.tables import item_values, lookups, provisions
from jikimi.validation import Problem, normalise


def held_items(conn: Connection, subject_id: str, items: Iterable[str]) -> list[str]:
    """Which of ``items`` the subject has a value for."""
    wanted = list(items)
    if not wanted:
        return []
    return sorted(
        r.item_id
        for r in conn.execute(
            select(item_values.c.item_id).where(
                item_values.c.subject_id == subject_id, item_values.c.item_id.in_(wanted)
            )
        )
    )


def place_hold(conn: Connection, subject_id: str, items: Iterable[str]) -> None:
    """Put the items on correction hold: the gate denies every read and provision of them."""
    conn.execute(
        update(item_values)
        .where(item_values.c.subject_id == subject_id, item_values.c.item_id.in_(list(items)))
        .values(hold=True)
    )


def lift_hold(conn: Connection, subject_id: str, items: Iterable[str]) -> None:
    conn.execute(
        update(item_values)
        .where(item_values.c.subject_id == subject_id, item_values.c.item_id.in_(list(items)))
        .values(hold=False)
    )


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
    conn: Connection,
    policy: Policy,
    *,
    subject_id: str,
    data_key: bytes,
    index_key: bytes,
    values: Mapping[str, str],
) -> None:
    """Re-seal the corrected values, lift their hold, and move their look-up digests."""
    for item_id, value in values.items():
        conn.execute(
            update(item_values)
            .where(item_values.c.subject_id == subject_id, item_values.c.item_id == item_id)
            .values(ciphertext=seal_value(data_key, subject_id, item_id, value), hold=False)
        )
        if not policy.items_by_id[item_id].lookup:
            continue
        digest = blind_index(index_key, item_id, value)
        taken = conn.execute(
            select(lookups.c.subject_id).where(lookups.c.item_id == item_id, lookups.c.digest == digest)
        ).first()
        if taken is not None and taken.subject_id != subject_id:
            raise Duplicate(item_id)
        if taken is None:
            conn.execute(
                delete(lookups).where(lookups.c.subject_id == subject_id, lookups.c.item_id == item_id)
            )
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(lookups).values(item_id=item_id, digest=digest, subject_id=subject_id)
                    )
            except IntegrityError as exc:  # another subject took the value meanwhile
                raise Duplicate(item_id) from exc


def earlier_recipients(
    conn: Connection, subject_id: str, items: Iterable[str]
) -> dict[str, tuple[list[str], datetime]]:
    """Third parties that were given any of ``items`` of the subject: id → (those items, last time)."""
    wanted = set(items)
    found: dict[str, tuple[set[str], datetime]] = {}
    query = (
        select(provisions.c.third_party_id, provisions.c["items"].label("given"), provisions.c.at)
        .where(provisions.c.subject_id == subject_id)
        .order_by(provisions.c.at)
    )
    for row in conn.execute(query):
        given = wanted & set(json.loads(row.given))
        if given:
            seen, _ = found.get(row.third_party_id, (set(), row.at))
            found[row.third_party_id] = (seen | given, row.at)
    return {tp: (sorted(given), at) for tp, (given, at) in found.items()}


def queue_correction_notices(
    conn: Connection, *, request_id: str, subject_id: str, items: Iterable[str], now: datetime
) -> list[str]:
    """One ``correction_notice`` per earlier recipient of a corrected item; returns their ids."""
    queued: list[str] = []
    for third_party_id, (given, last_at) in sorted(earlier_recipients(conn, subject_id, items).items()):
        payload = {
            "request_id": request_id,
            "subject_id": subject_id,
            "third_party_id": third_party_id,
            "items": given,
            "last_provided_at": last_at,
            "corrected_at": now,
        }
        if enqueue(
            conn,
            kind="correction_notice",
            subject_id=subject_id,
            dedupe_key=f"correction_notice:{request_id}:{third_party_id}",
            payload=payload,
            due_at=now,
            now=now,
        ):
            queued.append(third_party_id)
    return queued
