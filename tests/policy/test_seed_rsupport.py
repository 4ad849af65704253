"""Seed 004 — 알서포트 주식회사 (litecam 제품 홈페이지) 개인정보 처리방침, 2017-10-24 시행.

Each test reads like a promise the seed makes and checks that the transcription kept it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jikimi import Policy, load_policy

EXAMPLES = Path(__file__).parents[2] / "examples" / "policies"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(EXAMPLES / "rsupport.yaml")


def test_policy_is_announced_7_days_before_it_takes_effect(policy: Policy) -> None:
    assert policy.title == "개인정보 처리방침"
    assert policy.controller.name == "알서포트 주식회사"
    assert policy.controller.website == "https://www.litecam.net"
    assert policy.announced == date(2017, 10, 17)
    assert policy.effective == date(2017, 10, 24)
    assert policy.source == "shared/seeds/004_a8760cd6d064859a.txt"
    # 고지의 의무: every change 7 days ahead, material changes too ("최소 7일 전")
    assert (policy.notice.lead_days, policy.notice.material_lead_days) == (7, 7)
    assert policy.notice.channels == ("홈페이지 공지사항",)


def test_officer_and_manager_contacts_are_published(policy: Policy) -> None:
    officer = policy.officer
    assert officer is not None
    assert (officer.name, officer.title) == ("송의", "경영지원본부 본부장")
    assert (officer.phone, officer.email) == ("070-7011-3900", "sec_tech@rsupport.com")
    manager = next(c for c in policy.officers if c.role == "manager")
    assert (manager.name, manager.department) == ("정우승", "정보보안팀")
    assert (manager.phone, manager.email) == ("070-7011-3900", "sec_tech@rsupport.com")


def test_site_visits_generate_ip_device_info_and_cookie(policy: Policy) -> None:
    visit = policy.contexts_by_id["site_visit"]
    assert visit.label == "홈페이지 이용"
    assert set(visit.required) == {"ip", "device_info", "cookie"}
    for item_id in visit.required:
        item = policy.items_by_id[item_id]
        assert item.generated and item.class_ == "auto_generated"


def test_purchase_and_support_collect_the_listed_items(policy: Policy) -> None:
    purchase = policy.contexts_by_id["purchase"]
    assert purchase.label == "제품 구매"
    assert purchase.required == ("email", "payment_history", "card", "bank_account")
    assert policy.items_by_id["card"].format == "card"
    assert policy.items_by_id["bank_account"].format == "account"
    financial = ("payment_history", "card", "bank_account")
    assert {policy.items_by_id[i].class_ for i in financial} == {"financial"}
    # 고객지원 문의: [필수] 이름, 이메일 주소, 회사명 / [선택] 라이센스 코드
    support = policy.contexts_by_id["support"]
    assert [policy.label_of(i) for i in support.required] == ["이름", "이메일", "회사명"]
    assert [policy.label_of(i) for i in support.optional] == ["라이센스 코드"]


def test_children_and_sensitive_data_are_not_collected(policy: Policy) -> None:
    assert policy.children is not None
    assert policy.children.policy == "not_collected"
    assert policy.children.age == 14
    assert "민감정보" in (policy.children.note or "")
    assert not any(i.is_sensitive or i.is_unique_id for i in policy.items)


def test_purposes_state_no_legal_basis_because_the_seed_gives_none(policy: Policy) -> None:
    assert [p.label for p in policy.purposes] == [
        "제품 구매에 관한 계약 이행",
        "이용자관리",
        "제품 개선 및 신규 서비스(제품) 개발",
        "마케팅 및 광고활용",
    ]
    assert all(p.basis is None for p in policy.purposes)
    assert policy.purposes_by_id["marketing"].marketing
    assert "요금추심" in policy.purposes_by_id["purchase_contract"].details


def test_four_processors_keep_data_until_the_contract_ends_with_no_country(policy: Policy) -> None:
    section = policy.processors
    assert section.announced
    assert [(p.name, p.task) for p in section.processors] == [
        ("아마존", "클라우드 서비스"),
        ("한국사이버결제(KCP)", "구매 및 요금결제 / 본인인증"),
        ("금융결제원", "구매 및 요금결제 / 본인인증"),
        ("페이팔(Paypal)", "구매 및 요금결제 / 본인인증"),
    ]
    for proc in section.processors:
        assert proc.until == "contract_end"
        assert proc.until_text == "위탁계약 종료 시까지"
        assert proc.country is None and not proc.is_overseas


def test_enterprise_usage_history_is_kept_1_year_on_request_of_the_company(policy: Policy) -> None:
    (rule,) = policy.retention_of("enterprise_usage")
    assert rule.kind == "internal"
    assert rule.duration is not None and rule.duration.iso() == "P1Y"
    assert rule.reason == "기업의 요청에 의한 자료 제공"


@pytest.mark.parametrize(
    ("record", "preset", "law", "period"),
    [
        ("contract", "ecommerce.contract", "전자상거래 등에서의 소비자보호에 관한 법률", "P5Y"),
        ("payment", "ecommerce.payment", "전자상거래 등에서의 소비자보호에 관한 법률", "P5Y"),
        ("complaint", "ecommerce.complaint", "전자상거래 등에서의 소비자보호에 관한 법률", "P3Y"),
        ("site_visit_log", "telecom.logs", "통신비밀보호법", "P3M"),
    ],
)
def test_statutory_records_are_kept_for_the_period_the_seed_states(
    policy: Policy, record: str, preset: str, law: str, period: str
) -> None:
    (rule,) = policy.retention_of(record)
    assert (rule.basis, rule.law, rule.reason) == (preset, law, law)
    assert rule.from_ == "record_date"
    assert rule.duration is not None and rule.duration.iso() == period
    assert rule.statute is not None and rule.statute.period.iso() == period


def test_access_requests_go_by_email_or_board_after_identity_check(policy: Policy) -> None:
    rights = policy.rights
    assert rights is not None
    assert {"email", "board", "phone", "letter", "web"} <= set(rights.channels)
    assert rights.guardian and rights.correction_hold and rights.notify_recipients_on_correction
    steps = [s for s in rights.procedure if s.startswith("<열람청구의 방법>")]
    assert len(steps) == 2
    assert "이메일 접수 ▶ 청구자 본인 또는 법정대리인 확인 ▶ 요청자료 제공" in steps[0]
    assert len(rights.requestable) == 3
    assert rights.requestable[1] == "회사가 고객의 개인정보를 이용하거나 제3자에게 제공한 현황"


def test_outdated_redress_agencies_are_kept_as_written(policy: Policy) -> None:
    assert policy.complaints is not None
    assert [(r.name, r.phone) for r in policy.complaints.redress] == [
        ("개인정보침해신고센터", "118"),
        ("대검찰청 사이버범죄수사단", "02-3480-2000"),
        ("경찰청 사이버안전국", "182"),
    ]


def test_user_duties_and_link_disclaimer_are_kept_verbatim(policy: Policy) -> None:
    titles = [s.title for s in policy.sections]
    assert "이용자의 의무" in titles
    assert "기타 (링크 및 배너)" in titles
    duties = next(s for s in policy.sections if s.title == "이용자의 의무")
    assert "주민등록법에 의거하여 처벌될 수 있습니다" in duties.body
