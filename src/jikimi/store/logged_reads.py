"""PostgreSQL: the gated read and its access-log row in one statement, one round trip.

A read needs the subject's facts before the gate can decide, and its log row needs the decision —
three round trips at least (the query, the row, the commit) and four with ``BEGIN``. But the facts
of almost every read are the same few: an active subject, no item on hold, no processing stop.
The vault decides *before* reading, for those facts, and builds that decision's log row (chained and
keyed as always, ``audit.log``). This statement then reads what ``facts.read_state`` reads and, in
the same snapshot, inserts the row only if the subject's facts are indeed ones that decide the same
(``accepted``: the child flag and consent states the gate was asked about). Sent in autocommit, the
statement is its own transaction: the values and their log row are read and written atomically,
and nothing is committed when the facts are not as assumed — the vault then reads again the way
it always did, deciding on what it finds (``vault.reads``).

The gate stays the only place reads are decided: this SQL compares facts with facts the gate was
shown, never a rule. Built once per shape (item count, accepted facts) and prepared by the driver —
on connections of a pool of its own (``statement_engine``): psycopg forgets every prepared statement
of a connection, and deallocates them on the server (a round trip), at each ``ROLLBACK``, which
every read-only use of a pooled connection ends with; a connection in autocommit never rolls back,
so the read's statement stays prepared.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    and_,
    bindparam,
    event,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
)

from jikimi.states import SubjectStatus
from jikimi.store.access_log import COLUMNS
from jikimi.store.bulk import driver_cursor, driver_errors
from jikimi.store.engine import make_engine
from jikimi.store.facts import ReadState, consent_state, state_of, statement, stop_in_force
from jikimi.store.tables import access_log, item_values, subjects

Accepted = frozenset[tuple[bool, int]]
"""``(is_child, consent state)`` pairs of an active subject, with nothing held or stopped, for which
the gate decides as it was asked."""


_siblings: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_siblings_lock = threading.Lock()


def statement_engine(engine: Engine) -> Engine:
    """A pool of autocommit connections to ``engine``'s database for this statement (made once,
    disposed with ``engine``)."""
    with _siblings_lock:
        sibling = _siblings.get(engine)
        if sibling is None:
            url = engine.url.render_as_string(hide_password=False)
            made = _siblings[engine] = make_engine(url, isolation_level="AUTOCOMMIT")
            event.listen(engine, "engine_disposed", lambda _engine: made.dispose())
            sibling = made
        return sibling


@cache
def _compiled_sql(
    dialect: Dialect, count: int, accepted: Accepted
) -> tuple[str, dict[str, object], dict[str, Callable[[Any], Any]]]:
    """The statement's SQL for ``count`` items, its parameters (psycopg's named style; the constants
    SQLAlchemy bound already filled in) and the bind processors of those that have one (the log
    row's MACs, as SQLAlchemy would bind them)."""
    purpose: Any = bindparam("purpose")
    held = exists().where(
        item_values.c.subject_id == subjects.c.id,
        item_values.c.item_id.in_(bindparam("items", expanding=True)),
        item_values.c.hold.is_(True),
    )
    consent: Any = consent_state(subjects.c.id, purpose)
    by_child: dict[bool, list[int]] = {}
    for child, code in sorted(accepted):
        by_child.setdefault(child, []).append(code)
    as_assumed = (
        select(literal(1))
        .where(
            subjects.c.id == bindparam("subject_id"),
            subjects.c.status == SubjectStatus.ACTIVE.value,
            not_(stop_in_force(subjects.c.id, purpose)),
            not_(held),
            or_(
                *(
                    and_(subjects.c.is_child.is_(child), consent.in_(codes))
                    for child, codes in by_child.items()
                )
            ),
        )
        .exists()
    )
    row = select(*(bindparam(f"log_{name}", type_=access_log.c[name].type) for name in COLUMNS)).where(
        as_assumed
    )
    logged = insert(access_log).from_select(list(COLUMNS), row).returning(access_log.c.seq).cte("logged")
    query = statement().add_columns(
        select(func.count()).select_from(logged).scalar_subquery().label("logged")
    )
    compiled = query.compile(dialect=dialect)
    processors: dict[str, Callable[[Any], Any]] = {
        name: process for name, process in compiled._bind_processors.items() if callable(process)
    }
    shape = {"subject_id": "", "purpose": "", "items": [""] * count, **{f"log_{c}": None for c in COLUMNS}}
    expanded = compiled.construct_expanded_state(shape)
    return expanded.statement, dict(expanded.parameters), processors


@dataclass(frozen=True, slots=True)
class Logged:
    """What the statement found (``state``: None, no such subject) and whether it wrote the row."""

    state: ReadState | None
    logged: bool


def read_and_log(
    conn: Connection,
    subject_id: str,
    items: Sequence[str],
    purpose_id: str,
    *,
    row: Sequence[object],
    accepted: Accepted,
) -> Logged:
    """Read as ``facts.read_state`` does and insert the access-log ``row`` (in the order of
    ``access_log.COLUMNS``) if the subject's facts are ``accepted`` ones — one statement. On a
    connection in autocommit it is its own transaction."""
    sql, shape, processors = _compiled_sql(conn.dialect, len(items), accepted)
    values = dict(shape)
    values["subject_id"], values["purpose"] = subject_id, purpose_id
    values.update({f"items_{n}": item_id for n, item_id in enumerate(items, start=1)})
    values.update({f"log_{name}": value for name, value in zip(COLUMNS, row, strict=True)})
    for name, process in processors.items():
        values[name] = process(values[name])
    cursor = driver_cursor(conn)
    try:
        with driver_errors(conn, sql):
            cursor.execute(sql, values)
            rows = cursor.fetchall()
    finally:
        cursor.close()
    return Logged(state_of([r[:-1] for r in rows]), bool(rows) and bool(rows[0][-1]))
