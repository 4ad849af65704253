"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), the second
factor of a console sign-in. The arithmetic is the ``cryptography`` package's ``TOTP``; this module
only chooses the parameters, the window (one step either side, for a clock a little off) and the
step a code matched, so the caller can refuse a code used before."""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime
from urllib.parse import quote

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1
"""Steps accepted on either side of the current one."""
SECRET_BYTES = 20
ISSUER = "jikimi"


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def to_base32(secret: bytes) -> str:
    """The secret as an authenticator app takes it (base32, no padding)."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def from_base32(text: str) -> bytes:
    cleaned = text.strip().replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def provisioning_uri(secret: bytes, login: str) -> str:
    """The ``otpauth://`` address an authenticator app reads (from a QR code or typed)."""
    label = quote(f"{ISSUER}:{login}")
    return f"otpauth://totp/{label}?secret={to_base32(secret)}&issuer={ISSUER}&digits={DIGITS}&period={STEP_SECONDS}"


def _totp(secret: bytes) -> TOTP:
    return TOTP(secret, DIGITS, SHA1(), STEP_SECONDS, enforce_key_length=False)


def step_of(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: bytes, at: datetime) -> str:
    """The code an authenticator shows at ``at``."""
    return _totp(secret).generate(step_of(at) * STEP_SECONDS).decode("ascii")


def matching_step(secret: bytes, code: str, at: datetime) -> int | None:
    """The time step within the window whose code is ``code``, or None."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp, now = _totp(secret), step_of(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(totp.generate(step * STEP_SECONDS).decode("ascii"), code):
            return step
    return None
