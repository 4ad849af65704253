"""Structured identifiers that look like others: corporate numbers, region names, passports of
other formats, accounts with a check group, licences with their region, kinds of IP address."""

from __future__ import annotations

from pii_helpers import found, registration_number, types_in

from jikimi.pii import PiiType, mask, scan


def _corporate_number(first12: str) -> str:
    """``first12`` + the 법인등록번호 check digit: weights 1, 2, 1, 2…, then (10 − sum mod 10) mod 10."""
    total = sum(int(d) * (1 + i % 2) for i, d in enumerate(first12))
    return f"{first12[:6]}-{first12[6:]}{(10 - total % 10) % 10}"


def test_the_corporate_check_digit_helper_matches_a_published_number() -> None:
    assert _corporate_number("130111000624") == "130111-0006246"  # 삼성전자, as it is published


def test_a_corporate_registration_number_is_never_a_foreigners_number() -> None:
    assert types_in("법인등록번호: 110111-7382014") == set()  # gender digit 7, real date 2011-01-11
    assert types_in("법인등록번호 " + _corporate_number("110111738201")) == set()
    assert types_in("법인번호 1101117382014") == set()
    assert types_in("법인 등록번호: 110111-7382014") == set()
    assert types_in("등기번호 1101117382014") == set()
    assert types_in("Corporation No. 110111-7382014") == set()


def test_a_corporate_registration_number_is_never_a_residents_number() -> None:
    assert types_in("법인등록번호: 110111-1234561") == set()  # gender digit 1, real date 2011-01-11
    assert types_in("(주)한빛 / 사업자등록번호 220-81-62517 / 법인등록번호 110111-0062432") == {PiiType.BRN}


def test_a_personal_keyword_nearer_than_the_corporate_one_still_finds_the_person() -> None:
    rrn = registration_number("900101", "123456")
    frn = registration_number("900101", "523456", foreign=True)
    assert found(f"법인 대표자 주민등록번호 {rrn}") == [(PiiType.RRN, rrn)]
    assert found(f"법인 직원 외국인등록번호: {frn}") == [(PiiType.FRN, frn)]
    assert found(f"등록번호: {rrn}") == [(PiiType.RRN, rrn)]


def test_other_registration_words_do_not_make_a_number_a_residents_number() -> None:
    # "등록번호" at the end of another number's name is not the resident-number keyword
    bare = registration_number("900101", "123456").replace("-", "")[:12] + "0"  # wrong check digit
    assert types_in(f"사업자등록번호 {bare}") == set()
    assert types_in(f"주민등록번호 {bare}") == {PiiType.RRN}


def test_region_names_are_not_banks() -> None:
    assert types_in("사업자등록번호: 220-19-58372 - 주소: 광주") == set()
    for region in ("광주", "부산", "대구", "제주", "경남", "전북"):
        assert types_in(f"접수처 {region} 123-45-678901") == set(), region
        assert found(f"{region}은행 123-45-678901") == [(PiiType.ACCOUNT, "123-45-678901")], region
    assert types_in("산업 분류 110-123-456789") == set()
    assert found("KDB산업은행 110-123-456789") == [(PiiType.ACCOUNT, "110-123-456789")]


def test_passports_of_other_formats_after_a_passport_keyword() -> None:
    assert found("여권번호: C8842019") == [(PiiType.PASSPORT, "C8842019")]
    assert found("여권번호: B72184905") == [(PiiType.PASSPORT, "B72184905")]
    assert found("여권 552901447") == [(PiiType.PASSPORT, "552901447")]
    assert found("Passport No. 552901447") == [(PiiType.PASSPORT, "552901447")]
    assert found("여권 AB1234567") == [(PiiType.PASSPORT, "AB1234567")]  # Korean, before 2008
    assert found("여권번호 TK1234567입니다") == [(PiiType.PASSPORT, "TK1234567")]
    assert found("여권: 12AB34567") == [(PiiType.PASSPORT, "12AB34567")]
    assert found("여권번호 M123A4567") == [(PiiType.PASSPORT, "M123A4567")]


def test_other_passport_formats_need_the_keyword() -> None:
    assert types_in("상품 C8842019 재고") == set()
    assert types_in("번호 552901447") == set()
    assert types_in("552901447 여권") == set()  # nine bare digits only after the keyword
    assert types_in("여권 발급 예약번호 AB123456") == set()  # a negative keyword vetoes it
    assert types_in("여권 사본 / 모델 XC12345678") == set()  # inside a longer code


def test_an_account_number_ending_in_a_one_digit_group_is_found_whole() -> None:
    assert found("대구은행 508-10-238847-2") == [(PiiType.ACCOUNT, "508-10-238847-2")]
    assert found("농협 217-02-119804-5 (예금주 확인)") == [(PiiType.ACCOUNT, "217-02-119804-5")]
    assert mask("농협 217-02-119804-5") == "농협 ***-**-***804-5"
    assert types_in("번호 508-10-238847-2") == set()  # still needs a bank or account word


def test_a_licence_span_includes_its_region_word() -> None:
    text = "운전면허 부산 11-123456-78"
    assert found(text) == [(PiiType.DRIVER_LICENSE, "부산 11-123456-78")]
    assert "11" not in mask(text) and "123456" not in mask(text)
    assert found("면허번호 부산 12-11-123456-78") == [(PiiType.DRIVER_LICENSE, "부산 12-11-123456-78")]
    assert found("면허번호 경기북부 28-123456-78") == [(PiiType.DRIVER_LICENSE, "경기북부 28-123456-78")]
    assert found("면허번호 12-11-123456-78") == [(PiiType.DRIVER_LICENSE, "12-11-123456-78")]


def test_ip_findings_say_what_kind_of_address_they_are() -> None:
    text = (
        "192.168.0.1 10.1.2.3 172.16.5.4 100.64.0.1 127.0.0.1 169.254.10.20 8.8.8.8 0.0.0.0 "
        "::1 fe80::1 fd12:3456::1 2404:6800:4004:80c::200e ::ffff:10.0.0.1 2001:db8::1"
    )
    kinds = [next(w for w in f.why if w not in ("ipv4", "ipv6")) for f in scan(text)]
    assert kinds == [
        "private", "private", "private", "private", "loopback", "link-local", "public", "reserved",
        "loopback", "link-local", "private", "public", "private", "reserved",
    ]  # fmt: skip
    assert all(f.type is PiiType.IP for f in scan(text))


def test_masking_can_leave_internal_addresses_visible() -> None:
    text = "접속 10.0.0.5 → 외부 203.0.113.7, 8.8.4.4"
    public = [f for f in scan(text) if f.type is PiiType.IP and "public" in f.why]
    assert mask(text, findings=public) == "접속 10.0.0.5 → 외부 203.0.113.7, 8.8.*.*"


def test_a_passport_column_under_its_header_is_found() -> None:
    text = (
        "이름 | 국적 | 여권번호\n"
        "Anna Müller | 독일 | C01X00T47\n"
        "Juan Cruz | 필리핀 | P1234567A\n"
        "Li Wei | 중국 | E12345678\n"
        "John Doe | 미국 | 552901447"
    )
    assert [v for t, v in found(text, types="structured")] == [
        "C01X00T47",
        "P1234567A",
        "E12345678",
        "552901447",
    ]
    assert types_in("여권 사본 제출 후 번호 012345678") == set()  # nine digits never start with 0
    assert types_in("여권 정보는 아래와 같습니다. " + "가" * 130 + " E12345678") == set()  # too far


def test_a_negative_keyword_vetoes_a_passport_only_between_keyword_and_number() -> None:
    assert found("항공권 예약 시 여권번호 C1234567 필요") == [(PiiType.PASSPORT, "C1234567")]
    assert types_in("여권 발급 접수번호 C1234567") == set()
