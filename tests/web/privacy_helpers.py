"""What the privacy-center tests share: members and a child of the reference policy, the service's
backend (a handler with the ``privacy`` action), and entering the center the way a browser does."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.errors import NotFound
from jikimi.handlers import Handler
from jikimi.store.tables import access_log, outbox

from ..conftest import MEMBER  # noqa: TID252

CHILD = {
    **MEMBER,
    "name": "홍아이",
    "birthdate": "2016-05-05",
    "login_id": "kid",
    "email": "kid@example.com",
    "mobile": "010-9876-5432",
    "ci": "CI" + "K" * 86,
    "guardian_name": "홍부모",
    "guardian_mobile": "010-1111-2222",
}
PERSONAL = [
    *(v for k, v in MEMBER.items() if k != "password"),
    *(CHILD[k] for k in ("name", "email", "mobile", "login_id", "guardian_name", "guardian_mobile")),
]
"""Every personal value the tests' people have (none may appear in a URL)."""

LINKS = re.compile(r'(?:href|action|src)="([^"]*)"')


def join(jikimi: Jikimi, data: dict[str, str] | None = None, consents: dict[str, bool] | None = None) -> str:
    """A member signs up (the reference policy's signup)."""
    return jikimi.vault.collect("signup", data or MEMBER, consents or {"marketing": True}).subject_id


def child(jikimi: Jikimi) -> str:
    """A child under 14 whose guardian has consented: active, ``is_child``."""
    sid = jikimi.vault.collect("signup", CHILD, {"marketing": False}).subject_id
    jikimi.vault.record_guardian_consent(sid, method="법정대리인 명의 휴대전화 본인확인")
    jikimi.vault.collect("signup", CHILD, {"marketing": False}, subject_id=sid)  # now the child's own data
    return sid


def backend(jikimi: Jikimi, login: str = "shop-backend") -> Handler:
    """The service's backend: a handler whose role may issue privacy-center links."""
    jikimi.handlers.define_role("service", purposes=[], actions=["privacy"])
    handler, _ = jikimi.handlers.create(login, "correct horse battery", role="service")
    return handler


def enter(client: TestClient, jikimi: Jikimi, subject_id: str, acting_as: str = "self") -> Any:
    """Open the center from a link the backend issued; the answer to the link (a 303)."""
    link = jikimi.passes.issue_link(subject_id, acting_as=acting_as, actor=_backend_of(jikimi))
    return client.get(link.url)


def _backend_of(jikimi: Jikimi) -> Handler:
    try:
        return jikimi.handlers.get("shop-backend")
    except NotFound:  # not made yet
        return backend(jikimi)


def log_rows(jikimi: Jikimi, action: str) -> list[dict[str, Any]]:
    with jikimi.core.reading() as conn:
        found = conn.execute(
            select(access_log).where(access_log.c.action == action).order_by(access_log.c.seq)
        )
        return [dict(r._mapping) for r in found]


def queued(jikimi: Jikimi, kind: str) -> list[dict[str, Any]]:
    with jikimi.core.reading() as conn:
        found = conn.execute(select(outbox).where(outbox.c.kind == kind).order_by(outbox.c.id))
        return [dict(r._mapping) for r in found]


def links_of(html: str) -> list[str]:
    return LINKS.findall(html)
