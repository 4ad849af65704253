"""The channels a notice leaves by: e-mail over SMTP, a signed webhook to the service's own sender
(SMS, app push, 알림톡, anything else), and a letter queue for printing.

A channel sends one ``Outgoing`` message or raises ``SendError`` with a code (``smtp.550``,
``webhook.503``, ``smtp.connection``) and whether a later try may succeed. Codes never hold a
personal value: they are stored in the outbox row and shown in the CLI.

Every message carries its stable id (``Message-ID`` and ``X-Jikimi-Message-Id`` in mail,
``Idempotency-Key`` on webhooks, ``message_id`` in the letter queue): delivery is at least once, and
a receiver drops a second copy of an id it has seen.

The webhook is signed like this (a receiver checks it before trusting the body)::

    X-Jikimi-Timestamp: 1764752400
    X-Jikimi-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>

and a receiver refuses a timestamp more than five minutes from its own clock (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from jikimi.errors import UsageError

TIMEOUT = 10.0
SIGNATURE_HEADER = "X-Jikimi-Signature"
TIMESTAMP_HEADER = "X-Jikimi-Timestamp"
REPLAY_WINDOW = 300
"""Seconds a receiver accepts between a webhook's timestamp and its own clock."""


@dataclass(frozen=True)
class Outgoing:
    """One notice ready to leave: who it is for (``to``: an address, a number, or ``None`` when the
    service's sender finds the person by ``subject_id`` itself, as for app push) and what it says."""

    message_id: str
    kind: str
    channel: str
    recipient: str
    subject_id: str | None
    to: str | None
    title: str
    body: str
    created_at: datetime
    recipient_id: str | None = None
    """The third party's id in the policy, for a notice to a recipient (``recipient: third_party``)."""


class SendError(Exception):
    """A try that failed: ``code`` (no personal value) and whether to try again later."""

    def __init__(self, code: str, *, retry: bool) -> None:
        super().__init__(code)
        self.code = code
        self.retry = retry


class Channel(Protocol):
    def send(self, message: Outgoing) -> None: ...

    def close(self) -> None: ...


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value for a webhook body sent at ``timestamp`` (Unix seconds)."""
    return "v1=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: bytes, timestamp: str, body: bytes, signature: str, *, now: float | None = None) -> bool:
    """Whether a webhook is jikimi's and fresh: the signature matches and the timestamp is within
    ``REPLAY_WINDOW`` of ``now`` (what a receiver does; shipped so receivers in Python need not
    write it)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > REPLAY_WINDOW:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


# --- e-mail -------------------------------------------------------------------------------------


class Email:
    """E-mail through an SMTP server (``JIKIMI_SMTP_URL``), one connection kept across messages."""

    def __init__(self, url: str, sender: str | None = None, *, timeout: float = TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise UsageError(
                "JIKIMI_SMTP_URL은 smtp://호스트[:포트] 또는 smtps://…여야 합니다",
                "JIKIMI_SMTP_URL must be smtp://host[:port] or smtps://host[:port]",
            )
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.tls = parts.scheme == "smtps"
        self.starttls = query.get("starttls", "auto")
        if self.starttls not in ("auto", "require", "off"):
            raise UsageError(
                "JIKIMI_SMTP_URL의 starttls는 auto, require, off 중 하나입니다",
                "starttls in JIKIMI_SMTP_URL is one of auto, require, off",
            )
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.context = ssl.create_default_context(cafile=query.get("cafile"))
        self.sender = sender or f"privacy@{self.host}"
        self.domain = self.sender.rpartition("@")[2] or "jikimi.invalid"
        self.timeout = timeout
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        conn: smtplib.SMTP
        if self.tls:
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        conn.ehlo()
        if not self.tls and self.starttls != "off":
            if conn.has_extn("starttls"):
                conn.starttls(context=self.context)
                conn.ehlo()
            elif self.starttls == "require":
                conn.close()
                raise SendError("smtp.no_starttls", retry=True)
        if self.user is not None:
            conn.login(self.user, self.password or "")
        return conn

    def send(self, message: Outgoing) -> None:
        if not message.to:
            raise SendError("no_contact", retry=False)
        # compat32 MIME (MIMEText + Header) builds a message four times faster than EmailMessage
        mail = MIMEText(message.body, "plain", "utf-8")
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = Header(message.title, "utf-8").encode()
        mail["Date"] = format_datetime(message.created_at)
        mail["Message-ID"] = f"<{message.message_id}@{self.domain}>"
        mail["X-Jikimi-Message-Id"] = message.message_id
        mail["X-Jikimi-Kind"] = message.kind
        data = mail.as_bytes(policy=_SMTP_LINES)
        for attempt in (1, 2):  # a kept connection the server has closed is opened once more
            try:
                if self._conn is None:
                    self._conn = self._connect()
                self._conn.sendmail(self.sender, [message.to], data)
                return
            except smtplib.SMTPAuthenticationError:
                self.close()  # the deployment's setting, not the message: tried again once it is fixed
                raise SendError("smtp.auth", retry=True) from None
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                raise SendError(f"smtp.{codes[0] if codes else 'refused'}", retry=_transient(codes)) from None
            except smtplib.SMTPResponseException as exc:
                self.close()
                raise SendError(f"smtp.{exc.smtp_code}", retry=_transient([exc.smtp_code])) from None
            except smtplib.SMTPServerDisconnected:
                self.close()
                if attempt == 2:
                    raise SendError("smtp.disconnected", retry=True) from None
            except (OSError, smtplib.SMTPException) as exc:
                self.close()
                raise SendError(f"smtp.{type(exc).__name__}", retry=True) from None

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()


_SMTP_LINES = compat32.clone(linesep="\r\n")  # SMTP lines end in CRLF; smtplib sends bytes as they are


def _transient(codes: list[int]) -> bool:
    return all(400 <= code < 500 for code in codes)


# --- the service's own sender --------------------------------------------------------------------


class Webhook:
    """A signed JSON POST to the service's own sender (``JIKIMI_SENDER_URL``) or its events endpoint
    (``JIKIMI_EVENTS_URL``: ``post``), kept alive across messages. 2xx is delivered; 408, 425, 429
    and 5xx are tried again later; another 4xx is dead."""

    def __init__(
        self, url: str, secret: str | bytes, *, timeout: float = TIMEOUT, setting: str = "JIKIMI_SENDER"
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(
                f"{setting}_URL은 http:// 또는 https:// 주소여야 합니다",
                f"{setting}_URL must be an http:// or https:// URL",
            )
        if not secret:
            raise UsageError(
                f"{setting}_URL에는 서명 키 {setting}_SECRET이 필요합니다",
                f"{setting}_URL needs the signing key {setting}_SECRET",
            )
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def body(self, message: Outgoing) -> bytes:
        document = {
            "id": message.message_id,
            "kind": message.kind,
            "channel": message.channel,
            "recipient": message.recipient,
            "recipient_id": message.recipient_id,
            "subject_id": message.subject_id,
            "to": message.to,
            "title": message.title,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    def send(self, message: Outgoing) -> None:
        self.post(
            self.body(message),
            {"Idempotency-Key": message.message_id, "X-Jikimi-Message-Id": message.message_id},
        )

    def post(self, body: bytes, headers: dict[str, str]) -> None:
        """POST ``body`` (JSON) with ``headers``, signed now; ``SendError`` unless the answer is 2xx."""
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            **headers,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
        }
        for attempt in (1, 2):  # a kept-alive connection the server has closed is opened once more
            try:
                if self._conn is None:
                    self._conn = (
                        http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout)
                        if self.https
                        else http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                    )
                self._conn.request("POST", self.path, body=body, headers=headers)
                answer = self._conn.getresponse()
                answer.read()
                status = answer.status
                if answer.will_close:
                    self.close()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise SendError("webhook.disconnected", retry=True) from None
            except OSError as exc:
                self.close()
                raise SendError(f"webhook.{type(exc).__name__}", retry=True) from None
        if 200 <= status < 300:
            return
        raise SendError(f"webhook.{status}", retry=status in (408, 425, 429) or status >= 500)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


# --- letters ------------------------------------------------------------------------------------


class Letter:
    """Letters appended to a print-queue file (JSON lines, mode 0600), for the print room or a
    mailing house; the file holds addresses, so it is handled like any export of personal data."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: Outgoing) -> None:
        if not message.to:
            raise SendError("no_contact", retry=False)
        line = {
            "message_id": message.message_id,
            "kind": message.kind,
            "to": message.to,
            "title": message.title,
            "body": message.body,
            "queued_at": message.created_at.isoformat(),
        }
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise SendError(f"letter.{type(exc).__name__}", retry=True) from None

    def close(self) -> None:
        return None
