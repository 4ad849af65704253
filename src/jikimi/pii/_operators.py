"""Masking operators: how a finding is rewritten in the output text.

``mask``     keep a readable shape, hide the identifying part: ``900101-1******``, ``010-****-5678``, ``김**``
``redact``   remove the value
``label``    replace it with its type: ``<주민등록번호>``
``hash``     a keyed pseudonym, stable for the same value however it was written: ``<전화번호:1a2b3c4d5e6f>``
``encrypt``  AES-256-GCM under the caller's key, reversible with :func:`reveal`: ``<enc:phone:…>``

``hash`` and ``encrypt`` need a key of at least 16 bytes; two sub-keys are derived from it
with HMAC-SHA256, so one key serves both and neither sub-key reveals the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Sequence
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jikimi.errors import PiiError, UsageError
from jikimi.pii._model import Finding, PiiType

MIN_KEY_BYTES = 16
_TOKEN = re.compile(r"<enc:([a-z_]+):([A-Za-z0-9_-]{20,})>")
_ALNUM = re.compile(r"[0-9A-Za-z가-힣]")


class Operator(StrEnum):
    """What to put in place of a finding."""

    MASK = "mask"
    REDACT = "redact"
    LABEL = "label"
    HASH = "hash"
    ENCRYPT = "encrypt"


def _subkey(key: bytes | None, purpose: bytes, operator: Operator) -> bytes:
    if key is None or len(key) < MIN_KEY_BYTES:
        raise UsageError(
            f"'{operator.value}' 연산에는 {MIN_KEY_BYTES}바이트 이상의 키가 필요합니다",
            f"the '{operator.value}' operator needs a key of at least {MIN_KEY_BYTES} bytes",
        )
    return hmac.new(key, b"jikimi.pii." + purpose, hashlib.sha256).digest()


def render(text: str, findings: Sequence[Finding], operator: Operator, key: bytes | None = None) -> str:
    """``text`` with every finding replaced according to ``operator``.

    ``findings`` must not overlap (as :meth:`Scanner.scan` returns them).
    """
    replace: Callable[[Finding, str], str]
    if operator is Operator.HASH:
        hash_key = _subkey(key, b"hash", operator)
        replace = lambda f, v: _pseudonym(hash_key, f.type, v)  # noqa: E731
    elif operator is Operator.ENCRYPT:
        aead = AESGCM(_subkey(key, b"encrypt", operator))
        replace = lambda f, v: _encrypt(aead, f.type, v)  # noqa: E731
    else:
        replace = _SIMPLE[operator]
    out: list[str] = []
    done = 0
    for f in sorted(findings, key=lambda f: f.start):
        out.append(text[done : f.start])
        out.append(replace(f, text[f.start : f.end]))
        done = f.end
    out.append(text[done:])
    return "".join(out)


def reveal(text: str, key: bytes) -> str:
    """Undo the ``encrypt`` operator: every ``<enc:…>`` token is replaced by its value."""
    aead = AESGCM(_subkey(key, b"encrypt", Operator.ENCRYPT))

    def decrypt(m: re.Match[str]) -> str:
        blob = base64.urlsafe_b64decode(m.group(2) + "=" * (-len(m.group(2)) % 4))
        try:
            plain = aead.decrypt(blob[:12], blob[12:], _aad(m.group(1)))
        except InvalidTag as exc:
            raise PiiError(
                "암호화된 값을 복호화할 수 없습니다 (키가 다르거나 값이 손상됨)",
                "cannot decrypt a token (wrong key or damaged token)",
            ) from exc
        return plain.decode("utf-8")

    return _TOKEN.sub(decrypt, text)


def _aad(type_id: str) -> bytes:
    return b"jikimi.pii.v1:" + type_id.encode("ascii")


def _encrypt(aead: AESGCM, kind: PiiType, value: str) -> str:
    nonce = os.urandom(12)
    blob = nonce + aead.encrypt(nonce, value.encode("utf-8"), _aad(kind.value))
    return f"<enc:{kind.value}:{base64.urlsafe_b64encode(blob).decode('ascii').rstrip('=')}>"


def canonical(kind: PiiType, value: str) -> str:
    """The value with formatting removed, so ``010-1234-5678`` and ``01012345678`` hash alike."""
    if kind in (PiiType.EMAIL, PiiType.IP):
        return value.strip().lower()
    if kind in (PiiType.NAME, PiiType.ADDRESS, PiiType.CAR_PLATE, PiiType.PASSPORT):
        return "".join(value.split()).upper()
    digits = "".join(ch for ch in value if ch.isdigit())
    if kind is PiiType.PHONE and value.lstrip().startswith("+82"):
        digits = "0" + digits[2:].lstrip("0")
    return digits


def _pseudonym(hash_key: bytes, kind: PiiType, value: str) -> str:
    digest = hmac.new(hash_key, f"{kind.value}:{canonical(kind, value)}".encode(), hashlib.sha256)
    return f"<{kind.label_ko}:{digest.hexdigest()[:12]}>"


def _keep(value: str, head: int, tail: int, symbol: str = "*") -> str:
    """Mask letters and digits of ``value`` except the first ``head`` and last ``tail`` of them."""
    positions = [m.start() for m in _ALNUM.finditer(value)]
    hidden = set(positions[head : len(positions) - tail if tail else None])
    return "".join(symbol if i in hidden else ch for i, ch in enumerate(value))


def _mask_groups(value: str) -> str:
    """Keep the first and last digit groups, mask the ones between: ``010-****-5678``."""
    groups = list(re.finditer(r"\d+", value))
    if len(groups) < 3:
        return _keep(value, 3, 4)
    chars = list(value)
    for g in groups[1:-1]:
        chars[g.start() : g.end()] = "*" * (g.end() - g.start())
    return "".join(chars)


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    keep = 1 if len(local) <= 2 else 2
    return local[:keep] + "*" * (len(local) - keep) + "@" + domain


def _mask_ip(value: str) -> str:
    if "." in value and ":" not in value:
        parts = value.split(".")
        return ".".join(parts[:2] + ["*" * len(p) for p in parts[2:]])
    head, _, rest = value.partition(":")
    return head + ":" + re.sub(r"[0-9A-Fa-f]", "*", rest)


def _mask_address(value: str) -> str:
    tokens = value.split(" ")
    return " ".join(tokens[:2] + [re.sub(r"\S", "*", t) for t in tokens[2:]])


def _mask_plate(value: str) -> str:
    return value[:-4] + "****"


_MASKERS: dict[PiiType, Callable[[str], str]] = {
    PiiType.RRN: lambda v: _keep(v, 7, 0),
    PiiType.FRN: lambda v: _keep(v, 7, 0),
    PiiType.PHONE: _mask_groups,
    PiiType.CARD: lambda v: _keep(v, 4, 4),
    PiiType.EMAIL: _mask_email,
    PiiType.NAME: lambda v: _keep(v, 1, 0),
    PiiType.ACCOUNT: lambda v: _keep(v, 0, 4),
    PiiType.HEALTH_INSURANCE: lambda v: _keep(v, 0, 2),
    PiiType.BRN: lambda v: _keep(v, 3, 0),
    PiiType.DRIVER_LICENSE: lambda v: _keep(v, 2, 0),
    PiiType.PASSPORT: lambda v: _keep(v, 1, 0),
    PiiType.IP: _mask_ip,
    PiiType.CAR_PLATE: _mask_plate,
    PiiType.ADDRESS: _mask_address,
}

_SIMPLE: dict[Operator, Callable[[Finding, str], str]] = {
    Operator.MASK: lambda f, v: _MASKERS[f.type](v),
    Operator.REDACT: lambda f, v: "",
    Operator.LABEL: lambda f, v: f"<{f.type.label_ko}>",
}
