"""A transfer abroad is not hidden by leaving out the country: a foreign company without one is found."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest

from jikimi.policy._lint_foreign_companies import foreign_companies, foreign_company
from jikimi.policy.lint import Finding, lint
from jikimi.policy.load import load_policy_text_source

ROOT = Path(__file__).resolve().parents[2]


def _findings(text: str) -> list[Finding]:
    source = load_policy_text_source(text, filename="policy.yaml")
    return lint(source.policy, file="policy.yaml", line_of=source.line)


def _processor(clean_policy_text: str, entry: str) -> str:
    return clean_policy_text + f"processors:\n  processors:\n    - {entry}\n"


def test_a_processor_named_amazon_web_services_with_no_country_is_an_overseas_transfer_left_undisclosed(
    clean_policy_text: str,
) -> None:
    text = _processor(
        clean_policy_text, "{id: cloud, name: 'Amazon Web Services, Inc.', task: 클라우드 보관}"
    )
    findings = _findings(text)
    (finding,) = [f for f in findings if f.rule == "foreign-company-without-country"]
    assert finding.severity == "error"
    assert finding.key == "processors.processors[0]"
    assert finding.line == len(text.splitlines())
    assert "미국" in finding.message_ko and "고지사항 다섯 가지" in finding.message_ko
    assert "five overseas disclosures are skipped" in finding.message_en
    # the very gap: without a country the disclosure rule has nothing to check
    assert "overseas-missing-disclosures" not in {f.rule for f in findings}


def test_a_third_party_named_in_korean_as_구글_with_no_country_is_flagged_too(clean_policy_text: str) -> None:
    text = clean_policy_text + (
        "third_parties:\n  recipients:\n"
        "    - {id: ads, name: 구글, purpose: 광고 성과 측정, items: [email], basis: consent}\n"
    )
    (finding,) = [f for f in _findings(text) if f.rule == "foreign-company-without-country"]
    assert finding.key == "third_parties.recipients[0]"
    assert "Google LLC" in finding.message_ko


def test_a_korean_subsidiary_with_no_country_is_a_warning_asking_whether_the_data_goes_abroad(
    clean_policy_text: str,
) -> None:
    text = _processor(clean_policy_text, "{id: ads, name: 구글코리아 유한회사, task: 광고 성과 분석}")
    rules = {f.rule: f for f in _findings(text)}
    assert "foreign-company-without-country" not in rules
    finding = rules["foreign-subsidiary-without-country"]
    assert finding.severity == "warning"
    assert "한국 법인" in finding.message_ko and "country: KR" in finding.message_ko


def test_stating_the_country_hands_the_transfer_to_the_five_disclosures(clean_policy_text: str) -> None:
    text = _processor(clean_policy_text, "{id: cloud, name: 아마존, task: 클라우드 서비스, country: 미국}")
    rules = {f.rule for f in _findings(text)}
    assert "foreign-company-without-country" not in rules
    assert "overseas-missing-disclosures" in rules


def test_stating_korea_as_the_country_settles_it(clean_policy_text: str) -> None:
    text = _processor(
        clean_policy_text, "{id: cloud, name: 한국마이크로소프트, task: 메일 서비스, country: KR}"
    )
    assert _findings(text) == []


@pytest.mark.parametrize(
    "name, company",
    [
        ("Amazon Web Services, Inc.", "amazon"),
        ("AWS", "amazon"),
        ("아마존", "amazon"),
        ("아마존 웹 서비스", "amazon"),
        ("페이팔(Paypal)", "paypal"),
        ("PayPal Pte. Ltd.", "paypal"),
        ("Google LLC", "google"),
        ("Google Analytics", "google"),
        ("㈜구글", "google"),
        ("Microsoft Azure", "microsoft"),
        ("마이크로소프트", "microsoft"),
        ("Apple Inc.", "apple"),
        ("Meta Platforms, Inc. (Facebook)", "meta"),
        ("오라클", "oracle"),
        ("Salesforce.com", "salesforce"),
        ("Stripe, Inc.", "stripe"),
        ("Cloudflare", "cloudflare"),
        ("트윌리오", "twilio"),
        ("Zendesk, Inc.", "zendesk"),
        ("슬랙", "slack"),
        ("어도비", "adobe"),
        ("알리바바 클라우드", "alibaba"),
        ("텐센트", "tencent"),
    ],
)
def test_a_well_known_foreign_company_is_recognised_by_any_of_its_names(name: str, company: str) -> None:
    found = foreign_company(name)
    assert found is not None and found.company.id == company
    assert not found.korean_subsidiary


@pytest.mark.parametrize(
    "name",
    [
        "주식회사 파인애플",
        "Pineapple Inc.",
        "Applepie Studio",
        "애플망고 농원",
        "아마존카",
        "메타버스랩",
        "스트라이프 패션",
        "주식회사 유피에스물류",
        "KG이니시스",
        "한국사이버결제(KCP)",
        "주식회사 누리클라우드",
        "Helpline Cloud Inc.",
    ],
)
def test_a_company_whose_name_merely_contains_a_foreign_brand_inside_a_word_is_not_foreign(name: str) -> None:
    assert foreign_company(name) is None


@pytest.mark.parametrize(
    "name, company",
    [
        ("구글코리아", "google"),
        ("Google Korea LLC", "google"),
        ("한국마이크로소프트", "microsoft"),
        ("한국 마이크로소프트 유한회사", "microsoft"),
        ("아마존웹서비시즈코리아유한책임회사", "amazon"),
        ("애플코리아 유한회사", "apple"),
        ("한국IBM", "ibm"),
    ],
)
def test_a_korean_subsidiary_is_still_the_foreign_groups_company(name: str, company: str) -> None:
    found = foreign_company(name)
    assert found is not None and found.company.id == company
    assert found.korean_subsidiary


def test_every_company_names_its_headquarters_country_and_has_english_and_korean_names() -> None:
    companies = foreign_companies()
    assert {"amazon", "google", "microsoft", "paypal", "apple", "meta", "alibaba", "tencent"} <= set(
        companies
    )
    for company in companies.values():
        assert re.fullmatch(r"[A-Z]{2}", company.country), company
        assert re.fullmatch(r"[가-힣]+", company.country_ko), company
        assert any(re.search(r"[A-Za-z]", a) for a in company.aliases), company
        assert any(re.search(r"[가-힣]", a) for a in company.aliases), company
    assert "naver" not in companies  # a Korean company


def test_the_company_list_ships_with_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["jikimi"]
    data = ROOT / "src" / "jikimi" / "policy" / "data" / "foreign_companies.yaml"
    assert data.is_file()
    assert any(fnmatch.fnmatch("policy/data/foreign_companies.yaml", pattern) for pattern in shipped)
