"""Key-encryption epochs (키 암호화 키의 주기): why a destroyed data key stays destroyed on disk.

Destroying a subject's data key (crypto-shredding, 파기) deletes its row from the key table; on
PostgreSQL the wrapped key lives on in old pages, in the WAL and in every base backup and WAL
archive taken before, and whoever holds the master key could unwrap it there. So data keys are not
wrapped by the master key itself but by an *epoch key*: a random 256-bit key-encryption key that
lives only in the epoch file (never in the database), itself sealed by the master key.

Retiring an epoch (``jikimi keys epoch`` then ``jikimi keys epoch --retire``) re-wraps every live
data key under a fresh epoch key and then removes the old epoch key from the file: every older
copy of the key table — dead tuples, WAL segments, backups — holds only keys wrapped under an epoch
key that no longer exists anywhere, so none of the keys destroyed before can be recovered. The
operator's part (docs/operations.md): keep database backups and copies of the epoch file no longer
than one epoch.

The epoch file holds one line per epoch, the current one first::

    <epoch id>:<master key id>:<started, UTC ISO>:<base64 of the epoch key sealed by that master key>

It is written atomically with mode 0600. A process notices a changed file (its size, time or inode)
before it wraps a new key and when it meets an epoch id it does not know, and reads it again, so a
retirement needs no restart.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jikimi.crypto import KEY_BYTES, KeyRing, MasterKey, unwrap_key, wrap_key
from jikimi.errors import KeyRingError

EPOCH_PREFIX = "ep"
"""Epoch ids start with ``ep`` (then 12 hex digits), master key ids are 12 hex digits: a data key's
``master_key_id`` column names either, and so says which kind of key wraps it."""


@dataclass(frozen=True)
class Epoch:
    """One epoch key: its id, the key (a ``MasterKey`` so that it wraps like one), when it started,
    and the master key that seals it in the file."""

    key: MasterKey
    started: datetime
    master_key_id: str

    @property
    def id(self) -> str:
        return self.key.id

    @classmethod
    def new(cls, master: MasterKey, now: datetime) -> Epoch:
        epoch_id = EPOCH_PREFIX + secrets.token_hex(6)
        return cls(MasterKey(id=epoch_id, secret=secrets.token_bytes(KEY_BYTES)), now, master.id)

    def line(self, master: MasterKey) -> str:
        sealed = wrap_key(master, self.key.secret, _label(self.id))
        started = self.started.astimezone(UTC).isoformat(timespec="seconds")
        return f"{self.id}:{master.id}:{started}:{base64.urlsafe_b64encode(sealed).decode('ascii')}"


def _label(epoch_id: str) -> str:
    return "epoch/" + epoch_id


def is_epoch_id(key_id: str) -> bool:
    return key_id.startswith(EPOCH_PREFIX)


class EpochFile:
    """The epoch file at ``path``, opened with the master key ring that seals its keys."""

    def __init__(self, path: Path, master: KeyRing) -> None:
        self.path = path
        self.master = master
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._epochs: tuple[Epoch, ...] = ()

    # -- reading ----------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists()

    def epochs(self) -> tuple[Epoch, ...]:
        """The epochs in the file, current first (read again if the file changed)."""
        with self._lock:
            stamp = self._stamp()
            if stamp != self._seen:
                self._epochs = self._read()
                self._seen = stamp
            return self._epochs

    def reload(self) -> None:
        """Read the file again on next use (another process may have changed it within the same
        second and size)."""
        with self._lock:
            self._seen = None

    def ring(self) -> KeyRing:
        """The keys that wrap data keys: the current epoch first, then the older epochs and the
        master keys (data keys written before epochs were used are wrapped by a master key)."""
        epochs = self.epochs()
        return KeyRing(
            current=epochs[0].key,
            retired=(*(e.key for e in epochs[1:]), self.master.current, *self.master.retired),
        )

    def _stamp(self) -> tuple[int, int, int]:
        try:
            info = os.stat(self.path)
        except OSError as exc:
            raise KeyRingError(
                f"키 주기 파일을 읽을 수 없습니다: {self.path}",
                f"cannot read the epoch file {self.path} (it holds the keys that wrap every data key)",
            ) from exc
        return info.st_ino, info.st_size, info.st_mtime_ns

    def _read(self) -> tuple[Epoch, ...]:
        try:
            text = self.path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyRingError(
                f"키 주기 파일을 읽을 수 없습니다: {self.path}", f"cannot read the epoch file {self.path}"
            ) from exc
        epochs: list[Epoch] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            where = f"{self.path}:{number}"
            parts = line.split(":")
            if len(parts) < 4 or not is_epoch_id(parts[0]):
                raise KeyRingError(f"{where}: 키 주기 줄이 아닙니다", f"{where}: not an epoch line")
            epoch_id, master_id, sealed = parts[0], parts[1], parts[-1]
            started_text = ":".join(parts[2:-1])
            try:
                started = datetime.fromisoformat(started_text)
                blob = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
            except ValueError as exc:
                raise KeyRingError(
                    f"{where}: 키 주기 줄이 손상되었습니다", f"{where}: a damaged epoch line"
                ) from exc
            secret = unwrap_key(self.master.get(master_id), blob, _label(epoch_id))
            epochs.append(Epoch(MasterKey(id=epoch_id, secret=secret), started, master_id))
        if not epochs:
            raise KeyRingError(
                f"키 주기 파일에 키가 없습니다: {self.path}", f"no epoch in the epoch file {self.path}"
            )
        return tuple(epochs)

    # -- writing ----------------------------------------------------------------------------------

    def write(self, epochs: tuple[Epoch, ...]) -> None:
        """Replace the file atomically (0600): a crash leaves the old file or the new one. Every
        epoch key is sealed again by the current master key."""
        master = self.master.current
        lines = [
            "# jikimi data-key epochs: the first line is current. Keep this file secret; back it up",
            "# only as long as the database backups it opens (one epoch). docs/operations.md",
            *(e.line(master) for e in epochs),
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)
        with self._lock:
            self._seen = None  # read back on next use

    def ensure(self, now: datetime) -> None:
        """Create the file with a first epoch if it does not exist yet."""
        if not self.path.exists():
            self.write((Epoch.new(self.master.current, now),))

    def begin(self, now: datetime) -> Epoch:
        """A new current epoch; the older ones stay (retiring) until ``retire``."""
        epoch = Epoch.new(self.master.current, now)
        self.write((epoch, *self.epochs()))
        return epoch

    def retire(self) -> tuple[Epoch, ...]:
        """Remove every epoch but the current one from the file; returns the removed ones."""
        current, *older = self.epochs()
        self.write((current,))
        return tuple(older)
