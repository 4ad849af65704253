"""The schema stays shardable by subject id (docs/scale.md): every table is distributed by the
subject id — which its primary key and each unique key then hold — or a small global reference
table, or on the pinned list of tables not shardable yet, each with its reason. Checked on the
declared tables and on a migrated PostgreSQL database, so neither a new table nor a migration can
break it unseen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, ForeignKey, Index, MetaData, String, Table, UniqueConstraint

from jikimi.store import sharding
from jikimi.store.engine import make_engine
from jikimi.store.schema import metadata

from ..databases import fresh_postgres

NOT_SHARDABLE_YET = {
    "access_log",
    "consents",
    "events",
    "idempotency_keys",
    "jikimi_keys.data_keys",
    "lookups",
    "outbox",
    "privacy_passes",
    "processing_stops",
    "provisions",
    "records",
    "separated_lookups",
    "separated_records",
    "web_sessions",
}
"""Pinned: a table joins this list only with a reason in ``jikimi.store.sharding`` and a change
here; a table made shardable must leave it (and this set) in the same change."""

CROSS_SHARD_REFERENCES = {"subjects.guardian_id"}
DISTRIBUTED = {"subjects", "item_values", "separated_values", "incident_subjects"}


@pytest.fixture
def migrated_postgres() -> Iterator[MetaData]:
    with fresh_postgres() as url:
        engine = make_engine(url)
        try:
            yield sharding.reflected(engine)
        finally:
            engine.dispose()


def test_the_declared_schema_is_shardable() -> None:
    assert [str(p) for p in sharding.problems(metadata)] == []


def test_a_migrated_postgresql_database_is_shardable(migrated_postgres: MetaData) -> None:
    assert [str(p) for p in sharding.problems(migrated_postgres)] == []
    names = {t.fullname for t in migrated_postgres.tables.values()}
    assert DISTRIBUTED | NOT_SHARDABLE_YET <= names  # the check saw the real tables, partitions aside


def test_the_tables_not_shardable_yet_are_pinned_and_each_says_why() -> None:
    assert set(sharding.NOT_SHARDABLE_YET) == NOT_SHARDABLE_YET
    assert set(sharding.CROSS_SHARD_REFERENCES) == CROSS_SHARD_REFERENCES
    assert set(sharding.DISTRIBUTED) == DISTRIBUTED
    for reasons in (sharding.NOT_SHARDABLE_YET, sharding.REFERENCE_TABLES, sharding.CROSS_SHARD_REFERENCES):
        assert all(len(why) > 20 for why in reasons.values())


def test_every_table_is_in_exactly_one_list() -> None:
    lists = [set(sharding.DISTRIBUTED), set(sharding.REFERENCE_TABLES), set(sharding.NOT_SHARDABLE_YET)]
    every = {t.fullname for t in metadata.tables.values()} | {sharding.MIGRATIONS_TABLE}
    assert set().union(*lists) == every
    assert sum(len(s) for s in lists) == len(every)


# -- the check catches what would break sharding -----------------------------------------------------


def schema_with(*extra: Table) -> MetaData:
    """The declared schema and ``extra`` tables (built on a copy of it)."""
    copy = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(copy)
    for table in extra:
        table.to_metadata(copy)
    return copy


def placement(**distributed: str) -> sharding.Placement:
    return sharding.Placement(distributed={**sharding.DISTRIBUTED, **distributed})


def findings(schema: MetaData, where: sharding.Placement = sharding.PLACEMENT) -> list[str]:
    return [str(p) for p in sharding.problems(schema, where)]


def test_a_new_table_in_no_list_is_found() -> None:
    new = Table("nicknames", MetaData(), Column("subject_id", String(32), primary_key=True))
    assert findings(schema_with(new)) == [
        "nicknames: table: in none of the lists: declare it in jikimi.store.sharding as DISTRIBUTED (by "
        "its subject id column), REFERENCE_TABLES or NOT_SHARDABLE_YET, with its reason"
    ]


def test_a_unique_key_without_the_subject_id_is_found() -> None:
    new = Table(
        "nicknames",
        MetaData(),
        Column("subject_id", String(32), primary_key=True),
        Column("nickname", String(32), nullable=False),
        UniqueConstraint("nickname", name="uq_nicknames_nickname"),
        Index("ix_nicknames_upper", "nickname", unique=True),
    )
    found = findings(schema_with(new), placement(nicknames="subject_id"))
    assert found == [
        "nicknames: unique constraint uq_nicknames_nickname (nickname): does not hold the subject id "
        "column subject_id: a shard could not check it alone",
        "nicknames: unique index ix_nicknames_upper (nickname): does not hold the subject id column "
        "subject_id: a shard could not check it alone",
    ]


def test_a_surrogate_primary_key_is_found() -> None:
    new = Table(
        "notes",
        MetaData(),
        Column("id", String(32), primary_key=True),
        Column("subject_id", String(32), nullable=False),
    )
    assert findings(schema_with(new), placement(notes="subject_id")) == [
        "notes: primary key (unnamed) (id): does not hold the subject id column subject_id: a shard "
        "could not check it alone"
    ]


def test_a_distribution_column_of_another_type_is_found() -> None:
    new = Table("notes", MetaData(), Column("subject_id", String(64), primary_key=True))
    assert findings(schema_with(new), placement(notes="subject_id")) == [
        "notes: column subject_id: is VARCHAR(64), not VARCHAR(32) as subjects.id: Citus co-locates "
        "only distribution columns of one type"
    ]


def test_a_foreign_key_between_shards_is_found() -> None:
    new = Table(
        "referrals",
        MetaData(),
        Column("subject_id", String(32), ForeignKey("subjects.id"), primary_key=True),
        Column("referred_by", String(32), ForeignKey("subjects.id", name="fk_referrals_by"), nullable=True),
    )
    assert findings(schema_with(new), placement(referrals="subject_id")) == [
        "referrals: foreign key fk_referrals_by (referred_by) -> subjects: a distributed table may refer "
        "only to a reference table, or to another distributed table from its subject id column to that "
        "table's (co-located)"
    ]


def test_a_reference_table_referring_to_a_distributed_one_is_found() -> None:
    where = sharding.Placement(reference={**sharding.REFERENCE_TABLES, "badges": "a few"})
    new = Table(
        "badges",
        MetaData(),
        Column("id", String(32), primary_key=True),
        Column("holder", String(32), ForeignKey("subjects.id", name="fk_badges_holder")),
    )
    assert findings(schema_with(new), where) == [
        "badges: foreign key fk_badges_holder (holder) -> subjects: a reference table may refer only to "
        "other reference tables"
    ]


def test_a_listed_table_or_reference_the_schema_lost_is_found() -> None:
    where = sharding.Placement(
        not_yet={**sharding.NOT_SHARDABLE_YET, "old_table": "gone since"},
        cross_shard={**sharding.CROSS_SHARD_REFERENCES, "subjects.referrer_id": "never was"},
    )
    assert findings(metadata, where) == [
        "old_table: table: listed in jikimi.store.sharding but not in the schema",
        "subjects: foreign key subjects.referrer_id: listed in CROSS_SHARD_REFERENCES but not in the "
        "schema: take it off the list",
    ]


def test_the_scale_doc_places_every_table_as_the_code_does() -> None:
    """docs/scale.md names every table of each list in that list's section."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "scale.md").read_text(encoding="utf-8")
    sections = {
        "distributed": text.split("### Distributed by subject id")[1].split("###")[0],
        "reference": text.split("### Reference tables")[1].split("###")[0],
        "not_yet": text.split("### Not shardable yet")[1],
    }
    for kind, listed in (
        ("distributed", sharding.DISTRIBUTED),
        ("reference", sharding.REFERENCE_TABLES),
        ("not_yet", sharding.NOT_SHARDABLE_YET),
    ):
        missing = [name for name in listed if f"`{name}`" not in sections[kind]]
        assert missing == [], f"docs/scale.md does not list {missing} under {kind}"
