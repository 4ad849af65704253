"""Destruction that reaches the disk, and restores that bring no one back (issue: a hostile world).

* Data keys are wrapped by an epoch key that lives only in the epoch file; retiring the epoch leaves
  every older copy of a destroyed key — dead tuples, WAL, backups — wrapped under a key that exists
  nowhere. The PostgreSQL test searches the server's data directory and WAL for them.
* Every destroyed key id goes to the tombstone file; a backup restored after 100 withdrawals and a
  sweep, then the restore check: none of those subjects readable or decryptable.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text

from jikimi.bootstrap import Jikimi, build_jikimi, check_restore, open_jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, unwrap_key
from jikimi.epochs import EpochFile
from jikimi.errors import KeyRingError
from jikimi.settings import Settings
from jikimi.store.engine import make_engine, sqlite_paths
from jikimi.store.tables import data_keys, item_values, lookups, subjects
from jikimi.tombstones import TombstoneFile

from ..conftest import EXAMPLES, MEMBER
from ..databases import PG_ADMIN_URL, _admin_execute, _db_url
from ..policies import cached_policy
from .conftest import fast_passwords

REFERENCE = EXAMPLES / "reference.yaml"


def member(n: int) -> dict[str, str]:
    return {
        **MEMBER,
        "login_id": f"member{n:04d}",
        "mobile": f"010-3{n:03d}-{n:04d}",
        "email": f"member{n}@example.com",
        "ci": "CI" + f"{n:04d}" * 21 + "ZZ",
    }


@dataclass
class Files:
    key_file: Path
    ring: KeyRing
    epochs: EpochFile
    tombstones: TombstoneFile

    def settings(self, db_url: str) -> Settings:
        return Settings(db_url=db_url, key_file=self.key_file)


@pytest.fixture
def files(tmp_path: Path) -> Files:
    ring = KeyRing(MasterKey.generate())
    key_file = tmp_path / "keys" / "master.key"
    ring.write(key_file)
    settings = Settings(key_file=key_file)
    epochs_path, tombstones_path = settings.epochs(), settings.tombstones()
    assert epochs_path is not None and tombstones_path is not None
    epochs = EpochFile(epochs_path, ring)
    return Files(key_file, ring, epochs, TombstoneFile(tombstones_path, ring))


def jikimi_on(db_url: str, files: Files, clock: FixedClock) -> Jikimi:
    files.epochs.ensure(clock.now())
    return build_jikimi(
        policy=cached_policy(REFERENCE),
        engine=make_engine(db_url),
        keys=files.ring,
        clock=clock,
        passwords=fast_passwords(),
        epochs=EpochFile(files.epochs.path, files.ring),
        tombstones=TombstoneFile(files.tombstones.path, files.ring),
    )


def wrapping_ids(jikimi: Jikimi) -> set[str]:
    with jikimi.core.engine.connect() as conn:
        return {r[0] for r in conn.execute(select(data_keys.c.master_key_id))}


# -- epochs ----------------------------------------------------------------------------------------


def test_data_keys_are_wrapped_by_the_current_epoch_whose_key_is_never_in_the_database(
    db_url: str, files: Files, clock: FixedClock
) -> None:
    jikimi = jikimi_on(db_url, files, clock)
    jikimi.vault.collect("signup", MEMBER)
    current = files.epochs.epochs()[0]
    assert wrapping_ids(jikimi) == {current.id} and current.id.startswith("ep")
    assert files.epochs.path.stat().st_mode & 0o777 == 0o600
    assert current.key.secret not in files.epochs.path.read_bytes(), (
        "the file holds it sealed by the master key"
    )
    if db_url.startswith("sqlite"):
        blobs = b"".join(p.read_bytes() for p in sqlite_paths(db_url) if p.exists())
        assert current.key.secret not in blobs


def test_a_new_epoch_rewraps_every_key_and_a_running_process_follows_without_a_restart(
    db_url: str, files: Files, clock: FixedClock
) -> None:
    jikimi = jikimi_on(db_url, files, clock)
    first = jikimi.vault.collect("signup", MEMBER).subject_id
    old = files.epochs.epochs()[0].id
    settings = ["--db", db_url, "--key-file", str(files.key_file)]
    assert run(["keys", "epoch", *settings]) == 0
    assert run(["keys", "epoch", "--retire", "--grace", "0", *settings]) == 0
    new = EpochFile(files.epochs.path, files.ring).epochs()
    assert len(new) == 1 and new[0].id != old
    assert wrapping_ids(jikimi) == {new[0].id}
    # the process that was running all along reads the new file: its old subject opens, a new one
    # is wrapped under the new epoch
    second = jikimi.vault.collect("signup", member(2)).subject_id
    assert wrapping_ids(jikimi) == {new[0].id}
    assert jikimi.vault.find("mobile", "01012345678", actor="system") == first
    assert jikimi.vault.find("mobile", "010-3002-0002", actor="system") == second


def test_a_key_left_under_a_retired_epoch_cannot_be_opened_and_the_error_says_why(
    db_url: str, files: Files, clock: FixedClock
) -> None:
    jikimi = jikimi_on(db_url, files, clock)
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    with jikimi.core.engine.connect() as conn:
        wrapped = bytes(
            conn.execute(select(data_keys.c.wrapped).where(data_keys.c.subject_id == sid)).scalar_one()
        )
    old = files.epochs.epochs()[0]
    files.epochs.begin(clock.now())
    files.epochs.retire()  # without re-wrapping: what an old backup of the key table looks like now
    with pytest.raises(KeyRingError) as caught:
        with jikimi.core.engine.connect() as conn:
            jikimi.core.keys.get(conn, sid)
    assert "retired" in str(caught.value) and old.id in str(caught.value)
    assert unwrap_key(old.key, wrapped, sid)  # it was this key, which no longer exists anywhere


# -- the disk: PostgreSQL's data directory and WAL ---------------------------------------------------


def _pg_files(db_url: str) -> tuple[Path, int]:
    with psycopg.connect(PG_ADMIN_URL) as conn:
        data_dir = Path(str(conn.execute("SHOW data_directory").fetchone()[0]))  # type: ignore[index]
        oid = conn.execute(
            "SELECT oid FROM pg_database WHERE datname = %s", (db_url.rpartition("/")[2],)
        ).fetchone()[0]  # type: ignore[index]
    return data_dir, int(oid)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_after_withdrawal_sweep_and_epoch_retirement_no_destroyed_key_is_recoverable_from_the_data_directory_or_wal(  # noqa: E501
    db_url: str, files: Files, clock: FixedClock
) -> None:
    data_dir, oid = _pg_files(db_url)
    if not os.access(data_dir / "base" / str(oid), os.R_OK):
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"the test must read PostgreSQL's data directory {data_dir} (run it as root or postgres)"
            )
        pytest.skip(f"cannot read {data_dir}: run as root or the postgres OS user")
    jikimi = jikimi_on(db_url, files, clock)
    sids = [jikimi.vault.collect("signup", member(n)).subject_id for n in range(100)]
    with jikimi.core.engine.connect() as conn:
        wrapped = {
            r.subject_id: bytes(r.wrapped)
            for r in conn.execute(
                select(data_keys.c.subject_id, data_keys.c.wrapped).where(data_keys.c.subject_id.in_(sids))
            )
        }
    raw = {
        sid: jikimi.core.keys.unwrap(sid, blob, next(iter(wrapping_ids(jikimi))))
        for sid, blob in wrapped.items()
    }
    for sid in sids:
        jikimi.lifecycle.withdraw(sid, "member_request")
    clock.advance(timedelta(days=1))
    jikimi.lifecycle.sweep()
    assert jikimi.key_state(sids[0]).data_key is False
    jikimi.core.engine.dispose()
    _admin_execute("CHECKPOINT")

    def disk() -> tuple[bytes, bytes]:
        heap = b"".join(p.read_bytes() for p in (data_dir / "base" / str(oid)).iterdir() if p.is_file())
        wal = b"".join(p.read_bytes() for p in (data_dir / "pg_wal").iterdir() if p.is_file())
        return heap, wal

    def recoverable(blobs: bytes, keys: KeyRing) -> int:
        found = 0
        for sid, blob in wrapped.items():
            if blob not in blobs:
                continue
            for key in (keys.current, *keys.retired):
                try:
                    unwrap_key(key, blob, sid)
                except KeyRingError:
                    continue
                found += 1
                break
        return found

    heap, wal = disk()
    before = recoverable(heap + wal, EpochFile(files.epochs.path, files.ring).ring())
    # the threat (88 of 100 in the table's file alone when the issue was filed; how many the WAL
    # still holds depends on how busy the server is, so only "some" is certain)
    assert before >= 10, f"the threat: {before} of 100 destroyed keys are still on disk and open"

    settings = ["--db", db_url, "--key-file", str(files.key_file)]
    assert run(["keys", "epoch", *settings]) == 0
    assert run(["keys", "epoch", "--retire", "--grace", "0", *settings]) == 0
    _admin_execute("CHECKPOINT")
    heap, wal = disk()
    still_held = EpochFile(files.epochs.path, files.ring).ring()  # every key the operator holds now
    after = recoverable(heap + wal, still_held)
    left = sum(blob in heap + wal for blob in wrapped.values())
    print(f"destroyed keys on disk and open: before {before}, after {after} ({left} sealed copies left)")
    assert after == 0
    assert sum(blob in heap for blob in wrapped.values()) == 0, "VACUUM FULL left no dead tuple"
    assert not any(key in heap + wal for key in raw.values()), "a data key is never written unwrapped"


# -- restores ----------------------------------------------------------------------------------------


@pytest.fixture
def backups(tmp_path: Path) -> Iterator[list[str]]:
    """Backups taken in a test (dropped after it)."""
    made: list[str] = []
    yield made
    for url in made:
        if url.startswith("postgresql"):
            _admin_execute(f"DROP DATABASE IF EXISTS {url.rpartition('/')[2]} WITH (FORCE)")


def back_up(jikimi: Jikimi, db_url: str, tmp_path: Path, made: list[str]) -> str:
    """A copy of the database as it is now, both its data and its key store: what a restore brings."""
    jikimi.core.engine.dispose()
    if db_url.startswith("sqlite"):
        target = f"sqlite:///{tmp_path / f'backup{len(made)}' / 'jikimi.db'}"
        for source, copy in zip(sqlite_paths(db_url), sqlite_paths(target), strict=True):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    else:
        name = f"{db_url.rpartition('/')[2]}_bk{len(made)}"
        _admin_execute(f"CREATE DATABASE {name} TEMPLATE {db_url.rpartition('/')[2]}")
        target = _db_url(name)
    made.append(target)
    return target


def decryptable(jikimi: Jikimi, sids: list[str]) -> int:
    """How many of ``sids`` have a row, a key or a value left: readable or decryptable at all."""
    with jikimi.core.engine.connect() as conn:
        keys = conn.execute(
            select(func.count()).select_from(data_keys).where(data_keys.c.subject_id.in_(sids))
        )
        rows = conn.execute(select(func.count()).select_from(subjects).where(subjects.c.id.in_(sids)))
        values = conn.execute(
            select(func.count(func.distinct(item_values.c.subject_id))).where(
                item_values.c.subject_id.in_(sids)
            )
        )
        looked_up = conn.execute(
            select(func.count(func.distinct(lookups.c.subject_id))).where(lookups.c.subject_id.in_(sids))
        )
        return max(
            int(keys.scalar_one()),
            int(rows.scalar_one()),
            int(values.scalar_one()),
            int(looked_up.scalar_one()),
        )


def test_a_backup_restored_after_100_withdrawals_and_a_sweep_brings_none_of_them_back_after_the_restore_check(
    db_url: str, files: Files, clock: FixedClock, tmp_path: Path, backups: list[str]
) -> None:
    jikimi = jikimi_on(db_url, files, clock)
    stays = jikimi.vault.collect("signup", member(999)).subject_id
    sids = [jikimi.vault.collect("signup", member(n)).subject_id for n in range(100)]
    backup = back_up(jikimi, db_url, tmp_path, backups)
    for sid in sids:
        jikimi.lifecycle.withdraw(sid, "member_request")
    clock.advance(timedelta(days=1))
    jikimi.lifecycle.sweep()
    assert not any(jikimi.key_state(sid).data_key for sid in sids)  # what the policy keeps, under group keys
    assert len(files.tombstones.read().ids) >= 100
    assert files.tombstones.path.stat().st_mode & 0o777 == 0o600

    restored = jikimi_on(backup, files, clock)  # the operator restores last week's backup
    assert decryptable(restored, sids) == 100, "the threat: the backup holds every one of them, keys included"
    result = check_restore(restored.core)
    assert result is not None and result.keys >= 100 and result.subjects == 100
    assert decryptable(restored, sids) == 0
    assert restored.vault.find("email", "member7@example.com", actor="system") is None
    assert restored.vault.find("mobile", "010-3999-0999", actor="system") == stays, "the living stay"
    with restored.core.engine.connect() as conn:
        said = (
            conn.execute(text("SELECT reason FROM access_log WHERE action = 'restore.redestroy'"))
            .scalars()
            .all()
        )
    assert said and all("subjects=" in reason for reason in said)
    assert check_restore(restored.core).resurrected is False  # a second run finds nothing


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_restore_check_runs_when_jikimi_opens_and_as_a_command_that_says_how_many(
    db_url: str,
    files: Files,
    clock: FixedClock,
    tmp_path: Path,
    backups: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    jikimi = jikimi_on(db_url, files, clock)
    sids = [jikimi.vault.collect("signup", member(n)).subject_id for n in range(3)]
    first, second = back_up(jikimi, db_url, tmp_path, backups), back_up(jikimi, db_url, tmp_path, backups)
    for sid in sids:
        jikimi.lifecycle.withdraw(sid, "member_request")
    clock.advance(timedelta(days=1))
    jikimi.lifecycle.sweep()

    assert run(["db", "restore-check", "--db", first, "--key-file", str(files.key_file)]) == 0
    out = capsys.readouterr().out
    assert "대상자 (subjects): 3" in out
    opened = open_jikimi(files.settings(second), policy_path=REFERENCE, clock=clock)
    assert decryptable(opened, sids) == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_tombstone_written_without_the_master_key_is_not_applied_and_the_check_exits_1(
    db_url: str,
    files: Files,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    jikimi = jikimi_on(db_url, files, clock)
    living = jikimi.vault.collect("signup", MEMBER).subject_id
    gone = jikimi.vault.collect("signup", member(1)).subject_id
    jikimi.lifecycle.withdraw(gone, "member_request")
    clock.advance(timedelta(days=1))
    jikimi.lifecycle.sweep()
    lines = files.tombstones.path.read_text(encoding="utf-8").splitlines()
    forged = lines[-1].replace(gone, living)  # an attacker names a living member, with no master key
    files.tombstones.path.write_text("\n".join([*lines, forged]) + "\n", encoding="utf-8")
    assert files.tombstones.read().bad_lines == (len(lines) + 1,)
    assert run(["db", "restore-check", "--db", db_url, "--key-file", str(files.key_file)]) == 1
    assert "lines that do not verify" in capsys.readouterr().err
    assert decryptable(jikimi, [living]) == 1, "the living member is untouched"


def test_tombstones_outlive_a_master_key_rotation(
    db_url: str, files: Files, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    jikimi = jikimi_on(db_url, files, clock)
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    jikimi.lifecycle.withdraw(sid, "member_request")
    clock.advance(timedelta(days=1))
    jikimi.lifecycle.sweep()
    settings = ["--db", db_url, "--key-file", str(files.key_file)]
    assert run(["keys", "rotate", *settings]) == 0
    assert run(["keys", "rotate", "--retire", *settings]) == 0
    ring = KeyRing.from_file(files.key_file)
    assert ring.current.id != files.ring.current.id and not ring.retired
    assert sid in TombstoneFile(files.tombstones.path, ring).read().ids
    assert EpochFile(files.epochs.path, ring).epochs()[0].master_key_id == ring.current.id


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_each_sweep_vacuums_the_postgresql_key_table_so_destroyed_keys_dead_rows_go_at_once(
    db_url: str, files: Files, clock: FixedClock
) -> None:
    jikimi = jikimi_on(db_url, files, clock)
    sid = jikimi.vault.collect("signup", MEMBER).subject_id

    def vacuumed() -> object:
        with jikimi.core.engine.connect() as conn:
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            return conn.execute(
                text(
                    "SELECT vacuum_count FROM pg_stat_all_tables "
                    "WHERE schemaname = 'jikimi_keys' AND relname = 'data_keys'"
                )
            ).scalar_one()

    before = vacuumed()
    jikimi.lifecycle.withdraw(sid, "member_request")
    clock.advance(timedelta(days=1))
    assert jikimi.key_state(sid).data_key is False  # destroyed at the withdrawal: a dead row now
    jikimi.lifecycle.sweep()
    assert vacuumed() == int(str(before)) + 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_lines_cut_from_the_end_of_the_tombstone_file_show_against_its_anchor(
    db_url: str,
    files: Files,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    jikimi = open_jikimi(files.settings(db_url), policy_path=REFERENCE, clock=clock)
    sids = [jikimi.vault.collect("signup", member(n)).subject_id for n in range(3)]
    for sid in sids:
        jikimi.lifecycle.withdraw(sid, "member_request")
    clock.advance(timedelta(days=1))
    jikimi.lifecycle.sweep()
    settings = ["--db", db_url, "--key-file", str(files.key_file)]
    assert run(["db", "restore-check", *settings]) == 0
    assert run(["audit", "verify", *settings]) == 0, "the tombstones' anchors are not access-log chains"
    capsys.readouterr()
    lines = files.tombstones.path.read_text(encoding="utf-8").splitlines()
    files.tombstones.path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # the last one cut
    assert files.tombstones.read().bad_lines == ()  # what is left verifies on its own …
    assert run(["db", "restore-check", *settings]) == 1  # … but not against the anchor
    assert "lost lines from its end" in capsys.readouterr().err
