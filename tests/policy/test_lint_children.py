"""What the policy promises children under 14 is not contradicted by its own purposes and contexts."""

from __future__ import annotations

from jikimi.policy.lint import Finding, lint
from jikimi.policy.load import load_policy_text_source


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _findings(text: str, rule: str) -> list[Finding]:
    source = load_policy_text_source(text, filename="policy.yaml")
    return [f for f in lint(source.policy, file="policy.yaml", line_of=source.line) if f.rule == rule]


def _no_marketing(text: str) -> str:
    return _edit(text, "  policy: guardian_consent\n", "  policy: guardian_consent\n  no_marketing: true\n")


def _marketing_open_to_children(text: str) -> str:
    return _edit(
        text, "marketing: true, items: [email], children: false}", "marketing: true, items: [email]}"
    )


def test_a_marketing_purpose_open_to_children_contradicts_the_promise_of_no_marketing_to_children(
    clean_policy_text: str,
) -> None:
    text = _marketing_open_to_children(_no_marketing(clean_policy_text))
    (finding,) = _findings(text, "children-marketing-contradicted")
    assert finding.severity == "error"
    assert finding.key == "purposes[1]"
    marketing_line = next(i for i, line in enumerate(text.splitlines(), 1) if "{id: marketing," in line)
    assert finding.line == marketing_line
    assert "children: false" in finding.message_ko and "children: false" in finding.message_en


def test_a_marketing_purpose_closed_to_children_keeps_the_promise(clean_policy_text: str) -> None:
    assert _findings(_no_marketing(clean_policy_text), "children-marketing-contradicted") == []


def test_without_the_promise_a_marketing_purpose_may_apply_to_children(clean_policy_text: str) -> None:
    text = _marketing_open_to_children(clean_policy_text)
    assert _findings(text, "children-marketing-contradicted") == []


def test_where_no_child_can_sign_up_the_marketing_promise_cannot_be_broken(clean_policy_text: str) -> None:
    text = _marketing_open_to_children(_no_marketing(clean_policy_text))
    text = _edit(text, "children: guardian_consent}", "children: refused}")
    assert _findings(text, "children-marketing-contradicted") == []


def test_not_collecting_childrens_data_is_contradicted_by_a_context_taking_them_with_guardian_consent(
    clean_policy_text: str,
) -> None:
    text = _edit(clean_policy_text, "  policy: guardian_consent\n", "  policy: not_collected\n")
    (finding,) = _findings(text, "children-not-collected-contradicted")
    assert finding.severity == "error"
    assert finding.key == "contexts[0].children"
    assert finding.line == text.splitlines().index("contexts:") + 2
    assert "'회원가입'" in finding.message_ko and "'signup'" in finding.message_en


def test_not_collecting_childrens_data_with_contexts_that_refuse_children_is_consistent(
    clean_policy_text: str,
) -> None:
    text = _edit(clean_policy_text, "  policy: guardian_consent\n", "  policy: not_collected\n")
    text = _edit(text, "children: guardian_consent}", "children: refused}")
    assert _findings(text, "children-not-collected-contradicted") == []
