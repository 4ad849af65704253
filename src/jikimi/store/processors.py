"""Queries on ``processor_registry`` (수탁자 등록부): who processed what, registered and released when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from jikimi.store.tables import processor_registry


def all_rows(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(processor_registry).order_by(processor_registry.c.processor_id)).all())


def add(conn: Connection, processor_id: str, now: datetime, **values: Any) -> None:
    conn.execute(
        insert(processor_registry).values(
            processor_id=processor_id, registered_at=now, until_at=None, released_at=None, **values
        )
    )


def change(conn: Connection, processor_id: str, **values: Any) -> None:
    conn.execute(
        update(processor_registry).where(processor_registry.c.processor_id == processor_id).values(**values)
    )
