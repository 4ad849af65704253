"""Names found from the words around them: roles and titles, labels of records and cases,
lists, foreign names; and the common words next to those cues that are not names."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from pii_helpers import found, types_in

from jikimi.pii import PiiType, Scanner

NAME = PiiType.NAME


def names(text: str, **kwargs: object) -> list[str]:
    return [value for kind, value in found(text, **kwargs) if kind is NAME]


def test_a_name_after_a_role_in_an_approval_line_is_found() -> None:
    assert names("주무관 박선영  과장 전결 김도현") == ["박선영", "김도현"]
    assert names("기안 이수진  검토 정민호  결재 한지우") == ["이수진", "정민호", "한지우"]


def test_a_name_before_a_role_is_found() -> None:
    assert names("박선영 주무관에게 문의하세요") == ["박선영"]


def test_a_name_after_a_label_of_a_record_or_a_case_is_found() -> None:
    assert names("○ 소유자: 강민서") == ["강민서"]
    assert names("피해자: 문선영") == ["문선영"]
    assert names("환자: 이성호 / M") == ["이성호"]
    assert names("증인 김영수의 진술에 따르면") == ["김영수"]
    assert names("원고 이정민은 청구한다") == ["이정민"]


def test_a_name_after_a_manager_title_is_found_and_the_office_after_it_is_not() -> None:
    text = "관리소장  최영기  사무실 02-2345-6789"
    assert found(text) == [(NAME, "최영기"), (PiiType.PHONE, "02-2345-6789")]


def test_an_office_after_a_name_is_not_a_name() -> None:
    assert names("담당 부서 사무실 02-2345-6789") == []


def test_the_professor_title_is_not_taken_for_a_name() -> None:
    assert names("지도교수: 정명훈") == ["정명훈"]


def test_the_aforesaid_patient_is_nobody() -> None:
    assert types_in("상기 환자는 입원 치료 중입니다") == set()


def test_a_common_noun_after_a_role_is_not_a_name() -> None:
    for text in ("과장 이상의 직급", "결재 진행중", "검토 결과를 알려주세요", "승인 대기중입니다"):
        assert names(text) == [], text


def test_every_name_of_a_list_after_a_label_is_found() -> None:
    assert names("참석자: 이민호, 박지은, 최수진") == ["이민호", "박지은", "최수진"]


def test_a_foreign_name_in_hangul_next_to_a_cue_is_found() -> None:
    assert names("존 스미스 씨가 방문했습니다") == ["존 스미스"]
    assert names("성명: 응우옌 반 안") == ["응우옌 반 안"]
    assert names("마이클 조던 선수의 경기") == ["마이클 조던"]


def test_a_name_in_latin_letters_after_a_label_is_found() -> None:
    assert names("성명: John Smith") == ["John Smith"]
    assert names("영문 성명: HONG GILDONG") == ["HONG GILDONG"]


def test_a_foreign_word_without_a_cue_is_not_a_name() -> None:
    assert names("존 스미스가 쓴 책") == []
    assert names("John Smith wrote it") == []


def test_names_passed_by_the_caller_need_no_cue() -> None:
    assert names("어제 선영이가 왔다", known_names=["선영"]) == ["선영"]


def test_the_analyser_is_loaded_once_for_many_threads() -> None:
    from jikimi.pii import _name_analysis

    scanner = Scanner()
    results: list[list[str]] = []

    def work() -> None:
        results.append([f.value("과장 조현뵨") for f in scanner.scan("과장 조현뵨")])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [["조현뵨"]] * 8
    assert len(_name_analysis._KIWI) == 1


def test_the_analyser_loads_without_the_network(tmp_path: Path) -> None:
    # the model is the kiwipiepy-model PyPI package: nothing is downloaded or cached at run time
    script = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from jikimi.pii import scan\n"
        "print([f.value('과장 조현뵨') for f in scan('과장 조현뵨')])\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['조현뵨']"
    assert list(tmp_path.iterdir()) == []


def test_the_list_of_name_shaped_common_words_is_the_analysers_reading() -> None:
    import random

    from jikimi.pii import _name_analysis

    listed = sorted(_name_analysis._name_shaped_words())
    assert {"이상의", "사무실", "상기", "지도"} <= set(listed)
    assert not {"김민수", "박선영", "최영기", "정명훈", "이성호"} & set(listed)
    kiwi = _name_analysis._analyser()
    for word in random.Random(19).sample(listed, 40):
        tokens = [(t.start, t.start + t.len, t.tag, t.id) for t in kiwi.tokenize(word, match_options=0)]
        assert _name_analysis._common_reading(tokens, 0, len(word)), word


def test_a_name_in_parentheses_after_a_label_is_found() -> None:
    assert names("담당자(홍길동)에게 연락") == ["홍길동"]


def test_names_of_relatives_after_their_relation_are_found() -> None:
    assert names("부친 김영호, 모친 이순자") == ["김영호", "이순자"]


def test_a_name_before_a_title_in_parentheses_is_found() -> None:
    assert names("박선영(주무관)에게 문의") == ["박선영"]


def test_a_speaker_in_a_chat_log_is_found() -> None:
    assert names("[14:02] 김민수: 네 알겠습니다") == ["김민수"]
    assert names("김민수 > 안녕하세요\n박지은 > 반갑습니다") == ["김민수", "박지은"]
    assert names("김민수: 언제 오세요?\n박지은: 내일요\n김민수: 네") == ["김민수", "박지은", "김민수"]


def test_a_name_alone_in_a_table_or_csv_cell_is_found() -> None:
    assert names("1 | 김민수 | 서울 | 010-1234-5678") == ["김민수"]
    assert names("번호,이름,지역\n1,박지은,부산\n2,최영호,대구") == ["박지은", "최영호"]
    assert names("정민호\t영업부\t과장") == ["정민호"]


def test_a_name_before_a_seal_or_after_a_signature_mark_is_found() -> None:
    assert names("위 내용이 사실임을 확인합니다. 신청인 대리 김민수 (인)") == ["김민수"]
    assert names("(서명) 박지은") == ["박지은"]


def test_common_words_and_labels_in_cells_are_not_names() -> None:
    assert names("배송지: 서울\n배송지: 부산") == []
    assert names("사무실 | 회의실 | 정말로") == []
    assert names("그리고, 정말로, 대단하다") == []
    assert names("주문자: 물건 배송\n") == []
    # one `word:` line is a label more often than a speaker
    assert names("홍보팀: 다음 주 일정") == []


def test_a_name_with_a_particle_or_before_a_data_label_next_to_personal_data_is_found() -> None:
    assert names("야 마준영한테 010-6851-9609 번호 알려줘") == ["마준영"]
    assert names("단톡방에 염범도 주민번호 580522-1436351 올라옴") == ["염범도"]
    assert names("김민수 연락처: 010-1234-5678") == ["김민수"]


def test_a_common_word_before_a_data_label_is_not_a_name() -> None:
    assert names("사무실 전화 02-123-4567") == []
    assert names("우리 회사 전화 02-123-4567") == []


def test_a_name_found_once_is_found_again_where_it_is_written_alone() -> None:
    assert names("담당자: 김민수\n김민수가 내일 연락드립니다. 김민수님께 문의") == [
        "김민수",
        "김민수",
        "김민수",
    ]


def test_a_name_found_once_is_not_found_inside_a_longer_word() -> None:
    assert names("담당자: 김민수\n김민수현 그리고 새김민수") == ["김민수"]


def test_a_sender_before_an_address_in_angle_brackets_and_more_labels_are_found() -> None:
    assert names("보낸사람: 김민수 <minsu@example.com>") == ["김민수"]
    assert names("발표자 정민호, 사회자 한지우") == ["정민호", "한지우"]
    assert names("매도인 이수진 (인)") == ["이수진"]


def test_a_name_before_a_team_and_a_title_is_found() -> None:
    assert names("김민수 영업팀 과장") == ["김민수"]
    assert names("정민호 기획부 부장님께") == ["정민호"]
    assert names("오늘 회의 영업팀 과장") == []
    assert names("사무실 관리부 과장") == []
