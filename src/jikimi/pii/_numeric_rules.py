"""How one window of digit groups is scored for each number type.

A window is the digits of one or more consecutive groups of a run, with their group
lengths (``shape``) and the one separator between them (``""`` for a single group).
Each ``score_*`` function returns a :class:`Candidate` or ``None``; the confidence levels
are listed in docs/pii.md. Keyword look-ups go through the text's :class:`Cues`. The
windows are plain arguments, not objects: this code runs for every digit run in the text.
"""

from __future__ import annotations

import re

from jikimi.pii._checks import (
    LICENSE_REGION_NAMES,
    LICENSE_REGIONS,
    brn_ok,
    card_prefix_ok,
    ipv4_kind,
    ipv4_ok,
    luhn_ok,
    phone_kind,
    registration_checksum_ok,
    registration_date_ok,
)
from jikimi.pii._context import Cue, Cues
from jikimi.pii._model import Candidate, PiiType

_REGION_BEFORE = re.compile(r"(" + "|".join(LICENSE_REGION_NAMES) + r") ?$")
_VERSION_BEFORE = re.compile(r"(?i)버전|version|\bver|\bv$|빌드|build|릴리스|release")
_CARD_SHAPES = frozenset({(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4)})
NEGATIVE_NEAR = 12  # how close a negative keyword must be to veto an account number


def score(
    text: str,
    lo: int,
    start: int,
    end: int,
    shape: tuple[int, ...],
    sep: str,
    digits: str,
    plus82: bool,
    cues: Cues,
) -> Candidate | None:
    """The best reading of one window: ``digits``, in groups of lengths ``shape`` joined by ``sep``
    (``""`` for one group), spanning ``start..end``; the candidate starts at ``lo`` (before a
    ``+82`` or ``(`` prefix). Keyword look-ups need ``start`` and ``end``."""
    if sep == ".":
        if len(shape) == 4:
            return score_ipv4(text, lo, start, end)
        return score_phone(lo, start, end, shape, digits, plus82, cues) if digits[0] == "0" else None
    if plus82 or digits[0] == "0" or shape == (4, 4) or shape == (8,):
        phone = score_phone(lo, start, end, shape, digits, plus82, cues)
        if phone is not None or plus82:
            return phone
    size = len(digits)
    best: Candidate | None = None
    if size == 13:
        if corporate(cues, start, end):
            return None  # a corporation's registration number is not personal data
        best = score_registration(lo, start, end, shape, digits, cues)
    if 13 <= size <= 19:
        best = _better(best, score_card(lo, start, end, shape, digits, cues))
    if size == 10:
        best = _better(best, score_brn(lo, start, end, shape, digits, cues))
    if size == 10 or size == 12:
        best = _better(best, score_license(text, lo, start, end, shape, digits, cues))
    # An account (at most 0.8) or insurance number (0.85) cannot beat a stronger reading,
    # so their keyword look-ups are skipped then.
    if 10 <= size <= 14 and (best is None or best.confidence < 0.8):
        best = _better(best, score_account(lo, start, end, shape, cues))
    if 10 <= size <= 11 and (best is None or best.confidence < 0.85):
        best = _better(best, score_health(lo, start, end, shape, cues))
    return best


def corporate(cues: Cues, start: int, end: int) -> bool:
    """True if a 13-digit number is labelled a corporation's (법인등록번호, 법인번호, 등기번호):
    a corporate keyword is near and no personal one (주민, 외국인, 생년월일…) stands between it
    and the number."""
    lower = cues.lowered()  # a cheap test first: most texts name no corporation
    if "법인" not in lower and "등기" not in lower and "corporat" not in lower:
        return False
    if not cues.near(Cue.CORPORATE, start, end):
        return False
    at = cues.last_before(Cue.CORPORATE, start)
    return at >= cues.last_before(Cue.RRN, start) and at >= cues.last_before(Cue.FRN, start)


def _better(a: Candidate | None, b: Candidate | None) -> Candidate | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if b.confidence > a.confidence else a


def _adjust(
    cues: Cues, start: int, end: int, confidence: float, cue: str, why: tuple[str, ...], negatable: bool
) -> tuple[float, tuple[str, ...]]:
    """Add 0.15 for a keyword of ``cue`` nearby and, if ``negatable``, take 0.3 for a negative one."""
    if cues.near(cue, start, end):
        confidence += 0.15
        why += ("keyword",)
    if negatable and cues.preceded(Cue.NEGATIVE, start):
        confidence -= 0.3
        why += ("negative-keyword",)
    return confidence, why


def score_ipv4(text: str, lo: int, start: int, end: int) -> Candidate | None:
    parts = text[start:end].replace(" ", "").split(".")
    if not ipv4_ok(parts):
        return None
    kind = ipv4_kind(parts)
    if _VERSION_BEFORE.search(text, max(0, start - 12), start):
        return Candidate(PiiType.IP, lo, end, 0.3, ("ipv4", kind, "version-like"))
    return Candidate(PiiType.IP, lo, end, 0.9, ("ipv4", kind))


def score_phone(
    lo: int, start: int, end: int, shape: tuple[int, ...], digits: str, plus82: bool, cues: Cues
) -> Candidate | None:
    if not plus82 and digits[0] != "0" and len(digits) != 8:
        return None
    if len(shape) > 3 or (len(shape) > 1 and shape[-1] != 4):
        return None
    kind = phone_kind(digits[1:] if digits[0] == "0" else digits)
    if kind is None:
        return None
    bare = len(shape) == 1
    if plus82:
        confidence = 0.95
    elif not bare:
        confidence = 0.9 if kind != "uan" else 0.75
    else:
        confidence = 0.8 if kind == "mobile" else 0.5 if kind != "uan" else 0.35
    confidence, why = _adjust(cues, start, end, confidence, Cue.PHONE, ("kr-numbering-plan", kind), bare)
    return Candidate(PiiType.PHONE, lo, end, confidence, why)


def score_registration(
    lo: int, start: int, end: int, shape: tuple[int, ...], digits: str, cues: Cues
) -> Candidate | None:
    if shape != (13,) and shape != (6, 7):
        return None
    foreign = digits[6] in "5678"
    if not registration_date_ok(digits, foreign=foreign):
        return None
    why: tuple[str, ...] = ("format", "birth-date", "gender-digit")
    bare = len(shape) == 1
    confidence = 0.4 if bare else 0.8
    if registration_checksum_ok(digits, foreign=foreign):
        confidence += 0.45 if bare else 0.15
        why += ("checksum",)
    confidence, why = _adjust(cues, start, end, confidence, Cue.FRN if foreign else Cue.RRN, why, bare)
    return Candidate(PiiType.FRN if foreign else PiiType.RRN, lo, end, confidence, why)


def score_card(
    lo: int, start: int, end: int, shape: tuple[int, ...], digits: str, cues: Cues
) -> Candidate | None:
    bare = len(shape) == 1
    if not (bare or shape in _CARD_SHAPES):
        return None
    if not card_prefix_ok(digits) or not luhn_ok(digits):
        return None
    confidence, why = _adjust(
        cues, start, end, 0.65 if bare else 0.95, Cue.CARD, ("issuer-prefix", "luhn"), True
    )
    return Candidate(PiiType.CARD, lo, end, confidence, why)


def score_brn(
    lo: int, start: int, end: int, shape: tuple[int, ...], digits: str, cues: Cues
) -> Candidate | None:
    bare = shape == (10,)
    if not bare and shape != (3, 2, 5):
        return None
    if bare and not cues.near(
        Cue.BRN, start, end
    ):  # ten bare digits are a business number only when named one
        return None
    if not brn_ok(digits):
        return None
    confidence, why = _adjust(cues, start, end, 0.4 if bare else 0.85, Cue.BRN, ("format", "checksum"), bare)
    return Candidate(PiiType.BRN, lo, end, confidence, why)


def score_license(
    text: str, lo: int, start: int, end: int, shape: tuple[int, ...], digits: str, cues: Cues
) -> Candidate | None:
    # A region name just before (서울 12-345678-90, 부산 11-12-345678-90) is part of the number:
    # the span starts there, so masking hides it too.
    if shape == (12,) or shape == (2, 2, 6, 2):
        if digits[:2] not in LICENSE_REGIONS:
            return None
        why: tuple[str, ...] = ("format", "region-code")
        confidence = 0.4 if len(shape) == 1 else 0.8
    elif shape != (2, 6, 2):
        return None
    else:
        why = ("format",)
        confidence = 0.0
    region = _REGION_BEFORE.search(text, max(0, start - 6), start) if len(shape) > 1 and lo == start else None
    if region is not None:
        why += ("region-name",)
        confidence = 0.85
        lo = region.start()
    elif confidence == 0.0:
        return None  # 2-6-2 only after a region name
    confidence, why = _adjust(cues, start, end, confidence, Cue.LICENSE, why, True)
    return Candidate(PiiType.DRIVER_LICENSE, lo, end, confidence, why)


def score_account(lo: int, start: int, end: int, shape: tuple[int, ...], cues: Cues) -> Candidate | None:
    # every group has two digits or more, but the last of three or more may be one check digit
    # (508-10-238847-2)
    if min(shape[:-1] if len(shape) > 2 else shape) < 2 or not cues.near(Cue.ACCOUNT, start, end):
        return None
    confidence = 0.7 if len(shape) == 1 else 0.8
    if cues.preceded(Cue.NEGATIVE, start, NEGATIVE_NEAR):
        return Candidate(
            PiiType.ACCOUNT, lo, end, confidence - 0.3, ("length", "keyword", "negative-keyword")
        )
    return Candidate(PiiType.ACCOUNT, lo, end, confidence, ("length", "keyword"))


def score_health(lo: int, start: int, end: int, shape: tuple[int, ...], cues: Cues) -> Candidate | None:
    if len(shape) > 2 or not cues.near(Cue.HEALTH, start, end):
        return None
    return Candidate(PiiType.HEALTH_INSURANCE, lo, end, 0.85, ("length", "keyword"))
