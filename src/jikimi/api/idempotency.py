"""The ``Idempotency-Key`` header on state-changing calls: a pure ASGI middleware over
``jikimi.idempotency`` (which keeps the answers; this only speaks HTTP).

It acts on a ``POST`` whose route's operation id is in ``operations.IDEMPOTENT`` and that carries the
header; any other request passes untouched (a read with a key is read, and logged, again). Then:

* a header that is not one value of 1–255 printable ASCII is 422 ``idempotency.invalid_key``
  (``field: "Idempotency-Key"``);
* a request without a valid bearer token passes through, and the route answers 401 — nothing is
  kept, nothing is logged twice (the key is the handler's, so it needs one);
* the first call claims the key and runs; its answer below 500 is kept and then sent; a 5xx or an
  exception gives the key up, so a retry runs afresh; the claim is extended every third of its lease
  while the call runs, so a slow call is never taken for a crashed one;
* a repeat gets the kept answer — the same status and body, with ``Idempotent-Replayed: true``; a
  repeat while the first still runs waits (every ``poll`` seconds, up to ``wait``), then gets the
  answer, or 409 ``idempotency.in_progress`` with ``Retry-After``; a repeat with another body,
  operation or subject is 422 ``idempotency.key_reused``.

Database calls run in worker threads, so waiting repeats never block the event loop. Mounted inside
``GuardMiddleware``: the body is limited before it is read here, and an exception passed on here
becomes the guard's 500.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anyio
import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jikimi.api.errors import envelope, status_of
from jikimi.api.operations import IDEMPOTENT, OPERATION_IDS
from jikimi.errors import CallInProgress, IdempotencyError, InvalidIdempotencyKey, KeyReused
from jikimi.idempotency import Answer, Call, Claimed, Idempotency, Kept, check_key

log = logging.getLogger("jikimi.api")

HEADER = b"idempotency-key"
REPLAYED = (b"idempotent-replayed", b"true")


@dataclass
class _Fence:
    """The claim's current end, moved by the heartbeat (inside its worker thread, so a cancelled
    heartbeat never leaves the database a step ahead of it)."""

    held: datetime


@dataclass
class _Captured:
    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    complete: bool = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
            self.complete = not message.get("more_body", False)

    def content_type(self) -> str:
        found = next((v for k, v in self.headers if k.lower() == b"content-type"), b"application/json")
        return found.decode("latin-1")


class IdempotencyMiddleware:
    """``keeper``: the kept answers; ``wait``/``poll``: how long and how often a repeat waits for a
    first call still running (seconds)."""

    def __init__(self, app: ASGIApp, *, keeper: Idempotency, wait: float = 30.0, poll: float = 0.05) -> None:
        self.app = app
        self.keeper = keeper
        self.wait = wait
        self.poll = poll
        self.paths = post_paths()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or [])
        given = [value for name, value in headers if name.lower() == HEADER]
        operation = _operation(scope, self.paths) if given else None
        token = _bearer(headers)
        if operation is None or token is None:  # no key, not state-changing, or no token: the route decides
            await self.app(scope, receive, send)
            return
        operation_id, path = operation
        try:
            key = check_key(given)
        except InvalidIdempotencyKey as exc:
            await _error(send, exc)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client left
        replay = _replaying(body, receive)
        handler = await anyio.to_thread.run_sync(self.keeper.caller, token)
        if handler is None:  # an invalid token: the route answers 401 and logs it, once
            await self.app(scope, replay, send)
            return
        client = scope.get("client")
        query = bytes(scope.get("query_string", b""))
        source = str(client[0]) if client else "unknown"
        call = await anyio.to_thread.run_sync(
            lambda: self.keeper.call(handler, key, operation_id, path, body, query=query, source=source)
        )
        deadline = time.monotonic() + self.wait
        while True:
            try:
                begun = await anyio.to_thread.run_sync(self.keeper.begin, call)
            except KeyReused as exc:
                await _error(send, exc)
                return
            if isinstance(begun, Kept):
                await _send_answer(send, begun.answer, replayed=True)
                return
            if isinstance(begun, Claimed):
                break
            if time.monotonic() >= deadline:
                retry = max(1, int((begun.until - self.keeper.core.now()).total_seconds()) + 1)
                busy = CallInProgress(
                    "같은 Idempotency-Key의 첫 요청이 아직 처리 중입니다. 잠시 후 다시 시도하십시오",
                    "the first request with this Idempotency-Key is still running; try again shortly",
                    retry_after=retry,
                )
                await _error(send, busy, {"Retry-After": str(busy.retry_after)})
                return
            await anyio.sleep(self.poll)
        await self._run(scope, replay, send, call, _Fence(begun.held))

    async def _run(self, scope: Scope, receive: Receive, send: Send, call: Call, fence: _Fence) -> None:
        captured = _Captured()
        error: Exception | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(self._hold, call, fence)
            try:
                await self.app(scope, receive, captured.send)
            except Exception as exc:  # noqa: BLE001 - given back below, once the claim is released
                error = exc
            finally:
                group.cancel_scope.cancel()
        if error is not None or captured.status >= 500 or not captured.complete:
            await self._settle(self.keeper.release, call, fence.held)
            if error is not None:
                raise error
        else:
            answer = Answer(captured.status, captured.content_type(), bytes(captured.body))
            await self._settle(self.keeper.finish, call, fence.held, answer)
        await send({"type": "http.response.start", "status": captured.status, "headers": captured.headers})
        await send({"type": "http.response.body", "body": bytes(captured.body)})

    async def _hold(self, call: Call, fence: _Fence) -> None:
        """Extend the claim every third of its lease while the call runs (until cancelled or lost)."""
        every = max(self.keeper.lease.total_seconds() / 3, 0.01)

        def beat() -> bool:
            until = self.keeper.extend(call, fence.held)
            if until is not None:
                fence.held = until
            return until is not None

        while True:
            await anyio.sleep(every)
            try:
                if not await anyio.to_thread.run_sync(beat):
                    return
            except Exception as exc:  # noqa: BLE001 - a missed beat: the next one tries again
                log.warning("idempotency claim not extended: %s", type(exc).__name__)

    async def _settle(self, step: Callable[..., bool], *args: Any) -> None:
        """Keep the answer, or give the key up. A failure is logged (its type only: messages may quote
        SQL parameters) and the answer still goes out — the call itself is over; its claim lapses after
        its lease, and a retry after that runs afresh."""
        try:
            settled = await anyio.to_thread.run_sync(step, *args)
        except Exception as exc:  # noqa: BLE001 - the client gets its answer all the same
            log.error("idempotency claim not settled: %s", type(exc).__name__)
            return
        if not settled:
            log.warning("idempotency claim lost before its call ended (taken over after its lease)")


_PARAMETER = re.compile(r"\{(\w+)\}")


def post_paths() -> list[tuple[re.Pattern[str], str]]:
    """Every jikimi ``POST`` path as a pattern with its operation id, from jikimi's own table
    (``operations.OPERATION_IDS``, which names every route), static paths before templated ones as
    the router sees them — so ``/v1/read`` is never taken for a templated path."""
    found = sorted(
        ((path, name) for (method, path), name in OPERATION_IDS.items() if method == "post"),
        key=lambda entry: (entry[0].count("{"), entry[0]),
    )
    patterns = []
    for path, name in found:
        regex = "".join(
            f"(?P<{part[1:-1]}>[^/]+)" if _PARAMETER.fullmatch(part) else re.escape(part)
            for part in re.split(r"(\{\w+\})", path)
        )
        patterns.append((re.compile(regex), name))
    return patterns


def _operation(scope: Scope, paths: list[tuple[re.Pattern[str], str]]) -> tuple[str, dict[str, str]] | None:
    """The operation id and path parameters of a request to an operation that takes a key (None for
    any other: a read, a check, a route of the embedding application)."""
    path, root = str(scope.get("path", "")), str(scope.get("root_path", ""))
    if root and path.startswith(root):
        path = path[len(root) :]
    for pattern, name in paths:
        matched = pattern.fullmatch(path)
        if matched is not None:
            return (name, matched.groupdict()) if name in IDEMPOTENT else None
    return None


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The bearer token, as ``deps.current_handler`` reads it (scheme in any case, non-empty)."""
    value = next((v for k, v in headers if k.lower() == b"authorization"), None)
    if value is None:
        return None
    scheme, _, token = value.decode("latin-1").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def _read_body(receive: Receive) -> bytes | None:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return bytes(body)


def _replaying(body: bytes, receive: Receive) -> Receive:
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_answer(
    send: Send, answer: Answer, *, replayed: bool = False, extra: dict[str, str] | None = None
) -> None:
    headers = [
        (b"content-type", answer.content_type.encode("latin-1")),
        (b"content-length", str(len(answer.body)).encode("ascii")),
    ]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (extra or {}).items()]
    if replayed:
        headers.append(REPLAYED)
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _error(send: Send, exc: IdempotencyError, headers: dict[str, str] | None = None) -> None:
    """``exc`` in the error envelope, its status from ``errors.status_of`` like every other error."""
    body = envelope(exc.code, exc.message_ko, exc.message_en, field=getattr(exc, "field", None))
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await _send_answer(send, Answer(status_of(exc), "application/json", payload), extra=headers)
