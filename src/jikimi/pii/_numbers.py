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
from collections.abc import Iterator

from jikimi.pii._model import Candidate
from jikimi.pii._numeric_rules import Memo, Window, score

_RUN = re.compile(
    r"(?<![0-9A-Za-z_@])(?<![0-9A-Za-z]-)"
    r"(?P<prefix>\+82[ -]?(?:\(0\)[ -]?)?|\(0\d{1,2}\)[ -]?)?"
    r"\d+(?:(?: ?[-.] ?| (?=\d\d)(?!\d\d?:))\d+)*"
    r"(?![0-9A-Za-z@])"
)
_GROUP = re.compile(r"\d+")
_UNIFORM = re.compile(r"\d+([-.])\d+(?:\1\d+)*")
_MAX_WINDOW = 5
_MAX_DIGITS = 19
_MIN_DIGITS = 8


def find_numbers(text: str) -> Iterator[Candidate]:
    """Every numeric finding in ``text`` (normalised), before overlap resolution."""
    for run in _RUN.finditer(text):
        start, end = run.span()
        prefix = run.group("prefix")
        body = run.group()
        if prefix is None:
            if end - start < _MIN_DIGITS and "." not in body:
                continue
            if body.isdigit():  # one bare group, the most common case
                if len(body) <= _MAX_DIGITS:
                    found = _window(text, [(start, end)], "", body, None, False, {})
                    if found is not None:
                        yield found
                continue
            uniform = _UNIFORM.fullmatch(body)
            if uniform is not None:  # one separator throughout: the run is one window
                groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, start, end)]
                if len(groups) <= _MAX_WINDOW:
                    digits = body.replace(uniform.group(1), "")
                    found = _window(text, groups, uniform.group(1), digits, None, False, {})
                    if found is not None:
                        yield found
                    continue
        plus82 = prefix is not None and prefix.startswith("+")
        body_start = start + len(prefix) if plus82 and prefix else start
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, body_start, end)]
        yield from _scan_groups(text, groups, start if prefix else None, plus82)


def _window(
    text: str, groups: list[tuple[int, int]], sep: str, digits: str, lead: int | None, plus82: bool, memo: Memo
) -> Candidate | None:
    """Score the digits of ``groups`` as one window; ``None`` if it is no number we know."""
    size = len(digits)
    if size > _MAX_DIGITS or (size < _MIN_DIGITS and sep != "."):
        return None
    shape = tuple([hi - lo for lo, hi in groups])
    if size == _MIN_DIGITS and sep != "." and shape != (4, 4) and shape != (8,) and not plus82:
        return None  # eight digits are only ever a 15xx/16xx/18xx number
    start, end = groups[0][0], groups[-1][1]
    scored = score(Window(text, start, end, shape, sep, digits, plus82, memo))
    if scored is None:
        return None
    return Candidate(scored[0], start if lead is None else lead, end, scored[1], scored[2])


def _scan_groups(
    text: str, groups: list[tuple[int, int]], lead: int | None, plus82: bool
) -> Iterator[Candidate]:
    """Try windows of consecutive groups from the left; keep the best window at each start."""
    memo: Memo = {}
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
            found = _window(text, groups[i : j + 1], sep, digits, lead if i == 0 else None, plus82 and i == 0, memo)
            if found is not None and (best is None or found.confidence > best.confidence):
                best, best_j = found, j
        if best is None:
            i += 1
            continue
        yield best
        i = best_j + 1


def _sep(between: str) -> str:
    """The separator between two groups: ``-``, ``.`` or ``" "``; ``(02) 123`` counts as a dash."""
    return between.replace(")", "-").strip() or " "
