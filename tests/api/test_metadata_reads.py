"""Every metadata read is a read: a subject's state, consent history and processor holdings need the
``metadata`` action and are logged with the subject id (never a value); bringing separated data
back (휴면 해제) needs the ``withdraw`` action."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.store.tables import access_log

from ..conftest import MEMBER  # noqa: TID252
from .conftest import bearer, error_of, handler_token, logged_in, signup

METADATA = {
    "subject.state": "/v1/subjects/{sid}",
    "consents.read": "/v1/subjects/{sid}/consents",
    "processors.holdings": "/v1/subjects/{sid}/processors",
}


def log_rows(jikimi: Jikimi, action: str) -> list[tuple[str, str | None, str, str, str | None]]:
    with jikimi.core.engine.connect() as conn:
        rows = conn.execute(
            select(
                access_log.c.actor,
                access_log.c.subject_id,
                access_log.c.outcome,
                access_log.c["items"],
                access_log.c.reason,
            )
            .where(access_log.c.action == action)
            .order_by(access_log.c.seq)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def auditor(jikimi: Jikimi) -> dict[str, str]:
    """An auditor as the finding describes it: no purposes, only the ``audit`` action."""
    return bearer(handler_token(jikimi, "audit-han", "auditor", [], ["audit"]))


def test_an_auditor_cannot_bring_a_dormant_members_separated_data_back(
    client: TestClient, jikimi: Jikimi, clock: FixedClock, admin: dict[str, str]
) -> None:
    sid = signup(client, admin)
    clock.advance(timedelta(days=340))
    jikimi.lifecycle.sweep()
    clock.advance(timedelta(days=31))
    assert jikimi.lifecycle.sweep().separated_dormant == 1
    admin = logged_in(client, "admin-park")  # a year later: the token of the sign-up day has expired
    refused = client.post(f"/v1/subjects/{sid}/reactivate", headers=auditor(jikimi))
    assert refused.status_code == 403 and error_of(refused)["reason"] == "action_not_allowed"
    assert jikimi.vault.subject(sid)["status"] == "dormant"  # nothing moved back
    assert log_rows(jikimi, "reactivate") == [
        ("audit-han", sid, "denied:action_not_allowed", "[]", "via=request")
    ]
    assert client.post(f"/v1/subjects/{sid}/reactivate", headers=admin).status_code == 200
    assert jikimi.vault.subject(sid)["status"] == "active"


def test_a_role_without_the_metadata_action_reads_no_state_consents_or_processors(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str], marketer: dict[str, str]
) -> None:
    sid = signup(client, admin)
    for who in (marketer, auditor(jikimi)):
        for path in METADATA.values():
            refused = client.get(path.format(sid=sid), headers=who)
            assert refused.status_code == 403, path
            assert error_of(refused)["reason"] == "action_not_allowed"
            assert all(value not in refused.text for value in MEMBER.values())
    for action in METADATA:
        assert [(actor, outcome) for actor, _, outcome, _, _ in log_rows(jikimi, action)] == [
            ("mk-lee", "denied:action_not_allowed"),
            ("audit-han", "denied:action_not_allowed"),
        ]


def test_every_metadata_read_reaches_the_access_log_with_the_subject_id_and_no_values(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = signup(client, admin)
    for path in METADATA.values():
        assert client.get(path.format(sid=sid), headers=cs).status_code == 200, path
        assert client.get(path.format(sid="nobody-here"), headers=cs).status_code == 404, path
    for action in METADATA:
        rows = log_rows(jikimi, action)
        assert [(actor, subject, outcome) for actor, subject, outcome, _, _ in rows] == [
            ("cs-kim", sid, "allowed"),
            ("cs-kim", "nobody-here", "not_found"),
        ]
        assert all(items == "[]" and reason is None for _, _, _, items, reason in rows)
        assert not any(value in str(rows) for value in MEMBER.values())
