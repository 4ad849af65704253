"""The baseline of ``bench/http_api.py``: a minimal FastAPI app doing a gated read's database work by hand.

What a service would write without jikimi, on the same database, key ring and server stack
(uvicorn with the same workers, httptools, uvloop): the bearer token's handler found by the token's
digest (kept for two seconds, as jikimi does), the read appended to a log table of its own in
the same transaction (begun as jikimi's are, on the same engine: ``BEGIN IMMEDIATE``), the
subject's wrapped key and encrypted values selected, the key unwrapped, the values decrypted,
JSON out. No purpose, consent, state or role check; no hash chain.

Not a benchmark itself: ``bench/http_api.py`` starts it with uvicorn (``--factory``).
"""

from __future__ import annotations

import os
import time
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import text

from jikimi.crypto import open_value, token_digest
from jikimi.settings import Settings
from jikimi.store.bulk import driver_cursor

TOKEN_SECONDS = 2.0


class ReadIn(BaseModel):
    items: list[str]
    purpose: str


def app() -> FastAPI:
    from jikimi.bootstrap import open_jikimi

    jikimi = open_jikimi(Settings.from_env(), migrate=False, first=False)
    engine, keys = jikimi.core.engine, jikimi.core.keys
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bench_hand_log (at TIMESTAMP, actor TEXT, subject_id TEXT, "
                "items TEXT, purpose TEXT)"
            )
        )
    tokens: dict[bytes, tuple[float, str]] = {}
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    select_values = (
        "SELECT v.item_id, v.ciphertext, k.wrapped, k.master_key_id FROM item_values v "
        "JOIN jikimi_keys.data_keys k ON k.subject_id = v.subject_id "
        f"WHERE v.subject_id = {mark} AND v.item_id IN "
    )
    insert_log = f"INSERT INTO bench_hand_log VALUES ({', '.join([mark] * 5)})"
    hand = FastAPI()

    def handler_of(authorization: str | None) -> str:
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401)
        digest = token_digest(authorization[7:])
        kept = tokens.get(digest)
        if kept is not None and time.monotonic() - kept[0] < TOKEN_SECONDS:
            return kept[1]
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT login FROM handlers WHERE token_digest = :d AND disabled_at IS NULL"),
                {"d": digest},
            ).first()
            conn.commit()
        if row is None:
            raise HTTPException(401)
        tokens[digest] = (time.monotonic(), str(row[0]))
        return str(row[0])

    @hand.post("/v1/subjects/{subject_id}/read")
    def read(subject_id: str, body: ReadIn, authorization: str | None = Header(None)) -> dict[str, Any]:
        login = handler_of(authorization)
        with engine.begin() as conn:  # one transaction, as jikimi's: the log row and the read together
            cursor = driver_cursor(conn)
            cursor.execute(
                insert_log,
                [jikimi.core.now(), login, subject_id, ",".join(body.items), body.purpose],
            )
            cursor.execute(
                select_values + f"({', '.join([mark] * len(body.items))})", [subject_id, *body.items]
            )
            rows = cursor.fetchall()
            cursor.close()
        if not rows:
            raise HTTPException(404)
        key = keys.unwrap(subject_id, bytes(rows[0][2]), rows[0][3])
        values = {r[0]: open_value(key, subject_id, r[0], bytes(r[1])) for r in rows}
        return {"subject_id": subject_id, "purpose": body.purpose, "values": values}

    @hand.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "pid": str(os.getpid())}

    return hand
