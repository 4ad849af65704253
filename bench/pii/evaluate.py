"""Precision, recall, F1 and throughput of jikimi.pii, Presidio and ko-pii on one corpus, in one run.

    python bench/pii/evaluate.py [--corpus generated|independent] [--seed 7] [--docs 2400] [--repeat 7]

``--corpus generated`` (the default) scores the seeded corpus of corpus.py;
``--corpus independent`` scores bench/pii/independent/documents.jsonl, a labelled set
written without reading the detector (see bench/pii/independent/README.md), for which
``--seed`` and ``--docs`` do not apply. ``scripts/pii-bench-peers.sh`` makes the peers' venv
and runs both.

Systems: ``jikimi`` (``Scanner()``, names on), ``jikimi (no names)`` (every type but names),
``jikimi (structured only)`` (no names, no addresses), and each installed peer (peers.py).

Scoring: a prediction is a true positive when it has the gold type and its span overlaps a gold
span of that type with an intersection-over-union of at least 0.5; each gold span is matched at
most once. ``structured`` is the micro average over the nine types every system can find (rrn,
frn, passport, driver_license, brn, phone, email, card, ip); ``structured_12`` adds account,
health_insurance and car_plate, which Presidio has no recognizer for. jikimi is scored at its
defaults; each peer at the score threshold (of THRESHOLDS) that gives it its best micro F1 on the
types it supports, chosen on this very corpus (an advantage to the peer, not to jikimi).

Timing, the same for every system, in one process, on the same texts:

* each system first runs once over the whole corpus, untimed (warm-up: lazy imports, regex
  compilation, the analyser's model; these predictions are the ones scored);
* then ``--repeat`` rounds; in each round every system runs once over the corpus, the order of
  the systems rotating from round to round, so a change of machine load falls on all of them;
* before each timed pass the garbage collector runs, and every bounded memo (an ``lru_cache``
  with a ``maxsize`` on a function of the input) of the system's packages is cleared, so each
  pass sees the corpus as new text: jikimi memoises the analyser's reading of a window of text,
  and a pass over texts it has just read would otherwise not run the analyser at all. The same
  rule is applied to the peers (they have no such memo today: see ``memos_cleared``);
* the time of a pass is the CPU time of this process (``time.process_time``: every thread, not
  wall time, so another program on a shared machine does not count against whoever runs while
  it is busy); a system's figure is the median of its passes (min and max are given too), and
  ``chars_per_cpu_s`` is the corpus' characters over that median. One more pass with the memos
  kept (``chars_per_cpu_s_memo_warm``) shows what a memo is worth on text already seen.

Prints JSON lines: a header (corpus, commit, whether src/jikimi/pii had uncommitted changes, a
digest of its files, versions, load average), one line per system and type, one summary per
system (PERSON and structured P/R/F1, throughput, ratio against Presidio, load average), and a
comparison (jikimi over Presidio with names on and off, what finding names costs, and how often
and how long the morphological analyser was asked in one more pass). Then a
side-by-side table (Markdown) on stderr.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
try:
    import jikimi.pii  # noqa: F401
except ImportError:  # run from a checkout without installing jikimi
    sys.path.insert(0, str(ROOT / "src"))

from corpus import Doc, generate  # noqa: E402
from peers import Peer, Spans, load_kopii, load_presidio  # noqa: E402

import jikimi.pii  # noqa: E402
from jikimi.pii import PiiType, Scanner  # noqa: E402
from jikimi.pii._model import ALL_TYPES, STRUCTURED_TYPES  # noqa: E402

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
STRUCTURED_12 = TYPES[:12]
THRESHOLDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
JIKIMI = "jikimi"
NO_NAMES = "jikimi (no names)"
STRUCTURED_ONLY = "jikimi (structured only)"


@dataclass
class System:
    name: str
    detect: Callable[[str], Spans]
    note: str
    types: frozenset[str]  # what it can find (a peer's threshold is tuned on these)
    packages: tuple[str, ...]  # whose bounded memos are cleared before a timed pass
    tune: bool  # choose the best score threshold (peers) or keep the defaults (jikimi)
    version: str = ""
    predictions: list[Spans] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    cpu_memo_warm: float = 0.0
    memos: list[str] = field(default_factory=list)
    threshold: float = 0.0
    counts: dict[str, Counter[str]] = field(default_factory=dict)


# --- scoring -----------------------------------------------------------------------------------


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


GROUPS: dict[str, Sequence[str]] = {
    "structured": STRUCTURED,
    "structured_12": STRUCTURED_12,
    "overall": TYPES,
}


def group(counts: dict[str, Counter[str]], kind: str) -> Counter[str]:
    return counts[kind] if kind in counts else total(counts, GROUPS[kind])


# --- timing ------------------------------------------------------------------------------------


def input_memos(packages: Sequence[str]) -> list[tuple[str, Any]]:
    """The bounded ``lru_cache`` wrappers on functions that take an argument, in the loaded
    modules of ``packages``: memos of the input, as opposed to ``@cache`` loaders of data."""
    found: dict[int, tuple[str, Any]] = {}
    for module_name, module in list(sys.modules.items()):
        if module is None or not any(module_name == p or module_name.startswith(p + ".") for p in packages):
            continue
        for attr, value in list(vars(module).items()):
            params = getattr(value, "cache_parameters", None)
            if params is None or not hasattr(value, "cache_clear") or params().get("maxsize") is None:
                continue
            try:
                takes_input = bool(inspect.signature(value).parameters)
            except (TypeError, ValueError):
                takes_input = True
            if takes_input:
                found.setdefault(id(value), (f"{module_name}.{attr}", value))
    return sorted(found.values(), key=lambda item: item[0])


def one_pass(system: System, texts: Sequence[str], clear: bool) -> tuple[list[Spans], float, float]:
    if clear:
        for _, memo in input_memos(system.packages):
            memo.cache_clear()
    gc.collect()
    detect = system.detect
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = [detect(t) for t in texts]
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return result, cpu, wall


def measure(systems: Sequence[System], texts: Sequence[str], repeat: int) -> bool:
    """Warm up, then ``repeat`` rotating rounds; returns whether every pass gave the same spans."""
    for system in systems:
        system.predictions, _, _ = one_pass(system, texts, clear=True)
        system.memos = [name for name, _ in input_memos(system.packages)]
    same = True
    for round_ in range(repeat):
        order = [*systems[round_ % len(systems) :], *systems[: round_ % len(systems)]]
        for system in order:
            result, cpu, wall = one_pass(system, texts, clear=True)
            system.cpu.append(cpu)
            system.wall.append(wall)
            same = same and result == system.predictions
    for system in systems:
        _, system.cpu_memo_warm, _ = one_pass(system, texts, clear=False)
    return same


def analyser_use(system: System, texts: Sequence[str]) -> tuple[int, float]:
    """How often jikimi asks kiwipiepy in one pass over ``texts`` with its memos cleared, and the
    CPU seconds spent inside those calls (an extra, untimed pass through a counting wrapper)."""
    from jikimi.pii import _name_analysis

    kiwi = _name_analysis._analyser()

    class Counting:
        calls, cpu = 0, 0.0

        def tokenize(self, *args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return kiwi.tokenize(*args, **kwargs)
            finally:
                self.cpu += time.process_time() - started
                self.calls += 1

    counting = Counting()
    _name_analysis._KIWI[0] = counting
    try:
        one_pass(system, texts, clear=True)
    finally:
        _name_analysis._KIWI[0] = kiwi
    return counting.calls, counting.cpu


# --- the run -----------------------------------------------------------------------------------


def jikimi_system(name: str, types: frozenset[PiiType], note: str) -> System:
    scanner = Scanner(types=types)

    def detect(text: str) -> Spans:
        return [(f.type.value, f.start, f.end, f.confidence) for f in scanner.scan(text)]

    return System(name, detect, note, frozenset(t.value for t in types), ("jikimi",), tune=False)


def peer_system(name: str, peer: Peer) -> System | None:
    if peer.detect is None:
        print(f"# {name} skipped: {peer.note}", file=sys.stderr)
        return None
    return System(name, peer.detect, peer.note, peer.types, peer.packages, tune=True, version=peer.version)


def provenance() -> dict[str, object]:
    """Which detector was measured: the commit, the uncommitted files under src/jikimi/pii (the
    imported package is the working tree, uncommitted changes included) and a digest of them."""
    pii_dir = Path(jikimi.pii.__file__).resolve().parent

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return None
        return out.stdout.strip()

    digest = hashlib.sha256()
    for path in sorted(p for p in pii_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(pii_dir).as_posix().encode() + b"\0" + path.read_bytes())
    dirty = git("status", "--short", "--", "src/jikimi/pii")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "pii_uncommitted": dirty.splitlines() if dirty else [],
        "pii_sha256": digest.hexdigest()[:16],
        "pii_path": str(pii_dir),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", choices=("generated", "independent"), default="generated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--docs", type=int, default=2400)
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds; each system's median is kept")
    parser.add_argument("--no-peers", action="store_true", help="score jikimi alone")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    if args.corpus == "independent":
        from independent import load

        docs = load()
        about: dict[str, object] = {"name": "independent"}
    else:
        docs = generate(args.seed, args.docs)
        about = {"name": "generated", "seed": args.seed}
    texts = [d.text for d in docs]
    chars = sum(len(t) for t in texts)
    gold = Counter(t for d in docs for t, _, _ in d.spans)

    systems = [
        jikimi_system(JIKIMI, ALL_TYPES, "Scanner() defaults, names on"),
        jikimi_system(NO_NAMES, ALL_TYPES - {PiiType.NAME}, "Scanner(types=every type but name)"),
        jikimi_system(
            STRUCTURED_ONLY, STRUCTURED_TYPES, "Scanner(types=STRUCTURED_TYPES): no names, addresses"
        ),
    ]
    if not args.no_peers:
        for name, loader in (("presidio", load_presidio), ("ko-pii", load_kopii)):
            system = peer_system(name, loader())
            if system is not None:
                systems.append(system)

    load_before = os.getloadavg()
    print(
        json.dumps(
            {
                "bench": "pii",
                "corpus": {**about, "docs": len(docs), "chars": chars, "gold": dict(sorted(gold.items()))},
                "run": {
                    **provenance(),
                    "python": platform.python_version(),
                    "peers": {s.name: s.version for s in systems if s.version},
                    "repeat": args.repeat,
                    "timer": "process_time, median of the rounds, memos cleared before each pass",
                    "cpus": os.cpu_count(),
                    "loadavg": [round(x, 2) for x in load_before],
                },
            },
            ensure_ascii=False,
        ),
        flush=True,
    )

    deterministic = measure(systems, texts, args.repeat)
    load_after = os.getloadavg()

    for system in systems:
        if system.tune:
            supported = [t for t in TYPES if t in system.types]
            system.threshold = max(
                THRESHOLDS, key=lambda th: prf(total(score(docs, system.predictions, th), supported))[2]
            )
        system.counts = score(docs, system.predictions, system.threshold)

    by_name = {s.name: s for s in systems}
    presidio = by_name.get("presidio")

    def cps(system: System) -> float:
        return chars / statistics.median(system.cpu)

    for system in systems:
        for kind in [*TYPES, *GROUPS]:
            p, r, f = prf(group(system.counts, kind))
            line: dict[str, object] = {
                "bench": "pii",
                "system": system.name,
                "type": kind,
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
                **group(system.counts, kind),
            }
            if presidio is not None:
                bf = prf(group(presidio.counts, kind))[2]
                line["f1_ratio_vs_presidio"] = round(f / bf, 3) if bf else None
            print(json.dumps(line, ensure_ascii=False))

    for system in systems:
        summary: dict[str, object] = {"bench": "pii", "system": system.name, "metric": "summary"}
        for label, kind in (
            ("person", "name"),
            ("structured", "structured"),
            ("structured_12", "structured_12"),
        ):
            p, r, f = prf(group(system.counts, kind))
            summary |= {f"{label}_p": round(p, 4), f"{label}_r": round(r, 4), f"{label}_f1": round(f, 4)}
        summary |= {
            "chars_per_cpu_s": round(cps(system)),
            "cpu_s_median": round(statistics.median(system.cpu), 4),
            "cpu_s_min": round(min(system.cpu), 4),
            "cpu_s_max": round(max(system.cpu), 4),
            "wall_s_median": round(statistics.median(system.wall), 4),
            "chars_per_cpu_s_memo_warm": round(chars / system.cpu_memo_warm)
            if system.cpu_memo_warm
            else None,
            "memos_cleared": system.memos,
            "ratio_vs_presidio": round(cps(system) / cps(presidio), 2) if presidio else None,
            "score_threshold": system.threshold,
            "note": system.note,
            "loadavg": [round(x, 2) for x in load_after],
        }
        print(json.dumps(summary, ensure_ascii=False))

    jikimi_s, no_names, structured = by_name[JIKIMI], by_name[NO_NAMES], by_name[STRUCTURED_ONLY]
    name_cpu = statistics.median(jikimi_s.cpu) - statistics.median(no_names.cpu)
    calls, analyser_cpu = analyser_use(jikimi_s, texts)
    comparison: dict[str, object] = {
        "bench": "pii",
        "metric": "comparison",
        "jikimi_over_presidio_throughput": round(cps(jikimi_s) / cps(presidio), 2) if presidio else None,
        "jikimi_no_names_over_presidio_throughput": round(cps(no_names) / cps(presidio), 2)
        if presidio
        else None,
        "jikimi_chars_per_cpu_s": round(cps(jikimi_s)),
        # what finding names costs: names on minus every other type (no names), and names on
        # against the structured types alone
        "names_cpu_s": round(name_cpu, 4),
        "names_share_of_jikimi_cpu": round(name_cpu / statistics.median(jikimi_s.cpu), 3),
        "names_us_per_kchar": round(name_cpu / chars * 1e9, 1),
        "names_on_over_structured_only_cpu": round(
            statistics.median(jikimi_s.cpu) / statistics.median(structured.cpu), 2
        ),
        # of which the morphological analyser (kiwipiepy), in one more pass with memos cleared
        "analyser_calls_per_pass": calls,
        "analyser_calls_per_kchar": round(calls / chars * 1000, 3),
        "analyser_cpu_s_per_pass": round(analyser_cpu, 4),
        "every_pass_same_spans": deterministic,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }
    print(json.dumps(comparison, ensure_ascii=False))
    print_table(systems, chars)


def print_table(systems: Sequence[System], chars: int) -> None:
    out = sys.stderr
    print(file=out)
    print("| type | " + " | ".join(f"{s.name} P / R / F1" for s in systems) + " |", file=out)
    print("|---|" + "---|" * len(systems), file=out)
    for kind in [*TYPES, *GROUPS]:
        cells = []
        for s in systems:
            p, r, f = prf(group(s.counts, kind))
            cells.append(
                f"{p:.3f} / {r:.3f} / **{f:.3f}**" if kind in GROUPS else f"{p:.3f} / {r:.3f} / {f:.3f}"
            )
        print(f"| {kind} | " + " | ".join(cells) + " |", file=out)
    print(file=out)
    presidio = next((s for s in systems if s.name == "presidio"), None)
    print("| system | characters per CPU-second (median) | × Presidio |", file=out)
    print("|---|---|---|", file=out)
    for s in systems:
        speed = chars / statistics.median(s.cpu)
        ratio = f"{speed / (chars / statistics.median(presidio.cpu)):.1f}×" if presidio else "n/a"
        print(f"| {s.name} | {speed:,.0f} | {ratio} |", file=out)
    print(file=out)
    for s in systems:
        print(f"- {s.name}: {s.note}; score threshold {s.threshold}", file=out)


if __name__ == "__main__":
    main()
