"""Context keywords: words near a number that say what it is, or what it is not.

A keyword counts when it starts within ``BEFORE`` characters before a candidate or
``AFTER`` characters after it (in the normalised text). Positive keywords raise confidence
and are required for ambiguous shapes (bare digit runs, account and health-insurance
numbers); negative keywords (order, tracking, approval numbers…) lower it.
"""

from __future__ import annotations

import re
from bisect import bisect_left

BEFORE = 24
AFTER = 12

# Bank names that are not also place names or common words: 부산, 대구, 광주, 제주, 경남, 전북,
# 산업 and 제일 alone are not banks (`주소: 광주`), but 부산은행, 광주은행… hold 은행, itself a keyword.
_BANKS = (
    "국민|KB|신한|우리|하나|농협|NH|기업|IBK|SC제일|씨티|카카오뱅크|카뱅|케이뱅크|토스뱅크|토스"
    "|새마을|신협|우체국|수협|KDB"
)


class Cue:
    """Families of context keywords; each attribute is a family's name in :data:`KEYWORDS`."""

    RRN = "rrn"
    FRN = "frn"
    PASSPORT = "passport"
    LICENSE = "license"
    BRN = "brn"
    PHONE = "phone"
    CARD = "card"
    ACCOUNT = "account"
    HEALTH = "health"
    CORPORATE = "corporate"
    NEGATIVE = "negative"


# Lower-case literals only: the text is lower-cased before matching, and without IGNORECASE
# the regex engine skips every alternative whose first character does not match.
KEYWORDS: dict[str, str] = {
    # "등록번호" alone, not the end of 법인등록번호, 사업자등록번호 or 외국인등록번호 (the literal
    # first, then the look-behinds, so the engine tests them only where the word stands)
    Cue.RRN: "주민|등록번호(?<![가-힣]등록번호)(?<![가-힣] 등록번호)|생년월일|resident|rrn",
    Cue.FRN: "외국인|체류|frn|alien|residence",
    Cue.PASSPORT: "여권|passport",
    Cue.LICENSE: "면허|license|licence",
    Cue.BRN: "사업자|등록번호|business|brn",
    Cue.PHONE: "전화|연락|휴대|핸드폰|폰|tel|phone|mobile|call|콜|문의|팩스|fax",
    Cue.CARD: "카드|card|신용|체크|할부",
    Cue.ACCOUNT: f"계좌|입금|송금|이체|예금주|무통장|은행|bank|뱅크|{_BANKS.lower()}",
    Cue.HEALTH: "건강보험|보험증|건보|의료보험|요양기관",
    # 법인등록번호, 법인번호, 등기번호: a corporation's number, shaped like a registration number
    Cue.CORPORATE: "법인|등기|corporat",
    Cue.NEGATIVE: (
        "주문|송장|운송|택배|배송|추적|트래킹|tracking|order|invoice|승인|예약|접수|티켓|쿠폰|일련"
        "|시리얼|serial|모델|model|상품|제품|sku|거래번호|영수증|회원번호|사번|학번|버전|version"
        "|ver|빌드|build|요청|req|문서번호|사건|바코드|barcode|품번|코드|code|isbn|인증번호|otp"
    ),
}


# One small alternation per cue: a regex with every keyword of every cue is several times
# slower per character, because the engine tries each alternative at each position.
_PATTERNS: dict[str, re.Pattern[str]] = {cue: re.compile(words) for cue, words in KEYWORDS.items()}
_START = re.Match.start
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class Cues:
    """Where the keywords of each cue stand in one text; each cue is searched once, on first use."""

    __slots__ = ("_text", "_lower", "_starts")

    def __init__(self, text: str) -> None:
        self._text = text
        self._lower: str | None = None
        self._starts: dict[str, list[int]] = {}

    def lowered(self) -> str:
        """The text in lower case (ASCII only if full lower-casing would change its length)."""
        lower = self._lower
        if lower is None:
            lower = self._text.lower()
            if len(lower) != len(self._text):  # a few letters lower-case to two characters
                lower = self._text.translate(_ASCII_LOWER)
            self._lower = lower
        return lower

    def _find(self, cue: str) -> list[int]:
        lower = self._lower
        if lower is None:
            lower = self.lowered()
        starts = self._starts[cue] = list(map(_START, _PATTERNS[cue].finditer(lower)))
        return starts

    def near(self, cue: str, start: int, end: int) -> bool:
        """True if a keyword of ``cue`` starts within ``BEFORE`` characters before ``start``
        or within ``AFTER`` characters after ``end``."""
        starts = self._starts.get(cue)
        if starts is None:
            starts = self._find(cue)
        if not starts:
            return False
        i = bisect_left(starts, start - BEFORE)
        if i == len(starts):
            return False
        if starts[i] < start:
            return True
        j = bisect_left(starts, end, i)
        return j < len(starts) and starts[j] < end + AFTER

    def last_before(self, cue: str, start: int, before: int = BEFORE) -> int:
        """Where the last keyword of ``cue`` starting within ``before`` characters before ``start``
        starts, or -1."""
        starts = self._starts.get(cue)
        if starts is None:
            starts = self._find(cue)
        i = bisect_left(starts, start)
        if i and starts[i - 1] >= start - before:
            return starts[i - 1]
        return -1

    def preceded(self, cue: str, start: int, before: int = BEFORE) -> bool:
        """True if a keyword of ``cue`` starts within ``before`` characters before ``start``."""
        starts = self._starts.get(cue)
        if starts is None:
            starts = self._find(cue)
        if not starts:
            return False
        i = bisect_left(starts, start - before)
        return i < len(starts) and starts[i] < start
