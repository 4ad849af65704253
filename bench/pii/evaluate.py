"""Precision, recall, F1 and throughput of jikimi.pii, Presidio and ko-pii on one corpus, in one run.

    python bench/pii/evaluate.py [--corpus generated|independent] [--seed 7] [--docs 2400] [--repeat 2]

``--corpus generated`` (the default) scores the seeded corpus of corpus.py;
``--corpus independent`` scores bench/pii/independent/documents.jsonl, a labelled set
written without reading the detector (see bench/pii/independent/README.md), for which
``--seed`` and ``--docs`` do not apply.

Prints JSON lines (one per system and type, one per system for throughput, each with a
ratio against Presidio measured in the same run), then a side-by-side table. A prediction
counts as a true positive when it has the gold type and its span overlaps the gold span
with an intersection-over-union of at least 0.5; each gold span is matched at most once.
Presidio and ko-pii are optional (see requirements.txt); without them only jikimi is scored.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import jikimi.pii  # noqa: F401
except ImportError:  # run from a checkout without installing jikimi
    sys.path.insert(0, str(HERE.parents[1] / "src"))

from corpus import Doc, generate  # noqa: E402
from peers import Spans, load_kopii, load_presidio  # noqa: E402

from jikimi.pii import Scanner  # noqa: E402
from jikimi.pii._model import STRUCTURED_TYPES  # noqa: E402

TYPES = [
    "rrn",
    "frn",
    "passport",
    "driver_license",
    "brn",
    "phone",
    "email",
    "card",
    "ip",
    "account",
    "health_insurance",
    "car_plate",
    "name",
    "address",
]
STRUCTURED = TYPES[:9]
THRESHOLDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter / (max(a[1], b[1]) - min(a[0], b[0])) if inter > 0 else 0.0


def score(
    docs: Sequence[Doc], predictions: Sequence[Spans], threshold: float = 0.0
) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {t: Counter() for t in TYPES}
    for doc, predicted in zip(docs, predictions, strict=True):
        gold = [(t, s, e) for t, s, e in doc.spans]
        used = [False] * len(gold)
        for kind, start, end, conf in predicted:
            if conf < threshold or kind not in counts:
                continue
            best, best_i = 0.0, -1
            for i, (g_kind, g_start, g_end) in enumerate(gold):
                if not used[i] and g_kind == kind:
                    overlap = _iou((start, end), (g_start, g_end))
                    if overlap > best:
                        best, best_i = overlap, i
            if best >= 0.5:
                used[best_i] = True
                counts[kind]["tp"] += 1
            else:
                counts[kind]["fp"] += 1
        for i, (g_kind, _, _) in enumerate(gold):
            if not used[i]:
                counts[g_kind]["fn"] += 1
    return counts


def prf(c: Counter[str]) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def total(counts: dict[str, Counter[str]], types: Sequence[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for t in types:
        out.update(counts[t])
    return out


def timed(detect: Callable[[str], Spans], texts: Sequence[str], repeat: int) -> tuple[list[Spans], float]:
    """Predictions and the best CPU time of ``repeat`` passes.

    CPU time of this process (not wall time), so other work on a shared machine does not
    count against whichever system happens to run while it is busy.
    """
    for text in texts[:20]:  # warm caches and lazy compilation
        detect(text)
    best = float("inf")
    result: list[Spans] = []
    for _ in range(repeat):
        started = time.process_time()
        result = [detect(t) for t in texts]
        best = min(best, time.process_time() - started)
    return result, best


def jikimi_detector(scanner: Scanner) -> Callable[[str], Spans]:
    def detect(text: str) -> Spans:
        return [(f.type.value, f.start, f.end, f.confidence) for f in scanner.scan(text)]

    return detect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("generated", "independent"), default="generated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--docs", type=int, default=2400)
    parser.add_argument("--repeat", type=int, default=2, help="timed passes per system; the best is kept")
    args = parser.parse_args()

    if args.corpus == "independent":
        from independent import load

        docs = load()
        about: dict[str, object] = {"name": "independent"}
    else:
        docs = generate(args.seed, args.docs)
        about = {"seed": args.seed}
    texts = [d.text for d in docs]
    chars = sum(len(t) for t in texts)
    gold = Counter(t for d in docs for t, _, _ in d.spans)
    print(
        json.dumps(
            {
                "bench": "pii",
                "corpus": {
                    **about,
                    "docs": len(docs),
                    "chars": chars,
                    "gold": dict(sorted(gold.items())),
                },
            },
            ensure_ascii=False,
        )
    )

    systems: dict[str, tuple[Callable[[str], Spans], str]] = {
        "jikimi": (jikimi_detector(Scanner()), "jikimi.pii Scanner() defaults"),
    }
    for name, loader in (("presidio", load_presidio), ("ko-pii", load_kopii)):
        detect, note = loader()
        if detect is None:
            print(f"# {name} skipped: {note}", file=sys.stderr)
        else:
            systems[name] = (detect, note)

    results: dict[str, dict[str, Counter[str]]] = {}
    speed: dict[str, float] = {}
    chosen: dict[str, float] = {}
    for name, (detect, _) in systems.items():
        predictions, seconds = timed(detect, texts, args.repeat)
        speed[name] = chars / seconds
        if name == "presidio":  # give Presidio its best score threshold
            chosen[name] = max(THRESHOLDS, key=lambda th: prf(total(score(docs, predictions, th), TYPES))[2])
        else:
            chosen[name] = 0.0
        results[name] = score(docs, predictions, chosen[name])
    structured_scanner = Scanner(types=STRUCTURED_TYPES)
    _, seconds = timed(jikimi_detector(structured_scanner), texts, args.repeat)
    speed["jikimi (structured only)"] = chars / seconds

    base = results.get("presidio")
    for name, counts in results.items():
        rows = [(t, counts[t]) for t in TYPES]
        rows += [("structured", total(counts, STRUCTURED)), ("overall", total(counts, TYPES))]
        for kind, c in rows:
            p, r, f = prf(c)
            line: dict[str, object] = {
                "bench": "pii",
                "system": name,
                "type": kind,
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
                **c,
            }
            if base is not None:
                bc = (
                    base[kind] if kind in base else total(base, STRUCTURED if kind == "structured" else TYPES)
                )
                bf = prf(bc)[2]
                line["f1_ratio_vs_presidio"] = round(f / bf, 3) if bf else None
            print(json.dumps(line, ensure_ascii=False))
    for name, cps in speed.items():
        line = {"bench": "pii", "system": name, "metric": "throughput", "chars_per_cpu_s": round(cps)}
        if "presidio" in speed:
            line["ratio_vs_presidio"] = round(cps / speed["presidio"], 2)
        if name in chosen:
            line["score_threshold"] = chosen[name]
        print(json.dumps(line, ensure_ascii=False))
    print_table(results, speed, systems, chosen)


def print_table(
    results: dict[str, dict[str, Counter[str]]],
    speed: dict[str, float],
    systems: dict[str, tuple[Callable[[str], Spans], str]],
    chosen: dict[str, float],
) -> None:
    names = list(results)
    print()
    print("| type | " + " | ".join(f"{n} P / R / F1" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for kind in [*TYPES, "structured", "overall"]:
        cells = []
        for n in names:
            c = (
                results[n][kind]
                if kind in results[n]
                else total(results[n], STRUCTURED if kind == "structured" else TYPES)
            )
            p, r, f = prf(c)
            cells.append(
                f"{p:.3f} / {r:.3f} / **{f:.3f}**"
                if kind in ("structured", "overall")
                else f"{p:.3f} / {r:.3f} / {f:.3f}"
            )
        print(f"| {kind} | " + " | ".join(cells) + " |")
    print()
    print("| system | characters per CPU-second | × Presidio |")
    print("|---|---|---|")
    for n, cps in speed.items():
        ratio = f"{cps / speed['presidio']:.1f}×" if "presidio" in speed else "n/a"
        print(f"| {n} | {cps:,.0f} | {ratio} |")
    print()
    for n, (_, note) in systems.items():
        print(f"- {n}: {note}; score threshold {chosen[n]}")


if __name__ == "__main__":
    main()
