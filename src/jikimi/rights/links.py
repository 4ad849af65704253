"""Opening an access package through the link its answer notice carried (``answers``).

The token is the credential: whoever holds it is taken to be the subject it was sent to, for
the one request it names, until it expires (``answers.LINK_LIFETIME``) or has been used
``answers.LINK_OPENS`` times. Every open is logged — the link's use (``rights.package_link``)
and the package read itself (``rights.access_package``, by ``self``) — and so is a refused one
(an expired or used-up link) against the subject it was made for. An unknown token says nothing
about any subject: it is ``NotFound`` and logged by no one's name.
"""

from __future__ import annotations

from datetime import datetime

from jikimi.clock import as_utc
from jikimi.crypto import token_digest
from jikimi.errors import Expired, NotFound
from jikimi.gate import Role
from jikimi.handlers import SELF, Handler
from jikimi.rights.answers import LINK_OPENS, TOKEN_PREFIX
from jikimi.rights.package import Package, Packaging
from jikimi.store import package_links as link_rows
from jikimi.store import rights as rows

LINK_HOLDER = Handler(id=SELF.id, login=SELF.login, role=Role("self", frozenset(), frozenset({"rights"})))
"""The subject opening their access package through a link: ``self`` in the access log, allowed
the one thing the link is for."""

MAX_TOKEN = 64


class Linking(Packaging):
    """The access package opened through a protected link."""

    def open_link(self, token: str, *, source: str = "local") -> Package:
        """The access package the link ``token`` opens (``NotFound`` for an unknown token,
        ``Expired`` for one past its time or its opens); the open is counted and logged."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN:
            raise _unknown()
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            link = link_rows.find(uow.conn, token_digest(token), lock=True)
            if link is None:
                raise _unknown()
            request = rows.get(uow.conn, link.request_id)
            why = _refused(as_utc(link.expires_at), int(link.opens), now)
            reason = f"request={request.id}; link={link.id}"
            if why is not None:
                self.core.log(
                    uow,
                    now,
                    LINK_HOLDER.login,
                    "rights.package_link",
                    outcome=f"denied:{why}",
                    subject_id=request.subject_id,
                    source=source,
                    reason=reason,
                )
                uow.commit()
                raise Expired(
                    "열람 링크의 유효기간이 지났거나 사용 횟수를 넘었습니다. 다시 요청해 주십시오",
                    "the link to the access package has expired or been used up; ask for it again",
                )
            opens = link_rows.opened(uow.conn, link.id, now)
            self.core.log(
                uow,
                now,
                LINK_HOLDER.login,
                "rights.package_link",
                subject_id=request.subject_id,
                source=source,
                reason=f"{reason}; open={opens}/{LINK_OPENS}",
            )
            uow.commit()
        return self.package(link.request_id, actor=LINK_HOLDER, source=source)


def _refused(expires_at: datetime, opens: int, now: datetime) -> str | None:
    if now >= expires_at:
        return "link_expired"
    if opens >= LINK_OPENS:
        return "link_used_up"
    return None


def _unknown() -> NotFound:
    return NotFound("없는 열람 링크입니다", "no such link to an access package")
