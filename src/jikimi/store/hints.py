"""Planner hints: small SQL constructs that keep a statement on the index it needs.

SQLite plans without statistics unless ``ANALYZE`` has run, and then assumes an equality on an
indexed column finds about ten rows. In a batch statement such as
``subjects.id IN (<500 ids>) AND subjects.status = 'withdrawn'`` it therefore prefers
the (status, last_activity_at, id) index (every withdrawn subject) over 500 primary-key look-ups, and
a sweep that runs the statement once per batch becomes quadratic in the number of subjects.

PostgreSQL keeps statistics, but prices ``subject_id = ANY(<500 ids>)`` as 500 random index reads
(``random_page_cost`` 4) and, on tables of up to a few hundred thousand rows, picks a sequential scan
of the whole table instead — again once per batch. A batch claimed in index order lies between its
first and its last id, and saying so (``span``) lets the planner see a narrow index range.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from sqlalchemy import Boolean, ColumnElement, Dialect, String, TypeDecorator, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeEngine

_T = TypeVar("_T")


class unindexed(ColumnElement[_T], Generic[_T]):  # noqa: N801 - reads like the SQL function it stands for
    """A column whose condition must not choose the index (SQLite's documented unary ``+``: "disqualify
    a term from use by an index"); the column itself everywhere else. The value is unchanged."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # the column is in the cache key

    def __init__(self, column: ColumnElement[_T]) -> None:
        self.column = column
        self.type = column.type

    @property
    def _from_objects(self) -> list[Any]:  # the column's table stays in the statement's FROM
        return self.column._from_objects


@compiles(unindexed)
def _unindexed_default(element: unindexed[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


class _IdList(TypeDecorator[list[str]]):
    """A list of ids bound as one parameter: a JSON array on SQLite, a ``text[]`` on PostgreSQL."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        ids = [str(v) for v in value]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


Span = tuple[str, str]
"""The first and the last id of a batch *in the database's own order* (as an ``ORDER BY`` returned
them: the column's collation may not sort like Python)."""


class among(ColumnElement[bool]):  # noqa: N801 - reads like the SQL operator it stands for
    """``column IN (ids)`` with the ids bound as *one* parameter (``= ANY(:ids)`` on PostgreSQL,
    ``IN (SELECT value FROM json_each(:ids))`` on SQLite): both keep the index look-ups of an ``IN``
    list, but the statement is compiled once and cached, where an expanding ``IN (?, ?, …)`` is
    re-rendered for every execution — most of the Python time of a batch of 500 subjects.

    With ``span`` (every id lies between its ends, in the database's order) PostgreSQL also gets
    ``column BETWEEN first AND last``: the same rows, and an index range the planner prices right."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement),
        ("bounds", InternalTraversal.dp_clauseelement_tuple),
    ]
    type = Boolean()
    _is_implicitly_boolean = True  # a condition: no "= 1" where booleans are not native (SQLite)

    def __init__(self, column: ColumnElement[Any], ids: Iterable[str], span: Span | None = None) -> None:
        self.column = column
        self.ids = bindparam(None, list(ids), type_=_IdList())
        self.bounds = () if span is None else tuple(bindparam(None, end, type_=String()) for end in span)

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


@compiles(among)
def _among_sqlite(element: among, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} IN (SELECT value FROM json_each({compiler.process(element.ids, **kw)}))"  # noqa: E501


@compiles(among, "postgresql")
def _among_postgresql(element: among, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    condition = f"{column} = ANY({compiler.process(element.ids, **kw)})"
    if element.bounds:
        first, last = (compiler.process(end, **kw) for end in element.bounds)
        condition += f" AND {column} BETWEEN {first} AND {last}"
    return condition
