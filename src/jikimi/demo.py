"""Demo data for ``jikimi demo``: handlers with roles, and realistic fake subjects collected
through the vault (never written around it).

The people are invented from a seeded random generator: Korean names, 010 mobile numbers,
addresses at example.com, birth dates, logins. A few are children under 14 waiting for their
guardian's consent, some refused marketing, some ordered as guests, many members placed orders
(kept as payment records). The same seed gives the same people, so a second run finds them
already registered (duplicate look-ups) instead of adding them twice.

Demo members' passwords are hashed with light Argon2id parameters to keep the demo quick; the
vault re-hashes them with full parameters at their first login (rehash on login).
"""

from __future__ import annotations

import random
import secrets
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import phonenumbers
from argon2 import PasswordHasher

from jikimi.bootstrap import Jikimi
from jikimi.crypto import Passwords
from jikimi.errors import AuthError, Duplicate
from jikimi.gate import ACTIONS
from jikimi.handlers import SYSTEM
from jikimi.periods import kst_day

DEMO_ROLES: dict[str, tuple[list[str], list[str]]] = {
    "admin": (["*"], list(ACTIONS)),
    "cs": (["membership", "support"], ["read", "metadata"]),
    "marketing": (["marketing"], ["read", "export", "marketing"]),
    "auditor": ([], ["audit", "metadata"]),
}
"""Role name → (purposes, actions). Support reads for membership and support and sees a member's
state and consents; marketing reads only for marketing and asks the advertising send gate
(``marketing``) before a campaign, without metadata; the auditor reads the
access log and subjects' metadata (to check a read had a consent behind it), no values, and
changes nothing — withdrawal and reactivation (``withdraw``) are the administrator's."""

DEMO_HANDLERS: dict[str, str] = {
    "demo-admin": "admin",
    "demo-cs": "cs",
    "demo-marketing": "marketing",
    "demo-auditor": "auditor",
}
"""Handler login → role."""

SOURCE = "demo"

_SURNAMES = [
    ("김", "kim"),
    ("이", "lee"),
    ("박", "park"),
    ("최", "choi"),
    ("정", "jung"),
    ("강", "kang"),
    ("조", "cho"),
    ("윤", "yoon"),
    ("장", "jang"),
    ("임", "lim"),
    ("한", "han"),
    ("오", "oh"),
    ("서", "seo"),
    ("신", "shin"),
    ("권", "kwon"),
    ("황", "hwang"),
    ("안", "ahn"),
    ("송", "song"),
]
_GIVEN = [
    ("민준", "minjun"),
    ("서연", "seoyeon"),
    ("도윤", "doyun"),
    ("지우", "jiwoo"),
    ("하준", "hajun"),
    ("서윤", "seoyun"),
    ("예준", "yejun"),
    ("하은", "haeun"),
    ("지호", "jiho"),
    ("수아", "sua"),
    ("시우", "siwoo"),
    ("지민", "jimin"),
    ("현우", "hyunwoo"),
    ("채원", "chaewon"),
    ("건우", "gunwoo"),
    ("다은", "daeun"),
    ("우진", "woojin"),
    ("예린", "yerin"),
    ("선우", "sunwoo"),
    ("유나", "yuna"),
]
_STREETS = [
    "서울특별시 마포구 월드컵북로",
    "서울특별시 강남구 테헤란로",
    "부산광역시 해운대구 센텀중앙로",
    "경기도 성남시 분당구 판교역로",
    "대전광역시 유성구 대학로",
    "광주광역시 북구 첨단과기로",
    "인천광역시 연수구 송도과학로",
    "대구광역시 수성구 달구벌대로",
]
_INTERESTS = ["패션", "가전", "도서", "식품", "스포츠", "뷰티", "유아동", "여행"]


@dataclass(frozen=True)
class DemoPerson:
    kind: str  # member, child, guest
    data: dict[str, str]
    consents: dict[str, bool]
    orders: int = 0


@dataclass
class DemoSeeded:
    """What ``seed_subjects`` did: counts by kind and one example subject id per kind."""

    created: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    examples: dict[str, str] = field(default_factory=dict)
    records: int = 0


class _Unique:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def mobile(self) -> str:
        while True:
            number = f"010-{self.rng.randint(2000, 9999)}-{self.rng.randint(0, 9999):04d}"
            if number not in self.seen and phonenumbers.is_valid_number(phonenumbers.parse(number, "KR")):
                self.seen.add(number)
                return number

    def login(self, roman: str) -> str:
        while True:
            login = f"{roman}{self.rng.randint(10, 9999)}"
            if login not in self.seen:
                self.seen.add(login)
                return login


def _name(rng: random.Random) -> tuple[str, str]:
    surname, sroman = rng.choice(_SURNAMES)
    given, groman = rng.choice(_GIVEN)
    return surname + given, f"{groman}.{sroman}"


def _address(rng: random.Random) -> str:
    return f"{rng.choice(_STREETS)} {rng.randint(1, 500)}, {rng.randint(1, 20)}층 {rng.randint(101, 1503)}호"


def _birthdate(rng: random.Random, today: date, min_age: int, max_age: int) -> str:
    days = rng.randint(min_age * 366, max_age * 365)
    return (today - timedelta(days=days)).isoformat()


def demo_people(count: int, *, today: date, seed: int = 20260302) -> Iterator[DemoPerson]:
    """``count`` invented people: ~90% members (a quarter refusing marketing), ~3% children under 14,
    ~7% guest orders. The same seed and day give the same people."""
    rng = random.Random(seed)
    unique = _Unique(rng)
    for index in range(count):
        name, roman = _name(rng)
        mobile = unique.mobile()
        roll = rng.random() if index >= 3 else (0.0, 0.5, 0.97)[index]  # the first three: one of each kind
        if roll >= 0.97:
            yield DemoPerson(
                "guest",
                {
                    "name": name,
                    "mobile": mobile,
                    "email": f"guest.{unique.login(roman)}@example.com",
                    "order_password": f"order-{rng.randint(1000, 9999)}",
                    "recipient_name": name,
                    "recipient_phone": mobile,
                    "delivery_address": _address(rng),
                },
                {},
            )
            continue
        login = unique.login(roman.replace(".", ""))
        data = {
            "name": name,
            "login_id": login,
            "password": f"demo-{login}-pw",
            "mobile": mobile,
            "email": f"{login}@example.com",
            "ci": "".join(rng.choices(string.ascii_letters + string.digits, k=88)),
        }
        if roll < 0.03:
            guardian, _ = _name(rng)
            data |= {
                "birthdate": _birthdate(rng, today, 8, 12),
                "guardian_name": guardian,
                "guardian_mobile": unique.mobile(),
            }
            yield DemoPerson("child", data, {"marketing": False})
            continue
        data["birthdate"] = _birthdate(rng, today, 19, 70)
        if rng.random() < 0.5:
            data["gender"] = rng.choice(["여", "남"])
            data["interests"] = ", ".join(rng.sample(_INTERESTS, 2))
        yield DemoPerson(
            "member", data, {"marketing": rng.random() >= 0.25}, orders=rng.choice([0, 0, 1, 1, 2, 3])
        )


def define_handlers(jikimi: Jikimi) -> dict[str, dict[str, str]]:
    """The demo roles and handler accounts, each with a TOTP secret for the console; returns
    login → {role, password, token, totp}."""
    for role, (purposes, actions) in DEMO_ROLES.items():
        jikimi.handlers.define_role(role, purposes=purposes, actions=actions, source=SOURCE)
    accounts: dict[str, dict[str, str]] = {}
    for login, role in DEMO_HANDLERS.items():
        password = secrets.token_urlsafe(18)
        _, token = jikimi.handlers.create(login, password, role=role, source=SOURCE)
        totp = jikimi.sessions.enrol(login, actor=SYSTEM, source=SOURCE)
        accounts[login] = {"role": role, "password": password, "token": token, "totp": totp}
    return accounts


def refresh_tokens(jikimi: Jikimi, accounts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Tokens that still work are kept; others are replaced by logging in with the saved password.
    A handler without a second factor (a demo made before the console) is enrolled."""
    fresh: dict[str, dict[str, str]] = {}
    for login, account in accounts.items():
        try:
            jikimi.handlers.authenticate(account["token"])
            fresh[login] = account
        except AuthError:
            _, token = jikimi.handlers.login(login, account["password"], source=SOURCE)
            fresh[login] = account | {"token": token}
        if "totp" not in account or not jikimi.sessions.enrolled(login):  # a demo made before the console
            fresh[login] = fresh[login] | {"totp": jikimi.sessions.enrol(login, actor=SYSTEM, source=SOURCE)}
    return fresh


def seed_subjects(jikimi: Jikimi, people: Iterator[DemoPerson], advance: Callable[[], None]) -> DemoSeeded:
    """Collect every person through ``jikimi.vault.collect`` (as the subjects themselves, on the web),
    with their member orders and payment records. People already registered are skipped."""
    seeded = DemoSeeded()
    saved = jikimi.core.passwords
    jikimi.core.passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    rng = random.Random(7)
    now = jikimi.core.now()
    try:
        for person in people:
            context = "guest_order" if person.kind == "guest" else "signup"
            try:
                result = jikimi.vault.collect(
                    context, person.data, person.consents, channel=rng.choice(["web", "app"]), source=SOURCE
                )
            except Duplicate:
                seeded.skipped += 1
                advance()
                continue
            key = (
                person.kind
                if person.kind != "member" or person.consents.get("marketing")
                else "member_no_marketing"
            )
            seeded.created[person.kind] = seeded.created.get(person.kind, 0) + 1
            seeded.examples.setdefault(key, result.subject_id)
            seeded.records += _orders(jikimi, result.subject_id, person, rng, now)
            advance()
    finally:
        jikimi.core.passwords = saved
    return seeded


def _orders(jikimi: Jikimi, subject_id: str, person: DemoPerson, rng: random.Random, now: datetime) -> int:
    name, mobile = person.data["name"], person.data["mobile"]
    if person.kind == "guest":
        jikimi.vault.add_record(
            subject_id,
            "payment",
            {
                "name": name,
                "mobile": mobile,
                "recipient_name": name,
                "delivery_address": person.data["delivery_address"],
            },
            now - timedelta(days=rng.randint(0, 60)),
            source=SOURCE,
        )
        return 1
    for number in range(person.orders):
        address = _address(rng)
        if number == 0:
            jikimi.vault.collect(
                "order",
                {"recipient_name": name, "recipient_phone": mobile, "delivery_address": address},
                {},
                subject_id=subject_id,
                source=SOURCE,
            )
        jikimi.vault.add_record(
            subject_id,
            "payment",
            {"name": name, "recipient_name": name, "delivery_address": address},
            now - timedelta(days=rng.randint(0, 365)),
            source=SOURCE,
        )
    return person.orders


def today_of(jikimi: Jikimi) -> date:
    return kst_day(jikimi.core.now())
