"""Service events: telling the service's own code what jikimi did, so its tables never point at
people jikimi has already withdrawn, separated or destroyed.

The changes write their events in their own transaction (``Core.emit``; the types are
``store.events.EVENT_TYPES``). This service gives them their order (``store.events.sequence``),
delivers them to the service's endpoint (``JIKIMI_EVENTS_URL``) as signed JSON posts — at least
once, a subject's in order, retried with the outbox's back-off and dead after the last try — and
answers a service that pulls instead (``GET /v1/events?after=``).

A post looks like this (the body is ``Event.document()``; the signature is the notices' webhook
scheme, ``notices.channels.sign``)::

    POST <JIKIMI_EVENTS_URL>
    Content-Type: application/json; charset=utf-8
    Idempotency-Key: evt_2c26b46b68ffc68ff99b453c
    X-Jikimi-Event-Id: evt_2c26b46b68ffc68ff99b453c
    X-Jikimi-Event-Type: subject.withdrawn
    X-Jikimi-Timestamp: 1764752400
    X-Jikimi-Signature: v1=<hex HMAC-SHA256(JIKIMI_EVENTS_SECRET, "<timestamp>." + body)>

    {"id":"evt_…","type":"subject.withdrawn","subject_id":"…","occurred_at":"2026-12-03T20:00:00Z",
     "position":1,"data":{"reason":"member_request"}}

Events hold ids, types, dates and codes, never a personal value; still, they say what became of a
subject (metadata), so a pull is one access-log row (``events.read``), and a replay too.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from jikimi.core import Core
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import Handler
from jikimi.notices.channels import SendError, Webhook
from jikimi.notices.rounds import MARK_EVERY, DeliveryReport, count_failure, next_try, worker_name
from jikimi.store import events as event_rows
from jikimi.store.events import EVENT_TYPES, Event

logger = logging.getLogger("jikimi.events")

LEASE = timedelta(minutes=2)
BATCH = 100
MAX_PAGE = 1000


@dataclass(frozen=True)
class EventPage:
    """A page of events after a position, and the position to ask after next."""

    events: list[Event]
    next: int


def body(event: Event) -> bytes:
    """The JSON body posted for ``event`` (compact, UTF-8)."""
    return json.dumps(event.document(), ensure_ascii=False, separators=(",", ":")).encode()


def headers(event: Event) -> dict[str, str]:
    """The headers naming ``event`` (the channel adds the timestamp and signature)."""
    return {
        "Idempotency-Key": event.event_id,
        "X-Jikimi-Event-Id": event.event_id,
        "X-Jikimi-Event-Type": event.type,
    }


class ServiceEvents:
    """Sequences, delivers, pages and replays the service events."""

    def __init__(
        self,
        core: Core,
        endpoint: Webhook | None = None,
        *,
        tries: int = 8,
        lease: timedelta = LEASE,
        rng: random.Random | None = None,
    ) -> None:
        self.core = core
        self.endpoint = endpoint
        self.tries = tries
        self.lease = lease
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not a secret

    # -- order ------------------------------------------------------------------------------------

    def sequence(self) -> int:
        """Give positions to the events committed without one; how many got one."""
        total = 0
        while True:
            with self.core.unit_of_work() as uow:
                given = event_rows.sequence(uow.conn)
                uow.commit()
            total += given
            if given < event_rows.SEQUENCE_BATCH:
                return total

    # -- delivery -----------------------------------------------------------------------------------

    def run_once(self, limit: int = BATCH, *, worker: str | None = None) -> DeliveryReport:
        """Deliver up to ``limit`` due events (none without an endpoint); what happened."""
        if self.endpoint is None:
            return DeliveryReport()
        worker = worker or worker_name()
        self.sequence()
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            batch = event_rows.claim(uow.conn, now=now, until=now + self.lease, worker=worker, limit=limit)
            uow.commit()
        report = DeliveryReport(claimed=len(batch))
        sent: list[int] = []
        try:
            for event in batch:
                try:
                    self.endpoint.post(body(event), headers(event))
                except SendError as failure:
                    self._failed(event, worker, failure, report)
                else:
                    sent.append(event.id)
                if len(sent) >= MARK_EVERY:
                    self._mark(sent, worker, report)
        finally:
            self._mark(sent, worker, report)
        return report

    def _mark(self, sent: list[int], worker: str, report: DeliveryReport) -> None:
        if not sent:
            return
        with self.core.unit_of_work() as uow:
            report.delivered += event_rows.mark_delivered(uow.conn, sent, worker=worker, now=self.core.now())
            uow.commit()
        sent.clear()

    def _failed(self, event: Event, worker: str, failure: SendError, report: DeliveryReport) -> None:
        attempts, now = event.attempts + 1, self.core.now()
        retry_at = next_try(attempts, failure.retry, self.tries, now, self.rng)
        with self.core.unit_of_work() as uow:
            event_rows.mark_failed(
                uow.conn, event.id, worker=worker, error=failure.code, retry_at=retry_at, now=now
            )
            uow.commit()
        count_failure(report, failure.code, dead=retry_at is None)
        if retry_at is None:
            logger.warning(
                "event %s (%s) is dead after %d tries: %s", event.event_id, event.type, attempts, failure.code
            )

    def close(self) -> None:
        if self.endpoint is not None:
            self.endpoint.close()

    # -- the service pulls ----------------------------------------------------------------------------

    def page(
        self,
        *,
        after: int = 0,
        limit: int = 100,
        types: Sequence[str] = (),
        actor: Handler,
        source: str = "local",
    ) -> EventPage:
        """Events after position ``after`` in order (at most ``limit``, up to 1,000; of ``types`` when
        named), for a handler whose role has the ``events`` action; one access-log row."""
        self._check(actor, after, limit, types)
        self.sequence()
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            found = event_rows.page(uow.conn, after=after, limit=limit, types=types)
            self.core.log(
                uow,
                now,
                actor.login,
                "events.read",
                source=source,
                reason=f"after={after}; types={','.join(types) or '*'}",
                count=max(len(found), 1),
            )
            uow.commit()
        last = found[-1].position if found else None
        return EventPage(found, last if last is not None else after)

    def _check(self, actor: Handler, after: int, limit: int, types: Sequence[str]) -> None:
        if not actor.role.may("events"):
            raise Denied(
                "action_not_allowed",
                "이 역할에는 서비스 이벤트 조회가 허용되지 않습니다 ('events' 작업)",
                "the handler's role may not read the service events (the 'events' action)",
            )
        if after < 0:
            raise InvalidInput("after", "0 이상이어야 합니다", "must be 0 or more")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(
                "limit", f"1에서 {MAX_PAGE} 사이여야 합니다", f"must be between 1 and {MAX_PAGE}"
            )
        unknown = sorted(set(types) - set(EVENT_TYPES))
        if unknown:
            raise InvalidInput(
                "types",
                f"알 수 없는 이벤트 유형입니다: {', '.join(unknown)}",
                f"unknown event types: {', '.join(unknown)} (known: {', '.join(EVENT_TYPES)})",
            )

    # -- the operator's view ------------------------------------------------------------------------

    def listed(
        self,
        *,
        after: int | None = None,
        status: str | None = None,
        types: Sequence[str] = (),
        subject_id: str | None = None,
        limit: int = 100,
    ) -> list[Event]:
        """Events by position (``jikimi events list``), those not yet given one last."""
        with self.core.reading() as conn:
            return event_rows.listed(
                conn, after=after, status=status, types=types, subject_id=subject_id, limit=limit
            )

    def counts(self) -> dict[tuple[str, str], int]:
        """``(type, state)`` → events; state ``due``, ``later``, ``delivered`` or ``dead``."""
        with self.core.reading() as conn:
            return event_rows.counts(conn, now=self.core.now())

    def replay(self, *, ids: Sequence[str] = (), after: int | None = None, actor: str = "system") -> int:
        """Events (these ids, or every one after a position) delivered again, with the same ids
        (the service drops what it has seen); logged. How many."""
        if not ids and after is None:
            raise InvalidInput(
                "ids",
                "다시 보낼 이벤트 id나 --after 위치를 주십시오",
                "name event ids or a position (--after)",
            )
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            count = event_rows.replay(uow.conn, ids=ids, after=after, now=now)
            self.core.log(
                uow, now, actor, "events.replay", count=max(count, 1), reason=f"after={after}; ids={len(ids)}"
            )
            uow.commit()
        return count
