"""Lint rules on how long data is kept (PIPA 21, 30①2 and the statutes in ``statutes.yaml``).

Retention shorter than its statute, citations of rules no longer in force, placeholder periods and
statutes jikimi cannot check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jikimi.policy._lint_registry import Hit, rule
from jikimi.policy.model import Placeholder, Policy, RetentionRule, Statute
from jikimi.policy.statutes import statutes_named_in


def _statute_for(rule_: RetentionRule) -> Statute | None:
    """The statute a rule relies on: its preset, else the one its law text and label name."""
    if rule_.statute is not None:
        return rule_.statute
    if not rule_.law:
        return None
    label = "".join((rule_.label or "").split())
    named = statutes_named_in(rule_.law)
    matches = [s for s in named if label and _label_match(label, s.label)]
    return matches[0] if len(matches) == 1 else None


def _label_match(label: str, statute_label: str) -> bool:
    a = re.sub(r"[^가-힣]", "", label)
    b = re.sub(r"[^가-힣]", "", statute_label)
    return bool(a) and (a in b or b in a or a[:6] == b[:6])


@rule(
    "retention-shorter-than-statute",
    "error",
    "PIPA 21①, 전자상거래법 시행령 6 등",
    "법정 기간보다 짧은 보존기간",
    "retention shorter than the statute it cites",
)
def _retention_shorter(policy: Policy) -> Iterator[Hit]:
    for i, rule_ in enumerate(policy.retention):
        statute = _statute_for(rule_)
        if statute is None or statute.obsolete or not hasattr(rule_.period, "approx_days"):
            continue
        period = rule_.duration
        if period is not None and period.approx_days() < statute.period.approx_days():
            yield (
                ("retention", i, "period"),
                f"{statute.law}({statute.article})은 {statute.period.korean()} 보존을 요구하는데 {period.korean()}만 보존합니다.",  # noqa: E501
                f"{statute.law_en} requires {statute.period.english()}; the rule keeps {period.english()}.",
            )


@rule(
    "obsolete-citation",
    "error",
    "PIPA.md §5.4–5.5",
    "효력을 잃은 법령 인용",
    "citation of a rule that is no longer law",
)
def _obsolete(policy: Policy) -> Iterator[Hit]:
    for i, rule_ in enumerate(policy.retention):
        statute = _statute_for(rule_)
        if statute is not None and statute.obsolete:
            yield (
                ("retention", i),
                f"'{statute.label}'({statute.law} {statute.article}): {statute.obsolete}",
                f"'{statute.label_en}' ({statute.law_en}): {statute.obsolete_en}",
            )
    dormancy = policy.dormancy
    if dormancy is not None:
        cited = dormancy.basis == "itnet.validity_period" or (
            dormancy.law is not None and re.search(r"39조의6|39의6|29조|유효기간|정보통신망", dormancy.law)
        )
        if cited:
            yield (
                ("dormancy",),
                "휴면(유효기간제)을 법령상 의무로 인용합니다. 유효기간제는 2023-09-15 삭제되어 이제 서비스 자체 방침입니다.",  # noqa: E501
                "dormancy is cited as a legal duty; the validity-period rule was deleted on 2023-09-15.",
            )


@rule(
    "retention-placeholder",
    "warning",
    "PIPA 30①2",
    "보유기간 미기재",
    "retention period left as a placeholder",
)
def _retention_placeholder(policy: Policy) -> Iterator[Hit]:
    for i, rule_ in enumerate(policy.retention):
        if isinstance(rule_.period, Placeholder):
            yield (
                ("retention", i, "period"),
                f"보유기간이 '{rule_.period.placeholder}'(으)로 비어 있습니다. 구체적인 기간을 적어야 합니다.",  # noqa: E501
                f"the retention period is the placeholder '{rule_.period.placeholder}'; state a period.",
            )


@rule(
    "statute-unresolved",
    "info",
    "PIPA 21①",
    "확인할 수 없는 법정 보존기간",
    "statutory retention jikimi cannot check",
)
def _statute_unresolved(policy: Policy) -> Iterator[Hit]:
    for i, rule_ in enumerate(policy.retention):
        if rule_.law and rule_.statute is None and _statute_for(rule_) is None:
            yield (
                ("retention", i, "law"),
                f"'{rule_.law}'을(를) 인용하지만 법정 보존기간 프리셋(basis)을 지정하지 않아 기간을 검증할 수 없습니다.",  # noqa: E501
                f"cites '{rule_.law}' without a statute preset (basis); the period cannot be checked.",
            )
