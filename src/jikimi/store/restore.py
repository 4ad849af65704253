"""What a restored backup brought back that had been destroyed: found by the tombstones' key ids
(``jikimi.tombstones``) and destroyed again (``lifecycle.restore``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, exists, not_, select, update

from jikimi.store.hints import among
from jikimi.store.tables import (
    data_keys,
    item_values,
    lookups,
    records,
    separated_lookups,
    separated_records,
    separated_values,
    subjects,
)

CHUNK = 500


@dataclass
class Redestroyed:
    """What one pass destroyed again: keys, sealed rows (values, records, look-ups) and subjects."""

    keys: int = 0
    rows: int = 0
    subjects: int = 0


def present(conn: Connection, key_ids: Sequence[str]) -> list[str]:
    """The tombstoned key ids that exist in the key table (one primary-key look-up per id)."""
    found: list[str] = []
    for start in range(0, len(key_ids), CHUNK):
        chunk = list(key_ids[start : start + CHUNK])
        found += [
            r[0]
            for r in conn.execute(select(data_keys.c.subject_id).where(among(data_keys.c.subject_id, chunk)))
        ]
    return found


def redestroy(conn: Connection, key_ids: Sequence[str]) -> Redestroyed:
    """Destroy again the keys ``key_ids`` and what they sealed.

    A retention group's key (``<subject>~<hex>``) seals kept rows (separated values and records):
    they go. A subject's everyday key (its bare id) seals its active values, records and look-ups:
    they go, and the subject's row with them unless rows of a live retention group still keep it
    (a backup taken after the withdrawal, before the retention period ended)."""
    done = Redestroyed()
    ids = list(key_ids)
    if not ids:
        return done
    done.keys = conn.execute(delete(data_keys).where(among(data_keys.c.subject_id, ids))).rowcount or 0
    for table in (separated_values, separated_records):
        done.rows += conn.execute(delete(table).where(among(table.c.key_id, ids))).rowcount or 0
    everyday = [key_id for key_id in ids if "~" not in key_id]
    if not everyday:
        return done
    for table in (item_values, records, lookups):
        done.rows += conn.execute(delete(table).where(among(table.c.subject_id, everyday))).rowcount or 0
    kept = (
        exists().where(separated_values.c.subject_id == subjects.c.id),
        exists().where(separated_records.c.subject_id == subjects.c.id),
        exists().where(separated_lookups.c.subject_id == subjects.c.id),
    )
    gone = [
        r[0]
        for r in conn.execute(
            select(subjects.c.id).where(among(subjects.c.id, everyday), *(not_(k) for k in kept))
        )
    ]
    if gone:
        conn.execute(update(subjects).where(among(subjects.c.guardian_id, gone)).values(guardian_id=None))
        done.subjects = conn.execute(delete(subjects).where(among(subjects.c.id, gone))).rowcount or 0
    return done
