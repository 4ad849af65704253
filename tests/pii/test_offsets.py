"""Offsets map back to the original text through normalisation (property tests)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jikimi.pii import Operator, PiiType, mask, reveal, scan
from jikimi.pii._normalize import normalize

WIDE = str.maketrans("0123456789-", "０１２３４５６７８９－")
NOISE = st.text(
    alphabet=st.sampled_from(
        list("가나다라 안녕하세요 고객 문의 ·…!?,\u200b\u3000０１ａＡ㈜①") + ["ᄀ", "ᅡ", "ᆨ"]
    ),
    max_size=40,
)
PARTICLES = st.sampled_from(["", "로", "입니다", "으로", "에서", " 감사합니다", ".", ")", "\n"])


@st.composite
def phone_in_style(draw: st.DrawFn) -> str:
    middle = draw(st.sampled_from(["2", "3", "7", "9"])) + draw(st.text("0123456789", min_size=3, max_size=3))
    groups = ["010", middle, draw(st.text("0123456789", min_size=4, max_size=4))]
    sep = draw(st.sampled_from(["-", " ", "–", "－", "-\u200b"]))
    value = sep.join(groups)
    return value.translate(WIDE) if draw(st.booleans()) else value


@given(NOISE, phone_in_style(), PARTICLES)
@settings(max_examples=300, deadline=None)
def test_a_phone_number_is_found_at_its_exact_original_offsets(before: str, value: str, after: str) -> None:
    text = f"{before} 연락처 {value}{after}"
    start = len(before) + 5
    phones = [f for f in scan(text) if f.type is PiiType.PHONE]
    assert [(f.start, f.end) for f in phones] == [(start, start + len(value))]


@given(st.text(max_size=60))
@settings(max_examples=400, deadline=None)
def test_every_normalised_character_points_into_the_original(text: str) -> None:
    norm = normalize(text)
    if norm.starts is None:
        assert norm.text == text
        return
    assert norm.ends is not None and len(norm.starts) == len(norm.ends) == len(norm.text)
    assert all(0 <= s < e <= len(text) for s, e in zip(norm.starts, norm.ends, strict=True))
    assert norm.starts == sorted(norm.starts)


@given(NOISE, phone_in_style(), PARTICLES, NOISE)
@settings(max_examples=150, deadline=None)
def test_masking_changes_nothing_outside_the_findings(before: str, value: str, after: str, tail: str) -> None:
    text = f"{before} 연락처 {value}{after} {tail}"
    findings = scan(text)
    masked = mask(text, operator=Operator.LABEL, findings=findings)
    rebuilt, done = [], 0
    for f in findings:
        rebuilt += [text[done : f.start], f"<{f.type.label_ko}>"]
        done = f.end
    assert masked == "".join(rebuilt) + text[done:]


@given(NOISE, phone_in_style(), PARTICLES)
@settings(max_examples=100, deadline=None)
def test_encryption_round_trips(before: str, value: str, after: str) -> None:
    key = b"0123456789abcdef0123456789abcdef"
    text = f"{before} 연락처 {value}{after} hong@example.com"
    assert reveal(mask(text, operator="encrypt", key=key), key) == text
