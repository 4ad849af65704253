"""Random but realistic Korean personal-data values, each in one of the ways people write it.

Written from public descriptions of each format (not from jikimi's detector): every value
generator returns the text as it would appear in a post, chat or ticket.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")

SURNAMES = (
    "김" * 21
    + "이" * 15
    + "박" * 8
    + "최" * 5
    + "정" * 5
    + "강" * 2
    + "조" * 2
    + "윤" * 2
    + "장" * 2
    + "임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국"  # noqa: E501
)
DOUBLE_SURNAMES = ("남궁", "제갈", "선우", "황보", "독고")
GIVEN_FIRST = "민서지현준수영우진은예하윤도유주연정승성재원혜경동상희호석태인기선미아나소시다채가빈건훈용환철범규혁찬한결효"  # noqa: E501
GIVEN_SECOND = "민서지현준수영우진은예하윤도유주연정승성재원혜경동상희호석태인기선미아나소시다채빈율훈용환철규혁찬결우린름솔별"  # noqa: E501

SIDO_SGG = {
    "서울특별시": [
        "강남구",
        "서초구",
        "송파구",
        "마포구",
        "종로구",
        "중구",
        "용산구",
        "성동구",
        "관악구",
        "노원구",
        "은평구",
    ],
    "부산광역시": ["해운대구", "수영구", "부산진구", "동래구", "사하구", "남구"],
    "대구광역시": ["수성구", "달서구", "중구", "북구"],
    "인천광역시": ["연수구", "남동구", "부평구", "서구"],
    "광주광역시": ["북구", "서구", "광산구"],
    "대전광역시": ["유성구", "서구", "중구"],
    "울산광역시": ["남구", "중구", "울주군"],
    "경기도": [
        "성남시 분당구",
        "수원시 영통구",
        "고양시 일산동구",
        "용인시 수지구",
        "부천시",
        "화성시",
        "파주시",
        "양평군",
    ],
    "강원특별자치도": ["춘천시", "원주시", "강릉시"],
    "충청북도": ["청주시 흥덕구", "충주시"],
    "충청남도": ["천안시 서북구", "아산시", "공주시"],
    "전북특별자치도": ["전주시 완산구", "군산시"],
    "전라남도": ["여수시", "순천시", "목포시"],
    "경상북도": ["포항시 남구", "경주시", "구미시"],
    "경상남도": ["창원시 성산구", "김해시", "진주시"],
    "제주특별자치도": ["제주시", "서귀포시"],
}
SIDO_SHORT = {
    "서울특별시": "서울",
    "부산광역시": "부산",
    "경기도": "경기",
    "인천광역시": "인천",
    "대구광역시": "대구",
}
ROADS = [
    "테헤란로",
    "세종대로",
    "강남대로",
    "올림픽로",
    "판교역로",
    "중앙로",
    "시청로",
    "해운대로",
    "월드컵북로",
    "도산대로",
    "양재대로",
    "한누리대로",
    "동일로",
    "가야대로",
    "경인로",
    "백제대로",
    "구룡로",
    "봉은사로",
]
DONGS = [
    "역삼동",
    "삼성동",
    "서교동",
    "연남동",
    "대치동",
    "우동",
    "좌동",
    "정자동",
    "영통동",
    "신당동",
    "화정동",
    "봉명동",
]
BUILDINGS = ["푸른마을아파트", "래미안", "현대아파트", "자이", "힐스테이트"]

BANKS = {
    "국민은행": (6, 2, 6), "KB국민": (6, 2, 6), "신한은행": (3, 3, 6), "우리은행": (4, 3, 6),
    "하나은행": (3, 6, 5), "농협": (3, 4, 4, 2), "NH농협": (3, 4, 4, 2), "기업은행": (3, 6, 2, 3),
    "카카오뱅크": (4, 2, 7), "토스뱅크": (4, 4, 4), "케이뱅크": (3, 3, 6), "우체국": (6, 2, 6),
    "새마을금고": (4, 4, 4, 1), "SC제일은행": (3, 2, 6),
}  # fmt: skip
DOMAINS = [
    "naver.com",
    "gmail.com",
    "daum.net",
    "hanmail.net",
    "kakao.com",
    "nate.com",
    "korea.ac.kr",
    "snu.ac.kr",
    "company.co.kr",
    "example.org",
    "outlook.com",
    "samsung.com",
    "gov.kr",
    "yahoo.co.kr",
]
ROMAN = [
    "kim",
    "lee",
    "park",
    "choi",
    "jung",
    "minsu",
    "jiyoung",
    "hyun",
    "seoyeon",
    "junho",
    "happy",
    "sky",
    "dev",
    "admin",
    "hello",
    "star",
    "moon",
    "tiger",
    "blue",
    "sunny",
]
PLATE_SYLLABLES = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주하허호바사아자배"
LICENSE_REGIONS = [
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "28",
]
LICENSE_REGION_NAMES = [
    "서울",
    "부산",
    "경기",
    "강원",
    "충북",
    "충남",
    "전북",
    "전남",
    "경북",
    "경남",
    "제주",
    "대구",
    "인천",
]


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def styled(
    rng: random.Random,
    groups: list[str],
    *,
    bare: float = 0.15,
    space: float = 0.05,
    fullwidth: float = 0.04,
    odd_dash: float = 0.03,
) -> str:
    """Join digit groups the way people do: dashes mostly, sometimes bare, spaces, full-width, en dash."""
    r = rng.random()
    if r < bare:
        text = "".join(groups)
    elif r < bare + space:
        text = " ".join(groups)
    elif r < bare + space + odd_dash:
        text = rng.choice(["–", "—", "‐", "－"]).join(groups)
    else:
        text = "-".join(groups)
    if rng.random() < fullwidth:
        text = text.translate(FULLWIDTH)
    return text


def _rrn_check(d12: str, foreign: bool) -> str:
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    total = sum(int(a) * w for a, w in zip(d12, weights, strict=True))
    return str(((13 if foreign else 11) - total % 11) % 10)


def registration(rng: random.Random, *, foreign: bool) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
    male = rng.random() < 0.5
    if born.year >= 2000:
        g = ("7" if male else "8") if foreign else ("3" if male else "4")
    else:
        g = ("5" if male else "6") if foreign else ("1" if male else "2")
    front = born.strftime("%y%m%d")
    if rng.random() < 0.6:  # issued before October 2020: region, serial, check digit
        d12 = front + g + f"{rng.randrange(0, 96):02d}" + digits(rng, 3)
        back = d12[6:] + _rrn_check(d12, foreign)
    else:  # after October 2020: random back digits
        back = g + digits(rng, 6)
    return styled(rng, [front, back], bare=0.15, space=0.04)


def passport(rng: random.Random) -> str:
    letter = "M" if rng.random() < 0.85 else rng.choice("SRDO")
    if rng.random() < 0.5:
        return letter + digits(rng, 8)
    return letter + digits(rng, 3) + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + digits(rng, 4)


def driver_license(rng: random.Random) -> str:
    year, serial, check = f"{rng.randrange(0, 100):02d}", digits(rng, 6), digits(rng, 2)
    if rng.random() < 0.2:
        return f"{rng.choice(LICENSE_REGION_NAMES)} {year}-{serial}-{check}"
    return styled(rng, [rng.choice(LICENSE_REGIONS), year, serial, check], bare=0.1, space=0.03)


def brn(rng: random.Random) -> str:
    d9 = f"{rng.randrange(101, 999)}{rng.choice(['01', '05', '10', '81', '82', '86', '87', '88'])}{digits(rng, 4)}"  # noqa: E501
    weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    total = sum(int(a) * w for a, w in zip(d9, weights, strict=True)) + (int(d9[8]) * 5) // 10
    number = d9 + str((10 - total % 10) % 10)
    return styled(rng, [number[:3], number[3:5], number[5:]], bare=0.1, space=0.02)


def phone(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.62:
        groups = ["010", digits(rng, 4), digits(rng, 4)]
        groups[1] = str(rng.randrange(2, 10)) + groups[1][1:]
    elif r < 0.66:
        groups = [
            rng.choice(["011", "016", "017", "019"]),
            str(rng.randrange(2, 10)) + digits(rng, 2),
            digits(rng, 4),
        ]
    elif r < 0.78:
        area = rng.choice(["02", "031", "032", "051", "053", "042", "062", "064", "033", "041", "055"])
        mid = str(rng.randrange(2, 10)) + digits(rng, rng.choice([2, 3]))
        groups = [area, mid, digits(rng, 4)]
        if area == "02" and rng.random() < 0.15:
            return f"(02) {mid}-{groups[2]}"
    elif r < 0.84:
        groups = ["070", str(rng.randrange(2, 10)) + digits(rng, 3), digits(rng, 4)]
    elif r < 0.87:
        groups = ["0505", str(rng.randrange(2, 10)) + digits(rng, 2), digits(rng, 4)]
    elif r < 0.94:
        head = rng.choice(["1588", "1544", "1577", "1600", "1661", "1666", "1899", "1855", "1644"])
        return rng.choice(["-", " ", "-", "-"]).join([head, digits(rng, 4)])
    else:
        return f"+82 10-{rng.randrange(2, 10)}{digits(rng, 3)}-{digits(rng, 4)}"
    r2 = rng.random()
    if r2 < 0.05:
        return ".".join(groups)
    return styled(rng, groups, bare=0.14, space=0.05)


def email(rng: random.Random) -> str:
    local = rng.choice(ROMAN)
    r = rng.random()
    if r < 0.4:
        local += str(rng.randrange(1, 9999))
    elif r < 0.6:
        local += rng.choice([".", "_", "-"]) + rng.choice(ROMAN)
    elif r < 0.7:
        local = local.capitalize() + rng.choice(ROMAN).capitalize()
    return f"{local}@{rng.choice(DOMAINS)}"


def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def card(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        number = _luhn_complete("4" + digits(rng, 14))
    elif r < 0.5:
        number = _luhn_complete(str(rng.randrange(51, 56)) + digits(rng, 13))
    elif r < 0.6:
        number = _luhn_complete(str(rng.randrange(2221, 2721)) + digits(rng, 11))
    elif r < 0.7:
        number = _luhn_complete(rng.choice(["34", "37"]) + digits(rng, 12))
        return styled(rng, [number[:4], number[4:10], number[10:]], bare=0.15, space=0.1)
    elif r < 0.8:
        number = _luhn_complete(str(rng.randrange(3528, 3590)) + digits(rng, 11))
    elif r < 0.92:
        number = _luhn_complete(rng.choice(["9410", "9430", "9440", "9490", "9420"]) + digits(rng, 11))
    else:
        number = _luhn_complete("62" + digits(rng, 13))
    return styled(rng, [number[i : i + 4] for i in range(0, 16, 4)], bare=0.18, space=0.15)


def account(rng: random.Random) -> tuple[str, str]:
    bank = rng.choice(list(BANKS))
    groups = [digits(rng, n) for n in BANKS[bank]]
    return bank, styled(rng, groups, bare=0.2, space=0.02, fullwidth=0.02)


def health_insurance(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return str(rng.randrange(1, 9)) + digits(rng, 10)
    if r < 0.7:
        return f"{rng.randrange(1, 9)}-{digits(rng, 10)}"
    return str(rng.randrange(1, 9)) + digits(rng, 9)


def car_plate(rng: random.Random) -> str:
    head = str(rng.randrange(10, 100)) if rng.random() < 0.6 else str(rng.randrange(100, 700))
    syllable = rng.choice(PLATE_SYLLABLES)
    tail = f"{rng.randrange(1000, 10000)}"
    r = rng.random()
    if r < 0.7:
        return f"{head}{syllable}{tail}"
    if r < 0.9:
        return f"{head}{syllable} {tail}"
    return f"{rng.choice(['서울', '경기', '부산'])}{rng.randrange(10, 100)}{syllable}{tail}"


def ipv4(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return f"192.168.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
    if r < 0.5:
        return f"10.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"
    return ".".join(str(rng.randrange(1, 224)) if i == 0 else str(rng.randrange(0, 256)) for i in range(4))


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randrange(0, 65536):x}" for _ in range(8)]
    r = rng.random()
    if r < 0.4:
        return "2001:db8:" + ":".join(groups[:2]) + "::" + groups[7]
    if r < 0.6:
        return "fe80::" + ":".join(groups[4:])
    return ":".join(groups)


def name(rng: random.Random) -> str:
    surname = rng.choice(DOUBLE_SURNAMES) if rng.random() < 0.02 else rng.choice(SURNAMES)
    given = rng.choice(GIVEN_FIRST) + (rng.choice(GIVEN_SECOND) if rng.random() < 0.93 else "")
    return surname + given


def address(rng: random.Random) -> str:
    sido = rng.choice(list(SIDO_SGG))
    sgg = rng.choice(SIDO_SGG[sido])
    shown_sido = SIDO_SHORT.get(sido, sido) if rng.random() < 0.3 else sido
    head = f"{shown_sido} {sgg}" if rng.random() < 0.85 else sgg
    r = rng.random()
    if r < 0.65:
        road = rng.choice(ROADS)
        if rng.random() < 0.15:
            road += f"{rng.randrange(1, 60)}길"
        text = f"{head} {road} {rng.randrange(1, 700)}"
        if rng.random() < 0.2:
            text += f"-{rng.randrange(1, 30)}"
    else:
        text = f"{head} {rng.choice(DONGS)} {rng.randrange(1, 1500)}-{rng.randrange(1, 60)}"
        if rng.random() < 0.2:
            text += "번지"
    d = rng.random()
    if d < 0.35:
        text += f", {rng.randrange(101, 120)}동 {rng.randrange(1, 25)}0{rng.randrange(1, 5)}호"
    elif d < 0.5:
        text += f" {rng.choice(BUILDINGS)} {rng.randrange(101, 120)}동 {rng.randrange(1, 25)}0{rng.randrange(1, 5)}호"  # noqa: E501
    elif d < 0.6:
        text += f" ({rng.choice(DONGS)})"
    return text
