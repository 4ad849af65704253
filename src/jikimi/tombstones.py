"""Tombstones (파기 기록): the ids of destroyed keys, kept outside the database so that a restore
cannot bring the destroyed back.

A backup taken last week holds every subject destroyed since, keys included. Each time jikimi
destroys a data key it appends the key's id — a random id (``jikimi.ids``) or a retention group's
``<id>~<hex>``, never personal data — to the tombstone file, after the destroying transaction has
committed. ``jikimi db restore-check`` (run also when ``serve`` and ``sweep`` start) reads the file
and destroys again every key, and every subject, a restored backup brought back.

Each line is a JSON object: ``id``, ``at`` (UTC), ``key`` (the master key id) and ``mac``, an
HMAC-SHA256 under a key derived from the master key (``crypto.derive_key``, never stored) over the
previous line's MAC and the line: a line edited, inserted or removed in the middle breaks the chain
at that line, and whoever can write the file but holds no master key cannot add a tombstone that
would destroy a live subject. Only lines that verify are acted on.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jikimi.crypto import KeyRing, derive_key
from jikimi.errors import UsageError

TOMBSTONE_LABEL = "jikimi/tombstones/mac/v1"
_GENESIS = "0" * 64


@dataclass(frozen=True)
class Tombstones:
    """What a tombstone file holds: the ids that verify, and the line numbers that do not."""

    ids: frozenset[str]
    bad_lines: tuple[int, ...]
    lines: int


@dataclass(frozen=True)
class _Read:
    entries: tuple[tuple[str, str], ...]  # (key id, at) of the lines that verify
    bad_lines: tuple[int, ...]
    lines: int


def _mac(key: bytes, prev: str, key_id: str, at: str, master_id: str) -> str:
    body = json.dumps(["tombstone/v1", prev, key_id, at, master_id], ensure_ascii=False).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class TombstoneFile:
    """Appends to, and reads back, the tombstone file at ``path`` (mode 0600)."""

    def __init__(self, path: Path, ring: KeyRing) -> None:
        self.path = path
        self.ring = ring
        self._lock = threading.Lock()

    def record(self, key_ids: Iterable[str], now: datetime) -> None:
        """Append one line per destroyed key id (called after the destroying commit)."""
        ids = list(key_ids)
        if not ids:
            return
        master = self.ring.current
        key = derive_key(master, TOMBSTONE_LABEL)
        at = now.astimezone(UTC).isoformat(timespec="seconds")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = self._locked_for_append()
            try:
                prev = self._newest_mac(fd)
                text = []
                for key_id in ids:
                    prev = _mac(key, prev, key_id, at, master.id)
                    entry = {"id": key_id, "at": at, "key": master.id, "mac": prev}
                    text.append(json.dumps(entry, ensure_ascii=False) + "\n")
                os.write(fd, "".join(text).encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)  # releases the lock

    def _locked_for_append(self) -> int:
        """The file opened for appending and locked (processes append one after another: one
        chain); opened again if ``reseal`` replaced it while this process waited for the lock."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.fstat(fd).st_ino == os.stat(self.path).st_ino:
                    return fd
            except FileNotFoundError:
                pass
            os.close(fd)

    def reseal(self) -> int:
        """Rewrite the file with every line that verifies sealed by the current master key (before
        a retired master key leaves the key file); returns how many lines were dropped because
        they did not verify."""
        master = self.ring.current
        key = derive_key(master, TOMBSTONE_LABEL)
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                found = self._entries()
                prev = _GENESIS
                text = []
                for key_id, at in found.entries:
                    prev = _mac(key, prev, key_id, at, master.id)
                    text.append(json.dumps({"id": key_id, "at": at, "key": master.id, "mac": prev}) + "\n")
                temporary = self.path.with_name(self.path.name + ".new")
                out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.write(out, "".join(text).encode("utf-8"))
                    os.fsync(out)
                finally:
                    os.close(out)
                os.replace(temporary, self.path)
            finally:
                os.close(fd)
        return len(found.bad_lines)

    def _newest_mac(self, fd: int) -> str:
        """The MAC on the file's last line (``GENESIS`` for an empty file)."""
        size = os.fstat(fd).st_size
        if size == 0:
            return _GENESIS
        tail = os.pread(fd, min(size, 4096), max(0, size - 4096)).decode("utf-8", "replace")
        for line in reversed(tail.splitlines()):
            try:
                return str(json.loads(line)["mac"])
            except (ValueError, KeyError, TypeError):
                continue
        return _GENESIS

    def read(self) -> Tombstones:
        """Every id whose line verifies; the numbers of the lines that do not (edited, forged, or
        after a removed line). A missing file holds no tombstone."""
        found = self._entries()
        return Tombstones(frozenset(k for k, _ in found.entries), found.bad_lines, found.lines)

    def _entries(self) -> _Read:
        if not self.path.exists():
            return _Read((), (), 0)
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"파기 기록 파일을 읽을 수 없습니다: {self.path}",
                f"cannot read the tombstone file {self.path}",
            ) from exc
        keys = {k.id: derive_key(k, TOMBSTONE_LABEL) for k in (self.ring.current, *self.ring.retired)}
        entries: list[tuple[str, str]] = []
        bad: list[int] = []
        prev = _GENESIS
        count = 0
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            count += 1
            try:
                entry = json.loads(line)
                key_id, at, master_id, mac = (str(entry[k]) for k in ("id", "at", "key", "mac"))
            except (ValueError, KeyError, TypeError):
                bad.append(number)
                continue
            key = keys.get(master_id)
            if key is None or not hmac.compare_digest(mac, _mac(key, prev, key_id, at, master_id)):
                bad.append(number)
                prev = mac  # the chain goes on from what the line claims; the next good line verifies
                continue
            entries.append((key_id, at))
            prev = mac
        return _Read(tuple(entries), tuple(bad), count)
