"""The names jikimi misses and the words it takes for names, with the text around them.

    python bench/pii/misses.py [--corpus independent|generated] [--type name] [--context 20]

Prints one line per missed gold span (``MISS``) and per false positive (``FP``): the document's
genre, the span in brackets inside its context (newlines shown as ``⏎``), and, for a miss, the
characters after it (what a cue would have to read). Then counts by genre. Matching is the
evaluator's (same type, intersection over union ≥ 0.5, each gold span used once).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import jikimi.pii  # noqa: F401
except ImportError:  # run from a checkout without installing jikimi
    sys.path.insert(0, str(HERE.parents[1] / "src"))

from corpus import Doc, generate  # noqa: E402
from evaluate import _iou  # noqa: E402

from jikimi.pii import Scanner  # noqa: E402


def _shown(text: str, start: int, end: int, context: int) -> str:
    before = text[max(0, start - context) : start]
    after = text[end : end + context]
    return f"{before}[{text[start:end]}]{after}".replace("\n", "⏎")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", choices=("generated", "independent"), default="independent")
    parser.add_argument("--type", default="name")
    parser.add_argument("--context", type=int, default=20)
    args = parser.parse_args()
    if args.corpus == "independent":
        from independent import load

        docs: list[Doc] = load()
    else:
        docs = generate(7, 2400)
    scanner = Scanner()
    misses: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for doc in docs:
        gold = [(s, e) for t, s, e in doc.spans if t == args.type]
        used = [False] * len(gold)
        for f in scanner.scan(doc.text):
            if f.type.value != args.type:
                continue
            best, best_i = 0.0, -1
            for i, span in enumerate(gold):
                if not used[i] and (overlap := _iou((f.start, f.end), span)) > best:
                    best, best_i = overlap, i
            if best >= 0.5:
                used[best_i] = True
            else:
                wrong[doc.kind] += 1
                print(f"FP\t{doc.kind}\t{_shown(doc.text, f.start, f.end, args.context)}")
        for (start, end), hit in zip(gold, used, strict=True):
            if not hit:
                misses[doc.kind] += 1
                print(f"MISS\t{doc.kind}\t{_shown(doc.text, start, end, args.context)}")
    print(f"# misses by genre: {dict(misses.most_common())}", file=sys.stderr)
    print(f"# false positives by genre: {dict(wrong.most_common())}", file=sys.stderr)


if __name__ == "__main__":
    main()
