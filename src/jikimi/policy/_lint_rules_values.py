"""Lint rules on the values a policy holds: unfilled placeholders and the outdated name '취급방침' in any
text field, unknown masking types."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from jikimi.policy._lint_registry import Hit, LintPath, rule
from jikimi.policy.model import Placeholder, Policy

# --- placeholders -------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"(?<![0-9A-Za-z:.\-])(?:0{2,}|o{2}|O{2}|○{2,}|x{3}|X{3})(?![0-9A-Za-z])|\[email\s*protected\]"
)
_SKIP_FIELDS = {"source", "statute"}


def _walk_strings(node: Any, path: LintPath) -> Iterator[tuple[LintPath, Any]]:
    if isinstance(node, Placeholder):
        yield path, node
    elif isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            if name in _SKIP_FIELDS:
                continue
            yield from _walk_strings(getattr(node, name), (*path, field.alias or name))
    elif isinstance(node, tuple):
        for index, value in enumerate(node):
            yield from _walk_strings(value, (*path, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_strings(value, (*path, str(key)))
    elif isinstance(node, str):
        yield path, node


@rule("placeholder", "warning", "PIPA 30①", "채워지지 않은 자리표시자", "unresolved placeholder")
def _placeholders(policy: Policy) -> Iterator[Hit]:
    for path, value in _walk_strings(policy, ()):
        if path[:1] == ("retention",) and path[-1:] == ("period",):
            continue  # reported by retention-placeholder with a precise message
        if isinstance(value, Placeholder):
            yield (
                path,
                f"'{value.placeholder}'이(가) 채워지지 않았습니다.",
                f"'{value.placeholder}' is a placeholder.",
            )
        elif isinstance(value, str) and value.strip() in ("", "0"):
            yield (
                path,
                "값이 비어 있습니다 (양식의 빈칸).",
                "the value is blank (an unfilled template field).",
            )
        elif isinstance(value, str) and _PLACEHOLDER.search(value):
            shown = value if len(value) <= 40 else value[:37] + "…"
            yield (
                path,
                f"자리표시자로 보이는 값이 남아 있습니다: '{shown}'",
                f"looks like an unfilled placeholder: '{shown}'",
            )


# --- the policy's own name ----------------------------------------------------------------------

_OUTDATED_NAME = re.compile(r"(?:개인\s*정보\s*)?취급\s*방침")
_NAME_SKIPPED = {("title",), ("history",)}
"""The title has its own rule (outdated-title); a history entry may name a past version as it was called."""


@rule(
    "outdated-name-in-text",
    "warning",
    "PIPA 30①, 작성지침",
    "본문의 '취급방침' 표현",
    "the text calls the policy '취급방침'",
)
def _outdated_name_in_text(policy: Policy) -> Iterator[Hit]:
    titled = "처리방침" in "".join(policy.title.split())
    for path, value in _walk_strings(policy, ()):
        if path[:1] in _NAME_SKIPPED or not isinstance(value, str):
            continue
        found = _OUTDATED_NAME.search(value)
        if found is None:
            continue
        start = max(found.start() - 12, 0)
        shown = (
            ("…" if start else "")
            + value[start : found.end() + 12]
            + ("…" if found.end() + 12 < len(value) else "")
        )
        if titled:
            ko = f"제목은 '{policy.title}'인데 이 글은 '{found.group()}'이라 부릅니다: '{shown}'. '개인정보 처리방침'으로 고치십시오."  # noqa: E501
            en = f"the title is '{policy.title}' but this text says '{found.group()}': '{shown}'; write '개인정보 처리방침'."  # noqa: E501
        else:
            ko = f"'{found.group()}'은 옛 명칭입니다: '{shown}'. '개인정보 처리방침'으로 고치십시오."
            en = f"'{found.group()}' is the outdated name: '{shown}'; write '개인정보 처리방침' (PIPA, 2011)."
        yield path, ko, en


# --- masking ------------------------------------------------------------------------------------


@rule(
    "masking-unknown-type",
    "error",
    "PIPA 29 (게시물의 개인정보 보호)",
    "알 수 없는 마스킹 유형",
    "masking names an unknown personal-data type",
)
def _masking(policy: Policy) -> Iterator[Hit]:
    from jikimi.pii import PiiType

    known = {t.value for t in PiiType}
    for context, masking_rule in policy.masking.items():
        if masking_rule.types == "all":
            continue
        for index, name in enumerate(masking_rule.types):
            if name not in known:
                yield (
                    ("masking", context, "types", index),
                    f"'{name}'은(는) 탐지할 수 있는 개인정보 유형이 아닙니다 (가능: {', '.join(sorted(known))})",  # noqa: E501
                    f"'{name}' is not a detectable type (known: {', '.join(sorted(known))})",
                )
