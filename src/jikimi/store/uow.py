"""One unit of work per operation: it commits only when told to, and rolls back otherwise."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: ...; uow.commit()`` — nothing else commits.

    Leaving the block without ``commit()`` (an exception, an early return) rolls everything
    back, so nothing half-written stays in the database. Callbacks registered with
    ``after_commit`` run only once the commit has succeeded.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._after: list[Callable[[], None]] = []
        self._committed = False
        self.commit_sent = False
        """Whether ``commit()`` was called: from then on a lost connection leaves the outcome unknown."""

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        return self._conn

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        self._conn = self._engine.connect()
        self._conn.begin()
        return self

    def commit(self) -> None:
        self.commit_sent = True
        self.conn.commit()
        self._committed = True
        callbacks, self._after = self._after, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after.append(callback)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if not self._committed and conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()


def once_more_if_dropped(engine: Engine, work: Callable[[UnitOfWork], T]) -> T:
    """``work(uow)`` in a unit of work of its own — and once more in a fresh one if the database
    dropped the connection before the commit was sent (a server restart, ``pg_terminate_backend``,
    an idle timeout), which the pool then replaces: nothing of the first try was committed, so
    trying again does nothing twice. A connection lost during the commit is not tried again (the
    commit may have happened), nor one lost twice; their errors go to the caller.

    ``work`` must begin from scratch each time (it reads everything it decides on inside ``uow``)
    and call ``uow.commit()`` itself. On an engine in autocommit a statement that writes commits as
    it runs, and is tried again like any other: ``work`` must make a second try of it harmless."""
    for attempt in (1, 2):
        uow = UnitOfWork(engine)
        try:
            with uow:
                return work(uow)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated or uow.commit_sent:
                raise
    raise AssertionError("unreachable")
