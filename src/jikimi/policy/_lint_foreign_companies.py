"""Well-known foreign companies (``data/foreign_companies.yaml``) and how a name is matched against them.

The overseas rules of ``_lint_rules_transfers`` ask: is this processor or recipient one of the groups
below, or a Korean company of one? A name matches a company when one of its aliases is a whole word
of the name, compared without case or width (NFKC): ``Amazon Web Services, Inc.``, ``아마존``,
``페이팔(Paypal)``. Korean names are written without spaces as often as with them, so an alias may
be followed by a legal form or ``코리아`` and preceded by ``한국`` in the same word (``구글코리아``,
``한국마이크로소프트유한회사``), but by no other Hangul: ``파인애플`` is not Apple, ``아마존카`` not Amazon.
Latin aliases need Latin word boundaries: ``Pineapple`` and ``Applepie`` are not Apple.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

_PREFIXES = ("한국", "주식회사", "유한회사", "유한책임회사")
_SUFFIXES = (
    "코리아",
    "재팬",
    "그룹",
    "홀딩스",
    "테크놀로지",
    "테크놀로지스",
    "유한회사",
    "유한책임회사",
    "주식회사",
    "엘엘씨",
    "인크",
    "코퍼레이션",
    "리미티드",
)
_SEPARATOR = r"[\s\-.·,]*"
_KOREA = re.compile(r"코리아|한국|대한민국|(?<![a-z])korea(?![a-z])")


@dataclass(frozen=True)
class ForeignCompany:
    """A foreign group, the country of its headquarters and the names a policy may call it by."""

    id: str
    name: str
    name_ko: str
    country: str
    country_ko: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ForeignMatch:
    """A name found to be a foreign group's; ``korean_subsidiary`` when it names the group's Korean arm."""

    company: ForeignCompany
    korean_subsidiary: bool


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _alias_pattern(alias: str) -> str:
    words = _normalise(alias).split()
    body = _SEPARATOR.join(re.escape(word) for word in words)
    if re.match(r"[가-힣]", words[0]):
        before = r"(?<![가-힣])(?:" + "|".join(_PREFIXES) + ")*"
    else:
        before = r"(?<![0-9a-z])"
    if re.search(r"[가-힣]$", words[-1]):
        after = "(?:" + "|".join(_SUFFIXES) + r")*(?![가-힣])"
    else:
        after = r"(?![0-9a-z])"
    return before + body + after


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[ForeignCompany, re.Pattern[str]], ...]:
    file = resources.files("jikimi.policy").joinpath("data").joinpath("foreign_companies.yaml")
    text = file.read_text(encoding="utf-8")
    data: Any = YAML(typ="safe").load(text)
    out = []
    for key, entry in data["companies"].items():
        company = ForeignCompany(
            id=str(key),
            name=str(entry["name"]),
            name_ko=str(entry["name_ko"]),
            country=str(entry["country"]),
            country_ko=str(entry["country_ko"]),
            aliases=tuple(str(a) for a in entry["aliases"]),
        )
        out.append((company, re.compile("|".join(_alias_pattern(a) for a in company.aliases))))
    return tuple(out)


def foreign_companies() -> dict[str, ForeignCompany]:
    """Every company of the data file, by id (``amazon``, ``google``…)."""
    return {company.id: company for company, _ in _load()}


def foreign_company(name: str) -> ForeignMatch | None:
    """The foreign group ``name`` belongs to, if it is a known one (the earliest named in ``name``)."""
    text = _normalise(name)
    found: list[tuple[int, ForeignCompany]] = []
    for company, pattern in _load():
        match = pattern.search(text)
        if match is not None:
            found.append((match.start(), company))
    if not found:
        return None
    _, company = min(found, key=lambda f: f[0])
    return ForeignMatch(company, korean_subsidiary=_KOREA.search(text) is not None)
