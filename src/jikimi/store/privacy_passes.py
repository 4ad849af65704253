"""Queries on ``privacy_passes``: the ways into the privacy center (a link the service issues, a
one-time code sent to a member's contact).

A pass is found by a keyed digest of its token (a link) or of its pass id (a code); neither the
token, the pass id nor the code is stored, so a copy of the table opens nothing. A pass is used
once: ``use`` marks it in one statement that only one request can win.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from jikimi.store.face_tables import privacy_passes


def add(
    conn: Connection,
    *,
    digest: str,
    kind: str,
    subject_id: str,
    acting_as: str,
    now: datetime,
    expires_at: datetime,
    code_digest: str | None = None,
    channel: str | None = None,
    issued_by: str | None = None,
) -> None:
    conn.execute(
        insert(privacy_passes).values(
            digest=digest,
            kind=kind,
            subject_id=subject_id,
            acting_as=acting_as,
            code_digest=code_digest,
            channel=channel,
            attempts=0,
            issued_by=issued_by,
            created_at=now,
            expires_at=expires_at,
        )
    )


def find(conn: Connection, digest: str, kind: str) -> Row[Any] | None:
    """The pass of this kind with this digest, used or not, or None."""
    query = select(privacy_passes).where(privacy_passes.c.digest == digest, privacy_passes.c.kind == kind)
    return conn.execute(query).first()


def use(conn: Connection, digest: str, now: datetime) -> bool:
    """Mark the pass used; False when it was used already (another request won)."""
    query = (
        update(privacy_passes)
        .where(privacy_passes.c.digest == digest, privacy_passes.c.used_at.is_(None))
        .values(used_at=now)
    )
    return conn.execute(query).rowcount == 1


def count_attempt(conn: Connection, digest: str) -> int:
    """Count one more wrong code against a pass; the count so far."""
    conn.execute(
        update(privacy_passes)
        .where(privacy_passes.c.digest == digest)
        .values(attempts=privacy_passes.c.attempts + 1)
    )
    found = conn.execute(select(privacy_passes.c.attempts).where(privacy_passes.c.digest == digest)).scalar()
    return int(found or 0)


def live_codes(conn: Connection, subject_id: str, now: datetime) -> int:
    """How many code passes of the subject are unused and unexpired (codes sent and still good)."""
    query = select(func.count()).where(
        privacy_passes.c.subject_id == subject_id,
        privacy_passes.c.kind == "code",
        privacy_passes.c.used_at.is_(None),
        privacy_passes.c.expires_at > now,
    )
    return int(conn.execute(query).scalar_one())


def purge(conn: Connection, before: datetime) -> int:
    """Forget the passes that expired before ``before`` (used or not)."""
    return conn.execute(delete(privacy_passes).where(privacy_passes.c.expires_at < before)).rowcount or 0
