"""The collection gate (jikimi.policy.lawful): sensitive data is collected only on the separate consent
the subject gives for it (PIPA 23①), and the refusal names the rule and the article, never the value."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.errors import UnlawfulCollection

from .conftest import MEMBER, fast_passwords, policy_with

HEALTH_NOTE = "당뇨 관리 중"


def _health_care(*, separate_consent: bool = True) -> Any:
    def edit(data: dict[str, Any]) -> None:
        data["items"].append(
            {"id": "health_note", "label": "건강 상태", "class": "sensitive", "sensitive_kind": "health"}
        )
        signup = next(c for c in data["contexts"] if c["id"] == "signup")
        signup["optional"].append("health_note")
        signup["purposes"].append("health_care")
        data["purposes"].append(
            {
                "id": "health_care",
                "label": "건강 맞춤 상담",
                "basis": "consent",
                "consent": "optional",
                "separate_consent": separate_consent,
                "items": ["health_note"],
            }
        )

    return edit


def _vault(engine: Engine, ring: KeyRing, clock: FixedClock, **variant: bool) -> Jikimi:
    return build_jikimi(
        policy=policy_with(_health_care(**variant)),
        engine=engine,
        keys=ring,
        clock=clock,
        passwords=fast_passwords(),
    )


def test_sensitive_data_is_collected_with_the_separate_consent_the_member_gives(
    engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    jikimi = _vault(engine, ring, clock)
    got = jikimi.vault.collect("signup", {**MEMBER, "health_note": HEALTH_NOTE}, {"health_care": True})
    assert "health_note" in got.stored_items and "health_care" in got.consents_given


def test_sensitive_data_is_refused_when_the_member_declines_its_separate_consent(
    engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    jikimi = _vault(engine, ring, clock)
    with pytest.raises(UnlawfulCollection) as refused:
        jikimi.vault.collect("signup", {**MEMBER, "health_note": HEALTH_NOTE}, {"health_care": False})
    assert (refused.value.field, refused.value.rule) == ("health_note", "sensitive-without-consent")
    assert "제23조①" in refused.value.message_ko and HEALTH_NOTE not in str(refused.value)
    # declining the consent and leaving the item out signs up as usual (PIPA 22⑤)
    assert jikimi.vault.collect("signup", MEMBER, {"health_care": False}).status == "active"


def test_sensitive_data_is_refused_when_the_policy_asks_no_separate_consent(
    engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    jikimi = _vault(engine, ring, clock, separate_consent=False)
    with pytest.raises(UnlawfulCollection):
        jikimi.vault.collect("signup", {**MEMBER, "health_note": HEALTH_NOTE}, {"health_care": True})


def test_over_http_the_refusal_is_a_422_naming_the_field_and_the_rule(
    engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    jikimi = _vault(engine, ring, clock)
    jikimi.handlers.define_role("admin", purposes=["*"], actions=["*"])
    _, token = jikimi.handlers.create("admin-park", "correct horse battery", role="admin")
    client = TestClient(create_app(jikimi), raise_server_exceptions=False)
    answer = client.post(
        "/v1/subjects",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "context": "signup",
            "data": {**MEMBER, "health_note": HEALTH_NOTE},
            "consents": {"health_care": False},
        },
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["code"], error["field"], error["reason"]) == (
        "vault.unlawful",
        "health_note",
        "sensitive-without-consent",
    )
    assert HEALTH_NOTE not in answer.text
