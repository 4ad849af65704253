"""The access log (접속기록): append-only, chained with a keyed MAC, anchored outside the database.

Every collect, read (allowed or denied), correction, export, consent change and admin action
appends one row: who, when, from where, whose data, which items (ids only, never values), for
which purpose, what action, and the outcome. Rows are chained: each row's MAC (HMAC-SHA256 under
a key derived from the master key, ``audit.chain``) covers the row, its chain and position and the
previous row's MAC, so an altered, forged, moved or deleted row breaks the chain, and nobody
without the master key can recompute it. Each process (and thread) writes its own chain, so
appending never needs a global lock. After each commit the new chain heads go to an anchor sink
outside the database (``audit.anchors``), so that a truncated or deleted chain shows too;
``audit.verify`` walks every chain and names the first row that does not fit (docs/audit.md).

Rows older than the retention period are destroyed by ``AccessLog.expire``, which cuts the old
prefix off each chain and, in the same transaction, appends a keyed checkpoint that says where
each cut chain starts now (``audit.chain``), so that what remains still verifies.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, RowMapping

from jikimi.audit.anchors import Anchor, AnchorSink, file_of
from jikimi.audit.chain import (
    CHECKPOINT_ACTION,
    FIELDS,
    GENESIS,
    SEAL_ACTION,
    SEAL_SUFFIX,
    anchor_key,
    checkpoint_chain,
    key_id_of,
    mac_key,
    mac_keys,
    parse_seal_items,
    row_hash,
    row_mac,
    seal_chain,
    seal_items,
)
from jikimi.audit.verify import Break, Cut, Verification, checkpoint_cuts
from jikimi.audit.verify import verify as _verify
from jikimi.crypto import KeyRing
from jikimi.errors import UsageError
from jikimi.store import access_log as log_rows
from jikimi.store import partitions
from jikimi.store.uow import UnitOfWork

__all__ = [
    "FIELDS",
    "GENESIS",
    "AccessLog",
    "Break",
    "Entry",
    "Expiry",
    "LogEntry",
    "LogPage",
    "Verification",
    "row_hash",
    "row_mac",
    "verify",
]

logger = logging.getLogger("jikimi")
WAIT = partitions.INSERT_WAIT


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One access-log row before it is chained (built with keywords: ``Entry(at=…, actor=…, …)``)."""

    at: datetime
    actor: str
    action: str
    outcome: str
    subject_id: str | None = None
    items: Sequence[str] = ()
    purpose: str | None = None
    source: str = "local"
    reason: str | None = None
    count: int = 1


@dataclass(frozen=True, kw_only=True)
class LogEntry:
    """One access-log row as read back (``jikimi.audit.about_subject`` and the other readers): item
    ids, purposes and opaque subject ids only, never values. ``seq`` orders the whole log."""

    seq: int
    at: datetime  # UTC
    actor: str
    action: str
    outcome: str
    subject_id: str | None
    items: tuple[str, ...]
    purpose: str | None
    source: str
    reason: str | None
    count: int


@dataclass(frozen=True)
class LogPage:
    """One page of access-log rows in log order; ``next_after`` is the ``after`` of the next page
    (``None``: this was the last)."""

    entries: tuple[LogEntry, ...]
    next_after: int | None


@dataclass(frozen=True)
class Expiry:
    """What one expiry of the access log did: the rows older than ``before`` were due; ``rows``
    of them were destroyed from the ``chains`` listed, and the checkpoint at ``checkpoint`` (its
    position in ``<key id>.checkpoint``) records the cut points. ``kept``: chains left whole
    because their last due row does not verify (evidence, for ``jikimi audit verify``); ``held``:
    why nothing was destroyed (a checkpoint that does not verify). Chain ids only, never data."""

    before: datetime
    rows: int = 0
    chains: tuple[str, ...] = ()
    checkpoint: int | None = None
    kept: tuple[str, ...] = ()
    held: str | None = None


class AccessLog:
    """Appends chained rows. One instance per process; each thread writes its own chain.

    With a master key ring (``keys``) rows are keyed (v2) and chain ids carry the current master
    key's id; without one they are plain (v1) rows that verify only if sealed (``audit.chain``).
    ``sink`` receives the signed chain heads after each commit (``audit.anchors``). ``keep_years``
    is the operator's retention in years (``JIKIMI_ACCESS_LOG_YEARS``; ``None``: the law's
    minimum, ``audit.retention``)."""

    def __init__(
        self, keys: KeyRing | None = None, *, sink: AnchorSink | None = None, keep_years: int | None = None
    ) -> None:
        self._process = secrets.token_hex(8)
        self._local = threading.local()
        self._heads: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()
        self._keys = keys
        self._mac_key = mac_key(keys.current) if keys else None
        self._anchor_key = anchor_key(keys.current) if keys else None
        self._sink = sink if keys else None
        self._months: set[partitions.Month] = set()
        self._prepared = False
        self._observers: list[Callable[[Counter[tuple[str, str]]], None]] = []
        self.keep_years = keep_years

    def observe(self, observer: Callable[[Counter[tuple[str, str]]], None]) -> None:
        """Call ``observer`` with the rows' ``(action, outcome)`` counts each time rows commit (the
        API's ``/metrics``: gate decisions by reason). Codes only, never an actor or a subject."""
        self._observers.append(observer)

    @property
    def keyed(self) -> bool:
        return self._mac_key is not None

    @property
    def anchor_file(self) -> Path | None:
        """The file the anchors go to, when one of the sinks is a ``FileSink``."""
        return file_of(self._sink)

    def _chain(self) -> str:
        chain = getattr(self._local, "chain", None)
        if chain is None:
            chain = f"{self._process}-{threading.get_ident() % 10**8:08d}"
            if self._keys is not None:
                chain = f"{self._keys.current.id}.{chain}"
            self._local.chain = chain
        return chain

    def _digest(self, prev: bytes, chain: str, seq: int, row: dict[str, object]) -> bytes:
        if self._mac_key is None:
            return row_hash(prev, chain, seq, row)
        return row_mac(self._mac_key, prev, chain, seq, row)

    def append(self, uow: UnitOfWork, entries: Iterable[Entry]) -> int:
        """Append rows inside the caller's unit of work; they count once it commits."""
        chain = self._chain()
        pending: dict[str, tuple[int, bytes]] = uow.__dict__.setdefault("_audit_pending", {})
        with self._lock:
            seq, prev = pending.get(chain) or self._heads.get(chain) or (0, GENESIS)
        rows: list[tuple[object, ...]] = []
        months: set[partitions.Month] = set()
        counted: Counter[tuple[str, str]] = Counter()
        for entry in entries:
            counted[entry.action, entry.outcome] += 1
            seq += 1
            at = entry.at.astimezone(UTC)
            months.add(partitions.month_of(at))
            row, prev = self._row(chain, seq, prev, at, entry)
            rows.append(row)
        if rows:
            self._partitions_for(uow, months)
            log_rows.append(uow.conn, rows)
            if chain not in pending:
                uow.after_commit(lambda: self._advance(chain, pending))
            pending[chain] = (seq, prev)
            for observer in self._observers:
                uow.after_commit(lambda observer=observer: observer(counted))  # type: ignore[misc]
        return len(rows)

    def _partitions_for(self, uow: UnitOfWork, months: set[partitions.Month]) -> None:
        """PostgreSQL, in a process that made this month's and the next (``prepare``, at open): a
        row of another month has its partition made first (once per process and month, outside
        the caller's transaction; ``store.partitions``). Elsewhere its rows wait in the default
        partition until ``prepare`` runs (each expiry does)."""
        unknown = months - self._months
        if unknown and self._prepared:
            absent, holding = partitions.missing(uow.conn, unknown)  # one look, in the caller's transaction
            engine = uow.conn.engine
            if absent and holding:  # it holds a lock on the log: make them once it has ended
                uow.after_commit(lambda: self._months.update(partitions.ensure(engine, absent, wait=WAIT)))
            elif absent:  # made outside it, waiting only briefly for the log's lock; tried once
                partitions.ensure(engine, absent, wait=WAIT)
            self._months |= unknown

    def prepare(self, engine: Engine, now: datetime) -> None:
        """Make this month's and next month's partitions if missing (PostgreSQL; at open and after
        each expiry), and from then on any other month's before its first row."""
        month = partitions.month_of(now)
        self._months |= partitions.ensure(engine, {month, partitions.following(month)})
        self._prepared = engine.dialect.name == "postgresql"

    def _row(
        self, chain: str, seq: int, prev: bytes, at: datetime, entry: Entry
    ) -> tuple[tuple[object, ...], bytes]:
        """The row's columns (in the order of ``COLUMNS``) and its MAC."""
        row: dict[str, object] = {"at": at, **{f: getattr(entry, f) for f in FIELDS}}
        row["items"] = json.dumps(sorted(entry.items))
        digest = self._digest(prev, chain, seq, row)
        return (chain, seq, *(row[c] for c in log_rows.COLUMNS[2:-2]), prev, digest), digest

    def seal(self, engine: Engine, at: datetime) -> bool:
        """If the log holds plain (v1) rows and no seal under a key of the ring exists, record the
        plain chains' heads in the seal, in its own transaction (``open_jikimi`` calls this once at
        start, after the schema upgrade). Returns whether this call wrote the seal."""
        if self._keys is None:
            return False
        ids = self._keys.ids()
        with UnitOfWork(engine) as uow:
            log_rows.lock(uow.conn, "seal")
            oldest = log_rows.oldest_chain(uow.conn)
            if oldest is None or key_id_of(oldest) is not None:
                return False
            if log_rows.has_chain(uow.conn, [seal_chain(key_id) for key_id in ids]):
                return False
            heads = log_rows.plain_heads(uow.conn)
            entry = Entry(
                at=at,
                actor="system",
                action=SEAL_ACTION,
                outcome="allowed",
                items=seal_items(heads),
                reason="plain (v1) chains sealed at the upgrade to the keyed log",
                count=len(heads),
            )
            row, _ = self._row(seal_chain(self._keys.current.id), 1, GENESIS, at.astimezone(UTC), entry)
            log_rows.append_once(uow.conn, row)
            uow.commit()
        return True

    def expire(self, uow: UnitOfWork, *, before: datetime, at: datetime, note: str = "") -> Expiry:
        """Destroy, inside ``uow``, the rows older than ``before``: the longest prefix of each chain
        whose rows are all older (a row kept keeps every row after it), and append a checkpoint
        (at ``at``) listing each chain's new cut point and every cut point still needed from the
        checkpoints removed. Expiries are serialised (a lock), so several sweeps may run at once.

        Nothing is destroyed (``held``) while a checkpoint chain does not verify; a chain whose
        last due row does not verify is kept whole (``kept``). The seals are never expired."""
        if self._keys is None or self._mac_key is None:
            raise UsageError(
                "마스터 키 없이는 접속기록을 파기할 수 없습니다 (검증점에 키가 필요합니다)",
                "the access log cannot be expired without the master key: its checkpoint is keyed",
            )
        conn, before = uow.conn, before.astimezone(UTC)
        log_rows.lock(conn, "expiry")
        due = self._due(conn, before)
        if not due:
            return Expiry(before)
        ids = self._keys.ids()  # a checkpoint under another key cannot count
        _, walks, trusted = checkpoint_cuts(conn, [checkpoint_chain(key_id) for key_id in ids], self._keys)
        broken = sorted(w.chain for w in walks.values() if w.broken is not None)
        if broken:
            return Expiry(
                before, held=f"checkpoint chain {broken[0]} does not verify: run jikimi audit verify"
            )
        new: dict[str, Cut] = {}
        kept: list[str] = []
        macs = mac_keys(self._keys)
        for chain, upto in sorted(due.items()):
            last = log_rows.row_at(conn, chain, upto)
            if last is None or not _authentic(macs, chain, upto, last):
                kept.append(chain)
            else:
                new[chain] = (upto, bytes(last["hash"]))
        if not new:
            return Expiry(before, kept=tuple(kept))
        listed = _carried(trusted, new)
        mine = checkpoint_chain(self._keys.current.id)
        top, prev = log_rows.head(conn, mine) or (0, GENESIS)  # before its own old rows may go
        removed = log_rows.remove_prefixes(conn, {c: cut[0] for c, cut in new.items()}, before)
        entry = Entry(
            at=at,
            actor="system",
            action=CHECKPOINT_ACTION,
            outcome="allowed",
            items=seal_items([(chain, seq, mac) for chain, (seq, mac) in listed.items()]),
            reason=f"rows before {before.isoformat()} expired" + (f"; {note}" if note else ""),
            count=removed,
        )
        row, mac = self._row(mine, top + 1, prev, at.astimezone(UTC), entry)
        self._partitions_for(uow, {partitions.month_of(at)})
        log_rows.append(conn, [row])
        uow.after_commit(lambda: self._anchor(mine, top + 1, mac))
        return Expiry(before, removed, tuple(sorted(new)), top + 1, tuple(kept))

    def _due(self, conn: Connection, before: datetime) -> dict[str, int]:
        """``{chain: last position to remove}``: the prefix of each chain whose rows are all older
        than ``before`` (the seals left out), where it holds a row."""
        due: dict[str, int] = {}
        for chain, (first_old, last_old) in log_rows.old_spans(
            conn, before, except_like="%" + SEAL_SUFFIX
        ).items():
            newer = log_rows.first_since(conn, chain, before)
            upto = last_old if newer is None else newer - 1
            if upto >= first_old:
                due[chain] = upto
        return due

    def _advance(self, chain: str, pending: dict[str, tuple[int, bytes]]) -> None:
        with self._lock:
            head = self._heads[chain] = pending.pop(chain)
        self._anchor(chain, *head)

    def _anchor(self, chain: str, seq: int, mac: bytes) -> None:
        """Hand the signed head of ``chain`` to the sink (after the commit that wrote it)."""
        if self._sink is None or self._keys is None or self._anchor_key is None:
            return
        anchor = Anchor(
            chain=chain,
            seq=seq,
            mac=mac.hex(),
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            key=self._keys.current.id,
        )
        try:
            self._sink.write([anchor.signed(self._anchor_key)])
        except Exception:  # an anchor lost is logged; the rows are committed already
            logger.exception(
                "접속기록 앵커를 쓰지 못했습니다 (could not write an access-log anchor) chain=%s", chain
            )


def _authentic(macs: dict[str, bytes], chain: str, position: int, row: RowMapping) -> bool:
    """Whether a row's MAC (a plain row's digest) is what its content and link give. A chain
    under a key no longer in the ring cannot be checked, and is taken as it is."""
    data: dict[str, object] = dict(row)
    prev, stored = bytes(row["prev_hash"]), bytes(row["hash"])
    key_id = key_id_of(chain)
    if key_id is None:
        return row_hash(prev, chain, position, data) == stored
    key = macs.get(key_id)
    return key is None or row_mac(key, prev, chain, position, data) == stored


def _carried(trusted: list[RowMapping], new: dict[str, Cut]) -> dict[str, Cut]:
    """What the new checkpoint lists: the new cut points, and every cut point of a checkpoint row
    removed now (its chain's prefix is in ``new``) that no checkpoint staying lists as far."""

    def going(row: RowMapping) -> bool:
        return str(row["chain"]) in new and int(row["chain_seq"]) <= new[str(row["chain"])][0]

    staying: dict[str, int] = {}
    for row in trusted:
        if not going(row):
            for chain, (seq, _) in parse_seal_items(str(row["items"])).items():
                staying[chain] = max(staying.get(chain, 0), seq)
    listed = dict(new)
    for row in trusted:
        if going(row):
            for chain, cut in parse_seal_items(str(row["items"])).items():
                if cut[0] > max(staying.get(chain, 0), listed.get(chain, (0, b""))[0]):
                    listed[chain] = cut
    return listed


def verify(
    conn: Connection,
    batch: int = 5000,
    *,
    keys: KeyRing | None = None,
    anchors: Sequence[tuple[int, Anchor | None]] | None = None,
) -> Verification:
    """Walk every chain of the log: MACs under ``keys`` (none: links only), truncation and deleted
    chains against ``anchors`` (``audit.anchors.read_anchors``); the first bad row of each broken
    chain is named (``audit.verify``)."""
    return _verify(conn, batch, keys=keys, anchors=anchors)
