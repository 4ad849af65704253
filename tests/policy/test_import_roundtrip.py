"""A policy rendered by jikimi and imported back keeps every fact the importer promises.

Every example and remediated policy is rendered to Markdown and to HTML (``jikimi.policy.render``) and
imported; the draft agrees with the policy on 100% of the facts of ``import_agreement``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jikimi.policy.importing import import_text
from jikimi.policy.load import load_policy_text
from jikimi.policy.render import render_html, render_markdown
from tests.conftest import EXAMPLES
from tests.policies import cached_policy
from tests.policy.import_agreement import agreement, table

POLICIES = sorted(EXAMPLES.glob("*.yaml")) + sorted((EXAMPLES / "remediated").glob("*.yaml"))


def _name(path: Path) -> str:
    return str(path.relative_to(EXAMPLES).with_suffix(""))


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("path", POLICIES, ids=_name)
def test_a_rendered_policy_imports_back_with_all_its_facts(path: Path, fmt: str) -> None:
    policy = cached_policy(path)
    text = render_markdown(policy) if fmt == "md" else render_html(policy)
    result = import_text(text, filename=f"{path.stem}.{fmt}")
    assert result.report.format == fmt
    assert result.report.loads, result.report.load_problems
    rows = agreement(policy, load_policy_text(result.draft))
    print("\n" + table(f"{_name(path)} rendered as {fmt}", rows))
    assert rows[-1].share == 1.0, [(r.kind, r.missing, r.invented) for r in rows if r.share < 1]


def test_the_round_trip_covers_every_example_and_every_remediated_policy() -> None:
    assert len(POLICIES) == 11 and {p.parent.name for p in POLICIES} == {"policies", "remediated"}
