"""What the data subject sees of themselves in the privacy center, without a handler in between:
their own access package and their own requests (PIPA 35, 38).

The subject has already been let in (a link their service issued, or a one-time code sent to their
contact: ``jikimi.signin.privacy``), so the package needs no request of its own. Only the subject
(``self``) or a child's legal guardian (``guardian``, for a child under 14) may ask, and only about
the one subject; every look is an access-log row: the package as ``rights.access_package`` (the
values in it are read), the requests as ``rights.list``.
"""

from __future__ import annotations

from jikimi.core import Core
from jikimi.errors import Denied
from jikimi.handlers import GUARDIAN, Handler
from jikimi.rights.package import Package, _assemble, gather
from jikimi.rights.requests import DeskBase, RightsRequest
from jikimi.store import rights as rows
from jikimi.store import subjects as subject_rows
from jikimi.store.uow import UnitOfWork

MAX_OWN = 500
"""A subject's requests listed at most (newest first beyond it would need paging no one has)."""


def _subject_side(core: Core, uow: UnitOfWork, subject_id: str, actor: Handler | str) -> Handler:
    """The subject or the child's guardian acting (``Denied`` for anyone else, and for a guardian
    of an adult); ``NotFound`` for no subject."""
    handler = core.actor(actor)
    if not handler.for_subject:
        raise Denied(
            "action_not_allowed",
            "본인 또는 법정대리인만 볼 수 있습니다",
            "only the subject or a child's legal guardian may see this",
        )
    subject = subject_rows.get(uow.conn, subject_id)
    if handler.id == GUARDIAN.id and not subject.is_child:
        raise Denied(
            "action_not_allowed",
            "법정대리인은 만 14세 미만 아동의 정보만 봅니다",
            "a legal guardian acts only for a child under 14 (PIPA 22-2, 38②)",
        )
    return handler


class OwnView(DeskBase):
    """The subject's own package and requests."""

    def own_package(self, subject_id: str, *, actor: Handler | str, source: str = "local") -> Package:
        """Everything held on ``subject_id``, as an access request's package would show it, for the
        subject (or the child's guardian) themselves; logged as one ``rights.access_package`` read."""
        core = self.core
        now = core.now()
        with core.unit_of_work() as uow:
            handler = _subject_side(core, uow, subject_id, actor)
            gathered = gather(
                core,
                uow,
                subject_id,
                set(),
                handler=handler,
                now=now,
                source=source,
                reason="privacy_center; type=access",
            )
            uow.commit()
        return _assemble(core, None, now, *gathered)

    def own_requests(
        self, subject_id: str, *, actor: Handler | str, source: str = "local"
    ) -> list[RightsRequest]:
        """The subject's requests, open and closed (overdue first, then by deadline); logged."""
        core = self.core
        now = core.now()
        with core.unit_of_work() as uow:
            handler = _subject_side(core, uow, subject_id, actor)
            found = rows.queue(
                uow.conn, now, open_only=False, subject_id=subject_id, type=None, limit=MAX_OWN
            )
            core.log(
                uow,
                now,
                handler.login,
                "rights.list",
                subject_id=subject_id,
                source=source,
                count=max(1, len(found)),
            )
            uow.commit()
        return [self._view(r, now) for r in found]
