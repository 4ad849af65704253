"""Master-key rotation (마스터 키 교체), as two steps an operator runs.

``rotate`` adds a new current key to the key file (the old one stays as retired) and re-wraps every
data key and the blind-index key under it; values are never touched. ``retire``, once every
process using the key file has been restarted with it, re-wraps any straggler still under a retired
key and removes the retired keys from the file. The order makes every crash safe: an interrupted
rotation is finished first, and the key file is replaced atomically *before* re-wrapping, so a
crash leaves a file that opens both the old and the new wrapping.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from jikimi.crypto import KeyRing
from jikimi.errors import UsageError
from jikimi.settings import Settings
from jikimi.store.engine import make_engine
from jikimi.store.keys import KeyStore


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


def rotate(settings: Settings) -> Rotation:
    """Step 1: a new current key in the key file; every data key re-wrapped under it."""
    ring, path = _ring(settings)
    new_ring = ring.rotated()
    engine = make_engine(settings.db_url)
    try:
        KeyStore(ring).rotate(engine, ring)  # finishes an interrupted rotation; proves the database is usable
        write_ring(new_ring, path)  # before re-wrapping: a crash leaves a file that opens both
        count = KeyStore(new_ring).rotate(engine, new_ring)
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
        count = KeyStore(ring).rotate(engine, ring)
    finally:
        engine.dispose()
    write_ring(KeyRing(current=ring.current), path)
    return Rotation(ring.current.id, count, tuple(key.id for key in ring.retired))
