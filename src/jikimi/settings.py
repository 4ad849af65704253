"""Settings, read from the environment in one place and passed down explicitly.

``JIKIMI_DB_URL``      database (default ``sqlite:///var/jikimi.db``; PostgreSQL: ``postgresql://…``)
``JIKIMI_MASTER_KEY``  base64 master key(s), current first, comma-separated (overrides the key file)
``JIKIMI_KEY_FILE``    key file written by ``jikimi keys init``; no default: without this or
                       ``JIKIMI_MASTER_KEY`` opening jikimi raises ``MasterKeyMissing``
``JIKIMI_POLICY``      the policy file the server enforces
``JIKIMI_TOKEN_HOURS`` how long a handler's API token lasts, in hours (default 12)
``JIKIMI_ACCESS_LOG_YEARS`` how long the access log is kept, in whole years: only longer than the
                       law's minimum (1 year; 2 with 50,000+ subjects or unique-identifier or sensitive
                       data), never shorter (``audit.retention``); default the minimum
``JIKIMI_ANCHOR_SINK`` where the signed chain heads go: ``file`` (the default, ``JIKIMI_ANCHOR_FILE``),
                       ``syslog://host:port`` (UDP), ``http://…`` or ``https://…`` (POST JSON); several
                       separated by commas (``audit.sinks``)
``JIKIMI_ANCHOR_FILE`` where the access log's signed chain heads go (JSON lines, mode 0600); default
                       ``access-log.anchors`` beside the key file; none (with a warning) without one
``JIKIMI_EPOCH_FILE``  the epoch keys that wrap every data key (mode 0600; ``jikimi.epochs``); default
                       ``data-keys.epochs`` beside the key file; none (data keys wrapped by the master
                       key, with a warning) without one
``JIKIMI_TOMBSTONE_FILE`` the ids of destroyed keys, so a restore cannot bring them back
                       (``jikimi.tombstones``); default ``destroyed.tombstones`` beside the key file
``JIKIMI_SMTP_URL``    the mail server notices go through: ``smtp://[user:password@]host[:port]`` (STARTTLS
                       when the server offers it; ``?starttls=require`` insists), ``smtps://…`` (TLS from
                       the start), ``?starttls=off`` for a loopback relay (``notices.channels``)
``JIKIMI_MAIL_FROM``   the notices' sender address (default ``privacy@<host of the SMTP URL>``)
``JIKIMI_SENDER_URL``  the service's own sender for SMS, app push, 알림톡 and other channels: an
                       ``http(s)://`` endpoint that takes signed JSON posts (``docs/notices.md``)
``JIKIMI_SENDER_SECRET`` the HMAC-SHA256 key those posts are signed with (required with the URL)
``JIKIMI_LETTER_QUEUE`` the print-queue file letters are appended to (JSON lines, mode 0600)
``JIKIMI_DELIVERY_TRIES`` tries before a message is dead (default 8; back-off doubles from 30 s)
``JIKIMI_EVENTS_URL``  the service's own endpoint for service events (``subject.withdrawn``, …): an
                       ``http(s)://`` endpoint that takes signed JSON posts (``docs/integration.md``)
``JIKIMI_EVENTS_SECRET`` the HMAC-SHA256 key those posts are signed with (required with the URL)
``JIKIMI_ALLOW_BLOCKING_LINT``  ``1`` to run a policy whose lint has enforcement-blocking errors
                       (logged, and shown in ``/healthz``); default: refused with ``PolicyBlocked``
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from jikimi.crypto import KeyRing
from jikimi.errors import MasterKeyMissing, UsageError

DEFAULT_URL = "sqlite:///var/jikimi.db"
DEFAULT_KEY_FILE = Path("var/master.key")
"""Where ``jikimi keys init`` and ``jikimi demo`` write a new key file when told no other place.
It is never read unless named (``JIKIMI_KEY_FILE``, ``--key-file``, ``Settings(key_file=…)``)."""

TOKEN_LIFETIME = timedelta(hours=12)
"""How long a handler's API token lasts by default: a working day; then the handler logs in again."""

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


SERVE_THREADS_ENV = "JIKIMI_SERVE_THREADS"
"""Set by ``jikimi serve`` for its worker processes: its ``--threads``."""
DEFAULT_SERVE_THREADS = 4
"""Requests of one server worker doing their database work at once (``jikimi serve --threads``): on
the two-core bench machine 4 gave the most gated reads per second and the lowest p99 of 2, 4, 8
and 40 (docs/performance.md)."""


@dataclass(frozen=True)
class Settings:
    db_url: str = DEFAULT_URL
    key_file: Path | None = None
    master_key: str | None = None
    policy_path: Path | None = None
    max_body_bytes: int = 1_000_000
    token_lifetime: timedelta = TOKEN_LIFETIME
    anchor_file: Path | None = None
    anchor_sink: str | None = None
    """``JIKIMI_ANCHOR_SINK``: where anchors go (``audit.sinks.sink_for``); ``None``: the file."""
    access_log_years: int | None = None
    """``JIKIMI_ACCESS_LOG_YEARS``: the access log's retention when longer than the law's minimum."""
    epoch_file: Path | None = None
    tombstone_file: Path | None = None
    smtp_url: str | None = None
    mail_from: str | None = None
    sender_url: str | None = None
    sender_secret: str | None = None
    letter_queue: Path | None = None
    delivery_tries: int = 8
    events_url: str | None = None
    events_secret: str | None = None
    allow_blocking_lint: bool = False
    """Run a policy whose lint has enforcement-blocking errors anyway (an operator's decision:
    logged at start, written to the access log and shown in ``/healthz``)."""

    def __post_init__(self) -> None:
        # ``Settings(key_file="var/master.key")`` reads as well as with a Path
        for name in (
            "key_file",
            "policy_path",
            "anchor_file",
            "epoch_file",
            "tombstone_file",
            "letter_queue",
        ):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls(
            db_url=env.get("JIKIMI_DB_URL", DEFAULT_URL),
            key_file=Path(env["JIKIMI_KEY_FILE"]) if env.get("JIKIMI_KEY_FILE") else None,
            master_key=env.get("JIKIMI_MASTER_KEY") or None,
            policy_path=Path(env["JIKIMI_POLICY"]) if env.get("JIKIMI_POLICY") else None,
            anchor_file=Path(env["JIKIMI_ANCHOR_FILE"]) if env.get("JIKIMI_ANCHOR_FILE") else None,
            epoch_file=Path(env["JIKIMI_EPOCH_FILE"]) if env.get("JIKIMI_EPOCH_FILE") else None,
            tombstone_file=Path(env["JIKIMI_TOMBSTONE_FILE"]) if env.get("JIKIMI_TOMBSTONE_FILE") else None,
            allow_blocking_lint=_flag(env, "JIKIMI_ALLOW_BLOCKING_LINT"),
            token_lifetime=_hours(env, "JIKIMI_TOKEN_HOURS", TOKEN_LIFETIME),
            anchor_sink=env.get("JIKIMI_ANCHOR_SINK", "").strip() or None,
            access_log_years=_years(env, "JIKIMI_ACCESS_LOG_YEARS"),
            smtp_url=env.get("JIKIMI_SMTP_URL", "").strip() or None,
            mail_from=env.get("JIKIMI_MAIL_FROM", "").strip() or None,
            sender_url=env.get("JIKIMI_SENDER_URL", "").strip() or None,
            sender_secret=env.get("JIKIMI_SENDER_SECRET") or None,
            letter_queue=Path(env["JIKIMI_LETTER_QUEUE"]) if env.get("JIKIMI_LETTER_QUEUE") else None,
            delivery_tries=_count(env, "JIKIMI_DELIVERY_TRIES", 8),
            events_url=env.get("JIKIMI_EVENTS_URL", "").strip() or None,
            events_secret=env.get("JIKIMI_EVENTS_SECRET") or None,
        )
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(settings, **given)  # type: ignore[arg-type]

    def key_ring(self) -> KeyRing:
        """The master key ring: ``master_key`` if set, else the key file; ``MasterKeyMissing`` when
        neither is configured (no file is read by default)."""
        if self.master_key:
            return KeyRing.from_env_value(self.master_key)
        if self.key_file is None:
            raise MasterKeyMissing()
        return KeyRing.from_file(self.key_file)

    def anchors(self) -> Path | None:
        """The access log's anchor file: ``anchor_file``, else ``access-log.anchors`` beside the key
        file, else ``None`` (no anchors are written; verification warns that truncation of the
        newest rows cannot be ruled out)."""
        if self.anchor_file is not None:
            return self.anchor_file
        return self.key_file.parent / "access-log.anchors" if self.key_file is not None else None

    def epochs(self) -> Path | None:
        """The epoch file: ``epoch_file``, else ``data-keys.epochs`` beside the key file, else
        ``None`` (data keys are wrapped by the master key; old copies of destroyed keys stay
        readable to whoever holds it and an old backup: docs/operations.md)."""
        if self.epoch_file is not None:
            return self.epoch_file
        return self.key_file.parent / "data-keys.epochs" if self.key_file is not None else None

    def tombstones(self) -> Path | None:
        """The tombstone file: ``tombstone_file``, else ``destroyed.tombstones`` beside the key
        file, else ``None`` (a restored backup cannot be checked)."""
        if self.tombstone_file is not None:
            return self.tombstone_file
        return self.key_file.parent / "destroyed.tombstones" if self.key_file is not None else None

    def has_keys(self) -> bool:
        """Whether a master key is configured (``key_ring`` would not raise ``MasterKeyMissing``)."""
        return bool(self.master_key) or self.key_file is not None


def _hours(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        hours = float(value)
    except ValueError:
        hours = 0.0
    if not 0 < hours <= 24 * 366:
        raise UsageError(
            f"{name}는 0보다 큰 시간 수여야 합니다 (예: 12)",
            f"{name} must be a positive number of hours (e.g. 12)",
        )
    return timedelta(hours=hours)


def _years(env: Mapping[str, str], name: str) -> int | None:
    """A whole number of years from 1 to 100 (``None`` when unset). Whether it is long enough for
    the service is decided with the policy (``audit.retention.log_retention``)."""
    value = env.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 100:
        raise UsageError(
            f"{name}는 1에서 100 사이의 년 수여야 합니다 (예: 2). 법정 최소 보관기간보다 짧을 수 없습니다",
            f"{name} must be a whole number of years from 1 to 100 (e.g. 2); it can never be shorter "
            "than the legal minimum",
        )
    return int(value)


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 100:
        raise UsageError(
            f"{name}는 1에서 100 사이의 정수여야 합니다", f"{name} must be a whole number from 1 to 100"
        )
    return int(value)


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(
        f"{name}는 1 또는 0이어야 합니다", f"{name} must be 1 or 0 (also true/false, yes/no, on/off)"
    )
