"""Personal names (surname + honorific or label, or known names) and Korean addresses."""

from __future__ import annotations

from pii_helpers import found, types_in

from jikimi.pii import PiiType, scan


def test_names_before_honorifics_and_roles_are_found() -> None:
    assert found("홍길동님께서 문의하셨습니다") == [(PiiType.NAME, "홍길동")]
    assert found("김철수 씨가 왔어요") == [(PiiType.NAME, "김철수")]
    assert found("이영희 고객님, 안녕하세요") == [(PiiType.NAME, "이영희")]
    assert found("박민수 과장이 담당합니다") == [(PiiType.NAME, "박민수")]
    assert found("남궁민수님 반갑습니다") == [(PiiType.NAME, "남궁민수")]


def test_names_after_labels_are_found_with_particles() -> None:
    assert found("성명: 김민지") == [(PiiType.NAME, "김민지")]
    assert found("이름은 최하늘입니다") == [(PiiType.NAME, "최하늘")]
    assert found("예금주 이수진으로 입금") == [(PiiType.NAME, "이수진")]
    assert found("담당자 정우성에게 문의") == [(PiiType.NAME, "정우성")]


def test_roles_and_common_words_are_not_names() -> None:
    for text in (
        "고객님 안녕하세요",
        "선생님께 여쭤보세요",
        "정말 고객님 감사합니다",
        "담당자 배정됨",
        "이번 회원님 혜택",
        "신규 회원님 환영",
        "날씨가 좋네요",
        "이름 변경 요청",
    ):
        assert types_in(text) == set(), text


def test_names_the_service_knows_are_found_anywhere() -> None:
    assert found("어제 민수랑 홍길순이 왔다", known_names=["홍길순"]) == [(PiiType.NAME, "홍길순")]
    assert found("홍길순입니다만", known_names=["홍길순"]) == [(PiiType.NAME, "홍길순")]
    assert found("홍길순자", known_names=["홍길순"]) == []  # inside a longer word


def test_bare_names_without_a_cue_are_not_claimed() -> None:
    assert types_in("어제 김민수가 왔다") == set()  # documented limit: no cue, no name


def test_road_name_address_with_details() -> None:
    text = "배송지: 서울특별시 강남구 테헤란로 123, 101동 1203호로 보내주세요"
    assert found(text) == [(PiiType.ADDRESS, "서울특별시 강남구 테헤란로 123, 101동 1203호")]


def test_lot_number_address_and_short_forms() -> None:
    assert found("주소 경기도 성남시 분당구 정자동 178-1번지") == [
        (PiiType.ADDRESS, "경기도 성남시 분당구 정자동 178-1번지")
    ]
    assert found("서울 마포구 월드컵북로 396 (상암동)") == [
        (PiiType.ADDRESS, "서울 마포구 월드컵북로 396 (상암동)")
    ]
    assert found("세종특별자치시 한누리대로 2130") == [(PiiType.ADDRESS, "세종특별자치시 한누리대로 2130")]
    assert found("강남구 강남대로94길 15에서") == [(PiiType.ADDRESS, "강남구 강남대로94길 15")]


def test_place_words_without_a_number_are_not_addresses() -> None:
    assert types_in("서울 강남구 맛집 추천") == set()
    assert types_in("테헤란로 근처 카페") == set()


def test_address_outranks_the_name_cue_inside_it() -> None:
    text = "신청인 김영수 주소 부산광역시 해운대구 해운대로 570"
    assert [f.type for f in scan(text)] == [PiiType.NAME, PiiType.ADDRESS]
