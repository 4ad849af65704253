"""Sessions of the two faces people open in a browser: the console (handlers, password then TOTP)
and the privacy center (a data subject or a guardian, let in by a pass).

A session is a random cookie value the browser holds; the database keeps only a keyed digest of it
(HMAC-SHA256 under a key derived from the master key), so a copy of the table opens nothing. The
CSRF token of a form is derived from the same cookie value (an HMAC under another label), so it
needs no storage and one session's token is worthless in another.

Console sign-in is two steps, each with a NEW cookie value (no session fixation): the password
(``begin``: the API's lockout and source throttle, ``HandlerService.sign_in``) gives a short
*pending* session good only for the second step; a matching TOTP code (``second_factor``) ends it
and opens the full session. A code is good once (the last used time step is kept). A session ends
when signed out, after ``IDLE`` without a request, at its absolute end, or when the handler is
disabled. Every sign-in step, success or refusal, is in the access log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.crypto import open_bytes, seal_bytes
from jikimi.errors import AuthError, Denied, NotFound, StateConflict
from jikimi.handlers import RESERVED_PREFIX, SYSTEM, Handler
from jikimi.signin import totp
from jikimi.store import web_sessions as rows

IDLE = timedelta(minutes=15)
"""A console or privacy-center session ends after this long without a request."""
CONSOLE_LIFETIME = timedelta(hours=8)
"""However active, a console session ends after a working day; sign in again."""
PRIVACY_LIFETIME = timedelta(hours=1)
PENDING_LIFETIME = timedelta(minutes=5)
"""Time to type the TOTP code after the password."""
PENDING_TRIES = 5
"""Wrong codes a pending sign-in survives; then it ends and the password is asked again."""
PURGE_AFTER = timedelta(days=1)
"""Ended and expired sessions are forgotten a day later (their sign-ins stay in the access log)."""
TOUCH_EVERY = timedelta(seconds=30)
"""``seen_at`` is written at most this often (idleness is measured in minutes)."""

DIGEST_LABEL = "web.sessions"
CSRF_LABEL = "web.csrf"
FACTOR_LABEL = "console.totp"
_SEALED = b"\x01"

Face = Literal["console", "privacy"]
ActingAs = Literal["self", "guardian"]


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in handler's console session."""

    token: str
    handler: Handler
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class PrivacySession:
    """A data subject's (or their guardian's) privacy-center session."""

    token: str
    subject_id: str
    acting_as: ActingAs
    expires_at: datetime


class Sessions:
    """Console sign-in, privacy-center sessions, their CSRF tokens, and handlers' TOTP factors."""

    def __init__(self, core: Core) -> None:
        self.core = core
        master = core.keys.master
        self._digest_key = master.derived(DIGEST_LABEL)[master.current.id]
        self._csrf_key = master.derived(CSRF_LABEL)[master.current.id]

    # -- cookies and forms ------------------------------------------------------------------------

    def _digest(self, token: str) -> str:
        return hmac.new(self._digest_key, token.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf(self, token: str) -> str:
        """The CSRF token of the forms shown to the holder of cookie value ``token``."""
        return hmac.new(self._csrf_key, token.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str, submitted: str) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(token), submitted or "")

    def _open(
        self,
        face: Face,
        stage: str,
        lifetime: timedelta,
        *,
        handler_id: str | None = None,
        subject_id: str | None = None,
        acting_as: str | None = None,
    ) -> tuple[str, datetime]:
        token, now = secrets.token_urlsafe(32), self.core.now()
        with self.core.unit_of_work() as uow:
            rows.add(
                uow.conn,
                digest=self._digest(token),
                face=face,
                stage=stage,
                handler_id=handler_id,
                subject_id=subject_id,
                acting_as=acting_as,
                created_at=now,
                seen_at=now,
                expires_at=now + lifetime,
            )
            uow.commit()
        return token, now + lifetime

    def _live(self, token: str, face: Face, stage: str) -> tuple[Any, datetime] | None:
        """The live row of ``token`` on ``face`` at ``stage``; an idle or expired one is ended."""
        if not token or len(token) > 128:
            return None
        digest, now = self._digest(token), self.core.now()
        with self.core.reading() as conn:
            row = rows.live(conn, digest)
        if row is None or row.face != face or row.stage != stage:
            return None
        why = None
        if now >= as_utc(row.expires_at):
            why = "expired"
        elif now - as_utc(row.seen_at) >= IDLE:
            why = "idle"
        if why is not None:
            login = self._login_of(row.handler_id)  # before the unit of work: it holds the write lock
            with self.core.unit_of_work() as uow:
                if rows.end(uow.conn, digest, now, why) and login is not None:
                    self.core.log(uow, now, login, f"console.session_{why}")
                uow.commit()
            return None
        if now - as_utc(row.seen_at) >= TOUCH_EVERY:
            with self.core.unit_of_work() as uow:
                rows.touch(uow.conn, digest, now)
                uow.commit()
        return row, now

    def end(self, token: str, *, source: str = "local") -> None:
        """Sign out: the session ends now (nothing happens for an unknown or ended one)."""
        if not token or len(token) > 128:
            return
        digest, now = self._digest(token), self.core.now()
        with self.core.reading() as conn:
            row = rows.live(conn, digest)
        if row is None:
            return
        login = self._login_of(row.handler_id)
        with self.core.unit_of_work() as uow:
            if rows.end(uow.conn, digest, now, "signout") and login is not None:
                self.core.log(uow, now, login, "console.sign_out", source=source)
            uow.commit()

    def _login_of(self, handler_id: str | None) -> str | None:
        if handler_id is None:
            return None
        handler = self.core.handlers.by_id(handler_id)
        return handler.login if handler is not None else "unknown"

    # -- console ----------------------------------------------------------------------------------

    def begin(self, login: str, password: str, *, source: str = "local") -> str:
        """The password step: the API's checks and lockout (``AuthError``, ``AccountLocked``,
        ``TooManyAttempts``); a handler with no second factor enrolled is refused too. Returns the
        cookie value of a pending session, good only for ``second_factor``."""
        handler = self.core.handlers.sign_in(login, password, source=source)
        with self.core.reading() as conn:
            enrolled = rows.factor(conn, handler.id) is not None
        if not enrolled:
            with self.core.unit_of_work() as uow:
                self.core.log(
                    uow,
                    self.core.now(),
                    handler.login,
                    "console.sign_in",
                    outcome="denied:no_factor",
                    source=source,
                )  # noqa: E501
                uow.commit()
            raise AuthError(
                "2단계 인증(OTP)이 등록되지 않은 계정입니다. 관리자에게 등록을 요청하십시오",
                "this account has no second factor (TOTP) enrolled; ask an administrator to enrol one",
            )
        token, _ = self._open("console", "password", PENDING_LIFETIME, handler_id=handler.id)
        return token

    def second_factor(self, pending: str, code: str, *, source: str = "local") -> ConsoleSession:
        """The TOTP step: a code matching the handler's secret within one step, not used before,
        ends the pending session and opens the full one (a new cookie value). A wrong code counts;
        after ``PENDING_TRIES`` the pending session ends (``AuthError`` either way)."""
        found = self._live(pending, "console", "password")
        if found is None:
            raise AuthError(
                "로그인 단계가 만료되었습니다. 계정과 비밀번호를 다시 입력하십시오",
                "the sign-in step has expired; enter your login and password again",
            )
        row, now = found
        handler = self.core.handlers.by_id(row.handler_id)
        if handler is None:
            raise AuthError("계정 또는 비밀번호가 맞지 않습니다", "wrong login or password")
        digest = self._digest(pending)
        with self.core.unit_of_work() as uow:
            factor = rows.factor(uow.conn, handler.id)
            step = (
                None
                if factor is None
                else totp.matching_step(self._unseal(handler.id, factor.secret), code, now)
            )
            if step is None or not rows.use_step(uow.conn, handler.id, step):
                tries = rows.count_try(uow.conn, digest)
                self.core.log(
                    uow,
                    now,
                    handler.login,
                    "console.second_factor",
                    outcome="denied:wrong_code",
                    source=source,
                )  # noqa: E501
                if tries >= PENDING_TRIES:
                    rows.end(uow.conn, digest, now, "tries")
                uow.commit()
                raise AuthError("인증 코드가 맞지 않습니다", "wrong or already used authentication code")
            rows.end(uow.conn, digest, now, "replaced")
            rows.purge(uow.conn, now - PURGE_AFTER)  # sessions long over: forgotten at each sign-in
            self.core.log(uow, now, handler.login, "console.sign_in", source=source)
            uow.commit()
        token, expires = self._open("console", "full", CONSOLE_LIFETIME, handler_id=handler.id)
        return ConsoleSession(token=token, handler=handler, created_at=now, expires_at=expires)

    def pending(self, token: str) -> bool:
        """Whether ``token`` is a pending sign-in still waiting for its code."""
        return self._live(token, "console", "password") is not None

    def console(self, token: str) -> ConsoleSession | None:
        """The signed-in console session of cookie value ``token``, or None (unknown, ended, idle,
        expired, or its handler disabled)."""
        found = self._live(token, "console", "full")
        if found is None:
            return None
        row, _ = found
        handler = self.core.handlers.by_id(row.handler_id)
        if handler is None:
            return None
        return ConsoleSession(
            token=token,
            handler=handler,
            created_at=as_utc(row.created_at),
            expires_at=as_utc(row.expires_at),
        )

    # -- privacy center ---------------------------------------------------------------------------

    def open_privacy(self, subject_id: str, acting_as: ActingAs, *, source: str = "local") -> str:
        """Open a privacy-center session for ``subject_id`` (after a pass let them in); returns the
        cookie value."""
        token, _ = self._open("privacy", "full", PRIVACY_LIFETIME, subject_id=subject_id, acting_as=acting_as)
        with self.core.unit_of_work() as uow:
            self.core.log(
                uow, self.core.now(), acting_as, "privacy.session_open", subject_id=subject_id, source=source
            )  # noqa: E501
            uow.commit()
        return token

    def privacy(self, token: str) -> PrivacySession | None:
        found = self._live(token, "privacy", "full")
        if found is None:
            return None
        row, _ = found
        acting_as: ActingAs = "guardian" if row.acting_as == "guardian" else "self"
        return PrivacySession(
            token=token,
            subject_id=row.subject_id,
            acting_as=acting_as,
            expires_at=as_utc(row.expires_at),
        )

    # -- second factors ---------------------------------------------------------------------------

    def enrol(self, login: str, *, actor: Handler | str, source: str = "local") -> str:
        """Enrol a new TOTP secret for ``login`` (the admin action; re-enrolling replaces the old
        one and ends the handler's console sessions). Returns the secret in base32, to be shown
        once and entered into an authenticator app."""
        if isinstance(actor, str) and actor.startswith(RESERVED_PREFIX):  # the operator at a terminal
            who = Handler(id=actor, login=actor, role=SYSTEM.role)
        else:
            who = self.core.actor(actor)
        if not who.role.may("admin"):
            raise Denied(
                "action_not_allowed",
                "2단계 인증 등록은 관리자만 합니다",
                "only an administrator enrols a second factor",
            )  # noqa: E501
        handler = self.core.handlers.get(login)
        secret, now = totp.new_secret(), self.core.now()
        with self.core.unit_of_work() as uow:
            rows.put_factor(uow.conn, handler.id, self._seal(handler.id, secret), now)
            rows.end_for_handler(uow.conn, handler.id, now, "re-enrolled")
            self.core.log(
                uow, now, who.login, "console.enrol_factor", reason=f"handler {handler.login}", source=source
            )  # noqa: E501
            uow.commit()
        return totp.to_base32(secret)

    def enrolled(self, login: str) -> bool:
        handler = self.core.handlers.get(login)
        with self.core.reading() as conn:
            return rows.factor(conn, handler.id) is not None

    def _seal(self, handler_id: str, secret: bytes) -> bytes:
        master = self.core.keys.master
        key_id = master.current.id.encode("ascii")
        key = master.derived(FACTOR_LABEL)[master.current.id]
        return _SEALED + bytes([len(key_id)]) + key_id + seal_bytes(key, secret, self._aad(handler_id))

    def _unseal(self, handler_id: str, blob: bytes) -> bytes:
        if blob[:1] != _SEALED:
            raise StateConflict("알 수 없는 인증 비밀 형식입니다", "unknown format of a second-factor secret")
        size = blob[1]
        key_id = blob[2 : 2 + size].decode("ascii")
        key = self.core.keys.master.derived(FACTOR_LABEL).get(key_id)
        if key is None:
            raise NotFound(
                "인증 비밀의 마스터 키가 없습니다", "the master key of a second-factor secret is gone"
            )
        return open_bytes(key, blob[2 + size :], self._aad(handler_id))

    @staticmethod
    def _aad(handler_id: str) -> bytes:
        return f"{FACTOR_LABEL}/{handler_id}".encode()

    def purge(self, now: datetime | None = None) -> int:
        """Forget sessions ended or expired more than a day ago."""
        at = now or self.core.now()
        with self.core.unit_of_work() as uow:
            count = rows.purge(uow.conn, at - PURGE_AFTER)
            uow.commit()
        return count
