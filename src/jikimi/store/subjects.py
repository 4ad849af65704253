"""Queries on ``subjects``: one subject's row (optionally locked), its state, and the few writes on it.

Every "no such subject" in jikimi is raised here, by ``get``, with one message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, exists, func, insert, select, update

from jikimi.errors import NotFound
from jikimi.states import SubjectStatus
from jikimi.store.tables import consents, subjects


def not_found() -> NotFound:
    return NotFound("대상자가 없습니다", "no such subject")


def get(conn: Connection, subject_id: str, *, lock: bool = False) -> Row[Any]:
    """The subject's row, or ``NotFound``. ``lock``: held until the transaction ends (PostgreSQL;
    SQLite writers are serialised by the transaction itself)."""
    query = select(subjects).where(subjects.c.id == subject_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise not_found()
    return row


def count_up_to(conn: Connection, limit: int) -> int:
    """How many subjects the vault holds, counted no further than ``limit`` (a bounded read however
    large the vault: enough to tell whether it reaches a threshold)."""
    first = select(subjects.c.id).limit(limit).subquery()
    return int(conn.execute(select(func.count()).select_from(first)).scalar_one())


def find(conn: Connection, subject_id: str) -> Row[Any] | None:
    """The subject's row, or None."""
    return conn.execute(select(subjects).where(subjects.c.id == subject_id)).first()


def insert_one(
    conn: Connection,
    *,
    subject_id: str,
    kind: str,
    status: SubjectStatus,
    context: str,
    is_child: bool,
    policy_version: str,
    now: datetime,
) -> None:
    conn.execute(
        insert(subjects).values(
            id=subject_id,
            kind=kind,
            status=status,
            context=context,
            is_child=is_child,
            policy_version=policy_version,
            created_at=now,
            last_activity_at=now,
            status_changed_at=now,
        )
    )


def set_status(
    conn: Connection, subject_id: str, status: SubjectStatus, now: datetime, **values: Any
) -> None:
    conn.execute(
        update(subjects)
        .where(subjects.c.id == subject_id)
        .values(status=status, status_changed_at=now, **values)
    )


def touch(conn: Connection, subject_id: str, now: datetime) -> None:
    """The subject was active now (a login, an order): the dormancy clock starts again."""
    conn.execute(update(subjects).where(subjects.c.id == subject_id).values(last_activity_at=now))


def remove(conn: Connection, subject_id: str) -> None:
    """Delete the subject's row (its rows in other tables go by ``ON DELETE CASCADE``); children it
    was the guardian of are detached first."""
    conn.execute(update(subjects).where(subjects.c.guardian_id == subject_id).values(guardian_id=None))
    conn.execute(delete(subjects).where(subjects.c.id == subject_id))


@dataclass(frozen=True)
class Selection:
    """Which subjects, when not listed by id: by status, context, kind, and a live third-party consent."""

    status: str | None = SubjectStatus.ACTIVE
    context: str | None = None
    kind: str | None = None
    consented_to: str | None = None


def select_ids(conn: Connection, selection: Selection, limit: int) -> list[str]:
    """Subject ids matching ``selection`` in id order, at most ``limit``."""
    statement = select(subjects.c.id).order_by(subjects.c.id)
    if selection.status is not None:
        statement = statement.where(subjects.c.status == selection.status)
    if selection.context is not None:
        statement = statement.where(subjects.c.context == selection.context)
    if selection.kind is not None:
        statement = statement.where(subjects.c.kind == selection.kind)
    if selection.consented_to is not None:
        statement = statement.where(
            exists().where(
                consents.c.subject_id == subjects.c.id,
                consents.c.target_kind == "third_party",
                consents.c.target_id == selection.consented_to,
                consents.c.granted.is_(True),
                consents.c.withdrawn_at.is_(None),
            )
        )
    return [r.id for r in conn.execute(statement.limit(limit))]


def active_pages(conn: Connection, context: str | None, page: int) -> Iterator[list[str]]:
    """Active subjects' ids in pages of ``page``, walked by id (keyset)."""
    last = ""
    while True:
        statement = (
            select(subjects.c.id)
            .where(subjects.c.status == SubjectStatus.ACTIVE, subjects.c.id > last)
            .order_by(subjects.c.id)
            .limit(page)
        )
        if context is not None:
            statement = statement.where(subjects.c.context == context)
        ids = [r.id for r in conn.execute(statement)]
        if not ids:
            return
        yield ids
        last = ids[-1]


def states(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """``{id: (status, is_child)}`` for those of ``ids`` that exist."""
    return {
        r.id: (r.status, bool(r.is_child))
        for r in conn.execute(
            select(subjects.c.id, subjects.c.status, subjects.c.is_child).where(subjects.c.id.in_(list(ids)))
        )
    }
