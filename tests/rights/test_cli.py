"""``jikimi rights …`` at the terminal, over the same database and key as the vault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jikimi.bootstrap import Jikimi
from jikimi.cli import run
from jikimi.crypto import KeyRing
from jikimi.rights import RightsDesk

from ..conftest import EXAMPLES  # noqa: TID252


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, db_url: str, ring: KeyRing) -> None:
    monkeypatch.setenv("JIKIMI_DB_URL", db_url)
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    monkeypatch.setenv("JIKIMI_POLICY", str(EXAMPLES / "reference.yaml"))


def test_a_letter_is_received_verified_answered_and_packaged_at_the_terminal(
    terminal: None,
    jikimi: Jikimi,
    member: str,
    desk: RightsDesk,
    clerk: object,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    assert run(["rights", "receive", member, "--type", "access", "--channel", "letter"]) == 0
    request_id = capsys.readouterr().out.split()[0]
    assert desk.get(request_id, actor="privacy-choi").channel == "letter"
    assert run(["rights", "receive", member, "--type", "access"]) == 0
    assert "duplicate" in capsys.readouterr().out
    assert run(["rights", "list"]) == 0
    assert request_id in capsys.readouterr().out
    assert run(["rights", "verify", request_id, "--how", "신분증 사본과 등기 회신 확인"]) == 0
    out = tmp_path / "package.json"
    assert run(["rights", "package", request_id, "--format", "json", "--output", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["items"]
    assert run(["rights", "answer", request_id, "--note", "등기우편으로 발송"]) == 0
    assert desk.get(request_id, actor="privacy-choi").status == "answered"


def test_a_refusal_needs_a_listed_ground(
    terminal: None, jikimi: Jikimi, member: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["rights", "grounds"]) == 0
    assert "PIPA 37②4" in capsys.readouterr().out
    run(["rights", "receive", member, "--type", "stop", "--purposes", "marketing"])
    request_id = capsys.readouterr().out.split()[0]
    assert run(["rights", "refuse", request_id, "--ground", "no_such_ground"]) == 2
    assert "vault.invalid" in capsys.readouterr().err
    assert run(["rights", "refuse", request_id, "--ground", "law_requires_processing"]) == 0


def test_an_old_id_starting_with_a_dash_is_passed_after_a_double_dash(
    terminal: None, jikimi: Jikimi, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["rights", "receive", "--type", "access", "--", "-NoSuchSubject0123456"]) == 2
    err = capsys.readouterr().err
    assert "no such subject" in err
    assert "No such option" not in err
