"""Digit runs: registration, phone, card, business, licence, account, insurance numbers, IPv4.

One regex finds every run of digit groups joined by single separators (``-``, ``.`` or a
space, spaces allowed around a dash), with an optional ``+82`` or ``(02)`` prefix. The run
must not touch a Latin letter or digit on either side, but may touch Hangul, so
``010-1234-5678로`` and ``4111111111111111입니다`` are found. Each run is then cut into
windows of up to five consecutive groups, and each window is tried against every number
type; the best-scoring window wins and the scan continues after it. See docs/pii.md for the
confidence each shape gets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jikimi.pii._checks import (
    LICENSE_REGION_NAMES,
    LICENSE_REGIONS,
    brn_ok,
    card_prefix_ok,
    ipv4_ok,
    luhn_ok,
    phone_kind,
    registration_checksum_ok,
    registration_date_ok,
)
from jikimi.pii._context import Cue, near, preceded
from jikimi.pii._model import Candidate, PiiType

_RUN = re.compile(
    r"(?<![0-9A-Za-z_@])(?<![0-9A-Za-z]-)"
    r"(?P<prefix>\+82[ -]?(?:\(0\)[ -]?)?|\(0\d{1,2}\)[ -]?)?"
    r"\d+(?:(?: ?[-.] ?| )\d+)*"
    r"(?![0-9A-Za-z@])"
)
_GROUP = re.compile(r"\d+")
_REGION_BEFORE = re.compile(r"(" + "|".join(LICENSE_REGION_NAMES) + r") ?$")
_MAX_WINDOW = 5
_MAX_DIGITS = 19

Scored = tuple[PiiType, float, tuple[str, ...]]


def find_numbers(text: str) -> Iterator[Candidate]:
    """Every numeric finding in ``text`` (normalised), before overlap resolution."""
    for run in _RUN.finditer(text):
        start, end = run.span()
        prefix = run.group("prefix")
        if prefix is None and end - start < 8 and "." not in run.group():
            continue
        plus82 = prefix is not None and prefix.startswith("+")
        body_start = start + len(prefix) if plus82 and prefix else start
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, body_start, end)]
        yield from _scan_groups(text, groups, start if prefix else None, plus82)


def _scan_groups(
    text: str, groups: list[tuple[int, int]], lead: int | None, plus82: bool
) -> Iterator[Candidate]:
    i = 0
    while i < len(groups):
        best: tuple[float, int, Candidate] | None = None
        digits = ""
        for j in range(i, min(len(groups), i + _MAX_WINDOW)):
            digits += text[groups[j][0] : groups[j][1]]
            if len(digits) > _MAX_DIGITS:
                break
            seps = [_sep(text[groups[n][1] : groups[n + 1][0]]) for n in range(i, j)]
            if len(set(seps)) > 1:
                break
            window = _Window(text, groups[i : j + 1], seps[0] if seps else "", digits, plus82 and i == 0)
            scored = window.score()
            if scored is not None:
                kind, confidence, why = scored
                lo = lead if i == 0 and lead is not None else groups[i][0]
                cand = Candidate(kind, lo, groups[j][1], min(confidence, 0.99), why)
                if best is None or confidence > best[0]:
                    best = (confidence, j, cand)
        if best is None:
            i += 1
            continue
        yield best[2]
        i = best[1] + 1


def _sep(between: str) -> str:
    """The separator between two groups: ``-``, ``.`` or ``" "``; ``(02) 123`` counts as a dash."""
    return between.replace(")", "-").strip() or " "


class _Window:
    """Consecutive digit groups of one run, joined by one kind of separator."""

    __slots__ = ("text", "start", "end", "shape", "sep", "digits", "plus82")

    def __init__(self, text: str, groups: list[tuple[int, int]], sep: str, digits: str, plus82: bool):
        self.text = text
        self.start = groups[0][0]
        self.end = groups[-1][1]
        self.shape = tuple(hi - lo for lo, hi in groups)
        self.sep = sep
        self.digits = digits
        self.plus82 = plus82

    @property
    def bare(self) -> bool:
        return len(self.shape) == 1

    def near(self, cue: Cue) -> bool:
        return near(self.text, self.start, self.end, cue)

    def score(self) -> Scored | None:
        if self.sep == ".":
            return self._ipv4()
        if self.plus82 or self.digits[0] == "0" or self.shape in ((4, 4), (8,)):
            phone = self._phone()
            if phone is not None or self.plus82:
                return phone
        options = [self._registration(), self._card(), self._brn(), self._license()]
        options += [self._account(), self._health()]
        found = [o for o in options if o is not None]
        return max(found, key=lambda o: o[1]) if found else None

    def _adjust(self, confidence: float, cue: Cue, why: list[str], *, negatable: bool) -> float:
        if self.near(cue):
            confidence += 0.15
            why.append("keyword")
        if negatable and preceded(self.text, self.start, Cue.NEGATIVE):
            confidence -= 0.3
            why.append("negative-keyword")
        return confidence

    def _ipv4(self) -> Scored | None:
        parts = [self.text[m.start() : m.end()] for m in _GROUP.finditer(self.text, self.start, self.end)]
        if not ipv4_ok(parts):
            return None
        if re.search(r"(?i)버전|version|\bver|\bv$", self.text[max(0, self.start - 12) : self.start]):
            return PiiType.IP, 0.3, ("ipv4", "version-like")
        return PiiType.IP, 0.9, ("ipv4",)

    def _phone(self) -> Scored | None:
        digits = self.digits
        national = digits[1:] if digits[0] == "0" else digits
        if not self.plus82 and digits[0] != "0" and len(digits) != 8:
            return None
        if len(self.shape) > 3 or (len(self.shape) > 1 and self.shape[-1] != 4):
            return None
        kind = phone_kind(national)
        if kind is None:
            return None
        why = ["kr-numbering-plan", kind]
        if self.plus82:
            confidence = 0.95
        elif not self.bare:
            confidence = 0.9 if kind != "uan" else 0.75
        else:
            confidence = 0.8 if kind == "mobile" else 0.5 if kind != "uan" else 0.35
        return PiiType.PHONE, self._adjust(confidence, Cue.PHONE, why, negatable=self.bare), tuple(why)

    def _registration(self) -> Scored | None:
        if self.shape not in ((13,), (6, 7)) or self.sep not in ("", "-", " "):
            return None
        foreign = self.digits[6] in "5678"
        if not registration_date_ok(self.digits, foreign=foreign):
            return None
        kind = PiiType.FRN if foreign else PiiType.RRN
        why = ["format", "birth-date", "gender-digit"]
        confidence = 0.4 if self.bare else 0.8
        if registration_checksum_ok(self.digits, foreign=foreign):
            confidence += 0.45 if self.bare else 0.15
            why.append("checksum")
        confidence = self._adjust(confidence, Cue.FRN if foreign else Cue.RRN, why, negatable=self.bare)
        return kind, confidence, tuple(why)

    def _card(self) -> Scored | None:
        shapes = ((4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4))
        if not (self.bare or self.shape in shapes) or not 13 <= len(self.digits) <= 19:
            return None
        if not card_prefix_ok(self.digits) or not luhn_ok(self.digits):
            return None
        why = ["issuer-prefix", "luhn"]
        confidence = 0.65 if self.bare else 0.95
        return PiiType.CARD, self._adjust(confidence, Cue.CARD, why, negatable=True), tuple(why)

    def _brn(self) -> Scored | None:
        if self.shape not in ((10,), (3, 2, 5)) or not brn_ok(self.digits):
            return None
        why = ["format", "checksum"]
        confidence = 0.4 if self.bare else 0.85
        return PiiType.BRN, self._adjust(confidence, Cue.BRN, why, negatable=self.bare), tuple(why)

    def _license(self) -> Scored | None:
        why = ["format"]
        if self.shape in ((12,), (2, 2, 6, 2)):
            if self.digits[:2] not in LICENSE_REGIONS:
                return None
            why.append("region-code")
            confidence = 0.4 if self.bare else 0.8
        elif self.shape == (2, 6, 2):
            region = _REGION_BEFORE.search(self.text, max(0, self.start - 6), self.start)
            if region is None:
                return None
            why.append("region-name")
            confidence = 0.85
        else:
            return None
        return PiiType.DRIVER_LICENSE, self._adjust(confidence, Cue.LICENSE, why, negatable=True), tuple(why)

    def _account(self) -> Scored | None:
        if not 10 <= len(self.digits) <= 14 or self.sep not in ("", "-", " ") or min(self.shape) < 2:
            return None
        if not self.near(Cue.ACCOUNT):
            return None
        why = ["length", "keyword"]
        confidence = 0.7 if self.bare else 0.8
        if preceded(self.text, self.start, Cue.NEGATIVE, before=12):
            confidence -= 0.3
            why.append("negative-keyword")
        return PiiType.ACCOUNT, confidence, tuple(why)

    def _health(self) -> Scored | None:
        if not 10 <= len(self.digits) <= 11 or len(self.shape) > 2 or not self.near(Cue.HEALTH):
            return None
        return PiiType.HEALTH_INSURANCE, 0.85, ("length", "keyword")
