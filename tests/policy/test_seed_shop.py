"""The "00" shopping-mall template (seed 002) says what its seed says, blanks and flaws included."""

from __future__ import annotations

from pathlib import Path

import pytest

from jikimi import Policy, load_policy

POLICY = Path(__file__).parents[2] / "examples" / "policies" / "shop.yaml"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY)


def test_title_and_controller_are_the_templates_as_written(policy: Policy) -> None:
    assert policy.title == "개인정보보호대책"
    assert policy.controller.name == "00"
    assert policy.controller.service == "00 인터넷 쇼핑몰"
    assert policy.effective is None


def test_resident_registration_number_is_required_with_no_legal_basis(policy: Policy) -> None:
    rrn = policy.items_by_id["rrn"]
    assert (rrn.label, rrn.format, rrn.class_) == ("주민등록번호", "rrn", "unique_id")
    assert rrn.is_unique_id
    assert rrn.legal_basis is None
    assert "rrn" in policy.contexts_by_id["signup"].required
    assert "rrn" in policy.contexts_by_id["order"].required


def test_signup_requires_seven_items_and_the_rest_is_optional(policy: Policy) -> None:
    signup = policy.contexts_by_id["signup"]
    assert [policy.label_of(i) for i in signup.required] == [
        "성명",
        "주민등록번호",
        "주소",
        "전화번호",
        "희망 ID",
        "비밀번호",
        "email",
    ]
    assert signup.optional == ("additional_info",)
    assert policy.items_by_id["password"].class_ == "credential"
    # ID and password are asked "회원의 경우" only: not in the order context
    assert {"login_id", "password"}.isdisjoint(policy.contexts_by_id["order"].required)


def test_guests_give_only_payer_and_recipient_info_for_payment_and_delivery(policy: Policy) -> None:
    guest = policy.contexts_by_id["guest_order"]
    assert guest.subjects == "guest"
    assert guest.required == ("payer_info", "recipient_info")
    assert guest.purposes == ("guest_payment_delivery",)
    purpose = policy.purposes_by_id["guest_payment_delivery"]
    assert purpose.items == ("payer_info", "recipient_info")
    assert purpose.label == "대금 결제 및 상품 배송"


def test_nothing_is_kept_after_withdrawal_and_deletion_is_irrecoverable(policy: Policy) -> None:
    assert policy.retention == ()
    assert policy.destruction is not None
    assert policy.destruction.methods == ("electronic_irrecoverable",)
    assert "이용약관 제7조에 의한 회원 자격 상실" in (policy.destruction.procedure or "")


def test_delivery_companies_get_name_address_phone_without_consent_under_the_terms(policy: Policy) -> None:
    section = policy.third_parties
    assert not section.announced
    (delivery,) = section.recipients
    assert delivery.name == "배송업체"
    assert [policy.label_of(i) for i in delivery.items] == ["성명", "주소", "전화번호"]
    assert delivery.basis is None
    assert delivery.citation is not None and delivery.citation.text() == "00 이용약관 15조 3항"
    assert section.exceptions[0] == (
        "업무상 배송업체에게 배송에 필요한 최소한의 이용자의 정보(성명, 주소, 전화번호)를 알려주는 경우"
    )
    assert "특정 개인을 식별할 수 없는 형태로 제공하는 경우" in section.exceptions[1]


def test_children_under_14_are_not_shared_nor_sent_ad_mail_and_guardians_may_act(policy: Policy) -> None:
    children = policy.children
    assert children is not None
    assert (children.policy, children.age) == ("guardian_consent", 14)
    assert children.no_marketing and children.no_third_party
    assert policy.rights is not None and policy.rights.guardian


def test_members_can_view_correct_and_delete_their_id_on_the_site(policy: Policy) -> None:
    rights = policy.rights
    assert rights is not None
    assert rights.channels == ("web",)
    assert rights.requestable == ("열람", "정정", "아이디(ID) 삭제")
    assert rights.notify_recipients_on_correction
    assert not rights.correction_hold


def test_cookie_is_used_only_for_member_authentication(policy: Policy) -> None:
    (cookie,) = policy.auto_collection
    assert cookie.kind == "cookie" and cookie.items == ("cookie",)
    assert "로그인시 사용자가 회원임을 인증하기 위한 수단으로만" in cookie.purpose
    assert cookie.how_to_refuse is None


def test_security_measures_are_listed_one_by_one_as_written(policy: Policy) -> None:
    kinds = [m.kind for m in policy.security]
    assert kinds.count("other") == 4 and kinds.count("audit") == 2
    assert {"encryption_in_transit", "firewall", "antivirus", "least_privilege", "training"} <= set(kinds)
    ssl = next(m for m in policy.security if m.kind == "encryption_in_transit")
    assert "SSL(Secure Socket Layer)" in ssl.description and "Verysign" in ssl.description


def test_officer_placeholders_are_kept_visible(policy: Policy) -> None:
    officer = policy.officer
    assert officer is not None
    assert (officer.name, officer.email, officer.title) == ("000", "12345s@0000.co.kr", "")
    manager = next(c for c in policy.officers if c.role == "manager")
    assert (manager.email, manager.phone, manager.fax, manager.address) == ("0000@0000.co.kr", "0", "0", "0")
    desk = next(c for c in policy.officers if c.role == "help_desk")
    assert (desk.phone, desk.hours) == ("080-777-7777", "24시간 무료상담")


def test_outdated_guideline_and_old_complaint_centre_are_kept(policy: Policy) -> None:
    assert policy.complaints is not None
    assert [(r.name, r.url) for r in policy.complaints.redress] == [
        ("개인정보침해신고센터", "http://www.cyberprivacy.or.kr"),
    ]
    assert any("정보통신부 지정 '개인정보보호지침'" in s.body for s in policy.sections)
