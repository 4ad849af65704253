"""Each lint rule finds what it promises, and a clean policy has no finding at all."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from jikimi.policy.lint import RULES, lint

from ..policies import cached_policy_text as load_policy_text


def _rules(text: str) -> set[str]:
    return {f.rule for f in lint(load_policy_text(text))}


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_a_complete_policy_has_no_finding(clean_policy_text: str) -> None:
    assert lint(load_policy_text(clean_policy_text)) == []


Mutation = Callable[[str], str]

CASES: dict[str, Mutation] = {
    "missing-section": lambda t: _edit(
        t, "destruction: {procedure: 목적 달성 후 지체 없이 파기, methods: [electronic_irrecoverable]}\n", ""
    ),
    "officer-contact": lambda t: _edit(t, ", email: privacy@example.com, phone: 02-6213-4870", ""),
    "effective-date-missing": lambda t: _edit(t, "effective: 2026-01-01\n", ""),
    "outdated-title": lambda t: _edit(t, "title: 개인정보 처리방침", "title: 개인정보취급방침"),
    "outdated-name-in-text": lambda t: (
        t
        + "sections:\n  - {title: 링크 사이트, body: 링크된 사이트의 개인정보취급방침은 회사와 무관합니다.}\n"
    ),
    "rrn-without-basis": lambda t: (
        _edit(
            t,
            "  - {id: name, label: 이름}",
            "  - {id: name, label: 이름}\n  - {id: rrn, label: 주민등록번호, format: rrn}",
        )
        .replace(
            "required: [name, email, password]", "optional: [rrn]\n    required: [name, email, password]", 1
        )
        .replace(
            "{id: signup, label: 회원가입, optional: [rrn]\n    required",
            "{id: signup, label: 회원가입, optional: [rrn], required",
            1,
        )
    ),
    "rrn-required": lambda t: _edit(
        t,
        "  - {id: name, label: 이름}",
        "  - {id: name, label: 이름}\n  - {id: rrn, label: 주민등록번호, format: rrn}",
    ).replace("required: [name, email, password]", "required: [name, email, password, rrn]", 1),
    "unique-id-without-consent": lambda t: _edit(
        t,
        "  - {id: name, label: 이름}",
        "  - {id: name, label: 이름}\n  - {id: passport, label: 여권번호, format: passport}",
    ).replace(
        "required: [name, email, password]", "required: [name, email, password], optional: [passport]", 1
    ),
    "sensitive-without-consent": lambda t: _edit(
        t,
        "  - {id: name, label: 이름}",
        "  - {id: name, label: 이름}\n  - {id: pregnancy, label: 임신정보, class: sensitive, sensitive_kind: health}",  # noqa: E501
    ).replace(
        "required: [name, email, password]", "required: [name, email, password], optional: [pregnancy]", 1
    ),
    "not-encrypted": lambda t: _edit(
        t, "  - {kind: encryption_at_rest, description: 개인정보는 암호화하여 저장합니다}\n", ""
    ).replace(
        "  - {id: name, label: 이름}",
        "  - {id: name, label: 이름}\n  - {id: pregnancy, label: 임신정보, class: sensitive, sensitive_kind: health}",  # noqa: E501
        1,
    ),
    "password-not-hashed": lambda t: _edit(
        _edit(t, "  - {kind: encryption_at_rest, description: 개인정보는 암호화하여 저장합니다}\n", ""),
        "  - {kind: password_hashing, description: 비밀번호는 일방향 암호화합니다}\n",
        "  - {kind: firewall, description: 방화벽}\n",
    ),
    "purpose-without-basis": lambda t: _edit(t, "label: 회원 관리, basis: contract,", "label: 회원 관리,"),
    "unused-required-item": lambda t: _edit(
        t, "items: [name, email, password]}", "items: [email, password]}"
    ),
    "marketing-not-separate": lambda t: _edit(
        t, "consent: optional, marketing: true", "consent: required, marketing: true"
    ),
    "children-without-guardian-rule": lambda t: _edit(
        t, "children:\n  policy: guardian_consent\n  guardian_items: [guardian_name, guardian_mobile]\n", ""
    ).replace(", children: guardian_consent}", "}", 1),
    "children-marketing-contradicted": lambda t: _edit(
        _edit(t, "  policy: guardian_consent\n", "  policy: guardian_consent\n  no_marketing: true\n"),
        "marketing: true, items: [email], children: false}",
        "marketing: true, items: [email]}",
    ),
    "children-not-collected-contradicted": lambda t: _edit(
        t, "  policy: guardian_consent\n", "  policy: not_collected\n"
    ),
    "third-parties-announced-empty": lambda t: t + "third_parties: {announced: true}\n",
    "third-party-without-basis": lambda t: (
        t
        + "third_parties:\n  recipients:\n    - {id: partner, name: 제휴사, purpose: 제휴 서비스, items: [name]}\n"  # noqa: E501
    ),
    "processors-announced-empty": lambda t: t + "processors: {announced: true}\n",
    "overseas-missing-disclosures": lambda t: (
        t
        + "processors:\n  processors:\n    - {id: cloud, name: Example Cloud Inc., task: 클라우드 보관, country: 미국}\n"  # noqa: E501
    ),
    "foreign-company-without-country": lambda t: (
        t + "processors:\n  processors:\n    - {id: cloud, name: Amazon Web Services, task: 클라우드 보관}\n"
    ),
    "foreign-subsidiary-without-country": lambda t: (
        t + "processors:\n  processors:\n    - {id: ads, name: 구글코리아 유한회사, task: 광고 성과 분석}\n"
    ),
    "processor-open-ended": lambda t: (
        t
        + "processors:\n  processors:\n    - {id: sms, name: 문자발송사, task: 문자 발송, until: withdrawal}\n"  # noqa: E501
    ),
    "retention-shorter-than-statute": lambda t: _edit(
        t, "basis: ecommerce.payment,", "basis: ecommerce.payment, period: P3Y,"
    ),
    "obsolete-citation": lambda t: _edit(
        t,
        "  - {id: payment_records,",
        "  - {id: identity_records, what: [payment], basis: itnet.identity_verification, from: record_date}\n  - {id: payment_records,",  # noqa: E501
    ),
    "retention-placeholder": lambda t: _edit(
        t,
        "  - {id: payment_records,",
        "  - {id: internal, what: [name], period: {placeholder: oo년간}, reason: 분쟁해결}\n  - {id: payment_records,",  # noqa: E501
    ),
    "statute-unresolved": lambda t: _edit(
        t,
        "  - {id: payment_records,",
        "  - {id: tax, what: [payment], period: P5Y, law: 어느 세법, from: record_date}\n  - {id: payment_records,",  # noqa: E501
    ),
    "auto-collection-no-refusal": lambda t: (
        t + "auto_collection:\n  - {id: cookie, kind: cookie, label: 쿠키, purpose: 로그인 유지}\n"
    ),
    "rights-deadline": lambda t: _edit(t, "deadline_days: 10", "deadline_days: 30"),
    "redress-incomplete": lambda t: _edit(t, '    - {name: 대검찰청, phone: "1301"}\n', ""),
    "change-notice": lambda t: _edit(t, "notice: {lead_days: 7, material_lead_days: 30}\n", ""),
    "placeholder": lambda t: _edit(t, "name: 김보호", 'name: "000"'),
    "masking-unknown-type": lambda t: t + "masking:\n  post: {types: [phone, shoe_size], operator: mask}\n",
}


def test_every_rule_has_a_case() -> None:
    assert sorted(CASES) == sorted(r.id for r in RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_its_mutation(rule_id: str, clean_policy_text: str) -> None:
    assert rule_id in _rules(CASES[rule_id](clean_policy_text))


def test_findings_carry_article_and_both_languages(clean_policy_text: str) -> None:
    text = CASES["purpose-without-basis"](clean_policy_text)
    (finding,) = [
        f for f in lint(load_policy_text(text, filename="p.yaml")) if f.rule == "purpose-without-basis"
    ]
    assert finding.severity == "error"
    assert finding.article == "PIPA 15①"
    assert "법적 근거" in finding.message_ko and "legal basis" in finding.message_en
    assert finding.key == "purposes[0]"


def test_shorter_retention_names_both_periods(clean_policy_text: str) -> None:
    text = CASES["retention-shorter-than-statute"](clean_policy_text)
    (finding,) = [f for f in lint(load_policy_text(text)) if f.rule == "retention-shorter-than-statute"]
    assert "5년" in finding.message_ko and "3년" in finding.message_ko


def test_spelled_statute_is_matched_by_law_and_label(clean_policy_text: str) -> None:
    text = _edit(
        clean_policy_text,
        "  - {id: payment_records,",
        "  - {id: logs, what: [payment], label: 로그기록, period: P1M, law: 통신비밀보호법, from: record_date}\n"  # noqa: E501
        "  - {id: payment_records,",
    )
    assert "retention-shorter-than-statute" in _rules(text)


def test_times_and_phone_numbers_are_not_placeholders(clean_policy_text: str) -> None:
    text = (
        clean_policy_text
        + "sections:\n  - {title: 고객센터, body: '근무시간 10:00~18:00, 전화 070-7011-3900, 2017.10.24'}\n"
    )
    assert "placeholder" not in _rules(text)


@pytest.mark.parametrize("value", ["00", "000", "0000@0000.co.kr", "oo년간", "○○", "[email protected]"])
def test_template_blanks_are_placeholders(value: str, clean_policy_text: str) -> None:
    text = clean_policy_text + f"sections:\n  - {{title: 문의, body: '{value}'}}\n"
    assert "placeholder" in _rules(text)


def test_rule_ids_are_stable_kebab_case() -> None:
    for r in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.id)
        assert r.severity in ("error", "warning", "info")
        assert r.article and r.title_ko and r.title_en
