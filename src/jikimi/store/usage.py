"""Queries behind the yearly usage-and-provision notice (이용·제공 내역 통지, PIPA 20-2): the
subjects in pages by id, and for a page at once — one query each, over the id range of the page —
which items and record types they hold and what was provided about them in a period.

Nothing here reads a value: item ids, record types, recipient ids, dates.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, select

from jikimi.clock import as_utc
from jikimi.states import SubjectStatus
from jikimi.store.tables import consents, item_values, provisions, records, subjects


@dataclass
class Given:
    """What one recipient was given about one subject in the period."""

    items: set[str] = field(default_factory=set)
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None


def page(conn: Connection, *, after: str | None, limit: int) -> list[str]:
    """The next ``limit`` subjects after ``after`` (by id) who have not withdrawn."""
    query = select(subjects.c.id).where(subjects.c.status != SubjectStatus.WITHDRAWN.value)
    if after is not None:
        query = query.where(subjects.c.id > after)
    return list(conn.execute(query.order_by(subjects.c.id).limit(limit)).scalars())


def _within(column: ColumnElement[str], after: str | None, last: str) -> ColumnElement[bool]:
    return and_(column <= last, column > after) if after is not None else column <= last


def held(conn: Connection, *, after: str | None, last: str) -> dict[str, set[str]]:
    """Subject → the item ids and record types it holds (active data), for subjects in ``(after, last]``."""
    out: dict[str, set[str]] = defaultdict(set)
    values = select(item_values.c.subject_id, item_values.c.item_id).where(
        _within(item_values.c.subject_id, after, last)
    )
    kinds = (
        select(records.c.subject_id, records.c.type)
        .where(_within(records.c.subject_id, after, last))
        .distinct()
    )
    for query in (values, kinds):
        for subject_id, ref in conn.execute(query):
            out[subject_id].add(ref)
    return out


def consented(conn: Connection, *, after: str | None, last: str) -> dict[str, set[str]]:
    """Subject → the purposes it has a live consent to (given, not withdrawn), for ``(after, last]``."""
    query = select(consents.c.subject_id, consents.c.target_id).where(
        _within(consents.c.subject_id, after, last),
        consents.c.target_kind == "purpose",
        consents.c.granted.is_(True),
        consents.c.withdrawn_at.is_(None),
    )
    out: dict[str, set[str]] = defaultdict(set)
    for subject_id, purpose_id in conn.execute(query):
        out[subject_id].add(purpose_id)
    return out


def provided(
    conn: Connection, *, after: str | None, last: str, since: datetime, until: datetime
) -> dict[str, dict[str, Given]]:
    """Subject → recipient → what it was given on consent in ``[since, until)``, for subjects in
    ``(after, last]``. Provisions on a legal basis (a warrant…) are left out: the decree does not
    ask them to be told (시행령 15-3)."""
    query = select(
        provisions.c.subject_id, provisions.c.third_party_id, provisions.c["items"], provisions.c.at
    ).where(
        _within(provisions.c.subject_id, after, last),
        provisions.c.at >= since,
        provisions.c.at < until,
        provisions.c.basis == "consent",
    )
    out: dict[str, dict[str, Given]] = defaultdict(lambda: defaultdict(Given))
    for subject_id, third_party_id, items, at in conn.execute(query):
        given = out[subject_id][third_party_id]
        moment = as_utc(at)
        given.items |= set(json.loads(items))
        given.count += 1
        given.first_at = moment if given.first_at is None else min(given.first_at, moment)
        given.last_at = moment if given.last_at is None else max(given.last_at, moment)
    return out
