"""Context keywords: words near a number that say what it is, or what it is not.

A keyword counts when it appears within ``BEFORE`` characters before a candidate or
``AFTER`` characters after it (in the normalised text). Positive keywords raise confidence
and are required for ambiguous shapes (bare digit runs, account and health-insurance
numbers); negative keywords (order, tracking, approval numbers…) lower it.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache

BEFORE = 24
AFTER = 12

_BANKS = (
    "국민|KB|신한|우리|하나|농협|NH|기업|IBK|SC제일|제일|씨티|카카오뱅크|카뱅|케이뱅크|토스뱅크|토스"
    "|새마을|신협|우체국|수협|산업|KDB|부산|경남|대구|광주|전북|제주|iM뱅크|우리은행|저축은행"
)


class Cue(Enum):
    """A family of context keywords."""

    RRN = "주민|등록번호|생년월일|resident|rrn"
    FRN = "외국인|등록번호|체류|frn|alien|residence"
    PASSPORT = "여권|passport"
    LICENSE = "면허|license|licence"
    BRN = "사업자|등록번호|business|brn"
    PHONE = "전화|연락|휴대|핸드폰|폰|tel|phone|mobile|call|콜|문의|팩스|fax"
    CARD = "카드|card|신용|체크|할부"
    ACCOUNT = f"계좌|입금|송금|이체|예금주|무통장|은행|bank|뱅크|{_BANKS}"
    HEALTH = "건강보험|보험증|건보|의료보험|요양기관"
    NEGATIVE = (
        "주문|송장|운송|택배|배송|추적|트래킹|tracking|order|invoice|승인|예약|접수|티켓|쿠폰|일련"
        "|시리얼|serial|모델|model|상품|제품|sku|거래번호|영수증|회원번호|사번|학번|버전|version"
        "|ver|빌드|build|요청|req|문서번호|사건|바코드|barcode|품번|코드|code|isbn|인증번호|otp"
    )


@cache
def _compiled(cue: Cue) -> re.Pattern[str]:
    # Keywords are plain literals matched against lower-cased text: no IGNORECASE, so the
    # regex engine can skip every alternative whose first character does not match.
    return re.compile(cue.value.lower())


def near(text: str, start: int, end: int, cue: Cue, *, before: int = BEFORE, after: int = AFTER) -> bool:
    """True if a keyword of ``cue`` is within the window around ``text[start:end]``."""
    pattern = _compiled(cue)
    if pattern.search(text[max(0, start - before) : start].lower()) is not None:
        return True
    return after > 0 and pattern.search(text[end : end + after].lower()) is not None


def preceded(text: str, start: int, cue: Cue, *, before: int = BEFORE) -> bool:
    """True if a keyword of ``cue`` is within ``before`` characters before ``start``."""
    return _compiled(cue).search(text[max(0, start - before) : start].lower()) is not None
