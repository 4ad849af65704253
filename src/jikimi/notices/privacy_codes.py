"""The one-time code that opens the privacy center, as a notice (``privacy_code``).

The code is never stored, not even in the outbox: the message holds a random reference and the id
of the master key, and the code is an HMAC of the reference under a key derived from that master
key (``CODE_LABEL``), made again when the message is sent (``with_code``). The privacy center's
pass keeps only a keyed digest of the same code (``jikimi.signin.privacy``). So a copy of the
database, without the master key, gives no code to type.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from jikimi.crypto import KeyRing
from jikimi.store import outbox as outbox_rows
from jikimi.store.uow import UnitOfWork

CODE_LABEL = "privacy.code"
DIGITS = 6


def one_time_code(keys: KeyRing, key_id: str, ref: str) -> str:
    """The six-digit code of the reference ``ref`` under master key ``key_id``."""
    key = keys.derived(CODE_LABEL)[key_id]
    mac = hmac.new(key, f"privacy-code\x00{ref}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10**DIGITS:0{DIGITS}d}"


def with_code(payload: Mapping[str, object], keys: KeyRing) -> dict[str, object]:
    """The payload of a ``privacy_code`` notice with its ``code`` made from the reference it holds
    (what the delivery worker renders); unchanged for any other payload."""
    out = dict(payload)
    ref, key_id = payload.get("code_ref"), payload.get("code_key")
    if isinstance(ref, str) and isinstance(key_id, str):
        out["code"] = one_time_code(keys, key_id, ref)
    return out


def queue_code(
    uow: UnitOfWork,
    *,
    subject_id: str,
    channel: str,
    ref: str,
    key_id: str,
    expires_at: datetime,
    now: datetime,
) -> bool:
    """Queue the code's message to the subject's contact on ``channel`` (``email`` or ``sms``),
    due now, inside ``uow``; whether it was queued."""
    return outbox_rows.enqueue(
        uow.conn,
        kind="privacy_code",
        subject_id=subject_id,
        dedupe_key=f"privacy_code:{ref}",
        payload={
            "code_ref": ref,
            "code_key": key_id,
            "channel": channel,
            "expires_at": expires_at.isoformat(),
        },
        due_at=now,
        now=now,
        channel=channel,
    )
