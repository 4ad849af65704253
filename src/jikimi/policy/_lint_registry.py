"""The lint rule registry: ``@rule`` gives a check its id, severity and article and adds it to ``RULES``."""

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


RULES: list[Rule] = []


def rule(
    id: str, severity: Severity, article: str, title_ko: str, title_en: str
) -> Callable[[Callable[[Policy], Iterator[Hit]]], Callable[[Policy], Iterator[Hit]]]:
    def register(check: Callable[[Policy], Iterator[Hit]]) -> Callable[[Policy], Iterator[Hit]]:
        RULES.append(Rule(id, severity, article, title_ko, title_en, check))
        return check

    return register
