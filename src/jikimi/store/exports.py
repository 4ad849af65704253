"""Queries on ``exports``: one row per de-identified statistics export (who, when, form, k, reason)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert

from jikimi.store.tables import exports


def add(
    conn: Connection,
    *,
    export_id: str,
    at: datetime,
    actor: str,
    kind: str,
    k: int,
    params: str,
    rows_out: int,
    suppressed: int,
) -> None:
    conn.execute(
        insert(exports).values(
            id=export_id,
            at=at,
            actor=actor,
            kind=kind,
            k=k,
            params=params,
            rows_out=rows_out,
            suppressed=suppressed,
        )
    )
