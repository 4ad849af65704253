"""The send gate's rules, pure (no database): every reason, in the order of the contract, the night
from 21:00 to 08:00 KST, the 2-year clock to the close of its last day, and what the policy must
declare — with a property test that the check's one threshold agrees with each consent's expiry."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jikimi.errors import InvalidInput
from jikimi.notices import marketing_rules as rules
from jikimi.periods import KST
from jikimi.policy.load import load_policy_text
from jikimi.vault.advertising import split_answers

from ..policies import cached_policy, policy_with
from .marketing_setup import POLICY

MECROSS = cached_policy(POLICY)
MARKETING = MECROSS.purposes_by_id["marketing"]
GIVEN = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 10:00 KST
NOON = datetime(2026, 12, 3, 12, 0, tzinfo=KST)


@dataclass(frozen=True)
class Facts:
    status: str = "active"
    is_child: bool = False
    stopped: bool = False
    purpose_consent: str = "live"
    channel_at: datetime | None = GIVEN
    night_at: datetime | None = None


def decide(facts: Facts | None, at: datetime = NOON, channel: str = "sms", now: datetime = GIVEN) -> str:
    return rules.decide_send(rules.plan(MARKETING, channel, at, now), facts).reason


EVERYTHING_WRONG = Facts(
    status="dormant", is_child=True, stopped=True, purpose_consent="withdrawn", channel_at=None, night_at=None
)


def test_every_reason_has_a_korean_and_an_english_message() -> None:
    assert set(rules.REASONS) == {
        "allowed",
        "unknown_subject",
        "child",
        "withdrawn",
        "processing_stopped",
        "no_consent",
        "no_channel_consent",
        "consent_expired",
        "night_without_consent",
    }
    for reason, (ko, en) in rules.REASONS.items():
        assert ko and en and ko != en, reason


def test_the_order_of_checks_is_the_contract() -> None:
    facts = EVERYTHING_WRONG
    night = datetime(2026, 12, 3, 23, 0, tzinfo=KST)
    assert decide(None, night) == "unknown_subject"
    assert decide(facts, night) == "child"
    facts = replace(facts, is_child=False)
    assert decide(facts, night) == "withdrawn"
    facts = replace(facts, status="active")
    assert decide(facts, night) == "processing_stopped"
    facts = replace(facts, stopped=False)
    assert decide(facts, night) == "no_consent"
    facts = replace(facts, purpose_consent="live")
    assert decide(facts, night) == "no_channel_consent"
    facts = replace(facts, channel_at=GIVEN - timedelta(days=800))
    assert decide(facts, night) == "consent_expired"
    facts = replace(facts, channel_at=GIVEN)
    assert decide(facts, night) == "night_without_consent"
    facts = replace(facts, night_at=GIVEN - timedelta(days=800))
    assert decide(facts, night) == "consent_expired"
    facts = replace(facts, night_at=GIVEN)
    assert decide(facts, night) == "allowed"


@pytest.mark.parametrize("status", ["withdrawn", "dormant", "pending_guardian"])
def test_a_subject_not_active_is_denied_with_its_state(status: str) -> None:
    decision = rules.decide_send(rules.plan(MARKETING, "sms", NOON, GIVEN), Facts(status=status))
    assert (decision.reason, decision.detail) == ("withdrawn", status)
    assert status in decision.message_en


@pytest.mark.parametrize(
    ("clock", "night"),
    [
        ((20, 59), False),
        ((21, 0), True),
        ((23, 30), True),
        ((0, 0), True),
        ((7, 59), True),
        ((8, 0), False),
        ((12, 0), False),
    ],
)
def test_the_night_runs_from_21_to_08_korean_time(clock: tuple[int, int], night: bool) -> None:
    at = datetime(2026, 12, 3, *clock, tzinfo=KST)
    assert rules.plan(MARKETING, "sms", at, GIVEN).night is night
    assert rules.plan(MARKETING, "sms", at.astimezone(UTC), GIVEN).night is night  # any offset, same instant
    assert decide(Facts(), at) == ("night_without_consent" if night else "allowed")


def test_a_letter_has_no_time_of_day() -> None:
    assert rules.plan(MARKETING, "letter", datetime(2026, 12, 3, 23, 0, tzinfo=KST), GIVEN).night is False


def test_the_two_years_run_to_the_close_of_the_last_day_in_korean_time() -> None:
    # given 2026-03-02 10:00 KST; the Civil Act counts from the next day: the last day is 2028-03-02
    assert rules.expires_at(GIVEN) == datetime(2028, 3, 3, 0, 0, tzinfo=KST)
    assert rules.notice_at(GIVEN) == datetime(2028, 2, 2, 0, 0, tzinfo=KST)
    last = datetime(2028, 3, 2, 20, 59, tzinfo=KST)
    assert decide(Facts(), last, now=last) == "allowed"
    assert decide(Facts(), datetime(2028, 3, 3, 8, 0, tzinfo=KST)) == "consent_expired"
    # judged at the later of the send and now: a consent lapsed today lapsed for a send planned earlier
    assert decide(Facts(), NOON, now=datetime(2028, 3, 3, 9, 0, tzinfo=KST)) == "consent_expired"


@given(
    anchor=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1500)),
)
def test_the_one_threshold_of_a_check_agrees_with_each_consents_expiry(
    anchor: datetime, later: timedelta
) -> None:
    moment = anchor + later
    send = rules.plan(MARKETING, "letter", moment, moment)
    assert (anchor < send.expired_before) is (moment >= rules.expires_at(anchor))
    due = rules.reconfirmation_due_before(moment)
    assert (anchor < due) is (moment >= rules.notice_at(anchor))


def test_the_channel_must_be_one_the_policy_asks_consent_for() -> None:
    assert rules.ad_purpose(MECROSS, "push").id == "marketing"
    for channel, field in (("phone", "channel"), ("telegram", "channel")):
        with pytest.raises(InvalidInput) as refused:
            rules.ad_purpose(MECROSS, channel)
        assert refused.value.field == field
    with pytest.raises(InvalidInput) as refused:
        rules.ad_purpose(MECROSS, "sms", "membership")
    assert refused.value.field == "purpose"
    assert rules.ad_target(MECROSS, "night") == "night"
    with pytest.raises(InvalidInput):
        rules.ad_target(MECROSS, "fax")


def test_two_marketing_purposes_on_one_channel_must_be_named() -> None:
    def two(data: dict[str, object]) -> None:
        purposes = data["purposes"]
        assert isinstance(purposes, list)
        for p in purposes:
            if p["id"] == "marketing":
                p["ad_channels"] = ["email"]
                purposes.append(copy.deepcopy(dict(p, id="newsletter", label="소식지")))
                return

    policy = policy_with(two)
    with pytest.raises(InvalidInput) as refused:
        rules.ad_purpose(policy, "email")
    assert refused.value.field == "purpose"
    assert rules.ad_purpose(policy, "email", "newsletter").id == "newsletter"


def _without_channels(data: dict[str, Any]) -> None:
    for purpose in data["purposes"]:
        purpose.pop("ad_channels", None)


def test_a_policy_without_advertising_channels_takes_no_consent_to_receive() -> None:
    reference = policy_with(_without_channels)
    with pytest.raises(InvalidInput):
        rules.ad_target(reference, "night")
    with pytest.raises(InvalidInput) as refused:
        split_answers(reference.purposes, {"marketing": True, "ad:email": True})
    assert refused.value.field == "consents.ad:email"


def test_collection_answers_split_into_purposes_and_channels() -> None:
    plain, ads = split_answers(MECROSS.purposes, {"marketing": True, "ad:sms": True, "ad:night": False})
    assert plain == {"marketing": True}
    assert ads == (("sms", True), ("night", False))


@pytest.mark.parametrize(
    ("purpose", "problem"),
    [
        ("{id: p, label: P, basis: contract, ad_channels: [sms]}", "only a marketing purpose"),
        (
            "{id: p, label: P, basis: consent, consent: optional, marketing: true, ad_channels: [sms, sms]}",
            "'sms' is listed twice",
        ),
        ("{id: p, label: P, basis: consent, marketing: true, ad_channels: [pigeon]}", "ad_channels"),
    ],
)
def test_the_loader_refuses_channels_outside_a_marketing_purpose_twice_or_unknown(
    purpose: str, problem: str
) -> None:
    from jikimi.errors import PolicyLoadError

    with pytest.raises(PolicyLoadError) as refused:
        load_policy_text(f"controller: {{name: x}}\npurposes:\n  - {purpose}\n", filename="policy.yaml")
    found = " ".join(str(p) for p in refused.value.problems)
    assert problem in found and "purposes[0].ad_channels" in found, found
