"""PostgreSQL keeps the access log in one partition per month (migration 0007), so its expiry
empties and drops whole months and deletes rows only in the month of the cut-off; SQLite keeps one
table, and the same code runs on both. Every test here verifies the log afterwards."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, select, text

from jikimi.audit.anchors import FileSink, read_anchors
from jikimi.audit.log import AccessLog, Entry, verify
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.policy.model import Policy
from jikimi.store import partitions
from jikimi.store.engine import make_engine
from jikimi.store.migrate import alembic_config, current_revision, upgrade
from jikimi.store.tables import access_log
from jikimi.store.uow import UnitOfWork

from ..databases import fresh_postgres
from .conftest import fast_passwords


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def opened(engine: Engine, ring: KeyRing, clock: FixedClock, anchors: Path, policy: Policy) -> Jikimi:
    """jikimi as ``open_jikimi`` leaves it: the log's partitions of this month and the next made."""
    log = AccessLog(ring, sink=FileSink(anchors))
    jikimi = build_jikimi(
        policy=policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords(), access_log=log
    )
    log.prepare(engine, clock.now())
    return jikimi


def write_at(jikimi: Jikimi, clock: FixedClock, moment: datetime, n: int = 2) -> None:
    clock.set(moment)
    sid = secrets.token_hex(16)
    for _ in range(n):
        with jikimi.core.unit_of_work() as uow:
            jikimi.core.log(uow, jikimi.core.now(), "cs-kim", "read", subject_id=sid, items=["name"])
            uow.commit()


def rows_in(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def month_tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(partitions.months(conn).values())


def intact(engine: Engine, ring: KeyRing, anchors: Path | None = None) -> bool:
    with engine.connect() as conn:
        result = verify(conn, keys=ring, anchors=read_anchors(anchors) if anchors else None)
    return result.ok


def test_the_access_log_is_partitioned_by_month_on_postgresql_and_stays_one_table_on_sqlite(
    engine: Engine, ring: KeyRing, clock: FixedClock, tmp_path: Path, reference_policy: Policy
) -> None:
    jikimi = opened(engine, ring, clock, tmp_path / "anchors", reference_policy)
    write_at(jikimi, clock, clock.now())
    with engine.connect() as conn:
        is_partitioned = partitions.partitioned(conn)
    if engine.dialect.name == "sqlite":
        assert not is_partitioned and month_tables(engine) == set()
        return
    assert is_partitioned
    now = datetime.now(UTC)  # the migration made the months around it; opening, the clock's
    this, following = (now.year, now.month), partitions.following((now.year, now.month))
    start = partitions.month_of(clock.now())
    expected = {partitions.name_of(m) for m in (this, following, start, partitions.following(start))}
    assert expected <= month_tables(engine)
    assert rows_in(engine, partitions.name_of(start)) == 2 and rows_in(engine, partitions.DEFAULT) == 0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_expiry_drops_whole_months_and_deletes_only_rows_of_the_boundary_month(
    engine: Engine, ring: KeyRing, clock: FixedClock, tmp_path: Path, reference_policy: Policy
) -> None:
    anchors = tmp_path / "anchors"
    clock.set(utc(2024, 1, 10))
    jikimi = opened(engine, ring, clock, anchors, reference_policy)
    for moment in (utc(2024, 1, 10), utc(2024, 2, 10), utc(2024, 3, 5), utc(2024, 3, 25), utc(2024, 4, 10)):
        write_at(jikimi, clock, moment)
    assert {"access_log_p202401", "access_log_p202402", "access_log_p202403"} <= month_tables(engine)
    # a year after 2024-03-14 (KST): January and February go whole, March in part
    done = jikimi.lifecycle.expire_access_log(utc(2025, 3, 15, 6))
    assert done.rows == 6 and done.partitions_dropped >= 2
    left = month_tables(engine)
    assert "access_log_p202401" not in left and "access_log_p202402" not in left
    assert rows_in(engine, "access_log_p202403") == 2  # the rows of 2024-03-25 stay
    assert rows_in(engine, "access_log_p202404") == 2
    assert intact(engine, ring, anchors) and intact(engine, ring)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_month_without_its_partition_waits_in_the_default_one_and_moves_when_it_is_made(
    engine: Engine, ring: KeyRing, clock: FixedClock, tmp_path: Path, reference_policy: Policy
) -> None:
    log = AccessLog(ring, sink=FileSink(tmp_path / "anchors"))  # never prepared: nothing made at insert
    entry = Entry(at=utc(2031, 5, 1), actor="cs-kim", action="read", outcome="allowed", items=["name"])
    for _ in range(3):
        with UnitOfWork(engine) as uow:
            log.append(uow, [entry])
            uow.commit()
    assert rows_in(engine, partitions.DEFAULT) == 3
    assert partitions.ensure(engine, {(2031, 5)}) == {(2031, 5)}
    assert rows_in(engine, partitions.DEFAULT) == 0 and rows_in(engine, "access_log_p203105") == 3
    assert intact(engine, ring, tmp_path / "anchors")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_prepared_log_makes_a_new_months_partition_before_its_first_row(
    engine: Engine, ring: KeyRing, clock: FixedClock, tmp_path: Path, reference_policy: Policy
) -> None:
    jikimi = opened(engine, ring, clock, tmp_path / "anchors", reference_policy)
    write_at(jikimi, clock, utc(2030, 7, 4))
    assert rows_in(engine, "access_log_p203007") == 2 and rows_in(engine, partitions.DEFAULT) == 0


def test_the_migration_partitions_a_log_that_has_rows_and_the_downgrade_puts_them_back(
    ring: KeyRing, tmp_path: Path
) -> None:
    with fresh_postgres(migrated=False) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0006")
            log = AccessLog(ring, sink=FileSink(tmp_path / "anchors"))
            for moment in (utc(2025, 11, 3), utc(2025, 12, 31, 23), utc(2026, 1, 1, 0)):
                with UnitOfWork(engine) as uow:
                    log.append(uow, [Entry(at=moment, actor="cs-kim", action="read", outcome="allowed")] * 2)
                    uow.commit()
            before = stored(engine)
            upgrade(engine, "0007")
            assert current_revision(engine) == "0007" and stored(engine) == before
            assert {"access_log_p202511", "access_log_p202512", "access_log_p202601"} <= month_tables(engine)
            assert rows_in(engine, partitions.DEFAULT) == 0
            assert intact(engine, ring, tmp_path / "anchors")
            with UnitOfWork(engine) as uow:  # the sequence goes on after the rows it numbered
                log.append(uow, [Entry(at=utc(2026, 1, 2), actor="cs-kim", action="read", outcome="allowed")])
                uow.commit()
            assert stored(engine)[-1][0] > before[-1][0]
            moved = stored(engine)
            command.downgrade(alembic_config(engine), "0006")
            with engine.connect() as conn:
                assert not partitions.partitioned(conn)
            assert stored(engine) == moved and intact(engine, ring, tmp_path / "anchors")
            upgrade(engine)
            assert stored(engine) == moved and intact(engine, ring, tmp_path / "anchors")
        finally:
            engine.dispose()


def stored(engine: Engine) -> list[tuple[int, str, int, bytes]]:
    with engine.connect() as conn:
        query = select(access_log.c.seq, access_log.c.chain, access_log.c.chain_seq, access_log.c.hash)
        assert conn.execute(select(func.count()).select_from(access_log)).scalar_one() >= 0
        return [
            (int(s), str(c), int(n), bytes(h))
            for s, c, n, h in conn.execute(query.order_by(access_log.c.seq))
        ]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_partition_older_than_the_cut_off_with_a_row_to_keep_is_emptied_row_by_row(
    engine: Engine, ring: KeyRing, clock: FixedClock, tmp_path: Path, reference_policy: Policy
) -> None:
    """A chain whose instants go back (a row written with an older time after a younger one) keeps
    the older row with the younger: its month cannot go whole, and the rest of it still does."""
    clock.set(utc(2024, 1, 10))
    jikimi = opened(engine, ring, clock, tmp_path / "anchors", reference_policy)
    write_at(jikimi, clock, utc(2024, 1, 10))
    write_at(jikimi, clock, utc(2024, 6, 10), n=1)
    write_at(jikimi, clock, utc(2024, 1, 20), n=1)  # after a June row in the same chain
    done = jikimi.lifecycle.expire_access_log(utc(2025, 3, 1))
    assert done.rows == 2 and rows_in(engine, "access_log_p202401") == 1
    assert intact(engine, ring, tmp_path / "anchors")
