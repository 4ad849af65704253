"""docs/import.md shows what the importer really does: its sample, the draft excerpt and the summary."""

from __future__ import annotations

import re

from jikimi.policy.importing import import_text
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _block_after(marker: str) -> str:
    at = DOC.index(marker)
    match = FENCE.search(DOC, at)
    assert match is not None, marker
    return match.group(2)


def test_the_documented_draft_and_summary_are_what_the_sample_imports_to() -> None:
    sample = _block_after("`sample.txt`:")
    result = import_text(sample, filename="sample.txt")
    excerpt = _block_after("이 쓰는 초안의 일부")
    assert excerpt.strip() in result.draft
    assert _block_after("터미널에는 요약이 나옵니다").strip() == result.report.summary().strip()
