"""The restore check (복원 점검): nothing a restored backup brings back stays that was destroyed.

The tombstone file (``jikimi.tombstones``) outlives backups and names every key jikimi destroyed.
``restore_check`` finds the ones present in the database — only a restore of an older copy can
bring a destroyed key back — and destroys them again with what they sealed (``store.restore``),
in one transaction per 500 ids, with one access-log row saying how many. It runs when jikimi opens
(``serve``, ``sweep`` and every command that opens a policy) and as ``jikimi db restore-check``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jikimi.audit.log import AccessLog, Entry
from jikimi.handlers import SYSTEM
from jikimi.store import restore as rows
from jikimi.store.uow import UnitOfWork
from jikimi.tombstones import Tombstones

CHUNK = rows.CHUNK


@dataclass(frozen=True)
class RestoreCheck:
    """``tombstones``: ids in the file that verify; ``bad_lines``: lines that do not (not acted
    on); ``keys``, ``rows``, ``subjects``: what was found brought back and destroyed again;
    ``truncated``: the file lost lines from its end that its anchor saw."""

    tombstones: int
    bad_lines: tuple[int, ...]
    keys: int
    rows: int
    subjects: int
    truncated: bool = False

    @property
    def resurrected(self) -> bool:
        return bool(self.keys or self.rows or self.subjects)


def restore_check(
    unit_of_work: Callable[[], UnitOfWork], tombstones: Tombstones, log: AccessLog, now: datetime
) -> RestoreCheck:
    """Destroy again every key (and what it sealed) the tombstones name that the database holds."""
    ids = sorted(tombstones.ids)
    done = rows.Redestroyed()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with unit_of_work() as uow:
            back = rows.present(uow.conn, chunk)
            if not back:
                continue
            step = rows.redestroy(uow.conn, back)
            log.append(
                uow,
                [
                    Entry(
                        at=now,
                        actor=SYSTEM.login,
                        action="restore.redestroy",
                        outcome="allowed",
                        items=(),
                        source="restore-check",
                        reason=f"keys={step.keys} rows={step.rows} subjects={step.subjects}",
                        count=step.keys,
                    )
                ],
            )
            uow.commit()
        done.keys += step.keys
        done.rows += step.rows
        done.subjects += step.subjects
    return RestoreCheck(len(ids), tombstones.bad_lines, done.keys, done.rows, done.subjects)
