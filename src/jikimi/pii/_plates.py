"""Car registration plates: ``12가3456``, ``123가 4567``, ``서울12가3456``.

The Hangul syllable must be one the vehicle registration rules give civilian cars
(:data:`jikimi.pii._checks.PLATE_SYLLABLES`), and the four digits must not be followed by a
unit (``10주 1000명``, ``25도 1234원`` are not plates). A plate written without spaces scores
0.85, with a space 0.6; a vehicle keyword just before adds 0.15.
"""

from __future__ import annotations

import re

from jikimi.pii._checks import PLATE_SYLLABLES
from jikimi.pii._model import Candidate, PiiType

_PLATE = re.compile(
    r"[0-9]{2,3}( ?)([가-힣])( ?)[0-9]{4}"
    r"(?![0-9A-Za-z]|[ ]?(?:원|명|개|년|건|회|호|층|일|월|시|분|초|%|km|kg))"
)
_REGION_BEFORE = re.compile(
    r"(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주) ?$"
)
_CUE = re.compile(r"차량|차번|번호판|주차|차주|자동차|차는|렌터카|택시|입차|출차|차 ")


def match_plate(text: str, start: int) -> Candidate | None:
    """The plate starting at ``start`` (a digit run of two or three), or ``None``."""
    m = _PLATE.match(text, start)
    if m is None or m.group(2) not in PLATE_SYLLABLES:
        return None
    region = _REGION_BEFORE.search(text, max(0, start - 3), start)
    lo = region.start() if region else start
    why = ["format", "plate-syllable"]
    confidence = 0.6 if (m.group(1) or m.group(3)) else 0.85
    if _CUE.search(text, max(0, lo - 16), lo):
        confidence += 0.15
        why.append("keyword")
    return Candidate(PiiType.CAR_PLATE, lo, m.end(), confidence, tuple(why))
