"""Overseas transfers (PIPA 28-8): the five disclosures, from a table with a row per recipient or a
two-column table with a row per disclosure, attached to the processor or recipient of that name."""

from __future__ import annotations

import re
from typing import Any

from jikimi.policy.importing._found import Found, Src, Val
from jikimi.policy.importing._sections import Section
from jikimi.policy.importing._sharing import Ids, column
from jikimi.policy.importing._units import Unit
from jikimi.policy.importing._words import normal, sentence


def overseas(sections: list[Section], found: Found, ids: Ids) -> None:
    """An overseas-transfer table (이전받는 자 | 이전되는 국가 | 이전 일시 및 방법 | 항목 | 목적·기간 |
    연락처): each row's disclosures (PIPA 28-8) go to the processor or recipient of that name, else to
    a new recipient with a review note."""
    units = [u for s in sections for u in s.units]
    _vertical_overseas(units, found)
    if not any(u.cells for u in units):
        _sentence_overseas([u for s in sections if "overseas" in s.topics for u in s.units], found, ids)
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


_COUNTRY = "|".join(
    (
        "미국",
        "일본",
        "중국",
        "싱가포르",
        "아일랜드",
        "독일",
        "영국",
        "프랑스",
        "네덜란드",
        "캐나다",
        "호주",
        "인도",
    )
    + ("베트남", "홍콩", "대만", "스웨덴", "핀란드")
)
_SENT_TO = re.compile(
    r"(?P<name>[A-Za-z][\w.,&\- ]{1,40}?|[가-힣A-Za-z()]{2,30}?)\s*\(\s*(?P<country>"
    + _COUNTRY
    + r")\s*\)\s*(?:에게|에|으로|로)"
)
_LABELLED = re.compile(
    r"(이전\s*(?:시기|일시|방법)|보유\s*기간|이용\s*목적)\s*[:：]\s*([^:：]+?)(?=,\s*[가-힣\s]{2,8}[:：]|\.|$)"
)


def _sentence_overseas(units: list[Unit], found: Found, ids: Ids) -> None:
    """``… Google LLC(미국)에 기기 토큰을 전송합니다. 이전 시기: 앱 실행 시, 이전 방법: 네트워크 전송`` — the
    recipient and country from ``NAME(COUNTRY)에``, the rest from the labelled phrases that follow."""
    text = " ".join(u.text for u in units)
    match = _SENT_TO.search(text)
    if match is None or not units:
        return
    name, country = match["name"].strip(), match["country"]
    unit = next((u for u in units if name in u.text), units[0])
    src = Src.near(unit, name)
    labelled = {re.sub(r"\s+", "", m.group(1)): m.group(2).strip(" ,.") for m in _LABELLED.finditer(text)}
    disclosures: dict[str, Any] = {"country": Val(country, src), "recipient_contact": Val(name, src)}
    when = ", ".join(v for k, v in labelled.items() if k.startswith("이전"))
    if when:
        disclosures["when_and_how"] = Val(when, src)
    keep = ", ".join(v for k, v in labelled.items() if not k.startswith("이전"))
    if keep:
        disclosures["purpose_and_retention"] = Val(keep, src)
    refuse = re.search(r"[^.]*(?:원하지\s*않|거부)[^.]*\.", text)
    if refuse:
        disclosures["how_to_refuse"] = Val(refuse.group(0).strip(), src)
    target = _named(found, name)
    if target is None:
        data = found.data.setdefault("third_parties", {"announced": Val(True, src)})
        target = {
            "id": Val(ids.make(name, "recipient")),
            "name": Val(name, src),
            "purpose": Val(sentence(unit.text, name), src),
        }
        data.setdefault("recipients", []).append(target)
        found.review(
            f"overseas '{name}'", "국외로 이전받는 자가 수탁자인지 제3자인지 원문이 밝히지 않습니다", src
        )
    target["country"] = Val(country, src)
    target["overseas"] = disclosures
