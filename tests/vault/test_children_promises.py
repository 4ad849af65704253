"""The children's promises of the policy are gate rules, not only sentences: ``children.no_marketing``
keeps every marketing purpose away from a child under 14, whatever the purpose itself says, and the
published document says so of that purpose."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from jikimi.bootstrap import build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.errors import Denied
from jikimi.policy.render import render_markdown

from ..rights.conftest import CHILD  # noqa: TID252
from .conftest import MEMBER, fast_passwords, policy_with


def _marketing_says_children(data: dict[str, Any]) -> None:
    """A marketing purpose that forgot ``children: false`` under the policy's ``no_marketing`` promise."""
    next(p for p in data["purposes"] if p["id"] == "marketing")["children"] = True


def test_no_marketing_keeps_a_marketing_purpose_from_a_child_even_if_the_purpose_forgets_it(
    engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    policy = policy_with(_marketing_says_children)
    assert policy.children is not None and policy.children.no_marketing
    jikimi = build_jikimi(policy=policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords())
    jikimi.handlers.define_role("marketing", purposes=["marketing"], actions=["read"])
    marketer, _ = jikimi.handlers.create("mk-lee", "correct horse battery", role="marketing")
    kid = jikimi.vault.collect("signup", CHILD, {}).subject_id
    jikimi.vault.record_guardian_consent(kid, method="휴대전화 본인확인")
    jikimi.vault.collect("signup", CHILD, {"marketing": True}, subject_id=kid)
    with pytest.raises(Denied) as denied:
        jikimi.vault.read(kid, ["email"], "marketing", marketer)
    assert denied.value.reason == "child_not_allowed"
    adult = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    assert jikimi.vault.read(adult, ["email"], "marketing", marketer) == {"email": MEMBER["email"]}


def test_the_document_says_of_that_purpose_what_the_gate_does() -> None:
    policy = policy_with(_marketing_says_children)
    row = next(
        line
        for line in render_markdown(policy).splitlines()
        if line.startswith("| 마케팅 및 광고성 정보 제공")
    )
    assert "만 14세 미만 아동에게는 적용하지 않음" in row
