"""Alembic environment: runs on the engine jikimi made (so SQLite attaches its key file)."""

from __future__ import annotations

from alembic import context

from jikimi.store.migrate import comparison_options
from jikimi.store.schema import metadata

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    compared = comparison_options(connection.dialect.name)  # what autogenerate leaves out
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_schemas=True,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=compared["include_name"],
        include_object=compared["include_object"],
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
