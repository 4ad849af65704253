"""The integration flow of docs/integration.md, through a Python client generated from jikimi's own
OpenAPI document by openapi-python-client (package ``jikimi_client``): a sign-up sent twice with one
Idempotency-Key, a read for a purpose, a refused read and its reason, the withdrawal, and the signed
``subject.withdrawn`` event at the service's own receiver (``http.server`` in a thread).

Configuration from the environment: JIKIMI_URL, JIKIMI_LOGIN, JIKIMI_PASSWORD, EVENTS_PORT and
EVENTS_SECRET. Prints one JSON line; exits 0 only when every check held. Run by
tests/clients/test_python_client.py against a real ``jikimi serve``, with the generated package on
its path; the regions marked below are quoted in docs/integration.md, and a test keeps them
identical.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jikimi_client import AuthenticatedClient, Client
from jikimi_client.api.events import list_events
from jikimi_client.api.handlers import log_in
from jikimi_client.api.lifecycle import withdraw_subject
from jikimi_client.api.subjects import collect_subject, read_subject
from jikimi_client.models import (
    CollectIn,
    CollectInConsents,
    CollectInData,
    CollectOut,
    ErrorEnvelope,
    EventsPage,
    LoginIn,
    ReadIn,
    ReadOut,
    TokenOut,
    WithdrawIn,
    WithdrawInReason,
    WithdrawOut,
)


class Refused(Exception):
    """jikimi answered with its error envelope where the flow needed an answer."""

    def __init__(self, status: int, envelope: ErrorEnvelope | None) -> None:
        code = envelope.error.code if envelope else "?"
        super().__init__(f"{status} {code}")
        self.status = status
        self.envelope = envelope


def _refused(status: int, parsed: object) -> Refused:
    return Refused(status, parsed if isinstance(parsed, ErrorEnvelope) else None)


# region: client
def connect(url: str, login: str, password: str) -> AuthenticatedClient:
    """A client with a fresh handler token (valid 12 hours by default: log in again on a 401)."""
    answer = log_in.sync_detailed(client=Client(base_url=url), body=LoginIn(login=login, password=password))
    if not isinstance(answer.parsed, TokenOut):  # 401, 423 locked, 429 too many failures
        raise _refused(answer.status_code, answer.parsed)
    return AuthenticatedClient(base_url=url, token=answer.parsed.token)


# endregion


# region: signup
def sign_up(
    jikimi: AuthenticatedClient, form: dict[str, str], marketing: bool, idempotency_key: str
) -> tuple[str, bool]:
    """Collects a new member as the policy's ``signup`` context says; the subject id (the only thing
    the service stores) and whether the answer was a replay. A retry (a timeout, a crash) sends the
    same key and body and gets the first answer."""
    answer = collect_subject.sync_detailed(
        client=jikimi,
        body=CollectIn(
            context="signup",
            data=CollectInData.from_dict(form),
            consents=CollectInConsents.from_dict({"marketing": marketing}),
            channel="web",
        ),
        idempotency_key=idempotency_key,
    )
    if not isinstance(answer.parsed, CollectOut):
        # 409 vault.duplicate: already a member (error.field names the look-up item);
        # 422 vault.invalid / request.invalid: show the message next to the input error.field
        raise _refused(answer.status_code, answer.parsed)
    return answer.parsed.subject_id, answer.headers.get("Idempotent-Replayed") == "true"


# endregion


# region: read
def read_for(jikimi: AuthenticatedClient, subject_id: str, items: list[str], purpose: str) -> dict[str, str]:
    """Reads items for one purpose; a 403 is the gate's answer, with a reason to act on."""
    answer = read_subject.sync_detailed(subject_id, client=jikimi, body=ReadIn(items=items, purpose=purpose))
    if isinstance(answer.parsed, ReadOut):
        return dict(answer.parsed.values.additional_properties)
    raise _refused(answer.status_code, answer.parsed)


def denial_reason(error: Refused) -> str | None:
    """The gate's reason for a 403 (``consent_missing``, ``withdrawn``, …), else None."""
    if error.status != HTTPStatus.FORBIDDEN or error.envelope is None:
        return None
    reason = error.envelope.error.reason
    return reason if isinstance(reason, str) else None


# endregion


# region: withdraw
def withdraw(jikimi: AuthenticatedClient, subject_id: str, idempotency_key: str) -> WithdrawOut:
    """Ends the membership: what was destroyed at once, and what is kept apart until when."""
    answer = withdraw_subject.sync_detailed(
        subject_id,
        client=jikimi,
        body=WithdrawIn(reason=WithdrawInReason.MEMBER_REQUEST),
        idempotency_key=idempotency_key,
    )
    if not isinstance(answer.parsed, WithdrawOut):
        raise _refused(answer.status_code, answer.parsed)
    return answer.parsed


# endregion


# region: pull
def events_after(jikimi: AuthenticatedClient, position: int) -> EventsPage:
    """The events after the last position handled (a service without a webhook, or catching up
    after downtime): handle ``events`` in order, then keep ``next_`` as the position to ask after."""
    answer = list_events.sync_detailed(client=jikimi, after=position, limit=100)
    if not isinstance(answer.parsed, EventsPage):
        raise _refused(answer.status_code, answer.parsed)
    return answer.parsed


# endregion


# region: verify
TOLERANCE_SECONDS = 300


def verify_signature(
    secret: bytes, timestamp: str, raw_body: bytes, signature: str, now: float | None = None
) -> bool:
    """Whether a delivery is jikimi's and fresh: ``v1=`` + hex HMAC-SHA256 of "<timestamp>.<raw
    body>" under the shared secret, compared in constant time, sent within five minutes of now."""
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    mac = hmac.new(secret, timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v1={mac}".encode(), signature.encode())


# endregion


# region: receiver
@dataclass(frozen=True)
class Delivery:
    timestamp: str
    signature: str
    body: bytes


def event_receiver(
    port: int, secret: bytes, handle: Callable[[dict[str, Any], Delivery], None]
) -> ThreadingHTTPServer:
    """The service's endpoint for jikimi's events (JIKIMI_EVENTS_URL). Delivery is at least once: an
    event already handled (the same id) is acknowledged again and not handled twice."""
    handled: set[str] = set()  # a real service keeps these ids in its database
    lock = threading.Lock()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            delivery = Delivery(
                timestamp=self.headers.get("X-Jikimi-Timestamp", ""),
                signature=self.headers.get("X-Jikimi-Signature", ""),
                body=self.rfile.read(int(self.headers.get("Content-Length", "0"))),  # raw bytes
            )
            if not verify_signature(secret, delivery.timestamp, delivery.body, delivery.signature):
                self.send_response(HTTPStatus.UNAUTHORIZED)
            else:
                event = json.loads(delivery.body)
                with lock:
                    if event["id"] not in handled:
                        handle(event, delivery)
                        handled.add(event["id"])
                self.send_response(HTTPStatus.NO_CONTENT)  # any 2xx: delivered; else retried later
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return None

    return ThreadingHTTPServer(("127.0.0.1", port), Receiver)


# endregion


MEMBER = {
    "name": "홍길동",
    "birthdate": "1990-01-01",
    "login_id": "hong",
    "password": "secret-pass-1",
    "mobile": "010-1234-5678",
    "email": "hong@example.com",
    "ci": "CI" + "A" * 86,
}

checks: dict[str, bool] = {}
timings: dict[str, int] = {}
started = time.monotonic()


def check(name: str, held: bool) -> None:
    checks[name] = held
    timings[name] = round((time.monotonic() - started) * 1000)


def refusal_of(call: Callable[[], object]) -> str | None:
    try:
        call()
    except Refused as error:
        return denial_reason(error)
    return None


def eventually(find: Callable[[], Any], timeout: float) -> Any:
    until = time.monotonic() + timeout
    while True:
        found = find()
        if found is not None or time.monotonic() > until:
            return found
        time.sleep(0.1)


def withdrawn_event(
    events: list[tuple[dict[str, Any], Delivery]], subject_id: str
) -> tuple[dict[str, Any], Delivery] | None:
    for event, delivery in list(events):
        if event["type"] == "subject.withdrawn" and event["subject_id"] == subject_id:
            return event, delivery
    return None


def flow() -> dict[str, Any]:
    secret = os.environ["EVENTS_SECRET"].encode()
    events: list[tuple[dict[str, Any], Delivery]] = []
    receiver = event_receiver(int(os.environ["EVENTS_PORT"]), secret, lambda e, d: events.append((e, d)))
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        jikimi = connect(os.environ["JIKIMI_URL"], os.environ["JIKIMI_LOGIN"], os.environ["JIKIMI_PASSWORD"])
        check("logged_in", True)

        key = f"signup-{uuid.uuid4()}"
        subject_id, first_replayed = sign_up(jikimi, MEMBER, False, key)
        again, again_replayed = sign_up(jikimi, MEMBER, False, key)  # the same key and body
        check("same_subject_twice", again == subject_id)
        check("second_replayed", not first_replayed and again_replayed)

        values = read_for(jikimi, subject_id, ["name", "email"], "membership")
        check("read_for_purpose", values.get("email") == MEMBER["email"])
        refused = refusal_of(lambda: read_for(jikimi, subject_id, ["email"], "marketing"))
        check("refused_without_consent", refused == "consent_missing")

        withdrawn = withdraw(jikimi, subject_id, f"withdraw-{uuid.uuid4()}")
        check("withdrawn", withdrawn.subject_id == subject_id)
        after = refusal_of(lambda: read_for(jikimi, subject_id, ["name"], "membership"))
        check("refused_after_withdrawal", after == "withdrawn")

        got = eventually(lambda: withdrawn_event(events, subject_id), 60.0)
        check("event_received", got is not None)
        event: dict[str, Any] | None = None
        if got is not None:
            event, delivery = got
            stamp, body, signature = delivery.timestamp, delivery.body, delivery.signature
            late = int(stamp) + TOLERANCE_SECONDS + 1
            check("event_id_shape", re.fullmatch(r"evt_[0-9a-f]{24}", event["id"]) is not None)
            check("signature_verified", verify_signature(secret, stamp, body, signature))
            check("tampered_body_refused", not verify_signature(secret, stamp, body + b" ", signature))
            check("wrong_secret_refused", not verify_signature(secret + b"x", stamp, body, signature))
            check("stale_timestamp_refused", not verify_signature(secret, stamp, body, signature, now=late))
        if event is not None:
            page = events_after(jikimi, event["position"] - 1)  # the same event, pulled
            pulled = next((e for e in page.events if e.id == event["id"]), None)
            check(
                "pulled_same_event",
                pulled is not None
                and pulled.type_ == "subject.withdrawn"
                and pulled.subject_id == subject_id,
            )
            later = events_after(jikimi, page.next_)
            check(
                "pulled_after_next",
                page.next_ >= event["position"] and all(e.position > page.next_ for e in later.events),
            )
        shown = {k: event[k] for k in ("id", "type", "position")} if event else None
        return {"subject_id": subject_id, "event": shown}
    finally:
        receiver.shutdown()
        receiver.server_close()


def main() -> int:
    try:
        result = flow()
    except Exception as failure:  # noqa: BLE001 - any failure is the flow's answer, printed
        print(json.dumps({"ok": False, "checks": checks, "timings_ms": timings, "error": repr(failure)}))
        return 1
    ok = all(checks.values())
    print(json.dumps({"ok": ok, "checks": checks, "timings_ms": timings, **result}, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
