"""Kept data whose rule has a placeholder period waits for the policy to state one; every sweep looks
for it (sweep.py::_reprice). The look reads only those rows, through a partial index, however much
dormant data — which has no expiry either — the separated store holds (migration 0004)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, Table, insert, text

from jikimi.store.sweep_queries import awaiting_period
from jikimi.store.tables import separated_records, separated_values, subjects

WHEN = datetime(2026, 3, 2, tzinfo=UTC)
DORMANT = 3000
AWAITING = 5


def _separated(
    table: Table, sid: str, n: int, cause: str, rule: str | None, expires: datetime | None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "subject_id": sid,
        "ciphertext": b"\0",
        "key_id": f"{sid}~k",
        "cause": cause,
        "rule_id": rule,
        "start_at": WHEN,
        "expires_at": expires,
        "separated_at": WHEN,
    }
    if table is separated_values:
        return row | {"item_id": f"item{n}", "collected_at": WHEN, "context": "signup"}
    return row | {"id": f"{sid}r{n}", "type": "payment_record", "occurred_at": WHEN, "created_at": WHEN}


def _fill(engine: Engine, table: Table) -> set[str]:
    """3,000 dormant members (three rows each, no expiry), five rows awaiting a period, three priced."""
    ids = [f"s{i:05d}" for i in range(DORMANT + 2)]
    with engine.begin() as conn:
        conn.execute(
            insert(subjects),
            [
                {
                    "id": sid,
                    "kind": "member",
                    "status": "dormant",
                    "context": "signup",
                    "is_child": False,
                    "policy_version": "t",
                    "created_at": WHEN,
                    "last_activity_at": WHEN,
                    "status_changed_at": WHEN,
                }
                for sid in ids
            ],
        )
        rows = [_separated(table, sid, n, "dormancy", None, None) for sid in ids[:DORMANT] for n in range(3)]
        rows += [
            _separated(table, ids[DORMANT], n, "withdrawal", "after_contract", None) for n in range(AWAITING)
        ]
        rows += [
            _separated(table, ids[DORMANT + 1], n, "withdrawal", "after_contract", WHEN + timedelta(days=365))
            for n in range(3)
        ]
        conn.execute(insert(table), rows)
        conn.execute(text("ANALYZE"))
    return {ids[DORMANT]}


@pytest.mark.parametrize("table", [separated_values, separated_records], ids=lambda t: t.name)
def test_the_sweep_finds_the_rows_awaiting_a_period_through_their_own_index(
    engine: Engine, table: Table
) -> None:
    awaiting = _fill(engine, table)
    query = awaiting_period(table, ["after_contract", "another_rule"])
    with engine.connect() as conn:
        found = conn.execute(query).all()
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        if engine.dialect.name == "sqlite":
            bound = tuple(compiled.params[name] for name in compiled.positiontup or [])
            plan = " | ".join(
                str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), bound)
            )
        else:
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))
    assert {row.subject_id for row in found} == awaiting and len(found) == AWAITING
    assert f"ix_{table.name}_awaiting_period" in plan, plan
    assert all(row.rule_id == "after_contract" for row in found)
