"""Verifying the access log: every chain row by row, the checkpoints of expired rows, the seal of
the plain rows, and the anchors.

``verify(conn, keys=ring, anchors=read_anchors(path))`` walks every chain in ``chain_seq`` order
and reports the first row of each chain that does not fit (``Break``: chain, position, ``seq``,
what is wrong): a missing position, a row that does not link to the previous MAC, a MAC that does
not match (an edit, a forged row, a row moved or copied from another chain or position), rows
stored out of order, a plain (v1) chain that no seal vouches for. Against the anchors it also
finds the rows removed from the end of a chain and whole chains deleted.

The checkpoint chains are walked first (``checkpoint_cuts``): a chain whose oldest rows expired
is walked from its newest cut point in a verified checkpoint, and an anchor at or below that
point is satisfied by it, so what remains after an expiry still verifies and a chain that expired
whole is not "deleted". A checkpoint chain is itself walked from the cut point its rows claim for
it: a forged, edited or deleted checkpoint breaks that walk, or leaves the rows it removed
missing from the chains it cut.

What cannot be checked is said in ``warnings``: without the master key only the links are
checked (not the MACs), and without anchors a truncated or deleted chain cannot be ruled out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, RowMapping

from jikimi.audit.anchors import Anchor
from jikimi.audit.chain import (
    ANCHOR_LABEL,
    CHECKPOINT_ACTION,
    GENESIS,
    SEAL_ACTION,
    is_checkpoint_chain,
    is_seal_chain,
    key_id_of,
    mac_keys,
    parse_seal_items,
    row_hash,
    row_mac,
)
from jikimi.crypto import KeyRing
from jikimi.store import access_log as log_rows
from jikimi.tombstones import TOMBSTONE_CHAIN

NO_KEY = (
    "마스터 키 없이 검증했습니다: MAC은 확인하지 않고 연결만 확인했습니다 "
    "(verified without the master key: links checked, MACs not; a forged or edited row cannot be ruled out)"
)
NO_ANCHORS = (
    "앵커 파일 없이 검증했습니다: 최근 행의 삭제(절단)나 체인 전체의 삭제는 배제할 수 없습니다 "
    "(no anchors: truncation of the newest rows or deletion of a whole chain cannot be ruled out)"
)


Digest = Callable[[bytes, str, int, Mapping[str, object]], bytes]
Cut = tuple[int, bytes]
"""Where an expiry cut a chain: the last removed position and that row's MAC."""


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
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.breaks


@dataclass
class _Walk:
    """One chain's walk: the position and MAC expected next, and the first break. A chain cut by
    an expiry starts after its cut point (``floor``)."""

    chain: str
    expected: int = 1
    prev: bytes = GENESIS
    last_seq: int = 0
    broken: Break | None = None
    rows: int = 0
    floor: int = 0

    @classmethod
    def after(cls, chain: str, cut: Cut | None) -> _Walk:
        if cut is None:
            return cls(chain)
        return cls(chain, expected=cut[0] + 1, prev=cut[1], floor=cut[0])

    def fail(self, data: Mapping[str, object] | None, problem: str, position: int | None = None) -> None:
        if self.broken is None:
            seq = int(str(data["seq"])) if data is not None else None
            self.broken = Break(self.chain, position or self.expected, seq, problem)


def _walk(
    rows: Iterator[RowMapping],
    walk: _Walk,
    digest: Digest | None,
    limit: int | None = None,
) -> None:
    """Check links, positions, storage order and (when ``digest`` is callable) each row's MAC."""
    for row in rows:
        walk.rows += 1
        if walk.broken is not None:
            continue
        data = dict(row)
        position = int(str(data["chain_seq"]))
        if position <= walk.floor:
            walk.fail(
                data,
                f"row {position} is at or below the checkpoint that expired this chain up to row "
                f"{walk.floor}: it should be gone (an expired row put back, or a forged one)",
                position,
            )
            continue
        if limit is not None and walk.expected > limit:
            walk.fail(data, "row after the upgrade point is not keyed (a plain row added after the seal)")
            continue
        if data["chain_seq"] != walk.expected:
            walk.fail(None, f"row {walk.expected} is missing (next is {data['chain_seq']})")
            continue
        if int(data["seq"]) <= walk.last_seq:
            walk.fail(data, "stored out of order (seq is lower than the previous row's): rows were reordered")
            continue
        if bytes(data["prev_hash"]) != walk.prev:
            walk.fail(data, "does not link to the previous row (a row was removed or altered)")
            continue
        stored = bytes(data["hash"])
        if digest is not None:
            computed = digest(walk.prev, walk.chain, walk.expected, data)
            if computed != stored:
                walk.fail(data, "content was altered or forged (MAC mismatch)")
                continue
        walk.prev, walk.expected, walk.last_seq = stored, walk.expected + 1, int(data["seq"])


class _Walker:
    """Walks chains under the MAC keys of a ring (none: links only)."""

    def __init__(self, conn: Connection, keys: KeyRing | None, batch: int) -> None:
        self.conn = conn
        self.keys = keys
        self.batch = batch
        self.macs = mac_keys(keys) if keys else {}

    def rows(self, chain: str) -> Iterator[RowMapping]:
        return log_rows.chain_rows(self.conn, chain, self.batch)

    def keyed(self, chain: str, cut: Cut | None = None, rows: Iterable[RowMapping] | None = None) -> _Walk:
        walk = _Walk.after(chain, cut)
        source = iter(rows) if rows is not None else self.rows(chain)
        key_id = key_id_of(chain)
        assert key_id is not None
        if self.keys is None:
            _walk(source, walk, None)
            return walk
        key = self.macs.get(key_id)
        if key is None:
            walk.fail(None, f"written under master key {key_id}, which is not in the key ring")
            _walk(source, walk, None)
            return walk

        def mac(prev: bytes, name: str, position: int, row: Mapping[str, object]) -> bytes:
            assert key is not None
            return row_mac(key, prev, name, position, row)

        _walk(source, walk, mac)
        return walk


def _merge(into: dict[str, Cut], heads: Mapping[str, Cut]) -> None:
    for chain, cut in heads.items():
        if chain not in into or cut[0] > into[chain][0]:
            into[chain] = cut


def checkpoint_cuts(
    conn: Connection, names: Sequence[str], keys: KeyRing | None, batch: int = 5000
) -> tuple[dict[str, Cut], dict[str, _Walk], list[RowMapping]]:
    """Walk the checkpoint chains; return the newest cut point of every chain that their verified
    rows list, their walks, and those rows (without the master key: links only, rows trusted).

    A checkpoint chain starts after the highest cut point any checkpoint row claims for it (old
    checkpoints expire too, and the newest lists where its own chain now starts); the claim is
    trusted only if the walk from it then verifies the row that made it."""
    walker = _Walker(conn, keys, batch)
    chains = {name: list(walker.rows(name)) for name in names if is_checkpoint_chain(name)}
    claimed: dict[str, Cut] = {}
    for rows in chains.values():
        for row in rows:
            if row["action"] == CHECKPOINT_ACTION:
                _merge(claimed, parse_seal_items(str(row["items"])))
    cuts: dict[str, Cut] = {}
    walks: dict[str, _Walk] = {}
    trusted: list[RowMapping] = []
    for name, rows in chains.items():
        walk = walks[name] = walker.keyed(name, claimed.get(name), rows)
        good_until = walk.broken.chain_seq if walk.broken is not None else None
        for row in rows:
            position = int(row["chain_seq"])
            if position <= walk.floor or (good_until is not None and position >= good_until):
                continue
            if row["action"] == CHECKPOINT_ACTION:
                trusted.append(row)
                _merge(cuts, parse_seal_items(str(row["items"])))
    return cuts, walks, trusted


def verify(
    conn: Connection,
    batch: int = 5000,
    *,
    keys: KeyRing | None = None,
    anchors: Sequence[tuple[int, Anchor | None]] | None = None,
) -> Verification:
    """Walk every chain; report the first bad row of each broken chain (see the module docstring)."""
    names = log_rows.chains(conn)
    walker = _Walker(conn, keys, batch)
    warnings: list[str] = [] if keys else [NO_KEY]
    # the checkpoints first: they say where each expired chain starts now
    cuts, walks, _ = checkpoint_cuts(conn, names, keys, batch)
    sealed: dict[str, tuple[int, bytes]] = {}
    # then the seals: they say which plain chains to trust
    for chain in names:
        if is_seal_chain(chain) and chain not in walks:
            walk = walks[chain] = walker.keyed(chain, cuts.get(chain))
            if keys is not None and walk.broken is None:
                for row in log_rows.chain_rows(conn, chain, batch):
                    if row["action"] == SEAL_ACTION:
                        for name, top in parse_seal_items(str(row["items"])).items():
                            sealed[name] = max(sealed.get(name, top), top)
    for chain in names:
        if chain in walks:
            continue
        cut = cuts.get(chain)
        if key_id_of(chain) is not None:
            walks[chain] = walker.keyed(chain, cut)
            continue
        walk = walks[chain] = _Walk.after(chain, cut)
        head = sealed.get(chain)
        if keys is not None and head is None:
            walk.fail(
                None,
                "a plain (unkeyed) chain that no seal vouches for: forged, or written without the master key",
                1,
            )
        _walk(log_rows.chain_rows(conn, chain, batch), walk, row_hash, head[0] if head else None)
        if head is not None and walk.broken is None:
            if walk.expected - 1 < head[0]:
                walk.fail(
                    None, f"rows {walk.expected}..{head[0]} sealed at the upgrade are missing (truncated)"
                )
            elif walk.prev != head[1]:
                walk.fail(
                    None,
                    "differs from the head sealed at the upgrade (rows were edited and rehashed)",
                    head[0],
                )
    breaks = [w.broken for w in walks.values() if w.broken is not None]
    for name, (seq, _) in sorted(sealed.items()):
        if name not in walks and cuts.get(name, (0, b""))[0] < seq:
            breaks.append(
                Break(name, 1, None, f"this plain chain of {seq} rows, sealed at the upgrade, was deleted")
            )
    if anchors is None:
        warnings.append(NO_ANCHORS)
    else:
        breaks += _against_anchors(anchors, walks, keys, cuts)
    return Verification(
        rows=sum(w.rows for w in walks.values()),
        chains=len(names),
        breaks=tuple(breaks),
        heads={name: w.prev.hex() for name, w in walks.items()},
        warnings=tuple(warnings),
    )


def _against_anchors(
    anchors: Sequence[tuple[int, Anchor | None]],
    walks: Mapping[str, _Walk],
    keys: KeyRing | None,
    cuts: Mapping[str, Cut],
) -> list[Break]:
    """Breaks the anchors show: a forged anchor line, a chain shorter than its newest anchor or
    gone (unless a checkpoint says it expired that far), a head that differs from the anchored MAC."""
    signing = keys.derived(ANCHOR_LABEL) if keys else {}
    newest: dict[str, Anchor] = {}
    breaks: list[Break] = []
    for number, anchor in anchors:
        if anchor is not None and anchor.chain == TOMBSTONE_CHAIN:
            continue  # the tombstone file's head (``jikimi db restore-check`` checks it)
        if anchor is None or (keys is not None and not _signed(anchor, signing)):
            chain = anchor.chain if anchor else "?"
            breaks.append(
                Break(
                    chain,
                    anchor.seq if anchor else 0,
                    None,
                    f"anchor line {number} is not a valid signed anchor",
                )
            )
            continue
        if anchor.seq > newest.get(anchor.chain, anchor).seq or anchor.chain not in newest:
            newest[anchor.chain] = anchor
    for chain, anchor in sorted(newest.items()):
        walk = walks.get(chain)
        expired = cuts.get(chain, (0, b""))[0]
        if walk is None:
            if expired >= anchor.seq:
                continue  # the whole chain expired: the checkpoint says so
            if expired:
                problem = (
                    f"the rest of the chain was deleted: anchored with {anchor.seq} rows at {anchor.at}, "
                    f"expired only up to row {expired}"
                )
            else:
                problem = f"the chain was deleted: anchored with {anchor.seq} rows at {anchor.at}"
            breaks.append(Break(chain, expired + 1, None, problem))
        elif walk.broken is not None:
            continue
        elif walk.expected - 1 < anchor.seq:
            breaks.append(
                Break(
                    chain,
                    walk.expected,
                    None,
                    f"rows {walk.expected}..{anchor.seq} are missing: truncated after the anchor of {anchor.at}",  # noqa: E501
                )
            )
    return breaks


def _signed(anchor: Anchor, signing: Mapping[str, bytes]) -> bool:
    key = signing.get(anchor.key)
    return key is not None and anchor.valid(key)
