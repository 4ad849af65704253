"""The key store: per-subject data keys and the blind-index key, wrapped by the master key ring.

Keys are written in their own short transactions, ordered so that a crash can only leave a key
without data (harmless, swept later), never data without its key: a subject's key is committed
before its values, and destroyed after them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from jikimi.crypto import KeyRing, new_data_key, unwrap_key, wrap_key
from jikimi.store.hints import among
from jikimi.store.tables import data_keys, key_material

INDEX_KEY = "blind_index"


class KeyStore:
    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self._index_key: bytes | None = None

    # -- blind index key --

    def ensure_index_key(self, engine: Engine, now: datetime) -> bytes:
        """The blind-index key, created on first use. Stable across master-key rotation."""
        if self._index_key is None:
            with engine.connect() as conn:
                row = conn.execute(
                    select(key_material.c.wrapped, key_material.c.master_key_id).where(
                        key_material.c.name == INDEX_KEY
                    )
                ).first()
                if row is None:
                    key = new_data_key()
                    conn.execute(
                        insert(key_material).values(
                            name=INDEX_KEY,
                            wrapped=wrap_key(self.ring.current, key, INDEX_KEY),
                            master_key_id=self.ring.current.id,
                            created_at=now,
                        )
                    )
                    conn.commit()
                    self._index_key = key
                else:
                    self._index_key = unwrap_key(
                        self.ring.get(row.master_key_id), bytes(row.wrapped), INDEX_KEY
                    )
        return self._index_key

    # -- data keys --

    def create(self, conn: Connection, subject_ids: Iterable[str], now: datetime) -> dict[str, bytes]:
        keys = {sid: new_data_key() for sid in subject_ids}
        if keys:
            conn.execute(
                insert(data_keys),
                [
                    {
                        "subject_id": sid,
                        "wrapped": wrap_key(self.ring.current, key, sid),
                        "master_key_id": self.ring.current.id,
                        "created_at": now,
                    }
                    for sid, key in keys.items()
                ],
            )
        return keys

    def unwrap(self, subject_id: str, wrapped: bytes, master_key_id: str) -> bytes:
        return unwrap_key(self.ring.get(master_key_id), wrapped, subject_id)

    def get(self, conn: Connection, subject_id: str) -> bytes | None:
        row = conn.execute(
            select(data_keys.c.wrapped, data_keys.c.master_key_id).where(data_keys.c.subject_id == subject_id)
        ).first()
        return None if row is None else self.unwrap(subject_id, bytes(row.wrapped), row.master_key_id)

    def get_many(self, conn: Connection, subject_ids: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(subject_ids), 500):
            chunk = subject_ids[start : start + 500]
            for row in conn.execute(
                select(data_keys.c.subject_id, data_keys.c.wrapped, data_keys.c.master_key_id).where(
                    data_keys.c.subject_id.in_(chunk)
                )
            ):
                found[row.subject_id] = self.unwrap(row.subject_id, bytes(row.wrapped), row.master_key_id)
        return found

    def destroy(self, conn: Connection, subject_ids: Iterable[str]) -> int:
        """Crypto-shred: without its data key, no copy of a subject's values can be read."""
        ids = list(subject_ids)
        if not ids:
            return 0
        return conn.execute(delete(data_keys).where(among(data_keys.c.subject_id, ids))).rowcount or 0

    def rotate(self, engine: Engine, new_ring: KeyRing, batch: int = 1000) -> int:
        """Re-wrap every data key (and the index key) under ``new_ring.current``; values are untouched."""
        rewrapped = 0
        with engine.connect() as conn:
            row = conn.execute(select(key_material).where(key_material.c.name == INDEX_KEY)).first()
            if row is not None and row.master_key_id != new_ring.current.id:
                key = unwrap_key(new_ring.get(row.master_key_id), bytes(row.wrapped), INDEX_KEY)
                conn.execute(
                    update(key_material)
                    .where(key_material.c.name == INDEX_KEY)
                    .values(
                        wrapped=wrap_key(new_ring.current, key, INDEX_KEY), master_key_id=new_ring.current.id
                    )
                )
                conn.commit()
            while True:
                rows = conn.execute(
                    select(data_keys.c.subject_id, data_keys.c.wrapped, data_keys.c.master_key_id)
                    .where(data_keys.c.master_key_id != new_ring.current.id)
                    .limit(batch)
                ).all()
                if not rows:
                    break
                for r in rows:
                    key = unwrap_key(new_ring.get(r.master_key_id), bytes(r.wrapped), r.subject_id)
                    conn.execute(
                        update(data_keys)
                        .where(data_keys.c.subject_id == r.subject_id)
                        .values(
                            wrapped=wrap_key(new_ring.current, key, r.subject_id),
                            master_key_id=new_ring.current.id,
                        )
                    )
                conn.commit()
                rewrapped += len(rows)
        self.ring = new_ring
        return rewrapped
