"""Keys and ciphers: the master key ring, per-subject data keys, blind indexes and passwords.

* **Master keys** come from ``JIKIMI_MASTER_KEY`` (base64, 32 bytes) or a key file written by
  ``jikimi keys init`` (one ``id:base64`` line per key, the first one current). They never touch
  the database; they only wrap other keys.
* **Data keys** (AES-256-GCM), one per subject, are wrapped by the current master key and stored
  in their own database/schema. Destroying a subject's data key makes every copy of its values
  unreadable, backups included (crypto-shredding, 파기).
* **Values** are sealed with the subject's data key; the associated data binds each ciphertext to
  its subject and item, so a value copied to another row or subject fails to open.
* **Blind indexes** (HMAC-SHA256 with a key of their own, wrapped by the master key) let jikimi
  find a subject by login id, email, mobile or CI without storing the value.
* **Passwords** are hashed with Argon2id; bcrypt hashes imported from a legacy system verify once
  and are re-hashed with Argon2id on that login.

This module is pure: no database, no settings. Callers pass keys in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from jikimi.errors import KeyRingError

KEY_BYTES = 32
NONCE_BYTES = 12
_VALUE_VERSION = b"\x01"
VERIFIER_PREFIX = "verify:"
"""A key-file line ``verify:<master key id>:<label>:<base64>``: a ``Verifier``."""


# --- master keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MasterKey:
    """A 256-bit master key and its short public id (a fingerprint, not secret)."""

    id: str
    secret: bytes = field(repr=False)

    @classmethod
    def from_secret(cls, secret: bytes) -> MasterKey:
        if len(secret) != KEY_BYTES:
            raise KeyRingError(
                f"마스터 키는 {KEY_BYTES}바이트여야 합니다 (받은 길이 {len(secret)})",
                f"a master key must be {KEY_BYTES} bytes (got {len(secret)})",
            )
        return cls(id=hashlib.sha256(b"jikimi/master-id/" + secret).hexdigest()[:12], secret=secret)

    @classmethod
    def generate(cls) -> MasterKey:
        return cls.from_secret(secrets.token_bytes(KEY_BYTES))

    def encoded(self) -> str:
        return base64.urlsafe_b64encode(self.secret).decode("ascii")


def _decode_key(text: str, where: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (ValueError, TypeError) as exc:
        raise KeyRingError(f"{where}: base64 키가 아닙니다", f"{where}: not a base64 key") from exc
    return raw


@dataclass(frozen=True)
class Verifier:
    """What stays of a master key removed from the ring: keys derived from it for one purpose each
    (``label``: the access log's MACs and anchors, the tombstones), so what was written under it
    still verifies. It opens nothing: a derived key is one-way (HKDF) and unwraps no data key."""

    id: str
    label: str
    key: bytes = field(repr=False)


@dataclass(frozen=True)
class KeyRing:
    """The current master key plus retired ones still needed to unwrap old data keys, and the
    verifiers of master keys already removed (``Verifier``)."""

    current: MasterKey
    retired: tuple[MasterKey, ...] = ()
    verifiers: tuple[Verifier, ...] = ()

    def ids(self) -> tuple[str, ...]:
        """Every master key id the ring knows, removed ones (verifiers) included."""
        seen = [self.current.id, *(k.id for k in self.retired)]
        seen += [v.id for v in self.verifiers if v.id not in seen]
        return tuple(dict.fromkeys(seen))

    def derived(self, label: str) -> dict[str, bytes]:
        """The ``label`` key of every master key, by id: derived from the keys held, kept for the
        removed ones (their verifiers)."""
        keys = {v.id: v.key for v in self.verifiers if v.label == label}
        keys |= {key.id: derive_key(key, label) for key in (self.current, *self.retired)}
        return keys

    def without_retired(self, labels: tuple[str, ...]) -> KeyRing:
        """The ring with its retired keys removed, each leaving a verifier for every label."""
        kept = [*self.verifiers]
        kept += [Verifier(key.id, label, derive_key(key, label)) for key in self.retired for label in labels]
        return KeyRing(current=self.current, verifiers=tuple(kept))

    def get(self, key_id: str) -> MasterKey:
        for key in (self.current, *self.retired):
            if key.id == key_id:
                return key
        raise KeyRingError(
            f"마스터 키 {key_id}가 키 링에 없습니다",
            f"master key {key_id} is not in the key ring (was it removed before rotation finished?)",
        )

    @classmethod
    def from_env_value(cls, value: str) -> KeyRing:
        """``JIKIMI_MASTER_KEY``: one base64 key, or several separated by commas (current first)."""
        keys = [
            MasterKey.from_secret(_decode_key(part, "JIKIMI_MASTER_KEY"))
            for part in value.split(",")
            if part.strip()
        ]
        if not keys:
            raise KeyRingError("JIKIMI_MASTER_KEY가 비어 있습니다", "JIKIMI_MASTER_KEY is empty")
        return cls(current=keys[0], retired=tuple(keys[1:]))

    @classmethod
    def from_file(cls, path: Path) -> KeyRing:
        try:
            text = path.read_text(encoding="ascii")
        except OSError as exc:
            raise KeyRingError(
                f"키 파일을 읽을 수 없습니다: {path} (jikimi keys init으로 만드십시오)",
                f"cannot read the key file {path} (create it with `jikimi keys init`)",
            ) from exc
        keys: list[MasterKey] = []
        verifiers: list[Verifier] = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith(VERIFIER_PREFIX):
                parts = line.split(":", 3)
                if len(parts) != 4:
                    raise KeyRingError(
                        f"{path}:{number}: 검증 키 줄이 아닙니다", f"{path}:{number}: not a verifier line"
                    )
                verifiers.append(Verifier(parts[1], parts[2], _decode_key(parts[3], f"{path}:{number}")))
                continue
            _, _, encoded = line.rpartition(":")
            keys.append(MasterKey.from_secret(_decode_key(encoded, f"{path}:{number}")))
        if not keys:
            raise KeyRingError(f"키 파일에 키가 없습니다: {path}", f"no key in the key file {path}")
        return cls(current=keys[0], retired=tuple(keys[1:]), verifiers=tuple(verifiers))

    def write(self, path: Path) -> None:
        """Write the ring to a key file readable by its owner only (0600)."""
        lines = ["# jikimi master keys: the first line is current. Keep this file secret and backed up."]
        lines += [f"{key.id}:{key.encoded()}" for key in (self.current, *self.retired)]
        lines += [
            f"{VERIFIER_PREFIX}{v.id}:{v.label}:{base64.urlsafe_b64encode(v.key).decode('ascii')}"
            for v in self.verifiers
        ]
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)

    def rotated(self) -> KeyRing:
        """A ring with a fresh current key; the old current key becomes retired."""
        return KeyRing(
            current=MasterKey.generate(), retired=(self.current, *self.retired), verifiers=self.verifiers
        )


def derive_key(master: MasterKey, label: str) -> bytes:
    """A 256-bit key for one purpose, derived from a master key with HKDF-SHA256 and ``label`` as
    its info (``"jikimi/access-log/mac/v1"``): distinct labels give unrelated keys. A derived key
    is never stored; whoever holds the master key derives it again."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=label.encode("utf-8")).derive(
        master.secret
    )


# --- wrapping and sealing ------------------------------------------------------------------------


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + 16:
        raise InvalidTag()
    return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)


def seal_bytes(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt ``plaintext`` under a 256-bit ``key`` (AES-256-GCM, a fresh nonce), bound to ``aad``:
    the row it belongs to, so a blob copied to another row fails to open."""
    return _seal(key, plaintext, aad)


def open_bytes(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """What ``seal_bytes`` sealed under ``key`` and ``aad``; ``KeyRingError`` for another key, another
    row or an altered blob."""
    try:
        return _open(key, blob, aad)
    except InvalidTag as exc:
        raise KeyRingError(
            "암호문을 열 수 없습니다: 키가 다르거나 손상되었습니다",
            "cannot open the sealed data: another key or row, or altered",
        ) from exc


def wrap_key(master: MasterKey, key: bytes, label: str) -> bytes:
    """Encrypt a data key (or index key) under a master key, bound to ``label`` (the subject id)."""
    return _seal(master.secret, key, b"jikimi/wrap/" + label.encode("utf-8"))


def unwrap_key(master: MasterKey, wrapped: bytes, label: str) -> bytes:
    try:
        return _open(master.secret, wrapped, b"jikimi/wrap/" + label.encode("utf-8"))
    except InvalidTag as exc:
        raise KeyRingError(
            "키를 풀 수 없습니다: 마스터 키가 다르거나 데이터가 손상되었습니다",
            "cannot unwrap the key: wrong master key or tampered data",
        ) from exc


def _value_aad(subject_id: str, slot: str) -> bytes:
    return f"jikimi/v1/{subject_id}/{slot}".encode()


def seal_value(data_key: bytes, subject_id: str, slot: str, plaintext: str) -> bytes:
    """Encrypt one value; ``slot`` is the item id (or ``record:<id>``) it belongs to."""
    return _VALUE_VERSION + _seal(data_key, plaintext.encode("utf-8"), _value_aad(subject_id, slot))


def open_value(data_key: bytes, subject_id: str, slot: str, blob: bytes) -> str:
    if not blob or blob[:1] != _VALUE_VERSION:
        raise KeyRingError("알 수 없는 암호문 형식입니다", "unknown ciphertext format")
    try:
        return _open(data_key, blob[1:], _value_aad(subject_id, slot)).decode("utf-8")
    except InvalidTag as exc:
        raise KeyRingError(
            "값을 복호화할 수 없습니다: 다른 대상자·항목의 암호문이거나 손상되었습니다",
            "cannot decrypt the value: it belongs to another subject or item, or was altered",
        ) from exc


def blind_index(index_key: bytes, item_id: str, normalized: str) -> bytes:
    """A keyed digest for look-ups by value; equal values of the same item give equal digests."""
    return hmac.new(index_key, f"{item_id}\x00{normalized}".encode(), hashlib.sha256).digest()


# --- passwords -----------------------------------------------------------------------------------

_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


@dataclass(frozen=True)
class PasswordCheck:
    ok: bool
    new_hash: str | None = None
    """Set when the stored hash should be replaced (legacy bcrypt, or old Argon2 parameters)."""


class Passwords:
    """Argon2id hashing with rehash-on-login; legacy bcrypt hashes verify once, then upgrade."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str, password: str) -> PasswordCheck:
        if stored.startswith(_BCRYPT_PREFIXES):
            try:
                ok = bcrypt.checkpw(password.encode("utf-8"), stored.encode("ascii"))
            except ValueError:
                ok = False
            return PasswordCheck(ok=ok, new_hash=self.hash(password) if ok else None)
        try:
            self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return PasswordCheck(ok=False)
        rehash = self._hasher.check_needs_rehash(stored)
        return PasswordCheck(ok=True, new_hash=self.hash(password) if rehash else None)

    @staticmethod
    def looks_hashed(value: str) -> bool:
        return value.startswith(("$argon2", *_BCRYPT_PREFIXES))


def token_digest(token: str) -> bytes:
    """API tokens are stored as SHA-256 digests (they are long random strings, not passwords)."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def new_token() -> str:
    return "jk_" + secrets.token_urlsafe(32)
