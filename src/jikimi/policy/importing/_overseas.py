"""Overseas transfers (PIPA 28-8): the five disclosures, from a table with a row per recipient or a
two-column table with a row per disclosure, attached to the processor or recipient of that name."""

from __future__ import annotations

import re
from typing import Any

from jikimi.policy.importing._found import Found, Src, Val
from jikimi.policy.importing._sections import Section
from jikimi.policy.importing._sharing import Ids, column
from jikimi.policy.importing._units import Unit
from jikimi.policy.importing._words import normal


def overseas(sections: list[Section], found: Found, ids: Ids) -> None:
    """An overseas-transfer table (이전받는 자 | 이전되는 국가 | 이전 일시 및 방법 | 항목 | 목적·기간 |
    연락처): each row's disclosures (PIPA 28-8) go to the processor or recipient of that name, else to
    a new recipient with a review note."""
    units = [u for s in sections for u in s.units]
    _vertical_overseas(units, found)
    header: tuple[str, ...] | None = None
    for unit in units:
        if not unit.cells:
            continue
        if header is None:
            if (
                len(unit.cells) >= 3
                and column(unit.cells, "이전받는", "이전되는국가", "이전국가") is not None
            ):
                header = unit.cells
            continue
        cells = unit.cells + ("",) * len(header)

        def get(*words: str, cells: tuple[str, ...] = cells, header: tuple[str, ...] = header) -> str:
            at = column(header, *words)
            return cells[at].replace("\n", " ").strip() if at is not None else ""

        src = Src.of(unit)
        name = get("이전받는", "업체명")
        country = get("국가")
        disclosures: dict[str, Any] = {}
        for key, words in (
            ("country", ("국가",)),
            ("when_and_how", ("일시", "방법")),
            ("purpose_and_retention", ("목적", "보유")),
        ):
            value = get(*words)
            if value and value != "-":
                disclosures[key] = Val(value, src)
        contact = get("연락처")
        disclosures["recipient_contact"] = Val(f"{name} ({contact})" if contact else name, src)
        listed = get("항목")
        note = (
            Val(f"이전 항목(원문): {listed}", src, review="이전 항목을 항목 id로 옮기십시오")
            if listed
            else None
        )
        target = _named(found, name)
        if target is None:
            data = found.data.setdefault("third_parties", {"announced": Val(True, src)})
            target = {
                "id": Val(ids.make(name, "recipient")),
                "name": Val(name, src),
                "purpose": Val(get("목적"), src),
            }
            data.setdefault("recipients", []).append(target)
            found.review(
                f"overseas '{name}'", "국외로 이전받는 자가 수탁자인지 제3자인지 원문이 밝히지 않습니다", src
            )
        if country:
            target["country"] = Val(country, src)
        target["overseas"] = disclosures
        if note is not None and "note" not in target:
            target["note"] = note


_VERTICAL = (
    ("purpose_and_retention", re.compile(r"이용\s*목적")),
    ("how_to_refuse", re.compile(r"거부")),
    ("country", re.compile(r"이전되는\s*국가|이전\s*국가")),
    ("items", re.compile(r"항목")),
    ("recipient_contact", re.compile(r"이전받는\s*자")),
)


def _vertical_overseas(units: list[Unit], found: Found) -> None:
    """The disclosures as a two-column table (``구분 | 내용``), one row per disclosure, as jikimi's own
    documents and many policies print them."""
    rows: dict[str, tuple[str, Unit]] = {}
    for unit in units:
        if len(unit.cells) != 2:
            continue
        key = next((k for k, pattern in _VERTICAL if pattern.search(unit.cells[0])), None)
        if key is not None and key not in rows:
            rows[key] = (unit.cells[1], unit)
        if len(rows) == len(_VERTICAL):
            break
    if "recipient_contact" not in rows or "country" not in rows:
        return
    who, who_unit = rows["recipient_contact"]
    name = who.split("\n")[0].strip()
    target = _named(found, name)
    if target is None:
        found.review(
            f"overseas '{name}'", "국외로 이전받는 자가 수탁자·제3자 목록에 없습니다", Src.of(who_unit)
        )
        return
    where, where_unit = rows["country"]
    country, _, how = where.partition("\n")
    disclosures: dict[str, Any] = {"country": Val(country.strip(), Src.of(where_unit))}
    if how.strip():
        disclosures["when_and_how"] = Val(how.strip(), Src.of(where_unit))
    disclosures["recipient_contact"] = Val(who.split("\n")[-1].strip(), Src.of(who_unit))
    if "purpose_and_retention" in rows:
        value, unit = rows["purpose_and_retention"]
        disclosures["purpose_and_retention"] = Val(value.replace("\n", " "), Src.of(unit))
    if "how_to_refuse" in rows:
        value, unit = rows["how_to_refuse"]
        refuse, _, effect = value.partition("\n")
        disclosures["how_to_refuse"] = Val(refuse.strip(), Src.of(unit))
        if effect.strip():
            disclosures["refusal_consequence"] = Val(effect.strip(), Src.of(unit))
    target["country"] = Val(country.strip(), Src.of(where_unit))
    target["overseas"] = disclosures


def _named(found: Found, name: str) -> dict[str, Any] | None:
    for section, key in (("processors", "processors"), ("third_parties", "recipients")):
        for entry in found.data.get(section, {}).get(key, []):
            if normal(entry["name"].value).lower() == normal(name).lower():
                return entry  # type: ignore[no-any-return]
    return None
