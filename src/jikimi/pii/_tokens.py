"""Tokens that are not plain digit runs: e-mail addresses, IPv6 addresses, passports.

Every pattern is anchored by a look-behind that refuses to start inside a longer token,
and every repetition is delimited by a character the repeated part cannot contain, so the
regex engine never backtracks more than once over any character (see tests/pii/test_safety.py).
"""

from __future__ import annotations

import re

from jikimi.pii._checks import ipv6_ok
from jikimi.pii._context import Cue, Cues
from jikimi.pii._model import Candidate, PiiType

# Starts with a character class (so the engine skips ahead in C); the look-behind after the
# first character refuses a start inside a longer local part.
_EMAIL = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z0-9._%+\-][A-Za-z0-9])[A-Za-z0-9._%+\-]{0,63}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
)
_IPV6 = re.compile(
    r"(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){1,7}"
    r"(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?![0-9A-Za-z:]|\.\d)"
)
# Four hex groups joined by colons: a cheap test before the IPv6 pattern (times have three).
_IPV6_HINT = re.compile(r"[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}")
_PASSPORT = re.compile(r"[MSRODG](?<![0-9A-Za-z][MSRODG])([0-9]{8}|[0-9]{3}[A-Z][0-9]{4})(?![0-9A-Za-z])")
_PASSPORT_OLD = re.compile(r"(?<![0-9A-Za-z])[A-Z]{2}[0-9]{7}(?![0-9A-Za-z])")


def find_tokens(text: str, cues: Cues) -> list[Candidate]:
    """E-mail, IPv6 and passport findings in ``text`` (normalised)."""
    found: list[Candidate] = []
    if "@" in text:
        for m in _EMAIL.finditer(text):
            found.append(Candidate(PiiType.EMAIL, m.start(), m.end(), 0.95, ("format",)))
    if "::" in text or _IPV6_HINT.search(text) is not None:
        for m in _IPV6.finditer(text):
            token = m.group()
            if ("::" in token or token.count(":") == 7) and ipv6_ok(token):
                found.append(Candidate(PiiType.IP, m.start(), m.end(), 0.9, ("ipv6",)))
    for m in _PASSPORT.finditer(text):
        found.append(_passport(m, cues))
    if "여권" in text or "assport" in text or "ASSPORT" in text:
        for m in _PASSPORT_OLD.finditer(text):
            if cues.near(Cue.PASSPORT, m.start(), m.end()):
                found.append(Candidate(PiiType.PASSPORT, m.start(), m.end(), 0.8, ("format", "pre-2008", "keyword")))
    return found


def _passport(m: re.Match[str], cues: Cues) -> Candidate:
    new_style = not m.group(1).isdigit()
    why = ["format", "2021-format" if new_style else "letter-8-digits"]
    confidence = 0.8 if m.group()[0] == "M" else 0.45
    if cues.near(Cue.PASSPORT, m.start(), m.end()):
        confidence += 0.15
        why.append("keyword")
    if cues.preceded(Cue.NEGATIVE, m.start()):
        confidence -= 0.3
        why.append("negative-keyword")
    return Candidate(PiiType.PASSPORT, m.start(), m.end(), confidence, tuple(why))
