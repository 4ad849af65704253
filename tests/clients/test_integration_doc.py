"""docs/integration.md quotes the tested client programs and never drifts from them: each
TypeScript and Python snippet is exactly a ``region`` of ``typescript/flow.ts`` or
``python/flow.py`` (the programs the client tests run against a real server), every region is
quoted, and the snippets in other languages (not run) check signatures the same careful way."""

from __future__ import annotations

import re
from pathlib import Path

from .tools import PYTHON, TYPESCRIPT

DOC = Path(__file__).resolve().parents[2] / "docs" / "integration.md"
FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
QUOTE = re.compile(r"^<!-- region: (typescript|python) ([\w-]+) -->\n```[\w+-]*\n(.*?)^```", re.M | re.S)


def regions(path: Path, comment: str) -> dict[str, str]:
    """``name`` → the lines between ``<comment> region: name`` and ``<comment> endregion``."""
    pattern = re.compile(rf"^{comment} region: ([\w-]+)\n(.*?)^{comment} endregion$", re.M | re.S)
    found = pattern.findall(path.read_text(encoding="utf-8"))
    assert len(found) == len({name for name, _ in found}), f"a region name twice in {path.name}"
    return {name: body.strip("\n") for name, body in found}


def test_each_typescript_and_python_snippet_is_a_region_of_the_tested_programs() -> None:
    tested = {("typescript", n): b for n, b in regions(TYPESCRIPT / "flow.ts", "//").items()}
    tested |= {("python", n): b for n, b in regions(PYTHON / "flow.py", "#").items()}
    assert len(tested) >= 12, sorted(tested)
    quoted = [((lang, name), body.strip("\n")) for lang, name, body in QUOTE.findall(DOC.read_text("utf-8"))]
    assert len(quoted) == len(dict(quoted)), "a region quoted twice"
    assert dict(quoted).keys() == tested.keys(), "every region quoted, and only regions"
    for key, body in quoted:
        assert body == tested[key], f"docs/integration.md's {key} differs from the tested file"


def test_no_typescript_or_python_snippet_is_untested() -> None:
    text = DOC.read_text(encoding="utf-8")
    # ```python blocks would be run by tests/test_doc_examples.py without jikimi_client: the Python
    # quotes are ```text, each under its region marker; every ```ts block is a quoted region
    quotable = [body for lang, body in FENCE.findall(text) if lang in ("ts", "typescript", "python")]
    assert len(quotable) == len(re.findall(r"^<!-- region: typescript ", text, re.M))
    assert len(QUOTE.findall(text)) == text.count("<!-- region: ")


def test_the_other_languages_check_signatures_in_constant_time_over_the_raw_body() -> None:
    blocks: dict[str, str] = {}
    for lang, body in FENCE.findall(DOC.read_text(encoding="utf-8")):
        blocks[lang] = blocks.get(lang, "") + body
    java, js, php = blocks["java"], blocks["js"], blocks["php"]
    assert 'Mac.getInstance("HmacSHA256")' in java and "MessageDigest.isEqual(" in java
    assert "@RequestBody byte[] body" in java and '"Idempotency-Key"' in java
    assert "crypto.timingSafeEqual(" in js and "express.raw(" in js and '"Idempotency-Key"' in js
    assert "hash_hmac('sha256'" in php and "hash_equals(" in php and "php://input" in php
    assert "'Idempotency-Key: '" in php
    for source in (java, js, php):
        assert "> 300" in source or "TOLERANCE_SECONDS" in source, "the replay window"
        assert "/v1/subjects" in source, "the sign-up call"
