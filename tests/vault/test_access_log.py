"""The access log (접속기록): every access appends a row without values; tampering is named by
`jikimi audit verify`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from jikimi.audit.chain import FIELDS, row_hash
from jikimi.bootstrap import Jikimi
from jikimi.cli import run
from jikimi.crypto import KeyRing
from jikimi.errors import Denied
from jikimi.handlers import Handler
from jikimi.store.tables import access_log

from .conftest import MEMBER


def rows(jikimi: Jikimi) -> list[Any]:
    with jikimi.core.engine.connect() as conn:
        return list(conn.execute(select(access_log).order_by(access_log.c.seq)))


def test_every_access_appends_a_row_with_ids_never_values(
    jikimi: Jikimi, officer: Handler, support_agent: Handler
) -> None:
    start = len(rows(jikimi))
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}, source="203.0.113.7")
    jikimi.vault.read(sid.subject_id, ["name", "email"], "support", support_agent, source="10.0.0.5")
    with pytest.raises(Denied):
        jikimi.vault.read(sid.subject_id, ["email"], "marketing", support_agent, source="10.0.0.5")
    jikimi.vault.add_record(sid.subject_id, "complaint", {"name": "홍길동"})
    jikimi.vault.read_records(sid.subject_id, "complaint", "support", support_agent)
    jikimi.vault.withdraw_consent(sid.subject_id, "marketing")
    jikimi.vault.give_consent(sid.subject_id, "marketing")
    jikimi.vault.find("email", "hong@example.com", actor=officer)
    jikimi.vault.read_many([sid.subject_id], ["email"], "marketing", officer, "이벤트 안내")
    jikimi.vault.verify_password(sid.subject_id, "password", MEMBER["password"])
    jikimi.handlers.unlock("cs-kim", actor=officer)
    got = rows(jikimi)[start:]
    summary = [(r.actor, r.action, r.outcome, r.purpose, json.loads(r.items)) for r in got]
    assert summary == [
        ("self", "collect", "allowed", None, sorted(MEMBER)),
        ("cs-kim", "read", "allowed", "support", ["email", "name"]),
        ("cs-kim", "read", "denied:role_not_allowed", "marketing", ["email"]),
        ("system", "record.add", "allowed", None, ["complaint"]),
        ("cs-kim", "record.read", "allowed", "support", ["complaint"]),
        ("self", "consent.withdraw", "allowed", "marketing", []),
        ("self", "consent.give", "allowed", "marketing", []),
        ("officer-park", "lookup", "found", None, ["email"]),
        ("officer-park", "read.bulk", "allowed", "marketing", ["email"]),
        ("self", "login", "allowed", None, ["password"]),
        ("officer-park", "admin.unlock", "allowed", None, []),
    ]
    assert [r.source for r in got[:3]] == ["203.0.113.7", "10.0.0.5", "10.0.0.5"]
    assert all(r.subject_id == sid.subject_id for r in got[:10]) and got[10].subject_id is None
    assert all(r.at is not None and r.hash and r.prev_hash for r in got)
    assert got[8].reason == "이벤트 안내"
    text = "\n".join(repr(tuple(r)) for r in got)
    for value in MEMBER.values():
        assert value not in text
    assert "01012345678" not in text


@pytest.fixture
def keyed(ring: KeyRing, monkeypatch: pytest.MonkeyPatch) -> KeyRing:
    """``jikimi audit verify`` holds the master key the log was written under."""
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    monkeypatch.delenv("JIKIMI_KEY_FILE", raising=False)
    monkeypatch.delenv("JIKIMI_ANCHOR_FILE", raising=False)
    return ring


def test_an_untouched_log_verifies(
    jikimi: Jikimi,
    member: str,
    support_agent: Handler,
    db_url: str,
    keyed: KeyRing,
    capsys: pytest.CaptureFixture[str],
) -> None:
    jikimi.vault.read(member, ["name"], "support", support_agent)
    assert run(["audit", "verify", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "intact" in out and "no anchors: truncation" in out and "MACs not" not in out


def test_without_the_master_key_verify_checks_links_only_and_says_so(
    jikimi: Jikimi, member: str, support_agent: Handler, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    jikimi.vault.read(member, ["name"], "support", support_agent)
    assert run(["audit", "verify", "--db", db_url]) == 0
    assert "links checked, MACs not" in capsys.readouterr().out


def test_an_altered_row_is_named_by_audit_verify(
    jikimi: Jikimi,
    member: str,
    support_agent: Handler,
    db_url: str,
    keyed: KeyRing,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for _ in range(3):
        jikimi.vault.read(member, ["name"], "support", support_agent)
    target = rows(jikimi)[-2]
    with jikimi.core.engine.begin() as conn:
        conn.execute(update(access_log).where(access_log.c.seq == target.seq).values(purpose="membership"))
    assert run(["audit", "verify", "--db", db_url]) == 1
    out = capsys.readouterr().out
    assert f"row seq={target.seq} " in out and "altered" in out


def test_a_row_deleted_in_the_middle_is_reported_by_position(
    jikimi: Jikimi,
    member: str,
    support_agent: Handler,
    db_url: str,
    keyed: KeyRing,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for _ in range(3):
        jikimi.vault.read(member, ["name"], "support", support_agent)
    target = rows(jikimi)[-2]
    with jikimi.core.engine.begin() as conn:
        conn.execute(delete(access_log).where(access_log.c.seq == target.seq))
    assert run(["audit", "verify", "--db", db_url]) == 1
    out = capsys.readouterr().out
    assert f"chain position {target.chain_seq}" in out and f"row {target.chain_seq} is missing" in out


def test_a_row_rehashed_without_the_key_is_named_itself(
    jikimi: Jikimi,
    member: str,
    support_agent: Handler,
    db_url: str,
    keyed: KeyRing,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Recomputing an altered row's digest without the master key does not help: the MAC is keyed."""
    for _ in range(3):
        jikimi.vault.read(member, ["name"], "support", support_agent)
    target = rows(jikimi)[-2]
    fields = {k: getattr(target, k) for k in ("at", *FIELDS)}
    fields["outcome"] = "denied:role_not_allowed"
    forged = row_hash(bytes(target.prev_hash), target.chain, target.chain_seq, fields)
    with jikimi.core.engine.begin() as conn:
        conn.execute(
            update(access_log)
            .where(access_log.c.seq == target.seq)
            .values(outcome=fields["outcome"], hash=forged)
        )
    assert run(["audit", "verify", "--db", db_url]) == 1
    assert f"row seq={target.seq} " in capsys.readouterr().out
