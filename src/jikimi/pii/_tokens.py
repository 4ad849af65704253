"""Tokens that are not plain digit runs: e-mail and IPv6 addresses, passports in other formats.

Every pattern is anchored by a look-behind that refuses to start inside a longer token,
and every repetition is delimited by a character the repeated part cannot contain, so the
regex engine never backtracks more than once over any character (see tests/pii/test_safety.py).
"""

from __future__ import annotations

import re

from jikimi.pii._checks import ipv6_kind
from jikimi.pii._context import Cue, Cues
from jikimi.pii._model import Candidate, PiiType

# Starts with a character class (so the engine skips ahead in C); the look-behind after the
# first character refuses a start inside a longer local part.
_EMAIL = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z0-9._%+\-][A-Za-z0-9])[A-Za-z0-9._%+\-]{0,63}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
)
# Starts with a character class, like the e-mail pattern: the first group is four hex digits
# or empty ("::1"); the look-behind after the first character refuses a start inside a token.
_IPV6 = re.compile(
    r"[0-9A-Fa-f:](?<![0-9A-Fa-f:.].)(?:(?<=[0-9A-Fa-f])[0-9A-Fa-f]{0,3}|(?<=:))(?::[0-9A-Fa-f]{0,4}){1,7}"
    r"(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?![0-9A-Za-z:]|\.\d)"
)
# Four hex groups joined by colons: a cheap test before the IPv6 pattern (times have three).
_IPV6_HINT = re.compile(r"[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}")
# Passport numbers looked for only after or next to 여권/passport: the pre-2008 Korean AB1234567,
# and the formats of other countries' passports — one or two letters and 6–8 digits (C8842019,
# B72184905, AB123456), a letter, seven digits and a letter (P1234567A), the German alphabet
# (C01X00T47), nine digits (552901447), letter-3-letter-4 (T123A4567), 2-2-5 (12AB34567).
# Like the e-mail pattern it starts with a character class, so the engine skips ahead in C: the
# first character of every form is read there, the look-behind after it refuses a start inside
# a token, and each form goes on after its first character (a letter or a digit, as the
# look-behind in front of it says).
_PASSPORT_KEYWORDED = re.compile(
    r"[A-Z0-9](?<![0-9A-Za-z].)(?:(?<=[A-Z])(?P<old>[A-Z][0-9]{7})|(?<=[A-Z])[A-Z]?[0-9]{6,8}"
    r"|(?<=[0-9])(?P<digits>[0-9]{8})|(?<=[A-Z])[0-9]{3}[A-Z][0-9]{4}|(?<=[0-9])[0-9][A-Z]{2}[0-9]{5}"
    r"|(?<=[A-Z])[0-9]{7}[A-Z]"
    r"|(?<=[CFGHJK])(?=[0-9CFGHJKLMNPRTVWXYZ]{0,7}[0-9]{2})[0-9CFGHJKLMNPRTVWXYZ]{8})(?![0-9A-Za-z])"
)
# A number may stand this far after the keyword (a table's header, a form's label).
_PASSPORT_FAR = 120
_NEGATIVE_NEAR = 12  # how close a negative keyword (예약, 접수, 주문…) must be to veto a passport


def find_tokens(text: str, cues: Cues) -> list[Candidate]:
    """E-mail, IPv6 and keyworded passport findings in ``text`` (normalised); Korean passports in
    the current formats (M12345678, M123A4567) are found with the digit runs, keyword or not."""
    found: list[Candidate] = []
    at = text.find("@")
    if at >= 0:  # the local part is at most 64 characters: no address starts before at - 64
        for m in _EMAIL.finditer(text, max(0, at - 64)):
            found.append(Candidate(PiiType.EMAIL, m.start(), m.end(), 0.95, ("format",)))
    # Every IPv6 address reported holds "::" or seven colons: count them in C first.
    if "::" in text or (text.count(":") >= 7 and _IPV6_HINT.search(text) is not None):
        for m in _IPV6.finditer(text):
            token = m.group()
            if "::" in token or token.count(":") == 7:
                kind = ipv6_kind(token)
                if kind is not None:
                    found.append(Candidate(PiiType.IP, m.start(), m.end(), 0.9, ("ipv6", kind)))
    if "여권" in text or "assport" in text or "ASSPORT" in text:
        for m in _PASSPORT_KEYWORDED.finditer(text):
            found.extend(_keyworded_passport(m, text, cues))
    return found


def _keyworded_passport(m: re.Match[str], text: str, cues: Cues) -> list[Candidate]:
    """The passport number ``m`` if a passport keyword stands next to it (or up to
    :data:`_PASSPORT_FAR` characters before it; nine digits only after it) and no negative keyword
    stands between the two."""
    start, end = m.span()
    keyword = cues.last_before(Cue.PASSPORT, start, _PASSPORT_FAR)
    why: tuple[str, ...] = ("format", "pre-2008" if m.lastgroup == "old" else "other-format")
    digits = m.lastgroup == "digits"
    if digits and (keyword < 0 or text[start] == "0"):  # nine digits only after the keyword
        return []
    if cues.near(Cue.PASSPORT, start, end):
        confidence = 0.8 if m.lastgroup == "old" else 0.75
        why += ("keyword",)
    elif keyword >= 0:
        confidence = 0.55 if digits else 0.6
        why += ("keyword-before",)
    else:
        return []
    negative = cues.last_before(Cue.NEGATIVE, start, _NEGATIVE_NEAR)
    if negative >= 0 and negative > keyword:
        return []
    return [Candidate(PiiType.PASSPORT, start, end, confidence, why)]


def score_passport(start: int, end: int, number: str, letter: str, cues: Cues) -> Candidate:
    """A passport ``letter`` + ``number`` at ``start..end``, found with the digit runs
    (:mod:`jikimi.pii._numbers`): ``M12345678`` or the 2021 form ``M123A4567``."""
    why: tuple[str, ...] = ("format", "letter-8-digits" if number.isdigit() else "2021-format")
    confidence = 0.8 if letter == "M" else 0.45
    if cues.near(Cue.PASSPORT, start, end):
        confidence += 0.15
        why += ("keyword",)
    if cues.preceded(Cue.NEGATIVE, start):
        confidence -= 0.3
        why += ("negative-keyword",)
    return Candidate(PiiType.PASSPORT, start, end, confidence, why)
