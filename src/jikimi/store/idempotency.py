"""Queries on ``idempotency_keys``: the answers to state-changing calls kept for their
``Idempotency-Key`` (``jikimi.idempotency`` decides; these only read and write rows).

A row is a *claim* while its call runs (``status = running``, held until ``locked_until``) and a
*kept answer* once it is done (``status = done``, the response sealed). The first call writes the row
with an ``INSERT`` that does nothing on a conflict with the primary key (``scope``, ``key_digest``), so
of any number of processes exactly one claims a key; the others read the row the winner wrote.

The claim's ``locked_until`` is also its fence: the holder extends, finishes or releases the claim
only while the row still says the ``locked_until`` it last wrote, so a process whose claim lapsed
and was taken over changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jikimi.clock import as_utc
from jikimi.store.integration_tables import idempotency_keys as keys

RUNNING = "running"
DONE = "done"


@dataclass(frozen=True)
class KeyRow:
    """One row: whose key (``scope``, ``key_digest``), for which call (``operation``,
    ``request_digest``), and its claim or its kept answer (``response_body`` sealed)."""

    scope: str
    key_digest: str
    operation: str
    request_digest: str
    status: str
    locked_until: datetime | None
    response_status: int | None
    response_body: bytes | None
    created_at: datetime
    expires_at: datetime


def _row(r: Row[Any]) -> KeyRow:
    return KeyRow(
        scope=r.scope,
        key_digest=r.key_digest,
        operation=r.operation,
        request_digest=r.request_digest,
        status=r.status,
        locked_until=as_utc(r.locked_until),
        response_status=r.response_status,
        response_body=bytes(r.response_body) if r.response_body is not None else None,
        created_at=as_utc(r.created_at),
        expires_at=as_utc(r.expires_at),
    )


def _this(scope: str, key_digest: str) -> Any:
    return and_(keys.c.scope == scope, keys.c.key_digest == key_digest)


@dataclass(frozen=True)
class NewClaim:
    """A claim to write: the key (``scope``, ``key_digest``), the call it is for, and its times."""

    scope: str
    key_digest: str
    operation: str
    request_digest: str
    now: datetime
    locked_until: datetime
    expires_at: datetime

    def values(self) -> dict[str, object]:
        return {
            "scope": self.scope,
            "key_digest": self.key_digest,
            "operation": self.operation,
            "request_digest": self.request_digest,
            "status": RUNNING,
            "locked_until": self.locked_until,
            "response_status": None,
            "response_body": None,
            "created_at": self.now,
            "expires_at": self.expires_at,
        }


def claim(conn: Connection, new: NewClaim) -> bool:
    """Claim a key no row holds: True if this call wrote the row, False if one was there (whatever its
    state — read it with ``get``). ``INSERT … ON CONFLICT DO NOTHING`` on both databases: on
    PostgreSQL a second insert of the same key waits for the first's transaction, then does nothing."""
    row = new.values()
    statement: Any
    if conn.dialect.name == "postgresql":
        statement = pg_insert(keys).values(row).on_conflict_do_nothing(index_elements=["scope", "key_digest"])
    elif conn.dialect.name == "sqlite":
        statement = (
            sqlite_insert(keys).values(row).on_conflict_do_nothing(index_elements=["scope", "key_digest"])
        )
    else:  # pragma: no cover - only the two supported databases
        if get(conn, new.scope, new.key_digest) is not None:
            return False
        statement = insert(keys).values(row)
    # RETURNING tells whether a row was written (psycopg gives no row count with RETURNING)
    return conn.execute(statement.returning(keys.c.scope)).first() is not None


def get(conn: Connection, scope: str, key_digest: str) -> KeyRow | None:
    """The row of one key, or None."""
    found = conn.execute(select(keys).where(_this(scope, key_digest))).first()
    return _row(found) if found is not None else None


def replace_expired(conn: Connection, new: NewClaim) -> bool:
    """Claim a key whose row expired (past ``expires_at``): the row becomes this call's claim, as if the
    key were new. True if this call took it (of two at once, one does)."""
    statement = (
        update(keys)
        .where(_this(new.scope, new.key_digest), keys.c.expires_at <= new.now)
        .values({k: v for k, v in new.values().items() if k not in ("scope", "key_digest")})
    )
    return conn.execute(statement).rowcount == 1


def take_over(
    conn: Connection, *, scope: str, key_digest: str, now: datetime, locked_until: datetime
) -> bool:
    """Take a claim whose holder stopped extending it (``locked_until`` passed: a crashed process).
    True if this call took it; of two at once, the second finds the claim held again."""
    statement = (
        update(keys)
        .where(_this(scope, key_digest), keys.c.status == RUNNING, keys.c.locked_until <= now)
        .values(locked_until=locked_until)
    )
    return conn.execute(statement).rowcount == 1


def _held(scope: str, key_digest: str, held: datetime) -> Any:
    # only the holder: a claim that lapsed and was taken over has another locked_until
    return and_(_this(scope, key_digest), keys.c.status == RUNNING, keys.c.locked_until == held)


def extend(conn: Connection, *, scope: str, key_digest: str, held: datetime, locked_until: datetime) -> bool:
    """Hold a running claim longer; False if it is no longer this holder's."""
    statement = update(keys).where(_held(scope, key_digest, held)).values(locked_until=locked_until)
    return conn.execute(statement).rowcount == 1


def finish(
    conn: Connection,
    *,
    scope: str,
    key_digest: str,
    held: datetime,
    response_status: int,
    response_body: bytes,
) -> bool:
    """Keep the answer of a finished call (``response_body`` sealed by the caller): the claim becomes
    done. False if the claim was no longer this holder's (nothing is written then)."""
    statement = (
        update(keys)
        .where(_held(scope, key_digest, held))
        .values(status=DONE, locked_until=None, response_status=response_status, response_body=response_body)
    )
    return conn.execute(statement).rowcount == 1


def release(conn: Connection, *, scope: str, key_digest: str, held: datetime) -> bool:
    """Remove a claim whose call failed (a 5xx, an exception), so a retry runs afresh."""
    return conn.execute(delete(keys).where(_held(scope, key_digest, held))).rowcount == 1


def purge_expired(conn: Connection, *, now: datetime, limit: int = 1000) -> int:
    """Remove up to ``limit`` rows past ``expires_at``; how many went. PostgreSQL skips rows another
    transaction holds (a key being replaced), so concurrent purges never wait on each other."""
    chosen = select(keys.c.scope, keys.c.key_digest).where(keys.c.expires_at <= now).limit(limit)
    if conn.dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    statement = delete(keys).where(
        tuple_(keys.c.scope, keys.c.key_digest).in_(chosen), keys.c.expires_at <= now
    )
    return int(conn.execute(statement).rowcount)
