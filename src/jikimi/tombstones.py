"""Tombstones (파기 기록): the ids of destroyed keys, kept outside the database so that a restore
cannot bring the destroyed back.

A backup taken last week holds every subject destroyed since, keys included. Each time jikimi
destroys a data key it appends the key's id — a random id (``jikimi.ids``) or a retention group's
``<id>~<hex>``, never personal data — to the tombstone file, after the destroying transaction has
committed. ``jikimi db restore-check`` (run also when ``serve`` and ``sweep`` start) reads the file
and destroys again every key, and every subject, a restored backup brought back.

Each line is a JSON object: ``n`` (its number), ``id``, ``at`` (UTC), ``key`` (the master key id)
and ``mac``, an HMAC-SHA256 under a key derived from the master key (``crypto.derive_key``, never
stored) over the previous line's MAC and the line: a line edited, inserted or removed in the middle
breaks the chain at that line, and whoever can write the file but holds no master key cannot add a
tombstone that would destroy a live subject. Only lines that verify are acted on. After each append
the file's head (line count and last MAC) goes to the access log's anchor sinks as a signed anchor of
the chain ``tombstones``, so lines cut from the end show against the anchor file too.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jikimi.crypto import KeyRing, derive_key
from jikimi.errors import UsageError

TOMBSTONE_LABEL = "jikimi/tombstones/mac/v1"
TOMBSTONE_CHAIN = "tombstones"
"""The name the tombstone file's head goes by among the access log's anchors (no access-log chain
has it: theirs hold a ``.``)."""
_GENESIS = "0" * 64

Head = Callable[[int, str, str], None]
"""Told ``(lines, the last line's MAC, the master key id)`` after each append: the wiring sends it
to the anchor sinks (``bootstrap.tombstone_file``), so that lines cut from the end show."""


@dataclass(frozen=True)
class Tombstones:
    """What a tombstone file holds: the ids that verify, the line numbers that do not, and the
    MAC of each line by its number (to compare with an anchored head)."""

    ids: frozenset[str]
    bad_lines: tuple[int, ...]
    lines: int
    macs: tuple[str, ...] = ()

    def truncated(self, anchored: int, mac: str) -> bool:
        """Whether the file lost lines an anchor saw: fewer than ``anchored`` lines, or another MAC there."""
        return anchored > len(self.macs) or (
            anchored > 0 and not hmac.compare_digest(self.macs[anchored - 1], mac)
        )


@dataclass(frozen=True)
class _Read:
    entries: tuple[tuple[str, str], ...]  # (key id, at) of the lines that verify
    bad_lines: tuple[int, ...]
    lines: int
    macs: tuple[str, ...]  # every line's MAC as written, in order


def _mac(key: bytes, prev: str, n: int, key_id: str, at: str, master_id: str) -> str:
    body = json.dumps(["tombstone/v1", prev, n, key_id, at, master_id], ensure_ascii=False).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class TombstoneFile:
    """Appends to, and reads back, the tombstone file at ``path`` (mode 0600)."""

    def __init__(self, path: Path, ring: KeyRing, *, head: Head | None = None) -> None:
        self.path = path
        self.ring = ring
        self.head = head
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
                n, prev = self._newest(fd)
                text = []
                for key_id in ids:
                    n += 1
                    prev = _mac(key, prev, n, key_id, at, master.id)
                    entry = {"n": n, "id": key_id, "at": at, "key": master.id, "mac": prev}
                    text.append(json.dumps(entry, ensure_ascii=False) + "\n")
                os.write(fd, "".join(text).encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)  # releases the lock
        if self.head is not None:
            self.head(n, prev, master.id)

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
                for n, (key_id, at) in enumerate(found.entries, start=1):
                    prev = _mac(key, prev, n, key_id, at, master.id)
                    entry = {"n": n, "id": key_id, "at": at, "key": master.id, "mac": prev}
                    text.append(json.dumps(entry) + "\n")
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
        if self.head is not None:
            self.head(len(found.entries), prev, master.id)
        return len(found.bad_lines)

    def _newest(self, fd: int) -> tuple[int, str]:
        """The number and MAC of the file's last line (``0, GENESIS`` for an empty file)."""
        size = os.fstat(fd).st_size
        if size == 0:
            return 0, _GENESIS
        tail = os.pread(fd, min(size, 4096), max(0, size - 4096)).decode("utf-8", "replace")
        for line in reversed(tail.splitlines()):
            try:
                entry = json.loads(line)
                return int(entry["n"]), str(entry["mac"])
            except (ValueError, KeyError, TypeError):
                continue
        return 0, _GENESIS

    def read(self) -> Tombstones:
        """Every id whose line verifies; the numbers of the lines that do not (edited, forged, or
        after a removed line). A missing file holds no tombstone."""
        found = self._entries()
        return Tombstones(frozenset(k for k, _ in found.entries), found.bad_lines, found.lines, found.macs)

    def _entries(self) -> _Read:
        if not self.path.exists():
            return _Read((), (), 0, ())
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"파기 기록 파일을 읽을 수 없습니다: {self.path}",
                f"cannot read the tombstone file {self.path}",
            ) from exc
        keys = self.ring.derived(TOMBSTONE_LABEL)
        entries: list[tuple[str, str]] = []
        bad: list[int] = []
        macs: list[str] = []
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
                macs.append("")
                continue
            macs.append(mac)
            key = keys.get(master_id)
            if key is None or not hmac.compare_digest(mac, _mac(key, prev, count, key_id, at, master_id)):
                bad.append(number)
                prev = mac  # the chain goes on from what the line claims; the next good line verifies
                continue
            entries.append((key_id, at))
            prev = mac
        return _Read(tuple(entries), tuple(bad), count, tuple(macs))
