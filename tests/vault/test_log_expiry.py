"""The access log expires by its retention period (안전성 확보조치 기준 제8조) and what remains still
verifies: each expiry cuts the old prefix off every chain and leaves a keyed checkpoint saying
where each chain starts now — on SQLite and on PostgreSQL, against the anchors and without."""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from jikimi.audit.anchors import FileSink
from jikimi.audit.chain import CHECKPOINT_ACTION, parse_seal_items
from jikimi.audit.log import AccessLog, Entry
from jikimi.audit.retention import LARGE_SERVICE, legal_minimum, log_retention
from jikimi.bootstrap import Jikimi, build_jikimi, open_jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.errors import UsageError
from jikimi.periods import KST
from jikimi.policy.model import Policy
from jikimi.settings import Settings
from jikimi.store.bulk import insert_many
from jikimi.store.tables import access_log, subjects
from jikimi.store.uow import UnitOfWork

from .conftest import EXAMPLES, START, fast_passwords, policy_with

YEAR = timedelta(days=366)


def sensitive(data: dict[str, Any]) -> None:
    data["items"].append({"id": "health", "label": "건강 상태", "class": "sensitive"})


def unique_id(data: dict[str, Any]) -> None:
    data["items"].append({"id": "passport", "label": "여권번호", "class": "unique_id"})


def jikimi_with(
    engine: Engine, ring: KeyRing, clock: FixedClock, anchors: Path, policy: Policy, years: int | None = None
) -> Jikimi:
    log = AccessLog(ring, sink=FileSink(anchors), keep_years=years)
    return build_jikimi(
        policy=policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords(), access_log=log
    )


def write(jikimi: Jikimi, n: int, actor: str = "cs-kim") -> None:
    """``n`` reads of one subject's name, each its own commit (and anchor), at the clock's time."""
    sid = secrets.token_hex(16)
    for _ in range(n):
        with jikimi.core.unit_of_work() as uow:
            jikimi.core.log(uow, jikimi.core.now(), actor, "read", subject_id=sid, items=["name"])
            uow.commit()


def count(engine: Engine, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(access_log).where(*where)).scalar_one())


def verify(db_url: str, capsys: pytest.CaptureFixture[str], anchors: Path | None) -> tuple[int, str]:
    capsys.readouterr()
    args = ["audit", "verify", "--db", db_url] + (["--anchors", str(anchors)] if anchors else [])
    code = run(args)
    return code, capsys.readouterr().out


@pytest.fixture
def keyed_env(ring: KeyRing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    for name in ("JIKIMI_KEY_FILE", "JIKIMI_ANCHOR_FILE", "JIKIMI_ANCHOR_SINK", "JIKIMI_ACCESS_LOG_YEARS"):
        monkeypatch.delenv(name, raising=False)


def test_access_log_rows_older_than_the_retention_period_are_destroyed_and_the_rest_still_verifies(
    db_url: str,
    engine: Engine,
    reference_policy: Policy,
    ring: KeyRing,
    clock: FixedClock,
    tmp_path: Path,
    keyed_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    anchors = tmp_path / "access-log.anchors"
    jikimi = jikimi_with(engine, ring, clock, anchors, reference_policy)
    write(jikimi, 4)  # the main thread's chain: old rows, then young ones below
    worker = threading.Thread(target=write, args=(jikimi, 3))  # a chain that expires whole
    worker.start()
    worker.join()
    old = count(engine)
    clock.advance(YEAR)
    write(jikimi, 2)
    clock.advance(timedelta(days=2))
    done = jikimi.lifecycle.expire_access_log()
    assert done.retention.years == 1 and done.retention.why == "minimum"
    assert done.rows == old and len(done.expiry.chains) == 2 and done.expiry.checkpoint == 1
    assert count(engine, access_log.c.at < START + timedelta(days=1)) == 0
    assert count(engine, access_log.c.action == "read") == 2
    for with_anchors in (anchors, None):
        code, out = verify(db_url, capsys, with_anchors)
        assert code == 0 and "BROKEN" not in out, out
    code, out = verify(db_url, capsys, anchors)
    assert "WARNING" not in out  # the chain that expired whole is not "deleted"
    assert jikimi.lifecycle.expire_access_log().rows == 0  # done: nothing more is due


def test_the_log_is_kept_1_year_counted_by_the_civil_act_to_the_close_of_the_day(
    engine: Engine, reference_policy: Policy, ring: KeyRing, clock: FixedClock, tmp_path: Path
) -> None:
    jikimi = jikimi_with(engine, ring, clock, tmp_path / "a", reference_policy)
    clock.set(datetime(2025, 3, 2, 23, 30, tzinfo=KST))
    write(jikimi, 1)
    # kept through the close of 2026-03-02 KST (the event day is not counted: 민법 157, 160)
    assert jikimi.lifecycle.expire_access_log(datetime(2026, 3, 2, 23, 59, tzinfo=KST)).rows == 0
    assert jikimi.lifecycle.expire_access_log(datetime(2026, 3, 3, 0, 0, tzinfo=KST)).rows == 1


@pytest.mark.parametrize("edit", [sensitive, unique_id], ids=["sensitive", "unique_id"])
def test_the_log_is_kept_2_years_when_the_policy_holds_sensitive_data(
    edit: Any, engine: Engine, ring: KeyRing, clock: FixedClock, tmp_path: Path
) -> None:
    jikimi = jikimi_with(engine, ring, clock, tmp_path / "a", policy_with(edit))
    write(jikimi, 3)
    later = jikimi.lifecycle.expire_access_log(START + YEAR + timedelta(days=30))
    assert later.rows == 0 and later.retention.years == 2
    assert later.retention.why == ("sensitive" if edit is sensitive else "unique_id")
    assert jikimi.lifecycle.expire_access_log(START + 2 * YEAR + timedelta(days=1)).rows == 3


def test_the_log_is_kept_2_years_when_the_vault_holds_50000_subjects(
    engine: Engine, reference_policy: Policy, ring: KeyRing, clock: FixedClock, tmp_path: Path
) -> None:
    jikimi = jikimi_with(engine, ring, clock, tmp_path / "a", reference_policy)
    write(jikimi, 2)
    columns = ("id", "kind", "status", "context", "is_child", "policy_version", "created_at")
    rows = [
        (f"s{n:031d}", "member", "active", "signup", False, "v", START, START, START)
        for n in range(LARGE_SERVICE - 1)
    ]
    with UnitOfWork(engine) as uow:
        insert_many(uow.conn, subjects, (*columns, "last_activity_at", "status_changed_at"), rows)
        uow.commit()
    a_year_on = START + YEAR + timedelta(days=30)
    assert jikimi.lifecycle.expire_access_log(a_year_on).retention.years == 1  # 49,999: not yet
    jikimi.vault.collect("signup", _member(), {"marketing": False})  # the 50,000th
    done = jikimi.lifecycle.expire_access_log(a_year_on)
    assert done.retention.years == 2 and done.retention.why == "subjects" and done.rows == 0


def _member() -> dict[str, str]:
    from .conftest import MEMBER

    return dict(
        MEMBER, login_id="kim50000", email="kim50000@example.com", mobile="010-5000-0000", ci="CI" + "B" * 86
    )


def test_the_legal_minimum_is_1_year_and_2_from_50000_subjects(reference_policy: Policy) -> None:
    assert legal_minimum(reference_policy, subjects=LARGE_SERVICE - 1) == (1, "minimum")
    assert legal_minimum(reference_policy, subjects=LARGE_SERVICE) == (2, "subjects")
    assert legal_minimum(policy_with(sensitive), subjects=0) == (2, "sensitive")


def test_an_operator_may_keep_the_log_longer_but_never_shorter_than_the_law(
    engine: Engine, ring: KeyRing, clock: FixedClock, tmp_path: Path, reference_policy: Policy
) -> None:
    jikimi = jikimi_with(engine, ring, clock, tmp_path / "a", reference_policy, years=3)
    write(jikimi, 2)
    assert jikimi.lifecycle.expire_access_log(START + 2 * YEAR + timedelta(days=30)).rows == 0
    done = jikimi.lifecycle.expire_access_log(START + 3 * YEAR + timedelta(days=2))
    assert done.rows == 2 and done.retention.years == 3 and done.retention.why == "operator"
    with pytest.raises(UsageError) as refused:
        log_retention(policy_with(sensitive), subjects=0, configured=1)
    assert "법정 최소 보관기간 2년" in refused.value.message_ko and "민감정보" in refused.value.message_ko
    assert "legal minimum of 2 years" in refused.value.message_en
    for meaningless in ("0", "1.5", "two", "101"):
        with pytest.raises(UsageError, match="JIKIMI_ACCESS_LOG_YEARS"):
            Settings.from_env({"JIKIMI_ACCESS_LOG_YEARS": meaningless})
    assert Settings.from_env({"JIKIMI_ACCESS_LOG_YEARS": "5"}).access_log_years == 5


def test_a_setting_below_the_legal_minimum_refuses_to_open(
    db_url: str, ring: KeyRing, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    text = (EXAMPLES / "reference.yaml").read_text(encoding="utf-8")
    policy.write_text(
        text.replace("items:\n", "items:\n  - {id: health, label: 건강 상태, class: sensitive}\n", 1),
        encoding="utf-8",
    )
    settings = Settings(
        db_url=db_url, master_key=ring.current.encoded(), access_log_years=1, allow_blocking_lint=True
    )
    with pytest.raises(UsageError, match="JIKIMI_ACCESS_LOG_YEARS=1"):
        open_jikimi(settings, policy_path=policy)


def test_the_sweep_destroys_the_expired_log_and_says_how_many_rows(
    db_url: str,
    engine: Engine,
    reference_policy: Policy,
    ring: KeyRing,
    clock: FixedClock,
    tmp_path: Path,
    keyed_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    anchors = tmp_path / "access-log.anchors"
    jikimi = jikimi_with(engine, ring, clock, anchors, reference_policy)
    write(jikimi, 5)
    report = jikimi.lifecycle.sweep(START + YEAR + timedelta(days=3))
    assert report.access_log_expired == 5
    assert verify(db_url, capsys, anchors)[0] == 0


def test_jikimi_audit_expire_destroys_old_rows_and_says_how_many(
    db_url: str,
    engine: Engine,
    ring: KeyRing,
    tmp_path: Path,
    keyed_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("JIKIMI_ANCHOR_FILE", str(tmp_path / "anchors"))
    old = AccessLog(ring, sink=FileSink(tmp_path / "anchors"))
    long_ago = datetime.now(UTC) - 3 * YEAR
    with UnitOfWork(engine) as uow:
        old.append(uow, [Entry(at=long_ago, actor="cs-kim", action="read", outcome="allowed")] * 3)
        uow.commit()
    policy = str(EXAMPLES / "reference.yaml")
    assert run(["audit", "expire", "--db", db_url, "--policy", policy]) == 0
    out = capsys.readouterr().out
    assert "3행을 파기했습니다" in out and "3 rows before" in out and "retention 1 year" in out
    assert run(["audit", "verify", "--db", db_url]) == 0, capsys.readouterr().out


def test_checkpoints_expire_too_and_the_newest_carries_every_cut_still_needed(
    db_url: str,
    engine: Engine,
    reference_policy: Policy,
    ring: KeyRing,
    clock: FixedClock,
    tmp_path: Path,
    keyed_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    anchors = tmp_path / "access-log.anchors"
    jikimi = jikimi_with(engine, ring, clock, anchors, reference_policy)
    lonely = threading.Thread(target=write, args=(jikimi, 2))  # expires whole at the first expiry
    lonely.start()
    lonely.join()
    for _ in range(3):  # a year of this: rows, then an expiry of last year's
        write(jikimi, 2)
        clock.advance(YEAR + timedelta(days=2))
        jikimi.lifecycle.expire_access_log()
        assert verify(db_url, capsys, anchors)[0] == 0
    with engine.connect() as conn:
        checkpoints = list(
            conn.execute(select(access_log).where(access_log.c.action == CHECKPOINT_ACTION)).mappings()
        )
    # the older checkpoints expired with the rest; the newest still says where the lonely chain ended
    assert len(checkpoints) == 1 and checkpoints[0]["chain_seq"] == 3
    listed = parse_seal_items(checkpoints[0]["items"])
    assert len(listed) == 3  # the main chain, the checkpoint chain itself, and the lonely chain (carried)
    code, out = verify(db_url, capsys, anchors)
    assert code == 0 and "WARNING" not in out, out


def test_a_chain_whose_due_row_does_not_verify_is_kept_whole_as_evidence(
    db_url: str,
    engine: Engine,
    reference_policy: Policy,
    ring: KeyRing,
    clock: FixedClock,
    tmp_path: Path,
    keyed_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    jikimi = jikimi_with(engine, ring, clock, tmp_path / "a", reference_policy)
    write(jikimi, 3)
    with engine.begin() as conn:
        last = conn.execute(select(func.max(access_log.c.seq))).scalar_one()
        conn.execute(update(access_log).where(access_log.c.seq == last).values(purpose="marketing"))
    done = jikimi.lifecycle.expire_access_log(START + YEAR + timedelta(days=2))
    assert done.rows == 0 and len(done.expiry.kept) == 1 and count(engine) == 3
    code, out = verify(db_url, capsys, None)
    assert code == 1 and "MAC mismatch" in out


def test_a_checkpoint_that_does_not_verify_holds_the_expiry(
    engine: Engine,
    reference_policy: Policy,
    ring: KeyRing,
    clock: FixedClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jikimi = jikimi_with(engine, ring, clock, tmp_path / "a", reference_policy)
    write(jikimi, 2)
    clock.advance(YEAR)
    write(jikimi, 2)
    jikimi.lifecycle.expire_access_log(START + YEAR + timedelta(days=2))
    with engine.begin() as conn:  # a forged checkpoint entry: the attacker would expire young rows
        conn.execute(
            update(access_log)
            .where(access_log.c.action == CHECKPOINT_ACTION)
            .values(items=json.dumps(["x:9:" + "00" * 32]))
        )
    done = jikimi.lifecycle.expire_access_log(START + 2 * YEAR + timedelta(days=2))
    assert done.rows == 0 and done.expiry.held and "does not verify" in done.expiry.held
    assert count(engine, access_log.c.action == "read") == 2


def test_two_expiries_at_once_cut_each_chain_once(
    db_url: str,
    engine: Engine,
    reference_policy: Policy,
    ring: KeyRing,
    clock: FixedClock,
    tmp_path: Path,
    keyed_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    anchors = tmp_path / "access-log.anchors"
    jikimi = jikimi_with(engine, ring, clock, anchors, reference_policy)
    write(jikimi, 20)
    moment = START + YEAR + timedelta(days=2)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(jikimi.lifecycle.expire_access_log(moment).rows))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 20]
    assert count(engine, access_log.c.action == CHECKPOINT_ACTION) == 1
    assert verify(db_url, capsys, anchors)[0] == 0
