"""Breach rules without a database (PIPA 34, 시행령 39–40, the 2026 amendment): what requires a
report and why, the 72-hour clock, what subjects can do, the checks of what an operator types, and
the notice's wording (the five things 34① requires)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jikimi.errors import InvalidInput
from jikimi.notices import incident_rules as rules
from jikimi.notices.wording import render
from jikimi.policy.model import Policy

from .incident_setup import incident_policy

AWARE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 10:00 KST


@pytest.fixture(scope="module")
def policy() -> Policy:
    return incident_policy()


def decide(
    policy: Policy, subjects: int, items: list[str], cause: str | None = "mistake", kind: str = "leak"
) -> rules.ReportDecision:
    return rules.report_decision(
        subjects=subjects,
        items=[policy.items_by_id[i] for i in items],
        cause=cause,
        kind=kind,
        aware_at=AWARE,
    )


def test_1000_subjects_require_a_report_and_999_do_not(policy: Policy) -> None:
    assert decide(policy, 1000, ["email"]).codes == ("subjects_1000",)
    assert decide(policy, 999, ["email"]).required is False


def test_sensitive_data_requires_a_report_for_a_single_subject(policy: Policy) -> None:
    decision = decide(policy, 1, ["email", "health_note"])
    assert decision.required and decision.codes == ("sensitive_data",)
    assert decision.grounds[0].article == "시행령 40①2" and "health_note" in decision.grounds[0].ko


def test_unique_identifier_data_requires_a_report_for_a_single_subject(policy: Policy) -> None:
    decision = decide(policy, 1, ["passport_no"])
    assert decision.required and decision.codes == ("unique_id_data",)


@pytest.mark.parametrize(
    ("cause", "required"),
    [
        ("outside_access", True),
        ("ransomware", True),
        ("insider", False),
        ("mistake", False),
        ("other", False),
    ],
)
def test_only_unlawful_access_from_outside_requires_a_report_by_its_cause(
    policy: Policy, cause: str, required: bool
) -> None:
    decision = decide(policy, 10, ["email"], cause=cause)
    assert decision.required is required
    if required:
        assert decision.codes == ("outside_access",) and decision.grounds[0].article == "시행령 40①3"


def test_every_ground_is_listed_when_several_hold(policy: Policy) -> None:
    decision = decide(policy, 5000, ["health_note", "passport_no"], cause="outside_access")
    assert decision.codes == ("subjects_1000", "sensitive_data", "unique_id_data", "outside_access")


def test_no_report_says_why_in_korean_and_english(policy: Policy) -> None:
    decision = decide(policy, 10, ["email", "mobile"])
    assert decision.required is False
    (why,) = decision.grounds
    assert why.code == "below_thresholds" and why.article == "시행령 40①"
    assert "정보주체 10명" in why.ko and "1천명 미만" in why.ko and "민감정보·고유식별정보 없음" in why.ko
    assert "10 subjects" in why.en and "not unlawful access from outside" in why.en


def test_an_unknown_cause_and_uncounted_subjects_are_noted_not_guessed(policy: Policy) -> None:
    decision = decide(policy, 0, ["email"], cause=None)
    assert decision.required is False
    assert [n.code for n in decision.notes] == ["subjects_not_counted", "cause_unknown"]


@pytest.mark.parametrize("kind", ["possible_leak", "alteration"])
def test_a_possible_leak_and_an_alteration_count_under_the_2026_amendment_from_its_date(kind: str) -> None:
    before = rules.AMENDMENT_IN_FORCE - timedelta(seconds=1)
    ahead, in_force = rules.coverage(kind, before), rules.coverage(kind, rules.AMENDMENT_IN_FORCE)
    assert ahead is not None and ahead.code == "amendment_ahead" and "2026-09-11" in ahead.ko
    assert in_force is not None and in_force.code == "amendment_in_force"
    assert rules.coverage("leak", before) is None and rules.coverage("loss", before) is None
    assert rules.AMENDMENT_IN_FORCE == datetime(2026, 9, 10, 15, 0, tzinfo=UTC)  # 2026-09-11 00:00 KST


@given(st.integers(min_value=-10 * 24 * 60, max_value=10 * 24 * 60))
def test_the_clock_runs_72_hours_from_awareness_and_goes_negative_after(minutes: int) -> None:
    now = AWARE + timedelta(minutes=minutes)
    left = rules.hours_left(AWARE, now)
    assert abs(left - (72 - minutes / 60)) <= 0.05 + 1e-9 and left == round(left, 1)  # to a tenth
    if now >= rules.due_at(AWARE) + timedelta(minutes=6):  # overdue by a tenth of an hour or more
        assert left < 0
    if now <= rules.due_at(AWARE) - timedelta(minutes=6):
        assert left > 0


def test_the_advice_follows_the_items_breached(policy: Policy) -> None:
    advice = rules.advice_for(
        policy.items_by_id[i] for i in ["password", "email", "refund_account", "ci", "address"]
    )
    assert advice == (
        "change_password",
        "beware_phishing",
        "watch_accounts",
        "identity_theft",
        "beware_visits",
        "tell_us",
    )
    assert rules.advice_for([policy.items_by_id["name"]]) == ("tell_us",)


def test_an_instant_without_an_offset_is_korean_time() -> None:
    assert rules.parse_instant("aware_at", "2026-03-02 10:00") == AWARE
    assert rules.parse_instant("aware_at", "2026-03-02T01:00:00+00:00") == AWARE
    assert rules.parse_instant("aware_at", "2026-03-02") == AWARE - timedelta(hours=10)
    with pytest.raises(InvalidInput) as raised:
        rules.parse_instant("aware_at", "어제 저녁")
    assert raised.value.field == "aware_at"


def test_the_awareness_time_is_not_in_the_future_and_the_breach_not_after_it() -> None:
    rules.check_times(AWARE + timedelta(minutes=4), None, AWARE)  # another machine's clock
    with pytest.raises(InvalidInput) as raised:
        rules.check_times(AWARE + timedelta(hours=1), None, AWARE)
    assert raised.value.field == "aware_at"
    with pytest.raises(InvalidInput) as raised:
        rules.check_times(AWARE, AWARE + timedelta(seconds=1), AWARE)
    assert raised.value.field == "occurred_at"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("status=active", "holding"),
        ("holding=no_such_item", "items"),
        ("holding=email status=asleep", "status"),
        ("holding=email context=nowhere", "context"),
        ("holding=email created_from=2026-03-02 created_until=2026-03-01", "created_until"),
        ("holding=email created_from=soon", "created_from"),
        ("holding=email holding=mobile", "query"),
        ("email", "query"),
        ("holding=email colour=red", "query"),
    ],
)
def test_a_query_is_checked_against_the_policy_and_names_the_field(
    policy: Policy, text: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        rules.parse_query(policy, text)
    assert raised.value.field == field


def test_a_query_reads_items_status_context_and_a_window(policy: Policy) -> None:
    query = rules.parse_query(
        policy, "holding=email,mobile status=active context=signup created_from=2026-01-01"
    )
    assert query == rules.AffectedQuery(
        ("email", "mobile"), "active", "signup", datetime(2025, 12, 31, 15, 0, tzinfo=UTC), None
    )


def test_subject_ids_from_a_file_skip_blanks_and_comments_and_refuse_anything_else() -> None:
    assert rules.check_subject_ids(["# leaked backup", "", "Abc123_-x", "Abc123_-x", " Def "]) == [
        "Abc123_-x",
        "Def",
    ]
    with pytest.raises(InvalidInput) as raised:
        rules.check_subject_ids(["Abc", "hong@example.com"])
    assert raised.value.field == "subject_ids[2]"


PAYLOAD = {
    "incident_id": "INC0000000000000000001",
    "kind": "leak",
    "cause": "outside_access",
    "items": ["email", "mobile", "password"],
    "aware_at": "2026-03-02T01:00:00+00:00",
    "occurred_at": "2026-03-01T15:30:00+00:00",
    "measures": ["access_blocked", "passwords_reset"],
    "advice": ["change_password", "beware_phishing", "tell_us"],
    "reported_to": "pipc",
}


def test_the_breach_notice_says_the_five_things_the_law_requires_in_korean_with_english(
    policy: Policy,
) -> None:
    notice = render(policy, "breach_notice", PAYLOAD, message_id="msg_0123")
    assert notice.title == "[지킴이몰 온라인 쇼핑몰] 개인정보 유출 안내 (Notice of a personal data breach)"
    body = notice.body
    sections = [
        "1. 유출 등이 된 개인정보 항목",  # the items
        "2. 유출 등이 된 시점과 그 경위",  # when and how
        "3. 피해를 줄이기 위하여 회원님께서 하실 수 있는 일",  # what the subject can do
        "4. 저희의 대응조치와 피해 구제절차",  # what the controller does, and redress
        "5. 피해 신고·상담 부서와 연락처",  # whom to contact
    ]
    assert [s for s in sections if s in body] == sections
    assert "이메일 주소 (email address)" in body and "비밀번호 (password)" in body
    assert (
        "2026년 03월 02일 00:30 (KST)" in body and "2026년 03월 02일 10:00 (KST)" in body
    )  # occurred, aware
    assert rules.CAUSES["outside_access"].ko in body and rules.CAUSES["outside_access"].en in body
    assert rules.ADVICE["change_password"].ko in body and rules.MEASURES["passwords_reset"].en in body
    assert "개인정보보호위원회에 신고했습니다" in body and "1833-6972" in body and "제39조" in body
    assert "개인정보보호팀 · 02-6213-4871" in body  # the department the policy names
    assert body.rstrip().endswith("안내 번호 (notice id) msg_0123")


def test_every_code_of_the_rules_has_the_same_words_in_the_notice(policy: Policy) -> None:
    # the notice template spells the codes' words out (a policy may reword it, seeing the same names);
    # they must stay those of incident_rules
    for kind in rules.KINDS:
        for cause in rules.CAUSES:
            payload = PAYLOAD | {
                "kind": kind,
                "cause": cause,
                "measures": list(rules.MEASURES),
                "advice": list(rules.ADVICE),
                "occurred_at": None,
                "reported_to": None,
            }
            body = render(policy, "breach_notice", payload, message_id="m").body
            assert rules.KINDS[kind].ko in body and rules.KINDS[kind].en in body
            assert rules.CAUSES[cause].ko in body and rules.CAUSES[cause].en in body
            for table in (rules.MEASURES, rules.ADVICE):
                assert all(label.ko in body and label.en in body for label in table.values())
            assert "확인 중입니다 (being established)" in body
