"""The morphological analyser behind name finding: kiwipiepy, asked only about a doubtful name
candidate and a few words around it, and the list of name-shaped common words computed from its
readings once (``data/name_shaped_words.txt.gz``), so most candidates are looked up, not analysed.

kiwipiepy's model ships as the ``kiwipiepy-model`` PyPI package: nothing is downloaded at run time.
The analyser is loaded on first use, once per process, and used under a lock.
"""

from __future__ import annotations

import gzip
import threading
import warnings
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

# --- the morphological analyser, asked only about a candidate and the words around it ---------

_KIWI: list[Any] = []
_KIWI_LOCK = threading.Lock()
_UNKNOWN = 10
# tags of particles, endings, suffixes, copula and bound nouns: what may follow a common word
# inside a name-shaped candidate (이상/의, 진행/중, 정기/적)
_GRAMMATICAL = ("J", "E", "X", "VCP", "NNB")
_WINDOW = 6  # characters of context on each side of a candidate, within its line


def _analyser() -> Any:
    """kiwipiepy's Kiwi, loaded on first use, once per process (its model is a PyPI package)."""
    if not _KIWI:
        with _KIWI_LOCK:
            if not _KIWI:
                from kiwipiepy import Kiwi

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)  # num_workers=0: one thread
                    _KIWI.append(Kiwi(num_workers=0, load_typo_dict=False, load_multi_dict=False))
    return _KIWI[0]


@lru_cache(maxsize=4096)
def _tokens(window: str) -> tuple[tuple[int, int, str, int], ...]:
    """(start, end, tag, morpheme id) of every token of ``window``."""
    kiwi = _analyser()
    with _KIWI_LOCK:
        tokens = kiwi.tokenize(window, match_options=0)  # no URL, e-mail or serial matching
    return tuple((t.start, t.start + t.len, t.tag, t.id) for t in tokens)


def _common_reading(tokens: Sequence[tuple[int, int, str, int]], start: int, end: int) -> bool:
    """Whether the analysis reads ``[start, end)`` as a word of the dictionary other than a proper
    noun — ``사무실``, ``상기``, ``지도``, or such a word and a particle or suffix (``이상/의``,
    ``정기/적``) — rather than a name. A word the analyser does not know gets a placeholder
    morpheme (id below _UNKNOWN) and a guessed tag: an unknown word next to a name cue is more
    likely a name. A surname split from its given name (``최/NNP 영기``) still counts as a name."""
    for i, (t_start, t_end, tag, morpheme) in enumerate(tokens):
        if t_end <= start:
            continue
        if tag == "NNP" or morpheme < _UNKNOWN:
            return False
        if t_start < start:
            return True  # the candidate starts inside a longer word
        if t_end - start < 2:
            return False
        rest = [t[2] for t in tokens[i + 1 :] if t[0] < end]
        return all(t.startswith(_GRAMMATICAL) for t in rest)
    return False


def _common_word(text: str, start: int, end: int) -> bool:
    """Whether the analyser reads ``text[start:end]``, among the words around it (within its
    line), as a common word rather than a name (see :func:`_common_reading`)."""
    lo = max(0, start - _WINDOW)
    newline = text.rfind("\n", lo, start)
    if newline >= 0:
        lo = newline + 1
    hi = min(len(text), end + _WINDOW)
    newline = text.find("\n", end, hi)
    if newline >= 0:
        hi = newline
    return _common_reading(_tokens(text[lo:hi]), start - lo, end - lo)


def _proper_words(text: str) -> bool:
    """Whether the analyser reads every word of ``text`` (a field after a name label, such as
    ``안나 콜레스니코바``) as a proper noun or a word it does not know: no common word (외, 고객)."""
    tokens = _tokens(text)
    return bool(tokens) and all(tag == "NNP" or morpheme < _UNKNOWN for _, _, tag, morpheme in tokens)


class _Shaped(NamedTuple):
    words: frozenset[str]  # every name-shaped common word
    whole: frozenset[str]  # those the analyser reads as one word of its dictionary (사무실, 배우자)


@cache
def _shaped() -> _Shaped:
    """The common words shaped like a name of two to four syllables (``data/name_shaped_words.txt.gz``:
    the analyser's reading of every such word, computed once by ``scripts/pii_name_shaped_words.py``).
    A line ``이상 *의가 *`` stands for 이상, 이상의 and 이상가, of which 이상 is one dictionary word."""
    raw = resources.files("jikimi.pii").joinpath("data").joinpath("name_shaped_words.txt.gz").read_bytes()
    words: list[str] = []
    whole: list[str] = []
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            head, tails, *one = line.split(" ")
            words += [head if tail == "*" else head + tail for tail in tails]
            whole += [head if tail == "*" else head + tail for tail in "".join(one)]
    return _Shaped(frozenset(words), frozenset(whole))


def _name_shaped_words() -> frozenset[str]:
    """The common words shaped like a name of two to four syllables (see :func:`_shaped`)."""
    return _shaped().words


# One-syllable particles: a common word of two syllables and one of them is not a name (지금은).
_PARTICLE_SYLLABLES = frozenset("은는이가을를도만의와과")


def _common_alone(name: str) -> bool:
    """Whether ``name``, written alone in a cell or before personal data, is a common word even
    there: one word of the analyser's dictionary (사무실, 경비실, 배우자), or a common word of two
    syllables and a particle (지금은). Name-shaped words the analyser splits (박동/호) stay names."""
    shaped = _shaped()
    if name in shaped.whole:
        return True
    return len(name) == 3 and name[2] in _PARTICLE_SYLLABLES and name[:2] in shaped.words


def _confirmed(text: str, start: int, end: int, doubtful: bool) -> bool:
    """Whether a plausible candidate is a name: sure ones are; a doubtful one is looked up among
    the common words of its shape (two or three syllables with a one-syllable surname, four with a
    two-syllable one: the only shapes :func:`jikimi.pii._names._plausible` admits)."""
    return not doubtful or text[start:end] not in _name_shaped_words()
