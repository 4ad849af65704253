"""What the extractors find: values with the place and the words they came from, and the notes on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from jikimi.policy.importing._units import Unit

MAX_WORDS = 90
MAX_KEPT = 240


@dataclass(frozen=True)
class Src:
    """Where a value was read: 1-based line and column, and the original words."""

    line: int
    col: int
    words: str

    @classmethod
    def of(cls, unit: Unit, words: str | None = None) -> Src:
        """The unit's place; with ``words`` found in it, the place of those words."""
        at = unit.text.find(words) if words else -1
        col = unit.col + at if at > 0 else unit.col
        return cls(unit.line, col, " ".join((words or unit.text).split())[:MAX_KEPT])

    @classmethod
    def near(cls, unit: Unit, needle: str) -> Src:
        """The sentence of ``unit`` that holds ``needle``, with its place."""
        text = unit.text
        at = text.find(needle)
        if at < 0 or len(text) <= MAX_WORDS:
            return cls.of(unit)
        start = max(text.rfind(". ", 0, at), text.rfind("다 ", 0, at))
        start = 0 if start < 0 else start + 2
        end = text.find(". ", at)
        end = len(text) if end < 0 else end + 1
        return cls.of(unit, text[start:end].strip())

    def cite(self) -> str:
        where = f"{self.line}행" if self.col <= 1 else f"{self.line}행 {self.col}열"
        words = self.words if len(self.words) <= MAX_WORDS else self.words[: MAX_WORDS - 1] + "…"
        return f'원문 {where}: "{words}"'


@dataclass(frozen=True)
class Val:
    """One imported value. ``review`` names an ambiguity; ``missing`` marks a placeholder for what the
    text does not say."""

    value: Any
    src: Src | None = None
    review: str | None = None
    missing: str | None = None


Kind = Literal["recognised", "placeholder", "review"]


@dataclass(frozen=True)
class Note:
    kind: Kind
    where: str
    message: str
    src: Src | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "where": self.where, "message": self.message}
        if self.src is not None:
            out["source"] = {"line": self.src.line, "column": self.src.col, "words": self.src.words}
        return out


@dataclass
class Found:
    """Everything found in one text, section by section: ``data`` mirrors the policy file with ``Val``
    leaves; ``notes`` are the report's placeholders and review notes."""

    data: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def review(self, where: str, message: str, src: Src | None = None) -> None:
        self.notes.append(Note("review", where, message, src))

    def missing(self, where: str, message: str) -> None:
        self.notes.append(Note("placeholder", where, message))
