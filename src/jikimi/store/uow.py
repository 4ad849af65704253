"""One unit of work per operation: it commits only when told to, and rolls back otherwise."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine


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
