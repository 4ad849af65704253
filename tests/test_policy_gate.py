"""What the policy says is what the engine does: jikimi refuses to run a policy whose lint has
errors under which it would process data unlawfully, unless an operator overrides it — and then
says so, at start, in the access log and in ``/healthz``."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jikimi.api.app import create_app
from jikimi.bootstrap import open_jikimi
from jikimi.cli import run
from jikimi.crypto import KeyRing, MasterKey
from jikimi.errors import PolicyBlocked, PolicyError
from jikimi.policy.lint import RULES
from jikimi.settings import Settings
from jikimi.store.tables import access_log

from .api.test_make_run import served_app
from .conftest import EXAMPLES

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCKING = [
    "rrn-without-basis",
    "sensitive-without-consent",
    "unique-id-without-consent",
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        db_url=f"sqlite:///{tmp_path / 'jikimi.db'}",
        master_key=KeyRing(MasterKey.generate()).current.encoded(),
    )


def test_the_rules_that_block_are_the_unlawful_processing_ones_and_errors() -> None:
    assert sorted(r.id for r in RULES if r.blocks) == BLOCKING
    assert all(r.severity == "error" for r in RULES if r.blocks)


def test_the_lint_rules_doc_says_which_rules_block_and_why() -> None:
    text = (DOCS / "lint-rules.md").read_text(encoding="utf-8")
    sections = dict(
        (heading.strip(), body)
        for heading, _, body in (part.partition("\n") for part in re.split(r"^## ", text, flags=re.M)[1:])
    )
    (overview,) = [body for heading, body in sections.items() if heading.startswith("집행을 막는 오류")]
    for rule in RULES:
        (body,) = [b for h, b in sections.items() if f"`{rule.id}`" in h]
        assert ("**집행 차단 (blocks enforcement)**" in body) is rule.blocks, rule.id
        assert (f"| `{rule.id}` |" in overview) is rule.blocks, rule.id


@pytest.mark.parametrize(
    ("seed", "blocking"),
    [
        ("shop", [("rrn-without-basis", "items[1]"), ("unique-id-without-consent", "items[1]")]),
        (
            "classpatra",
            [("sensitive-without-consent", "items[8]"), ("sensitive-without-consent", "items[11]")],
        ),
    ],
)
def test_a_policy_with_blocking_lint_errors_is_refused_before_anything_is_opened(
    settings: Settings, tmp_path: Path, seed: str, blocking: list[tuple[str, str]]
) -> None:
    with pytest.raises(PolicyBlocked) as caught:
        open_jikimi(settings, policy_path=EXAMPLES / f"{seed}.yaml")
    error = caught.value
    assert isinstance(error, PolicyError) and error.code == "policy.blocked"
    assert list(error.blocking) == blocking
    for rule, key in blocking:
        assert f"{rule} ({key})" in error.message_ko and f"{rule} ({key})" in error.message_en
    assert "JIKIMI_ALLOW_BLOCKING_LINT" in str(error)
    assert not (tmp_path / "jikimi.db").exists(), "refused before the database is touched"


def test_the_reference_policy_runs_without_an_override(settings: Settings) -> None:
    jikimi = open_jikimi(settings, policy_path=EXAMPLES / "reference.yaml")
    try:
        assert jikimi.policy_check.blocking == () and not jikimi.policy_check.override
        with TestClient(create_app(jikimi)) as client:
            health = client.get("/healthz").json()
        assert health["policy"] == {
            "version": jikimi.policy.version_key,
            "blocking_lint": [],
            "override": False,
        }
    finally:
        jikimi.close()


def test_an_override_is_logged_written_to_the_access_log_and_shown_in_health(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="jikimi"):
        jikimi = open_jikimi(replace(settings, allow_blocking_lint=True), policy_path=EXAMPLES / "shop.yaml")
    try:
        (warning,) = [r for r in caplog.records if r.name == "jikimi"]
        assert "rrn-without-basis" in warning.getMessage() and "allow_blocking_lint" in warning.getMessage()
        with jikimi.core.engine.connect() as conn:
            rows = conn.execute(
                select(access_log.c.actor, access_log.c.reason).where(
                    access_log.c.action == "policy.override"
                )
            ).all()
        version = jikimi.policy.version_key
        expected = f"blocking_lint=rrn-without-basis,unique-id-without-consent; policy={version}"
        assert [tuple(r) for r in rows] == [("system", expected)]
        assert jikimi.audit.verify().ok
        with TestClient(create_app(jikimi)) as client:
            health = client.get("/healthz").json()
        assert health["policy"]["blocking_lint"] == ["rrn-without-basis", "unique-id-without-consent"]
        assert health["policy"]["override"] is True
    finally:
        jikimi.close()


def test_serve_refuses_a_blocking_policy_with_a_message_and_runs_it_with_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    key_file = tmp_path / "master.key"
    KeyRing(MasterKey.generate()).write(key_file)
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    monkeypatch.delenv("JIKIMI_ALLOW_BLOCKING_LINT", raising=False)
    served: dict[str, Any] = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **options: served.setdefault("app", served_app(app, options))
    )
    args = ["serve", "--policy", str(EXAMPLES / "shop.yaml"), "--db", f"sqlite:///{tmp_path / 'j.db'}"]
    args += ["--key-file", str(key_file)]

    assert run(args) == 2
    err = capsys.readouterr().err
    assert "error [policy.blocked]" in err and "rrn-without-basis (items[1])" in err
    assert "--allow-blocking-lint" in err and "Traceback" not in err
    assert "app" not in served

    assert run([*args, "--allow-blocking-lint"]) == 0
    assert "rrn-without-basis" in capsys.readouterr().err  # the warning at start
    health = TestClient(served["app"]).get("/healthz").json()
    assert health["policy"]["override"] is True


def test_jikimi_rules_marks_the_rules_that_block(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(r["rule"] for r in listed if r["blocks"]) == BLOCKING
    assert run(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[0] for line in lines if " blocks " in line) == BLOCKING
