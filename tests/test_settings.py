"""Settings come from the environment in one place, and the master key is never guessed: without
``JIKIMI_MASTER_KEY`` or a named key file, opening jikimi says how to give one."""

from __future__ import annotations

from pathlib import Path

import pytest

from jikimi.cli import run
from jikimi.crypto import KeyRing, MasterKey
from jikimi.errors import KeyRingError, MasterKeyMissing, UsageError
from jikimi.settings import DEFAULT_KEY_FILE, Settings

from .conftest import EXAMPLES


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JIKIMI_MASTER_KEY", "JIKIMI_KEY_FILE", "JIKIMI_POLICY", "JIKIMI_ALLOW_BLOCKING_LINT"):
        monkeypatch.delenv(name, raising=False)


def test_without_a_configured_key_opening_says_how_to_give_one_and_reads_no_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    KeyRing(MasterKey.generate()).write(DEFAULT_KEY_FILE)  # a key file where the old default looked
    settings = Settings.from_env({})
    assert settings.key_file is None
    with pytest.raises(MasterKeyMissing) as caught:
        settings.key_ring()
    error = caught.value
    assert error.code == "keys.missing" and isinstance(error, KeyRingError)
    for hint in ("JIKIMI_KEY_FILE", "JIKIMI_MASTER_KEY", "jikimi keys init", "make run"):
        assert hint in error.message_ko and hint in error.message_en


def test_a_named_key_file_or_an_environment_key_is_used(tmp_path: Path) -> None:
    ring = KeyRing(MasterKey.generate())
    ring.write(tmp_path / "master.key")
    assert Settings.from_env({"JIKIMI_KEY_FILE": str(tmp_path / "master.key")}).key_ring() == ring
    assert Settings(key_file=str(tmp_path / "master.key")).key_ring() == ring  # type: ignore[arg-type]
    assert Settings(key_file=tmp_path / "master.key").key_file == tmp_path / "master.key"
    env = {"JIKIMI_MASTER_KEY": ring.current.encoded(), "JIKIMI_KEY_FILE": str(tmp_path / "none")}
    assert Settings.from_env(env).key_ring() == ring, "the environment key overrides the key file"


@pytest.mark.parametrize(("value", "allowed"), [("1", True), ("true", True), ("0", False), ("", False)])
def test_the_blocking_lint_override_is_read_from_the_environment(value: str, allowed: bool) -> None:
    assert Settings.from_env({"JIKIMI_ALLOW_BLOCKING_LINT": value}).allow_blocking_lint is allowed
    assert Settings.from_env({}).allow_blocking_lint is False


def test_a_meaningless_override_value_is_refused() -> None:
    with pytest.raises(UsageError):
        Settings.from_env({"JIKIMI_ALLOW_BLOCKING_LINT": "please"})


def test_a_command_without_a_key_prints_the_hint_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    policy = str(EXAMPLES / "reference.yaml")
    assert run(["sweep", "--policy", policy, "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "error [keys.missing]" in err and "JIKIMI_KEY_FILE" in err and "Traceback" not in err
    assert not (tmp_path / "var").exists(), "no database is made before the key is known"


def test_keys_init_writes_the_suggested_file_and_says_to_name_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["keys", "init"]) == 0
    assert (tmp_path / DEFAULT_KEY_FILE).exists()
    assert f"export JIKIMI_KEY_FILE={DEFAULT_KEY_FILE}" in capsys.readouterr().out


def test_keys_rotate_needs_a_named_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["keys", "init"]) == 0
    capsys.readouterr()
    assert run(["keys", "rotate"]) == 2
    err = capsys.readouterr().err
    assert "--key-file" in err and "JIKIMI_KEY_FILE" in err and "Traceback" not in err
