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
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from jikimi.audit.anchors import Anchor, AnchorSink, FileSink
from jikimi.audit.chain import (
    FIELDS,
    GENESIS,
    SEAL_ACTION,
    anchor_key,
    key_id_of,
    mac_key,
    row_hash,
    row_mac,
    seal_chain,
    seal_items,
)
from jikimi.audit.verify import Break, Verification
from jikimi.audit.verify import verify as _verify
from jikimi.crypto import KeyRing
from jikimi.store import access_log as log_rows
from jikimi.store.uow import UnitOfWork

__all__ = [
    "FIELDS",
    "GENESIS",
    "AccessLog",
    "Break",
    "Entry",
    "LogEntry",
    "LogPage",
    "Verification",
    "row_hash",
    "row_mac",
    "verify",
]

logger = logging.getLogger("jikimi")


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


class AccessLog:
    """Appends chained rows. One instance per process; each thread writes its own chain.

    With a master key ring (``keys``) rows are keyed (v2) and chain ids carry the current master
    key's id; without one they are plain (v1) rows that verify only if sealed (``audit.chain``).
    ``sink`` receives the signed chain heads after each commit (``audit.anchors``)."""

    def __init__(self, keys: KeyRing | None = None, *, sink: AnchorSink | None = None) -> None:
        self._process = secrets.token_hex(8)
        self._local = threading.local()
        self._heads: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()
        self._keys = keys
        self._mac_key = mac_key(keys.current) if keys else None
        self._anchor_key = anchor_key(keys.current) if keys else None
        self._sink = sink if keys else None

    @property
    def keyed(self) -> bool:
        return self._mac_key is not None

    @property
    def anchor_file(self) -> Path | None:
        """The file the anchors go to, when the sink is a ``FileSink``."""
        return self._sink.path if isinstance(self._sink, FileSink) else None

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
        for entry in entries:
            seq += 1
            at = entry.at.astimezone(UTC)
            row, prev = self._row(chain, seq, prev, at, entry)
            rows.append(row)
        if rows:
            log_rows.append(uow.conn, rows)
            if chain not in pending:
                uow.after_commit(lambda: self._advance(chain, pending))
            pending[chain] = (seq, prev)
        return len(rows)

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
        ring = (self._keys.current, *self._keys.retired)
        with UnitOfWork(engine) as uow:
            oldest = log_rows.oldest_chain(uow.conn)
            if oldest is None or key_id_of(oldest) is not None:
                return False
            if log_rows.has_chain(uow.conn, [seal_chain(k.id) for k in ring]):
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

    def _advance(self, chain: str, pending: dict[str, tuple[int, bytes]]) -> None:
        with self._lock:
            head = self._heads[chain] = pending.pop(chain)
        if self._sink is None or self._keys is None or self._anchor_key is None:
            return
        seq, mac = head
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
