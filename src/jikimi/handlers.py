"""Handlers (개인정보취급자) and their roles: accounts, tokens, lockout, and the rights log.

One account per handler; roles list the purposes and actions they allow (least privilege).
Passwords are Argon2id; API tokens are stored as digests and expire (``TOKEN_LIFETIME`` unless the
settings say otherwise); an administrator can revoke them (``revoke_tokens``). Every grant, change
and removal of rights is recorded and kept three years (안전성 확보조치 기준), and appears in the
access log as an admin action.

Failed logins (안전성 확보조치 기준 제5조⑥) lock new logins for a while, never the handler's work:

* per login: after ``FREE_FAILURES`` wrong passwords in a row, each further one locks new logins
  for ``lock_for(level)`` — 1, 2, 4, 8, 16, 32 minutes, then 60 at most; a right password after
  the lock, or an administrator's ``unlock``, starts over. Tokens already issued keep working, so
  someone guessing an officer's password cannot stop the officer's work;
* per source address: ``SOURCE_LIMIT`` failures within ``SOURCE_WINDOW`` refuse every login from
  that address for ``SOURCE_WINDOW``, without looking at the password or counting against the
  login — one address cannot lock out an account on its own.

The counts are rows in the database, so every process shares them. Every attempt is an
access-log row (``login``, with its outcome; the login only if it names an account, else
``UNKNOWN_LOGIN``: a mistyped login may be a password or someone's e-mail address).

``SELF`` is the data subject acting for themselves through the service, ``GUARDIAN`` the legal
guardian of a child under 14 acting for the child (PIPA 22-2, 38②); ``SYSTEM`` is jikimi's own
processes (sweeps, imports an operator runs). Wherever an ``actor`` is asked for, the strings
``"self"``, ``"guardian"`` and ``"system"`` name them (``BUILT_IN``); no handler account may take
one of these logins (nor a ``cli:`` login, which names the operator at a terminal).
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from jikimi.audit.log import AccessLog, Entry
from jikimi.clock import Clock, as_utc
from jikimi.crypto import Passwords, new_token, token_digest
from jikimi.errors import AccountLocked, AuthError, InvalidInput, NotFound, TooManyAttempts
from jikimi.gate import ACTIONS, Role
from jikimi.settings import TOKEN_LIFETIME
from jikimi.store import handlers as rows
from jikimi.store.uow import UnitOfWork
from jikimi.ttl import TtlCache

FREE_FAILURES = 5
"""Wrong passwords in a row for one login before new logins are locked."""
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)
SOURCE_LIMIT = 20
"""Failed logins from one source address within ``SOURCE_WINDOW`` before it is refused."""
SOURCE_WINDOW = timedelta(minutes=15)
UNKNOWN_LOGIN = "(unknown)"
"""The access log's actor for a login attempt that names no account (the given name is not kept)."""
RIGHTS_LOG_KEEP = timedelta(days=3 * 365 + 1)
TOKEN_CACHE_SECONDS = 2.0
"""How long a looked-up token's handler is reused, keyed by the token's digest (never the token; a
refused token is never kept, so each refusal is logged; expiry is checked on every use). A change
made in another process (a revoke, a disabled account, a new role) is seen within this time; one
made through this process, at once."""


def lock_for(level: int) -> timedelta:
    """How long the ``level``-th lock in a row lasts: 1 minute, doubling, at most ``MAX_LOCK``."""
    doublings: int = min(max(level, 1) - 1, 16)
    return min(FIRST_LOCK * (1 << doublings), MAX_LOCK)


@dataclass(frozen=True)
class Handler:
    """An authenticated handler: who they are and what their role allows."""

    id: str
    login: str
    role: Role

    @property
    def for_subject(self) -> bool:
        """The data subject, or the child's guardian, acting through the service: not a handler."""
        return self.id in _SUBJECT_SIDE


SYSTEM = Handler(id="system", login="system", role=Role("system", frozenset({"*"}), frozenset({"*"})))
"""jikimi's own processes (sweeps, imports run by an operator)."""

SELF = Handler(
    id="self",
    login="self",
    role=Role("self", frozenset({"*"}), frozenset({"collect", "consent", "record", "withdraw"})),
)
"""The data subject acting for themselves (sign-up, consent changes) through the service."""

GUARDIAN = Handler(
    id="guardian",
    login="guardian",
    role=Role("guardian", frozenset({"*"}), frozenset({"collect", "consent", "withdraw"})),
)
"""The legal guardian of a child under 14 acting for the child through the service: the guardian's
consent, the child's consents and rights requests (``requester="guardian"``)."""

BUILT_IN: dict[str, Handler] = {h.login: h for h in (SELF, GUARDIAN, SYSTEM)}
"""The actors that are not handler accounts, by the login an ``actor`` string names them with."""

_SUBJECT_SIDE = frozenset({SELF.id, GUARDIAN.id})
RESERVED_PREFIX = "cli:"
"""Logins of the operator at a terminal (``cli:<user>``, see ``jikimi.cli._common.operator``)."""


def check_login(login: str) -> None:
    """``InvalidInput`` for a login no handler account may have: empty, a built-in actor's
    (``self``, ``guardian``, ``system``, in any case) or an operator's (``cli:…``)."""
    name = login.strip()
    if not name or name != login:
        raise InvalidInput(
            "login", "비어 있거나 앞뒤에 공백이 있습니다", "is empty or has surrounding spaces"
        )
    if name.lower() in BUILT_IN or name.lower().startswith(RESERVED_PREFIX):
        raise InvalidInput(
            "login",
            f"'{name}'은(는) jikimi가 쓰는 이름입니다 (self, guardian, system, cli:…)",
            f"'{name}' is reserved for jikimi's own actors (self, guardian, system, cli:…)",
        )


class HandlerService:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        access_log: AccessLog,
        passwords: Passwords | None = None,
        *,
        token_lifetime: timedelta = TOKEN_LIFETIME,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._log = access_log
        self._passwords = passwords or Passwords()
        self._token_lifetime = token_lifetime
        self._tokens: TtlCache[bytes, tuple[Handler, datetime | None]] = TtlCache(TOKEN_CACHE_SECONDS)

    def _now(self) -> datetime:
        return as_utc(self._clock.now())

    # -- roles --

    def define_role(
        self,
        name: str,
        *,
        purposes: Iterable[str],
        actions: Iterable[str],
        actor: Handler = SYSTEM,
        source: str = "local",
    ) -> Role:
        acts = sorted(set(actions))
        unknown = [a for a in acts if a not in ACTIONS and a != "*"]
        if unknown:
            raise InvalidInput(
                "actions", f"알 수 없는 작업: {unknown}", f"unknown actions {unknown}; known: {list(ACTIONS)}"
            )
        role = Role(name, frozenset(purposes), frozenset(acts))
        with UnitOfWork(self._engine) as uow:
            rows.put_role(uow.conn, name, sorted(role.purposes), acts, self._clock.now())
            detail: dict[str, object] = {
                "role": name,
                "purposes": json.dumps(sorted(role.purposes)),
                "actions": json.dumps(acts),
            }
            self._rights(uow, actor, name, "role", detail, source)
            uow.commit()
        self._tokens.clear()
        return role

    def role(self, name: str) -> Role:
        with self._engine.connect() as conn:
            return _role(name, rows.role(conn, name))

    # -- accounts --

    def create(
        self, login: str, password: str, *, role: str, actor: Handler = SYSTEM, source: str = "local"
    ) -> tuple[Handler, str]:
        """Create a handler account; returns it and its first API token (shown once). The logins
        of jikimi's own actors are refused (``check_login``)."""
        check_login(login)
        if len(password) < 10:
            raise InvalidInput("password", "10자 이상이어야 합니다", "must be at least 10 characters")
        granted = self.role(role)
        token = new_token()
        handler_id = secrets.token_hex(8)
        with UnitOfWork(self._engine) as uow:
            rows.add(
                uow.conn,
                handler_id=handler_id,
                login=login,
                role=role,
                password_hash=self._passwords.hash(password),
                token=token_digest(token),
                token_expires_at=self._now() + self._token_lifetime,
                now=self._clock.now(),
            )
            self._rights(uow, actor, login, "grant", {"role": role}, source)
            uow.commit()
        return Handler(handler_id, login, granted), token

    def change_role(self, login: str, role: str, *, actor: Handler, source: str = "local") -> None:
        self.role(role)
        self._change(login, "change", {"role": role}, actor, source, role=role)

    def disable(self, login: str, *, actor: Handler, source: str = "local") -> None:
        self._change(
            login,
            "revoke",
            {},
            actor,
            source,
            disabled_at=self._clock.now(),
            token_digest=None,
            token_expires_at=None,
        )

    def unlock(self, login: str, *, actor: Handler, source: str = "local") -> None:
        """End a lock after failed logins and start the count over."""
        self._change(
            login,
            "unlock",
            {},
            actor,
            source,
            locked_at=None,
            locked_until=None,
            lock_level=0,
            failed_logins=0,
        )

    def revoke_tokens(self, login: str, *, actor: Handler, source: str = "local") -> None:
        """Revoke the handler's API tokens at once (a lost laptop, a leaked token); the account stays
        and its next login issues a fresh one. Recorded in the rights log (``token``)."""
        self._change(
            login, "token", {"tokens": "revoked"}, actor, source, token_digest=None, token_expires_at=None
        )

    def _change(
        self,
        login: str,
        change: str,
        detail: dict[str, object],
        actor: Handler,
        source: str,
        **values: object,
    ) -> None:
        with UnitOfWork(self._engine) as uow:
            rows.change(uow.conn, login, **values)
            self._rights(uow, actor, login, change, detail, source)
            uow.commit()
        self._tokens.clear()

    def get(self, login: str) -> Handler:
        with self._engine.connect() as conn:
            row = rows.by_login(conn, login)
        if row is None or row.disabled_at is not None:
            raise NotFound(f"취급자 '{login}'이 없습니다", f"no active handler '{login}'")
        return Handler(row.id, row.login, self.role(row.role))

    def by_id(self, handler_id: str) -> Handler | None:
        """The active handler with this id, or None (disabled or unknown)."""
        with self._engine.connect() as conn:
            row = rows.by_id(conn, handler_id)
        if row is None or row.disabled_at is not None:
            return None
        return Handler(row.id, row.login, self.role(row.role))

    def all(self) -> list[dict[str, object]]:
        """Every account: login, role, whether new logins are locked now, disabled, created."""
        now = self._now()
        with self._engine.connect() as conn:
            found = rows.all_accounts(conn)
        return [
            {
                "login": r.login,
                "role": r.role,
                "locked": _until(r.locked_until, now) is not None,
                "disabled": r.disabled_at is not None,
                "created_at": r.created_at,
            }
            for r in found
        ]

    # -- authentication --

    def login(self, login: str, password: str, *, source: str = "local") -> tuple[Handler, str]:
        """Password login: returns the handler and a fresh API token (expiring after the token
        lifetime). Refused while the login or the source address is locked (``AccountLocked``)."""
        handler, token = self._password_login(login, password, source=source, issue_token=True)
        assert token is not None
        return handler, token

    def sign_in(self, login: str, password: str, *, source: str = "local") -> Handler:
        """The password step of a console sign-in: the same checks, lockout, source throttle and
        access-log rows as ``login``, but no API token is issued (the console holds a session)."""
        handler, _ = self._password_login(login, password, source=source, issue_token=False)
        return handler

    def _password_login(
        self, login: str, password: str, *, source: str, issue_token: bool
    ) -> tuple[Handler, str | None]:
        now = self._now()
        source = source[:64]
        with UnitOfWork(self._engine) as uow:
            # the source first, then the account: every login locks its rows in this order
            address = rows.source_row(uow.conn, source)
            row = rows.by_login(uow.conn, login, lock=True)
            known = row is not None and row.disabled_at is None
            actor = login if known else UNKNOWN_LOGIN
            blocked = _until(address.blocked_until, now)
            if blocked is not None:
                self._logged_in(uow, now, actor, "denied:source_limited", source)
                uow.commit()
                raise TooManyAttempts(
                    f"이 주소에서 로그인 실패가 너무 많습니다. {blocked:%Y-%m-%d %H:%M} UTC 이후 다시 시도하십시오",  # noqa: E501
                    f"too many failed logins from this address; try again after {blocked:%Y-%m-%d %H:%M} UTC",
                    retry_after=math.ceil((blocked - now).total_seconds()),
                )
            if row is None or not known:
                self._failed_from(uow, address, now)
                self._logged_in(uow, now, UNKNOWN_LOGIN, "denied:unknown_handler", source)
                uow.commit()
                raise AuthError("계정 또는 비밀번호가 맞지 않습니다", "wrong login or password")
            locked = _until(row.locked_until, now)
            if locked is not None:
                self._logged_in(uow, now, login, "denied:locked", source)
                uow.commit()
                raise AccountLocked(
                    f"로그인 실패가 반복되어 {locked:%Y-%m-%d %H:%M} UTC까지 새 로그인이 잠겼습니다 (발급된 토큰은 계속 쓸 수 있습니다)",  # noqa: E501
                    f"new logins are locked until {locked:%Y-%m-%d %H:%M} UTC after failed logins "
                    "(tokens already issued keep working)",
                )
            check = self._passwords.verify(row.password_hash, password)
            if not check.ok:
                failures = row.failed_logins + 1
                values: dict[str, object] = {"failed_logins": failures}
                if failures >= FREE_FAILURES:
                    level = row.lock_level + 1
                    length = lock_for(level)
                    values |= {"lock_level": level, "locked_until": now + length, "locked_at": now}
                    detail = {"failed_logins": failures, "minutes": int(length.total_seconds() // 60)}
                    self._rights(uow, SYSTEM, login, "lock", detail, source)
                rows.change_by_id(uow.conn, row.id, **values)
                self._failed_from(uow, address, now)
                self._logged_in(uow, now, login, "denied:wrong_password", source)
                uow.commit()
                raise AuthError("계정 또는 비밀번호가 맞지 않습니다", "wrong login or password")
            token = new_token() if issue_token else None
            values = {"failed_logins": 0, "lock_level": 0, "locked_until": None}
            if token is not None:
                values |= {
                    "token_digest": token_digest(token),
                    "token_expires_at": now + self._token_lifetime,
                }
            if check.new_hash:
                values["password_hash"] = check.new_hash
            rows.change_by_id(uow.conn, row.id, **values)
            self._logged_in(uow, now, login, "allowed", source)
            uow.commit()
        if token is not None:
            self._tokens.clear()  # the handler's earlier token is no longer theirs
        return Handler(row.id, row.login, self.role(row.role)), token

    def _failed_from(self, uow: UnitOfWork, address: Any, now: datetime) -> None:
        """Count a failed login against its source address (a window of ``SOURCE_WINDOW``)."""
        start = as_utc(address.window_start)
        if start is None or now - start >= SOURCE_WINDOW:
            failures, start = 1, now
        else:
            failures = address.failures + 1
        blocked = now + SOURCE_WINDOW if failures >= SOURCE_LIMIT else address.blocked_until
        rows.change_source(
            uow.conn, address.source, failures=failures, window_start=start, blocked_until=blocked
        )

    def authenticate(self, token: str, *, source: str = "local") -> Handler:
        """The handler owning an API token (``Authorization: Bearer …``). A lock after failed logins
        does not matter here: it stops new logins only. Expired and revoked tokens are refused, and
        each refusal is an access-log row (``auth.token``; never the token)."""
        now = self._now()
        found = self._by_token(token_digest(token))
        if found is None:
            self._token_refused(now, UNKNOWN_LOGIN, "denied:invalid_token", source)
            raise AuthError("유효하지 않은 토큰입니다", "invalid token")
        if _until(found[1], now) is None:
            self._token_refused(now, found[0].login, "denied:expired_token", source)
            raise AuthError(
                "토큰이 만료되었습니다. 다시 로그인하십시오", "the token has expired; log in again"
            )
        return found[0]

    def identify(self, token: str) -> Handler | None:
        """The handler owning a valid API token, or None — logging nothing and counting nothing: for
        a caller that only needs to know who calls (the API's idempotency keys are the handler's),
        before the route itself authenticates, and logs a refusal, once."""
        found = self._by_token(token_digest(token))
        if found is None or _until(found[1], self._now()) is None:
            return None
        return found[0]

    def cached(self, token: str) -> Handler | None:
        """The handler owning ``token`` if it was looked up less than ``TOKEN_CACHE_SECONDS`` ago and
        has not expired, else ``None`` (then ``authenticate``): no database, so no thread needed."""
        kept = self._tokens.get(token_digest(token))
        return kept[0] if kept is not None and _until(kept[1], self._now()) is not None else None

    def _by_token(self, digest: bytes) -> tuple[Handler, datetime | None] | None:
        """The enabled handler holding the token with ``digest``, and its expiry (``TOKEN_CACHE_SECONDS``)."""
        kept = self._tokens.get(digest)
        if kept is not None:
            return kept
        with self._engine.connect() as conn:
            row = rows.by_token(conn, digest)
            if row is None or row.disabled_at is not None:
                return None
            found = (
                Handler(row.id, row.login, _role(row.role, rows.role(conn, row.role))),
                row.token_expires_at,
            )
        self._tokens.put(digest, found)
        return found

    def _token_refused(self, now: datetime, login: str, outcome: str, source: str) -> None:
        with UnitOfWork(self._engine) as uow:
            entry = Entry(at=now, actor=login, action="auth.token", outcome=outcome, source=source[:64])
            self._log.append(uow, [entry])
            uow.commit()

    # -- rights log --

    def _rights(
        self, uow: UnitOfWork, actor: Handler, login: str, change: str, detail: dict[str, object], source: str
    ) -> None:
        now = self._clock.now()
        rows.record_right(
            uow.conn,
            now=now,
            actor=actor.login,
            login=login,
            change=change,
            detail=json.dumps(detail, ensure_ascii=False),
            keep_until=now + RIGHTS_LOG_KEEP,
        )
        entry = Entry(
            at=now,
            actor=actor.login,
            action=f"admin.{change}",
            outcome="allowed",
            source=source,
            reason=f"handler={login}",
        )
        self._log.append(uow, [entry])

    def _logged_in(self, uow: UnitOfWork, now: datetime, login: str, outcome: str, source: str) -> None:
        """One access-log row for a login attempt (the outcome says how it ended)."""
        self._log.append(uow, [Entry(at=now, actor=login, action="login", outcome=outcome, source=source)])

    def rights_history(self, login: str | None = None) -> list[dict[str, object]]:
        with self._engine.connect() as conn:
            return rows.rights_history(conn, login)


def _until(at: datetime | None, now: datetime) -> datetime | None:
    """``at`` (in UTC) if it is still ahead of ``now``, else None."""
    moment = as_utc(at)
    return moment if moment is not None and moment > now else None


def _role(name: str, row: Any) -> Role:
    if row is None:
        raise NotFound(f"역할 '{name}'이 없습니다", f"no role '{name}'")
    return Role(row.name, frozenset(json.loads(row.purposes)), frozenset(json.loads(row.actions)))
