"""The two calls most users need: :func:`scan` and :func:`mask`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from jikimi.errors import UsageError
from jikimi.pii._model import ALL_TYPES, STRUCTURED_TYPES, Finding, PiiType
from jikimi.pii._operators import Operator, render
from jikimi.pii._scanner import DEFAULT_MAX_CHARS, DEFAULT_MIN_CONFIDENCE, Scanner


def parse_types(names: Iterable[str] | str | None) -> frozenset[PiiType]:
    """Type ids as given by a user: ``None`` or ``"all"`` for every type, ``"structured"`` for all
    but names and addresses, else a list (or comma-separated string) of ids such as ``rrn``."""
    if names is None:
        return ALL_TYPES
    if isinstance(names, str):
        names = [n for n in (part.strip() for part in names.split(",")) if n]
    chosen: set[PiiType] = set()
    for name in names:
        if name == "all":
            chosen |= ALL_TYPES
        elif name == "structured":
            chosen |= STRUCTURED_TYPES
        else:
            try:
                chosen.add(PiiType(name))
            except ValueError:
                known = ", ".join(t.value for t in PiiType)
                raise UsageError(
                    f"알 수 없는 개인정보 유형입니다: {name!r} (가능한 값: all, structured, {known})",
                    f"unknown personal-data type {name!r} (known: all, structured, {known})",
                ) from None
    if not chosen:
        raise UsageError("유형 목록이 비어 있습니다", "the list of types is empty")
    return frozenset(chosen)


def parse_operator(name: str | Operator) -> Operator:
    try:
        return Operator(name)
    except ValueError:
        known = ", ".join(o.value for o in Operator)
        raise UsageError(
            f"알 수 없는 마스킹 방식입니다: {name!r} (가능한 값: {known})",
            f"unknown masking operator {name!r} (known: {known})",
        ) from None


def scan(
    text: str,
    *,
    types: Iterable[str] | str | None = None,
    known_names: Iterable[str] = (),
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> list[Finding]:
    """Find personal data in ``text``. See :class:`Scanner` for the options."""
    scanner = Scanner(parse_types(types), tuple(known_names), min_confidence, max_chars)
    return scanner.scan(text)


def mask(
    text: str,
    *,
    operator: Operator | str = Operator.MASK,
    types: Iterable[str] | str | None = None,
    key: bytes | None = None,
    known_names: Iterable[str] = (),
    findings: Sequence[Finding] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> str:
    """``text`` with its personal data replaced by ``operator`` (see :class:`Operator`).

    Pass ``findings`` from an earlier :func:`scan` of the same text to skip scanning again;
    ``key`` is needed by ``hash`` and ``encrypt``.
    """
    op = parse_operator(operator)
    if findings is None:
        findings = scan(text, types=types, known_names=known_names, max_chars=max_chars)
    elif types is not None:
        wanted = parse_types(types)
        findings = [f for f in findings if f.type in wanted]
    return render(text, findings, op, key)
