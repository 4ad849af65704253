"""Benchmark: the policy loader against 10,000 hostile files — every one a Policy or a located load error.

    .venv/bin/python bench/policy_fuzz.py                         # 10,000 files (about 15 min on 1 core)
    .venv/bin/python bench/policy_fuzz.py --files 1000 --workers 2

Each file is an example policy (``examples/policies/*.yaml``) with one to three random mutations —
byte flips, truncation, inserted anchors, aliases, an alias bomb, merge keys, tags, deep nesting,
impossible dates, over-long numbers, duplicated, dropped or mis-indented lines (the mutators of
``tests/policy/test_load_hostile.py``) — or, one in ten, a soup of YAML tokens. Each is loaded with
``load_policy_text`` and must give a ``Policy`` or a ``PolicyLoadError`` naming the file, within 2 s
of CPU time (``process_time``: on a shared machine the wall clock also counts the neighbours; both
are reported). The baseline, measured in the same run, is loading the unmodified reference policy;
``ratio`` is median(fuzzed file) / median(reference), ``max_ratio`` the slowest file against the same
median (CPU time). Memory: the peak resident size of the processes (``ru_maxrss``), after the
baseline and at the end. Prints one JSON line; exits 1 if any file raised another exception, gave
a load error without the file, or took more than 2 s of CPU.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import _common as common

sys.path.insert(0, str(common.ROOT))  # the mutators live with the tests

NAME = "policy_fuzz"
SECONDS = 2.0


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def generated(index: int, seed: int) -> tuple[str, list[str]]:
    """File ``index`` of the run: the same text for the same ``(index, seed)``."""
    from tests.policy.test_load_hostile import _TOKENS, EXAMPLES, mutated

    rnd = random.Random(seed * 1_000_003 + index)
    if index % 10 == 9:
        return "".join(rnd.choice(_TOKENS) for _ in range(rnd.randrange(400))), ["tokens"]
    text = EXAMPLES[index % len(EXAMPLES)].read_text(encoding="utf-8")
    return mutated(text, rnd)


def chunk(indices: range, seed: int) -> dict[str, Any]:
    """Load the files ``indices``; their times, outcomes and the slowest and failing ones."""
    from jikimi.errors import PolicyLoadError
    from jikimi.policy.load import load_policy_text

    times: list[float] = []
    walls: list[float] = []
    outcomes: Counter[str] = Counter()
    failures: list[dict[str, Any]] = []
    slowest: dict[str, Any] = {"s": 0.0}
    for index in indices:
        text, names = generated(index, seed)
        filename = f"fuzz-{index}.yaml"
        wall, started = time.perf_counter(), time.process_time()
        try:
            load_policy_text(text, filename=filename)
            outcome = "policy"
        except PolicyLoadError as exc:
            located = exc.problems and all(p.file == filename and p.reason for p in exc.problems)
            outcome = "load_error" if located else "unlocated_load_error"
            if not located:
                failures.append({"file": index, "mutations": names, "error": f"unlocated: {exc}"[:200]})
        except Exception as exc:  # what the loader must never let out
            outcome = "other_exception"
            failures.append(
                {"file": index, "mutations": names, "error": f"{type(exc).__name__}: {exc}"[:200]}
            )
        elapsed = time.process_time() - started
        times.append(elapsed)
        walls.append(time.perf_counter() - wall)
        outcomes[outcome] += 1
        if elapsed > SECONDS:
            failures.append({"file": index, "mutations": names, "error": f"took {elapsed:.2f} s of CPU"})
        if elapsed > slowest["s"]:
            slowest = {"s": elapsed, "file": index, "mutations": names, "bytes": len(text.encode())}
    return {
        "times": times,
        "walls": walls,
        "outcomes": outcomes,
        "failures": failures,
        "slowest": slowest,
        "rss": _rss_mb(),
    }


def baseline(loads: int) -> float:
    from jikimi.policy.load import load_policy_text

    text = common.POLICY.read_text(encoding="utf-8")
    samples = []
    for _ in range(loads):
        started = time.process_time()
        load_policy_text(text, filename=str(common.POLICY))
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="generated files")
    parser.add_argument("--baseline", type=int, default=30, help="loads of the reference policy")
    parser.add_argument("--seed", type=int, default=0, help="the same files for the same seed")
    parser.add_argument("--workers", type=int, default=1, help="processes (1: measure in this one)")
    args = parser.parse_args()

    base = baseline(args.baseline)
    rss_after_baseline = _rss_mb()
    started = time.perf_counter()
    if args.workers <= 1:
        parts = [chunk(range(args.files), args.seed)]
    else:
        step = -(-args.files // args.workers)
        ranges = [range(i, min(i + step, args.files)) for i in range(0, args.files, step)]
        with ProcessPoolExecutor(args.workers) as pool:
            parts = list(pool.map(chunk, ranges, [args.seed] * len(ranges)))
    seconds = time.perf_counter() - started

    times = [t for part in parts for t in part["times"]]
    walls = [t for part in parts for t in part["walls"]]
    outcomes: Counter[str] = sum((part["outcomes"] for part in parts), Counter())
    failures = [f for part in parts for f in part["failures"]]
    slowest = max((part["slowest"] for part in parts), key=lambda s: s["s"])
    median = statistics.median(times)
    record = {
        "bench": NAME,
        "files": len(times),
        "outcomes": dict(sorted(outcomes.items())),
        "failures": len(failures),
        "seconds": round(seconds, 1),
        "median_ms": round(median * 1e3, 2),
        "p99_ms": round(sorted(times)[int(len(times) * 0.99) - 1] * 1e3, 1),
        "max_ms": round(slowest["s"] * 1e3, 1),
        "max_wall_ms": round(max(walls) * 1e3, 1),
        "median_wall_ms": round(statistics.median(walls) * 1e3, 2),
        "slowest": {**slowest, "s": round(slowest["s"], 3)},
        "baseline_reference_ms": round(base * 1e3, 2),
        "ratio": round(median / base, 3),
        "max_ratio": round(slowest["s"] / base, 2),
        "peak_rss_mb": max([_rss_mb(), *(part["rss"] for part in parts)]),
        "rss_after_baseline_mb": rss_after_baseline,
        "workers": args.workers,
        "targets": {"failures": 0, "max_ms": SECONDS * 1e3},
        "met": {"failures": not failures, "max_ms": slowest["s"] < SECONDS},
        "first_failures": failures[:5],
        "machine": common.machine(),
    }
    common.emit(record)
    raise SystemExit(0 if not failures else 1)


if __name__ == "__main__":
    main()
