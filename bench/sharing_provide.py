"""Benchmark: one provision of N subjects to one recipient, against raw SQL doing the same reads and writes.

    .venv/bin/python bench/sharing_provide.py                      # 5,000 subjects, SQLite
    .venv/bin/python bench/sharing_provide.py --n 100000           # the issue's size
    .venv/bin/python bench/sharing_provide.py --db postgresql --n 100000

``Sharing.provide`` decides every subject (state, child flag, correction holds, consent to the
recipient, processing stops), decrypts two items of each allowed subject, and writes one provision
ledger row and one hash-chained access-log row per subject, one unit of work per chunk. The baseline
is what an application without jikimi would do for the same hand-over: read the wrapped keys and the
same ciphertexts, decrypt, and insert the same ledger rows (no decisions, no access log), in one
transaction. Both run on the same subjects in the same process; ``ratio`` is jikimi / baseline.

The database (N members imported with the bulk importer, each with a live consent to the
recipient) is cached under var/bench/ (``--rebuild`` to start over). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import _common as common

RECIPIENT = "nurim_points"
ITEMS = ["name", "mobile"]


def ensure_database(kind: str, subjects: int, rebuild: bool) -> tuple[str, str, dict[str, Any] | None]:
    from jikimi.store.bulk import insert_many
    from jikimi.store.tables import consents
    from jikimi.store.tables import subjects as subjects_table
    from jikimi.store.uow import UnitOfWork

    def consented(jikimi: Any) -> None:
        now = datetime.now(UTC)
        with UnitOfWork(jikimi.core.engine) as uow:
            column = subjects_table.c.id
            ids = [r.id for r in uow.conn.execute(subjects_table.select().with_only_columns(column))]
            insert_many(
                uow.conn,
                consents,
                (
                    "subject_id",
                    "target_kind",
                    "target_id",
                    "granted",
                    "policy_version",
                    "channel",
                    "actor",
                    "at",
                ),
                [
                    (sid, "third_party", RECIPIENT, True, jikimi.policy.version_key, "web", "self", now)
                    for sid in ids
                ],
            )
            uow.commit()

    name = f"provide_{subjects}"
    url, report, seconds = common.imported_members(kind, name, subjects, rebuild=rebuild, then=consented)
    if report is None:
        return url, name, None
    return url, name, {"imported": report.imported, "setup_s": round(seconds, 1)}


def baseline(jikimi: Any, ids: list[str]) -> int:
    """Read keys and ciphertexts, decrypt, insert the ledger rows: the same hand-over without jikimi."""
    from sqlalchemy import select

    from jikimi.crypto import open_value
    from jikimi.store.bulk import insert_many
    from jikimi.store.tables import item_values, provisions
    from jikimi.store.uow import UnitOfWork

    batch = secrets.token_hex(16)
    now = datetime.now(UTC)
    values: dict[str, dict[str, str]] = {}
    with UnitOfWork(jikimi.core.engine) as uow:
        keys = jikimi.core.keys.get_many(uow.conn, ids)
        for start in range(0, len(ids), 500):
            for r in uow.conn.execute(
                select(item_values.c.subject_id, item_values.c.item_id, item_values.c.ciphertext).where(
                    item_values.c.subject_id.in_(ids[start : start + 500]), item_values.c.item_id.in_(ITEMS)
                )
            ):
                values.setdefault(r.subject_id, {})[r.item_id] = open_value(
                    keys[r.subject_id], r.subject_id, r.item_id, bytes(r.ciphertext)
                )
        insert_many(
            uow.conn,
            provisions,
            (
                "batch_id",
                "subject_id",
                "third_party_id",
                "items",
                "basis",
                "reference",
                "at",
                "actor",
                "policy_version",
            ),
            [
                (
                    batch,
                    sid,
                    RECIPIENT,
                    json.dumps(sorted(v)),
                    "consent",
                    None,
                    now,
                    "baseline",
                    jikimi.policy.version_key,
                )
                for sid, v in values.items()
            ],
        )
        uow.commit()
    return len(values)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=5000, help="subjects provided in one call (default 5000)")
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql, or a database URL")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from jikimi.handlers import SYSTEM
    from jikimi.store.tables import access_log, provisions, subjects

    url, name, built = ensure_database(args.db, args.n, args.rebuild)
    jikimi = common.open_jikimi_at(url, name)
    with jikimi.core.engine.connect() as conn:
        ids = [r.id for r in conn.execute(select(subjects.c.id).order_by(subjects.c.id).limit(args.n))]

        def counts() -> tuple[int, int]:
            return (
                conn.execute(select(func.count()).select_from(provisions)).scalar_one(),
                conn.execute(select(func.count()).select_from(access_log)).scalar_one(),
            )

        ledger_before, log_before = counts()
        conn.rollback()
        with common.Timer() as plain:
            baseline_rows = baseline(jikimi, ids)
        ledger_mid, log_mid = counts()
        conn.rollback()
        with common.Timer() as gated:
            result = jikimi.sharing.provide(
                ids, RECIPIENT, ITEMS, basis="consent", actor=SYSTEM, source="bench"
            )
        ledger_after, log_after = counts()
    jikimi.core.engine.dispose()
    common.emit(
        {
            "bench": "sharing_provide",
            "db": args.db,
            "subjects": len(ids),
            "provided": result.allowed,
            "denied": len(result.denied),
            "ledger_rows_written": ledger_after - ledger_mid,
            "access_log_rows_written": log_after - log_mid,
            "seconds": round(gated.seconds, 3),
            "subjects_per_s": round(len(ids) / gated.seconds),
            "baseline": "select+decrypt+insert ledger rows, raw",
            "baseline_rows": baseline_rows,
            "baseline_log_rows": log_mid - log_before,
            "baseline_ledger_rows": ledger_mid - ledger_before,
            "baseline_seconds": round(plain.seconds, 3),
            "ratio": round(gated.seconds / plain.seconds, 2),
            "build": built,
            "machine": common.machine(),
        }
    )


if __name__ == "__main__":
    main()
