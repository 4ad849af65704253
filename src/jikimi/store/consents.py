"""Queries on ``consents``: answers given, refused and withdrawn, per purpose, recipient or guardian.

A consent row is never updated except to mark it withdrawn; the history stays as it was answered
(the policy version and channel of every answer), until the subject's purpose ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, delete, insert, select, update

from jikimi.store.tables import consents

IN_CHUNK = 500


def add(
    conn: Connection,
    subject_id: str,
    *,
    kind: str,
    given: Iterable[str] = (),
    refused: Iterable[str] = (),
    policy_version: str,
    channel: str,
    actor: str,
    now: datetime,
) -> None:
    """One row per answer: ``given`` targets granted, ``refused`` ones refused."""
    common = {
        "subject_id": subject_id,
        "target_kind": kind,
        "policy_version": policy_version,
        "channel": channel,
        "actor": actor,
        "at": now,
    }
    rows = [{**common, "target_id": t, "granted": True} for t in given]
    rows += [{**common, "target_id": t, "granted": False} for t in refused]
    if rows:
        conn.execute(insert(consents), rows)


def _live(subject_id: str, kind: str, target: str) -> ColumnElement[bool]:
    return and_(
        consents.c.subject_id == subject_id,
        consents.c.target_kind == kind,
        consents.c.target_id == target,
        consents.c.granted.is_(True),
        consents.c.withdrawn_at.is_(None),
    )


def is_live(conn: Connection, subject_id: str, kind: str, target: str) -> bool:
    """A consent to ``target`` is given and not withdrawn."""
    return conn.execute(select(consents.c.id).where(_live(subject_id, kind, target))).first() is not None


def live_targets(conn: Connection, subject_id: str, kind: str) -> set[str]:
    """The targets (purpose or recipient ids) of the subject's live consents of ``kind``."""
    rows = conn.execute(
        select(consents.c.target_id).where(
            consents.c.subject_id == subject_id,
            consents.c.target_kind == kind,
            consents.c.granted.is_(True),
            consents.c.withdrawn_at.is_(None),
        )
    )
    return {str(r.target_id) for r in rows}


def withdraw(conn: Connection, subject_id: str, kind: str, target: str, now: datetime) -> int:
    """Mark the live consent to ``target`` withdrawn (nothing to do if none is live)."""
    return (
        conn.execute(
            update(consents).where(_live(subject_id, kind, target)).values(withdrawn_at=now)
        ).rowcount
        or 0
    )


def history(conn: Connection, subject_id: str) -> list[Row[Any]]:
    """Every answer of the subject, in the order given (oldest first)."""
    return list(
        conn.execute(
            select(consents).where(consents.c.subject_id == subject_id).order_by(consents.c.id)
        ).all()
    )


def forget(conn: Connection, subject_id: str) -> int:
    """Delete the subject's consent history (its purpose ended); returns how many rows."""
    return conn.execute(delete(consents).where(consents.c.subject_id == subject_id)).rowcount or 0


def third_party_states(conn: Connection, subject_ids: Sequence[str], third_party: str) -> dict[str, str]:
    """``{subject id: "live" | "withdrawn"}`` of the consents of many subjects to one recipient."""
    live: set[str] = set()
    withdrawn: set[str] = set()
    for start in range(0, len(subject_ids), IN_CHUNK):
        for row in conn.execute(
            select(consents.c.subject_id, consents.c.granted, consents.c.withdrawn_at).where(
                consents.c.subject_id.in_(list(subject_ids[start : start + IN_CHUNK])),
                consents.c.target_kind == "third_party",
                consents.c.target_id == third_party,
            )
        ):
            if row.granted and row.withdrawn_at is None:
                live.add(row.subject_id)
            elif row.withdrawn_at is not None:
                withdrawn.add(row.subject_id)
    return {sid: "withdrawn" for sid in withdrawn} | {sid: "live" for sid in live}
