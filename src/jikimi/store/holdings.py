"""What the separated store (분리보관) holds for one subject, as metadata: which items, record types
and look-ups, why (cause and retention rule), since and until when — never a value, ciphertext or
digest. ``store/separated.py`` moves rows in and out; this module only reads.

Reading the values themselves is ``jikimi.lifecycle.read_separated``: only for a reason the
retention rule allows, by a handler with the ``separated`` action, and logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from jikimi.clock import as_utc
from jikimi.states import Cause
from jikimi.store.tables import separated_lookups, separated_records, separated_values


@dataclass(frozen=True)
class SeparatedValue:
    """An item value held separated: which item, why, under which rule, until when."""

    item_id: str
    cause: Cause
    rule_id: str | None  # the retention rule keeping it (None: dormancy)
    start_at: datetime  # the event its period counts from
    expires_at: datetime | None  # None: dormant, or the rule's period is still a placeholder
    separated_at: datetime
    awaiting_rekey: bool  # still under the everyday key (re-sealed right after the withdrawal's commit)


@dataclass(frozen=True)
class SeparatedRecords:
    """The records of one type held separated for one cause and rule: how many, and their expiries
    (grouped, so that no single transaction's time shows)."""

    type: str
    cause: Cause
    rule_id: str | None
    count: int
    first_expires_at: datetime | None
    last_expires_at: datetime | None


@dataclass(frozen=True)
class SeparatedLookup:
    """A look-up kept separated (a duplicate sign-up check): the item, its rule and expiry."""

    item_id: str
    rule_id: str | None
    expires_at: datetime | None


@dataclass(frozen=True)
class SeparatedHolding:
    """What the separated store holds for one subject (``Jikimi.separated``): metadata only."""

    subject_id: str
    values: tuple[SeparatedValue, ...]
    records: tuple[SeparatedRecords, ...]
    lookups: tuple[SeparatedLookup, ...]

    @property
    def empty(self) -> bool:
        """Nothing of the subject is held separated."""
        return not (self.values or self.records or self.lookups)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def holding(conn: Connection, subject_id: str) -> SeparatedHolding:
    """The subject's separated values, record groups and look-ups, in id order."""
    values = tuple(
        SeparatedValue(
            item_id=r.item_id,
            cause=Cause(r.cause),
            rule_id=r.rule_id,
            start_at=as_utc(r.start_at),
            expires_at=_utc(r.expires_at),
            separated_at=as_utc(r.separated_at),
            awaiting_rekey=r.cause == Cause.WITHDRAWAL and r.key_id == subject_id,
        )
        for r in conn.execute(
            select(
                separated_values.c.item_id,
                separated_values.c.cause,
                separated_values.c.rule_id,
                separated_values.c.start_at,
                separated_values.c.expires_at,
                separated_values.c.separated_at,
                separated_values.c.key_id,
            )
            .where(separated_values.c.subject_id == subject_id)
            .order_by(separated_values.c.item_id)
        )
    )
    group = (separated_records.c.type, separated_records.c.cause, separated_records.c.rule_id)
    records = tuple(
        SeparatedRecords(
            type=r.type,
            cause=Cause(r.cause),
            rule_id=r.rule_id,
            count=int(r.n),
            first_expires_at=_utc(r.first),
            last_expires_at=_utc(r.last),
        )
        for r in conn.execute(
            select(
                *group,
                func.count().label("n"),
                func.min(separated_records.c.expires_at).label("first"),
                func.max(separated_records.c.expires_at).label("last"),
            )
            .where(separated_records.c.subject_id == subject_id)
            .group_by(*group)
            .order_by(*group)
        )
    )
    lookups = tuple(
        SeparatedLookup(item_id=r.item_id, rule_id=r.rule_id, expires_at=_utc(r.expires_at))
        for r in conn.execute(
            select(separated_lookups.c.item_id, separated_lookups.c.rule_id, separated_lookups.c.expires_at)
            .where(separated_lookups.c.subject_id == subject_id)
            .order_by(separated_lookups.c.item_id, separated_lookups.c.expires_at)
        )
    )
    return SeparatedHolding(subject_id=subject_id, values=values, records=records, lookups=lookups)
