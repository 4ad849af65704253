"""Policy YAML read without trusting it: every parser event is checked before a node is built.

A policy file is plain data: mappings, lists and scalars. What YAML offers beyond that is refused,
each as a load error naming the file, the line and the construct:

- anchors (``&a``), aliases (``*a``) and merge keys (``<<``): an alias bomb ("billion laughs") is
  refused before a single alias is expanded, and a recursive alias or merge never reaches the
  constructor;
- explicit tags (``!x``, ``!!str``, ``!!python/object/apply:…``);
- nesting deeper than ``MAX_DEPTH`` collections, and more than ``MAX_NODES`` values.

ruamel has no option for any of these (its safe loader still expands aliases and merges, and its
composer recurses once per nesting level), so the checks sit in a parser subclass that sees each
event as the composer asks for it — the first over-deep collection stops the parse before the
composer recurses into it. Flow brackets (``[[[[…``) are counted earlier still, in a scanner
subclass: ruamel's round-trip scanner reads a whole line ahead and re-checks every open bracket
of it for each token, so 10,000 brackets on one line cost seconds before the parser sees one.
Values that YAML resolves but Python cannot hold (``2026-13-45``, year 0, an integer of 5,000
digits) become errors at the value's line in a constructor subclass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    DocumentEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.parser import ParserError, RoundTripParser
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import RoundTripScanner, ScannerError

from jikimi.errors import PolicyLoadError, PolicyProblem

Path_ = tuple[str | int, ...]

MAX_DEPTH = 64
"""The deepest nesting of mappings and lists a policy may use (the examples use 6)."""

MAX_NODES = 20_000
"""The most values (scalars, mappings, lists) in a policy (the largest example has about 1,300)."""

_MAX_REFUSED = 50  # then stop: a file with this many refused constructs is not a policy
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def key_of(path: Path_) -> str:
    """A key path as the messages write it: ``purposes[3].items``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def shown(value: object, limit: int = 40) -> str:
    """A value short and printable enough for a one-line message (never raises)."""
    try:
        text = str(value)
    except Exception:  # an int too long to print, a broken __str__: say what it is instead
        return f"<{type(value).__name__}>"
    if not text.isprintable():
        text = text.encode("unicode_escape", "replace").decode("ascii")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_policy_yaml(text: str, filename: str) -> Any:
    """The ruamel round-trip tree of ``text``, or ``PolicyLoadError`` for anything refused or broken."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.Scanner = _GuardedScanner
    yaml.Parser = _GuardedParser
    yaml.Constructor = _GuardedConstructor
    try:
        return yaml.load(text)
    except _Refused as exc:
        raise PolicyLoadError(exc.problems(filename)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        found = _found_so_far(yaml, filename)
        raise PolicyLoadError([*found, PolicyProblem(filename, line, "", f"YAML: {reason}")]) from None
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        reason = f"YAML: character {shown(exc.character)} is not allowed ({exc.reason})"
        raise PolicyLoadError([PolicyProblem(filename, line, "", reason)]) from None
    except YAMLError as exc:
        raise PolicyLoadError([PolicyProblem(filename, None, "", f"YAML: {shown(exc, 200)}")]) from None


def _found_so_far(yaml: Any, filename: str) -> list[PolicyProblem]:
    """What the guard refused before ruamel met a syntax error further on (both are reported)."""
    parser = getattr(yaml, "_parser", None)
    guard = getattr(parser, "guard", None)
    return guard.refused.problems(filename) if isinstance(guard, _Guard) else []


@dataclass
class _Frame:
    """An open mapping or list, and where in it the next node goes."""

    is_map: bool
    index: int = 0
    key: str | None = None
    want_key: bool = True


class _Refused(Exception):
    """Raised inside ruamel's parse to stop it; turned into ``PolicyLoadError`` by the caller."""

    def __init__(self) -> None:
        super().__init__("refused")
        self.found: list[tuple[int, Path_, str]] = []

    def problems(self, filename: str) -> list[PolicyProblem]:
        return [PolicyProblem(filename, line, key_of(path), reason) for line, path, reason in self.found]


class _Guard:
    """Checks one stream of parser events, keeping the key path of each node for the messages."""

    def __init__(self) -> None:
        self.refused = _Refused()
        self._stack: list[_Frame] = []
        self._nodes = 0

    def see(self, event: Any) -> Any:
        if isinstance(event, AliasEvent | ScalarEvent | MappingStartEvent | SequenceStartEvent):
            event = self._node(event)
        elif isinstance(event, CollectionEndEvent):
            self._stack.pop()
            self._advance(None)
        elif isinstance(event, DocumentEndEvent | StreamEndEvent) and self.refused.found:
            raise self.refused
        return event

    def _node(self, event: Any) -> Any:
        line = event.start_mark.line + 1
        is_scalar = isinstance(event, ScalarEvent)
        plain = is_scalar and event.style is None
        self._nodes += 1
        if self._nodes > MAX_NODES:
            self._stop(line, f"more than {MAX_NODES} values (값이 {MAX_NODES}개보다 많습니다)")
        if isinstance(event, AliasEvent):
            self._refuse(
                line,
                self._path(None),
                f"YAML alias '*{shown(event.anchor)}' is not allowed: write the value out "
                "(별칭(alias)은 쓸 수 없습니다. 값을 그대로 적으십시오)",
            )
            # the composer would look the anchor up (and fail on an unknown one): hand it a scalar
            event = ScalarEvent(
                None, None, (True, False), f"*{self._nodes}", event.start_mark, event.end_mark
            )
        if event.anchor is not None:
            self._refuse(
                line,
                self._path(None),
                f"YAML anchor '&{shown(event.anchor)}' is not allowed (앵커(anchor)는 쓸 수 없습니다)",
            )
            event.anchor = None
        if event.ctag is not None:
            self._refuse(
                line,
                self._path(None),
                f"YAML tag '{shown(event.tag)}' is not allowed (태그는 쓸 수 없습니다)",
            )
            event.ctag = None
        if plain and event.value == "<<":
            # ruamel resolves a plain << to a merge wherever it stands; quoted "<<" is text
            self._refuse(
                line,
                self._path("<<"),
                "YAML merge key '<<' is not allowed: write the keys out, or quote \"<<\" for the text "
                "(병합 키 '<<'는 쓸 수 없습니다. 키를 그대로 적으십시오)",
            )
            event.value = f"<<{self._nodes}"
        if is_scalar:
            self._advance(str(event.value))
        else:
            self._stack.append(_Frame(is_map=isinstance(event, MappingStartEvent)))
            if len(self._stack) > MAX_DEPTH:
                self._stop(line, _too_deep())
        return event

    def _path(self, key: str | None) -> Path_:
        parts: list[str | int] = []
        for depth, frame in enumerate(self._stack):
            if not frame.is_map:
                parts.append(frame.index)
            elif not frame.want_key:
                parts.append(frame.key or "?")
            elif depth == len(self._stack) - 1:
                if key is not None:
                    parts.append(key)
            else:
                parts.append("?")  # inside a complex (mapping or list) key
        return tuple(parts)

    def _advance(self, scalar: str | None) -> None:
        if not self._stack:
            return
        frame = self._stack[-1]
        if not frame.is_map:
            frame.index += 1
        elif frame.want_key:
            frame.key, frame.want_key = (scalar if scalar is not None else "?"), False
        else:
            frame.key, frame.want_key = None, True

    def _refuse(self, line: int, path: Path_, reason: str) -> None:
        self.refused.found.append((line, path, reason))
        if len(self.refused.found) >= _MAX_REFUSED:
            raise self.refused

    def _stop(self, line: int, reason: str) -> None:
        self.refused.found.append((line, self._path(None), reason))
        raise self.refused


class _GuardedParser(RoundTripParser):
    """ruamel's round-trip parser with each event passed through a ``_Guard`` as it is produced.

    ruamel's ``check_event``/``peek_event``/``get_event`` all produce the next event the same way
    (``self.current_event = self.state()``); doing it here first lets the guard see every event once.
    """

    def __init__(self, loader: Any) -> None:
        super().__init__(loader)
        self.guard = _Guard()

    def _produce(self) -> None:
        if self.current_event is None and self.state:
            try:
                event = self.state()
            except AssertionError as exc:  # ruamel asserts on a directive such as `%YAML 1.3`
                raise ParserError(None, None, shown(exc, 120), self.scanner.reader.get_mark()) from exc
            self.current_event = None if event is None else self.guard.see(event)

    def check_event(self, *choices: Any) -> bool:
        self._produce()
        return bool(super().check_event(*choices))

    def peek_event(self) -> Any:
        self._produce()
        return super().peek_event()

    def get_event(self) -> Any:
        self._produce()
        return super().get_event()


class _GuardedScanner(RoundTripScanner):
    """ruamel's round-trip scanner, refusing a flow bracket deeper than ``MAX_DEPTH``."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
        if self.flow_level >= MAX_DEPTH:
            raise ScannerError(None, None, _too_deep(), self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)


def _too_deep() -> str:
    return f"nested deeper than {MAX_DEPTH} levels (중첩이 {MAX_DEPTH}단계보다 깊습니다)"


class _GuardedConstructor(RoundTripConstructor):
    """ruamel's round-trip constructor, with Python's conversion errors located at the value's line.

    ruamel builds a date or an integer with ``datetime.date(…)`` / ``int(…)`` and lets their
    ``ValueError`` (month 13, year 0, too many digits) or ``OverflowError`` escape without a mark.
    """

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except YAMLError:
            raise
        except (ValueError, OverflowError, TypeError, ArithmeticError, LookupError) as exc:
            value = shown(node.value) if isinstance(node.value, str) else type(node).__name__
            if node.tag == _TIMESTAMP:
                reason = (
                    f"'{value}' is not a valid date YYYY-MM-DD: {shown(exc, 80)} (올바른 날짜가 아닙니다)"
                )
            else:
                reason = f"cannot read '{value}': {shown(exc, 80)} (값을 읽을 수 없습니다)"
            raise ConstructorError(None, None, reason, node.start_mark) from exc
