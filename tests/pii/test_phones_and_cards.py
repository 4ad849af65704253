"""Telephone numbers (phonenumbers' KR plan) and payment cards (issuer prefix + Luhn)."""

from __future__ import annotations

from pii_helpers import card_number, found, types_in

from jikimi.pii import PiiType, scan


def test_mobile_number_with_particle_is_found() -> None:
    assert found("010-1234-5678로 연락 주세요") == [(PiiType.PHONE, "010-1234-5678")]
    assert found("번호는 010-1234-5678입니다") == [(PiiType.PHONE, "010-1234-5678")]


def test_numbers_in_every_korean_range_are_found() -> None:
    for number in (
        "02-123-4567",
        "031-987-6543",
        "070-1234-5678",
        "0505-123-4567",
        "1588-1234",
        "1644-0000",
        "080-123-4567",
        "011-234-5678",
        "064-712-3456",
        "(02) 123-4567",
        "+82 10-1234-5678",
        "+821012345678",
        "010.1234.5678",
        "010 1234 5678",
        "01012345678",
    ):
        assert found(f"문의 {number}로") == [(PiiType.PHONE, number)], number


def test_full_width_and_dash_variants_in_phone_numbers() -> None:
    assert found("연락처 ０１０－１２３４－５６７８") == [(PiiType.PHONE, "０１０－１２３４－５６７８")]
    assert found("연락처 010–1234–5678로") == [(PiiType.PHONE, "010–1234–5678")]


def test_numbers_outside_the_plan_are_not_phones() -> None:
    assert types_in("코드 013-345-6789") == set()  # 013 is no Korean prefix
    assert types_in("코드 040-345-6789") == set()  # nor is 040
    assert types_in("9시 1234-5678 입금") != {PiiType.PHONE}  # 8 digits not starting 15xx-18xx


def test_card_number_with_particle_is_found() -> None:
    assert found("4111111111111111입니다") == [(PiiType.CARD, "4111111111111111")]
    assert found("카드 4111-1111-1111-1111로 결제") == [(PiiType.CARD, "4111-1111-1111-1111")]


def test_every_network_used_in_korea_is_recognised() -> None:
    for body in (
        "411111111111111",
        "555555555555444",
        "222100000000000",
        "941012345678901",
        "352800000000000",
        "620000000000000",
    ):
        number = card_number(body)
        spaced = " ".join(number[i : i + 4] for i in range(0, 16, 4))
        assert found(f"카드번호 {spaced}") == [(PiiType.CARD, spaced)], number
    amex = "3782-822463-10005"
    assert found(f"카드 {amex}") == [(PiiType.CARD, amex)]


def test_luhn_failure_is_not_a_card() -> None:
    assert types_in("카드 4111-1111-1111-1112") == set()


def test_order_number_is_not_a_card() -> None:
    number = card_number("411111111111111")  # passes Luhn, but it is named as an order number
    assert types_in(f"주문번호 {number}") == set()
    assert types_in("주문번호 2024031512345678 배송중") == set()


def test_tracking_numbers_timestamps_and_prices_are_not_found() -> None:
    text = (
        "운송장 6012-3456-7890 / 2024-03-15 14:23:01 / 결제금액 1,250,000원 / "
        "ISBN 978-89-1234-567-8 / 승인번호 30012345 / 우편번호 06236"
    )
    assert scan(text) == []


def test_bare_mobile_number_in_a_log_line_is_found() -> None:
    [f] = scan("2024-03-15 14:23:01 INFO sms sent to 01012345678")
    assert f.type is PiiType.PHONE and f.confidence >= 0.8
