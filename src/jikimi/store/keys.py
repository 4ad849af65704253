"""The key store: per-subject data keys and the blind-index key, wrapped by the current epoch key
(``jikimi.epochs``) or, without an epoch file, by the master key ring.

Keys are written in their own short transactions, ordered so that a crash can only leave a key
without data (harmless, swept later), never data without its key: a subject's key is committed
before its values, and destroyed after them. Every destroyed key's id goes to the tombstone file
(``jikimi.tombstones``) once the destroying transaction has committed, so that a restored backup
cannot bring it back (``store.restore``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, and_, delete, exists, func, insert, not_, or_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from jikimi.clock import as_utc
from jikimi.crypto import KeyRing, MasterKey, new_data_key, unwrap_key, wrap_key
from jikimi.epochs import EpochFile, is_epoch_id
from jikimi.errors import KeyRingError
from jikimi.states import SubjectStatus
from jikimi.store.hints import among
from jikimi.store.tables import (
    KEYS_SCHEMA,
    data_keys,
    key_material,
    separated_records,
    separated_values,
    subjects,
)
from jikimi.store.uow import UnitOfWork
from jikimi.tombstones import TombstoneFile

INDEX_KEY = "blind_index"
ORPHAN_KEY_GRACE = timedelta(hours=1)
"""A key younger than this may belong to a sign-up, withdrawal or request still in flight."""


logger = logging.getLogger("jikimi.keys")


class KeyStore:
    """``master``: the master key ring (it seals the epoch keys and keys the access log);
    ``epochs``: the epoch file, if any — then ``ring`` is the epochs' ring, else the master ring;
    ``tombstones``: where destroyed key ids go, if anywhere."""

    def __init__(
        self, ring: KeyRing, *, epochs: EpochFile | None = None, tombstones: TombstoneFile | None = None
    ) -> None:
        self.master = ring
        self.epochs = epochs
        self.tombstones = tombstones
        self._ring = ring
        self._index_key: bytes | None = None

    @property
    def ring(self) -> KeyRing:
        """The keys that wrap data keys, current first."""
        return self.epochs.ring() if self.epochs is not None else self._ring

    def _wrapping_key(self, key_id: str) -> MasterKey:
        """The key ``key_id`` names; an epoch file changed by another process is read again."""
        try:
            return self.ring.get(key_id)
        except KeyRingError:
            if self.epochs is None or not is_epoch_id(key_id):
                raise
        self.epochs.reload()
        try:
            return self.ring.get(key_id)
        except KeyRingError as exc:
            raise KeyRingError(
                f"키 주기 {key_id}는 폐기되었습니다: 그 키로 감싼 데이터 키는 복구할 수 없습니다",
                f"epoch {key_id} was retired: data keys wrapped under it cannot be recovered "
                "(a backup older than the epoch, or a key missed by the retirement)",
            ) from exc

    # -- blind index key --

    def ensure_index_key(self, engine: Engine, now: datetime) -> bytes:
        """The blind-index key, created on first use. Stable across master-key rotation. Of several
        first uses at once (threads, processes on a fresh database), one creates it; the others find
        its key and use that one."""
        if self._index_key is None:
            stored = select(key_material.c.wrapped, key_material.c.master_key_id).where(
                key_material.c.name == INDEX_KEY
            )
            with engine.connect() as conn:
                row = conn.execute(stored).first()
                if row is None:
                    key = new_data_key()
                    try:
                        conn.execute(
                            insert(key_material).values(
                                name=INDEX_KEY,
                                wrapped=wrap_key(self.ring.current, key, INDEX_KEY),
                                master_key_id=self.ring.current.id,
                                created_at=now,
                            )
                        )
                        conn.commit()
                    except IntegrityError:  # another first use made it between the look and the insert
                        conn.rollback()
                        row = conn.execute(stored).one()
                    else:
                        self._index_key = key
                if row is not None:
                    self._index_key = unwrap_key(
                        self._wrapping_key(row.master_key_id), bytes(row.wrapped), INDEX_KEY
                    )
        assert self._index_key is not None
        return self._index_key

    # -- data keys --

    def create(self, conn: Connection, subject_ids: Iterable[str], now: datetime) -> dict[str, bytes]:
        keys = {sid: new_data_key() for sid in subject_ids}
        if keys:
            current = self.ring.current
            conn.execute(
                insert(data_keys),
                [
                    {
                        "subject_id": sid,
                        "wrapped": wrap_key(current, key, sid),
                        "master_key_id": current.id,
                        "created_at": now,
                    }
                    for sid, key in keys.items()
                ],
            )
        return keys

    def unwrap(self, subject_id: str, wrapped: bytes, master_key_id: str) -> bytes:
        return unwrap_key(self._wrapping_key(master_key_id), wrapped, subject_id)

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

    def destroy(self, uow: UnitOfWork, subject_ids: Iterable[str]) -> int:
        """Crypto-shred: without its data key, no copy of a subject's values can be read. The ids
        go to the tombstone file once ``uow`` commits."""
        ids = list(subject_ids)
        if not ids:
            return 0
        count = uow.conn.execute(delete(data_keys).where(among(data_keys.c.subject_id, ids))).rowcount or 0
        uow.after_commit(lambda: self.bury(ids))
        return count

    def destroy_orphans(self, uow: UnitOfWork, now: datetime) -> int:
        """``destroy_orphan_keys``, with the destroyed ids buried after the commit."""
        ids = destroy_orphan_keys(uow.conn, now)
        if ids:
            uow.after_commit(lambda: self.bury(ids))
        return len(ids)

    def bury(self, key_ids: list[str]) -> None:
        """Tombstones for destroyed keys. Called after the commit: a failure loses tombstones
        (logged; a restore could bring those keys back), never a destruction."""
        if self.tombstones is None:
            return
        try:
            self.tombstones.record(key_ids, datetime.now(UTC))
        except OSError:
            logger.error(
                "파기 기록 %d건을 쓰지 못했습니다: %s (could not write %d tombstones to %s)",
                len(key_ids),
                self.tombstones.path,
                len(key_ids),
                self.tombstones.path,
            )

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
        if self.epochs is None:
            self._ring = new_ring
        return rewrapped


# -- key state, for operators and tests: which keys exist (never the keys) -------------------------


@dataclass(frozen=True)
class KeyState:
    """The keys that open one subject's data (``Jikimi.key_state``): no key material, only whether
    each exists and which master key wraps it.

    ``data_key``: the everyday data key exists; without it (destroyed at withdrawal: crypto-
    shredding, or never made) no copy of the subject's active values can be read.
    ``retention_keys``: keys of the retention groups still sealing rows kept after withdrawal.
    """

    subject_id: str
    data_key: bool
    master_key_id: str | None  # the master key wrapping the data key (a public fingerprint)
    created_at: datetime | None
    retention_keys: int

    @property
    def destroyed(self) -> bool:
        """No key of the subject is left: none of its values, kept or active, can be decrypted."""
        return not self.data_key and self.retention_keys == 0


@dataclass(frozen=True)
class IndexKeyState:
    """The blind-index key (look-ups by value): whether it exists and which master key wraps it."""

    exists: bool
    master_key_id: str | None
    created_at: datetime | None


def key_state(conn: Connection, subject_id: str) -> KeyState:
    """Which of the subject's keys exist (its everyday key and its retention groups' keys)."""
    row = conn.execute(
        select(data_keys.c.master_key_id, data_keys.c.created_at).where(data_keys.c.subject_id == subject_id)
    ).first()
    groups = conn.execute(
        select(func.count())
        .select_from(data_keys)
        .where(data_keys.c.subject_id.startswith(f"{subject_id}~", autoescape=True))
    ).scalar_one()
    return KeyState(
        subject_id=subject_id,
        data_key=row is not None,
        master_key_id=None if row is None else row.master_key_id,
        created_at=None if row is None else as_utc(row.created_at),
        retention_keys=int(groups),
    )


def index_key_state(conn: Connection) -> IndexKeyState:
    """Whether the blind-index key exists (it is created on the first look-up or collection)."""
    row = conn.execute(
        select(key_material.c.master_key_id, key_material.c.created_at).where(
            key_material.c.name == INDEX_KEY
        )
    ).first()
    if row is None:
        return IndexKeyState(exists=False, master_key_id=None, created_at=None)
    return IndexKeyState(exists=True, master_key_id=row.master_key_id, created_at=as_utc(row.created_at))


def destroy_orphan_keys(conn: Connection, now: datetime) -> list[str]:
    """Destroy keys nothing needs any more (left by a crash between a data commit and its key
    step); returns their ids."""
    # only keys the lifecycle makes: everyday keys (a bare subject id) and retention-group keys
    # ("<subject>~<6 hex>"); other modules' keys (rights requests' "rq~<id>", complaints' "cp~<id>")
    # are theirs to keep
    group = and_(
        data_keys.c.subject_id.like("%~______"),
        not_(data_keys.c.subject_id.like("rq~%")),
        not_(data_keys.c.subject_id.like("cp~%")),
    )
    everyday = not_(data_keys.c.subject_id.like("%~%"))
    sealing = or_(
        exists().where(separated_values.c.key_id == data_keys.c.subject_id),
        exists().where(separated_records.c.key_id == data_keys.c.subject_id),
    )
    unused_group = and_(group, not_(sealing))
    unused_everyday = and_(
        everyday,
        not_(
            exists().where(
                subjects.c.id == data_keys.c.subject_id, subjects.c.status != SubjectStatus.WITHDRAWN
            )
        ),
        not_(sealing),  # kept rows a crash left under the everyday key, before their re-keying
    )
    if conn.dialect.name == "postgresql":
        # the scan's estimated cost passes jit_above_cost from a few thousand keys on, and compiling it
        # took longer than running it: 210 ms against 80 ms with 70,000 keys (docs/performance.md)
        conn.execute(text("SET LOCAL jit = off"))
    result = conn.execute(
        delete(data_keys)
        .where(
            data_keys.c.created_at < now - ORPHAN_KEY_GRACE,
            or_(unused_group, unused_everyday),
        )
        .returning(data_keys.c.subject_id)
    )
    return [row.subject_id for row in result]


def vacuum_key_table(engine: Engine) -> None:
    """At the end of each sweep on PostgreSQL: a plain ``VACUUM`` of the key table, so the dead rows
    of keys destroyed since (by withdrawals and by the sweep) are pruned now rather than when
    autovacuum gets to them; it reads only pages with dead rows (``SKIP_LOCKED``: a sweep finishing
    at the same time as another leaves it to that one). It does not promise the
    bytes are gone from every page — the epoch retirement is what makes old copies unreadable."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM (SKIP_LOCKED) {KEYS_SCHEMA}.{data_keys.name}"))


def compact(engine: Engine) -> None:
    """Rewrite the key tables so that no dead row of a destroyed key stays in their files.

    PostgreSQL keeps a deleted row in its page until a vacuum, and a plain vacuum only marks the
    space free: ``VACUUM FULL`` writes the live rows to new files and drops the old ones, and a
    ``CHECKPOINT`` lets the WAL segments holding the old pages be recycled. SQLite overwrites
    deleted rows already (``secure_delete``); ``VACUUM`` and a WAL truncation leave no old page.
    Copies left in WAL segments, archives and backups are what the epoch retirement is for: they
    hold keys wrapped under an epoch key that no longer exists."""
    tables = (f"{KEYS_SCHEMA}.{data_keys.name}", f"{KEYS_SCHEMA}.{key_material.name}")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.dialect.name == "postgresql":
            for table in tables:
                conn.execute(text(f"VACUUM (FULL, ANALYZE) {table}"))
            try:
                conn.execute(text("CHECKPOINT"))
            except DBAPIError:  # needs superuser or pg_checkpoint: the next automatic checkpoint does it
                logger.warning(
                    "CHECKPOINT 권한이 없습니다 (no privilege for CHECKPOINT; the next one recycles the WAL)"
                )
        else:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute(f"VACUUM {KEYS_SCHEMA}")
            raw.execute(f"PRAGMA {KEYS_SCHEMA}.wal_checkpoint(TRUNCATE)")
