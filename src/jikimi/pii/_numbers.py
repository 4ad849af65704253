"""Digit runs: registration, phone, card, business, licence, account, insurance numbers, IPv4;
and, in the same pass, passports and car plates.

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
from jikimi.pii._numeric_rules import score
from jikimi.pii._plates import match_plate
from jikimi.pii._tokens import score_passport

# One pass finds digit runs and passports. A match starts at a digit or a passport letter (so
# the regex engine skips to those in C); the look-behinds after that character refuse a start
# inside a Latin word, an e-mail or a code like "A-123".
_RUN = re.compile(
    r"[0-9MSRODG](?:"
    r"(?<=[0-9])(?<![0-9A-Za-z_@][0-9])(?<![0-9A-Za-z]-[0-9])(?:"
    # two or three digits before a plate syllable: a car plate is tried there
    rf"(?P<plate>[0-9]{{1,2}}(?= ?[{''.join(sorted(PLATE_SYLLABLES))}] ?[0-9]{{4}}))"
    # or a run of at least seven characters (shorter runs are never a number we look for)
    # (a bare date such as 2024-03-15 or 2024.3.15 is skipped here, in C)
    r"|(?=[0-9 .)\-]{6})(?![0-9]{3}[-./][0-9]{1,2}[-./][0-9]{1,2}(?![0-9]))"
    r"[0-9]*(?:(?: ?[-.)] ?| (?=[0-9]{2})(?![0-9]{1,2}:))[0-9]+)*(?![0-9A-Za-z@])"
    r")"
    # or a passport: M, S, R, O, D or G, then eight digits or the 2021 form 123A4567
    r"|(?<=[MSRODG])(?<![0-9A-Za-z][MSRODG])(?P<passport>[0-9]{8}|[0-9]{3}[A-Z][0-9]{4})(?![0-9A-Za-z])"
    r")"
)
_PLATE, _PASSPORT = 1, 2  # the groups' numbers, as ``Match.lastindex`` gives them
_GROUP = re.compile(r"[0-9]+")
_MAX_WINDOW = 5
_MAX_DIGITS = 19
_MIN_DIGITS = 8


def find_numbers(text: str, cues: Cues) -> list[Candidate]:
    """Every numeric and car-plate finding in ``text`` (normalised), before overlap resolution."""
    out: list[Candidate] = []
    for run in _RUN.finditer(text):
        start, end = run.span()
        if run.lastindex == _PLATE:
            plate = match_plate(text, start)
            if plate is not None:
                out.append(plate)
            continue
        if run.lastindex == _PASSPORT:
            out.append(score_passport(start, end, run.group(_PASSPORT), text[start], cues))
            continue
        body = run.group()
        if start:
            before = text[start - 1]
            if before == "+" and body.startswith("82"):  # +82 10-1234-5678, +821012345678
                groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, start + 2, end)]
                _scan_groups(text, groups, start - 1, True, cues, out)
                continue
            if before == "(" and body[0] == "0" and ")" in body[:4]:  # (02) 123-4567
                groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, start, end)]
                _scan_groups(text, groups, start - 1, False, cues, out)
                continue
        if body.isdigit():  # one bare group, the most common case (the run holds ASCII digits only)
            # (scored as :func:`_window` would: eight digits or more, at most nineteen)
            if _MIN_DIGITS <= end - start <= _MAX_DIGITS:
                found = score(text, start, start, end, (end - start,), "", body, False, cues)
                if found is not None:
                    out.append(found)
            continue
        # One separator throughout (groups are never empty, so this is "[0-9]+(-[0-9]+)+"):
        # the run is one window.
        sep = "-"
        digits = body.replace("-", "")
        if not digits.isdigit():
            sep = "."
            digits = body.replace(".", "")
        if digits.isdigit():
            if len(digits) < _MIN_DIGITS and sep != ".":
                continue
            if len(digits) == _MIN_DIGITS and sep != "." and body != digits[:4] + sep + digits[4:]:
                continue  # eight digits are only ever a 15xx/16xx/18xx number written 4-4
            shape = tuple(map(len, body.split(sep)))
            if len(shape) <= _MAX_WINDOW:
                # (the checks of :func:`_window` left after the two above: at most nineteen digits)
                if len(digits) <= _MAX_DIGITS:
                    found = score(text, start, start, end, shape, sep, digits, False, cues)
                    if found is not None:
                        out.append(found)
                continue
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, start, end)]
        _scan_groups(text, groups, None, False, cues, out)
    return out


def _window(
    text: str,
    start: int,
    end: int,
    shape: tuple[int, ...],
    sep: str,
    digits: str,
    lead: int | None,
    plus82: bool,
    cues: Cues,
) -> Candidate | None:
    """Score ``digits`` (groups of lengths ``shape`` spanning start..end) as one window."""
    size = len(digits)
    if size > _MAX_DIGITS or (size < _MIN_DIGITS and sep != "."):
        return None
    if size == _MIN_DIGITS and sep != "." and shape != (4, 4) and shape != (8,) and not plus82:
        return None  # eight digits are only ever a 15xx/16xx/18xx number
    return score(text, start if lead is None else lead, start, end, shape, sep, digits, plus82, cues)


def _scan_groups(
    text: str, groups: list[tuple[int, int]], lead: int | None, plus82: bool, cues: Cues, out: list[Candidate]
) -> None:
    """Try windows of consecutive groups from the left; keep the best window at each start."""
    count = len(groups)
    parts = [text[lo:hi] for lo, hi in groups]
    seps = [""] + [_sep(text[groups[k - 1][1] : groups[k][0]]) for k in range(1, count)]
    i = 0
    while i < count:
        best: Candidate | None = None
        best_j = i
        digits = ""
        sep = ""
        shape: tuple[int, ...] = ()
        for j in range(i, min(count, i + _MAX_WINDOW)):
            if j > i:
                if sep and seps[j] != sep:
                    break
                sep = seps[j]
            digits += parts[j]
            if len(digits) > _MAX_DIGITS:
                break
            shape += (len(parts[j]),)
            if len(digits) < _MIN_DIGITS and sep != ".":
                continue  # too short for any number we look for
            found = _window(
                text,
                groups[i][0],
                groups[j][1],
                shape,
                sep,
                digits,
                lead if i == 0 else None,
                plus82 and i == 0,
                cues,
            )
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
