"""Digit runs: registration, phone, card, business, licence, account, insurance numbers, IPv4.

One regex finds every run of digit groups joined by single separators (``-``, ``.`` or a
space, spaces allowed around a dash), with an optional ``+82`` or ``(02)`` prefix. The run
must not touch a Latin letter or digit on either side, but may touch Hangul, so
``010-1234-5678로`` and ``4111111111111111입니다`` are found. A space joins two groups only
when the next one has two digits or more and is not the hour of a time (``2024-03-15 14:30``).

Each run is cut into windows of up to five consecutive groups with one kind of separator;
each window of eight digits or more (or dotted, for IPv4) is scored by
:mod:`jikimi.pii._numeric_rules`. The best window starting at the leftmost group wins, and
the scan continues after it.
"""

from __future__ import annotations

import re

from jikimi.pii._checks import PLATE_SYLLABLES
from jikimi.pii._context import Cues
from jikimi.pii._model import Candidate
from jikimi.pii._numeric_rules import Window, score
from jikimi.pii._plates import match_plate

# A run starts at a digit (so the regex engine can skip to digits quickly); the look-behinds
# after the first digit refuse a start inside a Latin word, an e-mail or a code like "A-123".
_RUN = re.compile(
    r"[0-9](?<![0-9A-Za-z_@][0-9])(?<![0-9A-Za-z]-[0-9])(?:"
    # two or three digits before a plate syllable: a car plate is tried there
    rf"(?P<plate>[0-9]{{1,2}}(?= ?[{''.join(sorted(PLATE_SYLLABLES))}] ?[0-9]{{4}}))"
    # or a run of at least seven characters (shorter runs are never a number we look for)
    # (a bare date such as 2024-03-15 or 2024.3.15 is skipped here, in C)
    r"|(?![0-9]{3}[-./][0-9]{1,2}[-./][0-9]{1,2}(?![0-9]))"
    r"(?=[0-9 .)\-]{6})[0-9]*(?:(?: ?[-.)] ?| (?=[0-9]{2})(?![0-9]{1,2}:))[0-9]+)*(?![0-9A-Za-z@])"
    r")"
)
_GROUP = re.compile(r"[0-9]+")
_UNIFORM = re.compile(r"[0-9]+([-.])[0-9]+(?:\1[0-9]+)*")
_MAX_WINDOW = 5
_MAX_DIGITS = 19
_MIN_DIGITS = 8


def find_numbers(text: str, cues: Cues) -> list[Candidate]:
    """Every numeric and car-plate finding in ``text`` (normalised), before overlap resolution."""
    out: list[Candidate] = []
    for run in _RUN.finditer(text):
        start, end = run.span()
        if run.group("plate") is not None:
            plate = match_plate(text, start)
            if plate is not None:
                out.append(plate)
            continue
        body = run.group()
        before = text[start - 1] if start else ""
        if before == "+" and body.startswith("82"):  # +82 10-1234-5678, +821012345678
            groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, start + 2, end)]
            _scan_groups(text, groups, start - 1, True, cues, out)
            continue
        if before == "(" and body[0] == "0" and ")" in body[:4]:  # (02) 123-4567
            groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, start, end)]
            _scan_groups(text, groups, start - 1, False, cues, out)
            continue
        if body.isdigit():  # one bare group, the most common case
            found = _window(text, start, end, (end - start,), "", body, None, False, cues)
            if found is not None:
                out.append(found)
            continue
        uniform = _UNIFORM.fullmatch(body)
        if uniform is not None:  # one separator throughout: the run is one window
            sep = uniform.group(1)
            digits = body.replace(sep, "")
            if len(digits) < _MIN_DIGITS and sep != ".":
                continue
            if len(digits) == _MIN_DIGITS and sep != "." and body != digits[:4] + sep + digits[4:]:
                continue  # eight digits are only ever a 15xx/16xx/18xx number written 4-4
            shape = tuple(map(len, body.split(sep)))
            if len(shape) <= _MAX_WINDOW:
                found = _window(text, start, end, shape, sep, digits, None, False, cues)
                if found is not None:
                    out.append(found)
                continue
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, start, end)]
        _scan_groups(text, groups, None, False, cues, out)
    return out


def _window(
    text: str, start: int, end: int, shape: tuple[int, ...], sep: str, digits: str, lead: int | None,
    plus82: bool, cues: Cues,
) -> Candidate | None:
    """Score ``digits`` (groups of lengths ``shape`` spanning start..end) as one window."""
    size = len(digits)
    if size > _MAX_DIGITS or (size < _MIN_DIGITS and sep != "."):
        return None
    if size == _MIN_DIGITS and sep != "." and shape != (4, 4) and shape != (8,) and not plus82:
        return None  # eight digits are only ever a 15xx/16xx/18xx number
    scored = score(Window(text, start, end, shape, sep, digits, plus82, cues))
    if scored is None:
        return None
    return Candidate(scored[0], start if lead is None else lead, end, scored[1], scored[2])


def _scan_groups(
    text: str, groups: list[tuple[int, int]], lead: int | None, plus82: bool, cues: Cues, out: list[Candidate]
) -> None:
    """Try windows of consecutive groups from the left; keep the best window at each start."""
    i = 0
    count = len(groups)
    while i < count:
        best: Candidate | None = None
        best_j = i
        digits = ""
        sep = ""
        for j in range(i, min(count, i + _MAX_WINDOW)):
            if j > i:
                this_sep = _sep(text[groups[j - 1][1] : groups[j][0]])
                if sep and this_sep != sep:
                    break
                sep = this_sep
            digits += text[groups[j][0] : groups[j][1]]
            if len(digits) > _MAX_DIGITS:
                break
            shape = tuple([hi - lo for lo, hi in groups[i : j + 1]])
            found = _window(text, groups[i][0], groups[j][1], shape, sep, digits, lead if i == 0 else None,
                            plus82 and i == 0, cues)
            if found is not None and (best is None or found.confidence > best.confidence):
                best, best_j = found, j
        if best is None:
            i += 1
            continue
        out.append(best)
        i = best_j + 1


def _sep(between: str) -> str:
    """The separator between two groups: ``-``, ``.`` or ``" "``; ``(02) 123`` counts as a dash."""
    return between.replace(")", "-").strip() or " "
