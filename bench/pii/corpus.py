"""A labelled Korean corpus for personal-data detection, generated deterministically from a seed.

Documents are posts, chats, support tickets, logs and forms; each is one to three sentences
drawn from hand-written templates, with slots filled by :mod:`values`. Gold spans are known
because the generator inserts them. Hard negatives (order, tracking and approval numbers,
timestamps, prices, versions, member ids, ISBNs, postcodes…) are inserted without a label.

    python bench/pii/corpus.py --seed 7 --docs 2400 > corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import values as v  # noqa: E402

Filler = Callable[[random.Random], str]


@dataclass
class Doc:
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)
    kind: str = ""

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "text": self.text, "spans": self.spans}, ensure_ascii=False)


def _order(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"{rng.randrange(2019, 2026)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{v.digits(rng, 8)}"  # noqa: E501
    if r < 0.7:
        return f"ORD-{rng.randrange(2019, 2026)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}-{v.digits(rng, 6)}"  # noqa: E501
    return v.digits(rng, rng.choice([10, 12, 13, 14, 16]))


def _timestamp(rng: random.Random) -> str:
    return (
        f"{rng.randrange(2020, 2026)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} "
        f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}:{rng.randrange(0, 60):02d}"
    )


def _tracking(rng: random.Random) -> str:
    number = v.digits(rng, rng.choice([10, 12, 13]))
    return number if rng.random() < 0.6 else "-".join(number[i : i + 4] for i in range(0, len(number), 4))


def _price(rng: random.Random) -> str:
    return f"{rng.randrange(1, 3000) * 100:,}원"


def _date(rng: random.Random) -> str:
    y, m, d = rng.randrange(2020, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
    return rng.choice([f"{y}.{m:02d}.{d:02d}", f"{y}-{m:02d}-{d:02d}", f"{y}년 {m}월 {d}일", f"{y}/{m}/{d}"])


def _version(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(0, 20)) for _ in range(rng.choice([3, 3, 4])))


NEGATIVES: dict[str, Filler] = {
    "order": _order,
    "ts": _timestamp,
    "tracking": _tracking,
    "price": _price,
    "date": _date,
    "version": _version,
    "approval": lambda r: v.digits(r, 8),
    "zipcode": lambda r: f"{r.randrange(1, 64):02d}{v.digits(r, 3)}",
    "coupon": lambda r: "-".join(
        "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4)) for _ in range(3)
    ),
    "model": lambda r: r.choice(["SM-G998N", "SM-S921N", "LM-V500N", "A2890", "MQ3D3KH/A", "XPS-9320"]),
    "member": lambda r: v.digits(r, r.choice([8, 10, 13])),
    "epoch": lambda r: str(r.randrange(1_600_000_000_000, 1_760_000_000_000)),
    "isbn": lambda r: f"978-89-{v.digits(r, 4)}-{v.digits(r, 3)}-{v.digits(r, 1)}",
    "qty": lambda r: str(r.randrange(1, 50)),
    "ms": lambda r: str(r.randrange(3, 4000)),
    "uuid": lambda r: "-".join(v.digits(r, n).replace("1", "a").replace("7", "f") for n in (8, 4, 4, 4, 12)),
    "amount": lambda r: str(r.randrange(1000, 500000)),
    "serial": lambda r: "S" + v.digits(r, 3) + "-" + v.digits(r, 6),
    "room": lambda r: f"{r.randrange(1, 30)}0{r.randrange(1, 9)}",
}

POSITIVES: dict[str, tuple[str, Filler]] = {
    "rrn": ("rrn", lambda r: v.registration(r, foreign=False)),
    "frn": ("frn", lambda r: v.registration(r, foreign=True)),
    "passport": ("passport", v.passport),
    "license": ("driver_license", v.driver_license),
    "brn": ("brn", v.brn),
    "phone": ("phone", v.phone),
    "email": ("email", v.email),
    "card": ("card", v.card),
    "health": ("health_insurance", v.health_insurance),
    "plate": ("car_plate", v.car_plate),
    "ip": ("ip", v.ipv4),
    "ip6": ("ip", v.ipv6),
    "name": ("name", v.name),
    "address": ("address", v.address),
}

TEMPLATES: dict[str, list[str]] = {
    "post": [
        "{name}님 연락처 아시는 분 계세요? {phone} 이 번호 맞나요?",
        "중고로 팝니다. 직거래만 가능하고 {phone}로 문자 주세요.",
        "자료 필요하신 분은 {email}으로 메일 주시면 보내드릴게요~",
        "헐 누가 단톡방에 {name} 주민번호 {rrn} 그대로 올렸네요 ㄷㄷ 신고했어요",
        "우리 아파트에 {plate} 차주분 이중주차 좀 그만하세요",
        "{plate} 이 차 어제 밤새 경적 울림",
        "택배가 옆집으로 갔어요 원래 주소는 {address}인데요",
        "입금은 {bank} {account}(예금주 {name})로 해주시면 바로 발송합니다",
        "공구 참여하실 분 {bank} {account} 으로 {price} 보내주세요",
        "제 카드번호 {card} 가 해외에서 결제 시도됐대요 ㅠ",
        "오늘 날씨 진짜 좋네요. 다들 점심 뭐 드세요?",
        "이번 주 특가 {price}! 주문은 오늘 {date}까지만 받아요",
        "주문번호 {order} 아직도 배송 준비중이네요 언제 오나",
        "운송장 번호 {tracking} 조회가 안 돼요",
        "{name} 선생님 강의 정말 좋았어요 추천합니다",
        "분실물 찾아요. 지갑 안에 운전면허증({license})이랑 카드 있어요",
        "앱 {version} 업데이트 후에 로그인이 안 돼요",
        "혹시 {email} 이 메일 주인 아시는 분?",
        "{phone} 이 번호로 스팸 전화 계속 옴",
        "{name} 씨가 {address} 사신대요",
        "회원번호 {member} 인데 포인트가 안 들어왔어요",
        "가격 {price}에 {qty}개 남았어요!",
        "여기 전화번호 {phone}, 영업시간 10시~9시",
        "세미나 신청은 담당자 {name} ({email})에게 부탁드립니다",
    ],
    "chat": [
        "내 번호 {phone}",
        "폰번 바뀜 {phone}로 저장해줘",
        "ㅇㅇ 메일은 {email}",
        "주소 {address} 여기로 오면 돼",
        "차번호 {plate} 흰색 차야",
        "계좌 {bank} {account} 여기로 보내줘",
        "ㅋㅋ 그거 {price} 주고 삼",
        "택배 송장 {tracking} 이거 맞아?",
        "여권번호 {passport} 맞지? 항공권 예약하게",
        "{name}님이 방에 들어왔습니다",
        "{name} 과장님 회의 몇 시죠?",
        "내일 {date} 3시에 보자",
        "인증번호 {approval} 입력하래",
        "쿠폰 코드 {coupon} 써봐",
        "야 {name}한테 {phone} 번호 알려줘도 돼?",
        "응 {email} 로 보냈어",
        "아빠 주민번호 뭐였지? {rrn} 이거 맞나",
        "공유기 주소 {ip} 로 들어가봐",
        "{qty}시에 {address} 앞에서 만나",
        "이거 {card} 맞아? 결제가 안 됨",
        "{account}로 보내줘 {price}",
        "{name}이 그러던데 내일 휴강이래",
        "테헤란로 {qty}번 출구 앞",
        "내선 {qty}{qty}로 돌려줘",
        "<{email}> 로 회신 부탁",
    ],
    "list": [
        "명단\n1. {name} {rrn} {phone}\n2. {name} {rrn} {phone}",
        "{name}\t{phone}\t{email}",
        "{name}, {rrn}, {address}",
        "번호 | 이름 | 연락처\n{qty} | {name} | {phone}",
        "접수 {date} {name} {phone} 처리완료",
        "빌드 {version} 배포, 서버 {ip}, 담당 {email}",
    ],
    "ticket": [
        "[문의] 회원 {name} / 연락처 {phone} / 이메일 {email}\n주문번호 {order} 환불 요청드립니다.",
        "고객명: {name}\n휴대폰: {phone}\n주소: {address}\n요청사항: 부재 시 경비실에 맡겨주세요",
        "환불 계좌: {bank} {account} (예금주 {name})",
        "사업자등록번호 {brn} 로 세금계산서 발행 부탁드립니다.",
        "운전면허번호 {license}로 본인확인 완료했습니다.",
        "여권번호 {passport}, 영문 성명 HONG GILDONG, 출국일 {date}",
        "외국인등록번호 {frn} 확인 부탁드립니다. 비자 연장 건입니다.",
        "건강보험증 번호 {health} 제출했습니다. 확인 바랍니다.",
        "카드({card}) 결제 취소 요청합니다. 승인번호 {approval}, 금액 {price}",
        "{name} 고객님, 주문하신 상품이 발송되었습니다. 운송장 {tracking}",
        "주민등록번호: {rrn}\n성명: {name}\n연락처: {phone}",
        "상담원 {name}입니다. 문의하신 접수번호 {member} 처리 완료되었습니다.",
        "거래처 사업자번호 {brn}, 대표 {name}, 전화 {phone}",
        "모델명 {model} 시리얼 {serial} 제품 AS 접수합니다.",
        "보험 청구 관련: 피보험자 {name}, 주민번호 {rrn}, 계좌 {bank} {account}",
        "외국인 근로자 {name} 등록번호 {frn} 연락처 {phone}",
        "결제 카드 {card} 할부 3개월로 변경 요청",
        "ISBN {isbn} 도서 재고 문의드립니다.",
        "면허증 번호 {license} 차량번호 {plate} 렌터카 예약",
        "접속 IP {ip}에서 비정상 로그인 시도가 있었습니다.",
        "요양기관 확인을 위해 건강보험 {health} 번호 부탁드려요",
    ],
    "log": [
        "{ts} INFO login ok user={email} ip={ip}",
        "{ts} WARN failed login from {ip} (attempt {qty})",
        "{ts} DEBUG req={uuid} sms sent to {phone}",
        "[{ts}] POST /api/orders/{order} 200 {ms}ms client={ip6}",
        "{ts} ERROR payment declined card={card} amount={amount}",
        "{ts} INFO backup finished in {ms}ms version={version}",
        "{ts} INFO order={order} status=SHIPPED tracking={tracking}",
        "{ts} INFO epoch={epoch} worker=3 queue=12",
        "{ts} WARN user {email} changed phone to {phone}",
        "{ts} INFO upstream {ip}:8080 healthy, latency {ms}ms",
        "{ts} DEBUG ipv6 client {ip6} connected",
    ],
    "form": [
        "배송지: {address}\n받는 분: {name}\n연락처: {phone}",
        "신청인 {name}\n주민등록번호 {rrn}\n주소 {address}",
        "이름은 {name}입니다. 연락처는 {phone}이고 메일은 {email}입니다.",
        "보호자 {name} / 보호자 연락처 {phone}",
        "수령인: {name}, 우편번호 {zipcode}, 주소: {address}",
        "대표자 {name}, 사업장 주소 {address}, 사업자등록번호 {brn}",
        "입차 차량 {plate}, 입차시간 {ts}, 요금 {price}",
        "계약자 {name} ({phone}), 계약일 {date}, 계약금 {price}",
        "현 거주지 {address} 전입일 {date}",
    ],
}

KINDS = list(TEMPLATES)
_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, rng: random.Random, kind: str) -> Doc:
    out: list[str] = []
    spans: list[tuple[str, int, int]] = []
    pos = 0
    done = 0
    pending_account = ""
    for m in _SLOT.finditer(template):
        literal = template[done : m.start()]
        out.append(literal)
        pos += len(literal)
        slot = m.group(1)
        label: str | None
        if slot == "bank":  # the bank name comes first; its account number fills {account}
            value, pending_account = v.account(rng)
            label = None
        elif slot == "account":
            value, label = pending_account, "account"
        elif slot in POSITIVES:
            label, filler = POSITIVES[slot]
            value = filler(rng)
        else:
            value, label = NEGATIVES[slot](rng), None
        out.append(value)
        if label is not None:
            spans.append((label, pos, pos + len(value)))
        pos += len(value)
        done = m.end()
    out.append(template[done:])
    return Doc("".join(out), spans, kind)


def generate(seed: int = 7, docs: int = 2400) -> list[Doc]:
    """``docs`` documents, the same for the same seed."""
    rng = random.Random(seed)
    corpus: list[Doc] = []
    for _ in range(docs):
        kind = rng.choice(KINDS)
        parts = [fill(rng.choice(TEMPLATES[kind]), rng, kind) for _ in range(rng.choice([1, 1, 2, 2, 3]))]
        sep = "\n" if kind in ("log", "ticket", "form") else " "
        doc = Doc("", [], kind)
        for part in parts:
            if doc.text:
                doc.text += sep
            offset = len(doc.text)
            doc.text += part.text
            doc.spans += [(t, s + offset, e + offset) for t, s, e in part.spans]
        corpus.append(doc)
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--docs", type=int, default=2400)
    args = parser.parse_args()
    for doc in generate(args.seed, args.docs):
        print(doc.to_json())


if __name__ == "__main__":
    main()
