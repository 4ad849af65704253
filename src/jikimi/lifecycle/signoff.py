"""The privacy officer's sign-off under a month's destruction ledger (파기 기록 확인): who signed,
when, over how many entries, and the SHA-256 of the ledger text signed.

The text signed is ``render_month`` of the month's entries with the signing instant as its
"printed" time, so the same text can be printed again later (``LedgerSignoffs.signed_text``) and
its digest checked against the one recorded.

Signing a month whose ledger is already signed is refused (``StateConflict``) while its text is
still what was signed. When it changed since — entries arrived later (a month signed before it
ended, a sweep that ran late), or the policy's labels changed — the officer may sign again, and the
new signature replaces the old one; the old one stays in the access log (``ledger.sign``: month,
entries, digest, and the digest it replaced). Only a handler account whose role allows ``admin``
(the officer) signs; jikimi's own actors and the operator at a terminal do not. A month not yet
begun has nothing to sign. A refused attempt is logged as well.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from jikimi.core import Core, scrub
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import BUILT_IN, Handler
from jikimi.lifecycle.ledger import render_month
from jikimi.periods import KST, month_bounds
from jikimi.policy.model import Policy
from jikimi.store import ledger as ledger_rows
from jikimi.store import signoffs as signoff_rows
from jikimi.store.ledger import LedgerEntry
from jikimi.store.signoffs import SignOff

ACTION = "admin"
"""The action a role needs to sign a month's ledger (the officer's; reading it needs ``audit``)."""
NOTE_MAX = 1000
OPERATOR_ID = "cli"
"""The handler id of the operator at a terminal (``cli._common.operator``): not an account."""


def digest_of(text: str) -> str:
    """The SHA-256 (hex) of a ledger text as signed (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def labels(policy: Policy) -> dict[str, str]:
    """Item and record labels of the policy in force, as the ledger text names classes."""
    return {i.id: i.label for i in policy.items} | {r.id: r.label for r in policy.records}


@dataclass(frozen=True)
class LedgerMonth:
    """A month of the ledger and its sign-off, as the console shows them."""

    month: str
    entries: list[LedgerEntry]
    signoff: SignOff | None
    current_digest: str | None
    """The digest of the text as it would be signed at the sign-off's instant now (``None`` unsigned)."""

    @property
    def signed(self) -> bool:
        return self.signoff is not None

    @property
    def changed(self) -> bool:
        """Signed, but the ledger's text is no longer what was signed (so it may be signed again)."""
        return self.signoff is not None and self.current_digest != self.signoff.digest

    @property
    def new_entries(self) -> int:
        """Entries written after the signature (0 when unsigned or unchanged)."""
        return max(0, len(self.entries) - self.signoff.entries) if self.signoff is not None else 0


class LedgerSignoffs:
    """Signing a month's destruction ledger, and reading the sign-off (``jikimi.lifecycle.signoffs``)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def text(self, month: str, entries: list[LedgerEntry], printed: datetime) -> str:
        return render_month(month, entries, label_of=labels(self.core.policy), printed=printed)

    def month(self, month: str) -> LedgerMonth:
        """The month's entries and its sign-off, and whether the text still is what was signed."""
        month = month.strip()
        start, end = month_bounds(month)
        with self.core.reading() as conn:
            entries = ledger_rows.entries(conn, start, end)
            found = signoff_rows.get(conn, month)
        digest = digest_of(self.text(month, entries, found.signed_at)) if found is not None else None
        return LedgerMonth(month, entries, found, digest)

    def signoff(self, month: str) -> SignOff | None:
        """The month's sign-off in force, or ``None``."""
        month = month.strip()
        month_bounds(month)
        with self.core.reading() as conn:
            return signoff_rows.get(conn, month)

    def recent(self, *, limit: int = 12) -> list[SignOff]:
        """The newest months signed, newest first."""
        with self.core.reading() as conn:
            return signoff_rows.recent(conn, limit=limit)

    def signed_text(self, month: str) -> str | None:
        """The month's ledger printed as it was signed (its "printed" time the signing instant), or
        ``None`` unsigned: its SHA-256 is the recorded digest while ``LedgerMonth.changed`` is false."""
        found = self.month(month)
        if found.signoff is None:
            return None
        return self.text(found.month, found.entries, found.signoff.signed_at)

    def sign(
        self, month: str, *, note: str | None = None, actor: Handler | str, source: str = "local"
    ) -> SignOff:
        """Sign the month's ledger as it stands now (see the module for when signing again is allowed)."""
        handler = self.core.actor(actor)
        month = month.strip()
        start, end = month_bounds(month)
        now = self.core.now()
        if not handler.role.may(ACTION) or handler.id in {h.id for h in BUILT_IN.values()} | {OPERATOR_ID}:
            self._refused(handler, now, month, "action_not_allowed", source)
            raise Denied(
                "action_not_allowed",
                "파기 기록에 서명할 권한이 없습니다 (개인정보 보호책임자의 계정으로 서명하십시오)",
                "the handler may not sign the destruction ledger (sign with the privacy officer's account)",
            )
        if start > now:
            raise InvalidInput("month", "아직 시작되지 않은 달입니다", "the month has not begun")
        text_note = scrub(note.strip()[:NOTE_MAX]) if note and note.strip() else None
        with self.core.unit_of_work() as uow:
            before = signoff_rows.get(uow.conn, month, lock=True)
            entries = ledger_rows.entries(uow.conn, start, end)
            if before is not None and digest_of(self.text(month, entries, before.signed_at)) == before.digest:
                at = before.signed_at.astimezone(KST).strftime("%Y-%m-%d %H:%M")
                who = before.signer_login or before.signed_by
                raise StateConflict(
                    f"{month} 파기 기록은 {at} KST에 {who}이(가) 서명했고 그 뒤로 바뀌지 않았습니다",
                    f"the {month} ledger was signed by {who} at {at} KST and has not changed since",
                )
            digest = digest_of(self.text(month, entries, now))
            signoff_rows.put(
                uow.conn,
                month=month,
                entries=len(entries),
                digest=digest,
                signed_by=handler.id,
                signed_at=now,
                note=text_note,
            )
            replaced = f"; replaces={before.digest}" if before is not None else ""
            self.core.log(
                uow,
                now,
                handler.login,
                "ledger.sign",
                source=source,
                reason=f"month={month}; entries={len(entries)}; sha256={digest}{replaced}",
            )
            uow.commit()
        return SignOff(
            month=month,
            entries=len(entries),
            digest=digest,
            signed_by=handler.id,
            signer_login=handler.login,
            signed_at=now,
            note=text_note,
        )

    def _refused(self, handler: Handler, now: datetime, month: str, why: str, source: str) -> None:
        with self.core.unit_of_work() as uow:
            self.core.log(
                uow,
                now,
                handler.login,
                "ledger.sign",
                outcome=f"denied:{why}",
                source=source,
                reason=f"month={month}",
            )
            uow.commit()
