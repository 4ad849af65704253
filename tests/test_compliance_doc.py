"""docs/compliance.md points only at code and tests that exist, and every covered row has a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "compliance.md"
REF = re.compile(r"`([^`]+?)(?:::([^`]+))?`")


def _rows() -> list[list[str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if (
            line.startswith("|")
            and not line.startswith("|---")
            and not line.startswith("| #")
            and not line.startswith("| Seed")
        ):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _refs(cell: str) -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in REF.finditer(cell) if "/" in m.group(1)]


def _defines(path: Path, name: str) -> bool:
    text = path.read_text(encoding="utf-8")
    patterns = [
        rf"^\s*(?:async\s+)?def {re.escape(name)}\b",
        rf"^\s*class {re.escape(name)}\b",
        rf"@rule\(\s*\"{re.escape(name)}\"",
        rf"^{re.escape(name)}\s*[:=]",
    ]
    return any(re.search(p, text, re.MULTILINE) for p in patterns)


def test_the_table_has_rows() -> None:
    assert len(_rows()) >= 25


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r[0] + " " + r[1][:40])
def test_every_reference_exists(row: list[str]) -> None:
    for cell in row[2:4]:
        for path_text, name in _refs(cell):
            path = ROOT / path_text
            assert path.exists(), f"{path_text} does not exist"
            if name:
                assert _defines(path, name), f"{path_text} does not define {name}"


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r[0] + " " + r[1][:40])
def test_a_covered_requirement_names_a_test(row: list[str]) -> None:
    status = row[-1]
    tests = [ref for ref in _refs(row[3]) if ref[0].startswith("tests/")]
    if status.startswith("covered"):
        assert tests, f"row {row[0]} is marked covered but names no test"
    else:
        assert status.startswith("not covered"), (
            f"row {row[0]}: status must be 'covered' or 'not covered (…)'"
        )
