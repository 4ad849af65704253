"""The plain blocks a built 처리방침 is made of: paragraphs, bullet lists, headings, tables and sections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Para:
    text: str
    kind: ClassVar[str] = "p"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    kind: ClassVar[str] = "ul"


@dataclass(frozen=True)
class Heading:
    text: str
    kind: ClassVar[str] = "h3"


@dataclass(frozen=True)
class Table:
    """A table whose first cell in each row is the row's header; ``links`` point rows at sections."""

    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    links: tuple[str, ...] = ()
    kind: ClassVar[str] = "table"


Block = Para | Bullets | Heading | Table


@dataclass(frozen=True)
class Section:
    id: str
    number: int
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    intro: tuple[str, ...]
    label: Table
    sections: tuple[Section, ...]
    effective: str
