"""Word lists shipped in ``jikimi/pii/data/``, read once on first use (never at import time)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def word_list(name: str) -> tuple[str, ...]:
    """The non-comment lines of ``data/<name>.txt``, in file order, without duplicates."""
    raw = resources.files("jikimi.pii").joinpath("data").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    words = (line.strip() for line in raw.splitlines())
    return tuple(dict.fromkeys(w for w in words if w and not w.startswith("#")))
