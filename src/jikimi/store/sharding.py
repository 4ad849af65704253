"""Where every table goes when PostgreSQL is sharded by subject id (Citus; docs/scale.md), and the
check that the schema still allows it.

Each table is in exactly one of three lists:

- ``DISTRIBUTED``: hash-distributed by the column holding the subject id; its primary key and every
  unique constraint and unique index hold that column (a shard can then check them alone), the
  column has the type of ``subjects.id`` (Citus co-locates only columns of one type), and a
  foreign key to another distributed table goes from that column to the other's (co-located);
- ``REFERENCE_TABLES``: small and global, copied to every node; a foreign key from one goes only to
  another reference table (Citus refuses one to a distributed table);
- ``NOT_SHARDABLE_YET``: tables whose keys do not hold the subject id today, each with what blocks
  it and the change it needs. ``tests/store/test_shardable.py`` pins this list, so a new table
  cannot join it unseen, and a table fixed must move out of it.

``CROSS_SHARD_REFERENCES`` names the foreign keys between distributed tables that are not
co-located and must go before the table is distributed (``"table.column"``: why, and what instead);
one listed that the schema no longer has is a problem too, so the list cannot go stale.

``problems(metadata)`` checks the declared tables (``store.schema.metadata``) or a migrated database
reflected into a ``MetaData``; the access log's month partitions are checked as their parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine, ForeignKeyConstraint, MetaData, Table, UniqueConstraint

from jikimi.store.partitions import is_partition_name
from jikimi.store.tables import KEYS_SCHEMA

MIGRATIONS_TABLE = "alembic_version"
"""Alembic's own table: in a migrated database only, never declared."""

DISTRIBUTED: Mapping[str, str] = {
    "subjects": "id",
    "item_values": "subject_id",
    "separated_values": "subject_id",
    "incident_subjects": "subject_id",
}
"""Table → the column holding the subject id it is distributed by."""

REFERENCE_TABLES: Mapping[str, str] = {
    "roles": "the roles' definitions: a handful of rows, read by every authenticated request",
    "handlers": "the staff accounts (개인정보취급자): hundreds of rows, read by every authenticated request",
    "handler_factors": "one TOTP secret per handler, beside the handlers",
    "handler_rights_log": "changes to handlers' rights (권한 부여·변경·말소 기록): no subject, a few a month",
    "login_sources": "failed logins by client address: no subject; blocked on one node, blocked on all",
    f"{KEYS_SCHEMA}.key_material": "one row: the blind index's key, read by every process",
    "destruction_ledger": "no subject id: counts per sweep batch and class, read by the monthly sign-off",
    "ledger_signoffs": "the destruction ledger's monthly sign-off: one row a month",
    "justifications": "소명 requests to handlers after a log review: no subject, a few a month",
    "rights_requests": "a few a day, kept after the subject is gone (no FK), listed by deadline",
    "rights_events": "the history of a rights request (FK to rights_requests)",
    "verification_codes": "a rights request's identity code (FK to rights_requests)",
    "package_links": "an access package's link (FK to rights_requests)",
    "processor_registry": "the policy's processors (수탁자): tens of rows",
    "exports": "one row per statistics export: no subject",
    "postings": "notices posted on the website: no subject, a few a year",
    "incidents": "breach incidents: a few; incident_subjects (distributed) refers to them",
    "complaints": "a few a day, kept after the subject is gone (no FK), answered from the officer's desk",
    MIGRATIONS_TABLE: "Alembic's schema revision: one row",
}
"""Table → why it is small and global."""

NOT_SHARDABLE_YET: Mapping[str, str] = {
    "consents": "primary key is a surrogate id; needs (subject_id, id) on PostgreSQL (SQLite keeps its "
    "rowid key: keys may differ by dialect, as access_log's do)",
    "processing_stops": "primary key is a surrogate id; needs (subject_id, id) on PostgreSQL, as consents",
    "records": "primary key is the record id; needs (subject_id, id) (ids are random; nothing looks a "
    "record up by its id alone)",
    "separated_records": "primary key is the record id; needs (subject_id, id), as records",
    "lookups": "the blind index is found by (item, digest), unique across all subjects; needs to be "
    "distributed by digest without its foreign key to subjects, a sign-up then writing two shards",
    "separated_lookups": "found by (item, digest) like lookups; the same change",
    "provisions": "the provision ledger's primary key is a surrogate id; needs (subject_id, id)",
    "outbox": "primary key is a surrogate id and dedupe_key is unique on its own, and a message to the "
    "service or a third party has no subject; needs subject messages keyed (subject_id, id) with the "
    "dedupe key unique per subject, the others in a table of their own",
    "events": "position is one order across all subjects, given under one advisory lock "
    "(store/events.py::sequence): the service's pull contract; needs a position per shard or a "
    "sequencer on the coordinator",
    f"{KEYS_SCHEMA}.data_keys": "keyed by the key's id, which is the subject id only for a subject's "
    "everyday key: a retention group's key is '<subject>~<rule hash>' (it would hash to another shard "
    "than its subject) and a rights request's or complaint's key 'rq~<id>' / 'cp~<id>' has no subject; "
    "needs an owner column (the subject id; none for rq~/cp~ keys, which move beside their reference "
    "tables) and the primary key (owner, key id)",
    "access_log": "chained per process, not per subject: (chain, chain_seq[, at]) is unique, the primary "
    "key is seq (PostgreSQL: seq, at), and admin rows have no subject; needs distribution by chain, "
    "each process keeping a chain per shard whose id hashes to that shard (docs/scale.md)",
    "idempotency_keys": "keyed by the calling handler (scope, key digest), not by subject; can be "
    "distributed by its own key (never joined), which this check does not describe yet",
    "web_sessions": "found by the cookie's digest before anyone knows whose session it is; can be "
    "distributed by digest (never joined), which this check does not describe yet",
    "privacy_passes": "found by the link's or code's digest before anyone knows whose pass it is; as "
    "web_sessions",
}
"""Table → what keeps it from being distributed by subject id today, and the change it needs."""

CROSS_SHARD_REFERENCES: Mapping[str, str] = {
    "subjects.guardian_id": "a child's guardian is another subject, on another shard; the FK (ON DELETE "
    "SET NULL) must become the destroying code's own update before subjects is distributed",
}


@dataclass(frozen=True)
class Placement:
    """The three lists and the allowed cross-shard references (``PLACEMENT``: this schema's)."""

    distributed: Mapping[str, str] = field(default_factory=lambda: dict(DISTRIBUTED))
    reference: Mapping[str, str] = field(default_factory=lambda: dict(REFERENCE_TABLES))
    not_yet: Mapping[str, str] = field(default_factory=lambda: dict(NOT_SHARDABLE_YET))
    cross_shard: Mapping[str, str] = field(default_factory=lambda: dict(CROSS_SHARD_REFERENCES))

    def kind(self, table: str) -> str | None:
        kinds = [
            name
            for name, listed in (
                ("distributed", self.distributed),
                ("reference", self.reference),
                ("not_yet", self.not_yet),
            )
            if table in listed
        ]
        return kinds[0] if len(kinds) == 1 else None


PLACEMENT = Placement()


@dataclass(frozen=True)
class Problem:
    """One way a table breaks its placement: the table, the constraint (or ``table``) and why."""

    table: str
    constraint: str
    message: str

    def __str__(self) -> str:
        return f"{self.table}: {self.constraint}: {self.message}"


def _columns(constraint: object) -> list[str]:
    return [c.name for c in getattr(constraint, "columns", ())]


def _described(kind: str, name: object, columns: list[str]) -> str:
    return f"{kind} {name if isinstance(name, str) else '(unnamed)'} ({', '.join(columns)})"


def _type(table: Table, column: str) -> str:
    """The column's type in SQL (declared ``String(32)`` and reflected ``VARCHAR(32)`` alike)."""
    return table.c[column].type.compile()


def problems(metadata: MetaData, placement: Placement = PLACEMENT) -> list[Problem]:
    """Every way the tables in ``metadata`` break ``placement`` (empty: the schema shards)."""
    tables = {t.fullname: t for t in metadata.tables.values() if not is_partition_name(t.name)}
    found: list[Problem] = []
    listed = {*placement.distributed, *placement.reference, *placement.not_yet}
    for name in sorted(listed - set(tables) - {MIGRATIONS_TABLE}):
        found.append(Problem(name, "table", "listed in jikimi.store.sharding but not in the schema"))
    for name, table in sorted(tables.items()):
        kind = placement.kind(name)
        if kind is None:
            where = "in more than one list" if name in listed else "in none of the lists"
            found.append(
                Problem(
                    name,
                    "table",
                    f"{where}: declare it in jikimi.store.sharding as DISTRIBUTED (by its subject id "
                    "column), REFERENCE_TABLES or NOT_SHARDABLE_YET, with its reason",
                )
            )
        elif kind == "distributed":
            found += _distributed(table, placement.distributed[name], placement, tables)
        elif kind == "reference":
            found += _reference(table, placement)
    found += _stale_cross_shard(tables, placement)
    return found


def _distributed(
    table: Table, column: str, placement: Placement, tables: Mapping[str, Table]
) -> list[Problem]:
    name = table.fullname
    if column not in table.c:
        return [Problem(name, "table", f"has no column {column} to be distributed by")]
    out: list[Problem] = []
    subjects = tables.get("subjects")
    if subjects is not None and "id" in subjects.c and _type(table, column) != _type(subjects, "id"):
        out.append(
            Problem(
                name,
                f"column {column}",
                f"is {_type(table, column)}, not {_type(subjects, 'id')} as subjects.id: "
                "Citus co-locates only distribution columns of one type",
            )
        )
    keys: list[tuple[str, object, list[str]]] = [
        ("primary key", table.primary_key.name, _columns(table.primary_key))
    ]
    keys += [
        ("unique constraint", c.name, _columns(c))
        for c in table.constraints
        if isinstance(c, UniqueConstraint)
    ]
    keys += [("unique index", i.name, _columns(i)) for i in table.indexes if i.unique]
    for kind, key_name, columns in keys:
        if column not in columns:
            out.append(
                Problem(
                    name,
                    _described(kind, key_name, columns),
                    f"does not hold the subject id column {column}: a shard could not check it alone",
                )
            )
    for fk in table.constraints:
        if not isinstance(fk, ForeignKeyConstraint):
            continue
        target = fk.referred_table.fullname
        local = [c.name for c in fk.columns]
        remote = [e.column.name for e in fk.elements]
        if _reference_name(table, local) in placement.cross_shard or placement.kind(target) == "reference":
            continue
        if placement.kind(target) == "distributed" and local == [column]:
            if remote == [placement.distributed[target]]:
                continue
        out.append(
            Problem(
                name,
                _described("foreign key", fk.name, local) + f" -> {target}",
                "a distributed table may refer only to a reference table, or to another distributed "
                "table from its subject id column to that table's (co-located)",
            )
        )
    return out


def _reference_name(table: Table, local: list[str]) -> str | None:
    """``table.column`` of a one-column foreign key (the key of ``CROSS_SHARD_REFERENCES``)."""
    return f"{table.fullname}.{local[0]}" if len(local) == 1 else None


def _stale_cross_shard(tables: Mapping[str, Table], placement: Placement) -> list[Problem]:
    """Cross-shard references listed that the schema no longer has: the allowance must go with them."""
    present = {
        _reference_name(table, [c.name for c in fk.columns])
        for table in tables.values()
        for fk in table.constraints
        if isinstance(fk, ForeignKeyConstraint)
    }
    return [
        Problem(
            reference.rsplit(".", 1)[0],
            f"foreign key {reference}",
            "listed in CROSS_SHARD_REFERENCES but not in the schema: take it off the list",
        )
        for reference in sorted(set(placement.cross_shard) - present)
    ]


def _reference(table: Table, placement: Placement) -> list[Problem]:
    out: list[Problem] = []
    for fk in table.constraints:
        if isinstance(fk, ForeignKeyConstraint) and placement.kind(fk.referred_table.fullname) != "reference":
            out.append(
                Problem(
                    table.fullname,
                    _described("foreign key", fk.name, [c.name for c in fk.columns])
                    + f" -> {fk.referred_table.fullname}",
                    "a reference table may refer only to other reference tables",
                )
            )
    return out


def reflected(engine: Engine) -> MetaData:
    """The tables of a migrated database (both schemas), as a ``MetaData`` for ``problems``."""
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.reflect(engine, schema=KEYS_SCHEMA)
    return metadata
