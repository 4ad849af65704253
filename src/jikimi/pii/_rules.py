"""Masking rules per context, as a policy declares them.

A policy's ``masking:`` section maps a context (where text goes) to the types to mask and
the operator to use::

    masking:
      post: {types: [rrn, phone, email, card, account], operator: mask}
      log:  {types: all, operator: label}

:func:`masking_rules_from_mapping` turns that mapping into :class:`MaskingRule` values.
It is pure: it reads nothing and keeps nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jikimi.errors import UsageError
from jikimi.pii._facade import mask, parse_operator, parse_types
from jikimi.pii._model import PiiType
from jikimi.pii._operators import Operator

_FIELDS = frozenset({"types", "operator"})


@dataclass(frozen=True)
class MaskingRule:
    """Which types to mask in one context, and how."""

    types: frozenset[PiiType]
    operator: Operator = Operator.MASK

    def apply(self, text: str, *, key: bytes | None = None, known_names: tuple[str, ...] = ()) -> str:
        """``text`` with this rule's types replaced by its operator."""
        return mask(
            text,
            operator=self.operator,
            types=[t.value for t in self.types],
            key=key,
            known_names=known_names,
        )


def _problem(path: str, reason_ko: str, reason_en: str) -> UsageError:
    return UsageError(f"masking.{path}: {reason_ko}", f"masking.{path}: {reason_en}")


def masking_rules_from_mapping(mapping: Mapping[str, Any]) -> dict[str, MaskingRule]:
    """Validate a ``masking:`` mapping and build one rule per context.

    ``types`` is required: ``all``, ``structured`` or a list of type ids. ``operator``
    defaults to ``mask``. Raises :class:`jikimi.errors.UsageError` naming the first bad key.
    """
    if not isinstance(mapping, Mapping):
        raise _problem("", "매핑이어야 합니다", "must be a mapping")
    rules: dict[str, MaskingRule] = {}
    for context, body in mapping.items():
        if not isinstance(context, str) or not context:
            raise _problem(str(context), "상황 이름은 문자열이어야 합니다", "context names must be strings")
        if not isinstance(body, Mapping):
            raise _problem(context, "{types, operator} 매핑이어야 합니다", "must be a mapping")
        unknown = sorted(set(map(str, body)) - _FIELDS)
        if unknown:
            raise _problem(f"{context}.{unknown[0]}", "알 수 없는 항목입니다", "unknown field")
        if "types" not in body:
            raise _problem(f"{context}.types", "필수 항목입니다", "is required")
        raw_types = body["types"]
        if not isinstance(raw_types, str) and not (
            isinstance(raw_types, list | tuple) and all(isinstance(t, str) for t in raw_types)
        ):
            raise _problem(f"{context}.types", "'all' 또는 유형 목록이어야 합니다", "must be 'all' or a list")
        try:
            types = parse_types(raw_types)
            operator = parse_operator(body.get("operator", Operator.MASK.value))
        except UsageError as exc:
            where = f"masking.{context}"
            raise UsageError(f"{where}: {exc.message_ko}", f"{where}: {exc.message_en}") from exc
        rules[context] = MaskingRule(types, operator)
    return rules
