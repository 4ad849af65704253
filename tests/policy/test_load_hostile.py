"""A hostile policy file cannot break the loader: it loads, or it is a located load error, fast.

Anchors, aliases, merge keys and tags are refused before anything is built (an alias bomb never
expands); nesting, size and the number of values are bounded; a value Python cannot hold (month 13,
year 0) is an error at its line. Fuzzed: random text and mutations of the example policies.
``MUTATORS`` and ``mutated`` are shared with ``bench/policy_fuzz.py``, which runs 10,000 of them.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jikimi.cli import run
from jikimi.errors import PolicyLoadError
from jikimi.policy.load import MAX_DEPTH, MAX_NODES, MAX_POLICY_BYTES, load_policy, load_policy_text
from jikimi.policy.model import Policy

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "policies").glob("*.yaml"))
SECONDS = 2.0
"""The most CPU time one file may take (CPU, not wall clock: the suite shares its machine)."""

LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
"""The "billion laughs": nine aliases of nine aliases… 9**9 strings from under 500 bytes."""

HOSTILE = {
    "billion-laughs": LAUGHS,
    "month-13": "controller: {name: x}\neffective: 2026-13-45\n",
    "year-0": "controller: {name: x}\neffective: 0000-01-01\n",
    "merge-in-flow-mapping": "controller: {name: x, <<: {name: y}}\n",
    "recursive-merge": "controller: &c\n  name: x\n  <<: *c\n",
    "python-object-tag": "controller: !!python/object/apply:os.system ['echo pwned']\n",
    "nested-10000-deep": "controller: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "mappings-10000-deep": "controller:\n  name: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
}
"""The defects found: each gave a traceback (or 3 GB and a MemoryError) instead of a load error."""


def _problems(text: str) -> list[str]:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_text(text, filename="policy.yaml")
    return [str(p) for p in caught.value.problems]


# --- what is refused, and where -------------------------------------------------------------------


def test_a_billion_laughs_is_refused_at_its_first_anchor_without_expanding() -> None:
    assert len(LAUGHS.encode()) < 500
    tracemalloc.start()
    try:
        problems = _problems(LAUGHS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems[0] == "policy.yaml:1: a: YAML anchor '&a' is not allowed (앵커(anchor)는 쓸 수 없습니다)"
    assert "policy.yaml:2: b[0]: YAML alias '*a' is not allowed" in problems[2]
    assert peak < 20_000_000


def test_an_alias_is_refused_naming_line_key_and_alias() -> None:
    text = "controller: {name: x}\nitems:\n  - {id: a, label: A}\n  - {id: b, label: *lbl}\n"
    assert _problems(text) == [
        "policy.yaml:4: items[1].label: YAML alias '*lbl' is not allowed: write the value out "
        "(별칭(alias)은 쓸 수 없습니다. 값을 그대로 적으십시오)"
    ]


@pytest.mark.parametrize(
    "text, line, key",
    [
        ("controller: {name: x, <<: {name: y}}\n", 1, "controller.<<"),
        ("controller:\n  name: x\n  <<: {name: y}\n", 3, "controller.<<"),
        ("controller: {name: <<}\n", 1, "controller.name"),
    ],
    ids=["flow-mapping", "block-mapping", "plain-value"],
)
def test_a_merge_key_is_refused_wherever_it_stands(text: str, line: int, key: str) -> None:
    assert _problems(text) == [
        f"policy.yaml:{line}: {key}: YAML merge key '<<' is not allowed: write the keys out, or quote "
        "\"<<\" for the text (병합 키 '<<'는 쓸 수 없습니다. 키를 그대로 적으십시오)"
    ]


def test_a_quoted_double_angle_is_text() -> None:
    policy = load_policy_text('controller: {name: "<<"}\n')
    assert policy.controller.name == "<<"


def test_a_recursive_merge_names_the_anchor_the_merge_and_the_alias() -> None:
    problems = _problems(HOSTILE["recursive-merge"])
    assert [p.split(": YAML ")[1].split(" is not")[0] for p in problems] == [
        "anchor '&c'",
        "merge key '<<'",
        "alias '*c'",
    ]
    assert [p.split(":")[1] for p in problems] == ["1", "3", "3"]


@pytest.mark.parametrize(
    "tag", ["!!python/object/apply:os.system", "!foo", "!!str", "!", "!<tag:example.com,2026:x>"]
)
def test_every_explicit_tag_is_refused(tag: str) -> None:
    problems = _problems(f"controller:\n  name: {tag} x\n")
    assert len(problems) == 1
    assert problems[0].startswith("policy.yaml:2: controller.name: YAML tag '")
    assert problems[0].endswith("' is not allowed (태그는 쓸 수 없습니다)")


@pytest.mark.parametrize("name", ["nested-10000-deep", "mappings-10000-deep"])
def test_nesting_deeper_than_the_limit_is_refused_at_once(name: str) -> None:
    started = time.process_time()
    problems = _problems(HOSTILE[name])
    assert time.process_time() - started < SECONDS
    assert problems[0].startswith("policy.yaml:")
    assert problems[0].endswith(
        f"nested deeper than {MAX_DEPTH} levels (중첩이 {MAX_DEPTH}단계보다 깊습니다)"
    )


def test_nesting_to_the_limit_still_parses() -> None:
    depth = MAX_DEPTH - 2  # the top mapping and `sections` take two levels
    problems = _problems("controller: {name: x}\nsections: " + "[" * depth + "]" * depth + "\n")
    assert all("nested deeper" not in p for p in problems)


def test_more_values_than_the_limit_are_refused() -> None:
    text = "controller: {name: x}\nsections: [" + "s, " * MAX_NODES + "]\n"
    problems = _problems(text)
    assert problems[-1].endswith(f"more than {MAX_NODES} values (값이 {MAX_NODES}개보다 많습니다)")


@pytest.mark.parametrize(
    "value, reason",
    [
        ("2026-13-45", "month must be in 1..12"),
        ("0000-01-01", "year 0 is out of range"),
        ("2026-02-30", "day is out of range for month"),
    ],
)
def test_an_impossible_date_is_an_error_at_its_line(value: str, reason: str) -> None:
    assert _problems(f"controller: {{name: x}}\neffective: {value}\n") == [
        f"policy.yaml:2: YAML: '{value}' is not a valid date YYYY-MM-DD: {reason} (올바른 날짜가 아닙니다)"
    ]


def test_an_integer_too_long_for_python_is_an_error_at_its_line() -> None:
    problems = _problems("controller: {name: x}\nitems: [{id: a, label: " + "9" * 5000 + "}]\n")
    assert len(problems) == 1 and problems[0].startswith("policy.yaml:2: YAML: cannot read '9999")


@pytest.mark.parametrize(
    "text, reason",
    [
        ("%YAML 1.3\n---\ncontroller: {name: x}\n", "YAML: version minor part can only be 2 or 1"),
        ('controller: {name: "\x01"}\n', "YAML: character"),
        ("controller: {name: x}\n---\ncontroller: {name: y}\n", "YAML: but found another document"),
    ],
    ids=["yaml-1.3", "control-character", "two-documents"],
)
def test_what_ruamel_itself_refuses_is_a_located_load_error(text: str, reason: str) -> None:
    (problem,) = _problems(text)
    assert problem.split(":")[1].isdigit() and reason in problem, problem


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    file = tmp_path / "policy.yaml"
    file.write_text("controller: {name: x}\n#" + "x" * MAX_POLICY_BYTES + "\n", encoding="utf-8")
    with pytest.raises(PolicyLoadError) as caught:
        load_policy(file)
    assert [str(p) for p in caught.value.problems] == [f"{file}: file larger than 1 MB (1 MB보다 큽니다)"]


def test_a_text_over_the_size_limit_is_refused_too() -> None:
    assert _problems("#" + "가" * (MAX_POLICY_BYTES // 3 + 1)) == [
        "policy.yaml: policy text larger than 1 MB (1 MB보다 큽니다)"
    ]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_cli_exits_2_naming_file_and_line_for_every_hostile_file(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "policy.yaml"
    file.write_text(HOSTILE[name], encoding="utf-8")
    started = time.process_time()
    code = run(["policy", "lint", str(file)])
    captured = capsys.readouterr()
    assert time.process_time() - started < SECONDS
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    first = captured.err.strip().splitlines()[0]
    assert first.startswith(f"{file}:")
    assert first.removeprefix(f"{file}:").split(":")[0].isdigit(), first


# --- fuzzing ----------------------------------------------------------------------------------------

Mutator = Callable[[str, random.Random], str]

_TAGS = ["!!python/object/apply:os.system ['id']", "!!python/name:os.system", "!foo x", "!!binary aGk=", "!"]
_DATES = ["0000-01-01", "2026-13-45", "2026-02-30", "9999-12-31", "1-1-1", "2026-1-1", "99999-01-01"]
_SCALARS = ["0x" + "f" * 5000, "9" * 5000, "1e999", ".nan", "-.inf", "~", "<<", "=", "''", "'", '"\\x00"']
_NOISE = "[]{}:,-?&*!|>'\"%@`#\t\n \\\x00\x7f\ufeff가"


def _at(text: str, rnd: random.Random) -> int:
    return rnd.randrange(len(text) + 1)


def _flip(text: str, rnd: random.Random) -> str:
    pos = _at(text, rnd)
    char = rnd.choice(_NOISE) if rnd.random() < 0.8 else chr(rnd.randrange(0x20, 0x11000))
    return text[:pos] + char + text[pos + 1 :]


def _truncate(text: str, rnd: random.Random) -> str:
    return text[: _at(text, rnd)]


def _after_colon(text: str, rnd: random.Random, insert: str) -> str:
    """``insert`` after a random ``key: `` (or anywhere, if none is found near)."""
    pos = text.find(": ", _at(text, rnd))
    pos = pos + 2 if pos >= 0 else _at(text, rnd)
    return text[:pos] + insert + text[pos:]


def _anchor(text: str, rnd: random.Random) -> str:
    return _after_colon(text, rnd, f"&{rnd.choice('ab')} ")


def _alias(text: str, rnd: random.Random) -> str:
    return _after_colon(text, rnd, f"*{rnd.choice('ab')} #")


def _laughs(text: str, rnd: random.Random) -> str:
    return LAUGHS + text if rnd.random() < 0.5 else text + "\n" + LAUGHS


def _merge(text: str, rnd: random.Random) -> str:
    return _after_colon(text, rnd, rnd.choice(["{<<: {a: 1}, ", "{<<: *a, ", "\n  <<: {x: 1}\n  z: "]))


def _tag(text: str, rnd: random.Random) -> str:
    return _after_colon(text, rnd, rnd.choice(_TAGS) + " ")


def _deep(text: str, rnd: random.Random) -> str:
    depth = rnd.choice([MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 1000, 10_000])
    opener, closer = rnd.choice([("[", "]"), ("{a: ", "}"), ("- ", "")])
    return _after_colon(text, rnd, opener * depth + "x" + closer * depth * rnd.choice([0, 1]))


def _date(text: str, rnd: random.Random) -> str:
    made = f"{rnd.randrange(10000):04d}-{rnd.randrange(100):02d}-{rnd.randrange(100):02d}"
    return _after_colon(text, rnd, rnd.choice([*_DATES, made]) + " #")


def _scalar(text: str, rnd: random.Random) -> str:
    return _after_colon(text, rnd, rnd.choice(_SCALARS) + " #")


def _lines(text: str, rnd: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    i = rnd.randrange(len(lines))
    kind = rnd.randrange(3)
    if kind == 0:
        lines.insert(i, lines[rnd.randrange(len(lines))])  # a duplicated line: duplicate keys, lists
    elif kind == 1:
        del lines[i]
    else:
        lines[i] = " " * rnd.randrange(1, 5) + lines[i]  # broken indentation
    return "".join(lines)


MUTATORS: dict[str, Mutator] = {
    "flip": _flip,
    "truncate": _truncate,
    "anchor": _anchor,
    "alias": _alias,
    "laughs": _laughs,
    "merge": _merge,
    "tag": _tag,
    "deep": _deep,
    "date": _date,
    "scalar": _scalar,
    "lines": _lines,
}


def mutated(text: str, rnd: random.Random) -> tuple[str, list[str]]:
    """``text`` with one to three random mutations, and their names."""
    names = [rnd.choice(sorted(MUTATORS)) for _ in range(rnd.randint(1, 3))]
    for name in names:
        text = MUTATORS[name](text, rnd)
    return text, names


def check_loads_or_is_located(text: str, filename: str = "fuzz.yaml") -> Policy | PolicyLoadError:
    """The fuzz property: a ``Policy``, or a ``PolicyLoadError`` naming the file with a reason —
    never another exception — within ``SECONDS`` of CPU time."""
    started = time.process_time()
    try:
        result: Policy | PolicyLoadError = load_policy_text(text, filename=filename)
    except PolicyLoadError as exc:
        result = exc
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == filename and problem.reason.strip(), problem
    elapsed = time.process_time() - started
    assert elapsed < SECONDS, f"{elapsed:.2f} s"
    return result


_example_texts = [p.read_text(encoding="utf-8") for p in EXAMPLES]
_FUZZ = settings(
    max_examples=200,
    deadline=None,  # the 2 s bound is asserted per example; hypothesis' deadline would also time shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_FUZZ
@given(st.sampled_from(range(len(EXAMPLES))), st.randoms(use_true_random=False))
def test_a_mutated_example_policy_loads_or_is_a_located_load_error(index: int, rnd: random.Random) -> None:
    text, _ = mutated(_example_texts[index], rnd)
    check_loads_or_is_located(text)


_TOKENS = [
    *_NOISE,
    "a",
    "1",
    "x",
    ": ",
    "- ",
    "\n  ",
    "<<",
    "&a ",
    "*a",
    "2026-13-45",
    "controller",
    "{name: x}",
]
_YAMLISH = st.lists(st.sampled_from(_TOKENS), max_size=200).map("".join)


@settings(_FUZZ, max_examples=100)
@given(st.one_of(st.text(max_size=300), _YAMLISH))
def test_random_text_loads_or_is_a_located_load_error(text: str) -> None:
    check_loads_or_is_located(text)


def test_every_example_still_loads() -> None:
    for text in _example_texts:
        assert isinstance(check_loads_or_is_located(text), Policy)
