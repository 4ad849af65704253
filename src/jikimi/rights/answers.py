"""The answer to a rights request, told to the subject (결과 통지, PIPA 35–38, 시행령 41–44).

When a request closes — answered, partly answered or refused — ONE ``rights_answer`` notice is
queued in the same unit of work (dedupe key ``rights_answer:<request id>``): the request's id,
type and dates, the outcome and the refusal ground as codes, the items or purposes named — ids,
never values. The answer to an access request carries a protected link to the access package:
a token (``pk_…``, 256 bits) good for ``LINK_LIFETIME`` and ``LINK_OPENS`` opens. The token is
stored nowhere: it is an HMAC of the link's random id under a key derived from the master key
(``link_token``); the link table keeps its SHA-256 digest (``package_links``), the queued notice
only the link's id and the master key's id, and the delivery worker derives the token when it
writes the message (``with_link``). A copy of the database opens no package. The URL names
neither the subject nor the request.

The notice goes through the channel the request came in by when the subject holds a contact for
it (a letter is answered by letter, a call by text message), else the first of e-mail, text
message and letter the subject holds — decided from which contact items the subject holds, never
from their values. When the request itself removed every contact (a deletion of everything, the
withdrawal of every consent), no contact remains: no notice is queued, and the request's history
says so (``answer notice not queued: no contact remains``), so the desk answers another way (the
contact given with the request, in person).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from jikimi.clock import as_utc
from jikimi.crypto import KeyRing, token_digest
from jikimi.ids import new_id
from jikimi.policy.model import Policy
from jikimi.store import audiences
from jikimi.store import package_links as link_rows
from jikimi.store.outbox import enqueue
from jikimi.store.rights import RequestRow
from jikimi.store.uow import UnitOfWork

LINK_LIFETIME = timedelta(days=7)
"""How long the link to an access package opens it."""
LINK_OPENS = 5
"""How many times one link opens the package (a reload, a second device), then no more."""
TOKEN_PREFIX = "pk_"
LINK_LABEL = "package-link"
"""The label of the key (derived from the master key) package-link tokens are made with."""

REPLY_ORDER: dict[str, tuple[str, ...]] = {
    "letter": ("letter", "email", "sms"),
    "phone": ("sms", "email", "letter"),
    "fax": ("letter", "email", "sms"),
}
"""The channels tried for a request received by letter, phone or fax; any other request (web,
e-mail, app, in person…) is answered by e-mail, else text message, else letter."""
DEFAULT_ORDER = ("email", "sms", "letter")


@dataclass(frozen=True)
class AnswerNotice:
    """Whether the answer notice was queued, through which channel, and why not when it was not
    (``no_contact``: the subject holds no contact item; ``no_subject``: the subject is gone)."""

    queued: bool
    channel: str | None = None
    why_not: str | None = None
    link_expires_at: datetime | None = None

    def event_note(self) -> str:
        """The line the request's history gets."""
        if self.queued:
            link = (
                ""
                if self.link_expires_at is None
                else f", package link until {self.link_expires_at.isoformat()}"
            )
            return f"answer notice queued ({self.channel}{link})"
        if self.why_not == "duplicate":
            return "answer notice already queued"
        return "answer notice not queued: no contact remains"


def package_path(token: str) -> str:
    """Where the link opens the package (the API's ``GET /v1/rights/packages/{token}``)."""
    return f"/v1/rights/packages/{token}"


def link_token(keys: KeyRing, key_id: str, link_id: str) -> str:
    """The token of the link ``link_id``: an HMAC under the ``LINK_LABEL`` key of master key ``key_id``
    (kept for a retired master key too), so it can be made again when the notice is sent and is
    stored nowhere."""
    key = keys.derived(LINK_LABEL)[key_id]
    mac = hmac.new(key, link_id.encode(), hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def with_link(payload: Mapping[str, object], keys: KeyRing) -> dict[str, object]:
    """The payload of a ``rights_answer`` notice with its ``package_path`` made from the link id
    it holds (what the delivery worker renders); unchanged without a link."""
    out = dict(payload)
    link_id, key_id = payload.get("link_id"), payload.get("link_key")
    if isinstance(link_id, str) and isinstance(key_id, str):
        out["package_path"] = package_path(link_token(keys, key_id, link_id))
    return out


def queue_answer(
    uow: UnitOfWork,
    policy: Policy,
    keys: KeyRing,
    row: RequestRow,
    outcome: str,
    ground: str | None,
    now: datetime,
) -> AnswerNotice:
    """Queue the answer notice of the request ``row`` closing with ``outcome`` (``answered``,
    ``partly_answered`` or ``refused``) inside ``uow``; for an answered access request, with a
    new package link."""
    if row.subject_id is None:
        return AnswerNotice(False, why_not="no_subject")
    order = REPLY_ORDER.get(row.channel, DEFAULT_ORDER)
    held = audiences.channels_held(uow.conn, row.subject_id, audiences.contact_items(policy, order))
    if not held:
        return AnswerNotice(False, why_not="no_contact")
    scope = json.loads(row.scope)
    payload: dict[str, object] = {
        "request_id": row.id,
        "subject_id": row.subject_id,
        "type": row.type,
        "requester": row.requester,
        "outcome": outcome,
        "ground": ground,
        "received_at": as_utc(row.received_at),
        "answered_at": now,
        "items": list(scope.get("items", ())),
        "purposes": list(scope.get("purposes", ())),
        "decision": scope.get("decision"),
    }
    expires: datetime | None = None
    if row.type == "access" and outcome in ("answered", "partly_answered"):
        link_id, key_id = new_id(), keys.current.id
        expires = now + LINK_LIFETIME
        link_rows.add(
            uow.conn,
            link_id=link_id,
            request_id=row.id,
            digest=token_digest(link_token(keys, key_id, link_id)),
            now=now,
            expires_at=expires,
        )
        payload |= {
            "link_id": link_id,
            "link_key": key_id,
            "link_expires_at": expires,
            "link_opens": LINK_OPENS,
        }
    queued = enqueue(
        uow.conn,
        kind="rights_answer",
        subject_id=row.subject_id,
        dedupe_key=f"rights_answer:{row.id}",
        payload=payload,
        due_at=now,
        now=now,
        channel=held[0],
    )
    if not queued:
        return AnswerNotice(False, why_not="duplicate")
    return AnswerNotice(True, channel=held[0], link_expires_at=expires)
