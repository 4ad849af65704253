"""Delivery: the worker that takes due outbox messages to the people they are owed to.

One round (``Delivery.run_once``) claims a batch of due messages for a lease, and for each one

1. finds where it goes: the subject's contact, read through the gate under the policy's notice
   purpose (``Policy.notice_purpose``) as ``system:deliver`` — an access-log row like any read,
   with the message id as its reason; a recipient's contact from the policy; the service's sender;
2. renders its wording (``notices.wording``: the built-in Korean template or the policy's own);
3. sends it through its channel (``notices.channels``) and marks it delivered — or, when the try
   fails, due again after a back-off (30 s doubling, at most 6 hours, with jitter) with the error
   code, and dead after the last try (``Settings.delivery_tries``).

A message's channel is its row's, else the first of its payload's ``channels`` the subject holds a
contact for, else e-mail. Delivery is at least once: a worker killed after sending and before
marking leaves its lease to run out, and the message goes again with the same id, which the
receiver drops. Rows hold no personal value; contacts live only in memory while a message is sent.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from jikimi.core import Core
from jikimi.errors import UsageError
from jikimi.handlers import SYSTEM, Handler
from jikimi.notices.channels import Channel, Email, Letter, Outgoing, SendError, Webhook
from jikimi.notices.privacy_codes import with_code
from jikimi.notices.rounds import (
    MARK_EVERY,
    DeliveryReport,
    Round,
    count_failure,
    next_try,
    worker_name,
)
from jikimi.notices.wording import render
from jikimi.policy.model import NoticeKind, Policy
from jikimi.rights.answers import with_link
from jikimi.settings import Settings
from jikimi.store import outbox as outbox_rows
from jikimi.store.outbox import Message
from jikimi.vault.reads import Reading

logger = logging.getLogger("jikimi.notices")

NOTIFIER = Handler(id=SYSTEM.id, login="system:deliver", role=SYSTEM.role)
"""jikimi's delivery worker, as the access log names it."""

LEASE = timedelta(minutes=2)
BATCH = 100

CONTACT_FORMATS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "sms": ("phone_kr",),
    "alimtalk": ("phone_kr",),
    "phone": ("phone_kr",),
    "letter": ("address",),
}
"""The item formats a channel's contact is read from; a channel not named here (app push) needs
none: the service's sender finds the person by the subject id."""

Contacts = dict[str, dict[str, str] | str]
"""What was read for one message: purpose → the contact values read, or the gate's reason for refusing."""

KINDS: frozenset[str] = frozenset(NoticeKind.__args__)  # type: ignore[attr-defined]


@dataclass
class Channels:
    """The channels configured for this deployment: e-mail, letters, and the service's sender, which
    takes every other channel (and e-mail or letters too when those are not configured)."""

    email: Channel | None = None
    letter: Channel | None = None
    sender: Channel | None = None
    events: Webhook | None = None
    """The service's events endpoint (``JIKIMI_EVENTS_URL``): service events, not notices."""

    def for_channel(self, name: str) -> Channel:
        own = {"email": self.email, "letter": self.letter}.get(name)
        chosen = own or self.sender
        if chosen is None:
            raise SendError(f"channel.{name}.not_configured", retry=True)
        return chosen

    def close(self) -> None:
        for channel in (self.email, self.letter, self.sender, self.events):
            if channel is not None:
                channel.close()


class Delivery:
    """Delivers due outbox messages (``run_once``, ``run``); shows and revives dead ones."""

    def __init__(
        self,
        core: Core,
        reading: Reading,
        channels: Channels,
        *,
        tries: int = 8,
        lease: timedelta = LEASE,
        rng: random.Random | None = None,
        events: Round | None = None,
    ) -> None:
        self.core = core
        self.reading = reading
        self.channels = channels
        self.tries = tries
        self.lease = lease
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self.events = events
        """The service events, delivered in the same rounds when their endpoint is configured."""

    # -- rounds --

    def run_once(self, limit: int = BATCH, *, worker: str | None = None) -> DeliveryReport:
        """Claim up to ``limit`` due messages and deliver each, then as many due service events;
        what happened."""
        worker = worker or worker_name()
        report = self._notices_once(limit, worker)
        if self.events is not None:
            self.events.lease = self.lease
            told = self.events.run_once(limit, worker=worker)
            told.events = told.delivered
            report.add(told)
        return report

    def _notices_once(self, limit: int, worker: str) -> DeliveryReport:
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            batch = outbox_rows.claim(uow.conn, now=now, until=now + self.lease, worker=worker, limit=limit)
            uow.commit()
        report = DeliveryReport(claimed=len(batch))
        contacts = self._contacts(batch)
        sent: list[int] = []
        try:
            for message in batch:
                if self._deliver(message, contacts.get(message.id, {}), worker, report):
                    sent.append(message.id)
                if len(sent) >= MARK_EVERY:
                    self._mark(sent, worker, report)
        finally:
            self._mark(sent, worker, report)
        return report

    def drain(self, *, limit: int = BATCH, worker: str | None = None) -> DeliveryReport:
        """Rounds until nothing is due (``jikimi deliver --once``)."""
        total = DeliveryReport()
        while True:
            report = self.run_once(limit, worker=worker)
            total.add(report)
            if report.claimed == 0:
                return total

    def run(self, stop: threading.Event, *, poll: float = 2.0, limit: int = BATCH) -> DeliveryReport:
        """Deliver until ``stop`` is set, waiting ``poll`` seconds whenever nothing is due."""
        total = DeliveryReport()
        worker = worker_name()
        try:
            while not stop.is_set():
                report = self.run_once(limit, worker=worker)
                total.add(report)
                if report.claimed == 0:
                    stop.wait(poll)
        finally:
            self.channels.close()
        return total

    # -- one message --

    def _deliver(self, message: Message, contacts: Contacts, worker: str, report: DeliveryReport) -> bool:
        """Send one message; whether it went (a failure is recorded at once)."""
        try:
            outgoing = self.prepare(message, contacts)
            self.channels.for_channel(outgoing.channel).send(outgoing)
        except SendError as failure:
            self._failed(message, worker, failure, report)
            return False
        return True

    def _mark(self, sent: list[int], worker: str, report: DeliveryReport) -> None:
        """Mark what was sent delivered, in one transaction (``MARK_EVERY`` at a time: a crash in
        between sends those again, with their ids)."""
        if not sent:
            return
        with self.core.unit_of_work() as uow:
            report.delivered += outbox_rows.mark_delivered(uow.conn, sent, worker=worker, now=self.core.now())
            uow.commit()
        sent.clear()

    def _failed(self, message: Message, worker: str, failure: SendError, report: DeliveryReport) -> None:
        attempts, now = message.attempts + 1, self.core.now()
        retry_at = next_try(attempts, failure.retry, self.tries, now, self.rng)
        with self.core.unit_of_work() as uow:
            outbox_rows.mark_failed(
                uow.conn, message.id, worker=worker, error=failure.code, retry_at=retry_at, now=now
            )
            uow.commit()
        count_failure(report, failure.code, dead=retry_at is None)
        if retry_at is None:
            logger.warning(
                "notice %s (%s) is dead after %d tries: %s",
                message.message_id,
                message.kind,
                attempts,
                failure.code,
            )

    def prepare(self, message: Message, contacts: Contacts | None = None) -> Outgoing:
        """The message ready to send: its channel, its contact and its wording. ``contacts``: what
        ``_contacts`` read for it (read now, through the gate, when not given)."""
        policy = self.core.policy
        if message.kind not in KINDS:
            raise SendError("render.unknown_kind", retry=False)
        if contacts is None:
            contacts = self._contacts([message]).get(message.id, {})
        channel, to = self._destination(policy, message, contacts)
        keys = self.core.keys.master
        payload = with_code(with_link(message.payload, keys), keys)  # a package link, a code: made now
        try:
            wording = render(policy, cast(NoticeKind, message.kind), payload, message_id=message.message_id)
        except UsageError:  # the policy's own wording does not render: dead, its code says why
            raise SendError("render.policy_wording", retry=False) from None
        return Outgoing(
            message_id=message.message_id,
            kind=message.kind,
            channel=channel,
            recipient=message.recipient,
            subject_id=message.subject_id,
            to=to,
            title=wording.title,
            body=wording.body,
            created_at=message.created_at,
            recipient_id=str(message.payload["third_party_id"])
            if message.recipient == "third_party"
            else None,
        )

    def _contacts(self, batch: Iterable[Message]) -> dict[int, Contacts]:
        """The contact items each subject's message may go to, read through the gate in one unit of
        work (one ``read`` row per message and purpose, the message id as its reason): message id →
        purpose → the values read, or the gate's reason for refusing."""
        policy = self.core.policy
        wanted: list[tuple[str, list[str], str, str]] = []
        owners: list[tuple[int, str]] = []
        for message in batch:
            if message.recipient != "subject" or message.subject_id is None:
                continue
            for purpose_id, item_ids in _contact_items(policy, _channels_of(message)).items():
                wanted.append(
                    (message.subject_id, item_ids, purpose_id, f"{message.kind} {message.message_id}")
                )
                owners.append((message.id, purpose_id))
        found: dict[int, Contacts] = {}
        for (message_id, purpose_id), values in zip(
            owners, self.reading.read_each(wanted, NOTIFIER), strict=True
        ):
            found.setdefault(message_id, {})[purpose_id] = values
        return found

    def _destination(self, policy: Policy, message: Message, contacts: Contacts) -> tuple[str, str | None]:
        wanted = _channels_of(message)
        if message.recipient == "third_party":
            return _recipient_contact(policy, message.payload)
        if message.recipient != "subject" or message.subject_id is None:
            return wanted[0], None  # the service's own endpoint
        denials = [values for values in contacts.values() if isinstance(values, str)]
        for channel in wanted:
            formats = CONTACT_FORMATS.get(channel)
            if formats is None:
                return channel, None  # the sender finds the person by the subject id
            for item in policy.items:
                if item.format not in formats:
                    continue
                purpose = policy.notice_purpose(item.id)
                values = contacts.get(purpose.id) if purpose is not None else None
                if isinstance(values, dict) and values.get(item.id):
                    return channel, values[item.id]
        if denials:
            raise SendError(f"contact.{denials[0]}", retry=False)
        wanted_formats = {f for channel in wanted for f in CONTACT_FORMATS.get(channel, ())}
        if not contacts and any(item.format in wanted_formats for item in policy.items):
            raise SendError("contact.no_notice_purpose", retry=False)  # items, but no purpose to read them
        raise SendError("no_contact", retry=False)

    # -- the operator's view --

    def counts(self) -> dict[tuple[str, str], int]:
        """``(kind, state)`` → messages; state ``due``, ``later``, ``delivered`` or ``dead``."""
        with self.core.reading() as conn:
            return outbox_rows.counts(conn, now=self.core.now())

    def messages(
        self, *, status: str | None = None, kind: str | None = None, limit: int = 100
    ) -> list[Message]:
        """Messages by status and kind, newest first (ids, codes and dates; never a contact)."""
        with self.core.reading() as conn:
            return outbox_rows.messages(conn, status=status, kind=kind, limit=limit)

    def revive(self, ids: list[int] | None = None, *, actor: str = "system") -> int:
        """Dead messages (all, or these) due again now, their tries counted afresh; logged."""
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            count = outbox_rows.revive(uow.conn, ids, now=now)
            self.core.log(uow, now, actor, "outbox.revive", count=count)
            uow.commit()
        return count


def _contact_items(policy: Policy, channels: Iterable[str]) -> dict[str, list[str]]:
    """The policy's contact items for these channels, by the purpose each is read under."""
    formats = {f for channel in channels for f in CONTACT_FORMATS.get(channel, ())}
    by_purpose: dict[str, list[str]] = {}
    for item in policy.items:
        if item.format in formats:
            purpose = policy.notice_purpose(item.id)
            if purpose is not None:
                by_purpose.setdefault(purpose.id, []).append(item.id)
    return by_purpose


def _channels_of(message: Message) -> list[str]:
    if message.channel:
        return [message.channel]
    listed = message.payload.get("channels")
    channels = [str(c) for c in listed] if isinstance(listed, list) else []
    return channels or ["email"]


def _recipient_contact(policy: Policy, payload: Mapping[str, object]) -> tuple[str, str | None]:
    """A third party's contact from the policy: its e-mail address when the policy states one,
    else the service's sender gets the message with the recipient's id (it knows its partners)."""
    recipient = next(
        (r for r in policy.third_parties.recipients if r.id == payload.get("third_party_id")), None
    )
    if recipient is None:
        raise SendError("recipient.unknown", retry=False)
    contact = recipient.contact or ""
    address = next((word.strip("<>(),;") for word in contact.split() if "@" in word), None)
    if address is not None:
        return "email", address
    return "webhook", contact or None  # a company's desk, not a data subject's contact


def configured(settings: Settings) -> Channels:
    """The channels ``settings`` configure (``JIKIMI_SMTP_URL``, ``JIKIMI_SENDER_URL`` with
    ``JIKIMI_SENDER_SECRET``, ``JIKIMI_LETTER_QUEUE``, ``JIKIMI_EVENTS_URL`` with
    ``JIKIMI_EVENTS_SECRET``); those not configured are absent, and a message for one waits, its
    error code saying which is missing (service events wait for a pull, or for the endpoint)."""
    return Channels(
        email=Email(settings.smtp_url, settings.mail_from) if settings.smtp_url else None,
        letter=Letter(settings.letter_queue) if settings.letter_queue else None,
        sender=Webhook(settings.sender_url, settings.sender_secret or "") if settings.sender_url else None,
        events=Webhook(settings.events_url, settings.events_secret or "", setting="JIKIMI_EVENTS")
        if settings.events_url
        else None,
    )
