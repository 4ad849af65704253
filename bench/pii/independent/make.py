"""Write documents.jsonl: the independent labelled Korean corpus (seeded, deterministic).

    python bench/pii/independent/make.py [--seed 19] [--per-genre 12]

Every template writes its text with marked values (``mark(kind, value)``); the markers are
taken out and turned into character offsets here, so no offset is counted by hand. Each
span is checked to round-trip (``text[start:end] == value``) and each identifier with a
public check digit is checked again with python-stdnum when it is installed.
"""

# ruff: noqa: E501  (template lines read better unbroken: each is one line of a document)

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generators as g  # noqa: E402

OPEN, SEP, CLOSE = "\x02", "\x1f", "\x03"
TYPES = (
    "name address rrn frn passport driver_license brn phone email card ip account health_insurance car_plate"
).split()


def mark(kind: str, value: str) -> str:
    assert kind in TYPES, kind
    return f"{OPEN}{kind}{SEP}{value}{CLOSE}"


class Span(NamedTuple):
    type: str
    start: int
    end: int
    value: str


def unmark(marked: str) -> tuple[str, list[Span]]:
    """The text without its markers, and each marked value with its offsets in that text."""
    out: list[str] = []
    spans: list[Span] = []
    pos, i = 0, 0
    while i < len(marked):
        if marked[i] == OPEN:
            sep = marked.index(SEP, i)
            close = marked.index(CLOSE, sep)
            kind, value = marked[i + 1 : sep], marked[sep + 1 : close]
            spans.append(Span(kind, pos, pos + len(value), value))
            out.append(value)
            pos += len(value)
            i = close + 1
        else:
            out.append(marked[i])
            pos += 1
            i += 1
    text = "".join(out)
    for span in spans:  # every span round-trips
        assert text[span.start : span.end] == span.value, span
        check_value(span.type, span.value)
    assert OPEN not in text and CLOSE not in text and SEP not in text
    return text, spans


def has_batchim(word: str) -> bool:
    ch = word[-1]
    if "가" <= ch <= "힣":
        return (ord(ch) - 0xAC00) % 28 != 0
    return ch.lower() in "lmnr"


def josa(word: str, pair: str) -> str:
    with_final, without = pair.split("/")
    return with_final if has_batchim(word) else without


# -- value helpers returning marked text -------------------------------------------------


def N(r: random.Random, name: str | None = None) -> tuple[str, str]:
    """A Korean name: (marked, plain)."""
    name = name or g.korean_name(r)
    return mark("name", name), name


def M(name: str) -> str:
    """A name already drawn, marked again where the text repeats it."""
    return mark("name", name)


def nm(r: random.Random) -> str:
    return N(r)[0]


def np_(r: random.Random, pair: str) -> str:
    """A name followed by a particle chosen for its final consonant."""
    marked, plain = N(r)
    return marked + josa(plain, pair)


def addr(r: random.Random, **kw: bool) -> str:
    return mark("address", g.address(r, **kw))


def mob(r: random.Random) -> str:
    return mark("phone", g.phone(r))


def tel(r: random.Random) -> str:
    return mark("phone", g.landline(r))


def mail(r: random.Random, domain: str | None = None) -> str:
    return mark("email", g.email(r, domain))


def acct(r: random.Random, bank: str | None = None) -> str:
    bank_name, number = g.account(r, bank)
    return f"{bank_name} {mark('account', number)}"


def pick(r: random.Random, *options: str) -> str:
    return r.choice(options)


ORGS = ("행정안전부", "서울특별시 마포구청", "경기도교육청", "국민건강보험공단 서울강남지사", "부산광역시 해운대구청",
        "대전광역시 유성구청", "국토교통부", "강원특별자치도청", "세종특별자치시 민원실", "인천광역시 남동구청")  # fmt: skip
DEPTS = (
    "총무과",
    "민원여권과",
    "세무1과",
    "복지정책과",
    "도시계획과",
    "정보통신과",
    "교통행정과",
    "문화관광과",
)
TEAM_TITLES = ("팀장", "계장", "담당")
COMPANIES = ("(주)한빛소프트", "대성물산(주)", "주식회사 새롬테크", "(주)이음물류", "김가네식품(주)", "정다운건설(주)",
             "박스앤박스 주식회사", "(주)최고의선택", "이마트24 합정점", "조은약국", "신세계디앤씨", "한울회계법인",
             "강남세무법인", "(주)오뚜기", "남양유업", "문화상사", "황금정육점", "임진상사", "서해수산", "고려인삼상회")  # fmt: skip
NEGATIVE_LINES = (
    "상기 내용은 사실과 다름없음을 확인합니다.",
    "자세한 정보는 사무실로 문의 바랍니다.",
    "지도 앱에서 '강남역 11번 출구'를 검색하세요.",
    "이상 없음.",
    "김치냉장고 공동구매 안내는 다음 주에 게시됩니다.",
    "정보통신망 이용촉진 및 정보보호 등에 관한 법률에 따라 처리합니다.",
    "조치 결과는 추후 통보 예정입니다.",
    "박람회 일정은 변동될 수 있습니다.",
    "최근 3개월간 민원 건수는 42건입니다.",
    "한국전력 점검으로 14시부터 16시까지 정전됩니다.",
    "오후 2시 대회의실에서 진행합니다.",
    "신청서는 민원실 2번 창구에 제출하세요.",
    "장소: 광주 3공장 2라인 회의실",
    "임시 주차장은 정문 옆 공터입니다.",
    "유의사항을 반드시 확인해 주세요.",
    "남부지역 폭염특보로 야외 작업을 중지합니다.",
    "홍보 현수막은 정문과 후문에 게시합니다.",
    "송금 전 예금주를 다시 확인하시기 바랍니다.",
    "전체 일정은 붙임 파일을 참고하세요.",
    "안내 데스크는 1층 로비에 있습니다.",
    "고객센터 운영시간: 평일 09:00~18:00",
    "배송 지연 시 문자로 알려 드립니다.",
    "성명란은 정자로 기재해 주십시오.",
    "지원 대상: 만 65세 이상 노인 및 장애인",
    "하루 평균 방문객은 1,250명입니다.",
    "황사로 인해 외부 활동을 자제해 주세요.",
    "서류 보관 기간은 5년입니다.",
    "부산 2호점은 3월 15일 개점합니다.",
    "주소: 광주 (상세주소는 추후 안내)",
    "문의: 대전 본사 총무팀",
    "정관 제12조에 따라 이사회를 소집합니다.",
    "심사 결과 적합으로 판정되었습니다.",
    "강북 지역 순회 상담은 격주 화요일입니다.",
    "김포공항 국내선 3층에서 만나요.",
    "이천 물류센터 입고 마감은 17시입니다.",
    "조선호텔 그랜드볼룸에서 열립니다.",
    "신촌 세브란스 방향 출구로 나오세요.",
    "안양 평촌 학원가 일대 교통 통제 예정.",
    "제주 3박 4일 워크숍 일정표를 공유합니다.",
    "문경새재 도립공원 입장료는 무료입니다.",
)


def neg(r: random.Random, k: int = 1) -> str:
    return " ".join(r.sample(NEGATIVE_LINES, k))


def order_no(r: random.Random) -> str:
    return pick(r, f"{r.randrange(2022, 2026)}{r.randrange(1, 13):02d}{r.randrange(1, 29):02d}-{g.digits(r, 7)}",
                f"ORD{g.digits(r, 12)}", g.digits(r, 16), f"{r.randrange(2022, 2026)}{g.digits(r, 10)}")  # fmt: skip


def tracking_no(r: random.Random) -> str:
    return pick(r, g.digits(r, 12), f"{g.digits(r, 4)}-{g.digits(r, 4)}-{g.digits(r, 4)}", g.digits(r, 10))


def amount(r: random.Random) -> str:
    return f"{r.randrange(1, 900) * 1000 + r.choice((0, 500)):,}원"


# -- genres ------------------------------------------------------------------------------


def memo(r: random.Random) -> str:
    org, dept = r.choice(ORGS), r.choice(DEPTS)
    lines = [
        org,
        f"수신  {pick(r, '내부결재', '수신자 참조', dept + '장')}",
        "(경유)",
        f"제목  {pick(r, '2025년 상반기 민원 처리 실적 보고', '청사 방호 계획 수립', '개인정보 보호 교육 실시 계획', '관용차량 운행 일지 점검 결과')}",
        "",
        f"1. 관련: {dept}-{r.randrange(100, 9999)}({g.date(r)})",
        f"2. {pick(r, '위 호와 관련하여 아래와 같이 보고합니다.', '붙임과 같이 계획을 수립하여 시행하고자 합니다.', '상기 건에 대하여 결과를 알려 드립니다.')}",
        f"  가. 담당: {dept} {pick(r, '주무관', '행정주사', '주무관')} {nm(r)} ({tel(r)})",
        f"  나. 협조: {r.choice(DEPTS)} {pick(r, '팀장', '주무관')} {nm(r)}",
        "",
        "붙임  1. 세부 계획 1부.  끝.",
        "",
    ]
    approval = pick(
        r,
        f"주무관 {nm(r)}  {r.choice(TEAM_TITLES)} {nm(r)}  과장 전결 {nm(r)}",
        f"주무관  {nm(r)}    {r.choice(TEAM_TITLES)}  {nm(r)}    국장 전결  {nm(r)}",
        f"행정주사보 {nm(r)} → 팀장 {nm(r)} → 과장 {nm(r)} (전결)",
        f"기안자 {nm(r)}  검토자 {nm(r)}  결재권자 과장 {nm(r)}",
    )
    lines.append(approval)
    lines.append(f"협조자  {pick(r, '정보통신과장', '감사팀장', '총무과장')} {nm(r)}")
    lines.append(f"시행  {dept}-{r.randrange(1000, 9999)}  ({g.date(r)})   접수")
    lines.append(
        f"우 {r.randrange(10000, 63999)}  {addr(r, detail=False)}  / {pick(r, 'www.korea.kr', 'www.mapo.go.kr')}"
    )
    lines.append(f"전화 {tel(r)}  전송 {tel(r)}  / {mail(r, 'korea.kr')}  / 대국민 공개")
    return "\n".join(lines)


def apartment(r: random.Random) -> str:
    apt = f"{r.choice(g.APTS)}{pick(r, '', '2단지 ', '센트럴 ')}아파트".replace("  ", " ")
    return "\n".join([
        f"[{apt} 관리사무소 공고 제2025-{r.randrange(1, 80)}호]",
        f"{pick(r, '승강기 정기 점검 안내', '저수조 청소에 따른 단수 안내', '동대표 선출 공고', '주차 질서 확립 협조 요청')}",
        "",
        f"입주민 여러분 안녕하십니까. {neg(r)}",
        f"점검 일시: {g.date(r)} 10:00 ~ 15:00",
        f"대상: {r.randrange(101, 115)}동 ~ {r.randrange(115, 130)}동",
        pick(r,
             f"미등록 차량({mark('car_plate', g.car_plate(r))})은 {r.randrange(2, 9)}일 내 이동 조치 바랍니다.",
             f"{r.randrange(101, 130)}동 {r.randrange(1, 25)}0{r.randrange(1, 5)}호 {nm(r)} 님이 동대표 후보로 등록하였습니다.",
             f"분실물(지갑)을 보관 중입니다. 찾으실 분은 경비실 {nm(r)} 반장에게 문의하세요.",
             "정보 게시판에 세부 일정을 게시하였습니다."),  # fmt: skip
        "",
        f"{g.date(r)}",
        f"{apt} 관리소장  {nm(r)}  (직인생략)",
        f"사무실 {tel(r)}  /  경비실 {tel(r)}",
    ])  # fmt: skip


def medical(r: random.Random) -> str:
    marked, name = N(r)
    sex = pick(r, "M", "F", "남", "여")
    body = [
        pick(r, f"환자: {marked} / {sex} / {r.randrange(20, 90)}세", f"환자명 {marked} ({sex}/{r.randrange(20, 90)})",
             f"성명: {marked}   성별: {sex}"),  # fmt: skip
        f"등록번호: {g.digits(r, 8)}   요양기관기호: {g.digits(r, 8)}",
        f"주민등록번호: {mark('rrn', g.rrn(r))}" if r.random() < 0.7 else f"생년월일: 19{r.randrange(40, 99)}.{r.randrange(1, 13):02d}.{r.randrange(1, 28):02d}",
        f"{pick(r, '건강보험증번호', '보험증번호', '건강보험 증번호')}: {mark('health_insurance', g.health_insurance(r))}",
        f"주소: {addr(r)}",
        f"연락처: {mob(r)}   보호자: {nm(r)}({pick(r, '배우자', '자녀', '모')}) {mob(r)}",
        "",
        f"S) {pick(r, '3일 전부터 요통 호소, 하지 방사통 있음.', '기침, 발열 38.2도, 인후통.', '우측 무릎 통증, 계단 보행 시 악화.')}",
        f"O) BP 128/82, HR 76, BT 36.8  진단코드 {pick(r, 'M54.5', 'J06.9', 'M17.1', 'K29.7')}",
        f"A/P) {pick(r, 'NSAID 처방, 물리치료 2주.', '해열제 처방, 3일 후 재진.', 'MRI 예약, 정형외과 협진.')}",
        f"{pick(r, '담당의', '주치의', '진료의')}: {nm(r)}  /  간호사 {nm(r)}",
    ]  # fmt: skip
    return "\n".join(body) + (
        f"\n{M(name)} 환자 {pick(r, '귀가 조치함.', '입원 결정.')}" if r.random() < 0.4 else ""
    )


def police(r: random.Random) -> str:
    victim, v = N(r)
    suspect, s = N(r)
    place = g.address(r, detail=False)
    return "\n".join([
        pick(r, "사 건 보 고", "피해 신고 접수 보고", "교통사고 발생 보고"),
        f"접수번호: {r.randrange(2023, 2026)}-{g.digits(r, 6)}   담당: {pick(r, '경사', '경위', '순경')} {nm(r)}",
        f"피해자: {victim} ({pick(r, '남', '여')}, {r.randrange(19, 80)}세)",
        f"  주민등록번호: {mark('rrn', g.rrn(r))}",
        f"  주거: {mark('address', g.address(r))}   연락처: {mob(r)}",
        f"피의자: {suspect} (무직, {r.randrange(19, 70)}세)   차량: {mark('car_plate', g.car_plate(r))}",
        "",
        f"사건 개요: {g.date(r)} 21:30경 {mark('address', place)} 앞 노상에서 피의자 {M(s)}{josa(s, '이/가')} "
        f"피해자 {M(v)}{josa(v, '을/를')} {pick(r, '폭행하였다는 신고', '밀쳐 넘어뜨렸다는 신고', '차량으로 충격하였다는 신고')}를 "
        f"받고 출동함. 목격자 {nm(r)}(편의점 직원) 진술 확보. {neg(r)}",
    ])  # fmt: skip


def insurance(r: random.Random) -> str:
    insured, i = N(r)
    return "\n".join([
        f"{pick(r, '자동차보험 사고접수 확인서', '보험금 청구서', '대물 손해사정 보고서')}",
        f"사고접수번호: {r.randrange(2023, 2026)}{g.digits(r, 8)}   증권번호: {g.digits(r, 12)}",
        f"피보험자: {insured}   피해자: {nm(r)}",
        f"피보험자 주민등록번호: {mark('rrn', g.rrn(r))}",
        f"운전자 면허번호: {mark('driver_license', g.driver_license(r))}",
        f"사고차량: {mark('car_plate', g.car_plate(r))} ({pick(r, '쏘나타', '그랜저', '모닝', 'K5', '아반떼')})   상대차량: {mark('car_plate', g.car_plate(r))}",
        f"사고장소: {mark('address', g.address(r, detail=False))} 교차로",
        f"보험금 지급계좌: {acct(r)} (예금주 {M(i)})",
        f"담당 손해사정사 {nm(r)} {tel(r)}",
        neg(r),
    ])  # fmt: skip


def vehicle_record(r: random.Random) -> str:
    return "\n".join([
        "자동차 등록원부(갑) 발급 내용",
        f"○ 자동차등록번호: {mark('car_plate', g.car_plate(r))}",
        f"○ 차명: {pick(r, '쏘렌토', '카니발', '포터2', '스타리아', 'G80')}   차대번호: KMH{g.digits(r, 2)}{r.choice('ABCDEFGH')}{g.digits(r, 11)}",
        f"○ 소유자: {nm(r)}",
        f"○ 주민(법인)등록번호: {mark('rrn', g.rrn(r))}",
        f"○ 사용본거지: {addr(r)}",
        f"○ 최초등록일: {g.date(r, 2015, 2024)}   검사유효기간: {g.date(r, 2025, 2027)}",
        f"○ 저당권자: {r.choice(COMPANIES)}",
    ])  # fmt: skip


def university(r: random.Random) -> str:
    student, s = N(r)
    return "\n".join([
        f"{pick(r, '학위논문 심사위원 위촉 요청', '대학원 지도교수 변경 신청서', '연구실 안전교육 이수 확인')}",
        f"학과: {pick(r, '컴퓨터공학과', '국어국문학과', '기계공학부', '사회복지학과', '정보통계학과')}   학번: {r.randrange(2018, 2025)}{g.digits(r, 6)}",
        f"성명: {student}   연락처: {mob(r)}   이메일: {mail(r, pick(r, 'snu.ac.kr', 'korea.ac.kr', 'yonsei.ac.kr', 'kaist.ac.kr', 'pusan.ac.kr'))}",
        f"지도교수: {nm(r)}   {pick(r, '변경 지도교수', '부지도교수', '심사위원장')}: {nm(r)}",
        f"논문 제목: {pick(r, '지도 데이터 기반 이상 탐지 연구', '정보 검색 모델의 상기 효과 분석', '김치 발효 미생물 군집 분석')}",
        f"{M(s)} 학생은 {pick(r, '2025학년도 1학기', '2024학년도 2학기')}에 논문 심사를 받을 예정이며, "
        f"심사위원으로 {pick(r, '외부', '타 대학')} {nm(r)} 교수님을 위촉하고자 합니다.",
        f"학과장 {nm(r)} (인)",
    ])  # fmt: skip


def chat(r: random.Random) -> str:
    a, an = N(r)
    b, bn = N(r)
    lines = [
        f"[{a}] [오후 {r.randrange(1, 12)}:{r.randrange(0, 60):02d}] {pick(r, '모임 회비 오늘까지 보내줘~', '이번 주 토요일 몇 시에 볼까?', '택배 받았어?')}",
        f"[{b}] [오후 {r.randrange(1, 12)}:{r.randrange(0, 60):02d}] {pick(r, '어디로 보내면 돼?', 'ㅇㅋ 몇 시?', '아직 안 왔어 ㅠ')}",
        f"[{mark('name', an)}] [오후 {r.randrange(1, 12)}:{r.randrange(0, 60):02d}] "
        + pick(r, f"{acct(r)} 으로 3만원!", f"내 번호 바뀌었어 {mob(r)} 저장해", f"우리 집 주소 {addr(r)} 로 보내",
               f"{nm(r)}{pick(r, '이도', '도', '한테도')} 말해줘 ㅋㅋ"),  # fmt: skip
        f"[{mark('name', bn)}] [오후 {r.randrange(1, 12)}:{r.randrange(0, 60):02d}] "
        + pick(r, f"{nm(r)} 선배님도 오신대", "ㅋㅋ 알겠어", "강남역에서 보자", f"{nm(r)} 씨 결혼식 때 봐요"),
    ]  # fmt: skip
    if r.random() < 0.4:
        lines.append(
            f"[{mark('name', an)}] [오후 {r.randrange(1, 12)}:{r.randrange(0, 60):02d}] 김치찌개 먹으러 가자 ㅎㅎ"
        )
    return "\n".join(lines)


def ticket(r: random.Random) -> str:
    customer, c = N(r)
    return "\n".join([
        f"[CS-{g.digits(r, 6)}] {pick(r, '배송 문의', '환불 요청', '회원정보 변경', '결제 오류')}",
        f"고객명: {customer}   회원ID: {pick(r, 'happy', 'sky', 'blue', 'sun')}{g.digits(r, 3)}",
        f"연락처: {mob(r)}   이메일: {mail(r)}",
        f"주문번호: {order_no(r)}   운송장번호: {tracking_no(r)}",
        f"문의 내용: {pick(r, '주문한 상품이 아직 도착하지 않았습니다.', '사이즈 교환 부탁드립니다.', '카드 결제가 두 번 된 것 같아요.')} "
        + pick(r, f"결제 카드 {mark('card', g.card(r))} 확인 부탁드립니다.", f"배송지를 {addr(r)}{pick(r, '로', '(으)로')} 바꿔 주세요.",
               f"환불은 {acct(r)}{pick(r, '로', '으로')} 부탁드려요.", "빠른 처리 부탁드립니다."),  # fmt: skip
        f"상담원 메모: {M(c)} 고객님께 {pick(r, '회신 완료', '재발송 안내', '환불 접수 안내')}. 담당 {nm(r)}",
    ])  # fmt: skip


def hr(r: random.Random) -> str:
    emp, e = N(r)
    return "\n".join([
        "인 사 기 록 카 드",
        f"성 명: {emp}   한자: {pick(r, '金民俊', '李書妍', '朴志勳', '崔英基')}   사번: {pick(r, 'E', 'H', '')}{g.digits(r, 6)}",
        f"주민등록번호: {mark('rrn', g.rrn(r, hyphen=r.random() < 0.85))}",
        f"현주소: {addr(r)}",
        f"휴대전화: {mob(r)}   사내메일: {mail(r, pick(r, 'hanbit.co.kr', 'saerom.com', 'ieum-logis.kr'))}",
        f"비상연락처: {nm(r)} ({pick(r, '배우자', '부', '모', '형제')}) {mob(r)}",
        f"급여계좌: {acct(r)}",
        f"입사일: {g.date(r, 2010, 2024)}   소속: {pick(r, '경영지원팀', '개발1팀', '영업본부')}   직속상관: {nm(r)} 팀장",
        f"비고: {M(e)} 사원 {pick(r, '육아휴직 복직(2024.3.)', '수습 평가 A', '해외 파견 예정')}",
    ])  # fmt: skip


def contract(r: random.Random) -> str:
    landlord, l_ = N(r)
    tenant, t = N(r)
    return "\n".join([
        "부동산(주택) 임대차 계약서",
        f"1. 부동산의 표시  소재지: {addr(r)}",
        f"2. 보증금 금 {r.randrange(1, 50) * 10_000_000:,}원정  월세 {r.randrange(30, 200) * 10_000:,}원",
        f"임대인  성명 {landlord}  주민등록번호 {mark('rrn', g.rrn(r))}  전화 {mob(r)}",
        f"        주소 {addr(r)}",
        f"임차인  성명 {tenant}  주민등록번호 {mark('rrn', g.rrn(r))}  전화 {mob(r)}",
        f"        주소 {addr(r)}",
        f"개업공인중개사  사무소명칭 {pick(r, '정든공인중개사사무소', '강남부동산', '이웃공인중개사', '한빛공인중개사')}  "
        f"대표 {nm(r)}  사업자등록번호 {mark('brn', g.brn(r))}  전화 {tel(r)}",
        f"        소재지 {addr(r, detail=False)}",
        f"잔금은 {g.date(r)}에 임대인 {M(l_)}의 계좌({acct(r)})로 지급한다. 임차인 {M(t)}{josa(t, '은/는')} 특약사항을 확인하였다.",
    ])  # fmt: skip


def court(r: random.Random) -> str:
    plaintiff, p = N(r)
    return "\n".join([
        f"{pick(r, '서울중앙지방법원', '수원지방법원', '부산지방법원 동부지원', '대전지방법원')}",
        "판    결" if r.random() < 0.5 else "소    장",
        f"사    건  {r.randrange(2023, 2026)}가단{r.randrange(1000, 99999)} {pick(r, '손해배상(기)', '대여금', '임대차보증금반환')}",
        f"원    고  {plaintiff} ({mark('rrn', g.rrn(r))})",
        f"          {addr(r)}",
        f"          소송대리인 변호사 {nm(r)}",
        f"피    고  {r.choice(COMPANIES)}",
        f"          법인등록번호 {g.corporate_number(r)}",
        f"          {mark('address', g.address(r, detail=False))}",
        f"          대표이사 {nm(r)}",
        "",
        "주    문",
        f"1. 피고는 원고에게 {r.randrange(1, 90) * 1_000_000:,}원 및 이에 대하여 {g.date(r)}부터 다 갚는 날까지 연 12%의 비율로 계산한 돈을 지급하라.",
        f"원고 {M(p)}{josa(p, '은/는')} {pick(r, '증인', '참고인')} {nm(r)}의 진술을 증거로 제출하였다.",
        f"판사  {nm(r)}",
    ])  # fmt: skip


def delivery(r: random.Random) -> str:
    courier = pick(r, "CJ대한통운", "한진택배", "롯데택배", "우체국택배", "로젠택배", "쿠팡")
    driver, d = N(r)
    text = pick(
        r,
        f"[{courier}] {nm(r)} 고객님, 주문하신 상품(운송장 {tracking_no(r)})이 오늘 14~16시 배송 예정입니다. 배송기사 {driver} {mob(r)}",
        f"[{courier}] 고객님의 상품이 배송완료되었습니다. 수령위치: 문 앞 / 송장번호 {tracking_no(r)} / 문의 {mob(r)} ({M(d)} 기사)",
        f"[Web발신]\n[{courier}] 받는분: {nm(r)}\n주소: {addr(r)}\n연락처: {mob(r)}\n주문번호 {order_no(r)}\n{pick(r, '부재 시 경비실 보관', '문 앞에 놓아 주세요')}",
        f"[{courier}] 반품 회수 예정 안내. 회수지: {addr(r)} / 회수기사 {driver} / 접수번호 {tracking_no(r)}",
    )
    return text


def foreigner(r: random.Random) -> str:
    hangul = r.choice(g.FOREIGN_HANGUL)
    latin = r.choice(g.FOREIGN_LATIN)
    style = r.choice(("letter7", "letter8", "two7", "nine", "kr"))
    return "\n".join([
        pick(r, "외국인 근로자 고용 신고서", "체류기간 연장 허가 신청", "외국인 입주자 등록 카드", "유학생 기숙사 입사 신청서"),
        f"성명: {mark('name', latin)}" if r.random() < 0.5 else f"성명(영문): {mark('name', latin.upper())}",
        f"한글 성명: {mark('name', hangul)}   국적: {pick(r, '베트남', '미국', '중국', '몽골', '인도', '필리핀', '우즈베키스탄')}",
        f"외국인등록번호: {mark('frn', g.rrn(r, foreigner=True))}",
        f"{pick(r, '여권번호', '여권 번호', 'Passport No.')}: {mark('passport', g.passport(r, style))}",
        f"체류지: {addr(r)}   연락처: {mob(r)}",
        f"고용주: {r.choice(COMPANIES)} (사업자등록번호 {mark('brn', g.brn(r))})  담당자 {nm(r)}",
        f"{mark('name', hangul)} 씨는 {pick(r, '2023년', '2024년')} 입국하여 {pick(r, '제조업', '농업', '건설업')}에 종사 중임.",
    ])  # fmt: skip


def travel(r: random.Random) -> str:
    surname = r.choice(list(g.ROMAN))
    given = r.choice(g.GIVEN)
    kname = surname + given
    style = pick(r, "kr", "kr", "kr_new", "kr_new")
    return "\n".join([
        f"[{pick(r, '하나투어', '모두투어', '노랑풍선', '여기어때')}] 예약 확정 안내 (예약번호 {pick(r, 'HT', 'MT', 'YP')}{g.digits(r, 8)})",
        f"대표 예약자: {mark('name', kname)} 님 ({mob(r)})",
        f"영문 성명: {mark('name', g.ROMAN[surname] + ' ' + r.choice(g.ROMAN_GIVEN))}   여권번호: {mark('passport', g.passport(r, style))}",
        f"동반자: {nm(r)} / 여권 {mark('passport', g.passport(r, pick(r, 'kr', 'kr_new')))}",
        f"결제카드: {mark('card', g.card(r))}   결제금액 {amount(r)}",
        f"출발: {g.date(r)} 인천 T1 → {pick(r, '다낭', '오사카', '방콕', '세부')}  {pick(r, 'KE', 'OZ', 'LJ', '7C')}{r.randrange(100, 999)}",
        f"{mark('name', kname)} 고객님, 출발 3시간 전까지 공항에 도착해 주세요. {neg(r)}",
    ])  # fmt: skip


def payment(r: random.Random) -> str:
    payer, p = N(r)
    return "\n".join([
        pick(r, "[입출금 알림]", "이체 확인증", "카드 승인 내역"),
        f"{pick(r, '보내는 분', '의뢰인', '카드회원')}: {payer}",
        f"{pick(r, '받는 분', '수취인', '가맹점')}: {pick(r, nm(r), r.choice(COMPANIES))}",
        f"출금계좌: {acct(r)}",
        f"입금계좌: {acct(r)}",
        f"금액: {amount(r)}   수수료: 0원   거래일시: {g.date(r)} {r.randrange(0, 24):02d}:{r.randrange(0, 60):02d}",
        f"승인번호 {g.digits(r, 8)}  카드번호 {mark('card', g.card(r))}" if r.random() < 0.6 else f"거래번호 {g.digits(r, 14)}",
        f"{M(p)} 님 항상 이용해 주셔서 감사합니다. 고객센터 {mark('phone', g.phone(r, 'rep'))}",
    ])  # fmt: skip


def server_log(r: random.Random) -> str:
    lines = []
    for _ in range(r.randrange(3, 6)):
        ip = g.ipv6(r) if r.random() < 0.15 else g.ipv4(r)
        lines.append(
            pick(
                r,
                f"{g.date(r)} {r.randrange(0, 24):02d}:{r.randrange(0, 60):02d}:{r.randrange(0, 60):02d} [WARN] login failed user={g.email(r).split('@')[0]} src={mark('ip', ip)}",
                f'{mark("ip", ip)} - - "GET /api/v2/members/{g.digits(r, 5)} HTTP/1.1" 200 {r.randrange(200, 9000)}',
                f"[INFO] 관리자 {nm(r)} 접속 ({mark('ip', ip)}) 권한 변경: 일반→운영",
                f"[ERROR] smtp send to {mail(r)} failed from {mark('ip', ip)} (agent v{r.randrange(1, 5)}.{r.randrange(0, 20)}.{r.randrange(0, 9)})",
            ),  # fmt: skip
        )
    lines.append(
        pick(
            r,
            "보안 점검 결과 이상 없음.",
            f"차단 조치: 방화벽 정책 #{r.randrange(100, 999)} 적용, 담당 {nm(r)}",
            "버전 3.12.4 배포 완료",
        )
    )
    return "\n".join(lines)


def class_list(r: random.Random) -> str:
    rows = [
        f"{pick(r, '2025학년도', '2024학년도')} {r.randrange(1, 7)}학년 {r.randrange(1, 12)}반 {pick(r, '체험학습 참가자 명단', '학부모 상담 일정', '급식 알레르기 조사')}"
    ]
    rows.append("번호 | 이름 | 보호자 | 연락처")
    for i in range(1, r.randrange(4, 8)):
        rows.append(f"{i} | {nm(r)} | {nm(r)} | {mob(r)}")
    rows.append(f"담임 {nm(r)}  /  교감 {nm(r)}")
    rows.append(neg(r))
    return "\n".join(rows)


def resume(r: random.Random) -> str:
    marked, name = N(r)
    return "\n".join([
        "이 력 서",
        f"성명 {marked}   생년월일 {r.randrange(1975, 2002)}.{r.randrange(1, 13):02d}.{r.randrange(1, 28):02d}",
        f"주소 {addr(r)}",
        f"휴대폰 {mob(r)}  E-mail {mail(r)}",
        "학력  2016.03 ~ 2020.02  한국대학교 정보통신공학과 졸업",
        f"경력  {r.choice(COMPANIES)} {pick(r, '개발팀', '재무팀', '물류팀')} 사원 (2020.03 ~ 2024.12)",
        f"추천인  {pick(r, '전 직장 팀장', '지도교수')} {nm(r)} ({mob(r)})",
        f"자기소개: 저 {M(name)}{josa(name, '은/는')} {pick(r, '정보 보안에 관심이 많습니다.', '지도 서비스 개발 경험이 있습니다.', '이상 탐지 모델을 연구했습니다.')}",
    ])  # fmt: skip


def rental_car(r: random.Random) -> str:
    renter, _ = N(r)
    return "\n".join([
        f"[{pick(r, '롯데렌터카', 'SK렌터카', '쏘카', '그린카')}] 대여 계약서",
        f"임차인: {renter}   생년월일 {r.randrange(60, 99)}{r.randrange(1, 13):02d}{r.randrange(1, 28):02d}",
        f"운전면허번호: {mark('driver_license', g.driver_license(r))}   면허종류: {pick(r, '1종 보통', '2종 보통')}",
        f"제2운전자: {nm(r)}   면허번호 {mark('driver_license', g.driver_license(r))}",
        f"대여차량: {mark('car_plate', g.car_plate(r))} ({pick(r, '아반떼', 'K3', '카니발', '아이오닉5')})",
        f"연락처: {mob(r)}   결제카드: {mark('card', g.card(r))}",
        f"반납지점: {pick(r, '제주공항', '김포공항', '부산역', '광주 송정역')}  {neg(r)}",
    ])  # fmt: skip


def hospital_sms(r: random.Random) -> str:
    return pick(
        r,
        f"[{pick(r, '서울바른', '연세하나', '미소')}정형외과] {nm(r)}님 {g.date(r)} 오전 10:30 진료 예약되었습니다. 변경 문의 {tel(r)}",
        f"[건강검진 안내] {nm(r)} 님, 검진 전날 21시 이후 금식 바랍니다. 건강보험증번호 {mark('health_insurance', g.health_insurance(r))} 확인 후 내원해 주세요.",
        f"[{pick(r, '튼튼', '행복')}소아과] 보호자 {nm(r)}님, 자녀 {nm(r)} 예방접종 예정일은 {g.date(r)}입니다. 문의 {tel(r)}",
        f"[약국] {nm(r)} 님 처방약이 준비되었습니다. {pick(r, '조은약국', '정다운약국', '이음약국')} {tel(r)} / {addr(r, detail=False)}",
    )


def email_thread(r: random.Random) -> str:
    sender, s = N(r)
    return "\n".join([
        f"From: {sender} <{mail(r)}>",
        f"To: {nm(r)} <{mail(r, pick(r, 'hanbit.co.kr', 'saerom.com'))}>",
        f"Subject: {pick(r, 'RE: 견적서 송부', '회의록 공유', '계약서 검토 요청', '[긴급] 서버 점검')}",
        "",
        f"{nm(r)} {pick(r, '과장님', '대리님', '팀장님', '님')}, 안녕하세요.",
        f"{pick(r, '요청하신 견적서 첨부드립니다.', '어제 회의 내용 정리했습니다.', '계약서 초안 검토 부탁드립니다.')} {neg(r)}",
        f"추가로 {nm(r)} {pick(r, '부장님', '책임님')}께도 공유 부탁드립니다.",
        "",
        "감사합니다.",
        f"{M(s)} 드림",
        f"{r.choice(COMPANIES)} {pick(r, '영업팀', '구매팀', '법무팀')} | M. {mob(r)} | T. {tel(r)}",
        f"{addr(r, detail=False)}",
    ])  # fmt: skip


def minutes(r: random.Random) -> str:
    attendees = ", ".join(
        f"{nm(r)} {pick(r, '팀장', '주무관', '책임', '선임', '대리')}" for _ in range(r.randrange(3, 6))
    )
    foreign = r.choice(g.FOREIGN_HANGUL)
    return "\n".join([
        f"회의록 ({g.date(r)} 14:00, {pick(r, '본관 3층 대회의실', '화상회의', '강남 사무실')})",
        f"참석자: {attendees}, {mark('name', foreign)}(외부 자문)",
        f"작성자: {nm(r)}",
        f"1. {pick(r, '개인정보 처리방침 개정안 검토', '정보시스템 이중화 일정', '지도 서비스 제휴 건')}",
        f"  - {np_(r, '이/가')} 초안을 설명하고 {np_(r, '이/가')} 보완 의견을 제시함.",
        f"  - {mark('name', foreign)} 자문위원은 {pick(r, '해외 사례를', '보안 인증 현황을')} 공유함.",
        f"2. 다음 회의: {g.date(r)}  {neg(r)}",
    ])  # fmt: skip


def business_cert(r: random.Random) -> str:
    return "\n".join([
        "사업자등록증 (법인사업자)",
        f"등록번호: {mark('brn', g.brn(r))}",
        f"법인명(단체명): {r.choice(COMPANIES)}",
        f"대 표 자: {nm(r)}",
        f"개업연월일: {g.date(r, 2005, 2024)}   법인등록번호: {g.corporate_number(r)}",
        f"사업장 소재지: {addr(r)}",
        f"본점 소재지: {addr(r, detail=False)}",
        f"업태: {pick(r, '도소매', '서비스', '제조')}   종목: {pick(r, '소프트웨어 개발', '식품 유통', '건설')}",
        f"{pick(r, '서초', '분당', '해운대', '수성')}세무서장",
    ])  # fmt: skip


def shopping(r: random.Random) -> str:
    return "\n".join([
        f"주문 완료 - 주문번호 {order_no(r)}",
        f"받는 사람: {nm(r)}",
        f"배송지: ({r.randrange(10000, 63999)}) {addr(r)}",
        f"휴대폰: {mob(r)}" + (f"  /  안심번호 {mark('phone', '0504-' + g.digits(r, 4) + '-' + g.digits(r, 4))}" if r.random() < 0.3 else ""),
        f"배송 메모: {pick(r, '문 앞에 두세요', '경비실에 맡겨 주세요', '부재 시 연락 바랍니다')}",
        f"결제: {pick(r, '신용카드', '체크카드')} {mark('card', g.card(r))} / 일시불 / {amount(r)}",
        f"상품: {pick(r, '김치 5kg', '정관장 홍삼정', '박스테이프 10개', '최고급 한우 세트', '이불 세트')} 외 {r.randrange(1, 4)}건",
    ])  # fmt: skip


def secondhand(r: random.Random) -> str:
    seller = nm(r)
    return pick(
        r,
        f"[중고거래] {pick(r, '아이폰 15 팝니다', '유모차 판매', '캠핑 의자 2개')}\n직거래: {pick(r, '강남역', '정자역', '서면역')} 근처\n택배 거래 시 {acct(r)} ({seller}) 입금 후 발송합니다.\n문의 {mob(r)}",
        f"[당근] 판매자 {seller} 님: 안녕하세요~ 거래 장소는 {addr(r, detail=False)} 앞 어떠세요? 연락 주세요 {mob(r)}",
        f"[동호회 공지] 회비 2만원은 총무 {seller}에게 {acct(r)} 으로 입금해 주세요. {neg(r)}",
    )


def health_insurance_cert(r: random.Random) -> str:
    holder, h = N(r)
    return "\n".join([
        "건강보험 자격득실 확인서",
        f"성명: {holder}   주민등록번호: {mark('rrn', g.rrn(r))}",
        f"건강보험증번호: {mark('health_insurance', g.health_insurance(r))}",
        f"사업장명칭: {r.choice(COMPANIES)}   사업장관리번호: {g.digits(r, 11)}",
        f"피부양자: {nm(r)} ({pick(r, '배우자', '자녀', '부모')})",
        f"발급일: {g.date(r)}   국민건강보험공단 {pick(r, '서울강남지사', '부산동래지사', '대구수성지사')} {mark('phone', '1577-1000')}",
        f"{M(h)} 님의 자격 취득일은 {g.date(r, 2010, 2024)}입니다.",
    ])  # fmt: skip


def parking(r: random.Random) -> str:
    rows = [f"[주차 위반 차량 통보] {pick(r, '지하 2층', '지상 주차장', '방문자 주차구역')}"]
    for _ in range(r.randrange(2, 5)):
        rows.append(
            f"- {mark('car_plate', g.car_plate(r))}  {r.randrange(101, 130)}동 앞  {pick(r, '이중주차', '장애인구역', '소방차 전용구역')}"
        )
    rows.append(f"차주분은 관리사무소({tel(r)})로 연락 바랍니다. 담당 {nm(r)}")
    return "\n".join(rows)


def driving_school(r: random.Random) -> str:
    return "\n".join([
        f"운전면허 {pick(r, '적성검사', '갱신', '재발급')} 신청서",
        f"성명 {nm(r)}   주민등록번호 {mark('rrn', g.rrn(r))}",
        f"면허번호 {mark('driver_license', g.driver_license(r, 'region'))}" if r.random() < 0.5 else f"면허번호 {mark('driver_license', g.driver_license(r, 'numeric'))}",
        f"주소 {addr(r)}",
        f"전화 {mob(r)}",
        f"{pick(r, '서울강남', '서울서부', '부산남부', '대구', '광주')}운전면허시험장장 귀하",
    ])  # fmt: skip


def news_negative(r: random.Random) -> str:
    """Negatives only: companies, places, surname-initial words, corporate numbers, order numbers."""
    return "\n".join([
        f"{pick(r, '[경제]', '[지역]', '[사회]')} {r.choice(COMPANIES)}, {pick(r, '강남', '판교', '송도', '해운대')}에 신사옥 착공",
        f"{r.choice(COMPANIES)}(법인등록번호 {g.corporate_number(r)})는 {g.date(r)} 이사회를 열어 "
        f"{pick(r, '정보보호 투자', '지도 플랫폼 인수', '김치 수출 확대')} 계획을 의결했다고 밝혔다.",
        f"회사 관계자는 \"{neg(r)}\"고 말했다. {neg(r)}",
        f"주문번호 {order_no(r)} / 운송장 {tracking_no(r)} 조회는 고객센터에서 가능하다.",
        f"{pick(r, '서울', '부산', '대구', '광주', '대전')} {r.randrange(2, 9)}공장 {r.randrange(1, 5)}라인은 정상 가동 중이다.",
        f"버전 {r.randrange(1, 5)}.{r.randrange(0, 30)}.{r.randrange(0, 9)} 업데이트, 문서번호 {g.digits(r, 3)}-{g.digits(r, 2)}-{g.digits(r, 4)}호",
    ])  # fmt: skip


def notice_negative(r: random.Random) -> str:
    return "\n".join([
        f"{pick(r, '강남구민회관', '정동극장', '이태원 문화센터', '조치원 복합커뮤니티센터')} 프로그램 안내",
        neg(r, 3),
        f"운영시간 09:00~18:00 / 휴관일 매주 월요일 / 장소 {pick(r, '2층 강당', '신관 지하 1층')}",
        f"접수번호 {g.digits(r, 4)}-{g.digits(r, 6)}, 참가비 {amount(r)}",
        pick(r, "상기 일정은 사정에 따라 변경될 수 있습니다.", "정보 공개 청구는 민원실로.", "김장 나눔 행사는 12월 첫째 주입니다."),
    ])  # fmt: skip


def survey(r: random.Random) -> str:
    name, n = N(r)
    return "\n".join([
        f"{pick(r, '만족도 조사', '경품 응모', '이벤트 당첨자 정보 입력')}",
        f"이름: {name}",
        f"성별: {pick(r, '남', '여')}   연령대: {r.randrange(2, 7)}0대",
        f"휴대폰 번호: {mob(r)}",
        f"이메일 주소: {mail(r)}",
        f"경품 수령 주소: {addr(r)}",
        f"추천인: {pick(r, nm(r), '없음')}",
        f"개인정보 수집·이용에 동의합니다. ({M(n)})",
    ])  # fmt: skip


def condolence(r: random.Random) -> str:
    deceased, d = N(r)
    return "\n".join([
        "[부고]",
        f"{pick(r, '영업본부', '기술연구소', '총무팀')} {nm(r)} {pick(r, '부장', '차장', '과장')}님의 {pick(r, '부친', '모친', '빙부', '빙모')} 故 {deceased}님께서 별세하셨기에 알려드립니다.",
        f"빈소: {pick(r, '서울아산병원', '삼성서울병원', '부산대학교병원', '분당서울대병원')} 장례식장 {r.randrange(1, 30)}호실",
        f"발인: {g.date(r)} 오전 {r.randrange(5, 10)}시",
        f"상주: {nm(r)}, {nm(r)}",
        f"마음 전하실 곳: {acct(r)} ({nm(r)})",
        f"故 {M(d)}님의 명복을 빕니다.",
    ])  # fmt: skip


def wire_fraud(r: random.Random) -> str:
    return "\n".join([
        "[보이스피싱 피해 구제 신청서]",
        f"신청인: {nm(r)}   연락처: {mob(r)}   주민등록번호: {mark('rrn', g.rrn(r))}",
        f"피해금 송금 계좌: {acct(r)}",
        f"사기범 사용 계좌: {acct(r, pick(r, '대구은행', '농협', 'iM뱅크', '새마을금고'))} (예금주 {nm(r)})",
        f"사기범 연락처: {mob(r)} / {mark('phone', g.phone(r, '070'))}",
        f"사칭 기관: {pick(r, '서울중앙지검', '금융감독원', '국민건강보험공단')} {nm(r)} {pick(r, '검사', '수사관', '과장')}",
        f"접속 IP(원격제어 앱): {mark('ip', g.ipv4(r))}",
    ])  # fmt: skip


def gov_list(r: random.Random) -> str:
    rows = [
        f"{pick(r, '2025년 청년 월세 지원 대상자', '긴급 생계비 지원 결정자', '경로당 급식 도우미 명단')} (총 {r.randrange(3, 6)}명)"
    ]
    rows.append("연번  성명  생년월일  주소  연락처")
    for i in range(1, r.randrange(3, 6)):
        rows.append(
            f"{i}  {nm(r)}  {r.randrange(50, 99)}.{r.randrange(1, 13):02d}.{r.randrange(1, 28):02d}  {addr(r)}  {mob(r)}"
        )
    rows.append(f"※ {neg(r)}")
    return "\n".join(rows)


def interview(r: random.Random) -> str:
    a, an = N(r)
    b, bn = N(r)
    return "\n".join([
        f"[녹취록] {g.date(r)} 상담 기록",
        f"상담원 {a}: 안녕하세요, 본인 확인을 위해 성함과 생년월일 말씀해 주시겠어요?",
        f"고객: 네, {b}{pick(r, josa(bn, '이고요/고요'), '입니다', josa(bn, '이에요/예요'))}. {r.randrange(60, 99)}년 {r.randrange(1, 13)}월생이에요.",
        f"상담원 {mark('name', an)}: {mark('name', bn)} 고객님, 등록된 번호가 {mob(r)} 맞으신가요?",
        f"고객: 아니요, 지금은 {mob(r)}{pick(r, '로', '으로')} 바뀌었어요. 이메일은 {mail(r)}이에요.",
        f"상담원 {mark('name', an)}: 변경해 드렸습니다. {neg(r)}",
    ])  # fmt: skip


def ipv_report(r: random.Random) -> str:
    return "\n".join([
        "개인정보 유출 신고서",
        f"신고 기관: {r.choice(COMPANIES)} (사업자등록번호 {mark('brn', g.brn(r, hyphen=r.random() < 0.8))})",
        f"개인정보 보호책임자: {nm(r)} ({mail(r, pick(r, 'hanbit.co.kr', 'saerom.com'))}, {tel(r)})",
        f"유출 경로: 관리자 계정 탈취, 공격지 IP {mark('ip', g.ipv4(r))}, {mark('ip', g.ipv6(r) if r.random() < 0.3 else g.ipv4(r))}",
        f"유출 항목: 성명, 연락처, 주소 (약 {r.randrange(100, 90000):,}건)",
        f"예시 레코드: {nm(r)} / {mob(r)} / {addr(r, detail=False)}",
        f"조치: 비밀번호 초기화, 접근통제 강화. {neg(r)}",
    ])  # fmt: skip


def foreign_patient(r: random.Random) -> str:
    hangul = r.choice(g.FOREIGN_HANGUL)
    return "\n".join([
        f"외래 초진 기록지 ({pick(r, '국제진료센터', '가정의학과', '내과')})",
        pick(r, f"환자: {mark('name', hangul)} / {pick(r, 'M', 'F')}", f"Patient: {mark('name', r.choice(g.FOREIGN_LATIN))} ({mark('name', hangul)})"),
        f"외국인등록번호: {mark('frn', g.rrn(r, foreigner=True, hyphen=r.random() < 0.8))}",
        f"건강보험증번호: {mark('health_insurance', g.health_insurance(r))}" if r.random() < 0.6 else f"여권번호: {mark('passport', g.passport(r, r.choice(('letter7', 'letter8', 'two7', 'nine'))))}",
        f"통역: {pick(r, '베트남어', '중국어', '영어', '몽골어')} 통역사 {nm(r)} ({mob(r)})",
        f"주소: {addr(r)}",
        f"{mark('name', hangul)} 님은 {pick(r, '3일 전부터 복통으로', '손가락 열상으로', '고열로')} 내원함. 담당의 {nm(r)}",
    ])  # fmt: skip


def immigration(r: random.Random) -> str:
    rows = [
        f"{pick(r, '출입국·외국인청', '출입국·외국인사무소')} 체류자 명단 ({pick(r, '계절근로', '유학', '결혼이민')})"
    ]
    rows.append("성명 | 국적 | 외국인등록번호 | 여권번호")
    for _ in range(r.randrange(2, 5)):
        name = r.choice(g.FOREIGN_LATIN).upper() if r.random() < 0.5 else r.choice(g.FOREIGN_HANGUL)
        rows.append(
            f"{mark('name', name)} | {pick(r, 'VNM', 'CHN', 'PHL', 'MNG', 'UZB', 'USA')} | "
            f"{mark('frn', g.rrn(r, foreigner=True))} | {mark('passport', g.passport(r, r.choice(('letter7', 'letter8', 'two7', 'nine'))))}"
        )
    rows.append(f"확인자: {pick(r, '출입국관리주사', '사증발급 담당')} {nm(r)}  {tel(r)}")
    return "\n".join(rows)


def hotel(r: random.Random) -> str:
    latin = r.choice(g.FOREIGN_LATIN) if r.random() < 0.5 else g.roman_name(r)
    return "\n".join([
        f"[{pick(r, '롯데호텔', '신라스테이', '조선 팰리스', '해운대 그랜드호텔')}] Check-in Record",
        f"Guest Name: {mark('name', latin)}",
        f"투숙객 성명: {mark('name', r.choice(g.FOREIGN_HANGUL))}" if r.random() < 0.5 else f"동반 투숙객: {nm(r)}",
        f"Passport No.: {mark('passport', g.passport(r, r.choice(('kr', 'kr_new', 'letter8', 'two7', 'nine'))))}",
        f"E-mail: {mail(r, 'gmail.com')}   Tel: {mark('phone', '+82 10-' + g.digits(r, 4) + '-' + g.digits(r, 4))}",
        f"Card on file: {mark('card', g.card(r))}   Room {r.randrange(3, 30)}{r.randrange(1, 40):02d}",
        f"Front desk: {nm(r)}   {neg(r)}",
    ])  # fmt: skip


FIXED = (
    f"주무관 {M('박선영')}  과장 전결 {M('김도현')}\n협조자 정보통신과장 {M('이상훈')}",
    f"{M('최영기')} 관리소장 드림\n관리소장  {M('최영기')}  사무실 {mark('phone', '02-2648-1190')}  팩스 {mark('phone', '02-2648-1191')}",
    f"환자: {M('이성호')} / M / 62세\n주호소: 상기 환자 흉통으로 내원. 정보 제공 동의서 받음.",
    f"피해자: {M('문선영')} (여, 41세)\n피해 장소: 강남 지하상가 3번 출구 앞",
    f"○ 소유자: {M('강민서')}\n○ 차량번호: {mark('car_plate', '52머 4471')}\n○ 주소: 광주 (세부 주소 미기재)",
    f"지도교수: {M('정명훈')}\n연구실: 공학관 412호  지도 학생 3명",
    f"피고 주식회사 이음물류 (법인등록번호 110111-7382014)\n대표이사 {M('조현우')}",
    f"환불 계좌: 대구은행 {mark('account', '508-10-238847-2')} (예금주 {M('배수정')})\n"
    f"예비 계좌: 농협 {mark('account', '217-02-119804-5')}",
    f"여권번호: {mark('passport', 'C8842019')}\n동반자 여권번호: {mark('passport', 'B72184905')}\n"
    f"신여권: {mark('passport', 'M123A4567')}  구여권: {mark('passport', 'M12345678')}",
    f"운전면허번호: {mark('driver_license', '부산 11-482913-57')}\n"
    f"(구) 면허번호: {mark('driver_license', '11-12-345678-90')}",
    f"성명: {mark('name', 'John Smith')}\n국적: 미국\n담당: {M('존 스미스')} 씨의 통역은 {M('응우옌 반 안')} 님과 {M('왕웨이')} 님이 맡음.",
    "사무실 이전 안내: 강남구 신사옥으로 이전합니다. 이상 없음. 김치 공동구매, 정보 보안 교육, 상기 일정 참고.\n"
    "주문번호 20250311-0048812 / 운송장번호 684512397021 / 주소: 광주",
)


GENRES: dict[str, Callable[[random.Random], str]] = {
    f.__name__: f
    for f in (
        memo, apartment, medical, police, insurance, vehicle_record, university, chat, ticket, hr, contract, court,
        delivery, foreigner, travel, payment, server_log, class_list, resume, rental_car, hospital_sms,
        email_thread, minutes, business_cert, shopping, secondhand, health_insurance_cert, parking,
        driving_school, news_negative, notice_negative, survey, condolence, wire_fraud, gov_list, interview,
        ipv_report, foreign_patient, immigration, hotel,
    )
}  # fmt: skip


def check_value(kind: str, value: str) -> None:
    """Identifiers with a public check digit must pass it (python-stdnum when installed)."""
    try:
        from stdnum import luhn
        from stdnum.kr import brn, rrn
    except ImportError:
        return
    if kind in ("rrn", "frn"):
        digits = value.replace("-", "")
        weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
        assert (
            int(digits[12]) == (11 - sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11) % 10
        )
        if kind == "rrn":
            assert rrn.is_valid(value), value
    elif kind == "brn":
        assert brn.is_valid(value), value
    elif kind == "card":
        assert luhn.is_valid(value.replace("-", "").replace(" ", "")), value


def row(doc_id: str, marked: str) -> dict[str, Any]:
    text, spans = unmark(marked)
    return {
        "id": doc_id,
        "text": text,
        "spans": [{"start": sp.start, "end": sp.end, "type": sp.type} for sp in spans],
    }


def build(seed: int, per_genre: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs = [
        row(f"{genre}-{i:03d}", template(rng)) for genre, template in GENRES.items() for i in range(per_genre)
    ]
    # the brief's own examples, each followed by a random line
    docs += [row(f"brief_examples-{i:03d}", fixed + "\n" + neg(rng)) for i, fixed in enumerate(FIXED)]
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--per-genre", type=int, default=12)
    parser.add_argument("--out", type=Path, default=HERE / "documents.jsonl")
    args = parser.parse_args()
    docs = build(args.seed, args.per_genre)
    with args.out.open("w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    counts = Counter(s["type"] for d in docs for s in d["spans"])
    print(json.dumps({"docs": len(docs), "spans": dict(sorted(counts.items()))}, ensure_ascii=False))


if __name__ == "__main__":
    main()
