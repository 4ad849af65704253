"""`jikimi sweep` and `jikimi ledger` on a real database: what is due, what was done, the signed ledger."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from jikimi.bootstrap import build_jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.periods import KST

from ..conftest import EXAMPLES, MEMBER, START
from ..policies import cached_policy as load_policy
from ..vault.conftest import fast_passwords

POLICY = EXAMPLES / "reference.yaml"


@pytest.fixture
def withdrawn_long_ago(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A member who withdrew a year ago under the reference policy: their login id (3 months) and CI
    (30 days) are due for destruction; the CLI runs against the same database and master key."""
    key = MasterKey.generate()
    monkeypatch.setenv("JIKIMI_MASTER_KEY", key.encoded())
    clock = FixedClock(START - timedelta(days=400))
    jikimi = build_jikimi(
        policy=load_policy(POLICY), engine=engine, keys=KeyRing(key), clock=clock, passwords=fast_passwords()
    )
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    jikimi.lifecycle.withdraw(sid, "member_request")
    return db_url


def test_dry_run_counts_what_is_due_and_changes_nothing(
    withdrawn_long_ago: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["sweep", "--policy", str(POLICY), "--db", withdrawn_long_ago, "--dry-run", "--json"]
    assert run(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["separated_values"] == 1 and first["separated_lookups"] == 1
    assert run(args) == 0
    assert json.loads(capsys.readouterr().out) == first


def test_sweep_destroys_what_is_due_and_the_ledger_prints_it_for_signature(
    withdrawn_long_ago: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sweep", "--policy", str(POLICY), "--db", withdrawn_long_ago, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["destroyed"] == {"item:ci": 1, "item:login_id": 1, "lookup:ci": 1, "lookup:login_id": 1}
    assert result["subjects_removed"] == 1
    assert run(["sweep", "--policy", str(POLICY), "--db", withdrawn_long_ago, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["destroyed_total"] == 0  # idempotent
    month = datetime.now(KST).strftime("%Y-%m")  # the CLI sweeps on the real clock
    assert run(["ledger", "--policy", str(POLICY), "--db", withdrawn_long_ago, "--month", month]) == 0
    text = capsys.readouterr().out
    assert "파기 기록" in text and "아이디" in text and "서명" in text
    assert MEMBER["login_id"] not in text.split("\n", 2)[2]


def test_sweeping_as_of_a_future_time_is_refused(
    withdrawn_long_ago: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(["sweep", "--policy", str(POLICY), "--db", withdrawn_long_ago, "--at", "2030-01-01T00:00:00"])
        == 2
    )
    assert "--dry-run" in capsys.readouterr().err


def test_a_malformed_month_is_a_usage_error(
    withdrawn_long_ago: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["ledger", "--policy", str(POLICY), "--db", withdrawn_long_ago, "--month", "2026-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_asking_for_more_workers_than_can_help_says_so() -> None:
    from jikimi.cli.lifecycle import worker_advice

    assert worker_advice("postgresql", 2, cpus=2) == []
    assert worker_advice("postgresql", 1, cpus=1) == []
    assert "4 workers on 2 CPUs" in worker_advice("postgresql", 4, cpus=2)[0]
    assert "only 2 of 4 workers sweep at once" in worker_advice("postgresql", 4, cpus=2, limit=2)[0]
    assert worker_advice("postgresql", 2, cpus=2, limit=2) == []
    assert "one writer at a time" in worker_advice("sqlite", 2, cpus=8)[0]
    assert worker_advice("sqlite", 1, cpus=8) == []


def test_workers_beyond_the_sweep_slots_stand_by_and_the_work_is_done_once(
    withdrawn_long_ago: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "sweep",
        "--policy",
        str(POLICY),
        "--db",
        withdrawn_long_ago,
        "--workers",
        "2",
        "--max-active",
        "1",
        "--json",
    ]
    assert run(args) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["workers"] == 2
    assert result["destroyed"] == {"item:ci": 1, "item:login_id": 1, "lookup:ci": 1, "lookup:login_id": 1}
    assert result["subjects_removed"] == 1
    if withdrawn_long_ago.startswith("postgresql"):
        assert "only 1 of 2 workers sweep at once" in captured.err
