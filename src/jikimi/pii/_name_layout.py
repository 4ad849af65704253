"""Names a reader finds from the layout of a text rather than from a word next to them: the cells
of a column under a name header (a roster, a list of applicants), the speakers of a chat export
(``[김민수] [오후 2:14] …``), the holder of an account written after it in parentheses
(``… 110-234-567890 (김민수)``), and a name written just before other personal data
(``홍길동 010-1234-5678``).

Each is read from positions another finder has already reached — the header cells met by the cue
scan, the ``[`` of a timestamp, the end of an account number — so none of them reads the text
character by character again.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from functools import cache

from jikimi.pii._model import Candidate, PiiType
from jikimi.pii._name_analysis import _common_alone, _common_word, _confirmed
from jikimi.pii._names import _cues, _doubtful, _hangul, _plausible, _without_analysis, _words

_MAX_ROWS = 2_000  # rows read under one header: a bound that keeps a pathological table linear
_SPACES = re.compile(r" {2,}")
_HANGUL_NAME = re.compile(r"[가-힣]{2,5}|[가-힣]{1,6}(?: [가-힣]{1,6}){1,3}")
_LATIN_NAME = re.compile(r"(?:[A-Z][a-z]{1,15}|[A-Z]{2,15})(?:[ -](?:[A-Z][a-z]{1,15}|[A-Z]{2,15})){1,3}")
# Header cells of a column of names, beside the name labels (성명, 이름, 보호자 …).
_ENGLISH_HEADERS = frozenset({"Name", "NAME", "name", "Full Name", "성명(영문)", "이름(영문)", "영문성명"})


def _cells(line: str) -> tuple[list[tuple[int, int]], str] | None:
    """The cells of a table row as (start, end) offsets in ``line``, stripped, and the separator
    (``|``, a tab, or two spaces or more); ``None`` for a line that is no row (under three cells)."""
    if "|" in line or "\t" in line:
        sep = "|" if "|" in line else "\t"
        parts = line.split(sep)
        if len(parts) < 3:
            return None
        cells, at = [], 0
        for part in parts:
            inner = part.strip(" ")
            a = at + (part.find(inner) if inner else 0)
            cells.append((a, a + len(inner)))
            at += len(part) + 1
        if sep == "|" and cells[0][0] == cells[0][1]:
            cells = cells[1:]  # `| 이름 | …`: the border before the first cell
        if sep == "|" and cells and cells[-1][0] == cells[-1][1]:
            cells = cells[:-1]
    else:
        sep, at, cells = "  ", 0, []
        for m in _SPACES.finditer(line):
            cells.append((at, m.start()))
            at = m.end()
        cells.append((at, len(line)))
        stripped = []
        for a, b in cells:  # a single space may remain at the start or the end of the line
            if line[a : a + 1] == " ":
                a += 1
            if b > a and line[b - 1] == " ":
                b -= 1
            stripped.append((a, b))
        cells = stripped
    return (cells, sep) if len(cells) >= 3 else None


def is_header_cell(text: str, start: int, end: int) -> bool:
    """Whether the label at ``[start, end)`` fills a cell of a table row by itself."""
    if end < len(text) and text[end] not in " |\t\n":
        return False  # most labels are followed by their value (성명: 홍길동)
    lo = start
    while lo > 0 and start - lo < 4 and text[lo - 1] == " ":
        lo -= 1
    hi = end
    while hi < len(text) and hi - end < 4 and text[hi] == " ":
        hi += 1
    return (lo == 0 or start - lo >= 2 or text[lo - 1] in "|\t\n") and (
        hi == len(text) or hi - end >= 2 or text[hi] in "|\t\n"
    )


def _name_cell(cell: str) -> bool:
    """Whether a cell under a name header holds a name: a Hangul word of two to five syllables or
    two to four Hangul words (응우옌 반 안), or two to four Latin words (SARAH JOHNSON); not a label."""
    if _HANGUL_NAME.fullmatch(cell):
        if " " not in cell and cell in _cues().before:
            return False
        return " " in cell or _plausible(cell) or not _hangul_common(cell)
    return _LATIN_NAME.fullmatch(cell) is not None


def _hangul_common(word: str) -> bool:
    """Whether a Hangul word that is not shaped like a Korean name is still a common word."""
    return _common_word(word, 0, len(word))


def names_in_columns(text: str, headers: list[tuple[int, int]]) -> list[Candidate]:
    """The names in the cells under a header cell such as ``성명`` or ``보호자`` (``headers``: the
    spans of label words that fill a cell, as the cue scan met them), row by row, while the rows
    have as many cells as the header."""
    found: list[Candidate] = []
    done = -1
    columns: dict[int, list[int]] = {}
    for start, end in headers:
        if not is_header_cell(text, start, end):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        columns.setdefault(line_start, []).append(start)
    for line_start, label_starts in columns.items():
        if line_start <= done:
            continue
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        row = _cells(text[line_start:line_end])
        if row is None:
            continue
        cells, sep = row
        wanted = [i for i, (a, _) in enumerate(cells) if line_start + a in label_starts]
        if not wanted:
            continue
        at = line_end + 1
        for _ in range(_MAX_ROWS):
            if at >= len(text):
                break
            next_end = text.find("\n", at)
            next_end = len(text) if next_end < 0 else next_end
            line = text[at:next_end]
            other = _cells(line)
            if other is None or other[1] != sep or len(other[0]) != len(cells):
                break
            for i in wanted:
                a, b = other[0][i]
                if b > a and _name_cell(line[a:b]):
                    found.append(Candidate(PiiType.NAME, at + a, at + b, 0.8, ("column", "label")))
            done = at
            at = next_end + 1
    return found


# A chat export's line: `[김민수] [오후 2:14] 메시지`, `[김민수] [14:02] …`.
_SPEAKER = re.compile(r"\[([가-힣]{2,5}(?: [가-힣]{1,6}){0,2})\] ?\[(?:오전 ?|오후 ?)?\d{1,2}:\d{2}\]")


def chat_speakers(text: str) -> list[Candidate]:
    """The speakers of a chat export, each at the start of its line: ``[김민수] [오후 2:14] 네``."""
    found = []
    for m in _SPEAKER.finditer(text):
        start, end = m.span(1)
        if start > 1 and text[start - 2] != "\n":
            continue
        name = m.group(1)
        if name in _cues().before:
            continue
        found.append(Candidate(PiiType.NAME, start, end, 0.75, ("chat-speaker",)))
    return found


# The holder written after an account number: `110-234-567890 (김민수)`, `(예금주 김민수)`.
_HOLDER = re.compile(r" ?\((?:예금주|예금주명)?[ :]{0,2}([가-힣]{2,4})\)")


_ACCOUNT = PiiType.ACCOUNT


def holders_after(text: str, anchors: list[Candidate]) -> list[Candidate]:
    """The account holder in parentheses right after an account number."""
    found = []
    for anchor in anchors:
        if anchor.type is not _ACCOUNT:
            continue
        m = _HOLDER.match(text, anchor.end)
        if m is None or (m.end(1) < len(text) and _hangul(text[m.end(1)])):
            continue
        if _plausible(m.group(1)):
            found.append(Candidate(PiiType.NAME, m.start(1), m.end(1), 0.8, ("account-holder",)))
    return found


# --- names alone in a cell ---------------------------------------------------------------------

# A name alone in a cell, as a reader sees one in a roster, a chat log or a signature: a whole
# Hangul word of three or four syllables, starting with a surname's syllable, that starts a line,
# a table or CSV cell, or follows a chat timestamp (`[14:02] `) or `(서명)`, and ends at a cell
# border, a speaker's `:`/`>` or a seal (`(인)`, `(서명)`). Each pattern starts with a character
# set or a literal, so the engine skips ahead in C.
_CELL_END = r"(?=[ \t]{0,3}([:>|\t,;\n]|\((?:인|서명)\))|[ \t]{0,3}\Z)"


@cache
def _cell_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The cell patterns (after a border, after `(서명)`, at the start of the text)."""
    words = _words()
    first = "".join(sorted({*words.single, *(w[0] for w in words.double)}))
    word = rf"([{first}][가-힣]{{2,3}})"
    return (
        re.compile(rf"[\n|\t,;\]][ \t]{{0,3}}{word}{_CELL_END}"),
        re.compile(rf"\(서명\)[ \t]{{0,3}}{word}{_CELL_END}"),
        re.compile(rf"[ \t]{{0,3}}{word}{_CELL_END}"),
    )


def names_in_cells(text: str) -> list[Candidate]:
    """Names alone in a cell (see ``_cell_patterns``): ``[14:02] 김민수: 네``, ``김민수 > 안녕하세요``,
    ``1 | 김민수 | 010-…``, ``김민수,010-…,서울``, ``작성자 김민수 (인)``, ``(서명) 박지은``. The word
    must look like a name and not be one of the common words of that shape. A word before ``:``
    is more often a label (``배송지: 서울``) than a speaker: it counts after a chat timestamp, or
    at the start of a line in a chat log, where some name speaks at the start of two lines."""
    cell, sealed, at_start = _cell_patterns()
    # (what opens the cell: "" at the start of the text, else its first character; the match)
    first = at_start.match(text)
    matches = [("", first)] if first is not None else []
    matches += [(text[m.start()], m) for m in cell.finditer(text)]
    if "(서명)" in text:
        matches += [("(", m) for m in sealed.finditer(text)]
    if not matches:
        return []
    speakers: dict[str, int] = {}
    kept = []  # (the match, whether it is a speaker's word before `:`), in order
    before = _cues().before
    for opener, m in matches:
        name, end_mark = m.group(1, 2)
        if end_mark == ":" and (opener == "" or opener == "\n"):  # perhaps a chat log's speaker
            speakers[name] = speakers.get(name, 0) + 1
        colon = end_mark == ":" and opener != "]"
        if name not in before and _plausible(name) and _without_analysis(name):
            kept.append((m, colon))
    if not kept:
        return []
    chat = any(count > 1 and _plausible(word) for word, count in speakers.items()) if speakers else False
    found = []
    for m, colon in kept:
        if colon and not (chat and m.group(1) in speakers):
            continue
        start, end = m.span(1)
        found.append(Candidate(PiiType.NAME, start, end, 0.7, ("surname", "cell")))
    return found


# --- names beside other personal data -------------------------------------------------------

# A whole Hangul word of up to eight syllables, one to three separators, perhaps the end of the
# line, then the other finding: "홍길동 010-…", "홍길동 \n010-…", "김영희, 900101-…".
_WORD_BEFORE = re.compile(r"(?<![가-힣])([가-힣]{1,8})[ \t,|/:()<\[]{1,3}\n?\Z")
# Labels of the personal data a name may stand before (``염범도 주민번호 580522-…``,
# ``김민수 연락처: 010-…``): the name is the word before the label.
_DATA_LABELS = frozenset(
    "주민번호 주민등록번호 연락처 전화 전화번호 휴대폰 휴대전화 핸드폰 폰번호 번호 이메일 메일 계좌 계좌번호"
    " 생년월일 주소 여권번호 면허번호".split()
)
# Particles after which a name may still stand right before the data (``마준영한테 010-…``).
_BESIDE_PARTICLES = frozenset("한테 에게 께 이 가 은 는 의 님 씨 님의 씨의".split())


def names_beside(
    text: str, anchors: list[Candidate], named: AbstractSet[int] = frozenset()
) -> list[Candidate]:
    """Names written just before another finding (a phone, a registration number, an e-mail…):
    a whole Hangul word of three or four syllables, then one to three of `` \t,|/:()``. The name
    may take a particle (``마준영한테 010-…``) or stand before the data's label (``염범도 주민번호
    580522-…``). Words starting at ``named`` (names found through a cue) are not looked at again."""
    found = []
    search = _WORD_BEFORE.search
    for anchor in anchors:
        before = search(text, max(0, anchor.start - 13), anchor.start)
        if before is None:
            continue
        start, end = before.span(1)
        if start in named:
            continue
        word = before.group(1)
        labelled = word in _DATA_LABELS
        if labelled:  # the name is the word before the label
            label_start = start
            end = label_start
            while end > 0 and label_start - end < 2 and text[end - 1] == " ":
                end -= 1
            if end == label_start:
                continue
            start = end
            while start > 0 and end - start < 7 and "가" <= text[start - 1] <= "힣":
                start -= 1
            if start > 0 and _hangul(text[start - 1]):
                continue
            word = text[start:end]
        length = len(word)
        if length == 3 or (length > 3 and word[3:] in _BESIDE_PARTICLES):
            size = 3
        elif length == 4 or (length > 4 and word[4:] in _BESIDE_PARTICLES):
            size = 4
        else:
            continue
        end = start + size
        if start not in named and _plausible(name := text[start:end]):
            # in a roster the name starts its cell; after a word it may be a noun (사무실 02-…);
            # with a particle it is in a sentence, and any word of that shape may be a noun
            if size < len(word) or labelled:
                sure = _without_analysis(name)
            elif _common_alone(name):
                sure = False
            else:
                sure = _confirmed(text, start, end, _doubtful(name) and _after_word(text, start))
            if sure:
                found.append(Candidate(PiiType.NAME, start, end, 0.7, ("surname", "next-to-personal-data")))
    return found


def _after_word(text: str, start: int) -> bool:
    """Whether a Hangul word stands before ``start``, one or two spaces away."""
    at = start - 1
    while at >= 0 and start - at <= 2 and text[at] == " ":
        at -= 1
    return at >= 0 and at < start - 1 and _hangul(text[at])
