"""The Alembic migrations build exactly the tables the code declares, on both databases (the access
log's month partitions on PostgreSQL are made at run time, and not compared)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from jikimi.store.migrate import comparison_options
from jikimi.store.schema import metadata


def test_the_migrated_schema_matches_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        options = {"include_schemas": True, **comparison_options(conn.dialect.name)}
        context = MigrationContext.configure(conn, opts=options)
        differences = compare_metadata(context, metadata)
    assert differences == []
