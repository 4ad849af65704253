"""The privacy center's passes: the two ways a data subject, or a child's legal guardian, gets in.

* **The service's link** (``issue_link``, ``POST /v1/privacy/sessions``): the service's backend,
  which has signed its member in (or checked the guardian of a child), asks for a link with the
  ``privacy`` action. The link carries a random token, good once for ``LINK_LIFETIME``; the
  privacy center exchanges it (``enter_link``) for a session cookie and sends the browser on, so
  the token does not stay in the address bar.
* **A one-time code** (``start_code``, ``finish_code``): a person types their e-mail address or
  mobile number; the member holding it is found through the vault's blind index (the value is
  never stored), and a six-digit code is queued to that member's contact through the outbox and
  delivered like every notice (``notices.privacy_codes``). Whatever was typed, a pass id comes
  back, so no one learns whether an address belongs to a member. A code is good once, for
  ``CODE_LIFETIME`` and ``CODE_TRIES`` tries; every failure says the same thing.

Only keyed digests are stored (HMAC-SHA256 under a key derived from the master key): of the link
token, of the pass id, and of the code. Every issue, use and refusal is an access-log row: by the
issuing handler, or by ``self``/``guardian``, against the subject when one is known.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.errors import AuthError, Denied, Expired, InvalidInput
from jikimi.gate import Role
from jikimi.handlers import GUARDIAN, SELF, Handler
from jikimi.ids import new_id
from jikimi.notices.privacy_codes import DIGITS, one_time_code, queue_code
from jikimi.signin.sessions import ActingAs
from jikimi.store import privacy_passes as rows
from jikimi.store import subjects as subject_rows
from jikimi.store.uow import UnitOfWork

LINK_LIFETIME = timedelta(minutes=10)
CODE_LIFETIME = timedelta(minutes=10)
CODE_TRIES = 5
"""Wrong codes a pass survives; the next try fails whatever it is."""
LIVE_CODES = 3
"""Codes a member may have outstanding at once: a fourth request sends nothing (no one can flood a
member's phone), and still answers with a pass id."""
KEEP_USED = timedelta(days=1)
"""Passes are forgotten this long after they expire."""

ENTER_PATH = "/privacy/enter"
"""Where a link opens the privacy center (``jikimi.web.privacy.entry``)."""
PASS_LABEL = "privacy.passes"
LINK_PREFIX = "pl_"
PASS_PREFIX = "pp_"
MAX_TOKEN = 80

CODE_CHANNELS: dict[str, tuple[str, ...]] = {"email": ("email",), "sms": ("phone_kr",)}
"""A code's channel → the item formats its contact is found by (the policy's look-up items)."""

ACTING_AS: tuple[ActingAs, ...] = ("self", "guardian")
_SEPARATORS = re.compile(r"[\s-]")

MEMBER = Handler(
    id=SELF.id, login=SELF.login, role=Role("self", frozenset({"*"}), SELF.role.actions | {"metadata"})
)
"""The data subject in the privacy center: ``self`` as everywhere, who may also see their own
consents and state (``metadata``, each read logged) — only ever for the session's own subject."""
GUARDIAN_MEMBER = Handler(
    id=GUARDIAN.id,
    login=GUARDIAN.login,
    role=Role("guardian", frozenset({"*"}), GUARDIAN.role.actions | {"metadata"}),
)
"""A child's legal guardian in the privacy center (PIPA 22-2, 38②): ``guardian``, likewise."""


def member_actor(acting_as: ActingAs) -> Handler:
    """Who acts in a privacy-center session: the subject (``self``) or the child's guardian."""
    return GUARDIAN_MEMBER if acting_as == "guardian" else MEMBER


@dataclass(frozen=True)
class Link:
    """A link into the privacy center: its token (a credential, shown once) and when it expires."""

    token: str
    expires_at: datetime

    @property
    def url(self) -> str:
        """The link, relative to jikimi's address (the token is URL-safe as it is)."""
        return f"{ENTER_PATH}?token={self.token}"


@dataclass(frozen=True)
class Entry:
    """Whom a used pass lets in, and as whom."""

    subject_id: str
    acting_as: ActingAs


class Finder(Protocol):
    """The vault's look-up by value (``Vault.find``: the blind index, logged)."""

    def find(
        self, item_id: str, value: str, *, actor: Handler | str, source: str = "local"
    ) -> str | None: ...


def _link_refused() -> Expired:
    return Expired(
        "이 링크는 없거나, 기한(10분)이 지났거나, 이미 쓰였습니다. 서비스에서 개인정보 센터를 다시 여십시오",
        "this link is unknown, past its 10 minutes or used already; open the center from the service again",
    )


def _code_refused() -> AuthError:
    return AuthError(
        "코드가 맞지 않거나, 기한(10분)이 지났거나, 시도 횟수(5번)를 넘었습니다. 새 코드를 받으십시오",
        "the code is wrong, past its 10 minutes or out of tries (5); ask for a new code",
    )


class PrivacyPasses:
    """Links the service issues and one-time codes, each opening the privacy center once."""

    def __init__(self, core: Core, finder: Finder) -> None:
        self.core = core
        self.finder = finder
        master = core.keys.master
        self._key = master.derived(PASS_LABEL)[master.current.id]

    def _digest(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()

    # -- the service's link -----------------------------------------------------------------------

    def issue_link(
        self,
        subject_id: str,
        *,
        acting_as: str = "self",
        actor: Handler | str,
        source: str = "local",
    ) -> Link:
        """A link for ``subject_id`` (``acting_as="guardian"``: for the legal guardian of a child
        under 14, whom the service has checked). Needs the ``privacy`` action; ``NotFound`` for no
        subject, ``InvalidInput`` for a guardian link to an adult."""
        core = self.core
        handler = core.actor(actor)
        if acting_as not in ACTING_AS:
            raise InvalidInput("acting_as", "self 또는 guardian이어야 합니다", "must be self or guardian")
        now = core.now()
        with core.unit_of_work() as uow:
            if not handler.role.may("privacy"):
                core.log(
                    uow,
                    now,
                    handler.login,
                    "privacy.link_issue",
                    outcome="denied:action_not_allowed",
                    subject_id=subject_id,
                    source=source,
                )
                uow.commit()
                raise Denied(
                    "action_not_allowed",
                    "이 역할에는 개인정보 보호 센터 링크 발급이 허용되지 않습니다 ('privacy' 작업)",
                    "the handler's role may not issue privacy-center links (the 'privacy' action)",
                )
            subject = subject_rows.get(uow.conn, subject_id)
            if acting_as == "guardian" and not subject.is_child:
                raise InvalidInput(
                    "acting_as",
                    "법정대리인은 만 14세 미만 아동의 정보만 봅니다",
                    "a legal guardian acts only for a child under 14 (PIPA 22-2, 38②)",
                )
            token = LINK_PREFIX + secrets.token_urlsafe(32)
            expires = now + LINK_LIFETIME
            rows.add(
                uow.conn,
                digest=self._digest("link", token),
                kind="link",
                subject_id=subject_id,
                acting_as=acting_as,
                issued_by=handler.id,
                now=now,
                expires_at=expires,
            )
            rows.purge(uow.conn, now - KEEP_USED)
            core.log(
                uow,
                now,
                handler.login,
                "privacy.link_issue",
                subject_id=subject_id,
                source=source,
                reason=f"acting_as={acting_as}",
            )
            uow.commit()
        return Link(token, expires)

    def enter_link(self, token: str, *, source: str = "local") -> Entry:
        """Use the link ``token``: whom it lets in, as whom. Unknown, expired and used links are
        one ``Expired`` that names no one."""
        core = self.core
        now = core.now()
        if not token.startswith(LINK_PREFIX) or len(token) > MAX_TOKEN:
            raise _link_refused()
        with core.unit_of_work() as uow:
            digest = self._digest("link", token)
            row = rows.find(uow.conn, digest, "link")
            acting: ActingAs = "guardian" if row is not None and row.acting_as == "guardian" else "self"
            why = _stale(row, now)
            if why is None and row is not None and not rows.use(uow.conn, digest, now):
                why = "used"
            self._logged(uow, now, "privacy.link_enter", row, acting, why, source)
            if why is not None or row is None:
                raise _link_refused()
        return Entry(str(row.subject_id), acting)

    # -- the one-time code ------------------------------------------------------------------------

    def channels(self) -> tuple[str, ...]:
        """The channels a code can be asked for: those whose contact the policy keeps as a look-up
        item (an e-mail address, a mobile number)."""
        return tuple(channel for channel in CODE_CHANNELS if self._items(channel))

    def _items(self, channel: str) -> list[str]:
        formats = CODE_CHANNELS.get(channel, ())
        return [i.id for i in self.core.policy.items if i.lookup and i.format in formats]

    def start_code(self, channel: str, contact: str, *, source: str = "local") -> str:
        """Ask for a code sent by ``channel`` (``email`` or ``sms``) to the member holding
        ``contact``. Always returns a pass id, whether or not a member holds it (and sends
        nothing when none does, or when the member has ``LIVE_CODES`` codes outstanding)."""
        items = self._items(channel)
        if not items:
            known = ", ".join(self.channels()) or "-"
            raise InvalidInput(
                "channel",
                f"이 방법으로는 코드를 보낼 수 없습니다 (있는 것: {known})",
                f"no code can be sent this way (there is: {known})",
            )
        value = contact.strip()
        if not value or len(value) > 320:
            raise InvalidInput(
                "contact",
                "이메일 주소나 휴대전화번호를 입력하십시오",
                "enter an e-mail address or mobile number",
            )
        pass_id = PASS_PREFIX + secrets.token_urlsafe(24)
        subject_id = None
        for item_id in items:
            subject_id = self.finder.find(item_id, value, actor=SELF, source=source)
            if subject_id is not None:
                break
        if subject_id is None:
            return pass_id  # the look-up is logged (not_found); nothing else happens
        core = self.core
        now = core.now()
        master = core.keys.master
        with core.unit_of_work() as uow:
            if rows.live_codes(uow.conn, subject_id, now) >= LIVE_CODES:
                core.log(
                    uow,
                    now,
                    SELF.login,
                    "privacy.code_send",
                    outcome="denied:too_many_codes",
                    subject_id=subject_id,
                    source=source,
                )
                uow.commit()
                return pass_id
            ref, expires = new_id(), now + CODE_LIFETIME
            code = one_time_code(master, master.current.id, ref)
            rows.add(
                uow.conn,
                digest=self._digest("pass", pass_id),
                kind="code",
                subject_id=subject_id,
                acting_as="self",
                code_digest=self._digest(f"code\x00{pass_id}", code),
                channel=channel,
                now=now,
                expires_at=expires,
            )
            queue_code(
                uow,
                subject_id=subject_id,
                channel=channel,
                ref=ref,
                key_id=master.current.id,
                expires_at=expires,
                now=now,
            )
            rows.purge(uow.conn, now - KEEP_USED)
            core.log(
                uow,
                now,
                SELF.login,
                "privacy.code_send",
                subject_id=subject_id,
                source=source,
                reason=f"channel={channel}",
            )
            uow.commit()
        return pass_id

    def finish_code(self, pass_id: str, code: str, *, source: str = "local") -> Entry:
        """Use the code sent for ``pass_id``: whom it lets in (always as ``self``). A wrong code
        counts a try; wrong, expired, used-up and unknown are one ``AuthError`` that names no one."""
        core = self.core
        now = core.now()
        typed = _SEPARATORS.sub("", code)
        if not pass_id.startswith(PASS_PREFIX) or len(pass_id) > MAX_TOKEN:
            raise _code_refused()
        with core.unit_of_work() as uow:
            digest = self._digest("pass", pass_id)
            row = rows.find(uow.conn, digest, "code")
            why = _stale(row, now)
            if why is None and row is not None and int(row.attempts) >= CODE_TRIES:
                why = "too_many_attempts"
            if why is None and row is not None:
                good = len(typed) == DIGITS and typed.isdigit()
                expected = self._digest(f"code\x00{pass_id}", typed)
                if not (good and hmac.compare_digest(str(row.code_digest), expected)):
                    rows.count_attempt(uow.conn, digest)
                    why = "wrong_code"
                elif not rows.use(uow.conn, digest, now):
                    why = "used"
            self._logged(uow, now, "privacy.code_enter", row, "self", why, source)
            if why is not None or row is None:
                raise _code_refused()
        return Entry(str(row.subject_id), "self")

    # -- shared -----------------------------------------------------------------------------------

    def _logged(
        self,
        uow: UnitOfWork,
        now: datetime,
        action: str,
        row: Any,
        acting_as: ActingAs,
        why: str | None,
        source: str,
    ) -> None:
        """Log a pass's use or refusal (against its subject when the pass is known) and commit."""
        subject_id = None if row is None else str(row.subject_id)
        outcome = "allowed" if why is None else f"denied:{why}"
        self.core.log(uow, now, acting_as, action, outcome=outcome, subject_id=subject_id, source=source)
        uow.commit()


def _stale(row: Any, now: datetime) -> str | None:
    """Why a pass (a ``privacy_passes`` row, or None) cannot be used now: unknown, used, expired."""
    if row is None:
        return "unknown"
    if row.used_at is not None:
        return "used"
    if now >= as_utc(row.expires_at):
        return "expired"
    return None
