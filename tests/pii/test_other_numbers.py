"""Business numbers, driver's licences, passports, accounts, insurance numbers, plates, IPs, e-mail."""

from __future__ import annotations

from pii_helpers import found, types_in

from jikimi.pii import PiiType, scan


def test_business_number_needs_a_valid_check_digit() -> None:
    assert found("사업자등록번호 220-81-62517") == [(PiiType.BRN, "220-81-62517")]
    assert found("사업자번호 2208162517입니다") == [(PiiType.BRN, "2208162517")]
    assert types_in("사업자등록번호 220-81-62518") == set()
    assert types_in("번호 2208162517") == set()  # ten bare digits without the word are too ambiguous


def test_driver_licence_region_code_is_checked() -> None:
    assert found("면허번호 11-12-345678-90") == [(PiiType.DRIVER_LICENSE, "11-12-345678-90")]
    assert found("운전면허 28-99-123456-01로 확인") == [(PiiType.DRIVER_LICENSE, "28-99-123456-01")]
    assert types_in("면허번호 27-12-345678-90") == set()  # 27 was never a region
    assert types_in("면허번호 10-12-345678-90") == set()
    assert found("운전면허증 서울 12-345678-90") == [(PiiType.DRIVER_LICENSE, "서울 12-345678-90")]


def test_passports_in_both_formats() -> None:
    assert found("여권번호 M12345678") == [(PiiType.PASSPORT, "M12345678")]
    assert found("여권 M123A4567입니다") == [(PiiType.PASSPORT, "M123A4567")]
    assert types_in("모델 SM12345678") == set()  # inside a longer code
    assert types_in("시리얼 S12345678") == set()  # not M, no passport keyword


def test_account_number_needs_a_bank_or_account_word() -> None:
    assert found("국민은행 123456-12-123456 (예금주 홍길동)")[0] == (PiiType.ACCOUNT, "123456-12-123456")
    assert found("입금 계좌: 110-123-456789") == [(PiiType.ACCOUNT, "110-123-456789")]
    assert types_in("번호 110-123-456789") == set()


def test_health_insurance_number_needs_its_keyword() -> None:
    assert found("건강보험증 번호 51234567890") == [(PiiType.HEALTH_INSURANCE, "51234567890")]
    assert types_in("고객번호 51234567890") == set()


def test_car_plates_use_the_legal_syllables() -> None:
    assert found("차량 12가3456 입차") == [(PiiType.CAR_PLATE, "12가3456")]
    assert found("123로 4567 차주분 연락주세요") == [(PiiType.CAR_PLATE, "123로 4567")]
    assert found("서울12가3456이 주차") == [(PiiType.CAR_PLATE, "서울12가3456")]
    assert types_in("12국3456") == set()  # 국 is a military syllable, not a civilian plate
    assert types_in("10주 1000명 참가") == set()


def test_ip_addresses_next_to_hangul() -> None:
    assert found("10.0.0.1에서 접속") == [(PiiType.IP, "10.0.0.1")]
    assert found("주소 2001:db8::8a2e:370:7334로 접속") == [(PiiType.IP, "2001:db8::8a2e:370:7334")]
    assert found("fe80::1 에서") == [(PiiType.IP, "fe80::1")]
    assert types_in("256.1.1.1 / 회의 12:30:45 / 버전 1.2.3.4") == set()


def test_email_with_particle_is_found() -> None:
    assert found("hong@example.com으로 보내주세요") == [(PiiType.EMAIL, "hong@example.com")]
    assert found("메일: Hong.Gil-dong+kr@mail.example.co.kr.") == [
        (PiiType.EMAIL, "Hong.Gil-dong+kr@mail.example.co.kr")
    ]
    assert found("ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ") == [(PiiType.EMAIL, "ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ")]
    assert types_in("user@localhost 그리고 @mention") == set()


def test_every_finding_explains_itself() -> None:
    text = "연락처 010-1234-5678, 메일 a@b.co, 차량 12가3456"
    for f in scan(text):
        assert f.why and 0.5 <= f.confidence <= 0.99
