"""The independent labelled Korean corpus, loaded as the ``Doc`` objects evaluate.py scores.

``documents.jsonl`` is written by ``make.py`` (seeded); see README.md. Import it with
``bench/pii`` on ``sys.path`` (evaluate.py puts it there), since ``Doc`` lives in corpus.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from corpus import Doc

DOCUMENTS = Path(__file__).resolve().parent / "documents.jsonl"


def load(path: Path = DOCUMENTS) -> list[Doc]:
    """Every document of the corpus, its spans as ``(type, start, end)`` and its genre as ``kind``."""
    docs: list[Doc] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            spans = [(s["type"], s["start"], s["end"]) for s in row["spans"]]
            docs.append(Doc(text=row["text"], spans=spans, kind=row["id"].rsplit("-", 1)[0]))
    return docs
