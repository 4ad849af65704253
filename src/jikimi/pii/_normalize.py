"""Normalise text for matching and map every normalised offset back to the original text.

Matching runs on a folded copy of the text: compatibility forms are folded with NFKC
(full-width digits and letters, ideographic and no-break spaces, circled digits), dash
variants become ``-``, and invisible characters (zero-width spaces, soft hyphens, BOM) are
dropped. Folding is done per character (a decomposed Hangul syllable is one unit), so each
normalised character knows which original characters it came from, and a span found in
the normalised text maps back exactly.

ASCII text, and text that NFKC leaves unchanged and that holds no dash variant or invisible
character, is used as it is, with no offset table: this is the common case and costs one scan.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2796\ufe58\ufe63\uff0d\u3161"
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_FOLD: dict[str, str] = {**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_INVISIBLE, "")}

# Characters NFKC might not flag but that we still fold, and conjoining jamo (decomposed Hangul).
_SPECIAL = re.compile(f"[{_DASHES}{_INVISIBLE}\u1100-\u11ff]")
# Stretches that fold to themselves character by character: ASCII and precomposed Hangul.
_OTHER = re.compile(r"[^\x00-\x7f\uac00-\ud7a3]+")
# One unit of folding: a decomposed Hangul syllable (L V T?) or a single character.
_JAMO = re.compile("[\u1100-\u11ff]")
_UNIT = re.compile(r"[\u1100-\u1112][\u1161-\u1175][\u11a8-\u11c2]?|.", re.DOTALL)


class Normalized(NamedTuple):
    """A normalised text and, when it differs from the original, the offset tables.

    ``starts[i]`` and ``ends[i]`` are the original offsets of the characters that produced
    normalised character ``i``; both are ``None`` when the text was used unchanged.
    """

    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty span of the normalised text to the original text."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


@lru_cache(maxsize=4096)
def _fold_unit(unit: str) -> str:
    folded = _FOLD.get(unit)
    if folded is not None:
        return folded
    result = unicodedata.normalize("NFKC", unit)
    if len(result) == 1:
        return _FOLD.get(result, result)
    return "".join(_FOLD.get(ch, ch) for ch in result)


def normalize(text: str) -> Normalized:
    """Fold ``text`` for matching; see the module docstring for what is folded."""
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and _SPECIAL.search(text) is None):
        return Normalized(text)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for other in _OTHER.finditer(text):
        stretch = other.group()
        if unicodedata.is_normalized("NFKC", stretch) and _SPECIAL.search(stretch) is None:
            continue  # this stretch folds to itself too (·, …, emoji, hanja): copied with its neighbours
        lo, hi = other.span()
        if lo > done:
            pieces.append(text[done:lo])
            starts.extend(range(done, lo))
            ends.extend(range(done + 1, lo + 1))
        done = hi
        if _JAMO.search(stretch) is None:  # every character is a unit: fold them all at once
            folded = list(map(_fold_unit, stretch))
            joined = "".join(folded)
            if len(joined) == hi - lo and "" not in folded:  # one character each: offsets run on
                pieces.append(joined)
                starts.extend(range(lo, hi))
                ends.extend(range(lo + 1, hi + 1))
                continue
        for unit in _UNIT.finditer(text, lo, hi):
            folded_unit = _fold_unit(unit.group())
            if folded_unit:
                u_lo, u_hi = unit.span()
                pieces.append(folded_unit)
                starts.extend([u_lo] * len(folded_unit))
                ends.extend([u_hi] * len(folded_unit))
    if done < len(text):
        pieces.append(text[done:])
        starts.extend(range(done, len(text)))
        ends.extend(range(done + 1, len(text) + 1))
    return Normalized("".join(pieces), starts, ends)
