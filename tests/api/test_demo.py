"""``jikimi demo`` builds a demo database the API can serve, and a second run reuses it."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jikimi.api.app import create_app
from jikimi.bootstrap import open_jikimi
from jikimi.cli.serve import demo_command, serve_command
from jikimi.settings import Settings

from ..conftest import EXAMPLES  # noqa: TID252


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("demo")(demo_command)
    app.command("serve")(serve_command)
    return app


def _readme_request(tokens: Path, subject_id: str) -> tuple[str, str, dict[str, str], Any]:
    """The README's demo request: its ``TOKEN=$(python3 -c '…')`` run against ``tokens`` as the
    demo's token file, and its ``curl`` as written — the path (``SUBJECT_ID`` filled in), the
    headers (``$TOKEN`` filled in) and the JSON body (sent with ``-d``, so a POST)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"^TOKEN=\$\(python3 -c '(.*)'\)$", readme, flags=re.MULTILINE)
    (curl,) = re.findall(r"^curl -s (.*?)\n(?!\s)", readme, flags=re.MULTILINE | re.DOTALL)
    code = code.replace("var/demo-tokens.json", str(tokens))
    token = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    headers = dict(
        h.split(": ", 1) for h in re.findall(r"-H [\"']([^\"']+)[\"']", curl.replace("$TOKEN", token.strip()))
    )
    (body,) = re.findall(r"-d '(\{.*\})'", curl)
    (url,) = re.findall(r"(http://127\.0\.0\.1:8000/\S+)", curl)
    path = url.removeprefix("http://127.0.0.1:8000").replace("SUBJECT_ID", subject_id)
    return token.strip(), path, headers, json.loads(body)


def test_demo_creates_handlers_and_subjects_and_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "master.key"
    monkeypatch.setenv("JIKIMI_KEY_FILE", str(key_file))
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    tokens = tmp_path / "demo-tokens.json"
    args = [
        "demo",
        "--policy",
        str(EXAMPLES / "reference.yaml"),
        "--db",
        db,
        "--subjects",
        "20",
        "--tokens",
        str(tokens),
    ]
    first = CliRunner().invoke(_cli(), args)
    assert first.exit_code == 0, first.output
    assert "curl" in first.output and "/docs" in first.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(tokens.stat().st_mode) == 0o600
    state = json.loads(tokens.read_text(encoding="utf-8"))
    assert set(state["handlers"]) == {"demo-admin", "demo-cs", "demo-marketing", "demo-auditor"}
    assert sum(state["created"].values()) == 20 and state["records"] > 0

    second = CliRunner().invoke(_cli(), args)
    assert second.exit_code == 0, second.output
    jikimi = open_jikimi(Settings.from_env(db_url=db, policy_path=EXAMPLES / "reference.yaml"))
    with TestClient(create_app(jikimi)) as client:
        member = state["examples"]["member"]
        token, path, headers, body = _readme_request(tokens, member)  # what the README tells a new user
        cs = {"Authorization": f"Bearer {token}"}
        assert token == state["handlers"]["demo-cs"]["token"]
        read = client.post(path, headers=headers, json=body)
        assert read.status_code == 200 and read.json()["values"]["email"].endswith("@example.com")
        admin = {"Authorization": f"Bearer {state['handlers']['demo-admin']['token']}"}
        assert len(client.get("/v1/handlers", headers=admin).json()) == 4
        child = client.get(f"/v1/subjects/{state['examples']['child']}", headers=cs).json()
        assert child["status"] == "pending_guardian"
    marketer = jikimi.handlers.get("demo-marketing").role  # asks the advertising send gate, reads no metadata
    assert marketer.may("marketing") and not marketer.may("metadata")
    from sqlalchemy import func, select

    from jikimi.store.tables import subjects

    with jikimi.core.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(subjects)).scalar_one() == 20  # not duplicated
    jikimi.core.engine.dispose()
