"""Queries on the separated store (분리보관): what a subject holds, moves into and out of it, and the
keys nothing needs any more.

Rows kept after a purpose ends (cause ``withdrawal``) and rows of dormant members (cause
``dormancy``) live in ``separated_values``, ``separated_records`` and ``separated_lookups``, where no
everyday query reaches them. Withdrawal rows arrive sealed under the subject's everyday key and are
re-sealed under their retention group's key right after the commit (``awaiting_rekey``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    delete,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    update,
)

from jikimi.clock import as_utc
from jikimi.states import Cause, SubjectStatus
from jikimi.store.hints import Span, among, unindexed
from jikimi.store.tables import (
    AWAITING_REKEY,
    item_values,
    processing_stops,
    records,
    separated_records,
    separated_values,
    subjects,
)


@dataclass(frozen=True)
class Slot:
    """One item value or record of a subject, active or separated for dormancy."""

    slot: str  # item id, or record type
    aad: str  # the associated data it is sealed with: item id, or "record:<id>"
    ciphertext: bytes
    collected_at: datetime
    occurred_at: datetime | None
    context: str
    record_id: str | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None  # a log's own expiry (records.expires_at), set while it was active


def slots(conn: Connection, subject_id: str, items: Sequence[str] | None = None) -> list[Slot]:
    """The subject's active values and records and its dormancy-separated ones (``items``: only these
    items, and no records)."""
    found: list[Slot] = []
    value_query = select(item_values).where(item_values.c.subject_id == subject_id)
    dormant_query = select(separated_values).where(
        separated_values.c.subject_id == subject_id, separated_values.c.cause == Cause.DORMANCY
    )
    if items is not None:
        value_query = value_query.where(item_values.c.item_id.in_(list(items)))
        dormant_query = dormant_query.where(separated_values.c.item_id.in_(list(items)))
    for r in list(conn.execute(value_query)) + list(conn.execute(dormant_query)):
        found.append(Slot(r.item_id, r.item_id, bytes(r.ciphertext), as_utc(r.collected_at), None, r.context))
    if items is None:
        record_rows = list(conn.execute(select(records).where(records.c.subject_id == subject_id)))
        record_rows += conn.execute(
            select(separated_records).where(
                separated_records.c.subject_id == subject_id, separated_records.c.cause == Cause.DORMANCY
            )
        )
        for r in record_rows:
            found.append(
                Slot(
                    r.type,
                    f"record:{r.id}",
                    bytes(r.ciphertext),
                    as_utc(r.created_at),
                    as_utc(r.occurred_at),
                    "",
                    r.id,
                    as_utc(r.created_at),
                    as_utc(r.expires_at),
                )
            )
    return found


@dataclass(frozen=True)
class Kept:
    """A slot kept after its purpose ended, under a retention rule, until ``expires_at``."""

    slot: Slot
    rule_id: str
    start_at: datetime
    expires_at: datetime | None


def separate(
    conn: Connection, subject_id: str, kept: Sequence[Kept], now: datetime, *, items: Sequence[str] | None
) -> None:
    """Move the subject's slots out of the active tables: the ``kept`` ones into the separated store
    (cause ``withdrawal``, still sealed under the everyday key), the rest deleted. ``items``: only
    these items are ended (a deletion); None: everything, records included (the whole purpose)."""
    value_rows: list[dict[str, object]] = []
    record_rows: list[dict[str, object]] = []
    for each in kept:
        slot = each.slot
        common = {
            "subject_id": subject_id,
            "ciphertext": slot.ciphertext,
            "key_id": subject_id,
            "cause": Cause.WITHDRAWAL,
            "rule_id": each.rule_id,
            "start_at": each.start_at,
            "expires_at": each.expires_at,
            "separated_at": now,
        }
        if slot.record_id:
            record_rows.append(
                {
                    **common,
                    "id": slot.record_id,
                    "type": slot.slot,
                    "occurred_at": slot.occurred_at,
                    "created_at": slot.created_at,
                }
            )
        else:
            value_rows.append(
                {**common, "item_id": slot.slot, "collected_at": slot.collected_at, "context": slot.context}
            )
    # the old rows go: active ones, and dormancy-separated ones
    value_filter = [item_values.c.subject_id == subject_id]
    dormant_filter = [separated_values.c.subject_id == subject_id, separated_values.c.cause == Cause.DORMANCY]
    if items is not None:
        value_filter.append(item_values.c.item_id.in_(list(items)))
        dormant_filter.append(separated_values.c.item_id.in_(list(items)))
    conn.execute(delete(item_values).where(*value_filter))
    conn.execute(delete(separated_values).where(*dormant_filter))
    if value_rows:
        conn.execute(
            delete(separated_values).where(
                separated_values.c.subject_id == subject_id,
                separated_values.c.item_id.in_([r["item_id"] for r in value_rows]),
            )
        )
        conn.execute(insert(separated_values), value_rows)
    if items is None:
        conn.execute(delete(records).where(records.c.subject_id == subject_id))
        conn.execute(
            delete(separated_records).where(
                separated_records.c.subject_id == subject_id, separated_records.c.cause == Cause.DORMANCY
            )
        )
        if record_rows:
            conn.execute(insert(separated_records), record_rows)


def lift_stops(conn: Connection, subject_id: str) -> None:
    """The subject's processing stops end with its purpose."""
    conn.execute(delete(processing_stops).where(processing_stops.c.subject_id == subject_id))


def kept_rows(
    conn: Connection, subject_id: str, wanted: Sequence[str], now: datetime
) -> tuple[list[Row[Any]], list[Row[Any]]]:
    """The withdrawal-separated values and records of ``wanted`` items or record types still within
    their period: ``(value rows, record rows by time)``."""
    live = or_(separated_values.c.expires_at.is_(None), separated_values.c.expires_at > now)
    live_records = or_(separated_records.c.expires_at.is_(None), separated_records.c.expires_at > now)
    value_rows = conn.execute(
        select(separated_values).where(
            separated_values.c.subject_id == subject_id,
            separated_values.c.cause == Cause.WITHDRAWAL,
            separated_values.c.item_id.in_(list(wanted)),
            live,
        )
    ).all()
    record_rows = conn.execute(
        select(separated_records)
        .where(
            separated_records.c.subject_id == subject_id,
            separated_records.c.cause == Cause.WITHDRAWAL,
            separated_records.c.type.in_(list(wanted)),
            live_records,
        )
        .order_by(separated_records.c.occurred_at)
    ).all()
    return list(value_rows), list(record_rows)


def summary(conn: Connection, subject_id: str) -> tuple[list[Row[Any]], list[Row[Any]]]:
    """What the subject has in the separated store, for its access package: value rows, and record
    groups ``(type, cause, rule_id, expires, n)``."""
    from sqlalchemy import func

    values = list(conn.execute(select(separated_values).where(separated_values.c.subject_id == subject_id)))
    groups = list(
        conn.execute(
            select(
                separated_records.c.type,
                separated_records.c.cause,
                separated_records.c.rule_id,
                func.max(separated_records.c.expires_at).label("expires"),
                func.count().label("n"),
            )
            .where(separated_records.c.subject_id == subject_id)
            .group_by(separated_records.c.type, separated_records.c.cause, separated_records.c.rule_id)
        )
    )
    return values, groups


def held_item_ids(conn: Connection, subject_id: str) -> set[str]:
    """Item ids the subject has in the separated store (any cause)."""
    return {
        r.item_id
        for r in conn.execute(
            select(separated_values.c.item_id).where(separated_values.c.subject_id == subject_id)
        )
    }


# -- re-keying: from the everyday key to the retention group's key ---------------------------------


@dataclass(frozen=True)
class Awaiting:
    """A kept row still sealed under the subject's everyday key."""

    table: str  # "values" | "records"
    key: str  # item id, or record id
    aad: str
    rule_id: str
    ciphertext: bytes


def awaiting_rekey(conn: Connection, subject_id: str) -> list[Awaiting]:
    """The subject's kept rows still under its everyday key (through the partial indexes)."""
    found = [
        Awaiting("values", r.item_id, r.item_id, r.rule_id, bytes(r.ciphertext))
        for r in conn.execute(
            select(
                separated_values.c.item_id, separated_values.c.rule_id, separated_values.c.ciphertext
            ).where(text(AWAITING_REKEY), separated_values.c.subject_id == subject_id)
        )
    ]
    found += [
        Awaiting("records", r.id, f"record:{r.id}", r.rule_id, bytes(r.ciphertext))
        for r in conn.execute(
            select(separated_records.c.id, separated_records.c.rule_id, separated_records.c.ciphertext).where(
                text(AWAITING_REKEY), separated_records.c.subject_id == subject_id
            )
        )
    ]
    return found


def subjects_awaiting_rekey(conn: Connection, limit: int) -> list[str]:
    """Subjects with kept rows still under their everyday key (a crash came between a withdrawal's
    commit and its re-keying)."""
    ids = {
        r[0]
        for r in conn.execute(select(separated_values.c.subject_id).where(text(AWAITING_REKEY)).limit(limit))
    }
    ids |= {
        r[0]
        for r in conn.execute(select(separated_records.c.subject_id).where(text(AWAITING_REKEY)).limit(limit))
    }
    return sorted(ids)


def rekeyed(conn: Connection, subject_id: str, row: Awaiting, key_id: str, sealed: bytes) -> None:
    """Store a row re-sealed under ``key_id`` (only if it is still under the everyday key)."""
    table = separated_values if row.table == "values" else separated_records
    key_column = table.c.item_id if row.table == "values" else table.c.id
    conn.execute(
        update(table)
        .where(table.c.subject_id == subject_id, key_column == row.key, table.c.key_id == subject_id)
        .values(ciphertext=sealed, key_id=key_id)
    )


def keys_in_use(conn: Connection, key_ids: Iterable[str]) -> set[str]:
    """Which of ``key_ids`` still seal a separated row."""
    wanted = set(key_ids)
    if not wanted:
        return set()
    used = {
        r[0]
        for r in conn.execute(
            select(separated_values.c.key_id).where(among(separated_values.c.key_id, wanted)).distinct()
        )
    }
    used |= {
        r[0]
        for r in conn.execute(
            select(separated_records.c.key_id).where(among(separated_records.c.key_id, wanted)).distinct()
        )
    }
    return used


def move_dormant(
    conn: Connection, subject_ids: Sequence[str], now: datetime, span: Span | None = None
) -> int:
    """Move dormant members' values and records to the separated store (휴면 분리보관), set-based.

    The everyday key stays: the member may come back. Logs keep their own expiry. ``span``: the
    first and last id in the database's order, when known (see ``among``).
    """
    if not subject_ids:
        return 0
    ids = list(subject_ids)
    conn.execute(
        insert(separated_values).from_select(
            [
                "subject_id",
                "item_id",
                "ciphertext",
                "key_id",
                "cause",
                "rule_id",
                "start_at",
                "expires_at",
                "collected_at",
                "context",
                "separated_at",
            ],
            select(
                item_values.c.subject_id,
                item_values.c.item_id,
                item_values.c.ciphertext,
                item_values.c.subject_id,
                _literal(Cause.DORMANCY.value),
                _literal(None),
                subjects.c.last_activity_at,
                _literal(None),
                item_values.c.collected_at,
                item_values.c.context,
                _literal(now),
            )
            .join(subjects, subjects.c.id == item_values.c.subject_id)
            # the ids on both sides of the join: PostgreSQL does not carry them across the ``=`` and would
            # hash every subject to find the batch's
            .where(among(item_values.c.subject_id, ids, span), among(subjects.c.id, ids, span)),
        )
    )
    conn.execute(delete(item_values).where(among(item_values.c.subject_id, ids, span)))
    conn.execute(
        insert(separated_records).from_select(
            [
                "id",
                "subject_id",
                "type",
                "ciphertext",
                "key_id",
                "cause",
                "rule_id",
                "occurred_at",
                "created_at",
                "start_at",
                "expires_at",
                "separated_at",
            ],
            select(
                records.c.id,
                records.c.subject_id,
                records.c.type,
                records.c.ciphertext,
                records.c.subject_id,
                _literal(Cause.DORMANCY.value),
                _literal(None),
                records.c.occurred_at,
                records.c.created_at,
                records.c.occurred_at,
                records.c.expires_at,
                _literal(now),
            ).where(among(records.c.subject_id, ids, span)),
        )
    )
    conn.execute(delete(records).where(among(records.c.subject_id, ids, span)))
    result = conn.execute(
        update(subjects)
        .where(among(subjects.c.id, ids, span), unindexed(subjects.c.status) == SubjectStatus.ACTIVE)
        .values(status=SubjectStatus.DORMANT, status_changed_at=now)
    )
    return result.rowcount or 0


def restore_dormant(conn: Connection, subject_id: str, now: datetime) -> None:
    """Bring a dormant member's data back to the active tables (휴면 해제)."""
    conn.execute(
        insert(item_values).from_select(
            ["subject_id", "item_id", "ciphertext", "context", "collected_at", "hold"],
            select(
                separated_values.c.subject_id,
                separated_values.c.item_id,
                separated_values.c.ciphertext,
                separated_values.c.context,
                separated_values.c.collected_at,
                _literal(False),
            ).where(separated_values.c.subject_id == subject_id, separated_values.c.cause == Cause.DORMANCY),
        )
    )
    conn.execute(
        delete(separated_values).where(
            separated_values.c.subject_id == subject_id, separated_values.c.cause == Cause.DORMANCY
        )
    )
    conn.execute(
        insert(records).from_select(
            ["id", "subject_id", "type", "ciphertext", "occurred_at", "created_at", "expires_at"],
            select(
                separated_records.c.id,
                separated_records.c.subject_id,
                separated_records.c.type,
                separated_records.c.ciphertext,
                separated_records.c.occurred_at,
                separated_records.c.created_at,
                separated_records.c.expires_at,
            ).where(
                separated_records.c.subject_id == subject_id, separated_records.c.cause == Cause.DORMANCY
            ),
        )
    )
    conn.execute(
        delete(separated_records).where(
            separated_records.c.subject_id == subject_id, separated_records.c.cause == Cause.DORMANCY
        )
    )
    conn.execute(
        update(subjects)
        .where(subjects.c.id == subject_id)
        .values(status=SubjectStatus.ACTIVE, status_changed_at=now, last_activity_at=now)
    )


def _literal(value: object) -> Any:
    return null() if value is None else literal(value)


def dormant_ciphertext(conn: Connection, subject_id: str, item_id: str) -> bytes | None:
    """A dormant member's separated value of one item (a password checked at the login that ends dormancy)."""
    row = conn.execute(
        select(separated_values.c.ciphertext).where(
            separated_values.c.subject_id == subject_id,
            separated_values.c.item_id == item_id,
            separated_values.c.cause == Cause.DORMANCY,
        )
    ).first()
    return None if row is None else bytes(row.ciphertext)
