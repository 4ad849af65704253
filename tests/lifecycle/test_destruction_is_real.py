"""Destruction is real: rows gone, keys gone, and no copy of the ciphertext left in the SQLite files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jikimi.clock import FixedClock
from jikimi.store.tables import data_keys, item_values

from ..conftest import MEMBER
from .conftest import VaultFor


def _files(db_url: str) -> list[Path]:
    main = Path(db_url.removeprefix("sqlite:///"))
    return [p for p in main.parent.iterdir() if p.is_file()]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_destroyed_values_leave_no_ciphertext_in_the_database_files(
    vault_for: VaultFor, clock: FixedClock, db_url: str
) -> None:
    jikimi = vault_for("reference")
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    with jikimi.core.engine.connect() as conn:
        sealed = {
            r.item_id: bytes(r.ciphertext)
            for r in conn.execute(select(item_values).where(item_values.c.subject_id == sid))
        }
        wrapped = bytes(
            conn.execute(select(data_keys.c.wrapped).where(data_keys.c.subject_id == sid)).scalar_one()
        )
    jikimi.lifecycle.withdraw(sid, "member_request")
    clock.advance(timedelta(days=1))
    jikimi.lifecycle.sweep()
    blobs = b"".join(p.read_bytes() for p in _files(db_url))
    for item_id in ("name", "mobile", "email", "birthdate"):
        assert sealed[item_id] not in blobs, item_id
    assert wrapped not in blobs  # the everyday data key is gone from the key file too


def test_a_sweep_destroys_keys_nothing_needs_and_keeps_other_modules_keys(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    """A crash between a data commit and its key step leaves an unused key; the next sweep destroys it.
    Keys of rights requests (``rq~…``) are not the lifecycle's to destroy."""
    jikimi = vault_for("reference")
    with jikimi.core.engine.begin() as conn:
        jikimi.core.keys.create(conn, ["gone-subject", "gone-subject~abcdef", "rq~request-1"], clock.now())
    clock.advance(timedelta(hours=2))
    assert jikimi.lifecycle.sweep().keys_destroyed == 2
    with jikimi.core.engine.connect() as conn:
        left = {r[0] for r in conn.execute(select(data_keys.c.subject_id))}
    assert "rq~request-1" in left and "gone-subject" not in left and "gone-subject~abcdef" not in left
