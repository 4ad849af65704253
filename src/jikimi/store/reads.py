"""The gated read's single query: everything the gate needs and the sealed values, in one round trip.

For one subject, one purpose and a list of items, one SELECT returns the subject's status and
child flag, the state of its consent for the purpose, the requested items' ciphertexts and
correction holds, and the subject's wrapped data key (a join into ``jikimi_keys``: an attached
file on SQLite, a schema on PostgreSQL — the same connection either way). The vault decides with
``gate.decide_read`` on these facts, logs, commits, and only then unwraps the key and decrypts.

The statement is built once with bind parameters, so each read only binds values and reuses
SQLAlchemy's compiled form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Exists, Select, and_, bindparam, case, exists, func, select

from jikimi.store.bulk import driver_cursor, driver_errors
from jikimi.store.tables import consents, data_keys, item_values, processing_stops, subjects

CONSENT_NONE, CONSENT_WITHDRAWN, CONSENT_LIVE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ReadState:
    status: str
    is_child: bool
    consent: int
    """``CONSENT_LIVE`` if a consent for the purpose is given and not withdrawn, else
    ``CONSENT_WITHDRAWN`` if one was withdrawn, else ``CONSENT_NONE``."""
    held: frozenset[str]
    """Requested items on correction hold."""
    stopped: bool
    """A processing stop (처리정지) is in force for the purpose."""
    wrapped_key: bytes | None
    master_key_id: str | None
    ciphertexts: dict[str, bytes]


def consent_state(subject_id: object, purpose_id: object) -> object:
    """A scalar subquery: the ``CONSENT_*`` state of a subject's consent for a purpose."""
    code = case(
        (and_(consents.c.granted.is_(True), consents.c.withdrawn_at.is_(None)), CONSENT_LIVE),
        (consents.c.withdrawn_at.is_not(None), CONSENT_WITHDRAWN),
        else_=CONSENT_NONE,
    )
    return (
        select(func.coalesce(func.max(code), CONSENT_NONE))
        .where(
            consents.c.subject_id == subject_id,
            consents.c.target_kind == "purpose",
            consents.c.target_id == purpose_id,
        )
        .scalar_subquery()
    )


def stop_in_force(subject_id: Any, purpose_id: Any) -> Exists:
    """A boolean subquery: a processing stop (처리정지) not yet lifted holds for the subject's purpose."""
    return exists().where(
        processing_stops.c.subject_id == subject_id,
        processing_stops.c.purpose_id == purpose_id,
        processing_stops.c.lifted_at.is_(None),
    )


@cache
def _statement() -> Select[Any, Any, Any, bool, Any, Any, Any, Any, Any]:
    return (
        select(
            subjects.c.status,
            subjects.c.is_child,
            consent_state(subjects.c.id, bindparam("purpose")).label("consent"),  # type: ignore[attr-defined]
            stop_in_force(subjects.c.id, bindparam("purpose")).label("stopped"),
            data_keys.c.wrapped,
            data_keys.c.master_key_id,
            item_values.c.item_id,
            item_values.c.ciphertext,
            item_values.c.hold,
        )
        .select_from(subjects)
        .outerjoin(data_keys, data_keys.c.subject_id == subjects.c.id)
        .outerjoin(
            item_values,
            and_(
                item_values.c.subject_id == subjects.c.id,
                item_values.c.item_id.in_(bindparam("items", expanding=True)),
            ),
        )
        .where(subjects.c.id == bindparam("subject_id"))
    )


@dataclass(frozen=True, slots=True)
class _Prepared:
    sql: str
    positional: tuple[str, ...] | None
    params: dict[str, object]


_prepared: dict[tuple[str, int], _Prepared] = {}


def _prepare(conn: Connection, count: int) -> _Prepared:
    """The statement rendered for this dialect and ``count`` items: SQL text plus parameter order."""
    dialect = conn.dialect
    key = (dialect.name, count)
    hit = _prepared.get(key)
    if hit is None:
        compiled = _statement().compile(dialect=dialect)
        if compiled._bind_processors:  # every parameter here is a plain string or integer
            raise RuntimeError(f"unexpected bind processors {sorted(compiled._bind_processors)}")
        state = compiled.construct_expanded_state({"subject_id": "", "purpose": "", "items": [""] * count})
        positional = tuple(state.positiontup) if state.positiontup else None
        hit = _prepared[key] = _Prepared(state.statement, positional, dict(state.parameters))
    return hit


def read_state(conn: Connection, subject_id: str, items: Sequence[str], purpose_id: str) -> ReadState | None:
    """The facts and sealed values for a gated read, or None when there is no such subject."""
    prepared = _prepare(conn, len(items))
    params = dict(prepared.params)
    params["subject_id"] = subject_id
    params["purpose"] = purpose_id
    for n, item_id in enumerate(items, start=1):
        params[f"items_{n}"] = item_id
    bound: Any = tuple(params[name] for name in prepared.positional) if prepared.positional else params
    cursor = driver_cursor(conn)
    try:
        with driver_errors(conn, prepared.sql):
            cursor.execute(prepared.sql, bound)
            rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return None
    status, is_child, consent, stopped, wrapped, master_key_id = rows[0][:6]
    ciphertexts: dict[str, bytes] = {}
    held: set[str] = set()
    for row in rows:
        item_id = row[6]
        if item_id is not None:
            ciphertexts[item_id] = bytes(row[7])
            if row[8]:
                held.add(item_id)
    return ReadState(
        status,
        bool(is_child),
        int(consent or 0),
        frozenset(held),
        bool(stopped),
        bytes(wrapped) if wrapped is not None else None,
        master_key_id,
        ciphertexts,
    )
