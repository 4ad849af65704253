"""PostgreSQL: a gated read of a subject whose facts are the usual ones is one statement — the
values read and the access-log row written in the same transaction (``store.logged_reads``). When
the facts are not the usual ones, that statement writes nothing and the read is decided on what is
found, as on SQLite: either way each read is logged exactly once, with the gate's outcome, and the
chain verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from jikimi.audit.log import verify
from jikimi.bootstrap import Jikimi
from jikimi.crypto import KeyRing
from jikimi.errors import Denied
from jikimi.handlers import Handler
from jikimi.store import logged_reads
from jikimi.store.engine import make_engine
from jikimi.store.tables import access_log, item_values, subjects

from ..databases import fresh_postgres
from .conftest import MEMBER

CHILD = {**MEMBER, "birthdate": "2016-05-01", "guardian_name": "홍부모", "guardian_mobile": "010-7777-8888"}


@pytest.fixture
def engine() -> Iterator[Engine]:
    with fresh_postgres() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def one_statement(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each read's one statement wrote its log row (the real statement, observed)."""
    seen: list[bool] = []
    real = logged_reads.read_and_log

    def observed(*args: Any, **kwargs: Any) -> logged_reads.Logged:
        found = real(*args, **kwargs)
        seen.append(found.logged)
        return found

    monkeypatch.setattr("jikimi.vault.reads.read_and_log", observed)
    return seen


def read_rows(jikimi: Jikimi, subject_id: str) -> list[tuple[str, str, list[str]]]:
    with jikimi.core.engine.connect() as conn:
        return [
            (r.purpose, r.outcome, json.loads(r.items))
            for r in conn.execute(
                select(access_log)
                .where(access_log.c.subject_id == subject_id, access_log.c.action == "read")
                .order_by(access_log.c.seq)
            )
        ]


def chain_verifies(jikimi: Jikimi, ring: KeyRing) -> bool:
    with jikimi.core.engine.connect() as conn:
        return verify(conn, keys=ring).ok


def test_a_usual_read_is_read_and_logged_in_one_statement(
    jikimi: Jikimi, support_agent: Handler, one_statement: list[bool], ring: KeyRing
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    for _ in range(3):
        assert jikimi.vault.read(sid, ["name", "mobile"], "support", support_agent) == {
            "name": MEMBER["name"],
            "mobile": MEMBER["mobile"],
        }
    assert one_statement == [True, True, True]
    assert read_rows(jikimi, sid) == [("support", "allowed", ["mobile", "name"])] * 3
    assert chain_verifies(jikimi, ring)


def test_a_denial_that_does_not_depend_on_the_subject_is_logged_in_one_statement_too(
    jikimi: Jikimi, support_agent: Handler, one_statement: list[bool], ring: KeyRing
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    with pytest.raises(Denied) as caught:
        jikimi.vault.read(sid, ["email"], "marketing", support_agent)
    assert caught.value.reason == "role_not_allowed"
    assert one_statement == [True]
    assert read_rows(jikimi, sid) == [("marketing", "denied:role_not_allowed", ["email"])]
    assert chain_verifies(jikimi, ring)


def test_a_read_without_the_consent_it_needs_is_decided_on_the_consent_found(
    jikimi: Jikimi, marketer: Handler, one_statement: list[bool], ring: KeyRing
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": False}).subject_id
    with pytest.raises(Denied) as caught:
        jikimi.vault.read(sid, ["email"], "marketing", marketer)
    assert caught.value.reason == "consent_missing"
    assert one_statement == [False]  # assumed: consent given; found: none, so nothing was written
    assert read_rows(jikimi, sid) == [("marketing", "denied:consent_missing", ["email"])]
    assert chain_verifies(jikimi, ring)


def hold_email(jikimi: Jikimi, sid: str) -> None:
    with jikimi.core.engine.begin() as conn:
        conn.execute(
            update(item_values)
            .where(item_values.c.subject_id == sid, item_values.c.item_id == "email")
            .values(hold=True)
        )


def make_dormant(jikimi: Jikimi, sid: str) -> None:
    with jikimi.core.engine.begin() as conn:
        conn.execute(update(subjects).where(subjects.c.id == sid).values(status="dormant"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [(hold_email, "correction_hold"), (make_dormant, "dormant")],
    ids=["an item on hold", "a dormant subject"],
)
def test_unusual_facts_write_nothing_in_the_one_statement_and_are_decided_as_found(
    jikimi: Jikimi,
    support_agent: Handler,
    one_statement: list[bool],
    ring: KeyRing,
    change: Any,
    reason: str,
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    change(jikimi, sid)
    with pytest.raises(Denied) as caught:
        jikimi.vault.read(sid, ["name", "email"], "support", support_agent)
    assert caught.value.reason == reason
    assert one_statement == [False]  # the statement found other facts than assumed, and wrote nothing
    assert read_rows(jikimi, sid) == [("support", f"denied:{reason}", ["email", "name"])]  # once
    assert chain_verifies(jikimi, ring)


def test_a_child_is_read_in_one_statement_where_children_decide_alike(
    jikimi: Jikimi, officer: Handler, one_statement: list[bool], ring: KeyRing
) -> None:
    sid = jikimi.vault.collect("signup", CHILD).subject_id
    jikimi.vault.record_guardian_consent(sid, method="guardian mobile verification")
    jikimi.vault.collect("signup", CHILD, {"marketing": True}, subject_id=sid)
    assert jikimi.vault.read(sid, ["email"], "membership", officer) == {"email": MEMBER["email"]}
    with pytest.raises(Denied) as caught:
        jikimi.vault.read(sid, ["email"], "marketing", officer)
    assert caught.value.reason == "child_not_allowed"
    # membership: a child decides as an adult, so the child's facts were accepted; marketing: the
    # gate excludes children, so the statement assumed an adult's consent, found a child, wrote nothing
    assert one_statement == [True, False]
    assert read_rows(jikimi, sid) == [
        ("membership", "allowed", ["email"]),
        ("marketing", "denied:child_not_allowed", ["email"]),
    ]
    assert chain_verifies(jikimi, ring)


def test_an_unknown_subject_is_not_found_and_nothing_is_logged(
    jikimi: Jikimi, support_agent: Handler, one_statement: list[bool]
) -> None:
    from jikimi.errors import NotFound

    with pytest.raises(NotFound):
        jikimi.vault.read("0" * 32, ["name"], "support", support_agent)
    assert one_statement == [False]
    assert read_rows(jikimi, "0" * 32) == []
