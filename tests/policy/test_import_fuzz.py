"""Whatever text it is given, the importer answers with a draft that loads, or with PolicyImportError.

Seed texts and rendered policies are cut, shuffled, glued into one line and sprinkled with markers,
colons, tabs, dates and periods; random text of Hangul, markers and digits is fed as well. No other
exception may escape, and every draft written must load (``load_policy_text``).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jikimi.errors import PolicyImportError
from jikimi.policy.importing import import_bytes, import_text
from jikimi.policy.load import load_policy_text
from jikimi.policy.render import render_markdown
from tests.conftest import EXAMPLES
from tests.policies import cached_policy
from tests.policy.test_import_seeds import SEED_OF, SEED_TEXTS

_NOISE = [
    "\n", " ", "\t", ":", " : ", "1. ", "가. ", "① ", "■ ", "- ", "o ", "(1) ", "제3조(보유기간) ",
    "5년", "3개월", "oo년간", "2024년 3월 7일", "2017. 10. 24.", "보존 기간 : ", "책임자 ", "성명 : ",
    "전화 : 02-123-4567", "e-mail : a@b.kr", "(이하 \"회사\")", "「통신비밀보호법」", "|", "<td>", "##",
]  # fmt: skip


def _sources() -> list[str]:
    texts = [render_markdown(cached_policy(EXAMPLES / "reference.yaml"))]
    if SEED_TEXTS.is_dir():
        texts += [(SEED_TEXTS / name).read_text(encoding="utf-8") for name in SEED_OF.values()]
    return texts


SOURCES = _sources()


@st.composite
def mangled(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    lines = text.split("\n")
    start = draw(st.integers(0, max(0, len(lines) - 1)))
    lines = lines[start : start + draw(st.integers(1, 80))]
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    glue = draw(st.sampled_from(["\n", " ", ""]))
    out = glue.join(lines)
    for _ in range(draw(st.integers(0, 12))):
        at = draw(st.integers(0, len(out)))
        out = out[:at] + draw(st.sampled_from(_NOISE)) + out[at:]
    return out


_ALPHABET = st.sampled_from(
    list("가나다라보존기간책임자전화이메일위탁수탁제공항목 ,.:-()[]■①\t\n0123456789년월일oO@")
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_a_mangled_policy_text_imports_to_a_draft_that_loads(text: str) -> None:
    try:
        result = import_text(text, filename="mangled.txt")
    except PolicyImportError:
        return
    assert result.report.loads, result.report.load_problems
    load_policy_text(result.draft)


@settings(max_examples=60, deadline=None)
@given(st.text(_ALPHABET, max_size=600))
def test_random_text_is_either_refused_or_imported_to_a_draft_that_loads(text: str) -> None:
    try:
        result = import_bytes(text.encode("utf-8"), filename="random.txt")
    except PolicyImportError:
        return
    assert result.report.loads, result.report.load_problems
