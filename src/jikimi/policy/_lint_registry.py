"""The lint rule registry: ``@rule`` gives a check its id, severity and article and adds it to ``RULES``.

``blocks=True`` marks an error under which the engine would process data unlawfully (a unique
identifier or resident registration number without its legal ground, sensitive data without
separate consent): ``open_jikimi`` and ``jikimi serve`` refuse a policy with such a finding unless
the operator overrides it (docs/lint-rules.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from jikimi.policy.model import Policy

Severity = Literal["error", "warning", "info"]
LintPath = tuple[str | int, ...]
Hit = tuple[LintPath, str, str]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    article: str
    title_ko: str
    title_en: str
    check: Callable[[Policy], Iterator[Hit]]
    blocks: bool = False
    """A finding of this rule blocks enforcement (only errors do)."""


RULES: list[Rule] = []


def rule(
    id: str, severity: Severity, article: str, title_ko: str, title_en: str, *, blocks: bool = False
) -> Callable[[Callable[[Policy], Iterator[Hit]]], Callable[[Policy], Iterator[Hit]]]:
    if blocks and severity != "error":
        raise ValueError(f"lint rule {id}: only an error may block enforcement")

    def register(check: Callable[[Policy], Iterator[Hit]]) -> Callable[[Policy], Iterator[Hit]]:
        RULES.append(Rule(id, severity, article, title_ko, title_en, check, blocks=blocks))
        return check

    return register
