"""Korean postal addresses: road-name (도로명) and lot-number (지번) forms.

An address is found by its structure, not by a gazetteer:

    [시/도] 시·군·구 {1,2} [읍·면] ( 도로명(…로|…길) 건물번호[-부번] [번길 N] | 동·리·가 [산] 번지[-부번] )
    [, 동 호] [(참고항목)]

The 시/도 is optional (``강남구 테헤란로 123`` is an address), but without it at least one
시/군/구 is required; with it, 세종 style addresses with no 시/군/구 are allowed. Confidence is
higher when the 시/도 is present. Free-form descriptions ("시청 앞 건물") are not found.
"""

from __future__ import annotations

import re
from functools import cache

from jikimi.pii._data import word_list
from jikimi.pii._model import Candidate, PiiType

_SGG = r"[가-힣]{1,5}(?:시|군|구)"
_SGG_REST = r"[가-힣]{0,4}(?:시|군|구)"  # a 시·군·구 after its first syllable
_TAIL = (
    r"(?:"
    r"[가-힣][가-힣0-9]{0,12}(?:로|길) ?\d{1,5}(?:-\d{1,5})?(?: ?번길 ?\d{1,5}(?:-\d{1,5})?)?"
    r"|[가-힣][가-힣0-9]{0,6}(?:동|리|가) (?:산 ?)?\d{1,5}(?:-\d{1,5})?(?:번지)?"
    r")(?![0-9])"
    r"(?:,? ?(?:[가-힣A-Za-z]{1,10} )?\d{1,4}동)?(?:,? ?\d{1,5}호)?(?: ?\([가-힣0-9, ]{1,24}\))?"
)


# How far before its road or lot word (로, 길, 동, 리, 가) an address can start: the longest
# 시/도 and a space, two 시·군·구 of up to six characters and a space each, an 읍·면 likewise,
# and the first 13 characters of a road name.
_SGG_WIDTH = 7
_ROAD_PREFIX = 13


@cache
def _pattern() -> tuple[re.Pattern[str], int]:
    """The address pattern and how far before its anchor (see ``_ANCHOR``) a match can start."""
    names = word_list("sido")
    # The pattern starts with a character class, so the regex engine skips ahead in C: the first
    # syllable is read there (not after another), and each alternative goes on after it (a 시/도
    # name after a look-behind for its first syllable, or the rest of a 시·군·구).
    sido = "|".join(f"(?<={re.escape(n[0])}){re.escape(n[1:])}" for n in sorted(names, key=len, reverse=True))
    head = rf"[가-힣](?<![가-힣].)(?:(?P<sido>{sido}) (?:{_SGG} ){{0,2}}|{_SGG_REST} (?:{_SGG} )?)"
    reach = max(map(len, names)) + 1 + 3 * _SGG_WIDTH + _ROAD_PREFIX
    return re.compile(rf"{head}(?:[가-힣]{{1,5}}(?:읍|면) )?{_TAIL}"), reach


# Every address ends in a road or lot number, and this matches where that number starts (the
# road word, or 동·리·가, then the number): look for it first. It starts with a character class,
# so the regex engine skips to those five syllables in C.
_ANCHOR = re.compile(r"[로길동리가](?:(?<=[로길]) ?|(?<=[동리가]) (?:산 ?)?)\d")


def find_addresses(text: str) -> list[Candidate]:
    """Address findings in ``text`` (normalised)."""
    pattern, reach = _pattern()
    found = []
    # No address starts more than ``reach`` characters before its anchor, so the pattern is only
    # tried from there: the text between one address and the next anchor's reach is skipped. The
    # matches are those a scan of the whole text would give (each search starts past the last).
    pos = 0
    for anchor in _ANCHOR.finditer(text):
        if anchor.start() < pos:
            continue
        m = pattern.search(text, max(pos, anchor.start() - reach))
        if m is None:
            break
        pos = m.end()
        if m.group("sido"):
            found.append(Candidate(PiiType.ADDRESS, m.start(), m.end(), 0.9, ("sido", "structure")))
        else:
            found.append(Candidate(PiiType.ADDRESS, m.start(), m.end(), 0.75, ("structure",)))
    return found
