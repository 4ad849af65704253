"""Reads of a subject's metadata (state, consent history, processor holdings): reads like any other.

Metadata holds no values, but it says who someone is to the service — a member, a child, dormant,
withdrawn, who consented to what — so it is read only by a handler whose role has the ``metadata``
action, and every attempt is an access-log row (the subject id and the outcome, never a value):
``subject.state``, ``consents.read``, ``processors.holdings``. A denied attempt is logged and
committed before ``Denied`` is raised; an unknown subject is logged as ``not_found``.
"""

from __future__ import annotations

from typing import Any

from jikimi.core import Core
from jikimi.errors import Denied
from jikimi.handlers import Handler
from jikimi.store import subjects as subject_rows
from jikimi.store.uow import UnitOfWork

METADATA_READS = ("subject.state", "consents.read", "processors.holdings")
"""The access log's actions for metadata reads."""


def metadata_row(
    core: Core, uow: UnitOfWork, *, actor: Handler | str, action: str, subject_id: str, source: str
) -> Any:
    """The subject's row for a metadata read by ``actor``, with its access-log row written in ``uow``
    (the caller commits it with the read). Raises ``Denied`` (``action_not_allowed``) without the
    ``metadata`` action and ``NotFound`` for an unknown subject — both logged and committed first."""
    handler = core.actor(actor)
    allowed = handler.role.may("metadata")
    row = subject_rows.find(uow.conn, subject_id) if allowed else None
    outcome = "allowed" if row is not None else ("not_found" if allowed else "denied:action_not_allowed")
    core.log(uow, core.now(), handler.login, action, outcome=outcome, subject_id=subject_id, source=source)
    if row is None:
        uow.commit()
        if not allowed:
            raise Denied(
                "action_not_allowed",
                "이 역할에는 대상자 정보(상태·동의 내역·수탁자) 열람이 허용되지 않습니다 ('metadata' 작업)",
                "the handler's role may not read a subject's metadata (the 'metadata' action)",
            )
        raise subject_rows.not_found()
    return row
