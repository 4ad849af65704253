"""Word lists shipped in ``jikimi/pii/data/``, read once on first use (never at import time), and the
one pattern many of them become (a trie of literal words)."""

from __future__ import annotations

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
