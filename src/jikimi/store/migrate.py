"""Schema migrations with Alembic, the same scripts for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from jikimi.store.engine import ensure_keys_schema
from jikimi.store.partitions import is_partition_name


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("jikimi.store").joinpath("migrations")))
    config.attributes["engine"] = engine
    return config


def comparison_options(dialect: str) -> dict[str, Callable[..., bool]]:
    """Alembic's filters for comparing the declared tables with a database of ``dialect``: the
    access log's month partitions are made at run time, not declared, and a constraint declared
    for the other database only (``tables.only_on``) is not looked for."""

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        return not (type_ == "table" and name is not None and is_partition_name(name))

    def include_object(item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        info = getattr(item, "info", None)
        return reflected or not isinstance(info, dict) or info.get("dialect", dialect) == dialect

    return {"include_name": include_name, "include_object": include_object}


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    ensure_keys_schema(engine)
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision Alembic recorded (``None`` before the first migration). One plain select:
    ``/healthz`` asks on every call, and Alembic's own context costs a millisecond to set up."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:
            conn.rollback()
            if inspect(conn).has_table("alembic_version"):
                raise
            return None
    if len(rows) > 1:
        raise RuntimeError(f"the database has {len(rows)} schema heads; jikimi's migrations have one")
    return rows[0] if rows else None
