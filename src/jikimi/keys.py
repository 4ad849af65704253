"""Master-key rotation (마스터 키 교체) and epoch retirement (키 주기 교체), as steps an operator runs.

``rotate`` adds a new current key to the key file (the old one stays as retired) and re-wraps every
data key and the blind-index key under it; values are never touched. ``retire``, once every
process using the key file has been restarted with it, re-wraps any straggler still under a retired
key and removes the retired keys from the file. The order makes every crash safe: an interrupted
rotation is finished first, and the key file is replaced atomically *before* re-wrapping, so a
crash leaves a file that opens both the old and the new wrapping. With an epoch file the data keys
are wrapped by the current epoch key, which the master key seals: rotation re-seals the epoch file
and touches no data key.

``begin_epoch`` starts a new epoch and re-wraps every data key under it; ``retire_epochs`` removes
the older epoch keys from the file, re-wraps what a process still wrapped under them meanwhile, and
compacts the key tables: from then on no old page, WAL segment or backup of the key table holds a
key anyone can unwrap (``jikimi.epochs``, docs/operations.md).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jikimi.audit.chain import ANCHOR_LABEL, MAC_LABEL
from jikimi.crypto import KeyRing
from jikimi.epochs import EpochFile
from jikimi.errors import UsageError
from jikimi.settings import Settings
from jikimi.store.engine import make_engine
from jikimi.store.keys import KeyStore, compact
from jikimi.tombstones import TOMBSTONE_LABEL, TombstoneFile

VERIFYING_LABELS = (MAC_LABEL, ANCHOR_LABEL, TOMBSTONE_LABEL)
"""What a retired master key leaves in the key file (``crypto.Verifier``): the keys that check the
access-log rows, checkpoints and anchors written under it, and the tombstones — never one that
opens data."""

RETIRE_GRACE_SECONDS = 5.0
"""How long ``retire_epochs`` waits, after the file lost the old epochs, before it re-wraps once more
what a process that had not yet read the new file wrapped under them."""


@dataclass(frozen=True)
class Rotation:
    """What a step did: the current key's id, how many keys it re-wrapped, the retired key ids."""

    current: str
    rewrapped: int
    retired: tuple[str, ...]


def write_ring(ring: KeyRing, path: Path) -> None:
    """Replace the key file atomically: a crash leaves the old file or the new one, never half of one."""
    temporary = path.with_name(path.name + ".new")
    ring.write(temporary)
    os.replace(temporary, path)


def _ring(settings: Settings) -> tuple[KeyRing, Path]:
    """The ring in the key file, and the file (rotation rewrites it, so it must be named)."""
    if settings.master_key:
        raise UsageError(
            "JIKIMI_MASTER_KEY가 설정되어 있습니다. 키 교체는 키 파일(--key-file)로 합니다",
            "JIKIMI_MASTER_KEY is set; rotation rewrites the key file, so unset it and use --key-file",
        )
    if settings.key_file is None:
        raise UsageError(
            "교체할 키 파일을 지정하십시오 (--key-file 또는 JIKIMI_KEY_FILE)",
            "name the key file to rotate (--key-file or JIKIMI_KEY_FILE)",
        )
    return KeyRing.from_file(settings.key_file), settings.key_file


def _wrapping(settings: Settings, ring: KeyRing) -> KeyRing:
    """What wraps data keys under ``ring``: the epochs, if the epoch file exists, else ``ring``."""
    path = settings.epochs()
    if path is not None and path.exists():
        return EpochFile(path, ring).ring()
    return ring


def rotate(settings: Settings) -> Rotation:
    """Step 1: a new current key in the key file; every data key re-wrapped under it (with an
    epoch file: under the current epoch, which the old master key still seals until ``retire``)."""
    ring, path = _ring(settings)
    new_ring = ring.rotated()
    engine = make_engine(settings.db_url)
    try:
        wrapping = _wrapping(settings, ring)
        KeyStore(ring).rotate(
            engine, wrapping
        )  # finishes an interrupted rotation; proves the database is usable
        write_ring(new_ring, path)  # before re-wrapping: a crash leaves a file that opens both
        count = KeyStore(new_ring).rotate(engine, _wrapping(settings, new_ring))
    finally:
        engine.dispose()
    return Rotation(new_ring.current.id, count, tuple(key.id for key in new_ring.retired))


def retire(settings: Settings) -> Rotation:
    """Step 2: stragglers re-wrapped, the retired keys removed from the key file."""
    ring, path = _ring(settings)
    if not ring.retired:
        return Rotation(ring.current.id, 0, ())
    engine = make_engine(settings.db_url)
    try:
        count = KeyStore(ring).rotate(engine, _wrapping(settings, ring))
    finally:
        engine.dispose()
    _reseal(settings, ring)  # before the retired keys go: the epoch keys and tombstones they sealed
    write_ring(ring.without_retired(VERIFYING_LABELS), path)  # what they signed still verifies
    return Rotation(ring.current.id, count, tuple(key.id for key in ring.retired))


def _reseal(settings: Settings, ring: KeyRing) -> None:
    """The epoch file and the tombstone file, sealed again by the current master key."""
    epochs_path = settings.epochs()
    if epochs_path is not None and epochs_path.exists():
        epochs = EpochFile(epochs_path, ring)
        epochs.write(epochs.epochs())
    tombstones_path = settings.tombstones()
    if tombstones_path is not None and tombstones_path.exists():
        TombstoneFile(tombstones_path, ring).reseal()


# -- epochs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EpochChange:
    """What an epoch step did: the current epoch's id, the keys it re-wrapped, the retired epochs."""

    current: str
    rewrapped: int
    retired: tuple[str, ...]


def _epoch_file(settings: Settings) -> EpochFile:
    path = settings.epochs()
    if path is None:
        raise UsageError(
            "키 주기 파일을 지정하십시오 (JIKIMI_EPOCH_FILE, 또는 키 파일 옆 data-keys.epochs)",
            "name the epoch file (JIKIMI_EPOCH_FILE, or data-keys.epochs beside the key file)",
        )
    return EpochFile(path, settings.key_ring())


def begin_epoch(settings: Settings, now: datetime) -> EpochChange:
    """A new current epoch in the epoch file (created if missing), and every data key, the
    blind-index key included, re-wrapped under it. The older epochs stay until ``retire_epochs``."""
    epochs = _epoch_file(settings)
    if epochs.exists():
        epochs.begin(now)
    else:
        epochs.ensure(now)
    engine = make_engine(settings.db_url)
    try:
        ring = epochs.ring()
        count = KeyStore(epochs.master).rotate(engine, ring)
    finally:
        engine.dispose()
    return EpochChange(ring.current.id, count, ())


def retire_epochs(settings: Settings, *, grace: float = RETIRE_GRACE_SECONDS) -> EpochChange:
    """Every epoch but the current one removed from the file, after the keys still under them are
    re-wrapped (before, and once more ``grace`` seconds after the file changed: a process reads the
    new file before it wraps its next key), then the key tables compacted (``store.keys.compact``)."""
    epochs = _epoch_file(settings)
    if not epochs.exists():
        raise UsageError(
            f"키 주기 파일이 없습니다: {epochs.path} (jikimi keys epoch로 시작하십시오)",
            f"no epoch file at {epochs.path} (start one with `jikimi keys epoch`)",
        )
    wrapping = epochs.ring()  # every epoch, kept in memory until the last re-wrap
    engine = make_engine(settings.db_url)
    try:
        store = KeyStore(epochs.master)
        count = store.rotate(engine, wrapping)
        retired = epochs.retire()
        if retired:
            time.sleep(grace)
            count += store.rotate(engine, wrapping)
        compact(engine)
    finally:
        engine.dispose()
    return EpochChange(wrapping.current.id, count, tuple(e.id for e in retired))
