"""Idempotent state-changing calls: an answer kept for each ``Idempotency-Key``, so a call retried
after a timeout is answered, not done again.

A handler sends ``Idempotency-Key: <1–255 printable ASCII>`` with a state-changing call (the API's
``jikimi.api.operations.IDEMPOTENT``). The first call with a key claims it and runs; its answer
(below 500) is kept for ``KEEP`` (24 hours from the first call). A repeat with the same key, the same
operation (the operation id and its path parameters) and the same body gets the kept answer; a
repeat while the first still runs waits for it; a repeat that differs is refused (``KeyReused``). A
failed call (5xx, an exception) leaves nothing kept, so a retry runs afresh.

Keys belong to the handler who sent them (``scope``: the handler's id): two handlers' keys never
meet. Nothing personal is kept in the clear: the key, the body and the path parameters only as
keyed digests (HMAC under the blind-index key, which a master-key rotation leaves unchanged, so a
digest made before a rotation still matches; a plain hash of an e-mail used as a key could be
confirmed by hashing guesses), the answer sealed (AES-256-GCM) under a key derived from the master
key (``LABEL``) and bound to its row. Each replay is an access-log row (``idempotency.replay``).

A running call holds its claim for ``LEASE`` and extends it while it runs (``extend``); a claim no
one extends any more (its process crashed) is taken over by the next repeat. A process killed after
its call committed and before its answer was kept leaves such a claim: the repeat after the lease
runs the call again — the one gap left, because the answer is kept in a transaction of its own.

Expired rows are replaced when their key comes again, and removed ``PURGE_BATCH`` at a time at most
every ``PURGE_EVERY`` by each process that claims keys (``purge``), so they go without a sweep.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from jikimi.core import Core
from jikimi.crypto import open_bytes, seal_bytes
from jikimi.errors import InvalidIdempotencyKey, KeyReused, KeyRingError
from jikimi.handlers import Handler
from jikimi.store import idempotency as rows

log = logging.getLogger("jikimi.idempotency")

LABEL = "jikimi/idempotency/v1"
"""The label of the key (derived from the master key) kept answers are sealed under."""
KEEP = timedelta(hours=24)
LEASE = timedelta(seconds=60)
PURGE_EVERY = timedelta(minutes=10)
PURGE_BATCH = 1000
MAX_KEY_LENGTH = 255
REPLAY_ACTION = "idempotency.replay"

# what each digest under the blind-index key is of; a blind index's item id ([a-z][a-z0-9_]*) never
# has a slash, so these digests never equal a look-up's
_KEY_ITEM = b"jikimi/idempotency/key"
_PATH_ITEM = b"jikimi/idempotency/path"
_REQUEST_ITEM = b"jikimi/idempotency/request"
_SEALED_VERSION = b"\x01"


def check_key(values: Sequence[bytes]) -> str:
    """The ``Idempotency-Key`` of a request, from its header values: exactly one, 1–255 printable ASCII
    characters (space to tilde). ``InvalidIdempotencyKey`` otherwise — never quoting the value."""
    if len(values) != 1:
        raise InvalidIdempotencyKey(
            "Idempotency-Key 헤더는 한 번만 보내야 합니다", "send the Idempotency-Key header once"
        )
    value = values[0]
    if not 1 <= len(value) <= MAX_KEY_LENGTH or any(not 0x20 <= byte <= 0x7E for byte in value):
        raise InvalidIdempotencyKey(
            f"Idempotency-Key는 인쇄 가능한 ASCII 1–{MAX_KEY_LENGTH}자여야 합니다",
            f"the Idempotency-Key must be 1–{MAX_KEY_LENGTH} printable ASCII characters",
        )
    return value.decode("ascii")


def canonical_body(body: bytes) -> bytes:
    """The body as compared: JSON with its keys sorted and no spacing (a client that re-encodes the
    same object is repeating itself), any other body byte for byte."""
    try:
        parsed = json.loads(body)
    except ValueError:  # not JSON (or not UTF-8): compared as sent
        return body
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Call:
    """One state-changing call with a key, as compared and kept: who (``handler``), which operation
    (``operation_id``, and ``operation`` with its path parameters' digest), the digests of the key and
    of the request, and what the access log says of a replay (``subject_id``, ``source``)."""

    handler: Handler
    operation_id: str
    operation: str
    key_digest: str
    request_digest: str
    subject_id: str | None
    source: str

    @property
    def scope(self) -> str:
        return self.handler.id


@dataclass(frozen=True)
class Answer:
    """A call's answer as kept and replayed: status, content type and body."""

    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """This call holds the key and runs; ``held`` is its claim's end (and its fence)."""

    held: datetime


@dataclass(frozen=True)
class Kept:
    """The first call's answer, to give again."""

    answer: Answer


@dataclass(frozen=True)
class Running:
    """The first call still runs, its claim held until ``until``."""

    until: datetime


Begun = Claimed | Kept | Running


class Idempotency:
    """The kept answers of one database; one per process (``create_app`` builds it over the core)."""

    def __init__(
        self,
        core: Core,
        *,
        keep: timedelta = KEEP,
        lease: timedelta = LEASE,
        purge_every: timedelta = PURGE_EVERY,
    ) -> None:
        self.core = core
        self.keep = keep
        self.lease = lease
        self.purge_every = purge_every
        self._purged_at: datetime | None = None
        self._purging = threading.Lock()
        self._sealing: dict[str, bytes] | None = None

    def caller(self, token: str) -> Handler | None:
        """Whose key a call with this bearer token uses; None for a token the route will refuse
        (nothing is logged here: the route logs the refusal)."""
        return self.core.handlers.identify(token)

    def call(
        self,
        handler: Handler,
        key: str,
        operation_id: str,
        path: Mapping[str, str],
        body: bytes,
        *,
        query: bytes = b"",
        source: str = "unknown",
    ) -> Call:
        """The call as compared: the same ``key``, ``operation_id``, ``path`` parameters, ``query`` and
        ``body`` (``canonical_body``) make the same call."""
        index_key = self.core.index_key()

        def digest(item: bytes, data: bytes) -> str:
            return hmac.new(index_key, item + b"\x00" + data, hashlib.sha256).hexdigest()

        operation = operation_id
        if path:
            params = json.dumps(dict(path), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            operation += ":" + digest(_PATH_ITEM, params.encode("utf-8"))[:32]
        return Call(
            handler=handler,
            operation_id=operation_id,
            operation=operation,
            key_digest=digest(_KEY_ITEM, key.encode("ascii")),
            request_digest=digest(_REQUEST_ITEM, query + b"\x00" + canonical_body(body)),
            subject_id=path.get("subject_id"),
            source=source[:64],
        )

    def begin(self, call: Call) -> Begun:
        """Claim the key for ``call``, or find what holds it: ``Claimed`` (run the call), ``Kept`` (give
        the kept answer; the replay is logged), ``Running`` (the first call still runs: ask again).
        ``KeyReused`` if the key was used for another call."""
        now = self.core.now()
        self._purge_now_and_then(now)
        claim = rows.NewClaim(
            scope=call.scope,
            key_digest=call.key_digest,
            operation=call.operation,
            request_digest=call.request_digest,
            now=now,
            locked_until=now + self.lease,
            expires_at=now + self.keep,
        )
        with self.core.unit_of_work() as uow:
            for _ in range(3):  # the row may go (released, purged) between the look and the claim
                if rows.claim(uow.conn, claim):
                    uow.commit()
                    return Claimed(claim.locked_until)
                row = rows.get(uow.conn, call.scope, call.key_digest)
                if row is None:
                    continue
                if row.expires_at <= now:  # a key past its 24 hours is new again
                    if rows.replace_expired(uow.conn, claim):
                        uow.commit()
                        return Claimed(claim.locked_until)
                    continue
                if (row.operation, row.request_digest) != (call.operation, call.request_digest):
                    raise KeyReused(
                        "이 Idempotency-Key는 다른 요청(본문·작업·대상)에 이미 쓰였습니다. "
                        "새 요청에는 새 키를 쓰십시오",
                        "the Idempotency-Key was already used for another request (body, operation or "
                        "subject); use a new key for a new request",
                    )
                if row.status == rows.DONE:
                    assert row.response_status is not None and row.response_body is not None
                    self.core.log(
                        uow,
                        now,
                        call.handler.login,
                        REPLAY_ACTION,
                        subject_id=call.subject_id,
                        source=call.source,
                        reason=f"operation={call.operation_id} status={row.response_status}",
                    )
                    uow.commit()
                    sealed = row.response_body
                    return Kept(self._open(call, row.response_status, sealed))  # opened after the commit
                if row.locked_until is not None and row.locked_until > now:
                    return Running(row.locked_until)
                if rows.take_over(
                    uow.conn,
                    scope=call.scope,
                    key_digest=call.key_digest,
                    now=now,
                    locked_until=claim.locked_until,
                ):
                    uow.commit()  # its holder stopped extending it: crashed
                    return Claimed(claim.locked_until)
        return Running(now)  # taken between our looks each time: look again

    def extend(self, call: Call, held: datetime) -> datetime | None:
        """Hold a running call's claim for another ``LEASE``: its new end, or None if it was lost."""
        until = self.core.now() + self.lease
        with self.core.unit_of_work() as uow:
            extended = rows.extend(
                uow.conn, scope=call.scope, key_digest=call.key_digest, held=held, locked_until=until
            )
            uow.commit()
        return until if extended else None

    def finish(self, call: Call, held: datetime, answer: Answer) -> bool:
        """Keep the answer of the call holding ``held``; False if its claim was lost (not kept)."""
        sealed = self._seal(call, answer)
        with self.core.unit_of_work() as uow:
            kept = rows.finish(
                uow.conn,
                scope=call.scope,
                key_digest=call.key_digest,
                held=held,
                response_status=answer.status,
                response_body=sealed,
            )
            uow.commit()
        return kept

    def release(self, call: Call, held: datetime) -> bool:
        """Give the key up after a failed call (5xx, an exception): a retry runs afresh."""
        with self.core.unit_of_work() as uow:
            released = rows.release(uow.conn, scope=call.scope, key_digest=call.key_digest, held=held)
            uow.commit()
        return released

    def purge(self, now: datetime | None = None) -> int:
        """Remove up to ``PURGE_BATCH`` rows past their 24 hours; how many went."""
        with self.core.unit_of_work() as uow:
            removed = rows.purge_expired(uow.conn, now=now or self.core.now(), limit=PURGE_BATCH)
            uow.commit()
        return removed

    def _purge_now_and_then(self, now: datetime) -> None:
        if self._purged_at is not None and now - self._purged_at < self.purge_every:
            return
        if not self._purging.acquire(blocking=False):
            return  # another thread of this process is at it
        try:
            self._purged_at = now
            self.purge(now)
        except Exception as exc:  # noqa: BLE001 - a purge failing must not fail the call; the next tries again
            log.warning("idempotency purge failed: %s", type(exc).__name__)
        finally:
            self._purging.release()

    # -- sealing ----------------------------------------------------------------------------------

    def _keys(self) -> dict[str, bytes]:
        if self._sealing is None:
            self._sealing = self.core.keys.master.derived(LABEL)
        return self._sealing

    @staticmethod
    def _aad(call: Call, status: int) -> bytes:
        return f"{LABEL}/{call.scope}/{call.key_digest}/{status}".encode("ascii")

    def _seal(self, call: Call, answer: Answer) -> bytes:
        key_id = self.core.keys.master.current.id.encode("ascii")
        plain = answer.content_type.encode("latin-1") + b"\n" + answer.body
        sealed = seal_bytes(self._keys()[key_id.decode("ascii")], plain, self._aad(call, answer.status))
        return _SEALED_VERSION + bytes([len(key_id)]) + key_id + sealed

    def _open(self, call: Call, status: int, blob: bytes) -> Answer:
        if blob[:1] != _SEALED_VERSION or len(blob) < 2:
            raise KeyRingError("알 수 없는 보관 응답 형식입니다", "unknown format of a kept answer")
        size = blob[1]
        key_id = blob[2 : 2 + size].decode("ascii")
        key = self._keys().get(key_id)
        if key is None:
            raise KeyRingError(
                f"보관 응답의 마스터 키 {key_id}가 키 링에 없습니다",
                f"the master key {key_id} of a kept answer is not in the key ring",
            )
        plain = open_bytes(key, blob[2 + size :], self._aad(call, status))
        content_type, _, body = plain.partition(b"\n")
        return Answer(status=status, content_type=content_type.decode("latin-1"), body=body)
