"""The access log's expiry (접속기록의 파기): rows older than its retention period are destroyed,
with a checkpoint that lets the rest verify (``AccessLog.expire``, docs/audit.md).

The period is the law's minimum for this service — 1 year; 2 years with 50,000 or more subjects,
or unique-identifier or sensitive data in the policy — or the operator's longer
``JIKIMI_ACCESS_LOG_YEARS`` (``audit.retention``), counted by the Civil Act from each row's
instant (``periods.due_if_before``). Every sweep runs it once after its batches; ``jikimi audit
expire`` runs it alone. On PostgreSQL the months it emptied are dropped after the commit and the
current and next months' partitions are made (``store.partitions``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from jikimi.audit.log import Expiry
from jikimi.audit.retention import LARGE_SERVICE, LogRetention, log_retention
from jikimi.core import Core
from jikimi.periods import due_if_before
from jikimi.store import partitions
from jikimi.store import subjects as subject_rows

logger = logging.getLogger("jikimi")


@dataclass(frozen=True)
class LogExpiry:
    """One expiry of the access log: the retention it applied and what it did (``Expiry``)."""

    retention: LogRetention
    expiry: Expiry
    partitions_dropped: int = 0

    @property
    def rows(self) -> int:
        return self.expiry.rows


def log_retention_of(core: Core) -> LogRetention:
    """The access log's retention for this service now (``UsageError`` if the operator's setting
    is shorter than the law's minimum)."""
    with core.reading() as conn:
        subjects = subject_rows.count_up_to(conn, LARGE_SERVICE)
    return log_retention(core.policy, subjects=subjects, configured=core.access_log.keep_years)


def expire_access_log(core: Core, now: datetime | None = None) -> LogExpiry:
    """Destroy the access-log rows older than the retention period at ``now`` (default: the
    clock), in one transaction with their checkpoint; chains and counts only are reported."""
    moment = now or core.now()
    retention = log_retention_of(core)
    before = due_if_before(moment, retention.period)
    with core.unit_of_work() as uow:
        done = core.access_log.expire(
            uow, before=before, at=moment, note=f"retention={retention.years}y ({retention.why})"
        )
        uow.commit()
    dropped = partitions.drop_empty(core.engine, before) if done.rows else 0
    core.access_log.prepare(core.engine, moment)
    if done.held:
        logger.warning("접속기록 파기를 보류했습니다 (access-log expiry held): %s", done.held)
    for chain in done.kept:
        logger.warning(
            "접속기록 체인 %s의 만료 행이 검증되지 않아 남겨 둡니다: jikimi audit verify를 실행하십시오 "
            "(the due rows of access-log chain %s do not verify and are kept: run jikimi audit verify)",
            chain,
            chain,
        )
    return LogExpiry(retention, done, dropped)
