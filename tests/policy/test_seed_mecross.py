"""Seed 001 (주식회사 메크로스, 개인정보취급방침 2024-03-07): the transcription keeps the seed's promises."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jikimi import Policy, load_policy
from jikimi.periods import Duration
from jikimi.policy.model import RetentionRule

POLICY = Path(__file__).parents[2] / "examples" / "policies" / "mecross.yaml"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY)


def _rule(policy: Policy, ref: str) -> RetentionRule:
    (rule,) = policy.retention_of(ref)
    return rule


def test_title_date_officer_and_help_desk_are_published_as_written(policy: Policy) -> None:
    assert policy.title == "개인정보취급방침"
    assert policy.effective == date(2024, 3, 7)
    assert policy.version_key == "2024-03-07"
    assert policy.source == "shared/seeds/001_af86f8a39da99416.txt"
    assert policy.controller.name == "주식회사 메크로스"
    officer = policy.officer
    assert officer is not None
    assert (officer.name, officer.title) == ("이경수", "대표")
    assert (officer.email, officer.phone, officer.fax) == ("mktlee@mecross.net", "1661-9265", "070-8290-9005")
    desk = next(c for c in policy.officers if c.role == "help_desk")
    assert desk.hours == "10:00~18:00"
    assert (desk.email, desk.phone) == ("help@mecross.net", "1661-9265")
    assert desk.address == "서울시 마포구 동교동 154-23 3층"


def test_signup_requires_ci_and_guardian_ci_and_logs_are_generated(policy: Policy) -> None:
    signup = policy.contexts_by_id["signup"]
    assert signup.required == (
        "name",
        "birthdate",
        "login_id",
        "password",
        "mobile",
        "address",
        "email",
        "gender",
        "ci",
        "guardian_ci",
    )
    assert signup.optional == ("pen_name", "phone", "ad_consent", "favorite_theater")
    assert policy.items_by_id["ci"].class_ == "identity"
    assert policy.items_by_id["password"].format == "password"
    assert policy.items_by_id["ad_consent"].label == "문자/이메일/앱푸쉬(알람) 광고 수신동의 여부"
    assert signup.children == "guardian_consent"
    assert policy.children is not None and policy.children.guardian_items == ("guardian_ci",)
    generated = {i.id for i in policy.items if i.generated}
    assert generated == {
        "usage_history",
        "access_log",
        "ip",
        "cookie",
        "os_type",
        "browser_type",
        "device_model",
        "carrier",
    }
    assert all(policy.items_by_id[i].class_ == "auto_generated" for i in generated)


def test_marketing_is_an_optional_consent(policy: Policy) -> None:
    marketing = policy.purposes_by_id["marketing"]
    assert (marketing.basis, marketing.consent, marketing.marketing) == ("consent", "optional", True)
    assert "이벤트 등 영리목적의 광고성 정보전송(전화, 우편, 이메일, 문자 등)" in marketing.details
    # the seed names no basis for 회원 관리: left for the linter to flag
    assert policy.purposes_by_id["membership"].basis is None


def test_login_id_is_kept_3_months_after_withdrawal(policy: Policy) -> None:
    rule = _rule(policy, "login_id")
    assert rule.duration == Duration(months=3)
    assert rule.from_ == "withdrawal"
    assert rule.reason == "컨텐츠 이용ID 중복방지"
    assert rule.kind == "internal"


def test_ci_is_kept_3_days_after_withdrawal(policy: Policy) -> None:
    rule = _rule(policy, "ci")
    assert rule.duration == Duration(days=3)
    assert rule.from_ == "withdrawal"
    assert rule.reason == "악용목적에 의한 가입 및 탈퇴방지"


def test_fraud_records_are_kept_1_year(policy: Policy) -> None:
    rule = _rule(policy, "fraud_record")
    assert rule.duration == Duration(years=1)
    assert rule.reason == "부정방지 이용"


@pytest.mark.parametrize(
    ("record", "preset", "period"),
    [
        ("advertising_record", "ecommerce.advertising", Duration(months=6)),
        ("contract_record", "ecommerce.contract", Duration(years=5)),
        ("payment_record", "ecommerce.payment", Duration(years=5)),
        ("complaint_record", "ecommerce.complaint", Duration(years=3)),
        ("access_trace_record", "telecom.logs", Duration(months=3)),
    ],
)
def test_statutory_records_follow_the_cited_law(
    policy: Policy, record: str, preset: str, period: Duration
) -> None:
    rule = _rule(policy, record)
    assert rule.basis == preset
    assert rule.statute is not None and rule.statute.id == preset
    assert rule.duration == period == rule.statute.period
    assert rule.law in {"전자상거래등에서의 소비자보호에 관한 법률", "통신비밀보호법"}


def test_payment_processors_and_identity_verifiers_are_listed(policy: Policy) -> None:
    section = policy.processors
    assert section.announced
    by_name = {p.name: p.task for p in section.processors}
    assert by_name == {
        "드림시큐리티": "실명본인인증, 아이핀 인증",
        "KCB": "실명본인인증, 아이핀 인증",
        "KG이니시스": "티켓 구매에 필요한 신용카드, 현금결제,소액결제 등 결제서비스",
        "KG모빌리언스": "티켓 구매에 필요한 신용카드, 현금결제,소액결제 등 결제서비스",
        "페이큐브": "티켓 구매에 필요한 신용카드, 현금결제,소액결제 등 결제서비스",
        "갤럭시아커뮤니케이션즈": "티켓 구매에 필요한 신용카드, 현금결제,소액결제 등 결제서비스",
        "엑스노티": "영화예매시스템 운영, 관리",
    }
    assert not policy.third_parties.announced
    assert policy.third_parties.exceptions[0] == "이용자들이 사전에 동의한 경우"


def test_refusing_cookies_may_block_login_and_booking(policy: Policy) -> None:
    (cookie,) = policy.auto_collection
    assert cookie.kind == "cookie" and cookie.items == ("cookie",)
    assert (
        cookie.refusal_consequence
        == "로그인이 되지 않거나, 예매가 불가하여 서비스 제공에 어려움이 있을 수 있습니다."
    )
    assert "인터넷 옵션" in (cookie.how_to_refuse or "")


def test_corrections_are_held_and_passed_on_to_recipients(policy: Policy) -> None:
    rights = policy.rights
    assert rights is not None
    assert rights.guardian and rights.correction_hold and rights.notify_recipients_on_correction
    assert set(rights.channels) == {"web", "letter", "phone", "email"}


def test_complaints_are_answered_within_24_hours_and_changes_announced_7_or_30_days_ahead(
    policy: Policy,
) -> None:
    complaints = policy.complaints
    assert complaints is not None
    assert complaints.response_hours == 24 and complaints.business_days
    names = [r.name for r in complaints.redress]
    # outdated agencies stay as the seed lists them
    assert names[:4] == [
        "개인분쟁조정위원회",
        "정보보호마크인증위원회",
        "대검찰청 인터넷범죄수사센터",
        "경찰청 사이버테러대응센터",
    ]
    assert complaints.redress[3].phone == "02-392-0330"
    # 15. 고지의무: 7 days before a change, 30 days before a material one
    assert (policy.notice.lead_days, policy.notice.material_lead_days) == (7, 30)


def test_other_peoples_data_in_posts_is_masked_and_the_clause_kept(policy: Policy) -> None:
    rule = policy.masking["post"]
    assert (rule.types, rule.operator) == ("all", "mask")
    posts = next(s for s in policy.sections if s.title == "11. 게시물")
    assert "특정부분을 삭제하거나 기호 등으로 수정하여 게시할 수 있습니다." in posts.body
    assert any(s.title == "10. 링크사이트" for s in policy.sections)
