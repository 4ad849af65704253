"""Value generators for the independent corpus: names, addresses and identifiers.

Written from public format descriptions only (not from jikimi's detector). Identifiers
that have a public check digit get a valid one: 주민등록번호 and 외국인등록번호 (weights
2..9,2..5, check = (11 - sum % 11) % 10), 사업자등록번호 (weights 1,3,7,1,3,7,1,3,5 plus
the carry of the ninth digit), 법인등록번호 (weights 1,2,... , check = (10 - sum % 10) % 10)
and card numbers (Luhn). ``make.py`` checks them again with python-stdnum.
"""

# ruff: noqa: E501  (template lines read better unbroken: each is one line of a document)

from __future__ import annotations

import random
import string

SURNAMES = (
    "김" * 20
    + "이" * 14
    + "박" * 8
    + "최" * 5
    + "정" * 5
    + "강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성"
    "차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉"
)
COMPOUND_SURNAMES = ("남궁", "황보", "제갈", "선우", "독고")
GIVEN = (
    "민준 서준 도윤 예준 시우 하준 주원 지호 지후 준서 준우 현우 도현 지훈 건우 우진 선우 서진 민재 현준 연우 "
    "유준 정우 승우 승현 시윤 준혁 은우 지환 승민 지우 유찬 윤우 민성 준영 시후 진우 지원 수호 재윤 "
    "서연 서윤 지우 서현 민서 하은 하윤 윤서 지유 지민 채원 지윤 은서 수아 다은 예은 지아 수빈 소율 예린 "
    "예원 지원 소윤 지안 하린 시은 유진 채은 가은 윤아 선영 영희 미경 정희 은주 현숙 경숙 순자 영숙 미숙 "
    "성호 영기 도현 명훈 재훈 상철 영수 동욱 병철 기현 태호 정민 혜진 수정 은정 민정 지혜 보람 슬기 "
    "다인 나연 아름 한결 새롬 하늘 두리 초롱 빛나 이슬 재석 종국 광수 석진 태형 정국 남준 윤기 호석 "
    "경자 말순 옥순 춘자 봉수 만석 길동 덕배 용팔 순이 혜원 소연 서영 재원 승연 예지 유나 진영 주연"
).split()
SINGLE_GIVEN = "현 준 민 훈 진 혁 솔 결 웅 철 숙 희 환".split()
FOREIGN_HANGUL = (
    "존 스미스",
    "응우옌 반 안",
    "왕웨이",
    "마이클 브라운",
    "사라 존슨",
    "다나카 유키",
    "쩐 티 흐엉",
    "알리 하산",
    "리우양",
    "니콜라이 이바노프",
    "마리아 가르시아",
    "제임스 윌슨",
    "에밀리 데이비스",
    "응우옌 티 란",
    "장웨이",
    "사토 하루토",
    "바트바야르 투멘",
    "라훌 샤르마",
    "안나 콜레스니코바",
    "다니엘 리",
    "레 반 꾸엉",
    "후안 로드리게스",
    "아흐마드 칸",
    "스즈키 아이",
)
FOREIGN_LATIN = (
    "John Smith",
    "Nguyen Van An",
    "Wang Wei",
    "Michael Brown",
    "Sarah Johnson",
    "Tanaka Yuki",
    "Tran Thi Huong",
    "Ali Hassan",
    "Maria Garcia",
    "James Wilson",
    "Emily Davis",
    "Rahul Sharma",
    "Anna Kolesnikova",
    "Batbayar Tumen",
    "Juan Rodriguez",
    "Olivia Martin",
    "Le Van Cuong",
    "Zhang Min",
)
ROMAN = {
    "김": "KIM",
    "이": "LEE",
    "박": "PARK",
    "최": "CHOI",
    "정": "JUNG",
    "강": "KANG",
    "조": "CHO",
    "윤": "YOON",
    "장": "JANG",
    "임": "LIM",
    "한": "HAN",
    "오": "OH",
    "서": "SEO",
    "신": "SHIN",
}
ROMAN_GIVEN = ("MINJUN", "SEOYEON", "JIHOON", "HAEUN", "DOHYUN", "YUNA", "SUNGHO", "JIWOO", "EUNJI", "TAEHO")

CITIES: dict[str, tuple[str, ...]] = {
    "서울특별시": (
        "강남구",
        "서초구",
        "마포구",
        "종로구",
        "송파구",
        "노원구",
        "관악구",
        "영등포구",
        "성북구",
        "은평구",
    ),
    "부산광역시": ("해운대구", "수영구", "부산진구", "사하구", "동래구"),
    "대구광역시": ("수성구", "달서구", "중구", "북구"),
    "인천광역시": ("연수구", "남동구", "부평구", "미추홀구"),
    "광주광역시": ("북구", "서구", "광산구", "남구"),
    "대전광역시": ("유성구", "서구", "대덕구"),
    "울산광역시": ("남구", "중구", "울주군"),
    "세종특별자치시": ("",),
    "경기도": (
        "수원시 영통구",
        "성남시 분당구",
        "고양시 일산동구",
        "용인시 수지구",
        "화성시",
        "안양시 동안구",
        "파주시",
    ),
    "강원특별자치도": ("춘천시", "원주시", "강릉시"),
    "충청북도": ("청주시 흥덕구", "충주시"),
    "충청남도": ("천안시 서북구", "아산시"),
    "전북특별자치도": ("전주시 완산구", "군산시"),
    "전라남도": ("여수시", "순천시", "목포시"),
    "경상북도": ("포항시 남구", "경주시", "구미시"),
    "경상남도": ("창원시 의창구", "김해시", "진주시"),
    "제주특별자치도": ("제주시", "서귀포시"),
}
SHORT = {
    "서울특별시": "서울",
    "부산광역시": "부산",
    "대구광역시": "대구",
    "인천광역시": "인천",
    "광주광역시": "광주",
    "대전광역시": "대전",
    "울산광역시": "울산",
    "세종특별자치시": "세종",
    "경기도": "경기",
    "강원특별자치도": "강원",
    "충청북도": "충북",
    "충청남도": "충남",
    "전북특별자치도": "전북",
    "전라남도": "전남",
    "경상북도": "경북",
    "경상남도": "경남",
    "제주특별자치도": "제주",
}
ROADS = (
    "테헤란로 세종대로 월드컵북로 중앙대로 광교로 판교역로 해운대로 달구벌대로 구암로 둔산로 한밭대로 충장로 "
    "동서대로 원당로 백범로 도산대로 올림픽로 중앙로 번영로 시청로 가람로 새말로 은행나무길 매봉로 솔샘로 "
    "문화로 희망대로 복지로 학동로 봉은사로 양재대로 경수대로 신촌로 수영로 범어로"
).split()
DONGS = (
    "역삼동 서교동 우동 범어동 둔산동 정자동 광교동 상무동 송도동 연산동 삼산동 봉명동 노형동 금암동".split()
)
APTS = (
    "래미안",
    "자이",
    "푸르지오",
    "e편한세상",
    "힐스테이트",
    "아이파크",
    "더샵",
    "롯데캐슬",
    "한신",
    "주공",
)
BANKS_FORMATS = {
    "국민은행": ("6-2-6", "3-2-4-3"),
    "KB국민은행": ("6-2-6",),
    "신한은행": ("3-3-6",),
    "우리은행": ("4-3-6",),
    "하나은행": ("3-6-5",),
    "농협": ("3-4-4-2", "3-2-6-1"),
    "NH농협은행": ("3-4-4-2",),
    "IBK기업은행": ("3-6-2-3",),
    "대구은행": ("3-2-6-1",),
    "iM뱅크": ("3-2-6-1",),
    "부산은행": ("3-4-4-2",),
    "카카오뱅크": ("4-2-7",),
    "토스뱅크": ("4-4-4",),
    "우체국": ("6-2-6",),
    "SC제일은행": ("3-2-6",),
    "새마을금고": ("4-2-6-1",),
}
PLATE_HANGUL = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주"
PLATE_COMMERCIAL = "바사아자"
PLATE_RENTAL = "하허호"
LICENCE_REGIONS = {
    "서울": 11,
    "부산": 12,
    "경기": 13,
    "강원": 14,
    "충북": 15,
    "충남": 16,
    "전북": 17,
    "전남": 18,
    "경북": 19,
    "경남": 20,
    "제주": 21,
    "대구": 22,
    "인천": 23,
    "광주": 24,
    "대전": 25,
    "울산": 26,
}
EMAIL_DOMAINS = ("naver.com", "gmail.com", "daum.net", "hanmail.net", "kakao.com", "nate.com", "outlook.kr")
ROMAN_SYLL = "min jun seo yeon ji hoon ha eun do hyun yu na sung ho woo tae kyung mi jin soo".split()


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def korean_name(rng: random.Random) -> str:
    if rng.random() < 0.04:
        return rng.choice(COMPOUND_SURNAMES) + rng.choice(GIVEN)
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.06:
        return surname + rng.choice(SINGLE_GIVEN)
    return surname + rng.choice(GIVEN)


def roman_name(rng: random.Random) -> str:
    surname = rng.choice(list(ROMAN.values()))
    return (
        f"{surname} {rng.choice(ROMAN_GIVEN)}"
        if rng.random() < 0.5
        else f"{rng.choice(ROMAN_GIVEN).title()} {surname.title()}"
    )


def _birth(rng: random.Random, lo: int = 1940, hi: int = 2019) -> tuple[int, int, int]:
    return rng.randrange(lo, hi + 1), rng.randrange(1, 13), rng.randrange(1, 29)


def _rrn_check(first12: str) -> str:
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    return str((11 - sum(int(d) * w for d, w in zip(first12, weights, strict=True)) % 11) % 10)


def rrn(rng: random.Random, foreigner: bool = False, hyphen: bool = True) -> str:
    year, month, day = _birth(rng, 1945 if not foreigner else 1960, 2019)
    if foreigner:
        gender = rng.choice("56") if year < 2000 else rng.choice("78")
    else:
        gender = rng.choice("12") if year < 2000 else rng.choice("34")
    place = f"{rng.randrange(0, 96):02d}"
    if foreigner and int(place) % 2:  # the registration office of an FRN is even
        place = f"{int(place) - 1:02d}"
    body = f"{year % 100:02d}{month:02d}{day:02d}{gender}{place}{digits(rng, 2)}{rng.choice('6789') if foreigner else rng.choice(string.digits)}"
    number = body + _rrn_check(body)
    return f"{number[:6]}-{number[6:]}" if hyphen else number


def corporate_number(rng: random.Random) -> str:
    """법인등록번호: 4-digit registry office, 2-digit kind, 6-digit serial, check digit."""
    body = (
        rng.choice(("1101", "1301", "1346", "1201", "1701", "2801"))
        + rng.choice(("11", "71", "81", "12"))
        + digits(rng, 6)
    )
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(body)) % 10) % 10
    number = body + str(check)
    return f"{number[:6]}-{number[6:]}"


def brn(rng: random.Random, hyphen: bool = True) -> str:
    body = f"{rng.randrange(101, 899)}{rng.choice(('81', '86', '87', '88', '01', '05', '13', '21', '30', '42'))}{digits(rng, 4)}"
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True)) + int(body[8]) * 5 // 10
    number = body + str((10 - total % 10) % 10)
    return f"{number[:3]}-{number[3:5]}-{number[5:]}" if hyphen else number


def luhn_complete(body: str) -> str:
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            n -= 9 if n > 9 else 0
        total += n
    return body + str((10 - total % 10) % 10)


def card(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:  # American Express, 15 digits, 4-6-5
        number = luhn_complete(rng.choice(("34", "37")) + digits(rng, 12))
        return f"{number[:4]}-{number[4:10]}-{number[10:]}"
    prefix = rng.choice(("4", "5" + rng.choice("12345"), "9410", "9490", "3560", "6253", "4579", "5243"))
    number = luhn_complete(prefix + digits(rng, 15 - len(prefix)))
    sep = rng.choice(("-", "-", "-", " ", ""))
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def phone(rng: random.Random, kind: str = "mobile") -> str:
    if kind == "mobile":
        first, mid = "010", str(rng.randrange(2000, 10000))
        if rng.random() < 0.1:
            return f"+82 10-{mid}-{digits(rng, 4)}"
        sep = rng.choice(("-", "-", "-", "-", " ", ".", ""))
        return f"{first}{sep}{mid}{sep}{digits(rng, 4)}"
    if kind == "seoul":
        return f"02-{rng.randrange(200, 9999)}-{digits(rng, 4)}"
    if kind == "area":
        area = rng.choice(
            (
                "031",
                "032",
                "051",
                "053",
                "062",
                "042",
                "052",
                "044",
                "033",
                "043",
                "041",
                "063",
                "061",
                "054",
                "055",
                "064",
            )
        )
        return f"{area}-{rng.randrange(200, 999)}-{digits(rng, 4)}"
    if kind == "070":
        return f"070-{digits(rng, 4)}-{digits(rng, 4)}"
    return f"{rng.choice(('1588', '1577', '1544', '1661', '1600', '1899'))}-{digits(rng, 4)}"


def landline(rng: random.Random) -> str:
    return phone(rng, rng.choice(("seoul", "area", "area", "070")))


def email(rng: random.Random, domain: str | None = None) -> str:
    user = "".join(rng.choice(ROMAN_SYLL) for _ in range(rng.randrange(1, 3)))
    user += rng.choice(
        ("", "", str(rng.randrange(1, 99)), f".{rng.choice(ROMAN_SYLL)}", "_" + rng.choice(ROMAN_SYLL))
    )
    return f"{user}@{domain or rng.choice(EMAIL_DOMAINS)}"


def ipv4(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return f"192.168.{rng.randrange(0, 20)}.{rng.randrange(2, 255)}"
    if r < 0.45:
        return f"10.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}"
    return f"{rng.choice((211, 203, 121, 175, 118, 58, 61, 222, 112, 39))}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}"


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randrange(0, 65536):x}" for _ in range(4)]
    return "2001:" + rng.choice(("db8", "2d8", "e60")) + ":" + ":".join(groups[:2]) + "::" + groups[2]


def account(rng: random.Random, bank: str | None = None) -> tuple[str, str]:
    bank = bank or rng.choice(list(BANKS_FORMATS))
    shape = rng.choice(BANKS_FORMATS[bank])
    parts = [digits(rng, int(n)) for n in shape.split("-")]
    if shape == "3-2-6-1" and bank in ("농협",):
        parts[1] = rng.choice(("02", "12", "01"))
    if bank == "카카오뱅크":
        parts[0] = "3333"
    if bank == "토스뱅크":
        parts[0] = "1000"
    if bank == "우리은행":
        parts[0] = "1002"
    return bank, "-".join(parts)


def passport(rng: random.Random, style: str = "kr") -> str:
    letter = rng.choice("MMMMSRGDT")
    if style == "kr":
        return f"{letter}{digits(rng, 8)}"
    if style == "kr_new":
        return f"{letter}{digits(rng, 3)}{rng.choice(string.ascii_uppercase)}{digits(rng, 4)}"
    if style == "letter7":
        return f"{rng.choice('CEGKLNPX')}{digits(rng, 7)}"
    if style == "letter8":
        return f"{rng.choice('BCEGKNPT')}{digits(rng, 8)}"
    if style == "two7":
        return f"{rng.choice(('EA', 'EB', 'PA', 'PE', 'TR', 'CB'))}{digits(rng, 7)}"
    return f"{rng.randrange(1, 9)}{digits(rng, 8)}"  # nine digits (e.g. United States)


def driver_license(rng: random.Random, style: str | None = None) -> str:
    style = style or rng.choice(("numeric", "numeric", "region"))
    region = rng.choice(list(LICENCE_REGIONS))
    year = f"{rng.randrange(0, 25):02d}" if rng.random() < 0.6 else f"{rng.randrange(85, 100)}"
    tail = f"{digits(rng, 6)}-{digits(rng, 2)}"
    if style == "region":
        return f"{region} {year}-{tail}" if rng.random() < 0.8 else f"{region}{year}-{tail}"
    return (
        f"{LICENCE_REGIONS[region]}-{year}-{tail}"
        if rng.random() < 0.9
        else f"{LICENCE_REGIONS[region]}{year}{tail.replace('-', '')}"
    )


def health_insurance(rng: random.Random) -> str:
    number = rng.choice("12345678") + digits(rng, 10)
    return number if rng.random() < 0.6 else f"{number[0]}-{number[1:]}"


def car_plate(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        syll = rng.choice(PLATE_HANGUL)
        front = f"{rng.randrange(10, 99)}" if rng.random() < 0.5 else f"{rng.randrange(100, 699)}"
    elif r < 0.75:
        syll, front = rng.choice(PLATE_RENTAL), f"{rng.randrange(10, 99)}"
    elif r < 0.9:
        syll, front = rng.choice(PLATE_COMMERCIAL), f"{rng.randrange(70, 99)}"
        region = rng.choice(list(SHORT.values()))
        return (
            f"{region} {front}{syll} {digits(rng, 4)}"
            if rng.random() < 0.5
            else f"{region}{front}{syll}{digits(rng, 4)}"
        )
    else:
        syll, front = rng.choice(PLATE_HANGUL), f"{rng.randrange(10, 99)}"
        return f"{front}{syll}{digits(rng, 4)}"
    return f"{front}{syll} {digits(rng, 4)}"


def address(rng: random.Random, detail: bool = True, short: bool = False) -> str:
    sido = rng.choice(list(CITIES))
    gu = rng.choice(CITIES[sido])
    head = SHORT[sido] if short or rng.random() < 0.25 else sido
    if sido == "서울특별시" and rng.random() < 0.2:
        head = "서울시"
    area = f"{head} {gu}".rstrip() if gu else head
    if rng.random() < 0.75:
        road = rng.choice(ROADS)
        base = f"{area} {road} {rng.randrange(1, 400)}" + (
            f"-{rng.randrange(1, 30)}" if rng.random() < 0.2 else ""
        )
    else:
        base = f"{area} {rng.choice(DONGS)} {rng.randrange(1, 1999)}-{rng.randrange(1, 40)}"
    if detail:
        r = rng.random()
        if r < 0.4:
            base += f", {rng.randrange(101, 130)}동 {rng.randrange(1, 25)}{rng.randrange(1, 5):02d}호"
        elif r < 0.55:
            base += f" {rng.choice(APTS)}아파트 {rng.randrange(101, 130)}동 {rng.randrange(1, 25)}{rng.randrange(1, 5):02d}호"
        elif r < 0.7:
            base += f", {rng.randrange(2, 15)}층"
        elif r < 0.8:
            base += f" ({rng.choice(DONGS)})"
    return base


def date(rng: random.Random, lo: int = 2021, hi: int = 2025) -> str:
    y, m, d = rng.randrange(lo, hi + 1), rng.randrange(1, 13), rng.randrange(1, 29)
    return rng.choice(
        (f"{y}. {m}. {d}.", f"{y}-{m:02d}-{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{y}년 {m}월 {d}일")
    )
