"""Queries on ``records``: the transaction records kept about a subject (결제, 계약, 민원, 로그…), sealed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, func, insert, select

from jikimi.store.tables import records


def add(
    conn: Connection,
    *,
    record_id: str,
    subject_id: str,
    type: str,
    sealed: bytes,
    occurred_at: datetime,
    now: datetime,
    expires_at: datetime | None,
) -> None:
    conn.execute(
        insert(records).values(
            id=record_id,
            subject_id=subject_id,
            type=type,
            ciphertext=sealed,
            occurred_at=occurred_at,
            created_at=now,
            expires_at=expires_at,
        )
    )


def of_type(conn: Connection, subject_id: str, type: str) -> list[Row[Any]]:
    """The subject's records of one type, oldest first."""
    return list(
        conn.execute(
            select(records)
            .where(records.c.subject_id == subject_id, records.c.type == type)
            .order_by(records.c.occurred_at)
        ).all()
    )


def count(conn: Connection, subject_id: str) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(records).where(records.c.subject_id == subject_id)
        ).scalar_one()
    )


def types_of(conn: Connection, subject_id: str) -> list[str]:
    return sorted(
        r
        for (r,) in conn.execute(select(records.c.type).where(records.c.subject_id == subject_id).distinct())
    )


def all_of(subject_id: str) -> Select[Any]:
    """Every record of the subject (id, type, time, ciphertext), by type then time: to stream."""
    return (
        select(records.c.id, records.c.type, records.c.occurred_at, records.c.ciphertext)
        .where(records.c.subject_id == subject_id)
        .order_by(records.c.type, records.c.occurred_at, records.c.id)
    )


@dataclass(frozen=True)
class RecordOut:
    """A record as a gated read returns it: id, type, when, and its decrypted data."""

    id: str
    type: str
    occurred_at: datetime
    data: dict[str, object]
