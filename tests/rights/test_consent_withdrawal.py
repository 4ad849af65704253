"""동의 철회시 … 당해 개인정보는 삭제됩니다 (PIPA 37③, 38④): a withdrawal is carried out, not only recorded.

The purposes withdrawn stop at once; the items only they used are deleted; when nothing the member
was collected for still holds, the membership ends — every time under the retention rules, and the
request closes in the same transaction.
"""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.errors import Denied
from jikimi.handlers import Handler
from jikimi.lifecycle.rules import after_consent_withdrawal
from jikimi.states import SubjectStatus
from jikimi.store.tables import item_values, separated_values

from ..conftest import EXAMPLES, MEMBER  # noqa: TID252
from ..policies import cached_policy, policy_from, policy_with  # noqa: TID252
from ..vault.conftest import fast_passwords  # noqa: TID252
from .test_carrying_out import verified

SHOP_MEMBER = {
    "name": "홍길동",
    "address": "서울특별시 종로구 세종대로 1",
    "phone": "02-123-4567",
    "login_id": "hong",
    "password": "secret-pass-1",
    "email": "hong@example.com",
}


def _held(jikimi: Jikimi, sid: str) -> set[str]:
    with jikimi.core.engine.connect() as conn:
        return {
            r.item_id
            for r in conn.execute(select(item_values.c.item_id).where(item_values.c.subject_id == sid))
        }


def _separated(jikimi: Jikimi, sid: str) -> set[str]:
    with jikimi.core.engine.connect() as conn:
        return {
            r.item_id
            for r in conn.execute(
                select(separated_values.c.item_id).where(separated_values.c.subject_id == sid)
            )
        }


def _vault(engine: Engine, ring: KeyRing, clock: FixedClock, policy: Any) -> Jikimi:
    return build_jikimi(policy=policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords())


def _privacy_team(jikimi: Jikimi) -> Handler:
    jikimi.handlers.define_role("privacy_team", purposes=[], actions=["rights"])
    handler, _ = jikimi.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
    return handler


def _shop_without_rrn() -> Any:
    data: dict[str, Any] = YAML(typ="safe").load((EXAMPLES / "shop.yaml").read_text(encoding="utf-8"))
    data["items"] = [i for i in data["items"] if i["id"] != "rrn"]
    for ctx in data["contexts"]:
        ctx["required"] = [i for i in ctx.get("required", []) if i != "rrn"]
    return policy_from(data)


def test_a_shop_member_withdrawing_consent_at_the_desk_has_their_data_deleted(
    engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    """The seed names no consent-based purpose: a withdrawal of consent as a whole ends what rests on it."""
    jikimi = _vault(engine, ring, clock, _shop_without_rrn())
    clerk = _privacy_team(jikimi)
    sid = jikimi.vault.collect("signup", SHOP_MEMBER).subject_id
    request = jikimi.rights.receive(sid, "consent_withdrawal", channel="web", actor=clerk).request
    jikimi.rights.verify(request.id, method="handler", proof="본인 확인", actor=clerk)
    request_id = request.id
    answered = jikimi.rights.withdraw_consents(request_id, actor=clerk)
    assert answered.status == "answered"
    assert _held(jikimi, sid) == set() and _separated(jikimi, sid) == set()  # the seed keeps nothing


def test_withdrawing_marketing_consent_deletes_what_only_marketing_used(
    jikimi: Jikimi, officer: Handler
) -> None:
    sid = jikimi.vault.collect(
        "signup", {**MEMBER, "gender": "여", "interests": "도서"}, {"marketing": True}
    ).subject_id
    jikimi.vault.withdraw_consent(sid, "marketing")
    with pytest.raises(Denied) as denied:
        jikimi.vault.read(sid, ["email"], "marketing", officer)
    assert denied.value.reason == "consent_withdrawn"
    held = _held(jikimi, sid)
    assert not {"gender", "interests"} & held  # marketing alone used them
    assert {"email", "mobile", "login_id"} <= held  # membership still needs these
    assert jikimi.vault.subject(sid)["status"] == SubjectStatus.ACTIVE


def test_a_withdrawal_request_closes_in_the_same_transaction_as_the_deletion(
    jikimi: Jikimi, desk: Any, clerk: Handler
) -> None:
    sid = jikimi.vault.collect("signup", {**MEMBER, "interests": "도서"}, {"marketing": True}).subject_id
    request_id = verified(desk, clerk, sid, "consent_withdrawal", purposes=["marketing"])
    assert desk.withdraw_consents(request_id, actor=clerk).status == "answered"
    assert "interests" not in _held(jikimi, sid)


def _consent_membership(data: dict[str, Any]) -> None:
    """A service whose membership rests on the member's consent alone (fraud prevention included)."""
    for purpose in data["purposes"]:
        if purpose["id"] in ("membership", "fraud_prevention"):
            purpose.update(basis="consent", consent="required")
            purpose.pop("citation", None)


def test_withdrawing_the_last_consent_a_membership_rests_on_ends_it_under_the_retention_rules(
    engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    jikimi = _vault(engine, ring, clock, policy_with(_consent_membership))
    answers = {"membership": True, "fraud_prevention": True, "marketing": True}
    sid = jikimi.vault.collect("signup", MEMBER, answers).subject_id
    jikimi.vault.withdraw_consent(sid, "marketing")
    jikimi.vault.withdraw_consent(sid, "fraud_prevention")
    assert jikimi.vault.subject(sid)["status"] == SubjectStatus.ACTIVE  # membership still holds
    jikimi.vault.withdraw_consent(sid, "membership")
    assert jikimi.vault.subject(sid)["status"] == SubjectStatus.WITHDRAWN
    assert _held(jikimi, sid) == set()
    assert _separated(jikimi, sid) == {
        "login_id",
        "ci",
    }  # withdrawn_login_id (3 months), withdrawn_ci (30 days)


def test_the_rule_keeps_a_purpose_without_a_basis_unless_consent_is_withdrawn_as_a_whole() -> None:
    policy = cached_policy(EXAMPLES / "shop.yaml")
    signup = policy.purposes_of(policy.contexts_by_id["signup"])
    held = {"name", "email"}
    assert not after_consent_withdrawal(policy, signup, held=held, live=set()).end_membership
    assert after_consent_withdrawal(policy, signup, held=held, live=set(), all_consents=True).end_membership
