"""Load a policy from YAML into the immutable ``Policy``, with errors that point at the file.

Every problem is reported as ``file:line: key: reason`` — YAML syntax, unknown keys, wrong
types, bad durations, and dangling cross-references (an item named in a purpose that no
``items`` entry declares). All problems found are reported at once, not only the first.
A hostile file gets nowhere: anchors, aliases, merge keys and tags are refused before anything is
built, and size, nesting and the number of values are bounded (``_yaml_guard``); nothing but
``PolicyLoadError`` leaves this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from jikimi.errors import PolicyLoadError, PolicyProblem
from jikimi.policy._yaml_guard import MAX_DEPTH as MAX_DEPTH  # the limits, re-exported with the loader
from jikimi.policy._yaml_guard import MAX_NODES as MAX_NODES
from jikimi.policy._yaml_guard import key_of, parse_policy_yaml, shown
from jikimi.policy.model import ItemClass, Policy
from jikimi.policy.statutes import statutes

Path_ = tuple[str | int, ...]

MAX_POLICY_BYTES = 1_000_000
"""The largest policy file read, in bytes of UTF-8 (the largest example is about 32 kB)."""

_TOO_LARGE = "larger than 1 MB (1 MB보다 큽니다)"


class PolicySource:
    """A loaded policy together with where each of its keys sits in the file (for lint)."""

    def __init__(self, policy: Policy, file: str, lines: _LineMap) -> None:
        self.policy = policy
        self.file = file
        self._lines = lines

    def line(self, path: Path_) -> int | None:
        """The 1-based line of a key path such as ``("purposes", 3, "items")``."""
        return self._lines.line(path)


def load_policy(path: str | Path) -> Policy:
    """Read, validate and cross-check a policy file. Raises ``PolicyLoadError``."""
    return load_policy_source(path).policy


def load_policy_source(path: str | Path) -> PolicySource:
    """Like ``load_policy``, keeping the line of every key for messages that point into the file."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise PolicyLoadError(
            [PolicyProblem(str(file), None, "", f"cannot read the file ({exc.strerror})")]
        ) from exc
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyLoadError([PolicyProblem(str(file), None, "", f"file {_TOO_LARGE}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyLoadError([PolicyProblem(str(file), None, "", "not UTF-8 text")]) from exc
    return load_policy_text_source(text, filename=str(file))


def load_policy_text(text: str, *, filename: str = "<policy>") -> Policy:
    """Like ``load_policy`` for YAML already in memory; ``filename`` is used in messages."""
    return load_policy_text_source(text, filename=filename).policy


def load_policy_text_source(text: str, *, filename: str = "<policy>") -> PolicySource:
    """Like ``load_policy_source`` for YAML already in memory. Raises only ``PolicyLoadError``."""
    if len(text) > MAX_POLICY_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise PolicyLoadError([PolicyProblem(filename, None, "", f"policy text {_TOO_LARGE}")])
    try:
        return _load(text, filename)
    except PolicyLoadError:
        raise
    except Exception as exc:
        # Every failure known is turned into a located PolicyLoadError on its way here; this net keeps
        # the promise of no traceback for one not yet known (tests/policy/test_load_hostile.py hunts them).
        reason = (
            f"cannot load the policy ({type(exc).__name__}: {shown(exc, 120)}) (처리방침을 읽을 수 없습니다)"
        )
        raise PolicyLoadError([PolicyProblem(filename, None, "", reason)]) from exc


def _load(text: str, filename: str) -> PolicySource:
    tree = parse_policy_yaml(text, filename)
    if not isinstance(tree, CommentedMap):
        raise PolicyLoadError([PolicyProblem(filename, 1, "", "the policy must be a YAML mapping")])
    lines = _LineMap(tree)
    data = _plain(tree)
    problems = [PolicyProblem(filename, lines.line(p), key_of(p), r) for p, r in _pre_checks(data)]
    if problems:
        raise PolicyLoadError(problems)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyLoadError(
            [PolicyProblem(filename, lines.line(p), key_of(p), r) for p, r in _pydantic_problems(exc)]
        ) from None
    policy = _resolve_statutes(policy)
    problems = [PolicyProblem(filename, lines.line(p), key_of(p), r) for p, r in reference_problems(policy)]
    if problems:
        raise PolicyLoadError(problems)
    return PolicySource(policy, filename, lines)


# --- YAML with positions ----------------------------------------------------------------------


class _LineMap:
    """1-based line of every key and list element in a ruamel round-trip tree."""

    def __init__(self, tree: CommentedMap) -> None:
        self._lines: dict[Path_, int] = {(): 1}
        self._walk(tree, ())

    def _walk(self, node: Any, path: Path_) -> None:
        if isinstance(node, CommentedMap):
            for key in node:
                pos = node.lc.key(key)
                self._lines[(*path, str(key))] = pos[0] + 1
                self._walk(node[key], (*path, str(key)))
        elif isinstance(node, CommentedSeq):
            for index, value in enumerate(node):
                pos = node.lc.item(index)
                self._lines[(*path, index)] = pos[0] + 1
                self._walk(value, (*path, index))

    def line(self, path: Path_) -> int | None:
        for end in range(len(path), -1, -1):
            found = self._lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None


def _plain(node: Any) -> Any:
    """ruamel's round-trip types as plain Python (str, int, date, list, dict)."""
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, datetime):
        return (
            node.date()
            if (node.hour, node.minute, node.second) == (0, 0, 0)
            else datetime(node.year, node.month, node.day, node.hour, node.minute, node.second)
        )
    if isinstance(node, date):
        return date(node.year, node.month, node.day)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


# --- problems ---------------------------------------------------------------------------------


def _pre_checks(data: dict[str, Any]) -> Iterator[tuple[Path_, str]]:
    """Checks that must run before the schema: fields that jikimi fills in itself."""
    for index, rule in enumerate(data.get("retention") or []):
        if isinstance(rule, dict) and "statute" in rule:
            yield ("retention", index, "statute"), "filled in by jikimi from 'basis'; do not write it"


_BRANCH_MISMATCH = {
    "model_type",
    "dict_type",
    "model_attributes_type",
    "date_type",
    "date_from_datetime_parsing",
    "date_parsing",
    "tuple_type",
    "literal_error",
    "string_type",
}


def _pydantic_problems(exc: ValidationError) -> Iterator[tuple[Path_, str]]:
    errors = exc.errors(include_url=False)
    by_loc: dict[Path_, list[Any]] = {}
    for error in errors:
        loc: Path_ = tuple(
            part for part in error["loc"] if not (isinstance(part, str) and _is_union_tag(part))
        )
        by_loc.setdefault(loc, []).append(error)
    for loc, group in by_loc.items():
        # A value that fits no branch of a union fails every branch; report the telling one.
        if len(group) > 1:
            telling = [e for e in group if e["type"] not in _BRANCH_MISMATCH] or group[:1]
            group = telling[:1]
        yield from _describe(loc, group)


def _describe(loc: Path_, group: list[Any]) -> Iterator[tuple[Path_, str]]:
    for error in group:
        kind = error["type"]
        if kind == "extra_forbidden":
            yield loc, "unknown key"
        elif kind == "missing":
            yield loc, "required key is missing"
        elif kind == "literal_error":
            yield loc, f"must be one of {error['ctx']['expected']}, not '{shown(error.get('input'))}'"
        elif kind == "string_pattern_mismatch":
            yield loc, f"'{shown(error.get('input'))}' is not a valid id (lower-case letters, digits and _)"
        elif kind == "value_error":
            yield loc, str(error["ctx"]["error"])
        else:
            yield loc, error["msg"]


def _is_union_tag(part: str) -> bool:
    # pydantic names union branches in locations ("function-plain[_to_duration()]", "Placeholder")
    return "[" in part or part in {"Placeholder", "str", "date", "tuple[str, ...]", "literal['all']"}


def _resolve_statutes(policy: Policy) -> Policy:
    presets = statutes()
    rules = tuple(
        rule.model_copy(update={"statute": presets[rule.basis]}) if rule.basis in presets else rule
        for rule in policy.retention
    )
    return policy.model_copy(update={"retention": rules})


def reference_problems(policy: Policy) -> list[tuple[Path_, str]]:
    """Every dangling or duplicate id in the policy, with the path where it appears."""
    problems: list[tuple[Path_, str]] = []
    items = set(policy.items_by_id)
    records = set(policy.records_by_id)
    purposes = set(policy.purposes_by_id)
    classes = set(get_args(ItemClass))

    def dupes(section: str, ids: Iterable[str]) -> None:
        seen: set[str] = set()
        for index, ident in enumerate(ids):
            if ident in seen:
                problems.append(((section, index, "id"), f"duplicate id '{ident}'"))
            seen.add(ident)

    def refs(path: Path_, values: Iterable[str], known: set[str], what: str) -> None:
        for index, value in enumerate(values):
            if value not in known:
                problems.append(((*path, index), f"unknown {what} '{value}'"))

    dupes("items", (i.id for i in policy.items))
    dupes("records", (r.id for r in policy.records))
    for index, record in enumerate(policy.records):
        if record.id in items:
            problems.append((("records", index, "id"), f"'{record.id}' is already an item id"))
    dupes("contexts", (c.id for c in policy.contexts))
    dupes("purposes", (p.id for p in policy.purposes))
    dupes("retention", (r.id for r in policy.retention))
    dupes("auto_collection", (a.id for a in policy.auto_collection))

    for i, ctx in enumerate(policy.contexts):
        refs(("contexts", i, "required"), ctx.required, items, "item")
        refs(("contexts", i, "optional"), ctx.optional, items, "item")
        refs(("contexts", i, "purposes"), ctx.purposes, purposes, "purpose")
        for j, item in enumerate(ctx.optional):
            if item in ctx.required:
                problems.append((("contexts", i, "optional", j), f"'{item}' is both required and optional"))
    for i, purpose in enumerate(policy.purposes):
        refs(("purposes", i, "items"), purpose.items, items, "item")
        refs(("purposes", i, "records"), purpose.records, records, "record")
        if purpose.consent is not None and purpose.basis not in (None, "consent"):
            problems.append(
                (("purposes", i, "consent"), "only a purpose whose basis is consent has a consent kind")
            )
        if purpose.ad_channels and not purpose.marketing:
            problems.append(
                (
                    ("purposes", i, "ad_channels"),
                    "only a marketing purpose (marketing: true) sends advertising",
                )
            )
        for j, channel in enumerate(purpose.ad_channels):
            if channel in purpose.ad_channels[:j]:
                problems.append((("purposes", i, "ad_channels", j), f"'{channel}' is listed twice"))
    for i, record in enumerate(policy.records):
        refs(("records", i, "items"), record.items, items, "item")
    presets = statutes()
    for i, rule in enumerate(policy.retention):
        refs(("retention", i, "what"), rule.what, items | records, "item or record")
        if rule.basis is not None and rule.basis not in presets:
            problems.append((("retention", i, "basis"), f"unknown statute preset '{rule.basis}'"))
        if rule.period is None and rule.basis is None:
            problems.append((("retention", i), "needs a 'period' or a statute 'basis'"))
    if policy.notice.purpose is not None and policy.notice.purpose not in purposes:
        problems.append((("notice", "purpose"), f"unknown purpose '{policy.notice.purpose}'"))
    if (
        policy.dormancy is not None
        and policy.dormancy.basis is not None
        and policy.dormancy.basis not in presets
    ):
        problems.append((("dormancy", "basis"), f"unknown statute preset '{policy.dormancy.basis}'"))
    if policy.children is not None:
        refs(("children", "guardian_items"), policy.children.guardian_items, items, "item")
    dupes("third_parties.recipients", (t.id for t in policy.third_parties.recipients))
    for i, party in enumerate(policy.third_parties.recipients):
        refs(("third_parties", "recipients", i, "items"), party.items, items, "item")
        if party.overseas is not None:
            refs(("third_parties", "recipients", i, "overseas", "items"), party.overseas.items, items, "item")
    dupes("processors.processors", (p.id for p in policy.processors.processors))
    for i, proc in enumerate(policy.processors.processors):
        refs(("processors", "processors", i, "items"), proc.items, items, "item")
    for i, auto in enumerate(policy.auto_collection):
        refs(("auto_collection", i, "items"), auto.items, items, "item")
    for i, measure in enumerate(policy.security):
        refs(("security", i, "covers"), measure.covers, items | classes, "item or item class")
    for i, decision in enumerate(policy.automated_decisions):
        refs(("automated_decisions", i, "items"), decision.items, items, "item")
    if policy.pseudonymization is not None:
        refs(("pseudonymization", "items"), policy.pseudonymization.items, items, "item")
    return problems
