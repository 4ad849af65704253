"""Cutting the units of a policy text into its sections, and naming each section's topic.

Korean policies number their sections in one of a few styles: ``■ 제목``, ``제1조(제목)``, ``1. 제목`` (often
after a table of contents in the same style), or markup headings. The style with the most headings whose
title names a topic of a policy wins; a numbered heading must also continue the count (so that ``1. 성명``
in a list inside section 2 is not a section). A table of contents leaves sections without a body, which
are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jikimi.policy.importing._units import Unit

TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("auto", re.compile(r"자동\s*수집|쿠키|cookie|광고\s*식별자|ADID|IDFA|기기\s*식별", re.I)),
    ("children", re.compile(r"14\s*세|아동|어린이")),
    ("dormancy", re.compile(r"휴면|장기\s*미이용")),
    ("rights", re.compile(r"권리|열람|동의\s*철회|회원\s*탈퇴")),
    ("overseas", re.compile(r"국외\s*이전|해외\s*이전|국외로\s*이전")),
    ("processors", re.compile(r"위탁")),
    ("third_parties", re.compile(r"제\s*3\s*자|공유|외부\s*제공|개인정보\s*제공|^개인정보의?\s*제공")),
    ("purposes", re.compile(r"목적")),
    ("items", re.compile(r"항목|수집\s*방법|수집하는\s*개인\s*정보|수집\s*정보|개인\s*정보\s*파일")),
    ("retention", re.compile(r"보유|보존|이용\s*기간")),
    ("destruction", re.compile(r"파기|폐기")),
    ("security", re.compile(r"안전성|기술적|관리적|보호\s*대책|보호를\s*위한")),
    ("officers", re.compile(r"책임자|담당자|담당\s*부서|문의처|민원|고충")),
    ("complaints", re.compile(r"의견\s*수렴|불만|고충|문의처|민원")),
    ("redress", re.compile(r"구제|침해")),
    ("notice", re.compile(r"고지|처리방침의?\s*변경|방침의?\s*변경|부칙")),
)


_BODY_START = re.compile(
    r"\s(?:회사|당사|원칙적으로|회원|이용자|귀하|고객|사이트|본\s|주식회사|개인정보는|개인정보가|현\s|[\"'“‘(])"
)


def heading_title(text: str) -> str:
    """The title of a heading unit; a heading pasted in one line with its body ends where the body starts."""
    cut = _BODY_START.search(text, 4)
    return (text[: cut.start()] if cut else text)[:40].strip()


def topics_of(title: str) -> frozenset[str]:
    head = heading_title(title)
    found = {name for name, pattern in TOPICS if pattern.search(head)}
    if "auto" in found:
        found -= {"items", "purposes"}
    if "rights" in found:
        found -= {"third_parties", "purposes", "items"}
    if "processors" in found:
        found -= {"third_parties", "items"}
    if "third_parties" in found:
        found -= {"purposes"}
    if "purposes" in found:
        found -= {"retention"} if re.search(r"항목", head) else {"items", "retention"}
    if not found & {"purposes", "items", "auto", "rights", "third_parties", "processors"} and re.search(
        r"수집\s*(?:및|·|ㆍ)\s*이용", head
    ):
        found |= {"items", "purposes"}  # "개인정보의 수집 및 이용": what is collected, and why
    return frozenset(found)


@dataclass
class Section:
    title: str
    head: Unit | None
    topics: frozenset[str]
    units: list[Unit] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(u.text for u in self.units)


_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("square", re.compile(r"^[■□◆●▣◈◎]\s*(?P<title>.+)$")),
    ("bracket", re.compile(r"^[【\[〈<《]\s*(?P<title>[^】\]〉>》]{2,40}?)\s*[】\]〉>》]")),
    ("roman", re.compile(r"^(?P<roman>[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ]|[IVX]{1,4})\.\s*(?P<title>\S.*)$")),
    ("article", re.compile(r"^제\s?(?P<n>\d{1,2})\s?조\s*(?:\((?P<paren>[^)]*)\))?\s*(?P<title>.*)$")),
    ("number", re.compile(r"^(?P<n>\d{1,2})\.\s*(?P<title>\S.*)$")),
)


_ROMAN = {c: i for i, c in enumerate("ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ", start=1)}


def _roman(numeral: str | None) -> int | None:
    if not numeral:
        return None
    if numeral in _ROMAN:
        return _ROMAN[numeral]
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for ch, nxt in zip(numeral, [*numeral[1:], ""], strict=True):
        value = values[ch]
        total += -value if nxt and values[nxt] > value else value
    return total


def _style_match(unit: Unit) -> tuple[str, int | None, str] | None:
    if unit.heading:
        return (f"h{unit.heading}", None, re.sub(r"^\d{1,2}\.\s*", "", unit.text))
    if unit.cells:
        return None
    for style, pattern in _STYLES:
        match = pattern.match(unit.text)
        if match:
            groups = match.groupdict()
            number = int(groups["n"]) if groups.get("n") else _roman(groups.get("roman"))
            title = groups.get("paren") or groups["title"]
            return (style, number, title.strip())
    return None


def _headings(units: list[Unit], style: str) -> list[int]:
    """Indexes of the units that are section headings in ``style``: first every heading whose title names
    a topic and continues the count (a count starting again at 1 after a table of contents), then the
    unnamed ones that fill a gap in the count exactly (``10. 링크사이트`` between 9 and 12)."""
    candidates: list[tuple[int, int | None, bool]] = []
    for index, unit in enumerate(units):
        match = _style_match(unit)
        if match is not None and match[0] == style:
            candidates.append((index, match[1], bool(topics_of(match[2]))))
    if all(number is None for _, number, _ in candidates):
        return [i for i, _, named in candidates if named or style.startswith("h") or style == "square"]
    named_chain: list[tuple[int, int]] = []
    last = 0
    for index, number, named in candidates:
        if number is None or not named:
            continue
        if number == 1 or last < number <= last + 3:
            named_chain.append((index, number))
            last = number
    found = [index for index, _ in named_chain]
    for (start, low), (end, high) in zip(named_chain, named_chain[1:], strict=False):
        wanted = low + 1
        for index, number, _ in candidates:
            if start < index < end and number == wanted and wanted < high:
                found.append(index)
                wanted += 1
    if named_chain and named_chain[0][1] == 2:  # an unnamed first section ("1. 총칙")
        for index, number, _ in candidates:
            if number == 1 and index < named_chain[0][0]:
                found.append(index)
                break
    return sorted(found)


def split_sections(units: list[Unit]) -> list[Section]:
    """The sections of the text; what comes before the first heading is the preamble (``topics`` empty)."""
    styles = {m[0] for u in units if (m := _style_match(u))}
    best: list[int] = []
    best_named = 0
    for style in sorted(styles):
        heads = _headings(units, style)
        named = sum(1 for i in heads if topics_of((_style_match(units[i]) or ("", None, ""))[2]))
        if style.startswith("h"):
            named += 1  # markup headings are what the author meant as headings
        if named > best_named:
            best, best_named = heads, named
    if best_named < 2:
        best = []
    sections = [Section("", None, frozenset(), [])]
    for index, unit in enumerate(units):
        if index in best:
            title = heading_title((_style_match(unit) or ("", None, unit.text))[2])
            sections.append(Section(title, unit, topics_of(title), [unit]))
        else:
            sections[-1].units.append(unit)
    return [s for s in sections if s.head is None or len(s.units) > 1 or len(s.units[0].text) > 40]
