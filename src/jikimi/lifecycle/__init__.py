"""The lifecycle (파기·분리보관·휴면): what happens to personal data when its purpose ends and when
its time runs out.

``rules`` decides (pure), ``separation`` ends purposes (withdrawal, deletion) and re-keys what is
kept, ``kept`` reads separated data and ends dormancy, ``sweep`` acts on everything due in
batches, ``ledger`` records every destruction, ``signoff`` is the officer's signature under a month
of it, ``log_expiry`` destroys the access log's rows older than its retention period (each sweep
runs it). ``Lifecycle`` is the service (``jikimi.lifecycle``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from jikimi.core import Core
from jikimi.lifecycle.kept import Keeping, SeparatedData
from jikimi.lifecycle.ledger import render_month
from jikimi.lifecycle.log_expiry import LogExpiry, expire_access_log
from jikimi.lifecycle.separation import END_REASONS, Ended, Ending
from jikimi.lifecycle.signoff import LedgerMonth, LedgerSignoffs, labels
from jikimi.lifecycle.sweep import Sweeper, SweepReport
from jikimi.periods import month_bounds
from jikimi.store import ledger as ledger_rows
from jikimi.store import sweeps as sweep_rows
from jikimi.store.ledger import LedgerEntry
from jikimi.store.slots import chosen_limit

LAST_SWEEP_WINDOW = timedelta(days=40)
"""How far back ``Lifecycle.last_sweep`` looks (a month and then some: sweeps run daily)."""


class Lifecycle(Ending, Keeping):
    """Withdrawal and deletion, separated data, dormancy, sweeps and the destruction ledger.

    ``reconfirmations``: after each sweep, queues the reconfirmation notices of advertising
    consents due by then and returns how many (``notices.marketing``, wired by ``bootstrap``).
    ``signoffs``: the privacy officer's sign-off of a month's ledger (``lifecycle.signoff``)."""

    def __init__(self, core: Core, *, reconfirmations: Callable[[datetime], int] | None = None) -> None:
        self.core = core
        self.reconfirmations = reconfirmations
        self.signoffs = LedgerSignoffs(core)

    def sweep(
        self,
        now: datetime | None = None,
        *,
        batch_size: int = 500,
        progress: Callable[[str, int], None] | None = None,
        max_active: int | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> SweepReport:
        """Act on everything whose time has come (파기, 분리보관, 휴면 안내); idempotent, parallel-safe.
        ``max_active``: at most that many processes sweep at once, the others wait (PostgreSQL);
        ``on_wait`` is called if this one has to."""
        sweeper = Sweeper(self.core, self, batch_size=batch_size, max_active=max_active)
        report = sweeper.run(now, progress=progress, on_wait=on_wait)
        if self.reconfirmations is not None:
            report.reconfirmations += self.reconfirmations(report.now)
        return report

    def expire_access_log(self, now: datetime | None = None) -> LogExpiry:
        """Destroy the access-log rows older than its retention period (1 or 2 years by law, or the
        operator's longer ``JIKIMI_ACCESS_LOG_YEARS``), with a checkpoint so the rest verifies.
        Every sweep does this too; this runs it alone (``jikimi audit expire``)."""
        return expire_access_log(self.core, now)

    def sweep_limit(self, requested: int | None, cpus: int) -> int | None:
        """How many processes may sweep at once: ``requested`` (``0``: no limit), or by default one per
        CPU when PostgreSQL runs on this host and no limit otherwise (see ``store/slots.py``)."""
        return chosen_limit(requested, self.core.engine.url, cpus)

    def count_due(self, now: datetime | None = None) -> dict[str, int]:
        """How many subjects each kind of sweep work would claim now (a dry run; changes nothing)."""
        return Sweeper(self.core, self).count_due(now)

    def last_sweep(self, *, within: timedelta = LAST_SWEEP_WINDOW) -> datetime | None:
        """When a sweep last acted (destroyed, separated or told something), looking back ``within``;
        ``None`` when none did in that time. A sweep that found nothing due leaves no trace."""
        with self.core.reading() as conn:
            return sweep_rows.last_sweep(conn, self.core.now() - within)

    def ledger(self, month: str) -> list[LedgerEntry]:
        """The destruction ledger of a KST month (``YYYY-MM``): class, count, rule, basis, method."""
        start, end = month_bounds(month)
        with self.core.reading() as conn:
            return ledger_rows.entries(conn, start, end)

    def ledger_text(self, month: str) -> str:
        """A month of the ledger as text for the privacy officer's signature (KST times)."""
        return render_month(
            month.strip(), self.ledger(month), label_of=labels(self.core.policy), printed=self.core.now()
        )


__all__ = [
    "END_REASONS",
    "Ended",
    "LedgerEntry",
    "LedgerMonth",
    "LedgerSignoffs",
    "Lifecycle",
    "LogExpiry",
    "SeparatedData",
    "SweepReport",
]
