"""Lint rules on what the policy promises children under 14 and where its text says otherwise (PIPA 22-2).

The service-wide rule (``children``) makes promises — no advertising to children, or no children's
data at all — and purposes and collection contexts can contradict them. Whether the children rule
exists at all is ``children-without-guardian-rule`` (``_lint_rules_collection``).
"""

from __future__ import annotations

from collections.abc import Iterator

from jikimi.policy._lint_registry import Hit, rule
from jikimi.policy.model import Policy


def _children_admitted(policy: Policy) -> bool:
    """Whether a child can become a subject: guardian consent is the rule and some context admits them."""
    if policy.children is None or policy.children.policy != "guardian_consent":
        return False
    admitting = [c for c in policy.contexts if c.children != "refused" and c.subjects != "guardian"]
    return bool(admitting) or not policy.contexts


@rule(
    "children-marketing-contradicted",
    "error",
    "PIPA 22-2①, 30①",
    "아동에게 광고하지 않는다는 약속과 어긋나는 마케팅 목적",
    "a marketing purpose contradicts the promise of no marketing to children",
)
def _children_marketing(policy: Policy) -> Iterator[Hit]:
    if policy.children is None or not policy.children.no_marketing or not _children_admitted(policy):
        return
    for i, purpose in enumerate(policy.purposes):
        if purpose.marketing and purpose.children:
            yield (
                ("purposes", i),
                f"아동에게 광고하지 않는다(children.no_marketing)고 약속하면서 마케팅 목적 "
                f"'{purpose.label}'은(는) 아동에게도 적용된다고 합니다. 목적에 children: false를 적어 약속과 맞추십시오.",  # noqa: E501
                f"children.no_marketing promises no marketing to children, but marketing purpose "
                f"'{purpose.id}' applies to children; write `children: false` on it to match the promise.",
            )


@rule(
    "children-not-collected-contradicted",
    "error",
    "PIPA 22-2①, 30①",
    "아동의 정보를 수집하지 않는다면서 법정대리인 동의로 받는 수집 상황",
    "a context takes children with guardian consent although the policy collects none",
)
def _children_not_collected(policy: Policy) -> Iterator[Hit]:
    if policy.children is None or policy.children.policy != "not_collected":
        return
    for i, ctx in enumerate(policy.contexts):
        if ctx.children == "guardian_consent":
            yield (
                ("contexts", i, "children"),
                f"만 14세 미만 아동의 개인정보를 수집하지 않는다(children.policy: not_collected)고 하면서 "
                f"'{ctx.label}'에서는 법정대리인 동의를 받아 아동을 받습니다.",
                f"children.policy is not_collected, but context '{ctx.id}' takes children with "
                "guardian consent.",
            )
