"""The importer: a policy text in, a draft policy file and a report out (pure: no files, no framework)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from jikimi.errors import PolicyLoadError
from jikimi.policy.importing import _collection, _dates, _keeping, _overseas, _people, _safeguards, _sharing
from jikimi.policy.importing._decode import decode
from jikimi.policy.importing._draft import dump, link_retention
from jikimi.policy.importing._found import Found, Note, Src, Val
from jikimi.policy.importing._sections import Section, split_sections
from jikimi.policy.importing._units import Format, Unit, sniff, units_of
from jikimi.policy.lint import lint
from jikimi.policy.load import load_policy_text_source

FormatChoice = Literal["auto", "text", "html", "md"]


@dataclass(frozen=True)
class SectionSeen:
    title: str
    topics: tuple[str, ...]
    line: int
    col: int
    recognised: tuple[str, ...] = ()
    """The policy keys read from this section (``retention``, ``officers``…)."""


@dataclass(frozen=True)
class ImportReport:
    """What was recognised, left as a placeholder or needs review, and the lint findings of the draft."""

    file: str
    encoding: str
    format: Format
    lines: int
    one_line: bool
    sections: tuple[SectionSeen, ...]
    notes: tuple[Note, ...]
    loads: bool
    load_problems: tuple[str, ...] = ()
    lint: tuple[dict[str, Any], ...] = ()

    def of_kind(self, kind: str) -> list[Note]:
        return [n for n in self.notes if n.kind == kind]

    def summary(self) -> str:
        """The report for a terminal: counts, the sections, then every placeholder and review note."""
        counts = {k: len(self.of_kind(k)) for k in ("recognised", "placeholder", "review")}
        lines = [
            f"{self.file}: {self.encoding}, {self.format}, {self.lines}행 (lines), "
            f"절 {len(self.sections)}개 (sections)",
            f"  인식 {counts['recognised']} · 자리표시자 {counts['placeholder']} · "
            f"확인 필요 {counts['review']} (recognised · placeholders · to review)",
        ]
        for s in self.sections:
            got = ", ".join(s.recognised) or "-"
            lines.append(f"  {s.line}행 {s.title[:40]} [{', '.join(s.topics) or '-'}] → {got}")
        if self.of_kind("placeholder"):
            lines.append("자리표시자 (left as placeholders: the text does not say):")
            lines += [f"  - {n.where}: {n.message}" for n in self.of_kind("placeholder")]
        if self.of_kind("review"):
            lines.append("확인 필요 (review: the text is ambiguous):")
            lines += [
                f"  - {n.where}: {n.message}" + (f" ({n.src.line}행)" if n.src else "")
                for n in self.of_kind("review")
            ]
        if not self.loads:
            lines.append("초안을 불러올 수 없습니다 (the draft does not load):")
            lines += [f"  {p}" for p in self.load_problems]
        else:
            sev = {s: sum(1 for f in self.lint if f["severity"] == s) for s in ("error", "warning", "info")}
            lines.append(
                f"초안 검사 (lint of the draft): 오류 {sev['error']}, 경고 {sev['warning']}, "
                f"참고 {sev['info']} — jikimi policy lint로 자세히 (details)"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        counts = {k: len(self.of_kind(k)) for k in ("recognised", "placeholder", "review")}
        severities = {
            s: sum(1 for f in self.lint if f["severity"] == s) for s in ("error", "warning", "info")
        }
        return {
            "file": self.file,
            "encoding": self.encoding,
            "format": self.format,
            "lines": self.lines,
            "one_line": self.one_line,
            "summary": {**counts, "lint": severities, "loads": self.loads},
            "sections": [
                {
                    "title": s.title,
                    "topics": list(s.topics),
                    "line": s.line,
                    "column": s.col,
                    "recognised": list(s.recognised),
                }
                for s in self.sections
            ],
            "recognised": [n.to_dict() for n in self.of_kind("recognised")],
            "placeholders": [n.to_dict() for n in self.of_kind("placeholder")],
            "review": [n.to_dict() for n in self.of_kind("review")],
            "load_problems": list(self.load_problems),
            "lint": list(self.lint),
        }


@dataclass(frozen=True)
class ImportResult:
    draft: str
    """The draft policy file (YAML with source comments)."""
    report: ImportReport


@dataclass
class _Parts:
    units: list[Unit]
    sections: list[Section] = field(default_factory=list)

    def of(self, *topics: str) -> list[Section]:
        return [s for s in self.sections if s.topics & set(topics)]

    def units_of(self, *topics: str) -> list[Unit]:
        return [u for s in self.of(*topics) for u in s.units]


def import_bytes(raw: bytes, *, filename: str, fmt: FormatChoice = "auto") -> ImportResult:
    """Import the policy text in ``raw``. Raises ``PolicyImportError`` when it cannot be read as text."""
    decoded = decode(raw, file=filename)
    return import_text(decoded.text, filename=filename, fmt=fmt, encoding=decoded.encoding)


def import_text(
    text: str, *, filename: str, fmt: FormatChoice = "auto", encoding: str = "utf-8"
) -> ImportResult:
    chosen: Format = sniff(text, filename) if fmt == "auto" else fmt
    parts = _Parts(units_of(text, chosen))
    parts.sections = split_sections(parts.units)
    found = Found()
    _extract(parts, found, filename)
    lines = text.count("\n") + 1
    one_line = max((len(line) for line in text.split("\n")), default=0) > 2000
    header = [
        f"jikimi policy import: '{filename}'에서 가져온 처리방침 초안 (a draft imported from the text)",
        f"인코딩 {encoding}, 형식 {chosen}. 값 옆의 '원문 N행' 주석이 그 값을 읽은 곳과 원래 문장입니다.",
        "'review:'는 원문이 모호해 확인해야 할 곳, '미기재:'는 원문에 없어 비워 둔 곳입니다 (지어내지 않음).",
        "Every value cites its source line; 'review:' marks an ambiguity, '미기재:' a blank left.",
        "다음 단계 (next): jikimi policy lint 이 파일",
    ]
    draft, value_notes = dump(found, header)
    notes = tuple(value_notes + found.notes)
    seen = _seen(parts.sections, notes)
    try:
        source = load_policy_text_source(draft, filename="draft.yaml")
    except PolicyLoadError as exc:
        problems = tuple(str(p) for p in exc.problems)
        report = ImportReport(filename, encoding, chosen, lines, one_line, seen, notes, False, problems)
        return ImportResult(draft, report)
    findings = tuple(f.to_dict() for f in lint(source.policy, file="draft.yaml", line_of=source.line))
    report = ImportReport(filename, encoding, chosen, lines, one_line, seen, notes, True, (), findings)
    return ImportResult(draft, report)


def _seen(sections: list[Section], notes: tuple[Note, ...]) -> tuple[SectionSeen, ...]:
    """Each section with the policy keys whose values were read inside it."""
    heads = [(s.head.line, s.head.col, s) for s in sections if s.head is not None]
    keys: dict[int, list[str]] = {}
    for note in notes:
        if note.kind == "placeholder" or note.src is None:
            continue
        at = (note.src.line, note.src.col)
        index = max((i for i, (line, col, _) in enumerate(heads) if (line, col) <= at), default=None)
        if index is not None:
            key = re.split(r"[.\[]", note.where)[0]
            if key not in keys.setdefault(index, []):
                keys[index].append(key)
    return tuple(
        SectionSeen(s.title, tuple(sorted(s.topics)), line, col, tuple(keys.get(i, ())))
        for i, (line, col, s) in enumerate(heads)
    )


def _repeats(rule: dict[str, Any], item_rules: list[dict[str, Any]]) -> bool:
    """Whether a rule read from a sentence says again what a table row said (``수강생 명단 2년``)."""
    label = re.sub(r"\s+", "", str(rule["label"].value))
    period = rule.get("period")
    return any(
        period is not None
        and other["period"].value == period.value
        and label in re.sub(r"\s+", "", str(other["label"].value))
        for other in item_rules
    )


_TITLE = re.compile(
    r"(?:개인정보\s*(?:처리|취급)\s*방침|개인정보\s*보호\s*(?:대책|정책|방침)|Privacy\s*Policy)", re.I
)


def _extract(parts: _Parts, found: Found, filename: str) -> None:
    units = parts.units
    found.data["format"] = Val(1)
    title = next((u for u in units[:5] if _TITLE.search(u.text) and len(u.text) <= 30), None)
    if title is not None:
        found.data["title"] = Val(re.sub(r"^#+\s*", "", title.text), Src.of(title))
    found.data["source"] = Val(filename)
    preamble = next(
        (
            u
            for u in (parts.sections[0].units if parts.sections else [])[:8]
            if len(u.text) > 60 and "(이하" in u.text
        ),
        None,
    )
    if preamble is not None:
        found.data["preamble"] = Val(preamble.text, Src.of(preamble))
    _people.controller(units, found)
    _people.officers(parts.units_of("officers", "complaints") or units, found)
    _dates.effective(units, found)
    items = _collection.Items()
    _collection.collection(parts.of("items"), found, items)
    _collection.purposes(parts.of("purposes"), found)
    ids = _sharing.Ids()
    rules = _keeping.retention(parts.of("retention"), found)
    if not rules and not parts.of("retention"):
        rules = _keeping.retention([Section("", None, frozenset(), units)], found)
    item_rules = found.data.pop("_item_rules", [])
    link_retention(found, [r for r in rules if not _repeats(r, item_rules)] + item_rules, items)
    if items.entries:
        found.data["items"] = items.entries
    _keeping.dormancy(units, found)
    destroying = parts.of("destruction") or [
        Section(
            "", None, frozenset(), [u for u in units if re.search(r"파기합니다|파기하며|파기됩니다", u.text)]
        )
    ]
    _keeping.destruction([s for s in destroying if s.units], found)
    _sharing.children(units, found)
    _sharing.third_parties(parts.of("third_parties"), found, ids)
    _sharing.processors(parts.of("processors"), found, ids)
    _overseas.overseas(parts.of("overseas", "processors", "third_parties"), found, ids)
    _sharing.auto_collection(parts.of("auto"), units, found)
    _safeguards.security(parts.of("security"), found)
    _people.rights(parts.of("rights"), found)
    _people.complaints(parts.of("complaints", "officers"), found)
    _people.redress(parts.units_of("redress", "officers", "complaints") or units, found)
    _keeping.notice(parts.of("notice"), units, found)
    other = [s for s in parts.sections if s.head is not None and not s.topics and len(s.units) > 1]
    if other:
        found.data["sections"] = [
            {"title": Val(s.title, Src.of(s.units[0])), "body": Val("\n".join(u.text for u in s.units[1:]))}
            for s in other
        ]
