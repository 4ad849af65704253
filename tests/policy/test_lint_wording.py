"""The policy calls itself 처리방침 throughout: '취급방침' in any text field is found, with its path."""

from __future__ import annotations

import pytest

from jikimi.policy.lint import Finding, lint
from jikimi.policy.load import load_policy_text_source

RULE = "outdated-name-in-text"


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _found(text: str) -> list[Finding]:
    source = load_policy_text_source(text, filename="policy.yaml")
    return [f for f in lint(source.policy, file="policy.yaml", line_of=source.line) if f.rule == RULE]


def test_a_section_body_calling_the_policy_취급방침_under_a_처리방침_title_is_named_by_its_path_and_line(
    clean_policy_text: str,
) -> None:
    text = clean_policy_text + (
        "sections:\n"
        "  - {title: 고객센터, body: 평일 10시부터 18시까지}\n"
        "  - {title: 링크 사이트, body: 링크된 사이트의 개인정보취급방침은 회사와 무관합니다.}\n"
    )
    (finding,) = _found(text)
    assert finding.severity == "warning"
    assert finding.key == "sections[1].body"
    assert finding.line == len(text.splitlines())
    assert "개인정보 처리방침" in finding.message_ko and "개인정보취급방침" in finding.message_ko
    assert "the title is '개인정보 처리방침'" in finding.message_en


@pytest.mark.parametrize(
    "old, new, key",
    [
        (
            "label: 회원 관리, basis: contract,",
            "label: 회원 관리, details: [본 개인정보취급방침에 따른 회원 관리], basis: contract,",
            "purposes[0].details[0]",
        ),
        (
            "  policy: guardian_consent\n",
            "  policy: guardian_consent\n  note: 아동의 정보는 개인정보 취급방침에 따라 보호합니다\n",
            "children.note",
        ),
        (
            "rights: {channels: [web, email],",
            "rights: {procedure: [취급방침에 정한 방법으로 요청합니다], channels: [web, email],",
            "rights.procedure[0]",
        ),
        (
            "description: 비밀번호는 일방향 암호화합니다}",
            "description: 취급 방침에 따라 비밀번호는 일방향 암호화합니다}",
            "security[1].description",
        ),
        (
            'version: "2026-01-01"\n',
            'version: "2026-01-01"\npreamble: 회사는 다음과 같이 개인정보취급방침을 수립·공개합니다.\n',
            "preamble",
        ),
    ],
    ids=["purpose-details", "note", "rights-procedure", "security-description", "preamble"],
)
def test_every_text_field_is_read_not_only_the_title(
    clean_policy_text: str, old: str, new: str, key: str
) -> None:
    assert [f.key for f in _found(_edit(clean_policy_text, old, new))] == [key]


def test_the_title_itself_is_left_to_outdated_title(clean_policy_text: str) -> None:
    text = _edit(clean_policy_text, "title: 개인정보 처리방침", "title: 개인정보취급방침")
    assert _found(text) == []
    source = load_policy_text_source(text)
    assert "outdated-title" in {f.rule for f in lint(source.policy)}


def test_a_past_version_in_the_history_may_be_named_as_it_was_called(clean_policy_text: str) -> None:
    text = (
        clean_policy_text
        + "history:\n  - {version: '2010', effective: 2010-01-01, note: 개인정보취급방침 제정}\n"
    )
    assert _found(text) == []


def test_a_field_is_reported_once_however_often_it_says_취급방침(clean_policy_text: str) -> None:
    text = clean_policy_text + "sections:\n  - {title: 변경, body: 이 취급방침은 … 이 취급방침은 …}\n"
    assert len(_found(text)) == 1


def test_the_words_취급_and_방침_apart_are_not_the_outdated_name(clean_policy_text: str) -> None:
    text = clean_policy_text + (
        "sections:\n  - {title: 교육, body: 개인정보 취급자의 교육에 관한 회사의 방침을 따릅니다.}\n"
    )
    assert _found(text) == []
