"""The 영상공장 policy (seed 000) says what its seed says, placeholders and gaps included."""

from __future__ import annotations

from pathlib import Path

import pytest

from jikimi import Policy, load_policy
from jikimi.periods import Duration
from jikimi.policy.model import Placeholder, RetentionRule

POLICY = Path(__file__).parents[2] / "examples" / "policies" / "yeongsang.yaml"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY)


def rule(policy: Policy, rule_id: str) -> RetentionRule:
    return next(r for r in policy.retention if r.id == rule_id)


def test_signup_and_service_application_collect_the_listed_items(policy: Policy) -> None:
    signup = policy.contexts_by_id["signup"]
    labels = [policy.label_of(i) for i in signup.required]
    assert labels == [
        "이름",
        "생년월일",
        "성별",
        "로그인ID",
        "비밀번호",
        "자택 전화번호",
        "휴대전화번호",
        "이메일",
    ]
    assert signup.optional == ("guardian_info",)
    assert signup.children == "guardian_consent"
    assert policy.children is not None and policy.children.guardian_items == ("guardian_info",)
    assert policy.items_by_id["password"].class_ == "credential"
    ctx = policy.contexts_by_id["service_application"]
    assert [policy.label_of(i) for i in ctx.required] == ["주소", "결제 정보"]
    assert set(ctx.channels) == {"web", "paper", "board", "email", "event", "delivery", "phone", "fax"}


def test_logs_cookies_and_ip_are_generated_not_entered(policy: Policy) -> None:
    for item_id in ("service_log", "access_log", "cookie", "ip"):
        item = policy.items_by_id[item_id]
        assert item.generated and item.class_ == "auto_generated"
    assert policy.contexts_by_id["service_use"].channels == ("auto",)
    assert policy.records_by_id["payment_record"].label == "결제 기록"
    assert policy.records_by_id["abuse_record"].label == "불량이용 기록"


def test_purposes_are_transcribed_without_an_invented_legal_basis(policy: Policy) -> None:
    assert [p.label for p in policy.purposes] == [
        "서비스 제공에 관한 계약 이행 및 서비스 제공에 따른 요금정산",
        "회원 관리",
        "마케팅 및 광고에 활용",
    ]
    assert all(p.basis is None for p in policy.purposes)
    assert policy.purposes_by_id["marketing"].marketing
    membership = policy.purposes_by_id["membership"]
    assert "만14세 미만 아동 개인정보 수집 시 법정 대리인 동의여부 확인" in membership.details


def test_retention_placeholder_oo_years_is_kept_visible(policy: Policy) -> None:
    kept = rule(policy, "member_after_termination")
    assert kept.period == Placeholder(placeholder="oo년간")
    assert kept.duration is None
    assert kept.from_ == "contract_end"
    assert kept.kind == "internal"
    assert "수사기관의 요청에 따른 협조" in kept.reason


def test_ecommerce_act_keeps_payments_and_contracts_5_years_and_complaints_3(policy: Policy) -> None:
    payment = rule(policy, "payment_records")
    assert payment.what == ("payment_record",)
    assert payment.label == "대금 결제 및 재화 등의 공급에 관한 기록"
    assert payment.period == Duration(years=5)
    assert payment.statute is not None and payment.statute.id == "ecommerce.payment"
    assert payment.law == "전자상거래등에서의소비자보호에관한법률"
    assert rule(policy, "contract_records").duration == Duration(years=5)
    assert rule(policy, "contract_records").statute.id == "ecommerce.contract"
    assert rule(policy, "complaint_records").duration == Duration(years=3)
    assert rule(policy, "complaint_records").statute.id == "ecommerce.complaint"


def test_logs_are_kept_3_months_under_the_communications_secrets_act(policy: Policy) -> None:
    logs = rule(policy, "log_records")
    assert logs.what == ("access_log",)
    assert logs.duration == Duration(months=3)
    assert logs.law == "통신비밀보호법"
    assert logs.statute is not None and logs.statute.id == "telecom.logs"


def test_destruction_moves_data_to_a_separate_db_then_erases_irrecoverably(policy: Policy) -> None:
    assert policy.destruction is not None
    assert policy.destruction.separate_store
    assert policy.destruction.methods == ("electronic_irrecoverable",)
    assert "별도의 DB로 옮겨져" in policy.destruction.procedure


def test_officer_and_manager_are_the_same_person_with_the_seeds_contact(policy: Policy) -> None:
    officer = policy.officer
    assert officer is not None
    assert (officer.name, officer.department, officer.phone) == ("이재철", "영상공장", "02-2664-1128")
    manager = next(c for c in policy.officers if c.role == "manager")
    assert manager.model_dump(exclude={"role"}) == officer.model_dump(exclude={"role"})
    # the seed's obfuscated e-mail is kept as it was printed, not replaced by a guess
    assert officer.email == "[email protected]"


def test_data_goes_out_only_with_consent_or_on_lawful_request(policy: Policy) -> None:
    assert policy.third_parties.recipients == ()
    assert policy.third_parties.exceptions == (
        "이용자들이 사전에 동의한 경우",
        "법령의 규정에 의거하거나, 수사 목적으로 법령에 정해진 절차와 방법에 따라 "
        "수사기관의 요구가 있는 경우",
    )


def test_corrections_are_held_and_passed_on_to_recipients(policy: Policy) -> None:
    rights = policy.rights
    assert rights is not None
    assert rights.correction_hold and rights.notify_recipients_on_correction and rights.guardian
    assert set(rights.channels) == {"web", "letter", "phone", "email"}


def test_cookies_can_be_refused_in_the_browser_at_a_cost(policy: Policy) -> None:
    (cookie,) = policy.auto_collection
    assert cookie.kind == "cookie" and cookie.items == ("cookie",)
    assert "도구 > 인터넷 옵션 > 개인정보" in cookie.how_to_refuse
    assert cookie.refusal_consequence == (
        "단, 귀하께서 쿠키 설치를 거부하였을 경우 서비스 제공에 어려움이 있을 수 있습니다."
    )


def test_redress_agencies_and_missing_dates_are_as_in_the_seed(policy: Policy) -> None:
    assert policy.complaints is not None
    assert [(r.name, r.phone) for r in policy.complaints.redress] == [
        ("개인정보침해신고센터", "국번 없이 118"),
        ("개인정보분쟁조정위원회", "1833-6972"),
        ("대검찰청 사이버수사과", "지역번호+1301"),
        ("경찰청 사이버안전국", "국번없이 182"),
    ]
    assert policy.effective is None
    assert policy.security == ()
    assert policy.title == "개인정보처리방침"
