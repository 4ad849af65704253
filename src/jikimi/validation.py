"""Checks that a value fits its item's declared format (pure; no framework).

Phone numbers use ``phonenumbers`` (Korean numbering plan); business registration numbers and
card numbers use ``python-stdnum``'s checksums. Resident and foreigner registration numbers are
checked for date and gender digit only: numbers issued since October 2020 have random back digits,
so their checksum cannot be required. Values are normalised for storage and for blind indexes
(``010-1234-5678`` and ``01012345678`` are the same mobile number).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date

import phonenumbers
from stdnum import luhn
from stdnum.kr import brn

from jikimi.errors import InvalidInput
from jikimi.policy.model import Item

MAX_VALUE_CHARS = 4000

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_LOGIN_ID = re.compile(r"^[A-Za-z0-9._@-]{3,64}$")
_DIGITS = re.compile(r"\D")


def known_items(items: Iterable[str], known: Collection[str]) -> list[str]:
    """``items`` without repeats, in order; ``InvalidInput`` on ``items`` if none is given or one
    is not in ``known`` (the policy's item ids, or items and records)."""
    wanted = list(dict.fromkeys(items))
    unknown = [i for i in wanted if i not in known]
    if unknown or not wanted:
        raise InvalidInput(
            "items",
            f"알 수 없는 항목: {unknown}" if unknown else "항목이 없습니다",
            f"unknown items {unknown}" if unknown else "no items given",
        )
    return wanted


@dataclass(frozen=True)
class Problem:
    reason_ko: str
    reason_en: str


def normalise(item: Item, value: str) -> str | Problem:
    """The value in canonical form, or the reason it does not fit the item's format."""
    if not isinstance(value, str):
        return Problem("문자열이어야 합니다", "must be a string")
    value = value.strip()
    if not value:
        return Problem("값이 비어 있습니다", "is empty")
    if len(value) > MAX_VALUE_CHARS:
        return Problem(f"{MAX_VALUE_CHARS}자를 넘습니다", f"is longer than {MAX_VALUE_CHARS} characters")
    checker = _CHECKS.get(item.format)
    return checker(value) if checker else value


def _phone(value: str) -> str | Problem:
    try:
        number = phonenumbers.parse(value, "KR")
    except phonenumbers.NumberParseException:
        return Problem("전화번호 형식이 아닙니다", "is not a phone number")
    if not phonenumbers.is_valid_number(number):
        return Problem("유효한 전화번호가 아닙니다", "is not a valid phone number")
    if number.country_code != 82:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _email(value: str) -> str | Problem:
    if len(value) > 254 or not _EMAIL.match(value):
        return Problem("이메일 형식이 아닙니다", "is not an email address")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _date(value: str) -> str | Problem:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return Problem("YYYY-MM-DD 날짜가 아닙니다", "is not a YYYY-MM-DD date")
    if not date(1900, 1, 1) <= parsed <= date(2100, 12, 31):
        return Problem("범위를 벗어난 날짜입니다", "is out of range")
    return parsed.isoformat()


def registration_birthdate(value: str) -> date | None:
    """Birth date encoded in a resident/foreigner registration number (YYMMDD + gender digit)."""
    digits = _DIGITS.sub("", value)
    if len(digits) != 13:
        return None
    century = {
        "1": 1900,
        "2": 1900,
        "5": 1900,
        "6": 1900,
        "3": 2000,
        "4": 2000,
        "7": 2000,
        "8": 2000,
        "9": 1800,
        "0": 1800,
    }[digits[6]]
    try:
        return date(century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return None


def _registration(foreigner: bool) -> Callable[[str], str | Problem]:
    allowed = "5678" if foreigner else "1234"

    def check(value: str) -> str | Problem:
        digits = _DIGITS.sub("", value)
        if len(digits) != 13 or digits[6] not in allowed or registration_birthdate(digits) is None:
            return Problem(
                "등록번호 형식(생년월일·성별 자리)이 맞지 않습니다",
                "is not a registration number (date or gender digit)",
            )
        return f"{digits[:6]}-{digits[6:]}"

    return check


def _brn_check_digit_ok(digits: str) -> bool:
    """The national tax service's check digit (stdnum.kr.brn checks only length and ranges)."""
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(int(d) * w for d, w in zip(digits[:9], weights, strict=True)) + int(digits[8]) * 5 // 10
    return (10 - total % 10) % 10 == int(digits[9])


def _business_no(value: str) -> str | Problem:
    if not brn.is_valid(value) or not _brn_check_digit_ok(brn.compact(value)):
        return Problem(
            "사업자등록번호 검증번호가 맞지 않습니다", "is not a valid business registration number"
        )
    return brn.format(value)


def _card(value: str) -> str | Problem:
    digits = _DIGITS.sub("", value)
    if not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
        return Problem("카드번호가 아닙니다 (Luhn)", "is not a card number (Luhn check)")
    return digits


def _login_id(value: str) -> str | Problem:
    if not _LOGIN_ID.match(value):
        return Problem("영문·숫자·._@- 3~64자여야 합니다", "must be 3-64 letters, digits or ._@-")
    return value.lower()


def _password(value: str) -> str | Problem:
    if len(value) < 8:
        return Problem("8자 이상이어야 합니다", "must be at least 8 characters")
    return value


def _boolean(value: str) -> str | Problem:
    lowered = value.lower()
    if lowered in ("true", "yes", "y", "1", "동의"):
        return "true"
    if lowered in ("false", "no", "n", "0", "거부"):
        return "false"
    return Problem("true 또는 false여야 합니다", "must be true or false")


_CHECKS: dict[str, Callable[[str], str | Problem]] = {
    "phone_kr": _phone,
    "email": _email,
    "date": _date,
    "rrn": _registration(False),
    "frn": _registration(True),
    "business_no": _business_no,
    "card": _card,
    "login_id": _login_id,
    "password": _password,
    "boolean": _boolean,
}
