"""What a decision needs to know about a subject (never its values), gathered in one place.

``Facts`` is the one shape: status, child flag, the state of one consent (for a purpose or a
recipient), the requested items on correction hold, and whether a processing stop is in force.
Two ways to gather it: ``read_state`` for one subject (the gated read's single query, which also
brings the sealed values and the wrapped key) and ``many`` for a batch (provision to a third party).

The gated read's single query: everything the gate needs and the sealed values, in one round trip.

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
from enum import IntEnum
from functools import cache
from typing import Any

from sqlalchemy import Connection, Exists, Select, and_, bindparam, case, exists, func, select

from jikimi.states import SubjectStatus
from jikimi.store import consents as consent_rows
from jikimi.store import subjects as subject_rows
from jikimi.store.bulk import driver_cursor, driver_errors
from jikimi.store.tables import consents, data_keys, item_values, processing_stops, subjects

IN_CHUNK = 500


class Consent(IntEnum):
    """The state of one consent: ``LIVE`` (given, not withdrawn), else ``WITHDRAWN`` (one was
    withdrawn), else ``NONE`` (never given, or refused)."""

    NONE = 0
    WITHDRAWN = 1
    LIVE = 2


@dataclass(frozen=True, slots=True)
class Facts:
    status: SubjectStatus
    is_child: bool
    consent: Consent
    held: frozenset[str]
    """Requested items on correction hold."""
    stopped: bool
    """A processing stop (처리정지) is in force for the purpose or recipient."""


@dataclass(frozen=True, slots=True)
class ReadState:
    facts: Facts
    wrapped_key: bytes | None
    master_key_id: str | None
    ciphertexts: dict[str, bytes]


def consent_state(subject_id: object, purpose_id: object) -> object:
    """A scalar subquery: the ``Consent`` state (as its number) of a subject's consent for a purpose."""
    code = case(
        (and_(consents.c.granted.is_(True), consents.c.withdrawn_at.is_(None)), int(Consent.LIVE)),
        (consents.c.withdrawn_at.is_not(None), int(Consent.WITHDRAWN)),
        else_=int(Consent.NONE),
    )
    return (
        select(func.coalesce(func.max(code), int(Consent.NONE)))
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
def statement() -> Select[Any, Any, Any, bool, Any, Any, Any, Any, Any]:
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
        compiled = statement().compile(dialect=dialect)
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
    return state_of(rows)


def state_of(rows: Sequence[Sequence[Any]]) -> ReadState | None:
    """The ``ReadState`` of the gated read's rows (the columns of ``statement()``, in its order)."""
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
    facts = Facts(
        SubjectStatus(status), bool(is_child), Consent(int(consent or 0)), frozenset(held), bool(stopped)
    )
    return ReadState(facts, bytes(wrapped) if wrapped is not None else None, master_key_id, ciphertexts)


def many(
    conn: Connection,
    subject_ids: Sequence[str],
    items: Sequence[str],
    *,
    third_party: str,
    stops: Sequence[str],
) -> dict[str, Facts]:
    """The facts of many subjects for a provision to ``third_party``: their consent to it, the
    requested items on hold, and stops under any of the purpose ids ``stops``. Unknown ids are left out."""
    states = subject_rows.states(conn, subject_ids)
    consent = consent_rows.third_party_states(conn, subject_ids, third_party)
    held: dict[str, set[str]] = {}
    stopped: set[str] = set()
    for start in range(0, len(subject_ids), IN_CHUNK):
        chunk = list(subject_ids[start : start + IN_CHUNK])
        for value in conn.execute(
            select(item_values.c.subject_id, item_values.c.item_id).where(
                item_values.c.subject_id.in_(chunk),
                item_values.c.item_id.in_(list(items)),
                item_values.c.hold.is_(True),
            )
        ):
            held.setdefault(value.subject_id, set()).add(value.item_id)
        for stop in conn.execute(
            select(processing_stops.c.subject_id).where(
                processing_stops.c.subject_id.in_(chunk),
                processing_stops.c.purpose_id.in_(list(stops)),
                processing_stops.c.lifted_at.is_(None),
            )
        ):
            stopped.add(stop.subject_id)
    states_of = {"live": Consent.LIVE, "withdrawn": Consent.WITHDRAWN}
    return {
        sid: Facts(
            SubjectStatus(status),
            is_child,
            states_of.get(consent.get(sid, ""), Consent.NONE),
            frozenset(held.get(sid, ())),
            sid in stopped,
        )
        for sid, (status, is_child) in states.items()
    }
