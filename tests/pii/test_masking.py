"""Masking operators keep a readable shape, label, hash, encrypt reversibly; rules come from policy."""

from __future__ import annotations

import pytest
from pii_helpers import registration_number

from jikimi.errors import PiiError, UsageError
from jikimi.pii import MaskingRule, Operator, PiiType, mask, masking_rules_from_mapping, reveal

RRN = registration_number("900101", "123456")


def test_mask_keeps_a_readable_shape() -> None:
    assert mask(f"주민번호 {RRN}") == "주민번호 900101-1******"
    assert mask("연락처 010-1234-5678로") == "연락처 010-****-5678로"
    assert mask("홍길동님 안녕하세요") == "홍**님 안녕하세요"
    assert mask("카드 4111-1111-1111-1111") == "카드 4111-****-****-1111"
    assert mask("메일 hong@example.com으로") == "메일 ho**@example.com으로"
    assert mask("10.0.0.1에서") == "10.0.*.*에서"
    assert mask("차량 12가3456") == "차량 12가****"
    assert mask("01012345678") == "010****5678"
    assert mask("서울특별시 강남구 테헤란로 123") == "서울특별시 강남구 **** ***"


def test_mask_works_on_full_width_text_at_original_offsets() -> None:
    assert mask("전화 ０１０－１２３４－５６７８입니다") == "전화 ０１０－****－５６７８입니다"


def test_redact_and_label() -> None:
    assert mask("연락처 010-1234-5678", operator="redact") == "연락처 "
    assert mask("연락처 010-1234-5678, 홍길동님", operator=Operator.LABEL) == "연락처 <전화번호>, <성명>님"


def test_hash_is_a_stable_keyed_pseudonym(key: bytes) -> None:
    a = mask("010-1234-5678", operator="hash", key=key)
    b = mask("01012345678", operator="hash", key=key)
    other_key = mask("010-1234-5678", operator="hash", key=key[::-1])
    assert a == b and a.startswith("<전화번호:") and a != other_key
    assert "5678" not in a


def test_encrypt_is_reversible_only_with_the_key(key: bytes) -> None:
    text = f"홍길동님 주민번호 {RRN}, 연락처 010-1234-5678"
    hidden = mask(text, operator="encrypt", key=key)
    assert "1234" not in hidden and "<enc:rrn:" in hidden
    assert reveal(hidden, key) == text
    with pytest.raises(PiiError):
        reveal(hidden, b"another-key-another-key-0000")


def test_hash_and_encrypt_refuse_a_missing_or_short_key() -> None:
    with pytest.raises(UsageError):
        mask("010-1234-5678", operator="hash")
    with pytest.raises(UsageError):
        mask("010-1234-5678", operator="encrypt", key=b"short")


def test_types_limit_what_is_masked() -> None:
    text = "홍길동님 010-1234-5678"
    assert mask(text, types=["phone"]) == "홍길동님 010-****-5678"
    assert mask(text, types="name") == "홍**님 010-1234-5678"


def test_masking_rules_from_a_policy_mapping() -> None:
    rules = masking_rules_from_mapping(
        {
            "post": {"types": ["rrn", "phone", "email", "card", "account"], "operator": "mask"},
            "log": {"types": "all", "operator": "label"},
            "export": {"types": "structured"},
        }
    )
    assert rules["post"] == MaskingRule(
        frozenset({PiiType.RRN, PiiType.PHONE, PiiType.EMAIL, PiiType.CARD, PiiType.ACCOUNT}), Operator.MASK
    )
    assert rules["log"].types == frozenset(PiiType) and rules["log"].operator is Operator.LABEL
    assert PiiType.NAME not in rules["export"].types and rules["export"].operator is Operator.MASK
    assert rules["post"].apply("홍길동님 010-1234-5678") == "홍길동님 010-****-5678"
    assert rules["log"].apply("홍길동님 010-1234-5678") == "<성명>님 <전화번호>"


@pytest.mark.parametrize(
    ("mapping", "where"),
    [
        ({"post": {"types": ["phone", "shoe_size"]}}, "masking.post"),
        ({"post": {"types": ["phone"], "operator": "blur"}}, "masking.post"),
        ({"post": {"operator": "mask"}}, "masking.post.types"),
        ({"post": {"types": ["phone"], "colour": "red"}}, "masking.post.colour"),
        ({"post": ["phone"]}, "masking.post"),
        ({"post": {"types": 3}}, "masking.post.types"),
    ],
)
def test_bad_masking_rules_name_the_key(mapping: dict[str, object], where: str) -> None:
    with pytest.raises(UsageError) as info:
        masking_rules_from_mapping(mapping)
    assert info.value.message_en.startswith(where) and info.value.message_ko.startswith(where)
