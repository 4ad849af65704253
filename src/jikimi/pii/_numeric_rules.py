"""How one window of digit groups is scored for each number type.

A window is the digits of one or more consecutive groups of a run, with their group
lengths (``shape``) and the one separator between them (``""`` for a single group).
Each ``score_*`` function returns ``(type, confidence, why)`` or ``None``; the confidence
levels are listed in docs/pii.md. Keyword look-ups go through the text's :class:`Cues`.
"""

from __future__ import annotations

import re

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
from jikimi.pii._context import BEFORE, Cue, Cues
from jikimi.pii._model import PiiType

Scored = tuple[PiiType, float, tuple[str, ...]]

_REGION_BEFORE = re.compile(r"(" + "|".join(LICENSE_REGION_NAMES) + r") ?$")
_VERSION_BEFORE = re.compile(r"(?i)버전|version|\bver|\bv$|빌드|build|릴리스|release")
_CARD_SHAPES = frozenset({(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4)})
NEGATIVE_NEAR = 12  # how close a negative keyword must be to veto an account number


class Window:
    """One candidate window; plain attributes, built once per scored window."""

    __slots__ = ("text", "start", "end", "shape", "sep", "digits", "plus82", "cues")

    def __init__(self, text: str, start: int, end: int, shape: tuple[int, ...], sep: str, digits: str,
                 plus82: bool, cues: Cues) -> None:
        self.text, self.start, self.end, self.shape = text, start, end, shape
        self.sep, self.digits, self.plus82, self.cues = sep, digits, plus82, cues

    def near(self, cue: str) -> bool:
        return self.cues.near(cue, self.start, self.end)

    def negative(self, before: int = BEFORE) -> bool:
        return self.cues.preceded(Cue.NEGATIVE, self.start, before=before)

    def adjust(self, confidence: float, cue: str, why: list[str], *, negatable: bool) -> float:
        if self.near(cue):
            confidence += 0.15
            why.append("keyword")
        if negatable and self.negative():
            confidence -= 0.3
            why.append("negative-keyword")
        return confidence


def score(w: Window) -> Scored | None:
    """The best type for this window, or ``None``."""
    digits = w.digits
    if w.sep == ".":
        if len(w.shape) == 4:
            return score_ipv4(w)
        return score_phone(w) if digits[0] == "0" else None
    if w.plus82 or digits[0] == "0" or w.shape == (4, 4) or w.shape == (8,):
        phone = score_phone(w)
        if phone is not None or w.plus82:
            return phone
    size = len(digits)
    best: Scored | None = None
    if size == 13:
        best = score_registration(w)
    if 13 <= size <= 19:
        best = _better(best, score_card(w))
    if size == 10:
        best = _better(best, score_brn(w))
    if size == 10 or size == 12:
        best = _better(best, score_license(w))
    # An account (at most 0.8) or insurance number (0.85) cannot beat a stronger reading,
    # so their keyword look-ups are skipped then.
    if 10 <= size <= 14 and (best is None or best[1] < 0.8):
        best = _better(best, score_account(w))
    if 10 <= size <= 11 and (best is None or best[1] < 0.85):
        best = _better(best, score_health(w))
    return best


def _better(a: Scored | None, b: Scored | None) -> Scored | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if b[1] > a[1] else a


def score_ipv4(w: Window) -> Scored | None:
    if not ipv4_ok(w.text[w.start : w.end].replace(" ", "").split(".")):
        return None
    if _VERSION_BEFORE.search(w.text, max(0, w.start - 12), w.start):
        return PiiType.IP, 0.3, ("ipv4", "version-like")
    return PiiType.IP, 0.9, ("ipv4",)


def score_phone(w: Window) -> Scored | None:
    digits, shape = w.digits, w.shape
    if not w.plus82 and digits[0] != "0" and len(digits) != 8:
        return None
    if len(shape) > 3 or (len(shape) > 1 and shape[-1] != 4):
        return None
    kind = phone_kind(digits[1:] if digits[0] == "0" else digits)
    if kind is None:
        return None
    why = ["kr-numbering-plan", kind]
    bare = len(shape) == 1
    if w.plus82:
        confidence = 0.95
    elif not bare:
        confidence = 0.9 if kind != "uan" else 0.75
    else:
        confidence = 0.8 if kind == "mobile" else 0.5 if kind != "uan" else 0.35
    return PiiType.PHONE, w.adjust(confidence, Cue.PHONE, why, negatable=bare), tuple(why)


def score_registration(w: Window) -> Scored | None:
    if w.shape != (13,) and w.shape != (6, 7):
        return None
    digits = w.digits
    foreign = digits[6] in "5678"
    if not registration_date_ok(digits, foreign=foreign):
        return None
    kind = PiiType.FRN if foreign else PiiType.RRN
    why = ["format", "birth-date", "gender-digit"]
    bare = len(w.shape) == 1
    confidence = 0.4 if bare else 0.8
    if registration_checksum_ok(digits, foreign=foreign):
        confidence += 0.45 if bare else 0.15
        why.append("checksum")
    confidence = w.adjust(confidence, Cue.FRN if foreign else Cue.RRN, why, negatable=bare)
    return kind, confidence, tuple(why)


def score_card(w: Window) -> Scored | None:
    bare = len(w.shape) == 1
    if not (bare or w.shape in _CARD_SHAPES):
        return None
    if not card_prefix_ok(w.digits) or not luhn_ok(w.digits):
        return None
    why = ["issuer-prefix", "luhn"]
    return PiiType.CARD, w.adjust(0.65 if bare else 0.95, Cue.CARD, why, negatable=True), tuple(why)


def score_brn(w: Window) -> Scored | None:
    bare = w.shape == (10,)
    if not bare and w.shape != (3, 2, 5):
        return None
    if bare and not w.near(Cue.BRN):  # ten bare digits are a business number only when named one
        return None
    if not brn_ok(w.digits):
        return None
    why = ["format", "checksum"]
    return PiiType.BRN, w.adjust(0.4 if bare else 0.85, Cue.BRN, why, negatable=bare), tuple(why)


def score_license(w: Window) -> Scored | None:
    why = ["format"]
    if w.shape == (12,) or w.shape == (2, 2, 6, 2):
        if w.digits[:2] not in LICENSE_REGIONS:
            return None
        why.append("region-code")
        confidence = 0.4 if len(w.shape) == 1 else 0.8
    elif w.shape == (2, 6, 2):
        if _REGION_BEFORE.search(w.text, max(0, w.start - 6), w.start) is None:
            return None
        why.append("region-name")
        confidence = 0.85
    else:
        return None
    return PiiType.DRIVER_LICENSE, w.adjust(confidence, Cue.LICENSE, why, negatable=True), tuple(why)


def score_account(w: Window) -> Scored | None:
    if w.sep == "." or min(w.shape) < 2 or not w.near(Cue.ACCOUNT):
        return None
    why = ["length", "keyword"]
    confidence = 0.7 if len(w.shape) == 1 else 0.8
    if w.negative(NEGATIVE_NEAR):
        confidence -= 0.3
        why.append("negative-keyword")
    return PiiType.ACCOUNT, confidence, tuple(why)


def score_health(w: Window) -> Scored | None:
    if len(w.shape) > 2 or not w.near(Cue.HEALTH):
        return None
    return PiiType.HEALTH_INSURANCE, 0.85, ("length", "keyword")
