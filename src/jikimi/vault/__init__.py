"""The vault: the only way personal data enters jikimi and the only way it leaves.

``Vault`` is collection (``collect``), gated reads (``read``…) and consents for purposes; every
operation is one unit of work, and every personal read and change lands in the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from jikimi.core import Core
from jikimi.lifecycle import Lifecycle
from jikimi.vault.collect import Collected, Collecting, Intake
from jikimi.vault.consents import Consenting
from jikimi.vault.importer import DEFAULT_BATCH, Importer, ImportReport, RowProblem, read_csv
from jikimi.vault.reads import Reading


class Vault(Collecting, Reading, Consenting):
    """Collection, gated reads and consents over a ``Core`` (``jikimi.vault`` of the façade)."""

    def __init__(self, core: Core, lifecycle: Lifecycle | None = None) -> None:
        self.core = core
        self.lifecycle = lifecycle if lifecycle is not None else Lifecycle(core)

    def import_csv(
        self,
        path: Path,
        context: str,
        *,
        hash_plain_passwords: bool = False,
        batch_size: int = DEFAULT_BATCH,
        workers: int = 1,
        on_problem: Callable[[RowProblem], None] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import a members CSV into ``context`` (기존 회원 이전) under the rules of ``collect``:
        see ``jikimi.vault.importer``. Rows that fail or duplicate are reported by line and field."""
        importer = Importer(self, context, hash_plain_passwords=hash_plain_passwords, batch_size=batch_size)
        with path.open(encoding="utf-8-sig", newline="") as handle:  # a BOM (Excel's UTF-8 CSV) is allowed
            header, rows = read_csv(handle)
            importer.check_header(header)
            return importer.run(rows, workers=workers, on_problem=on_problem, on_progress=on_progress)


__all__ = ["Collected", "ImportReport", "Intake", "RowProblem", "Vault"]
