"""Files only their owner can read (0600): the SQLite database, its key store, their -wal and -shm
files, the master key file and the demo's token file — whatever the umask says."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jikimi.bootstrap import open_jikimi
from jikimi.cli.serve import demo_command
from jikimi.crypto import KeyRing, MasterKey
from jikimi.settings import Settings

from ..conftest import EXAMPLES, MEMBER  # noqa: TID252


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask of a shell (022): without care, new files would be world-readable."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def test_a_fresh_sqlite_database_and_its_wal_files_are_readable_by_their_owner_only(
    tmp_path: Path, open_umask: None
) -> None:
    key_file = tmp_path / "master.key"
    KeyRing(MasterKey.generate()).write(key_file)
    database = tmp_path / "fresh" / "jikimi.db"
    settings = Settings(db_url=f"sqlite:///{database}", key_file=key_file)
    jikimi = open_jikimi(settings, policy_path=EXAMPLES / "reference.yaml")
    try:
        jikimi.vault.collect("signup", MEMBER, {"marketing": True})  # writes both files, keeps WAL open
        keys = database.with_name("jikimi.keys.db")
        files = [database, keys] + [
            Path(f"{db}{suffix}") for db in (database, keys) for suffix in ("-wal", "-shm")
        ]
        assert all(path.exists() for path in files), [p.name for p in files if not p.exists()]
        assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
        assert mode(key_file) == 0o600
    finally:
        jikimi.close()


def test_the_demo_says_where_its_database_keys_epochs_and_tokens_are_and_makes_them_0600(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    monkeypatch.delenv("JIKIMI_KEY_FILE", raising=False)
    database, key_file, tokens = tmp_path / "demo.db", tmp_path / "master.key", tmp_path / "tokens.json"
    app = typer.Typer()
    app.command("demo")(demo_command)
    app.command("other")(lambda: None)  # two commands: the runner then takes "demo" by name
    args = ["demo", "--policy", str(EXAMPLES / "reference.yaml"), "--db", f"sqlite:///{database}"]
    args += ["--subjects", "3", "--tokens", str(tokens), "--key-file", str(key_file)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    keys = tmp_path / "demo.keys.db"
    epochs, tombstones = tmp_path / "data-keys.epochs", tmp_path / "destroyed.tombstones"
    assert (
        str(tombstones) in result.stdout
    )  # written at the first destruction, 0600 then (test_physical_destruction)
    for path in (database, keys, key_file, tokens, epochs):
        assert str(path) in result.stdout, f"the demo does not say where {path.name} is"
        assert mode(path) == 0o600, path.name
