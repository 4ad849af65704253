"""주민등록번호 and 외국인등록번호: date and gender digit checked, checksum optional since 2020."""

from __future__ import annotations

from pii_helpers import found, registration_number, types_in

from jikimi.pii import PiiType, scan

RRN = registration_number("900101", "123456")  # 900101-1234568
FRN = registration_number("850615", "512345", foreign=True)


def test_rrn_with_hyphen_and_checksum_is_found_with_high_confidence() -> None:
    [f] = scan(f"주민번호 {RRN}")
    assert (f.type, f.confidence) == (PiiType.RRN, 0.99)
    assert {"birth-date", "gender-digit", "checksum", "keyword"} <= set(f.why)


def test_rrn_with_particle_attached_is_found() -> None:
    assert found(f"제 주민번호는 {RRN}입니다") == [(PiiType.RRN, RRN)]


def test_post_2020_rrn_with_random_back_digits_is_found() -> None:
    number = "210315-3847290"  # born 2021, random back digits: the old checksum (1) does not hold
    [f] = scan(f"아이 주민등록번호 {number}")
    assert f.type is PiiType.RRN and "checksum" not in f.why
    assert found(f"{number}로 신청했어요") == [(PiiType.RRN, number)]  # the hyphenated shape is enough


def test_bare_13_digits_need_checksum_or_keyword() -> None:
    bare = RRN.replace("-", "")
    assert found(f"{bare} 확인") == [(PiiType.RRN, bare)]  # checksum holds
    assert found("번호 2103153847290 확인") == []  # no checksum, no keyword
    assert found("주민번호 2103153847290 확인") == [(PiiType.RRN, "2103153847290")]


def test_invalid_date_or_gender_digit_is_not_a_registration_number() -> None:
    assert types_in("주민번호 901301-1234567") == set()  # month 13
    assert types_in("주민번호 900230-1234567") == set()  # 30 February
    assert types_in("주민번호 900101-9234567") == set()  # 9 and 0 (born in the 1800s) are refused
    assert types_in("주민번호 900101-0234567") == set()


def test_random_13_digit_id_is_not_a_registration_number() -> None:
    assert types_in("회원번호 9001011234560") == set()  # valid date, wrong check digit, negative keyword
    assert types_in("epoch=1690944622924 worker=3") == set()


def test_foreign_registration_number_is_told_apart() -> None:
    assert found(f"외국인등록번호 {FRN}") == [(PiiType.FRN, FRN)]
    assert "checksum" in scan(f"외국인등록번호 {FRN}")[0].why


def test_full_width_digits_and_dash_variants_are_found_at_original_offsets() -> None:
    wide = RRN.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    text = f"주민번호：{wide}입니다"
    [f] = scan(text)
    assert f.type is PiiType.RRN and f.value(text) == wide
    for dash in "–—‐−":
        value = RRN.replace("-", dash)
        assert found(f"주민번호 {value}") == [(PiiType.RRN, value)]


def test_spaces_inside_the_number_are_tolerated() -> None:
    spaced = RRN.replace("-", " ")
    assert found(f"주민번호 {spaced} 입니다") == [(PiiType.RRN, spaced)]
    padded = RRN.replace("-", " - ")
    assert found(f"주민번호 {padded}") == [(PiiType.RRN, padded)]


def test_zero_width_characters_do_not_hide_a_number() -> None:
    hidden = RRN[:3] + "\u200b" + RRN[3:]
    assert found(f"주민번호 {hidden}") == [(PiiType.RRN, hidden)]
