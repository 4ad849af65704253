"""Shared helpers for the vault benchmarks: synthetic members, databases, keys, JSON output.

Not a benchmark itself (``make bench`` runs it and it does nothing). Databases and their master
keys are cached under ``var/bench/`` (gitignored) so that the 1,000,000-subject database is built
once, with the importer, and reused by the read benchmark.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
POLICY = ROOT / "examples" / "policies" / "reference.yaml"
PG_ADMIN_URL = os.environ.get("JIKIMI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
HEADER = ["name", "birthdate", "login_id", "password", "mobile", "email", "ci", "gender", "consent:marketing"]
FAMILY = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서지현우준영수하은도윤예진성호"


def member_row(i: int, bcrypt_hashes: list[str]) -> list[str]:
    """Member ``i``: eight items (seven required by ``signup`` plus gender) and a marketing answer.

    Look-up items (login id, email, mobile, CI) are unique per ``i``; the legacy password is a
    bcrypt hash (a handful of precomputed ones: hashing a million is not what we measure).
    """
    rnd = random.Random(i)
    name = rnd.choice(FAMILY) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
    birth = f"{rnd.randint(1950, 2005)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    mobile = f"010-{1000 + i // 10000:04d}-{i % 10000:04d}"
    ci = f"CI{i:086d}"
    return [
        name,
        birth,
        f"member{i}",
        bcrypt_hashes[i % len(bcrypt_hashes)],
        mobile,
        f"member{i}@example.com",
        ci,
        rnd.choice(["여", "남"]),
        "true" if i % 3 else "false",
    ]


def legacy_hashes(count: int = 8) -> list[str]:
    import bcrypt

    return [
        bcrypt.hashpw(f"legacy-pass-{n}".encode(), bcrypt.gensalt(rounds=4)).decode() for n in range(count)
    ]


def write_members_csv(path: Path, subjects: int) -> Path:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    hashes = legacy_hashes()
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(subjects):
            writer.writerow(member_row(i, hashes))
    tmp.replace(path)
    return path


def members_csv(subjects: int) -> Path:
    """A cached CSV of ``subjects`` members under var/bench/."""
    path = BENCH_DIR / f"members-{subjects}.csv"
    if not path.exists():
        write_members_csv(path, subjects)
    return path


# -- databases ---------------------------------------------------------------------------------------


def bench_url(kind: str, name: str) -> str:
    """A database for a benchmark: a SQLite file under var/bench/, or a PostgreSQL database ``name``."""
    if kind == "sqlite":
        return f"sqlite:///{BENCH_DIR / (name + '.db')}"
    if kind in ("postgresql", "pg"):
        base, _, _ = PG_ADMIN_URL.rpartition("/")
        return f"{base}/{name}"
    return kind  # a full URL


def drop_database(url: str, *, recreate: bool = True) -> None:
    """Remove a benchmark database (SQLite files, or a PostgreSQL database) if it exists; on
    PostgreSQL, create it again empty unless ``recreate=False``."""
    from jikimi.store.engine import is_sqlite, normalise_url, sqlite_paths

    if is_sqlite(url):
        for path in sqlite_paths(url):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(normalise_url(url)).database
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if recreate:
            conn.execute(f'CREATE DATABASE "{name}"')


def key_ring(name: str) -> Any:
    """The master key ring of a cached benchmark database (created with it)."""
    from jikimi.crypto import KeyRing, MasterKey

    path = BENCH_DIR / f"{name}.key"
    if not path.exists():
        KeyRing(MasterKey.generate()).write(path)
    return KeyRing.from_file(path)


def open_jikimi_at(url: str, name: str) -> Any:
    from jikimi.bootstrap import build_jikimi
    from jikimi.policy.load import load_policy
    from jikimi.store.engine import make_engine
    from jikimi.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    return build_jikimi(policy=load_policy(POLICY), engine=engine, keys=key_ring(name))


def imported_members(
    kind: str,
    name: str,
    subjects: int,
    *,
    rebuild: bool,
    workers: int = 2,
    batch_size: int | None = None,
    then: Callable[[Any], None] | None = None,
) -> tuple[str, Any, float]:
    """The database ``name`` of ``subjects`` members brought in by the importer (``then`` adds to
    it), kept between runs: ``(url, import report, seconds)``, the report ``None`` when it was kept."""
    url = bench_url(kind, name)
    marker = BENCH_DIR / f"{name}.{kind if '://' not in kind else 'url'}.ok"
    if marker.exists() and not rebuild:
        return url, None, 0.0
    marker.unlink(missing_ok=True)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    source = members_csv(subjects)
    drop_database(url)
    jikimi = open_jikimi_at(url, name)
    started = time.perf_counter()
    sizes = {} if batch_size is None else {"batch_size": batch_size}
    report = jikimi.vault.import_csv(source, "signup", workers=workers, **sizes)
    if then is not None:
        then(jikimi)
    seconds = time.perf_counter() - started
    jikimi.core.engine.dispose()
    marker.write_text(str(report.imported))
    return url, report, seconds


# -- output ------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine, and how busy it was (load average over 1/5/15 min) when the figures were taken."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "loadavg": [round(x, 1) for x in os.getloadavg()],
    }


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_us": round(statistics.median(ordered) * 1e6, 1),
        "p95_us": round(ordered[int(len(ordered) * 0.95) - 1] * 1e6, 1),
        "mean_us": round(statistics.fmean(ordered) * 1e6, 1),
    }


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


if __name__ == "__main__":  # `make bench` runs every bench/*.py; this one is a library
    pass
