"""Names met again: the names a service already knows (``known_names``), and a name found through
a cue written again later in the same text."""

from __future__ import annotations

import re
from functools import cache

from jikimi.pii._model import Candidate, PiiType
from jikimi.pii._names import _HANGUL_RUN, _PARTICLES

_ALL_HANGUL = re.compile(r"[가-힣]+(?: [가-힣]+)*")
_SPACED = re.compile(r"[가-힣]+ ")  # a foreign name of several words (안나 콜레스니코바)
_MAX_AGAIN = 32  # distinct names looked for again: a bound that keeps the pass linear


def names_again(text: str, names: list[Candidate]) -> list[Candidate]:
    """The other places where a name found through a cue is written again, as a whole word,
    perhaps with a particle (``담당자 김민수 … 김민수가 말했다``): a reader who has met the name
    knows it is the same person. Names of three or four syllables, or of several Hangul words
    (foreign names), at most ``_MAX_AGAIN``."""
    seen = {c.start for c in names}
    words = list(
        dict.fromkeys(
            [
                text[c.start : c.end]
                for c in names
                if 3 <= c.end - c.start <= 4 or _SPACED.match(text, c.start, c.end)
            ]
        )
    )
    found = []
    for name in words[:_MAX_AGAIN]:
        if _ALL_HANGUL.fullmatch(name) is None:
            continue
        at = text.find(name)
        while at >= 0:
            end = at + len(name)
            if at not in seen and not (at and "가" <= text[at - 1] <= "힣"):
                tail = _HANGUL_RUN.match(text, end)
                rest = tail.group() if tail else ""
                if not rest or rest in _PARTICLES:
                    found.append(Candidate(PiiType.NAME, at, end, 0.7, ("surname", "named-before")))
            at = text.find(name, end)
    return found


@cache
def known_names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for the names a service already knows; a name must not sit inside a longer word."""
    cleaned = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(n) for n in cleaned)
    particles = "|".join(sorted(_PARTICLES, key=len, reverse=True))
    return re.compile(rf"(?<![가-힣A-Za-z])(?:{alternatives})(?=(?:{particles})?(?![가-힣A-Za-z]))")
