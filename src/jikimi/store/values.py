"""Queries on ``item_values``: a subject's sealed item values and their correction holds.

Values arrive here already sealed (``crypto.seal_value``); nothing in ``store`` sees plaintext.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from jikimi.store.tables import item_values

IN_CHUNK = 500
"""Ids per ``IN (...)`` list."""


def insert_sealed(
    conn: Connection, subject_id: str, context: str, sealed: Mapping[str, bytes], now: datetime
) -> None:
    """Store sealed values (item id → ciphertext) collected in ``context``, replacing none."""
    if sealed:
        conn.execute(
            insert(item_values),
            [
                {
                    "subject_id": subject_id,
                    "item_id": item_id,
                    "ciphertext": blob,
                    "context": context,
                    "collected_at": now,
                    "hold": False,
                }
                for item_id, blob in sealed.items()
            ],
        )


def delete_items(conn: Connection, subject_id: str, items: Iterable[str]) -> None:
    conn.execute(
        delete(item_values).where(
            item_values.c.subject_id == subject_id, item_values.c.item_id.in_(list(items))
        )
    )


def replace_ciphertext(
    conn: Connection, subject_id: str, item_id: str, blob: bytes, *, hold: bool | None = None
) -> None:
    values: dict[str, object] = {"ciphertext": blob}
    if hold is not None:
        values["hold"] = hold
    conn.execute(
        update(item_values)
        .where(item_values.c.subject_id == subject_id, item_values.c.item_id == item_id)
        .values(**values)
    )


def ciphertext(conn: Connection, subject_id: str, item_id: str) -> bytes | None:
    row = conn.execute(
        select(item_values.c.ciphertext).where(
            item_values.c.subject_id == subject_id, item_values.c.item_id == item_id
        )
    ).first()
    return None if row is None else bytes(row.ciphertext)


def item_ids(conn: Connection, subject_id: str) -> list[str]:
    """The ids of the items the subject has a value for."""
    return sorted(
        r.item_id
        for r in conn.execute(select(item_values.c.item_id).where(item_values.c.subject_id == subject_id))
    )


def held_among(conn: Connection, subject_id: str, items: Iterable[str]) -> list[str]:
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


def set_hold(conn: Connection, subject_id: str, items: Iterable[str], hold: bool) -> None:
    """Put items on correction hold, or lift it (the gate denies reads and provisions of held items)."""
    conn.execute(
        update(item_values)
        .where(item_values.c.subject_id == subject_id, item_values.c.item_id.in_(list(items)))
        .values(hold=hold)
    )


def sealed_of(
    conn: Connection, subject_ids: Sequence[str], items: Sequence[str]
) -> Iterator[tuple[str, str, bytes]]:
    """``(subject id, item id, ciphertext)`` of ``items`` of many subjects, in chunks of ids."""
    for start in range(0, len(subject_ids), IN_CHUNK):
        chunk = list(subject_ids[start : start + IN_CHUNK])
        for r in conn.execute(
            select(item_values.c.subject_id, item_values.c.item_id, item_values.c.ciphertext).where(
                item_values.c.subject_id.in_(chunk), item_values.c.item_id.in_(list(items))
            )
        ):
            yield r.subject_id, r.item_id, bytes(r.ciphertext)


def rows_of(conn: Connection, subject_id: str) -> list[Row[Any]]:
    """Every value row of the subject (for the access package), by item id."""
    return list(
        conn.execute(
            select(item_values).where(item_values.c.subject_id == subject_id).order_by(item_values.c.item_id)
        ).all()
    )
