"""The small core every service is built on: the policy, the database, the keys, the clock, the
access log and the handlers — and the three things every operation asks of them.

``now()`` (the clock, in UTC), ``actor(…)`` (who acts: a ``Handler``, ``"self"``, ``"guardian"``,
``"system"``, or a handler's login) and ``unit_of_work()`` (one transaction; only its ``commit``
commits). Services take the core in their constructor and, for operations others build on, the
caller's unit of work; none reaches another service through a façade. ``bootstrap.open_jikimi``
builds the one core of a process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from jikimi.audit.log import AccessLog, Entry
from jikimi.clock import Clock, SystemClock, as_utc
from jikimi.crypto import KeyRing, Passwords
from jikimi.epochs import EpochFile
from jikimi.handlers import BUILT_IN, Handler, HandlerService
from jikimi.pii import mask
from jikimi.policy.model import Policy
from jikimi.settings import TOKEN_LIFETIME
from jikimi.store import events as event_rows
from jikimi.store.events import EventType, NewEvent
from jikimi.store.keys import KeyStore
from jikimi.store.uow import UnitOfWork
from jikimi.tombstones import TombstoneFile


def scrub(text: str | None) -> str | None:
    """Free text as it may be stored: personal data a person typed into a reason, a reference or a
    note (a phone number, an e-mail, a resident number, a name…) replaced by its type, ``<전화번호>``
    (jikimi's own detector, ``jikimi.pii``); ids, codes and dates pass unchanged."""
    return mask(text, operator="label") if text else text


class Core:
    """Build one per process (``bootstrap.open_jikimi`` does); it holds no per-request state."""

    def __init__(
        self,
        *,
        policy: Policy,
        engine: Engine,
        keys: KeyRing,
        clock: Clock | None = None,
        passwords: Passwords | None = None,
        access_log: AccessLog | None = None,
        token_lifetime: timedelta = TOKEN_LIFETIME,
        epochs: EpochFile | None = None,
        tombstones: TombstoneFile | None = None,
    ) -> None:
        self.policy = policy
        self.engine = engine
        self.keys = KeyStore(keys, epochs=epochs, tombstones=tombstones)
        self.clock: Clock = clock or SystemClock()
        self.passwords = passwords or Passwords()
        self.access_log = access_log or AccessLog()
        self.handlers = HandlerService(
            engine, self.clock, self.access_log, self.passwords, token_lifetime=token_lifetime
        )

    def now(self) -> datetime:
        """The current instant in UTC."""
        return as_utc(self.clock.now())

    def actor(self, actor: Handler | str) -> Handler:
        """Who acts: a ``Handler`` as given; ``"self"``, ``"guardian"`` or ``"system"`` (jikimi's own
        actors, ``handlers.BUILT_IN``); any other string, the active handler with that login."""
        if isinstance(actor, Handler):
            return actor
        return BUILT_IN.get(actor) or self.handlers.get(actor)

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work on the database: ``with core.unit_of_work() as uow: …; uow.commit()``."""
        return UnitOfWork(self.engine)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads that change nothing (and so need no access-log row of their own)."""
        with self.engine.connect() as conn:
            yield conn

    def index_key(self) -> bytes:
        """The blind-index key (created on first use)."""
        return self.keys.ensure_index_key(self.engine, self.now())

    def log(
        self,
        uow: UnitOfWork,
        at: datetime,
        actor: str,
        action: str,
        *,
        outcome: str = "allowed",
        subject_id: str | None = None,
        items: Sequence[str] = (),
        purpose: str | None = None,
        source: str = "local",
        reason: str | None = None,
        count: int = 1,
    ) -> None:
        """Append one access-log row inside ``uow`` (it counts once the unit of work commits): who
        (``actor``, a login), when, what, whose data, which items (ids, never values) and why.
        The ``reason`` is free text a person may have typed: personal data in it is replaced by its
        type (``<전화번호>``) before it is stored (``scrub``), so the log outlives no one's data."""
        entry = Entry(
            at=at,
            actor=actor,
            action=action,
            outcome=outcome,
            subject_id=subject_id,
            items=items,
            purpose=purpose,
            source=source,
            reason=scrub(reason),
            count=count,
        )
        self.access_log.append(uow, [entry])

    def emit(
        self,
        uow: UnitOfWork,
        at: datetime,
        type: EventType,
        subject_id: str | None,
        *,
        key: str,
        **data: object,
    ) -> None:
        """Write a service event inside ``uow`` (it is sent once the unit of work commits, never
        otherwise): its type, whose, and ``data`` — ids, dates and codes, never a value. ``key``
        names the change it reports (with the type, its dedupe key: the same change twice is one
        event)."""
        event_rows.emit(uow.conn, [NewEvent(type, subject_id, f"{type}:{key}", data)], now=at)

    def emit_consent(
        self, uow: UnitOfWork, at: datetime, subject_id: str, kind: str, target: str, granted: bool
    ) -> None:
        """``consent.changed``: the subject's consent of ``kind`` to ``target`` given or withdrawn."""
        key = f"{subject_id}:{kind}:{target}:{granted}:{at.isoformat()}"
        self.emit(uow, at, "consent.changed", subject_id, key=key, kind=kind, target=target, granted=granted)

    def emit_all(
        self,
        uow: UnitOfWork,
        at: datetime,
        type: EventType,
        subject_ids: Iterable[str],
        *,
        key: str,
        **data: object,
    ) -> int:
        """``emit`` for many subjects at once (a sweep's batch): one event each, keyed
        ``<type>:<subject>:<key>``; how many were new."""
        batch = [NewEvent(type, sid, f"{type}:{sid}:{key}", data) for sid in subject_ids]
        return event_rows.emit(uow.conn, batch, now=at)

    def log_all(self, uow: UnitOfWork, entries: Iterable[Entry]) -> None:
        """Append many access-log rows inside ``uow`` (a bulk read, a provision: one per subject),
        their reasons scrubbed like ``log``'s."""
        self.access_log.append(uow, (replace(e, reason=scrub(e.reason)) if e.reason else e for e in entries))
