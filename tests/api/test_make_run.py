"""``make run`` works on a fresh clone: its ``jikimi demo`` makes the demo's own master key (0600)
and its ``jikimi serve`` — the commands exactly as the Makefile writes them — serves the reference
policy with no lint override and no key in the environment."""

from __future__ import annotations

import shlex
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jikimi.cli import run

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.db  # the demo database is a SQLite file (var/demo.db)


def _make_run_commands() -> dict[str, list[str]]:
    """The ``jikimi`` commands of the Makefile's ``run`` target, by subcommand, as argument lists."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = {}
    for line in target.splitlines():
        if "$(BIN)/jikimi " in line:
            args = shlex.split(line.split("$(BIN)/jikimi ", 1)[1])
            commands[args[0]] = args
    return commands


def served_app(app: Any, options: dict[str, Any]) -> Any:
    """What ``uvicorn.run`` was given to serve: the app, or with several workers the factory each
    worker calls (called here, in the environment ``jikimi serve`` gives the workers)."""
    if not isinstance(app, str):
        return app
    from jikimi.api.served import worker_app

    assert app == "jikimi.api.served:worker_app" and options["factory"] and options["workers"] >= 1
    return worker_app()


def test_make_run_demo_makes_its_own_key_and_serve_runs_without_an_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    for name in ("JIKIMI_MASTER_KEY", "JIKIMI_KEY_FILE", "JIKIMI_DB_URL", "JIKIMI_ALLOW_BLOCKING_LINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    commands = _make_run_commands()
    assert set(commands) >= {"demo", "serve"}
    assert "--allow-blocking-lint" not in commands["serve"], "the demo's policy needs no override"

    assert run([*commands["demo"], "--subjects", "3"]) == 0
    key_file = tmp_path / "var" / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "--key-file var/master.key" in capsys.readouterr().out  # how to serve it, said once done

    served: dict[str, Any] = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **options: served.setdefault("app", served_app(app, options))
    )
    assert run(commands["serve"]) == 0
    with TestClient(served["app"]) as client:
        health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["policy"]["blocking_lint"] == [] and health["policy"]["override"] is False
    served["app"].state.jikimi.close()


def test_a_new_user_signs_in_to_the_console_with_what_make_run_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    import uvicorn

    from tests.web.conftest import csrf_of

    for name in ("JIKIMI_MASTER_KEY", "JIKIMI_KEY_FILE", "JIKIMI_DB_URL", "JIKIMI_ALLOW_BLOCKING_LINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    commands = _make_run_commands()
    assert run([*commands["demo"], "--subjects", "3"]) == 0
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:8000/console/" in printed
    login = re.search(r"계정 \(login\): (\S+)", printed)
    password = re.search(r"비밀번호 \(password\): (\S+)", printed)
    code_command = re.search(r"\(the current code, without an app\): jikimi (demo-code .+)", printed)
    assert login and password and code_command, printed
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "http://127.0.0.1:8000/console/" in makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]

    served: dict[str, Any] = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **options: served.setdefault("app", served_app(app, options))
    )
    assert run(commands["serve"]) == 0
    with TestClient(served["app"], follow_redirects=False) as client:
        form = client.get("/console/sign-in")
        step = client.post(
            "/console/sign-in",
            data={"csrf": csrf_of(form.text), "login": login.group(1), "password": password.group(1)},
        )
        assert step.status_code == 303, step.text
        code_page = client.get("/console/sign-in/code")
        capsys.readouterr()
        assert run(shlex.split(code_command.group(1))) == 0
        code = capsys.readouterr().out.strip()
        done = client.post("/console/sign-in/code", data={"csrf": csrf_of(code_page.text), "code": code})
        assert done.status_code == 303 and done.headers["location"] == "/console/"
        assert client.get("/console/").status_code == 200
    served["app"].state.jikimi.close()
