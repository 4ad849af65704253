"""Helpers for the PII tests: valid identifiers built with python-stdnum's check digits."""

from __future__ import annotations

from stdnum import luhn
from stdnum.kr import rrn as stdnum_rrn

from jikimi.pii import PiiType, scan


def registration_number(front: str, back6: str, *, foreign: bool = False) -> str:
    """``front`` (YYMMDD) + ``back6`` (gender digit + five) + the pre-2020 check digit."""
    check = int(stdnum_rrn.calc_check_digit(front + back6))
    if foreign:
        check = (check + 2) % 10
    return f"{front}-{back6}{check}"


def card_number(body: str) -> str:
    """``body`` completed with its Luhn check digit."""
    return body + luhn.calc_check_digit(body)


def found(text: str, **kwargs: object) -> list[tuple[PiiType, str]]:
    """(type, value) of every finding, for readable assertions."""
    return [(f.type, f.value(text)) for f in scan(text, **kwargs)]  # type: ignore[arg-type]


def types_in(text: str) -> set[PiiType]:
    return {f.type for f in scan(text)}
