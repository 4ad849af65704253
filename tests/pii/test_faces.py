"""The CLI face (`jikimi pii …`), the public API, and the purity of the detection package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import jikimi.pii
from jikimi.cli import run


def test_public_api_is_small_sorted_and_pinned() -> None:
    assert jikimi.pii.__all__ == [
        "DEFAULT_MAX_CHARS",
        "Finding",
        "MaskingRule",
        "Operator",
        "PiiLogFilter",
        "PiiType",
        "Scanner",
        "mask",
        "masking_rules_from_mapping",
        "reveal",
        "scan",
    ]
    assert jikimi.pii.__all__ == sorted(jikimi.pii.__all__)


def test_detection_imports_no_web_cli_or_database_framework() -> None:
    code = (
        "import sys, jikimi.pii; jikimi.pii.scan('010-1234-5678'); "
        "print(sorted(m for m in ('typer', 'fastapi', 'starlette', 'rich', 'sqlalchemy') if m in sys.modules))"  # noqa: E501
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_finding_never_prints_its_value() -> None:
    [finding] = jikimi.pii.scan("010-1234-5678")
    assert "1234" not in repr(finding) and "1234" not in json.dumps(finding.to_dict())


def test_cli_scan_prints_json_without_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "post.txt"
    source.write_text("연락처 010-1234-5678로 주세요", encoding="utf-8")
    assert run(["pii", "scan", str(source)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["findings"][0]["type"] == "phone" and "1234" not in out
    assert run(["pii", "scan", str(source), "--show-values"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"][0]["value"] == "010-1234-5678"


def test_cli_mask_reads_stdin_and_uses_a_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key: bytes
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("홍길동님 010-1234-5678"))
    assert run(["pii", "mask", "-"]) == 0
    assert capsys.readouterr().out == "홍**님 010-****-5678"
    key_file = tmp_path / "pii.key"
    key_file.write_bytes(key)
    monkeypatch.setattr(sys, "stdin", io.StringIO("010-1234-5678"))
    assert (
        run(["pii", "mask", "-", "--operator", "hash", "--key-file", str(key_file), "--types", "phone"]) == 0
    )
    assert capsys.readouterr().out.startswith("<전화번호:")


def test_cli_errors_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "big.txt"
    source.write_text("가" * 50, encoding="utf-8")
    assert run(["pii", "scan", str(source), "--max-chars", "10"]) == 2
    assert "pii.too_large" in capsys.readouterr().err
    assert run(["pii", "mask", str(source), "--operator", "hash"]) == 2
    assert run(["pii", "scan", str(tmp_path / "missing.txt")]) == 2


def test_the_package_docstring_example_runs() -> None:
    import doctest

    assert doctest.testmod(jikimi.pii).failed == 0
