"""Queries on the provision ledger (제3자 제공 기록): ids, items and basis of every provision, never values."""  # noqa: E501

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, select

from jikimi.store.bulk import insert_many
from jikimi.store.tables import provisions

COLUMNS = (
    "batch_id",
    "subject_id",
    "third_party_id",
    "items",
    "basis",
    "reference",
    "at",
    "actor",
    "policy_version",
)


def add_many(conn: Connection, rows: Sequence[Sequence[object]]) -> None:
    """Insert ledger rows (tuples in the order of ``COLUMNS``) in the caller's transaction."""
    insert_many(conn, provisions, COLUMNS, rows)


def page(
    conn: Connection,
    *,
    subject_id: str | None,
    third_party: str | None,
    batch_id: str | None,
    since: datetime | None,
    until: datetime | None,
    after_id: int,
    limit: int,
) -> list[Row[Any]]:
    """Ledger rows after ``after_id``, oldest first."""
    statement = select(provisions).where(provisions.c.id > after_id).order_by(provisions.c.id).limit(limit)
    if subject_id is not None:
        statement = statement.where(provisions.c.subject_id == subject_id)
    if third_party is not None:
        statement = statement.where(provisions.c.third_party_id == third_party)
    if batch_id is not None:
        statement = statement.where(provisions.c.batch_id == batch_id)
    if since is not None:
        statement = statement.where(provisions.c.at >= since)
    if until is not None:
        statement = statement.where(provisions.c.at < until)
    return list(conn.execute(statement).all())


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


def of_subject(subject_id: str) -> Select[Any]:
    """Every provision of the subject's data, oldest first: to stream (the access package)."""
    return (
        select(provisions)
        .where(provisions.c.subject_id == subject_id)
        .order_by(provisions.c.at, provisions.c.id)
    )
