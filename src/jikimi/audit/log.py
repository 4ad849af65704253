"""The access log (접속기록): append-only, hash-chained, verifiable, reviewed monthly.

Every collect, read (allowed or denied), correction, export, consent change and admin action
appends one row: who, when, from where, whose data, which items (ids only, never values), for
which purpose, what action, and the outcome. Rows are chained: each row's hash covers the row
and the previous row's hash, so an altered or deleted row breaks the chain. Each process (and
thread) writes its own chain, so appending never needs a global lock; ``verify`` walks every
chain and names the first row that does not fit.

Limits: a chain proves what is in it; removing the newest rows of a chain leaves a shorter
chain that still verifies. The monthly report lists the chain heads so that the officer can keep
them (signed, printed) as an anchor; comparing with earlier heads detects a truncation.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from jikimi.store import access_log as log_rows
from jikimi.store.uow import UnitOfWork

GENESIS = b"\x00" * 32


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


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _dumps(body: list[object]) -> bytes:
    return _ENCODER.encode(body).encode("utf-8")


FIELDS = ("actor", "source", "subject_id", "items", "purpose", "action", "outcome", "reason", "count")
"""The columns a row's hash covers after its chain, position and instant, in that order."""


def _canonical(chain: str, chain_seq: int, row: Mapping[str, object]) -> bytes:
    at = row["at"]
    assert isinstance(at, datetime)
    body = [chain, chain_seq, _normalise_at(at).isoformat(timespec="microseconds"), *(row[f] for f in FIELDS)]
    return _dumps(body)


def row_hash(prev: bytes, chain: str, chain_seq: int, row: Mapping[str, object]) -> bytes:
    return hashlib.sha256(prev + _canonical(chain, chain_seq, row)).digest()


def _normalise_at(moment: datetime) -> datetime:
    """The instant as naive UTC: SQLite gives back naive UTC, PostgreSQL aware; hash the same."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class AccessLog:
    """Appends chained rows. One instance per process; each thread writes its own chain."""

    def __init__(self) -> None:
        self._process = secrets.token_hex(8)
        self._local = threading.local()
        self._heads: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()

    def _chain(self) -> str:
        chain = getattr(self._local, "chain", None)
        if chain is None:
            chain = f"{self._process}-{threading.get_ident() % 10**8:08d}"
            self._local.chain = chain
        return chain

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
            row: dict[str, object] = {"at": at, **{f: getattr(entry, f) for f in FIELDS}}
            row["items"] = json.dumps(sorted(entry.items))
            digest = row_hash(prev, chain, seq, row)
            rows.append((chain, seq, *(row[c] for c in log_rows.COLUMNS[2:-2]), prev, digest))
            prev = digest
        if rows:
            log_rows.append(uow.conn, rows)
            if chain not in pending:
                uow.after_commit(lambda: self._advance(chain, pending))
            pending[chain] = (seq, prev)
        return len(rows)

    def _advance(self, chain: str, pending: dict[str, tuple[int, bytes]]) -> None:
        with self._lock:
            self._heads[chain] = pending.pop(chain)


@dataclass(frozen=True)
class Break:
    """The first row of a chain that does not verify."""

    chain: str
    chain_seq: int
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"row seq={self.seq}" if self.seq is not None else "a row"
        return f"chain {self.chain}: {where} (chain position {self.chain_seq}): {self.problem}"


@dataclass(frozen=True)
class Verification:
    rows: int
    chains: int
    breaks: tuple[Break, ...]
    heads: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(conn: Connection, batch: int = 5000) -> Verification:
    """Walk every chain; report the first altered or missing row of each broken chain."""
    chains = log_rows.chains(conn)
    breaks: list[Break] = []
    heads: dict[str, str] = {}
    total = 0
    for chain in chains:
        expected_seq, prev = 1, GENESIS
        broken = False
        for row in log_rows.chain_rows(conn, chain, batch):
            total += 1
            if broken:
                continue
            data = dict(row)
            if data["chain_seq"] != expected_seq:
                breaks.append(
                    Break(
                        chain,
                        expected_seq,
                        None,
                        f"row {expected_seq} is missing (next is {data['chain_seq']})",
                    )
                )
                broken = True
                continue
            if bytes(data["prev_hash"]) != prev:
                breaks.append(
                    Break(
                        chain,
                        expected_seq,
                        data["seq"],
                        "does not link to the previous row (a row was removed or altered)",
                    )
                )
                broken = True
                continue
            digest = row_hash(prev, chain, expected_seq, data)
            if digest != bytes(data["hash"]):
                breaks.append(Break(chain, expected_seq, data["seq"], "content was altered (hash mismatch)"))
                broken = True
                continue
            prev, expected_seq = digest, expected_seq + 1
        heads[chain] = prev.hex()
    return Verification(rows=total, chains=len(chains), breaks=tuple(breaks), heads=heads)
