"""The sweep benchmark's due set: a template database where every subject is due under the
reference policy (the mix is described in ``lifecycle_sweep.py``), written straight into the tables
with random bytes as ciphertexts, and fresh copies of it for each measurement."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import _common as common

NOW = datetime(2027, 6, 15, 3, 0, tzinfo=UTC)
KEYS_CREATED = datetime(2024, 1, 2, tzinfo=UTC)
SHARES = (("gone", 30), ("partial", 20), ("dormant", 30), ("logs", 20))
MEMBER_ITEMS = ("name", "birthdate", "login_id", "password", "mobile", "email", "ci")


def case_of(i: int) -> str:
    slot = i % 100
    for case, share in SHARES:
        if slot < share:
            return case
        slot -= share
    raise AssertionError(slot)


# -- the due set ------------------------------------------------------------------------------------------


def build_template(url: str, n: int) -> None:
    """Write ``n`` due subjects (see the module docstring) with the driver, 20,000 subjects a transaction."""
    from jikimi.lifecycle.rules import group_key_id
    from jikimi.periods import Duration, expiry_instant
    from jikimi.store.bulk import insert_many
    from jikimi.store.engine import make_engine
    from jikimi.store.imports import defer_checkpoints
    from jikimi.store.migrate import upgrade
    from jikimi.store.tables import (
        data_keys,
        item_values,
        outbox,
        records,
        separated_lookups,
        separated_records,
        separated_values,
        subjects,
    )

    engine = make_engine(url)
    upgrade(engine)
    three_months, thirty_days = Duration.parse("P3M"), Duration.parse("P30D")
    rules = {"login_id": ("withdrawn_login_id", three_months), "ci": ("withdrawn_ci", thirty_days)}
    columns = {
        t: tuple(c.name for c in t.c if not (c.name == "id" and t is outbox))
        for t in (
            subjects,
            data_keys,
            item_values,
            records,
            separated_values,
            separated_records,
            separated_lookups,
            outbox,
        )
    }
    wrapped = os.urandom(60)

    def blob() -> bytes:
        return os.urandom(48)

    with engine.connect() as conn:
        defer_checkpoints(conn)
        for start in range(0, n, 20_000):
            rows: dict[Any, list[tuple[Any, ...]]] = {t: [] for t in columns}

            def add(table: Any, batch: dict[Any, list[tuple[Any, ...]]] = rows, **row: Any) -> None:
                batch[table].append(tuple(row[c] for c in columns[table]))

            def key(key_id: str, add: Any = add) -> None:
                add(
                    data_keys,
                    subject_id=key_id,
                    wrapped=wrapped,
                    master_key_id="bench",
                    created_at=KEYS_CREATED,
                )

            def member(sid: str, status: str, created: datetime, last: datetime, add: Any = add) -> None:
                add(
                    subjects,
                    id=sid,
                    kind="member",
                    status=status,
                    context="signup",
                    is_child=False,
                    guardian_id=None,
                    policy_version="bench",
                    created_at=created,
                    last_activity_at=last,
                    status_changed_at=last,
                )

            for i in range(start, min(start + 20_000, n)):
                sid = f"b{i:09d}"
                case = case_of(i)
                if case in ("gone", "partial"):
                    withdrawn = NOW - timedelta(days=100 if case == "gone" else 40)
                    member(sid, "withdrawn", withdrawn - timedelta(days=700), withdrawn)
                    for item, (rule, period) in rules.items():
                        kid = group_key_id(sid, rule)
                        key(kid)
                        expires = expiry_instant(withdrawn, period)
                        add(
                            separated_values,
                            subject_id=sid,
                            item_id=item,
                            ciphertext=blob(),
                            key_id=kid,
                            cause="withdrawal",
                            rule_id=rule,
                            start_at=withdrawn,
                            expires_at=expires,
                            collected_at=withdrawn - timedelta(days=700),
                            context="signup",
                            separated_at=withdrawn,
                        )
                        add(
                            separated_lookups,
                            item_id=item,
                            digest=os.urandom(32),
                            subject_id=sid,
                            rule_id=rule,
                            expires_at=expires,
                        )
                    if case == "gone":
                        kid = group_key_id(sid, "access_log_records")
                        key(kid)
                        occurred = withdrawn - timedelta(days=20)
                        add(
                            separated_records,
                            id=f"{sid}r",
                            subject_id=sid,
                            type="access_log",
                            ciphertext=blob(),
                            key_id=kid,
                            cause="withdrawal",
                            rule_id="access_log_records",
                            occurred_at=occurred,
                            created_at=occurred,
                            start_at=occurred,
                            expires_at=expiry_instant(occurred, three_months),
                            separated_at=withdrawn,
                        )
                    continue
                last = NOW - timedelta(days=400 if case == "dormant" else 2)
                member(sid, "active", last - timedelta(days=300), last)
                key(sid)
                for item in MEMBER_ITEMS if case == "dormant" else MEMBER_ITEMS[:1]:
                    add(
                        item_values,
                        subject_id=sid,
                        item_id=item,
                        ciphertext=blob(),
                        context="signup",
                        collected_at=last - timedelta(days=300),
                        hold=False,
                    )
                if case == "dormant":
                    sent = NOW - timedelta(days=40)
                    add(
                        records,
                        id=f"{sid}p",
                        subject_id=sid,
                        type="payment",
                        ciphertext=blob(),
                        occurred_at=last - timedelta(days=30),
                        created_at=last - timedelta(days=30),
                        expires_at=None,
                    )
                    add(
                        outbox,
                        kind="dormancy_notice",
                        subject_id=sid,
                        dedupe_key=f"dormancy_notice:{sid}:{last.isoformat()}",
                        payload="{}",
                        due_at=sent,
                        created_at=sent,
                        delivered_at=sent,
                        attempts=1,
                        channel="email",
                        recipient="subject",
                        status="delivered",
                        claimed_until=None,
                        claimed_by=None,
                        last_error=None,
                        dead_at=None,
                    )
                else:
                    for suffix, days in (("a", 100), ("b", 120)):
                        occurred = NOW - timedelta(days=days)
                        add(
                            records,
                            id=f"{sid}{suffix}",
                            subject_id=sid,
                            type="access_log",
                            ciphertext=blob(),
                            occurred_at=occurred,
                            created_at=occurred,
                            expires_at=expiry_instant(occurred, three_months),
                        )
            with conn.begin():
                insert_many(conn, data_keys, columns[data_keys], rows[data_keys])
            with conn.begin():
                for table, found in rows.items():
                    if table is not data_keys:
                        insert_many(conn, table, columns[table], found)
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()  # SQLite: the last connection to close checkpoints the write-ahead log into the file


PROPOSED_INDEXES = {
    "ix_subjects_guardian_id": "subjects (guardian_id)",
    "ix_separated_values_key_id": "separated_values (key_id)",
    "ix_separated_records_key_id": "separated_records (key_id)",
}
"""Proposed for the schema. Without ``guardian_id``'s, every deleted subject costs a full scan of
``subjects`` (the self-referencing foreign key, ON DELETE SET NULL, is checked per deleted row), so
removing subjects is quadratic, for the sweep and the baseline alike. Without the ``key_id`` ones, the
sweep's check of which touched keys are still used scans both separated tables every batch, and
``destroy_orphan_keys`` scans them once per key (quadratic: it did not finish at 1,000,000)."""


def template(kind: str, n: int, rebuild: bool, guardian_index: bool) -> str:
    name = f"sweep_tpl_{n}"
    url = common.bench_url(kind, name)
    marker = common.BENCH_DIR / f"{name}.{kind}.ok"
    if rebuild or not marker.exists():
        marker.unlink(missing_ok=True)
        common.drop_database(url)
        build_template(url, n)
        marker.write_text(str(n))
    from sqlalchemy import text

    from jikimi.store.engine import make_engine
    from jikimi.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)  # a template cached by an older checkout gets the later migrations
    with engine.begin() as conn:
        for name, target in PROPOSED_INDEXES.items():
            conn.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS {name} ON {target}"
                    if guardian_index
                    else f"DROP INDEX IF EXISTS {name}"
                )
            )
    engine.dispose()
    return url


def copy_of(kind: str, source_url: str, name: str) -> str:
    """A fresh copy of the template: the SQLite files, or ``CREATE DATABASE … TEMPLATE``."""
    from jikimi.store.engine import sqlite_paths

    url = common.bench_url(kind, name)
    common.drop_database(url, recreate=False)
    if kind == "sqlite":
        for source, target in zip(sqlite_paths(source_url), sqlite_paths(url), strict=True):
            shutil.copyfile(source, target)
            if os.path.exists(f"{source}-wal"):  # not checkpointed (an interrupted build): copy it along
                shutil.copyfile(f"{source}-wal", f"{target}-wal")
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        template_name = make_url(source_url).database
        with psycopg.connect(common.PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
            # the copy (written through the WAL) and the previous runs' dirty buffers are flushed now,
            # not by a checkpoint in the middle of the next measurement
            conn.execute("CHECKPOINT")
    return url
