"""How an access-log row is authenticated: the keyed chain (v2) and the plain one it replaces (v1).

**Keyed rows (v2).** A row's MAC is HMAC-SHA256, under a key derived from a master key
(``crypto.derive_key(master, MAC_LABEL)``, never stored), over the previous row's MAC and the
canonical row: the scheme tag, the chain id, the position in the chain (``chain_seq``), the instant
and every column in ``FIELDS``. The chain id of a keyed chain starts with the id (a public
fingerprint) of the master key it is written under, ``<key id>.<process>-<thread>``, so the
verifier knows which key to derive. Without the master key nobody can write a row that verifies:
an edit, a forged row, a row moved to another chain or position breaks at that row.

**Plain rows (v1).** Before the keyed log a row's "hash" was SHA-256 over the same canonical row,
with no key (``row_hash``); whoever could write the table could recompute it. Such chains (ids with
no ``.``) are trusted only up to the heads recorded in the *seal*: the keyed row written once, by
``open_jikimi`` at start when it finds plain rows and no seal (``AccessLog.seal``), in the chain
``<key id>.seal``. Its ``items`` list
every plain chain as ``chain:last chain_seq:last hash``; a plain chain not in a seal, or longer,
shorter or different from it, does not verify. A process opened without a master key
(``bootstrap.open_admin`` when no key is configured) still writes plain rows; once a seal exists
they do not verify, and ``jikimi audit verify`` says so.

**Checkpoints.** Rows older than the log's retention period are destroyed (``AccessLog.expire``),
which cuts a prefix off each old chain. In the same transaction a keyed *checkpoint* row is
appended to the chain ``<key id>.checkpoint`` (action ``audit.checkpoint``); its ``items`` list,
as ``chain:last removed chain_seq:that row's MAC``, every chain cut by this expiry — the
checkpoint chain itself included when old checkpoints go — and every cut point still needed from
the checkpoints it removes. The verifier starts each cut chain after its newest cut point; an
anchor at or below it is satisfied by it. The seal is never expired.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from jikimi.crypto import KeyRing, MasterKey, derive_key

GENESIS = b"\x00" * 32
"""The "previous MAC" of a chain's first row."""
MAC_LABEL = "jikimi/access-log/mac/v1"
ANCHOR_LABEL = "jikimi/access-log/anchor/v1"
SCHEME = "v2"
SEAL_ACTION = "audit.seal"
SEAL_SUFFIX = ".seal"
CHECKPOINT_ACTION = "audit.checkpoint"
CHECKPOINT_SUFFIX = ".checkpoint"

FIELDS = ("actor", "source", "subject_id", "items", "purpose", "action", "outcome", "reason", "count")
"""The columns a row's MAC covers after its chain, position and instant, in that order."""

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _dumps(body: list[object]) -> bytes:
    return _ENCODER.encode(body).encode("utf-8")


def normalise_at(moment: datetime) -> datetime:
    """The instant as naive UTC: SQLite gives back naive UTC, PostgreSQL aware; hash the same."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _canonical(chain: str, chain_seq: int, row: Mapping[str, object]) -> list[object]:
    at = row["at"]
    assert isinstance(at, datetime)
    return [chain, chain_seq, normalise_at(at).isoformat(timespec="microseconds"), *(row[f] for f in FIELDS)]


def row_hash(prev: bytes, chain: str, chain_seq: int, row: Mapping[str, object]) -> bytes:
    """The plain (v1) digest: SHA-256 over the previous digest and the row. No key: forgeable."""
    return hashlib.sha256(prev + _dumps(_canonical(chain, chain_seq, row))).digest()


def row_mac(key: bytes, prev: bytes, chain: str, chain_seq: int, row: Mapping[str, object]) -> bytes:
    """The keyed (v2) MAC of a row: HMAC-SHA256 over the previous MAC and the tagged canonical row."""
    return hmac.new(key, prev + _dumps([SCHEME, *_canonical(chain, chain_seq, row)]), hashlib.sha256).digest()


def mac_key(master: MasterKey) -> bytes:
    return derive_key(master, MAC_LABEL)


def anchor_key(master: MasterKey) -> bytes:
    return derive_key(master, ANCHOR_LABEL)


def mac_keys(ring: KeyRing) -> dict[str, bytes]:
    """The MAC key of every master key in the ring, by master key id."""
    return ring.derived(MAC_LABEL)


def key_id_of(chain: str) -> str | None:
    """The master key id a keyed chain is written under; ``None`` for a plain (v1) chain."""
    key_id, dot, _ = chain.partition(".")
    return key_id if dot else None


def seal_chain(key_id: str) -> str:
    return key_id + SEAL_SUFFIX


def checkpoint_chain(key_id: str) -> str:
    return key_id + CHECKPOINT_SUFFIX


def is_checkpoint_chain(chain: str) -> bool:
    return chain.endswith(CHECKPOINT_SUFFIX) and key_id_of(chain) is not None


def is_seal_chain(chain: str) -> bool:
    return chain.endswith(SEAL_SUFFIX) and key_id_of(chain) is not None


def seal_items(heads: list[tuple[str, int, bytes]]) -> list[str]:
    """Chain heads as a seal or a checkpoint lists them: ``chain:chain_seq:MAC or hash (hex)``."""
    return sorted(f"{chain}:{seq}:{digest.hex()}" for chain, seq, digest in heads)


def parse_seal_items(items: str) -> dict[str, tuple[int, bytes]]:
    """The ``items`` of a seal or a checkpoint back as ``{chain: (chain_seq, MAC)}``; a malformed
    list reads as no heads (the row's MAC, which covers it, tells whether it was written so)."""
    heads: dict[str, tuple[int, bytes]] = {}
    try:
        listed = json.loads(items)
        for item in listed if isinstance(listed, list) else ():
            chain, seq, digest = str(item).rsplit(":", 2)
            heads[chain] = (int(seq), bytes.fromhex(digest))
    except ValueError:
        return {}
    return heads
