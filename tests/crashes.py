"""Crashes at chosen points, for the crash tests: run work in a forked child that SIGKILLs itself just
before its N-th database statement.

The child builds its own engine for the database URL and counts every statement it sends, at the
driver (SQLite's trace callback, a counting psycopg cursor; a commit is a statement too), so raw
driver calls (bulk inserts, the gated read's prepared statement) count like SQLAlchemy's. The kill
lands at a statement boundary chosen by number, not by time: a kill point is the same on a fast
machine and a slow one, and a seed reproduces a whole run. ``run`` returns whether the child was
killed, and how many statements it sent (all of them, when it finished).
"""

from __future__ import annotations

import os
import signal
import struct
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event

from jikimi.store.engine import make_engine


@dataclass(frozen=True)
class Outcome:
    killed: bool
    statements: int


class _Counter:
    def __init__(self, kill_at: int | None) -> None:
        self.kill_at = kill_at
        self.count = 0

    def tick(self) -> None:
        self.count += 1
        if self.kill_at is not None and self.count >= self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def _install(engine: Engine, counter: _Counter) -> None:
    @event.listens_for(engine, "connect")
    def _count_statements(dbapi_connection: Any, _record: Any) -> None:
        if engine.dialect.name == "sqlite":

            def trace(statement: str) -> None:
                if statement.strip().upper() not in ("COMMIT", "ROLLBACK"):  # commits count below
                    counter.tick()

            dbapi_connection.set_trace_callback(trace)
        else:
            import psycopg

            class Counting(psycopg.Cursor):  # type: ignore[type-arg]
                def execute(self, *args: Any, **kwargs: Any) -> Any:
                    counter.tick()
                    return super().execute(*args, **kwargs)

                def executemany(self, *args: Any, **kwargs: Any) -> Any:
                    counter.tick()
                    return super().executemany(*args, **kwargs)

                def copy(self, *args: Any, **kwargs: Any) -> Any:
                    counter.tick()
                    return super().copy(*args, **kwargs)

            dbapi_connection.cursor_factory = Counting

    @event.listens_for(engine, "commit")
    def _count_commit(_conn: Any) -> None:
        counter.tick()


def run(url: str, work: Callable[[Engine], None], *, kill_at: int | None) -> Outcome:
    """Run ``work(engine)`` in a forked child on its own engine for ``url``; with ``kill_at``, the child
    dies by SIGKILL just before its ``kill_at``-th statement (or commit)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's clean-ups
        os.close(read)
        code = 0
        try:
            counter = _Counter(kill_at)
            engine = make_engine(url)
            _install(engine, counter)
            work(engine)
            os.write(write, struct.pack("!q", counter.count))
        except BaseException:  # noqa: BLE001 - report and exit; the parent fails the test
            traceback.print_exc(file=sys.stderr)
            code = 1
        finally:
            sys.stderr.flush()
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        sent = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        assert kill_at is not None, "the child was killed without being asked to"
        return Outcome(True, kill_at - 1)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return Outcome(False, struct.unpack("!q", sent)[0])
    raise AssertionError(f"the work failed in the child (status {status}); its traceback is on stderr above")
