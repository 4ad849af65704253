"""A policy text as *units*: the smallest pieces a reader sees as one line, each with its place in the source.

A unit is a line, or a piece of a line that starts with a list or heading marker (``1.``, ``가.``, ``①``,
``■``, ``-``…): texts pasted as one long line (seed 001) are cut at their markers, so that the same rules
read them as they read a text with line breaks. A table row is one unit with its cells (tab-separated
text, a Markdown pipe table, an HTML ``<tr>``). Every unit keeps the 1-based line and column where it
starts in the file, which is what every imported value cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

Format = Literal["text", "html", "md"]


@dataclass(frozen=True)
class Unit:
    line: int
    col: int
    text: str
    cells: tuple[str, ...] = ()
    heading: int = 0
    """The markup heading level (Markdown ``#``, HTML ``<h1>``…), 0 for none."""


_MARK = re.compile(
    r"""(?:(?<=\s)|^)(?:
        [■□▶▷●◆◇※▣◈◎【]
      | [ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ]\.
      | [IVX]{1,4}\.(?=\s)
      | 제\s?\d{1,2}\s?조(?=\s|\(|$)
      | \d{1,2}\.(?![\d.])
      | \d{1,2}\)
      | \(\d{1,2}\)
      | [가나다라마바사아자차카타파하]\.(?=\s)
      | [①-⑳]
      | [o○](?=\s)
      | -(?=\s?[^\s\d-])
      | \*(?=\s)
      | •
    )""",
    re.X,
)
_HEADING_INSIDE = re.compile(r"(?:^|\s)(?:[■□▣◈◎◆●【]|\d{1,2}\.\s|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]\.|[IVX]{1,4}\.\s)")
_DATE_BEFORE = re.compile(r"(?:\d{4}\.\s*|\d{4}\.\s*\d{1,2}\.\s*)$")


def split_markers(text: str, line: int, col: int) -> list[Unit]:
    """``text`` (found at ``line``:``col``) cut before every list or heading marker."""
    starts = [0]
    for match in _MARK.finditer(text):
        at = match.start()
        if at == 0 or _DATE_BEFORE.search(text[max(0, at - 24) : at]):
            continue
        starts.append(at)
    units: list[Unit] = []
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            units.append(Unit(line, col + begin + lead, stripped))
    return units


def units_of(text: str, fmt: Format) -> list[Unit]:
    if fmt == "html":
        return _html_units(text)
    if fmt == "md":
        return _markdown_units(text)
    return _text_units(text)


def _text_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if "\t" in raw.strip():
            cells = tuple(c.strip() for c in raw.split("\t"))
            whole = not any(_HEADING_INSIDE.search(c) for c in cells)  # no heading inside a cell
            if sum(1 for c in cells if c) >= 2 and max(len(c) for c in cells) <= 200 and whole:
                col = len(raw) - len(raw.lstrip()) + 1
                units.append(Unit(number, col, " ".join(c for c in cells if c), cells=cells))
                continue
        for unit in split_markers(raw, number, 1):
            units.extend(_flat_table(unit) if unit.text.count("\t") >= 2 else [unit])
    return units


_HEADER_WORD = re.compile(
    r"수탁|위탁|업무|내용|기간|보유|국가|항목|목적|제공받|받는\s*자|업체|근거|구분|성명|연락처|일시|방법|이전"
)


def _cut(cell: str, index: int, k: int, last_values: set[str]) -> tuple[str, str]:
    """A tab-cell shared by two rows, cut between the end of one row and the start of the next: the
    text before a table ends where a header word starts; the header row ends after its last header word;
    a data row ends after a value its last column has elsewhere, else at the last space."""
    words = cell.strip().split(" ")
    if len(words) < 2:
        return ("", cell.strip()) if index == 0 else (cell.strip(), "")
    if index == 0:
        for at in range(len(words) - 1, -1, -1):
            if _HEADER_WORD.search(words[at]):
                while (
                    at > 0
                    and not re.search(r"[.:]$|다$", words[at - 1])
                    and (
                        words[at - 1].endswith("받는")
                        or (len(words[at - 1]) <= 2 and not _HEADER_WORD.search(words[at - 1]))
                    )
                ):
                    at -= 1
                return " ".join(words[:at]), " ".join(words[at:])
    elif index == k - 1:
        for at in range(len(words) - 1, 0, -1):
            if _HEADER_WORD.search(words[at - 1]):
                return " ".join(words[:at]), " ".join(words[at:])
    else:
        for value in sorted(last_values, key=len, reverse=True):
            if cell.strip().startswith(value + " "):
                return value, cell.strip()[len(value) :].strip()
    before, _, after = cell.strip().rpartition(" ")
    return before, after


def _flat_table(unit: Unit) -> list[Unit]:
    """A tab-separated table whose rows were joined by spaces (line breaks removed): each row's last cell
    and the next row's first cell share one tab-cell (see ``_cut``). The number of columns is the
    smallest that makes whole rows and leaves a first data cell that is not a header word."""
    cells = unit.text.split("\t")
    n = len(cells)
    for k in range(2, n):
        if (n - 1) % (k - 1) or n < 2 * k - 1:
            continue
        last_values = {cells[-1].strip()}
        rows: list[list[str]] = [[]]
        lead = ""
        for index, cell in enumerate(cells):
            boundary = index == 0 or (index % (k - 1) == 0 and index != n - 1)
            if index == 0:
                lead, first = _cut(cell, 0, k, last_values)
                rows[0] = [first.strip()]
            elif boundary:
                before, after = _cut(cell, index, k, last_values)
                rows[-1].append(before.strip())
                rows.append([after.strip()])
            else:
                rows[-1].append(cell.strip())
        if len(rows) < 2 or any(len(r) != k for r in rows):
            continue
        if not all(_HEADER_WORD.search(c) for c in rows[0]) or _HEADER_WORD.search(rows[1][0]):
            continue
        out = split_markers(lead, unit.line, unit.col) if lead.strip() else []
        offset = unit.col + len(lead)
        for row in rows:
            out.append(Unit(unit.line, offset, " ".join(row), cells=tuple(row)))
            offset += sum(len(c) + 1 for c in row)
        return out
    return [Unit(unit.line, unit.col, unit.text.replace("\t", " "))]


# --- Markdown ----------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")


def _md_inline(text: str) -> str:
    text = _MD_LINK.sub(
        lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text
    )
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)
    return _MD_ESCAPE.sub(r"\1", text).rstrip("\\").strip()


def _md_cells(row: str) -> tuple[str, ...]:
    body = row.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return tuple(_md_inline(c) for c in re.split(r"(?<!\\)\|", body))


def _markdown_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped or _MD_SEPARATOR.match(stripped) and "-" in stripped:
            continue
        col = len(raw) - len(raw.lstrip()) + 1
        heading = _MD_HEADING.match(stripped)
        if heading:
            units.append(Unit(number, col, _md_inline(heading.group(2)), heading=len(heading.group(1))))
        elif stripped.startswith("|"):
            cells = _md_cells(stripped)
            units.append(Unit(number, col, " ".join(c for c in cells if c), cells=cells))
        else:
            plain = re.sub(r"^>\s?", "", raw)
            for piece in _md_inline(plain).split("\n"):
                units.extend(split_markers(piece, number, col))
    return units


# --- HTML --------------------------------------------------------------------------------------

_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "ul", "ol", "dl",
    "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "caption", "hr", "address",
    "form", "fieldset", "figure", "figcaption", "details", "summary", "body", "html",
}  # fmt: skip
_SKIP = {"script", "style", "head", "template", "noscript", "svg"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[Unit] = []
        self._text: list[str] = []
        self._pos: tuple[int, int] | None = None
        self._heading = 0
        self._skip = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._row_pos: tuple[int, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
            return
        if tag == "br":
            self._append("\n")
        elif tag == "tr":
            self._flush()
            self._row, self._row_pos = [], self.getpos()
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "li" and self._cell is not None:
            self._append("\n")
        elif tag == "li":
            self._flush()
            self._append("- ")
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = int(tag[1])
        elif tag in _BLOCKS and self._cell is not None:
            self._append("\n")
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            lines = (" ".join(part.split()) for part in "".join(self._cell).split("\n"))
            self._row.append("\n".join(line for line in lines if line))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            cells = tuple(self._row)
            if any(cells):
                line, col = self._row_pos or self.getpos()
                units = self.units
                units.append(Unit(line, col + 1, " ".join(c for c in cells if c), cells=cells))
            self._row = None
        elif self._cell is not None and (tag in _BLOCKS or tag == "li"):
            self._append("\n")
        elif re.fullmatch(r"h[1-6]", tag) or tag in _BLOCKS or tag == "li":
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data.replace("\n", " "))
            return
        if self._row is not None:
            return
        if self._pos is None and data.strip():
            line, col = self.getpos()
            self._pos = (line, col + 1 + (len(data) - len(data.lstrip())))
        self._append(data.replace("\n", " "))

    def _append(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        else:
            self._text.append(data)

    def _flush(self) -> None:
        text = "".join(self._text)
        self._text = []
        pos, self._pos = self._pos, None
        heading, self._heading = self._heading, 0
        if not text.strip() or pos is None:
            return
        for piece in text.split("\n"):
            piece = re.sub(r"[ \t\u00a0]+", " ", piece).strip()
            if not piece:
                continue
            if heading:
                self.units.append(Unit(pos[0], pos[1], piece, heading=heading))
            else:
                self.units.extend(split_markers(piece, pos[0], pos[1]))

    def close(self) -> None:
        super().close()
        self._flush()


def _html_units(text: str) -> list[Unit]:
    collector = _Collector()
    collector.feed(text)
    collector.close()
    return collector.units


def sniff(text: str, name: str) -> Format:
    """The format of a text, from its file name, else from its content."""
    lower = name.lower()
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lower.endswith((".md", ".markdown")):
        return "md"
    head = text[:4000].lower()
    if re.search(r"<(!doctype html|html|body|p|div|table|h[1-6])[\s>]", head):
        return "html"
    if re.search(r"^#{1,6}\s", text, re.M) or re.search(r"^\|.*\|\s*$\n^\|?\s*:?-{2,}", text, re.M):
        return "md"
    return "text"
