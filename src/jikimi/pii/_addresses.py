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
from collections.abc import Iterator
from functools import cache

from jikimi.pii._data import word_list
from jikimi.pii._model import Candidate, PiiType

_SGG = r"[가-힣]{1,5}(?:시|군|구)"
_TAIL = (
    r"(?:"
    r"[가-힣][가-힣0-9]{0,12}(?:로|길) ?\d{1,5}(?:-\d{1,5})?(?: ?번길 ?\d{1,5}(?:-\d{1,5})?)?"
    r"|[가-힣][가-힣0-9]{0,6}(?:동|리|가) (?:산 ?)?\d{1,5}(?:-\d{1,5})?(?:번지)?"
    r")(?![0-9])"
    r"(?:,? ?(?:[가-힣A-Za-z]{1,10} )?\d{1,4}동)?(?:,? ?\d{1,5}호)?(?: ?\([가-힣0-9, ]{1,24}\))?"
)


@cache
def _pattern() -> re.Pattern[str]:
    sido = "|".join(sorted(word_list("sido"), key=len, reverse=True))
    head = rf"(?<![가-힣])(?:(?P<sido>{sido}) (?:{_SGG} ){{0,2}}|(?:{_SGG} ){{1,2}})"
    return re.compile(rf"{head}(?:[가-힣]{{1,5}}(?:읍|면) )?{_TAIL}")


# Every address ends in a road or lot number: look for that first, in C, before the full pattern.
_ANCHOR = re.compile(r"[로길] ?[0-9]|[동리가] (?:산 ?)?[0-9]")


def find_addresses(text: str) -> Iterator[Candidate]:
    """Address findings in ``text`` (normalised)."""
    if _ANCHOR.search(text) is None:
        return
    for m in _pattern().finditer(text):
        if m.group("sido"):
            yield Candidate(PiiType.ADDRESS, m.start(), m.end(), 0.9, ("sido", "structure"))
        else:
            yield Candidate(PiiType.ADDRESS, m.start(), m.end(), 0.75, ("structure",))
