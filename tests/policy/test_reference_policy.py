"""The reference policy (examples/policies/reference.yaml): a complete, lint-clean 처리방침 for a
fictional Korean online shop, and its two follow-up versions used to test ``jikimi policy diff``.

Each test states a property a well-formed PIPA policy has and checks the reference has it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jikimi import Policy, load_policy
from jikimi.policy.diff import diff_policies
from jikimi.policy.lint import lint

EXAMPLES = Path(__file__).parents[2] / "examples" / "policies"
VERSIONS = [
    "reference.yaml",
    "versions/reference-v2-third-party.yaml",
    "versions/reference-v2-officer-phone.yaml",
]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(EXAMPLES / "reference.yaml")


@pytest.mark.parametrize("name", VERSIONS)
def test_every_version_loads_and_lints_clean(name: str) -> None:
    loaded = load_policy(EXAMPLES / name)
    assert loaded.title == "개인정보 처리방침"
    assert loaded.controller.name == "주식회사 지킴이몰"
    assert [f"{f.rule}: {f.message_en}" for f in lint(loaded)] == []


def test_version_effective_date_and_history_are_declared(policy: Policy) -> None:
    assert policy.version == "2026-03-02"
    assert policy.effective == date(2026, 3, 2)
    assert policy.announced == date(2026, 2, 23)
    assert [(h.version, h.effective) for h in policy.history] == [("2025-06-02", date(2025, 6, 2))]


def test_officer_and_department_publish_phone_and_email(policy: Policy) -> None:
    officer = policy.officer
    assert officer is not None and officer.name and officer.phone and officer.email
    department = next(c for c in policy.officers if c.role == "department")
    assert department.department == "개인정보보호팀"
    assert department.phone and department.email and department.email.endswith("@example.com")


def test_no_unique_identifier_or_sensitive_data_is_processed(policy: Policy) -> None:
    assert not any(item.is_unique_id or item.is_sensitive for item in policy.items)


def test_every_required_item_is_used_by_some_purpose(policy: Policy) -> None:
    for context in policy.contexts:
        for item_id in context.required:
            assert policy.purposes_using(item_id), f"{context.id}: {item_id} serves no purpose"


def test_every_purpose_has_a_legal_basis_and_consent_only_where_consent_is_the_basis(policy: Policy) -> None:
    for purpose in policy.purposes:
        assert purpose.basis is not None, purpose.id
        assert purpose.consent is None or purpose.basis == "consent"
    bases = {p.id: p.basis for p in policy.purposes}
    assert bases["membership"] == bases["order_fulfilment"] == "contract"
    assert bases["fraud_prevention"] == "legitimate_interest"
    legal = policy.purposes_by_id["legal_retention"]
    assert legal.basis == "law" and legal.citation is not None


def test_marketing_is_a_separate_optional_consent_never_for_children(policy: Policy) -> None:
    marketing = policy.purposes_by_id["marketing"]
    assert (marketing.basis, marketing.consent, marketing.marketing) == ("consent", "optional", True)
    assert marketing.separate_consent and not marketing.children
    signup = policy.contexts_by_id["signup"]
    # optional sign-up items are marketing items only; sign-up works with all of them off
    assert set(signup.optional) <= set(marketing.items)
    assert signup.children == "guardian_consent"
    assert policy.contexts_by_id["guest_order"].subjects == "guest"


def test_every_retention_rule_resolves_to_a_period_and_a_reason(policy: Policy) -> None:
    for rule in policy.retention:
        assert rule.duration is not None and not rule.duration.is_zero(), rule.id
        assert rule.reason, rule.id
        assert rule.access_reasons, rule.id


@pytest.mark.parametrize(
    ("record", "preset", "period"),
    [
        ("payment", "ecommerce.payment", "P5Y"),
        ("contract", "ecommerce.contract", "P5Y"),
        ("complaint", "ecommerce.complaint", "P3Y"),
        ("advertising", "ecommerce.advertising", "P6M"),
        ("access_log", "telecom.logs", "P3M"),
    ],
)
def test_statutory_records_use_the_statute_presets_from_the_record_date(
    policy: Policy, record: str, preset: str, period: str
) -> None:
    (rule,) = policy.retention_of(record)
    assert rule.kind == "statute"
    assert (rule.basis, rule.from_) == (preset, "record_date")
    assert rule.statute is not None and rule.statute.obsolete is None
    assert rule.duration is not None and rule.duration.iso() == period


def test_login_id_is_kept_3_months_and_ci_30_days_after_withdrawal(policy: Policy) -> None:
    (login_id,) = policy.retention_of("login_id")
    (ci,) = policy.retention_of("ci")
    assert (login_id.kind, login_id.from_, str(login_id.duration)) == ("internal", "withdrawal", "P3M")
    assert (ci.kind, ci.from_, str(ci.duration)) == ("internal", "withdrawal", "P30D")
    assert policy.items_by_id["login_id"].lookup and policy.items_by_id["ci"].lookup


def test_dormancy_is_the_services_own_policy_without_a_legal_citation(policy: Policy) -> None:
    dormancy = policy.dormancy
    assert dormancy is not None
    assert (str(dormancy.after), str(dormancy.notice_before)) == ("P1Y", "P30D")
    assert dormancy.notice_channels == ("email",) and dormancy.action == "separate"
    assert set(dormancy.reactivation) == {"login", "request"}
    assert dormancy.law is None and dormancy.basis is None


def test_children_need_verified_guardian_consent_within_7_days(policy: Policy) -> None:
    children = policy.children
    assert children is not None
    assert (children.policy, children.age, str(children.confirm_within)) == ("guardian_consent", 14, "P7D")
    assert children.verification and children.no_marketing and children.no_third_party
    assert {policy.items_by_id[i].class_ for i in children.guardian_items} == {"guardian"}


def test_third_parties_and_processors_disclose_items_purpose_and_period(policy: Policy) -> None:
    (recipient,) = policy.third_parties.recipients
    assert recipient.basis == "consent" and recipient.items and recipient.retention is not None
    assert not recipient.is_overseas
    for proc in policy.processors.processors:
        assert proc.items and proc.until == "contract_end", proc.id
        assert proc.max_period is not None or proc.until_text, proc.id
    messaging = next(p for p in policy.processors.processors if p.id == "messaging")
    assert messaging.marketing  # 광고성 정보 발송 위탁 (PIPA 26③)


def test_the_overseas_processor_makes_all_five_disclosures(policy: Policy) -> None:
    (abroad,) = [p for p in policy.processors.processors if p.is_overseas]
    assert abroad.country == "US" and abroad.overseas is not None
    disclosures = abroad.overseas.model_dump()
    for field in (
        "items",
        "country",
        "when_and_how",
        "recipient_contact",
        "purpose_and_retention",
        "how_to_refuse",
        "refusal_consequence",
    ):
        assert disclosures[field], field


def test_sensitive_classes_are_encrypted_and_every_safeguard_is_declared(policy: Policy) -> None:
    kinds = {m.kind for m in policy.security}
    assert {
        "encryption_at_rest",
        "encryption_in_transit",
        "access_control",
        "access_log",
        "password_hashing",
        "least_privilege",
        "training",
    } <= kinds
    at_rest = next(m for m in policy.security if m.kind == "encryption_at_rest")
    assert set(at_rest.covers) == {"unique_id", "sensitive", "credential", "financial"}


def test_rights_are_answered_within_10_days_and_complaints_within_24_hours(policy: Policy) -> None:
    rights = policy.rights
    assert rights is not None
    assert set(rights.channels) == {"web", "email", "phone", "letter"}
    assert rights.deadline_days == 10
    assert rights.guardian and rights.agent
    assert rights.correction_hold and rights.notify_recipients_on_correction
    assert rights.withdrawal
    complaints = policy.complaints
    assert complaints is not None and complaints.response_hours == 24 and complaints.business_days
    assert [(r.name, r.phone) for r in complaints.redress] == [
        ("개인정보분쟁조정위원회", "1833-6972"),
        ("개인정보침해신고센터", "118"),
        ("대검찰청", "1301"),
        ("경찰청", "182"),
    ]
    assert (policy.notice.lead_days, policy.notice.material_lead_days) == (7, 30)
    assert set(policy.masking) == {"posts", "logs"}


def test_adding_a_third_party_needs_30_days_notice(policy: Policy) -> None:
    new = load_policy(EXAMPLES / "versions/reference-v2-third-party.yaml")
    result = diff_policies(policy, new)
    assert result.material and result.notice_days == 30
    assert [c.key for c in result.changes if c.material] == ["third_parties.recipients[moa_card]"]
    assert new.announced is not None and isinstance(new.effective, date)
    assert (new.effective - new.announced).days >= 30


def test_changing_the_officers_phone_needs_7_days_notice(policy: Policy) -> None:
    new = load_policy(EXAMPLES / "versions/reference-v2-officer-phone.yaml")
    result = diff_policies(policy, new)
    assert not result.material and result.notice_days == 7
    assert "officers[officer].phone" in [c.key for c in result.changes]
    assert new.officer is not None and new.officer.phone == "02-6213-4879"
