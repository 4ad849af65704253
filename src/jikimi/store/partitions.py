"""PostgreSQL: the access log partitioned by month (migration 0007), so that its expiry empties and
drops whole months instead of deleting their rows one by one.

``access_log`` is partitioned by range of ``at`` into one table per calendar month in UTC,
``access_log_pYYYYMM``, plus ``access_log_default`` for any instant without its month's partition
(so an insert never fails). The current and the next month are made when jikimi opens and by each
expiry, and a month seen at insert time is made then if missing (``ensure``), each in a short
transaction of its own that waits at most ``LOCK_WAIT`` for its locks and gives up quietly: the
rows then wait in the default partition, and the next ``ensure`` of that month moves them into it.
Making a month locks the whole log for that moment (a row of the month must not be written into
the default partition while its partition is attached), so it is done ahead: a month before.

An expiry (``truncate_expired``, inside its own transaction) empties every month before the cut-off
whose rows all lie in the expired prefixes of their chains; ``drop_empty`` drops such months after
the commit. SQLite has one table: every function here does nothing there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

PARENT = "access_log"
DEFAULT = "access_log_default"
LOCK_WAIT = "2s"
INSERT_WAIT = "100ms"
"""How long making a month's partition at insert time may hold up the log's other writers."""
_NAME = re.compile(r"^access_log_p(\d{4})(\d{2})$")

logger = logging.getLogger("jikimi")

Month = tuple[int, int]


def name_of(month: Month) -> str:
    return f"{PARENT}_p{month[0]:04d}{month[1]:02d}"


def is_partition_name(name: str) -> bool:
    """Whether a table name is one of the access log's partitions (the schema comparison skips them:
    they are made at run time, not by a migration)."""
    return name == DEFAULT or _NAME.match(name) is not None


def month_of(moment: datetime) -> Month:
    at = moment.astimezone(UTC) if moment.tzinfo else moment
    return at.year, at.month


def bounds(month: Month) -> tuple[datetime, datetime] | None:
    """The first instant of the month and of the next, in UTC; ``None`` past 9999-11 (the default
    partition holds those)."""
    year, mon = month
    if not 1 <= year <= 9999 or (year, mon) >= (9999, 12):
        return None
    after = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return datetime(year, mon, 1, tzinfo=UTC), datetime(after[0], after[1], 1, tzinfo=UTC)


def following(month: Month) -> Month:
    return (month[0] + 1, 1) if month[1] == 12 else (month[0], month[1] + 1)


def partitioned(conn: Connection) -> bool:
    """Whether ``access_log`` is partitioned here (PostgreSQL after migration 0007)."""
    if conn.dialect.name != "postgresql":
        return False
    kind = conn.execute(text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": PARENT})
    return kind.scalar() == "p"


def months(conn: Connection) -> dict[Month, str]:
    """The month partitions that exist, by month (none on SQLite)."""
    if conn.dialect.name != "postgresql":
        return {}
    names = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": PARENT},
    ).scalars()
    found: dict[Month, str] = {}
    for name in names:
        match = _NAME.match(str(name))
        if match:
            found[int(match.group(1)), int(match.group(2))] = str(name)
    return found


def missing(conn: Connection, wanted: Iterable[Month]) -> tuple[set[Month], bool]:
    """Which of the months ``wanted`` have no partition, and whether the caller's transaction holds
    a lock on the log already (then a partition is made only after it ends), in one look on the
    caller's connection (none missing on SQLite, nor where the log is not partitioned)."""
    months_wanted = sorted(m for m in wanted if bounds(m) is not None)
    if conn.dialect.name != "postgresql" or not months_wanted:
        return set(), False
    names = [name_of(m) for m in months_wanted]
    found = conn.execute(
        text(
            "SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)) = 'p', "
            "array(SELECT n FROM unnest(CAST(:names AS text[])) AS n WHERE to_regclass(n) IS NULL), "
            "EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND relation = to_regclass(:t))"
        ),
        {"t": PARENT, "names": names},
    ).one()
    if not found[0]:
        return set(), False
    absent = set(found[1])
    return {m for m in months_wanted if name_of(m) in absent}, bool(found[2])


def ensure(engine: Engine, wanted: Iterable[Month], *, wait: str = LOCK_WAIT) -> set[Month]:
    """Make the month partitions in ``wanted`` that are missing (moving the rows the default
    partition holds for them); returns the months that exist now. Never raises: a month that could
    not be made (a lock not had within ``wait``) is logged and left to the default partition."""
    months_wanted = {m for m in wanted if bounds(m) is not None}
    if engine.dialect.name != "postgresql" or not months_wanted:
        return months_wanted
    ready: set[Month] = set()
    for month in sorted(months_wanted):
        try:
            with engine.begin() as conn:
                if not partitioned(conn):
                    return months_wanted  # not migrated yet: one table, nothing to make
                if month in months(conn):
                    ready.add(month)
                    continue
                # the whole log, briefly: no transaction may write a row of this month into the
                # default partition while the month's partition is attached (it would fail)
                conn.execute(text(f"SET LOCAL lock_timeout = '{wait}'"))
                conn.execute(text(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE"))
                if month not in months(conn):
                    _make(conn, month)
            ready.add(month)
        except DBAPIError:
            logger.warning(
                "접속기록 파티션 %s를 만들지 못했습니다: 행은 기본 파티션에 들어갑니다 "
                "(could not make the access-log partition %s; its rows go to the default partition)",
                name_of(month),
                name_of(month),
                exc_info=True,
            )
    return ready


def _make(conn: Connection, month: Month) -> None:
    span = bounds(month)
    assert span is not None
    lo, hi = span
    name = name_of(month)
    conn.execute(text(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS)"))
    moved = (
        f"WITH moved AS (DELETE FROM {DEFAULT} WHERE at >= :lo AND at < :hi RETURNING *) "
        f"INSERT INTO {name} SELECT * FROM moved"
    )
    conn.execute(text(moved), {"lo": lo, "hi": hi})
    span_sql = f"FROM ('{lo.isoformat()}') TO ('{hi.isoformat()}')"
    conn.execute(text(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES {span_sql}"))


def truncate_expired(conn: Connection, before: datetime, cuts: Mapping[str, int]) -> int:
    """Inside the expiry's transaction: empty every month partition that ends by ``before`` and
    whose rows all lie within the expired prefixes ``cuts`` (``{chain: last position removed}``);
    returns how many rows they held. A month also holding a row to keep is left to the row deletes."""
    if not partitioned(conn):
        return 0
    removed = 0
    for month, name in sorted(months(conn).items()):
        span = bounds(month)
        if span is None or span[1] > before:
            continue
        tops = conn.execute(text(f"SELECT chain, max(chain_seq), count(*) FROM {name} GROUP BY chain"))
        rows = 0
        for chain, top, count in tops:
            if int(top) > cuts.get(str(chain), 0):
                break
            rows += int(count)
        else:
            if rows:
                try:
                    with conn.begin_nested():
                        conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
                        conn.execute(text(f"TRUNCATE {name}"))
                except DBAPIError:
                    continue  # busy: its rows go by the row deletes
                finally:
                    conn.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
                removed += rows
    return removed


def drop_empty(engine: Engine, before: datetime) -> int:
    """Drop the month partitions that end by ``before`` and hold no row (emptied by an expiry),
    each in its own short transaction; one busy is left for the next time. Returns how many."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as conn:
        if not partitioned(conn):
            return 0
        old = [
            name for month, name in sorted(months(conn).items()) if (b := bounds(month)) and b[1] <= before
        ]
    dropped = 0
    for name in old:
        try:
            with engine.begin() as conn:
                conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
                if conn.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first() is None:
                    conn.execute(text(f"DROP TABLE {name}"))
                    dropped += 1
        except DBAPIError:
            logger.info("접속기록 파티션 %s는 다음에 지웁니다 (partition %s dropped next time)", name, name)
    return dropped
