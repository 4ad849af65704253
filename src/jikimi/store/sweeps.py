"""When a sweep last acted: the newest access-log row a sweep batch wrote (``action`` ``sweep``),
for the console's dashboard. A sweep that found nothing due writes no row, so leaves no trace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from jikimi.clock import as_utc
from jikimi.store.tables import access_log


def last_sweep(conn: Connection, since: datetime) -> datetime | None:
    """The newest sweep row since ``since``, or ``None``. Bounded by ``since`` so the index on ``at``
    is walked over recent rows only (the access log is the largest table)."""
    found = conn.execute(
        select(access_log.c.at)
        .where(access_log.c.at >= since, access_log.c.action == "sweep")
        .order_by(access_log.c.at.desc())
        .limit(1)
    ).scalar()
    return as_utc(found) if found is not None else None
