"""The façade's readers show what jikimi holds without showing a value: the access log a page at a
time (by subject, by handler, by month), what the separated store keeps and until when, and which
keys exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import jikimi as package
from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.errors import NotFound, UsageError
from jikimi.handlers import Handler
from jikimi.states import Cause

from .conftest import MEMBER


def test_the_log_about_a_subject_comes_a_page_at_a_time_in_log_order(
    jikimi: Jikimi, member: str, officer: Handler
) -> None:
    for _ in range(4):
        jikimi.vault.read(member, ["email"], "membership", officer)
    first = jikimi.audit.about_subject(member, limit=2)
    assert isinstance(first, package.LogPage)
    assert [(e.actor, e.action) for e in first.entries] == [("self", "collect"), ("officer-park", "read")]
    assert first.next_after == first.entries[-1].seq
    rest = jikimi.audit.about_subject(member, after=first.next_after, limit=10)
    assert [e.action for e in rest.entries] == ["read", "read", "read"] and rest.next_after is None
    seqs = [e.seq for e in first.entries + rest.entries]
    assert seqs == sorted(seqs)
    read = rest.entries[0]
    assert read.items == ("email",) and read.purpose == "membership" and read.at.tzinfo is not None
    shown = repr(first) + repr(rest)
    assert not [value for value in MEMBER.values() if value in shown], "ids only, never values"


def test_the_log_of_a_handler_and_of_a_month(
    jikimi: Jikimi, member: str, officer: Handler, clock: FixedClock
) -> None:
    jikimi.vault.read(member, ["name"], "membership", officer)
    clock.set(datetime(2026, 4, 1, 1, 0, tzinfo=UTC))  # 10:00 KST, 1 April
    jikimi.vault.read(member, ["email"], "membership", officer)
    by_login = jikimi.audit.by_handler("officer-park")
    assert by_login == jikimi.audit.by_handler(officer)
    assert [e.items for e in by_login.entries if e.action == "read"] == [("name",), ("email",)]
    assert [e.action for e in jikimi.audit.by_handler("self").entries] == ["collect"]
    march = [e.action for e in jikimi.audit.in_month("2026-03").entries]
    april = [e.action for e in jikimi.audit.in_month("2026-04").entries]
    assert "collect" in march and "read" in march and april == ["read"]


@pytest.mark.parametrize(
    ("month", "after", "limit"),
    [("2026-13", 0, 10), ("2026-03", 0, 0), ("2026-03", 0, 1001), ("2026-03", -1, 5)],
)
def test_a_malformed_page_request_is_a_usage_error(
    jikimi: Jikimi, month: str, after: int, limit: int
) -> None:
    with pytest.raises(UsageError):
        jikimi.audit.in_month(month, after=after, limit=limit)


def test_the_separated_store_shows_what_is_kept_why_and_until_when(
    jikimi: Jikimi, member: str, clock: FixedClock
) -> None:
    assert jikimi.separated(member).empty
    jikimi.vault.add_record(member, "payment", {"name": "홍길동"}, clock.now())
    jikimi.lifecycle.withdraw(member, "member_request")
    held = jikimi.separated(member)
    assert isinstance(held, package.SeparatedHolding) and not held.empty
    assert [(v.item_id, v.cause, v.rule_id) for v in held.values] == [
        ("ci", Cause.WITHDRAWAL, "withdrawn_ci"),
        ("login_id", Cause.WITHDRAWAL, "withdrawn_login_id"),
    ]
    assert all(not v.awaiting_rekey and v.expires_at and v.expires_at > clock.now() for v in held.values)
    (payments,) = held.records
    assert (payments.type, payments.rule_id, payments.count) == ("payment", "payment_records", 1)
    assert payments.first_expires_at == payments.last_expires_at
    assert payments.last_expires_at and payments.last_expires_at > clock.now() + timedelta(days=4 * 365)
    assert sorted(lookup.item_id for lookup in held.lookups) == ["ci", "login_id"]
    assert not [value for value in MEMBER.values() if value in repr(held)], "metadata, never values"
    with pytest.raises(NotFound):
        jikimi.separated("no-such-subject")


def test_key_state_shows_which_keys_exist(jikimi: Jikimi, ring: KeyRing) -> None:
    assert not jikimi.index_key_state().exists
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    index = jikimi.index_key_state()
    assert isinstance(index, package.IndexKeyState)
    assert index.exists and index.master_key_id == ring.current.id
    keys = jikimi.key_state(sid)
    assert isinstance(keys, package.KeyState)
    assert keys.data_key and keys.master_key_id == ring.current.id and keys.retention_keys == 0
    jikimi.lifecycle.withdraw(sid, "member_request")
    after = jikimi.key_state(sid)
    assert not after.data_key and after.retention_keys == 2 and not after.destroyed
    assert jikimi.key_state("no-such-subject").destroyed
