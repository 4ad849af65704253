"""Tokens that are not plain digit runs: e-mail addresses, IPv6 addresses, passports.

Every pattern is anchored by a look-behind that refuses to start inside a longer token,
and every repetition is delimited by a character the repeated part cannot contain, so the
regex engine never backtracks more than once over any character (see tests/pii/test_safety.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jikimi.pii._checks import ipv6_ok
from jikimi.pii._context import Cue, Cues
from jikimi.pii._model import Candidate, PiiType

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
)
_IPV6 = re.compile(
    r"(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){1,7}"
    r"(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?![0-9A-Za-z:]|\.\d)"
)
_PASSPORT = re.compile(r"[MSRODG](?<![0-9A-Za-z][MSRODG])([0-9]{8}|[0-9]{3}[A-Z][0-9]{4})(?![0-9A-Za-z])")
_PASSPORT_OLD = re.compile(r"(?<![0-9A-Za-z])[A-Z]{2}[0-9]{7}(?![0-9A-Za-z])")


def find_tokens(text: str, cues: Cues) -> Iterator[Candidate]:
    """E-mail, IPv6 and passport findings in ``text`` (normalised)."""
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield Candidate(PiiType.EMAIL, m.start(), m.end(), 0.95, ("format",))
    if "::" in text or text.count(":") >= 3:
        for m in _IPV6.finditer(text):
            token = m.group()
            if ("::" in token or token.count(":") == 7) and ipv6_ok(token):
                yield Candidate(PiiType.IP, m.start(), m.end(), 0.9, ("ipv6",))
    yield from _passports(text, cues)


def _passports(text: str, cues: Cues) -> Iterator[Candidate]:
    for m in _PASSPORT.finditer(text):
        new_style = not m.group(1).isdigit()
        why = ["format", "2021-format" if new_style else "letter-8-digits"]
        confidence = 0.8 if m.group()[0] == "M" else 0.45
        if cues.near(Cue.PASSPORT, m.start(), m.end()):
            confidence += 0.15
            why.append("keyword")
        if cues.preceded(Cue.NEGATIVE, m.start()):
            confidence -= 0.3
            why.append("negative-keyword")
        yield Candidate(PiiType.PASSPORT, m.start(), m.end(), confidence, tuple(why))
    if "여권" not in text and "assport" not in text.lower():
        return
    for m in _PASSPORT_OLD.finditer(text):
        if cues.near(Cue.PASSPORT, m.start(), m.end()):
            yield Candidate(PiiType.PASSPORT, m.start(), m.end(), 0.8, ("format", "pre-2008", "keyword"))
