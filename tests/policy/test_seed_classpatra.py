"""Seed 003 (코덱사 / 클래스파트라 '엄마와', 2021-03-15): the transcription keeps its promises."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jikimi import Policy, load_policy
from jikimi.periods import Duration

POLICY = Path(__file__).parents[2] / "examples" / "policies" / "classpatra.yaml"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY)


def test_title_date_and_officer_are_published_as_written(policy: Policy) -> None:
    assert policy.title == "개인정보 처리방침"
    assert policy.effective == date(2021, 3, 15)
    assert policy.source == "shared/seeds/003_56b8b555a71aed3b.txt"
    assert "개인정보 취급방침" in (policy.preamble or "")  # the body still says 취급방침
    officer = policy.officer
    assert officer is not None
    assert (officer.name, officer.title) == ("정종훈", "클래스파트라 보안 책임자")
    assert (officer.email, officer.phone) == ("codxa@codxa.com", "02-2135-1124")


def test_signup_requires_nickname_password_email_address_only(policy: Policy) -> None:
    signup = policy.contexts_by_id["signup"]
    assert signup.required == ("nickname", "password", "email", "address")
    assert signup.optional == ("mobile", "name", "gender", "birthdate")
    assert set(signup.channels) == {"web", "app", "paper", "phone", "fax"}
    assert policy.items_by_id["password"].format == "password"


def test_pregnancy_data_is_sensitive_health_data_collected_without_separate_consent(policy: Policy) -> None:
    profile = policy.contexts_by_id["member_profile"]
    assert profile.label == "회원맞춤정보"
    assert profile.optional == ("pregnancy", "child_info", "baby_name", "due_date", "mom_type")
    for item_id in ("pregnancy", "due_date"):
        item = policy.items_by_id[item_id]
        assert item.is_sensitive and item.sensitive_kind == "health"
    assert policy.items_by_id["pregnancy"].label == "임신정보"
    # no purpose asks a separate consent for it (the linter's job to flag)
    assert not any(p.separate_consent for p in policy.purposes)


def test_member_data_is_kept_1_year_after_withdrawal(policy: Policy) -> None:
    (rule,) = policy.retention_of("profile_image")
    assert rule.what == (
        "name",
        "birthdate",
        "gender",
        "login_id",
        "phone",
        "address",
        "mobile",
        "email",
        "profile_image",
    )
    assert rule.duration == Duration(years=1)
    assert rule.from_ == "withdrawal"
    assert rule.reason == "불량 이용자의 재가입 방지, 불법적 사용자에 대한 관련 기관 수사협조"
    assert rule.kind == "internal"


def test_identity_verification_records_cite_the_obsolete_network_act_rule(policy: Policy) -> None:
    (rule,) = policy.retention_of("identity_record")
    assert rule.basis == "itnet.identity_verification"
    assert rule.law == "정보통신망 이용촉진 및 정보보호 등에 관한 법률"
    assert rule.duration == Duration(months=6)
    assert rule.statute is not None and rule.statute.obsolete


@pytest.mark.parametrize(
    ("record", "preset", "period"),
    [
        ("visit_record", "telecom.logs", Duration(months=3)),
        ("advertising_record", "ecommerce.advertising", Duration(months=6)),
        ("contract_record", "ecommerce.contract", Duration(years=5)),
        ("payment_record", "ecommerce.payment", Duration(years=5)),
        ("complaint_record", "ecommerce.complaint", Duration(years=3)),
    ],
)
def test_statutory_records_follow_the_cited_law(
    policy: Policy, record: str, preset: str, period: Duration
) -> None:
    (rule,) = policy.retention_of(record)
    assert rule.basis == preset
    assert rule.statute is not None and rule.statute.id == preset
    assert rule.duration == period == rule.statute.period
    assert rule.law in {"통신비밀보호법", "전자상거래등에서의 소비자보호에 관한 법률"}


def test_members_idle_1_year_are_separated_after_30_days_email_notice(policy: Policy) -> None:
    dormancy = policy.dormancy
    assert dormancy is not None
    assert dormancy.after == Duration(years=1)
    assert dormancy.notice_before == Duration(days=30)
    assert dormancy.notice_channels == ("email",)
    assert dormancy.action == "separate"
    assert dormancy.reactivation == ("login", "request")
    assert dormancy.basis is None  # the service's own policy; no statute cited


def test_third_parties_and_processors_are_announced_but_none_listed(policy: Policy) -> None:
    assert policy.third_parties.announced and policy.third_parties.recipients == ()
    assert len(policy.third_parties.exceptions) == 2
    assert policy.third_parties.exceptions[1].startswith("주문 결제가 이루어진 경우")
    assert policy.processors.announced and policy.processors.processors == ()
    assert "위탁기간은 회원탈퇴 시 혹은 위탁계약 종료 시까지" in (policy.processors.note or "")


def test_refusing_device_id_collection_means_the_app_cannot_be_used(policy: Policy) -> None:
    (auto,) = policy.auto_collection
    assert auto.kind == "device_id" and auto.items == ("device_id",)
    assert auto.how_to_refuse is None
    assert (
        auto.refusal_consequence
        == "이용자가 기기식별번호를 자동으로 수집하는 것을 거부하는 경우 '엄마와'를 이용할 수 없습니다."
    )
    assert policy.items_by_id["device_id"].generated


def test_security_measures_and_corrections_are_kept(policy: Policy) -> None:
    kinds = [m.kind for m in policy.security]
    for kind in (
        "backup",
        "antivirus",
        "encryption_in_transit",
        "firewall",
        "least_privilege",
        "training",
        "dedicated_org",
    ):
        assert kind in kinds
    rights = policy.rights
    assert rights is not None
    assert rights.guardian and rights.correction_hold and rights.notify_recipients_on_correction


def test_redress_agencies_and_7_day_notice_are_as_published(policy: Policy) -> None:
    complaints = policy.complaints
    assert complaints is not None and complaints.response_hours is None
    assert [(r.name, r.phone) for r in complaints.redress] == [
        ("개인정보 침해신고센터 (한국인터넷진흥원 운영)", "(국번없이) 118"),
        ("대검찰청 사이버범죄수사단", "(국번없이) 1301"),
        ("경찰청 사이버범죄수사단", "1566-0112"),
    ]
    assert policy.notice.lead_days == 7
    assert policy.notice.material_lead_days == 7  # the seed gives every change the same 7 days
