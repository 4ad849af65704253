"""An operator enrols a real handler's console second factor at the terminal:
`jikimi handlers enrol-totp`, which prints the secret once and stores it sealed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jikimi.api.app import create_app
from jikimi.bootstrap import open_jikimi
from jikimi.cli import run
from jikimi.crypto import KeyRing, MasterKey
from jikimi.settings import Settings
from jikimi.signin import totp

from ..conftest import EXAMPLES  # noqa: TID252
from ..databases import fresh_sqlite  # noqa: TID252
from .conftest import PASSWORD, csrf_of


def test_an_operator_enrols_a_handlers_totp_and_the_handler_signs_in_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("JIKIMI_MASTER_KEY", "JIKIMI_DB_URL", "JIKIMI_KEY_FILE", "JIKIMI_POLICY"):
        monkeypatch.delenv(name, raising=False)
    key_file = tmp_path / "master.key"
    KeyRing(MasterKey.generate()).write(key_file)
    policy = str(EXAMPLES / "reference.yaml")
    with fresh_sqlite(tmp_path) as db:
        assert run(["db", "upgrade", "--db", db]) == 0
        assert (
            run(
                [
                    "handlers",
                    "role",
                    "officer",
                    "--purposes",
                    "*",
                    "--actions",
                    "admin,audit,rights",
                    "--db",
                    db,
                ]
            )
            == 0
        )
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        assert (
            run(["handlers", "create", "officer-lee", "--role", "officer", "--password-stdin", "--db", db])
            == 0
        )
        capsys.readouterr()
        enrol = [
            "handlers",
            "enrol-totp",
            "officer-lee",
            "--policy",
            policy,
            "--db",
            db,
            "--key-file",
            str(key_file),
        ]
        assert run(enrol) == 0
        printed = capsys.readouterr().out.splitlines()
        secret = printed[2]
        assert printed[3].startswith("otpauth://totp/jikimi%3Aofficer-lee?secret=" + secret)

        jikimi = open_jikimi(Settings.from_env(db_url=db, policy_path=Path(policy), key_file=key_file))
        try:
            with TestClient(create_app(jikimi), follow_redirects=False) as client:
                form = client.get("/console/sign-in")
                client.post(
                    "/console/sign-in",
                    data={"csrf": csrf_of(form.text), "login": "officer-lee", "password": PASSWORD},
                )
                page = client.get("/console/sign-in/code")
                code = totp.code_at(totp.from_base32(secret), jikimi.core.now())
                done = client.post("/console/sign-in/code", data={"csrf": csrf_of(page.text), "code": code})
                assert done.headers["location"] == "/console/"
        finally:
            jikimi.close()
