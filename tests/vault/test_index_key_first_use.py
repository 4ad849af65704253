"""The blind-index key is made once: first uses at the same moment — threads, or processes starting on a
fresh database — all end up with the one key stored, none with an error (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, func, select

from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.store.keys import KeyStore
from jikimi.store.tables import key_material

STARTS = 8


def test_first_uses_at_once_agree_on_one_index_key(engine: Engine, clock: FixedClock) -> None:
    ring = KeyRing(MasterKey.generate())
    stores = [KeyStore(ring) for _ in range(STARTS)]  # one a process: none knows the others' key
    start = threading.Barrier(STARTS)

    def first_use(store: KeyStore) -> bytes:
        start.wait()
        return store.ensure_index_key(engine, clock.now())

    with ThreadPoolExecutor(max_workers=STARTS) as pool:
        keys = list(pool.map(first_use, stores))
    assert len(set(keys)) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(key_material)).scalar_one() == 1
    assert KeyStore(ring).ensure_index_key(engine, clock.now()) == keys[0]  # the one stored
