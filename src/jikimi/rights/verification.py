"""Identity verification (본인 확인, PIPA 38 and 시행령 41) as a pluggable step.

Every verifier answers one question — is the requester the subject, the child's legal guardian,
or the agent named in a power of attorney? — inside the caller's unit of work. Two ship with
jikimi:

* ``OneTimeCode``: a random code for the service to deliver to the contact it already holds for
  the subject (SMS, email). Only a keyed digest of the code is stored, with an expiry and an
  attempt limit; the code itself is returned once to the caller and never logged.
* ``VerifiedByHandler``: a handler with the ``rights`` action checked identity themselves (an ID
  card at the counter, a call-back to the registered number) and says how.

Adapters for 본인확인기관 (PASS, 아이핀) can implement ``Verifier`` the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from jikimi.errors import InvalidInput
from jikimi.store import rights as rows
from jikimi.store.uow import UnitOfWork


@dataclass(frozen=True)
class Outcome:
    """The result of checking a proof: ``ok``, and a short stable reason when not."""

    ok: bool
    reason: str = "verified"
    method: str = ""


class Verifier(Protocol):
    """A way of verifying a requester. ``name`` is stored with the request (``verification``)."""

    name: str

    def start(self, uow: UnitOfWork, request_id: str, now: datetime) -> str | None:
        """Begin a verification; returns what the caller must deliver to the requester, if anything."""
        ...

    def check(self, uow: UnitOfWork, request_id: str, proof: str, now: datetime) -> Outcome:
        """Whether ``proof`` verifies the requester of ``request_id``."""
        ...


class OneTimeCode:
    """A six-digit code, valid ``ttl``, at most ``max_attempts`` tries; stored as an HMAC digest."""

    name = "one_time_code"

    def __init__(
        self, key: bytes, *, ttl: timedelta = timedelta(minutes=10), max_attempts: int = 5, digits: int = 6
    ) -> None:
        self._key = key
        self.ttl = ttl
        self.max_attempts = max_attempts
        self.digits = digits

    def _digest(self, request_id: str, code: str) -> bytes:
        return hmac.new(self._key, f"rights-otp\x00{request_id}\x00{code}".encode(), hashlib.sha256).digest()

    def start(self, uow: UnitOfWork, request_id: str, now: datetime) -> str:
        code = f"{secrets.randbelow(10**self.digits):0{self.digits}d}"
        rows.put_code(uow.conn, request_id, self._digest(request_id, code), now + self.ttl)
        return code

    def check(self, uow: UnitOfWork, request_id: str, proof: str, now: datetime) -> Outcome:
        row = rows.code(uow.conn, request_id)
        if row is None:
            return Outcome(False, "no_code_issued", self.name)
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
        if row.attempts >= self.max_attempts:
            return Outcome(False, "too_many_attempts", self.name)
        if now >= expires:
            return Outcome(False, "code_expired", self.name)
        if not hmac.compare_digest(bytes(row.code_digest), self._digest(request_id, proof.strip())):
            rows.count_attempt(uow.conn, request_id, row.attempts + 1)
            return Outcome(False, "wrong_code", self.name)
        rows.drop_code(uow.conn, request_id)
        return Outcome(True, "verified", self.name)


class VerifiedByHandler:
    """The handler verified the requester in person or by call-back; ``proof`` says how (no values)."""

    name = "handler"

    def start(self, uow: UnitOfWork, request_id: str, now: datetime) -> None:
        return None

    def check(self, uow: UnitOfWork, request_id: str, proof: str, now: datetime) -> Outcome:
        method = proof.strip()
        if not method:
            raise InvalidInput(
                "method",
                "어떻게 본인임을 확인했는지 적어야 합니다 (예: 신분증 확인)",
                "say how the identity was checked (e.g. ID card seen)",
            )
        return Outcome(True, "verified", method[:200])
