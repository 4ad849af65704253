"""Lint a policy against PIPA (개인정보 보호법), its decree and the PIPC writing guideline.

Each rule is a function that yields ``(path, message_ko, message_en)`` for what it finds; the
``@rule`` decorator gives it a stable id, a severity and the article it enforces. Rules read the
policy only; they never touch files, databases or the network. ``RULES`` lists them all and
``docs/lint-rules.md`` documents each (a test checks both agree).

This module runs the rules and reports their ``Finding``s. ``jikimi.policy._lint_registry`` holds
``RULES`` and ``@rule``; the rules themselves live, by topic, in the ``jikimi.policy._lint_rules_*``
modules imported below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jikimi.policy._lint_registry import RULES, Hit, LintPath, Rule, Severity, rule
from jikimi.policy.model import Policy

# Importing a rule module registers its rules: RULES, and so ``jikimi rules``, keeps this order.
# isort: off
import jikimi.policy._lint_rules_sections  # noqa: F401
import jikimi.policy._lint_rules_collection  # noqa: F401
import jikimi.policy._lint_rules_children  # noqa: F401
import jikimi.policy._lint_rules_transfers  # noqa: F401
import jikimi.policy._lint_rules_retention  # noqa: F401
import jikimi.policy._lint_rules_rights  # noqa: F401
import jikimi.policy._lint_rules_values  # noqa: F401
# isort: on

__all__ = ["RULES", "Finding", "Hit", "LintPath", "Rule", "Severity", "lint", "rule"]


@dataclass(frozen=True)
class Finding:
    """One thing a rule found, located in the policy file."""

    rule: str
    severity: Severity
    article: str
    message_ko: str
    message_en: str
    key: str
    path: LintPath
    file: str | None = None
    line: int | None = None

    def location(self) -> str:
        where = self.file or "<policy>"
        return f"{where}:{self.line}" if self.line is not None else where

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "article": self.article,
            "message_ko": self.message_ko,
            "message_en": self.message_en,
            "file": self.file,
            "line": self.line,
            "key": self.key,
        }


_ORDER = {"error": 0, "warning": 1, "info": 2}


def lint(
    policy: Policy,
    *,
    file: str | None = None,
    line_of: Callable[[LintPath], int | None] | None = None,
) -> list[Finding]:
    """Every finding of every rule, errors first, then in file order."""
    findings: list[Finding] = []
    for r in RULES:
        for path, ko, en in r.check(policy):
            findings.append(
                Finding(
                    rule=r.id,
                    severity=r.severity,
                    article=r.article,
                    message_ko=ko,
                    message_en=en,
                    key=_key(path),
                    path=path,
                    file=file,
                    line=line_of(path) if line_of else None,
                )
            )
    findings.sort(key=lambda f: (_ORDER[f.severity], f.line or 0, f.rule))
    return findings


def _key(path: LintPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
