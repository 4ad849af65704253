"""The vault's command line: `jikimi db|keys|handlers|audit`, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import io
import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jikimi.audit.log import AccessLog
from jikimi.cli import run
from jikimi.clock import SystemClock
from jikimi.crypto import KeyRing
from jikimi.errors import AuthError
from jikimi.handlers import TOKEN_CACHE_SECONDS, HandlerService
from jikimi.store.engine import make_engine

from .conftest import EXAMPLES
from .databases import fresh_postgres, fresh_sqlite

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet."""
    if request.param == "postgresql":
        with fresh_postgres(migrated=False) as url:
            yield url
    else:
        with fresh_sqlite(tmp_path) as url:
            yield url


@pytest.fixture
def db(empty_db: str) -> str:
    assert run(["db", "upgrade", "--db", empty_db]) == 0
    return empty_db


@pytest.fixture(autouse=True)
def _no_environment_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JIKIMI_MASTER_KEY", "JIKIMI_DB_URL", "JIKIMI_KEY_FILE", "JIKIMI_POLICY"):
        monkeypatch.delenv(name, raising=False)


def test_db_upgrade_creates_the_schema_and_is_idempotent(
    empty_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["db", "upgrade", "--db", empty_db]) == 0
    assert run(["db", "upgrade", "--db", empty_db]) == 0
    assert capsys.readouterr().out.count("schema revision") == 2


def test_commands_on_a_database_without_the_schema_say_so(
    empty_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["audit", "verify", "--db", empty_db]) == 2
    err = capsys.readouterr().err
    assert "jikimi db upgrade" in err and "Traceback" not in err


def test_keys_init_writes_a_private_key_file_and_prints_only_its_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "var" / "master.key"
    assert run(["keys", "init", "--key-file", str(key_file)]) == 0
    out = capsys.readouterr().out
    ring = KeyRing.from_file(key_file)
    assert f"id={ring.current.id}" in out and ring.current.encoded() not in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    assert run(["keys", "init", "--key-file", str(key_file)]) == 2
    assert "--force" in capsys.readouterr().err
    assert KeyRing.from_file(key_file) == ring, "an existing key file is never overwritten by accident"

    assert run(["keys", "init", "--key-file", str(key_file), "--force"]) == 0
    assert KeyRing.from_file(key_file).current.id != ring.current.id


def test_keys_init_uses_the_key_file_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIKIMI_KEY_FILE", str(tmp_path / "env.key"))
    assert run(["keys", "init"]) == 0
    assert (tmp_path / "env.key").exists()


def test_keys_rotate_refuses_environment_keys_and_missing_files(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["keys", "rotate", "--db", db, "--key-file", str(tmp_path / "missing.key")]) == 2
    assert "keys init" in capsys.readouterr().err
    monkeypatch.setenv("JIKIMI_MASTER_KEY", KeyRing.from_env_value("A" * 43).current.encoded())
    assert run(["keys", "rotate", "--db", db, "--key-file", str(tmp_path / "missing.key")]) == 2
    assert "JIKIMI_MASTER_KEY" in capsys.readouterr().err


def test_handlers_are_created_listed_locked_and_unlocked(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(["handlers", "role", "cs", "--purposes", "support,membership", "--actions", "read", "--db", db])
        == 0
    )
    assert "purposes=['membership', 'support']" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert run(["handlers", "create", "cs-kim", "--role", "cs", "--password-stdin", "--db", db]) == 0
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    assert token.startswith("jk_") and out.count(token) == 1 and PASSWORD not in out

    engine = make_engine(db)
    service = HandlerService(engine, SystemClock(), AccessLog())
    assert service.authenticate(token).login == "cs-kim"
    for _ in range(5):
        with pytest.raises(AuthError):
            service.login("cs-kim", "wrong password!")
    assert run(["handlers", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "cs-kim" in listing and "yes" in listing

    assert run(["handlers", "unlock", "cs-kim", "--db", db]) == 0
    assert service.login("cs-kim", PASSWORD)[0].login == "cs-kim"
    history = service.rights_history("cs-kim")
    assert [(r["change"], r["actor"].startswith("cli:")) for r in history] == [
        ("grant", True),
        ("lock", False),
        ("unlock", True),
    ]
    engine.dispose()


def test_an_operator_revokes_a_handlers_tokens_from_the_terminal(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["handlers", "role", "cs", "--purposes", "support", "--actions", "read", "--db", db]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert run(["handlers", "create", "cs-kim", "--role", "cs", "--password-stdin", "--db", db]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    engine = make_engine(db)
    service = HandlerService(engine, SystemClock(), AccessLog())
    assert service.authenticate(token).login == "cs-kim"
    assert run(["handlers", "revoke-tokens", "cs-kim", "--db", db]) == 0
    assert "cs-kim" in capsys.readouterr().out
    time.sleep(TOKEN_CACHE_SECONDS)  # a running server sees a change made elsewhere within this
    with pytest.raises(AuthError):
        service.authenticate(token)
    assert [(r["change"], r["actor"].startswith("cli:")) for r in service.rights_history("cs-kim")] == [
        ("grant", True),
        ("token", True),
    ]
    assert run(["handlers", "revoke-tokens", "nobody", "--db", db]) == 2
    engine.dispose()


def test_handler_errors_are_messages_not_tracebacks(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["handlers", "unlock", "nobody", "--db", db]) == 2
    assert run(["handlers", "role", "x", "--purposes", "*", "--actions", "read,fly", "--db", db]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert run(["handlers", "create", "kim", "--role", "nobody", "--password-stdin", "--db", db]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert run(["handlers", "role", "cs", "--purposes", "support", "--actions", "read", "--db", db]) == 0
    assert run(["handlers", "create", "kim", "--role", "cs", "--password-stdin", "--db", db]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "nobody" in err and "fly" in err and "10" in err


def test_handler_roles_are_checked_against_the_policy(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    policy = str(EXAMPLES / "reference.yaml")
    assert (
        run(
            [
                "handlers",
                "role",
                "cs",
                "--purposes",
                "support,suport",
                "--actions",
                "read",
                "--policy",
                policy,
                "--db",
                db,
            ]
        )
        == 2
    )
    assert "suport" in capsys.readouterr().err
    assert (
        run(
            [
                "handlers",
                "role",
                "cs",
                "--purposes",
                "support",
                "--actions",
                "read",
                "--policy",
                policy,
                "--db",
                db,
            ]
        )
        == 0
    )


def test_audit_report_prints_text_or_json(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["handlers", "role", "cs", "--purposes", "support", "--actions", "read", "--db", db]) == 0
    capsys.readouterr()
    assert run(["audit", "report", "--month", "2026-05", "--db", db]) == 0
    assert "개인정보 보호책임자" in capsys.readouterr().out
    assert run(["audit", "report", "--month", "2026-05", "--db", db, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["month"] == "2026-05" and report["chain"]["ok"] is True
    target = tmp_path / "review" / "2026-05.txt"
    assert run(["audit", "report", "--month", "2026-05", "--db", db, "-o", str(target)]) == 0
    assert "2026-05" in target.read_text(encoding="utf-8")
    assert run(["audit", "report", "--month", "2026-5", "--db", db]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_audit_verify_counts_rows_and_chains(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["handlers", "role", "cs", "--purposes", "support", "--actions", "read", "--db", db]) == 0
    assert run(["audit", "verify", "--db", db]) == 0
    assert "1 rows in 1 chains" in capsys.readouterr().out


def test_keys_rotate_leaves_the_key_file_alone_when_the_database_is_unusable(
    empty_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "master.key"
    assert run(["keys", "init", "--key-file", str(key_file)]) == 0
    before = key_file.read_bytes()
    assert run(["keys", "rotate", "--db", empty_db, "--key-file", str(key_file)]) == 2
    assert "db upgrade" in capsys.readouterr().err
    assert key_file.read_bytes() == before
