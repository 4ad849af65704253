"""Word lists shipped in ``jikimi/pii/data/``, read once on first use (never at import time), and the
one pattern many of them become (a trie of literal words)."""

from __future__ import annotations

import heapq
import re
from functools import cache
from importlib import resources
from typing import Any


@cache
def word_list(name: str) -> tuple[str, ...]:
    """The non-comment lines of ``data/<name>.txt``, in file order, without duplicates."""
    raw = resources.files("jikimi.pii").joinpath("data").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    words = (line.strip() for line in raw.splitlines())
    return tuple(dict.fromkeys(w for w in words if w and not w.startswith("#")))


def trie_pattern(words: frozenset[str]) -> str:
    """Literal words as a trie (``고(?:객(?:님|명)?|...)|...``), so a longer cue wins over one it
    contains (지도교수, 교수) and the engine compares each character once. The top level has no
    group: every alternative starts with a literal, so the engine skips ahead to them in C."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branches(node: dict[str, Any]) -> list[str]:
        return [re.escape(ch) + rest(node[ch]) for ch in sorted(node) if ch]

    def rest(node: dict[str, Any]) -> str:
        alternatives = branches(node)
        if not alternatives:
            return ""
        if len(alternatives) == 1 and "" not in node:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")" + ("?" if "" in node else "")

    return "|".join(branches(tree))


# Literal words are looked for with this many patterns, each for a share of the characters a word
# starts with: where the text holds such a character the engine tries that pattern's alternatives
# only, not all of them one after the other (for the name cues, about a fifth less time).
_PARTS = 4


def trie_patterns(words: frozenset[str], parts: int = _PARTS) -> tuple[re.Pattern[str], ...]:
    """``words`` as several trie patterns, by first character (see :func:`scan_words`)."""
    firsts = sorted({w[0] for w in words})
    return tuple(
        re.compile(trie_pattern(frozenset(w for w in words if w[0] in chunk)))
        for i in range(parts)
        if (chunk := set(firsts[i * len(firsts) // parts : (i + 1) * len(firsts) // parts]))
    )


def scan_words(text: str, parts: tuple[re.Pattern[str], ...]) -> list[re.Match[str]]:
    """The words of ``text`` as one pattern of all of them would give them with ``finditer``
    (leftmost, then not overlapping), merged from ``parts`` (:func:`trie_patterns`): no two parts
    match at one position, and a match that starts inside the last one taken is looked for again
    after it, so each part reads each character at most once."""
    heads = []
    for i, part in enumerate(parts):
        m = part.search(text)
        if m is not None:
            heads.append((m.start(), i, m))
    heapq.heapify(heads)
    found: list[re.Match[str]] = []
    pos = 0
    while heads:
        start, i, m = heads[0]
        if start >= pos:
            found.append(m)
            pos = m.end()
        nxt = parts[i].search(text, pos)
        if nxt is None:
            heapq.heappop(heads)
        else:
            heapq.heapreplace(heads, (nxt.start(), i, nxt))
    return found
