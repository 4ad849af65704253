"""The restore check (복원 점검): nothing a restored backup brings back stays that was destroyed.

The tombstone file (``jikimi.tombstones``) outlives backups and names every key jikimi destroyed.
``restore_check`` finds the ones present in the database — only a restore of an older copy can
bring a destroyed key back — and destroys them again with what they sealed (``store.restore``),
in one transaction per 500 ids, with one access-log row saying how many. It runs when jikimi opens
(``serve``, ``sweep`` and every command that opens a policy) and as ``jikimi db restore-check``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jikimi.audit.log import AccessLog, Entry
from jikimi.handlers import SYSTEM
from jikimi.store import restore as rows
from jikimi.store.uow import UnitOfWork
from jikimi.tombstones import Tombstones

CHUNK = rows.CHUNK
logger = logging.getLogger("jikimi")


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


def report_restore(result: RestoreCheck, path: Path) -> None:
    """Say on the ``jikimi`` logger what a restore check found: a truncated tombstone file, data a
    restored backup had brought back (destroyed again), lines that do not verify."""
    if result.truncated:
        logger.error(
            "파기 기록 파일 %s의 끝이 잘렸습니다: 앵커가 본 줄이 없습니다 (the tombstone file %s lost lines "
            "from its end that its anchor saw: destroyed keys it named may have come back unnoticed)",
            path,
            path,
        )
    if result.resurrected:
        logger.warning(
            "복원된 백업이 되살린 파기 대상을 다시 파기했습니다: 키 %d개, 행 %d개, 대상자 %d명 "
            "(a restored backup had brought back destroyed data; destroyed again: %d keys, %d rows, "
            "%d subjects)",
            result.keys,
            result.rows,
            result.subjects,
            result.keys,
            result.rows,
            result.subjects,
        )
    if result.bad_lines:
        logger.error(
            "파기 기록 파일 %s의 %d줄이 검증되지 않아 적용하지 않았습니다 (%d lines of the tombstone file %s "
            "do not verify and were not applied: first line %d)",
            path,
            len(result.bad_lines),
            len(result.bad_lines),
            path,
            result.bad_lines[0],
        )
