"""Names a reader finds from the layout alone: the column under a 성명 or 보호자 header, the
speakers of a chat export, the holder after an account number, a two-syllable name that ends a
field of a signature line, the head of an office (총무과장 …) — and the cells, words and lists of
the same layout that hold no name."""

from __future__ import annotations

from pii_helpers import found

from jikimi.pii import PiiType

NAME = PiiType.NAME


def names(text: str) -> list[str]:
    return [value for kind, value in found(text) if kind is NAME]


def test_every_cell_under_a_name_header_of_a_pipe_table_is_a_name() -> None:
    text = (
        "봉사활동 신청 명단\n"
        "순번 | 이름 | 보호자 | 학교\n"
        "1 | 하은결 | 하동진 | 새빛초\n"
        "2 | 오람 | 길미정 | 새빛초\n"
        "3 | 탁윤슬 | 탁경 | 솔내초\n"
    )
    assert names(text) == ["하은결", "하동진", "오람", "길미정", "탁윤슬", "탁경"]


def test_a_column_of_names_ends_where_the_rows_stop() -> None:
    text = (
        "번호  성명  생년월일  비고\n1  유다봄  91.03.02  없음\n2  채온  88.11.30  없음\n"
        "※ 문의는 민원실로 바랍니다.\n"
    )
    assert names(text) == ["유다봄", "채온"]


def test_foreign_names_in_a_name_column_are_names() -> None:
    text = "성명 | 국적 | 체류자격\n피터 존스 | 영국 | E-9\nMAYA PATEL | 인도 | D-2\n"
    assert names(text) == ["피터 존스", "MAYA PATEL"]


def test_cells_of_other_columns_are_not_names() -> None:
    text = "품목 | 수량 | 담당 부서\n사무용품 | 3 | 총무과\n정기점검 | 1 | 시설팀\n"
    assert names(text) == []


def test_speakers_of_a_chat_export_are_names() -> None:
    text = "[도하람] [오후 3:02] 지금 출발해\n[윤솔] [오후 3:05] 응 역 앞에서 봐\n[도하람] [15:07] 알겠어\n"
    assert names(text) == ["도하람", "윤솔", "도하람"]


def test_a_bracketed_tag_before_a_time_inside_a_line_is_not_a_speaker() -> None:
    assert names("공지 [안내] [오후 3:02] 점검 예정") == []


def test_the_holder_written_after_an_account_number_is_a_name() -> None:
    assert names("조의금은 신한은행 110-482-917364 (봉은채)로 보내 주세요") == ["봉은채"]
    assert names("입금: 국민은행 612302-01-448291 (예금주 구담)") == ["구담"]


def test_a_two_syllable_name_ends_a_field_after_a_role() -> None:
    assert names("주무관  표솔    계장  남휘    과장 전결  winner") == ["표솔", "남휘"]
    assert names("학과장 옥진 (인)") == ["옥진"]


def test_a_common_two_syllable_word_after_a_role_is_not_a_name() -> None:
    assert names("과장 이상  직급만 신청 가능") == []


def test_the_head_of_an_office_written_before_a_name_is_a_role() -> None:
    assert names("협조자  민원봉사과장 위다경\n협조자  기획팀장 남궁별") == ["위다경", "남궁별"]


def test_a_two_syllable_name_ends_a_list_after_a_label() -> None:
    assert names("상주: 여태민, 여휘\n발인: 오전 7시") == ["여태민", "여휘"]


def test_a_name_that_starts_like_a_rank_is_still_a_name() -> None:
    # 이병 (a private) and 배정 (assignment) start these names; the words themselves stay common
    assert names("지도교수 이병훈 (010-3920-1177)") == ["이병훈"]
    assert names("참석: 배정란 책임") == ["배정란"]
    assert names("담당 이번주 처리 예정") == []


def test_names_after_the_labels_of_dependants_companions_and_witnesses() -> None:
    text = "피부양자: 구슬아 (자녀)\n동반자: 탁민규 / 여권 M70419928\n참고인 변하진의 진술"
    assert names(text) == ["구슬아", "탁민규", "변하진"]


def test_an_office_title_before_or_after_a_name_is_a_role() -> None:
    text = "회수기사 소담우 / 문의 (편가온 기사)\n확인: 출입국관리주사 엄다솜  02-555-0132"
    assert names(text) == ["소담우", "편가온", "엄다솜"]


def test_an_examination_is_not_a_prosecutor() -> None:
    assert names("정밀 검사 결과는 다음 주에 나옵니다") == []
