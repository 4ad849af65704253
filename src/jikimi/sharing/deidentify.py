"""가명처리 for statistics (PIPA 28-2): which items leave, in what form, and k-anonymity (pure).

Each item chosen for an export gets one treatment, decided from its declared class and format:

* **removed** — direct identifiers: names, contact details, login ids, credentials, CI and other
  identity values, unique identifiers (주민등록번호, 여권·운전면허·외국인등록번호), card and account
  numbers, IP addresses, device ids, cookies, free-text logs, images, business numbers, URLs, and
  the guardian's details. They never reach an export, whatever the caller asks.
* **age band** — a birth date (a ``date`` item named or labelled as one) becomes a 10-year age
  band at the export date in Korean time (``30-39``; ``90+``).
* **region** — an address becomes its 시/도 (``서울``, ``경기``…; ``기타`` when not recognised).
* **year** — any other date becomes its year.
* **kept** — every other item is a categorical value used as it is (gender, an interest…). Choose
  coarse items: a fine-grained one makes many small groups, which are then suppressed.

Every exported item is treated as a quasi-identifier: rows are grouped by all of them and a group
smaller than ``k`` is suppressed (counted, never shown). That guarantees k-anonymity on the chosen
items only. It does **not** give l-diversity or t-closeness (everyone in a group may share the
same value), nor differential privacy (two exports that differ by one person can reveal that
person), and linking with outside data on attributes not exported here remains possible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from jikimi.policy.model import UNIQUE_ID_FORMATS, Item

Treatment = Literal["removed", "age_band", "region", "year", "kept"]
MISSING = "(없음)"
UNKNOWN = "알 수 없음"
DEFAULT_K = 5

_DIRECT_CLASSES = frozenset({"identity", "credential", "unique_id", "contact", "guardian", "financial"})
_DIRECT_FORMATS = (
    frozenset(
        {
            "phone_kr",
            "email",
            "business_no",
            "card",
            "account",
            "ip",
            "url",
            "password",
            "login_id",
            "ci",
            "image",
            "device_id",
            "cookie",
            "log",
        }
    )
    | UNIQUE_ID_FORMATS
)
_NAME_WORDS = ("이름", "성명", "성함", "예금주", "닉네임", "별명")

_REGIONS: dict[str, tuple[str, ...]] = {
    "서울": ("서울특별시", "서울시", "서울"),
    "부산": ("부산광역시", "부산시", "부산"),
    "대구": ("대구광역시", "대구시", "대구"),
    "인천": ("인천광역시", "인천시", "인천"),
    "광주": ("광주광역시", "광주시", "광주"),
    "대전": ("대전광역시", "대전시", "대전"),
    "울산": ("울산광역시", "울산시", "울산"),
    "세종": ("세종특별자치시", "세종시", "세종"),
    "경기": ("경기도", "경기"),
    "강원": ("강원특별자치도", "강원도", "강원"),
    "충북": ("충청북도", "충북"),
    "충남": ("충청남도", "충남"),
    "전북": ("전북특별자치도", "전라북도", "전북"),
    "전남": ("전라남도", "전남"),
    "경북": ("경상북도", "경북"),
    "경남": ("경상남도", "경남"),
    "제주": ("제주특별자치도", "제주도", "제주"),
}
_REGION_OF = {alias: short for short, aliases in _REGIONS.items() for alias in aliases}


def is_birthdate(item: Item) -> bool:
    return item.format == "date" and ("birth" in item.id or "생년월일" in item.label)


def is_direct_identifier(item: Item) -> bool:
    """Whether the item names or reaches a person by itself (and so never leaves in an export)."""
    if item.format == "address":
        return False  # generalised to 시/도 instead (its class is usually "contact")
    if item.class_ in _DIRECT_CLASSES or item.format in _DIRECT_FORMATS or item.is_unique_id:
        return True
    words = item.id.split("_")
    return "name" in words or "nickname" in words or any(w in item.label for w in _NAME_WORDS)


def treatment(item: Item) -> Treatment:
    if is_birthdate(item):
        return "age_band"
    if item.format == "address":
        return "region"
    if is_direct_identifier(item):
        return "removed"
    if item.format == "date":
        return "year"
    return "kept"


def age_band(birthdate: str, at: date) -> str:
    try:
        born = date.fromisoformat(birthdate)
    except ValueError:
        return UNKNOWN
    age = at.year - born.year - ((at.month, at.day) < (born.month, born.day))
    if age < 0:
        return UNKNOWN
    if age >= 90:
        return "90+"
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def region(address: str) -> str:
    """The 시/도 of a Korean address (its first word), in short form; ``기타`` when not recognised."""
    first = address.strip().split(maxsplit=1)[0] if address.strip() else ""
    if first in _REGION_OF:
        return _REGION_OF[first]
    for alias, short in sorted(_REGION_OF.items(), key=lambda pair: -len(pair[0])):
        if first.startswith(alias):
            return short
    return "기타"


def generalise(kind: Treatment, value: str | None, at: date) -> str:
    """The exported form of one value (``removed`` items never get here)."""
    if value is None or not value.strip():
        return MISSING
    if kind == "age_band":
        return age_band(value, at)
    if kind == "region":
        return region(value)
    if kind == "year":
        return value[:4] if value[:4].isdigit() else UNKNOWN
    if kind == "kept":
        return value.strip()
    raise ValueError(f"the treatment {kind!r} exports nothing")


@dataclass(frozen=True)
class Groups:
    """Rows grouped by their quasi-identifiers, with groups smaller than ``k`` taken out."""

    kept: dict[tuple[str, ...], int]
    suppressed_groups: int
    suppressed_rows: int


def k_anonymous(rows: Iterable[Sequence[str]], k: int) -> Groups:
    """Count rows per combination of values and suppress every group of fewer than ``k`` rows."""
    if k < 2:
        raise ValueError("k must be at least 2")
    counts = Counter(tuple(row) for row in rows)
    kept = {group: n for group, n in counts.items() if n >= k}
    small = [n for n in counts.values() if n < k]
    return Groups(kept, len(small), sum(small))
