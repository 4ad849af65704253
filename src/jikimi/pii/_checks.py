"""Validity checks for Korean identifiers: dates, gender digits, check digits, prefixes.

Each function takes digits only (or the exact token) and answers one question, so the
detector can say in a finding's ``why`` which checks passed. python-stdnum provides the
registration-number and Luhn check digits and the business-number part checks (the National Tax
Service check digit, which python-stdnum does not verify, is computed here); phonenumbers'
Korean metadata provides the telephone numbering plan. Cheap structural checks run first, so the
library calls only see candidates that already look right.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from functools import cache
from operator import mul

import phonenumbers
from stdnum import luhn
from stdnum.kr import brn as stdnum_brn
from stdnum.kr import rrn as stdnum_rrn

# Gender/century digit → century, for citizens (RRN) and foreign residents (FRN).
_RRN_CENTURY = {"1": 1900, "2": 1900, "3": 2000, "4": 2000}
_FRN_CENTURY = {"5": 1900, "6": 1900, "7": 2000, "8": 2000}

# Driver's licence region codes: 11 서울 … 26 울산, 28 경기북부 (27 was never issued).
LICENSE_REGIONS: frozenset[str] = frozenset(f"{n}" for n in (*range(11, 27), 28))
LICENSE_REGION_NAMES: dict[str, str] = {
    "서울": "11", "부산": "12", "경기": "13", "강원": "14", "충북": "15", "충남": "16",
    "전북": "17", "전남": "18", "경북": "19", "경남": "20", "제주": "21", "대구": "22",
    "인천": "23", "광주": "24", "대전": "25", "울산": "26", "경기북부": "28",
}  # fmt: skip

# The Hangul syllables the vehicle registration rules assign to civilian plates:
# private cars, rentals (하 허 호), commercial vehicles and delivery (바 사 아 자 배).
PLATE_SYLLABLES: frozenset[str] = frozenset(
    "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주하허호바사아자배"
)


def registration_date_ok(digits: str, *, foreign: bool) -> bool:
    """The first seven digits of an RRN/FRN form a real birth date and gender digit."""
    century = (_FRN_CENTURY if foreign else _RRN_CENTURY).get(digits[6])
    if century is None:
        return False
    try:
        date(century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    return True


def registration_checksum_ok(digits: str, *, foreign: bool) -> bool:
    """The 13th digit is the pre-October-2020 check digit (FRNs add 2 before the modulo)."""
    check = int(stdnum_rrn.calc_check_digit(digits[:12]))
    if foreign:
        check = (check + 2) % 10
    return ord(digits[12]) - 48 == check


_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_ok(digits: str) -> bool:
    """A business registration number (ten digits): the part checks of python-stdnum's
    ``stdnum.kr.brn`` and the National Tax Service check digit, which python-stdnum does not verify."""
    if digits[:3] < "101" or digits[3:5] == "00" or digits[5:9] == "0000" or not stdnum_brn.is_valid(digits):
        return False
    total: int = sum(map(mul, map(int, digits[:9]), _BRN_WEIGHTS)) + int(digits[8]) * 5 // 10
    return (10 - total % 10) % 10 == int(digits[9])


def luhn_ok(digits: str) -> bool:
    """The Luhn check (python-stdnum's ``stdnum.luhn``)."""
    return bool(luhn.is_valid(digits))


_CARD_PREFIX = re.compile(
    r"4\d{12}(?:\d{3}){0,2}"  # Visa 13, 16, 19
    r"|(?:5[1-5]\d\d|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)\d{12}"  # Mastercard incl. 2-series
    r"|3[47]\d{13}"  # American Express
    r"|(?:352[89]|35[3-8]\d)\d{12,15}"  # JCB
    r"|(?:30[0-5]\d|3[689]\d\d)\d{10,12}"  # Diners
    r"|62\d{14,17}"  # UnionPay
    r"|(?:6011|64[4-9]\d|65\d\d)\d{12,15}"  # Discover
    r"|9\d{15}"  # Korean domestic cards (BC, local-only)
)


def card_prefix_ok(digits: str) -> bool:
    """The issuer prefix and length belong to a card network used in Korea."""
    return _CARD_PREFIX.fullmatch(digits) is not None


def ipv4_ok(parts: list[str]) -> bool:
    return len(parts) == 4 and all(
        len(p) <= 3 and int(p) <= 255 and (p == "0" or not p.startswith("0")) for p in parts
    )


def ipv4_kind(parts: list[str]) -> str:
    """``loopback``, ``private``, ``link-local``, ``public`` or ``reserved`` for a valid IPv4 address
    (its four octets), so that a masking rule can treat internal addresses apart."""
    a, b = int(parts[0]), int(parts[1])
    if a == 127:
        return "loopback"
    if a == 10 or (a == 172 and 16 <= b <= 31) or (a == 192 and b == 168) or (a == 100 and 64 <= b <= 127):
        return "private"  # RFC 1918 and the carrier-grade NAT range 100.64.0.0/10
    if a == 169 and b == 254:
        return "link-local"
    c = int(parts[2])
    if (
        a == 0
        or a >= 224  # multicast, reserved, broadcast
        or (a == 192 and b == 0 and c in (0, 2))  # IETF protocol assignments, TEST-NET-1
        or (a == 198 and (b in (18, 19) or (b == 51 and c == 100)))  # benchmarking, TEST-NET-2
        or (a == 203 and b == 0 and c == 113)  # TEST-NET-3
    ):
        return "reserved"
    return "public"


def ipv6_kind(token: str) -> str | None:
    """The kind of an IPv6 address (as :func:`ipv4_kind`), or ``None`` if ``token`` is not one."""
    try:
        address = ipaddress.IPv6Address(token)
    except ValueError:
        return None
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address in _IPV6_ULA:
        return "private"
    if address.ipv4_mapped is not None:
        return ipv4_kind(str(address.ipv4_mapped).split("."))
    return _ip_kind(address)


_IPV6_ULA = ipaddress.IPv6Network("fc00::/7")


def _ip_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """``public`` for a globally routable address; else ``reserved`` (unspecified, multicast,
    documentation, benchmarking and other special-purpose ranges)."""
    return "public" if address.is_global and not address.is_multicast else "reserved"


@cache
def _phone_plan() -> re.Pattern[str]:
    """The Korean numbering plan from phonenumbers' metadata, one named group per kind."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("KR")
    assert meta is not None
    kinds = ("mobile", "fixed_line", "voip", "personal_number", "uan", "toll_free")
    parts = []
    for kind in kinds:
        desc = getattr(meta, kind)
        if desc is not None and desc.national_number_pattern:
            parts.append(f"(?P<{kind}>{desc.national_number_pattern})")
    return re.compile("|".join(parts))


def phone_kind(national: str) -> str | None:
    """The kind of Korean number (``mobile``, ``fixed_line``, ``uan``…) or ``None``.

    ``national`` is the national significant number: without the trunk ``0`` or ``+82``.
    Short special numbers (5–6 digits) are not personal data and are refused.
    """
    if len(national) < 8:
        return None
    m = _phone_plan().fullmatch(national)
    return m.lastgroup if m is not None else None
