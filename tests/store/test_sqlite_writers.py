"""SQLite: the transactions of a server's threads and processes take turns on jikimi's own locks
before SQLite's, so none sleeps in SQLite's busy handler — and a turn is always given back."""

from __future__ import annotations

import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from jikimi.store.engine import make_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counted (n INTEGER)"))
    return engine


def _write(engine: Engine, times: int) -> None:
    for n in range(times):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO counted VALUES (:n)"), {"n": n})


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM counted")).scalar_one())


def test_eight_threads_writing_at_once_all_get_their_turn(sqlite_engine: Engine, tmp_path: Path) -> None:
    threads = [threading.Thread(target=_write, args=(sqlite_engine, 50)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert _count(sqlite_engine) == 400
    lock = tmp_path / "writers.db-writer"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_two_processes_writing_at_once_both_get_their_turn(sqlite_engine: Engine, tmp_path: Path) -> None:
    code = (
        "import sys; from sqlalchemy import text; from jikimi.store.engine import make_engine\n"
        f"engine = make_engine('sqlite:///{tmp_path / 'writers.db'}')\n"
        "for n in range(200):\n"
        "    with engine.begin() as conn: conn.execute(text('INSERT INTO counted VALUES (:n)'), {'n': n})\n"
    )
    other = subprocess.Popen([sys.executable, "-c", code])
    _write(sqlite_engine, 200)
    assert other.wait(120) == 0
    assert _count(sqlite_engine) == 400


def test_a_transaction_that_fails_gives_its_turn_back(sqlite_engine: Engine) -> None:
    with pytest.raises(ZeroDivisionError), sqlite_engine.begin() as conn:
        conn.execute(text("INSERT INTO counted VALUES (1)"))
        raise ZeroDivisionError
    with sqlite_engine.connect() as conn:  # a read left open without commit or rollback, then closed
        conn.execute(text("SELECT 1"))
    done = threading.Event()
    threading.Thread(target=lambda: (_write(sqlite_engine, 1), done.set())).start()
    assert done.wait(5), "a turn was not given back"
    assert _count(sqlite_engine) == 1
