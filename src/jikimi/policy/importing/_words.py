"""Reading values out of Korean policy wording: periods, dates, contacts, key–value pairs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from jikimi.periods import Duration

_UNITS = {"년": "Y", "개월": "M", "달": "M", "주": "W", "일": "D"}
PERIOD = re.compile(r"(?<!\d)(?P<n>\d{1,3})\s*(?P<u>년|개월|달|주일?|일)(?!\s*(?:전|이전|\d))")
_PERIOD_RUN = re.compile(r"(?:\d{1,3}\s*(?:년|개월|달|주|일)\s*){1,3}")
PLACEHOLDER_PERIOD = re.compile(r"(?<![가-힣\w])(?P<ph>(?:oo|OO|00|○○|xx|XX|ㅇㅇ)\s*(?:년|개월|일)간?)")
_DATE = re.compile(r"(?P<y>\d{4})\s*(?:년|[.\-/])\s*(?P<m>\d{1,2})\s*(?:월|[.\-/])\s*(?P<d>\d{1,2})\s*일?")
PLACEHOLDER_DATE = re.compile(r"(?P<ph>[0O]{4}\s*년\s*[0O]{1,2}\s*월\s*[0O]{1,2}\s*일)")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+|\[email[^\]]*protected\]", re.I)
PHONE = re.compile(
    r"(?<![\d-])(?:\(?0\d{1,2}\)?[-\s.]?)?\d{3,4}-\d{4}(?:~\d)?(?![\d-])|(?<![\d-])1\d{2,3}(?![\d-])"
)
URL = re.compile(r"(?:https?://)?(?:[\w\-]+\.)+(?:kr|com|net|org|go\.kr|or\.kr)(?:/[\w\-./?=&%#]*)?", re.I)


def period(text: str) -> Duration | None:
    """The first period written in ``text`` (``5년``, ``3개월``, ``1년 6개월``, ``30일``)."""
    run = None
    for match in PERIOD.finditer(text):
        run = _PERIOD_RUN.match(text, match.start())
        break
    if run is None:
        return None
    parts = re.findall(r"(\d{1,3})\s*(년|개월|달|주|일)", run.group(0))
    iso = "P" + "".join(f"{n}{_UNITS[u]}" for n, u in parts)
    try:
        return Duration.parse(iso)
    except ValueError:
        return None


def period_span(text: str) -> tuple[int, int] | None:
    match = PERIOD.search(text)
    return (match.start(), match.end()) if match else None


def placeholder_period(text: str) -> str | None:
    match = PLACEHOLDER_PERIOD.search(text)
    return match.group("ph") if match else None


def dates(text: str) -> list[date]:
    found: list[date] = []
    for match in _DATE.finditer(text):
        try:
            found.append(date(int(match["y"]), int(match["m"]), int(match["d"])))
        except ValueError:
            continue
    return found


def placeholder_date(text: str) -> str | None:
    match = PLACEHOLDER_DATE.search(text)
    return match.group("ph") if match else None


def emails(text: str) -> list[str]:
    return [m.group(0) for m in EMAIL.finditer(text)]


def phones(text: str) -> list[str]:
    return [m.group(0).strip() for m in PHONE.finditer(text)]


def urls(text: str) -> list[str]:
    return [
        m.group(0).rstrip(".,)")
        for m in URL.finditer(text)
        if "@" not in text[max(0, m.start() - 1) : m.start()]
    ]


_COLON = re.compile(r"\s*[:：]\s*")


@dataclass(frozen=True)
class Field:
    key: str
    value: str
    start: int
    """Where the key starts in the unit's text."""


def fields(text: str, keys: re.Pattern[str]) -> tuple[str, list[Field]]:
    """``성명 : 이재철 소속 : 영상공장`` as fields; ``keys`` matches the known keys. Returns the text
    before the first key and the fields in order. A key needs a colon after it, except at the start."""
    spans: list[tuple[int, int, str]] = []
    for match in keys.finditer(text):
        colon = _COLON.match(text, match.end())
        at_start = match.start() < 8 and not text[: match.start()].strip(" -*o·•▶")
        if colon or at_start:
            end = colon.end() if colon else match.end()
            spans.append((match.start(), end, re.sub(r"\s+", "", match.group(0))))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    out: list[Field] = []
    for index, (start, end, key) in enumerate(kept):
        stop = kept[index + 1][0] if index + 1 < len(kept) else len(text)
        out.append(Field(key, clean(text[end:stop]), start))
    head = text[: kept[0][0]] if kept else text
    return head.strip(), out


def clean(value: str) -> str:
    """A value without the punctuation around it in the source (``( E-mail``, ``☎``, a trailing ``-``)."""
    value = value.strip()
    if re.match(r"^\((?:주|사|재|유)\)", value):
        return "(" + clean(value[1:]) if value[1:].strip() else value
    value = re.sub(r"^[\s:：☎()\-·•*]+|[\s☎(\-·•*,/|]+$", "", value)
    if value.endswith(")") and value.count("(") < value.count(")"):
        value = value[:-1].rstrip()
    return value.strip()


def split_list(text: str) -> list[str]:
    """``이름 , 생년월일, 성별 등`` as ``["이름", "생년월일", "성별"]`` (commas outside parentheses)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch in ",，" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    out = []
    for part in parts:
        part = re.sub(r"\s*(?:등|등의 정보|등을)\s*$", "", part.strip()).strip()
        if part:
            out.append(part)
    return out


def normal(text: str) -> str:
    """Text for comparison: no spaces or middle dots and slashes."""
    return re.sub(r"[\s·•ㆍ/‧・\-]", "", text)


_LIST_MARK = re.compile(r"^(?:[\-*•▶■□○]\s*|o\s+|\d{1,2}[.)]\s*|\(\d{1,2}\)\s*|[가-하]\.\s+|[①-⑳]\s*)")


def unmark(text: str) -> str:
    """``o 이용자는 …``, ``1. 쿠키 …`` without the list marker."""
    return _LIST_MARK.sub("", text.strip(), count=1).strip()


def sentence(text: str, needle: str) -> str:
    """The sentence of ``text`` that holds ``needle`` (sentences end with ``다.``)."""
    at = text.find(needle)
    if at < 0:
        return text.strip()
    start = text.rfind("다.", 0, at)
    start = 0 if start < 0 else start + 2
    end = text.find("다.", at)
    end = len(text) if end < 0 else end + 2
    return text[start:end].strip()
