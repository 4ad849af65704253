"""Names a Korean reader sees without a label next to them — speakers of a chat export, the cells
of a roster under a 성명 header, the subject of a sentence — and the words of the same shape that
a reader never takes for a person (an office before its phone, a verb, a label after a label)."""

from __future__ import annotations

from pii_helpers import found

from jikimi.pii import PiiType

NAME = PiiType.NAME


def names(text: str, **kwargs: object) -> list[str]:
    return [value for kind, value in found(text, **kwargs) if kind is NAME]


def test_an_office_at_the_start_of_a_line_before_its_phone_is_not_a_name() -> None:
    text = "문의처 안내\n경비실 031-555-0192 / 관리실 031-555-0193"
    assert names(text) == []
    assert names("보호자: 한정우(배우자) 010-4455-1290") == ["한정우"]


def test_a_word_and_its_particle_before_a_phone_is_not_a_name() -> None:
    assert names("번호가 바뀌어서 지금은 010-3381-2204 로 연락 주세요") == []


def test_a_verb_with_its_polite_ending_is_not_a_name() -> None:
    assert names("급하면 문자 주세요 010-2840-1177") == []


def test_a_label_after_a_title_is_not_a_name() -> None:
    assert names("공동 대표 신청인: 오세훈 님") == ["오세훈"]
    assert names("대표 주문자: 권도윤 님 (010-2284-9911)") == ["권도윤"]


def test_a_committee_title_is_not_a_name_before_its_last_syllables() -> None:
    assert names("심사위원장: 맹지석   위원: 탁서율") == ["맹지석", "탁서율"]


def test_a_foreign_name_of_several_words_fills_the_field_after_a_name_label() -> None:
    assert names("한글 성명: 올레나 코발렌코   국적: 우크라이나") == ["올레나 코발렌코"]
    assert names("투숙객 성명: 카를로스 멘데스\n객실: 1203") == ["카를로스 멘데스"]


def test_a_name_and_a_common_word_after_a_label_is_the_name_alone() -> None:
    assert names("소유자: 나현규 외\n지분: 1/2") == ["나현규"]
    assert names("담당: 경위 모재찬\n") == ["모재찬"]


def test_a_foreign_name_found_once_is_found_again() -> None:
    text = "한글 성명: 올레나 코발렌코   국적: 우크라이나\n올레나 코발렌코 씨는 2023년에 입국하였다."
    assert names(text) == ["올레나 코발렌코", "올레나 코발렌코"]


def test_a_foreign_name_ending_in_a_korean_looking_word_is_whole_before_an_honorific() -> None:
    # 이선 alone could be a Korean name; after 마크 it is the end of a foreign one
    assert names("마크 이선 님께 자료를 전달함") == ["마크 이선"]


def test_a_latin_name_after_a_label_marked_english_and_its_hangul_spelling() -> None:
    assert names("성명(영문): MINA PARK\n국적: 대한민국") == ["MINA PARK"]
    assert names("Patient: Lucas Moreau (루카스 모로)\n진료과: 내과") == ["Lucas Moreau", "루카스 모로"]


def test_a_name_before_an_honorific_and_a_double_particle() -> None:
    assert names("추가로 한지호 부장님께도 알려 주세요") == ["한지호"]


def test_a_foreign_adviser_before_the_title_of_adviser() -> None:
    assert names("  - 데이비드 스미스 자문위원은 사례를 공유함") == ["데이비드 스미스"]
