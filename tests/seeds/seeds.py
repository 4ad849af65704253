"""The five remediated seeds (examples/policies/remediated/) as their tests see them: the fictional
people who use each service, and what each policy promises about their data, written out by hand.

Everyone here is made up: names of the 홍길동 kind, 010 numbers, example.com addresses, the
TEST-NET address block, a road called 예시로. Every value is already in the form the vault stores it
(phone numbers with hyphens, lower-case login ids), so a read gives back exactly what was collected.

The timeline is the same for every seed: a member joins and uses every context on 2026-03-31 at 10:00
KST, every record is made then, and the member leaves on 2026-08-31 at 15:00. Periods follow the Civil
Act (민법 157, 160): the day of the event is not counted, months and years run by the calendar, and a
month without the matching day ends on its last day — so 3 months from 2026-03-31 end with 2026-06-30,
and 3 months from 2026-08-31 with 2026-11-30. ``Kept.last_day`` is the last day the data is kept; it is
destroyed at 00:00 KST the next day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from jikimi.periods import KST


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An instant on the Korean wall clock, where the Civil Act's days are counted."""
    return datetime(year, month, day, hour, minute, second, tzinfo=KST)


JOINED = kst(2026, 3, 31, 10, 0)
"""The member signs up, uses every context, and every record is made."""
LEFT = kst(2026, 8, 31, 15, 0)
"""The member leaves (회원 탈퇴)."""
WARRANT = "서울중앙지방법원 2026-압수-0412"
"""A warrant number, fictional: the reference of a provision on a legal basis."""


@dataclass(frozen=True)
class Kept:
    """One promise of a retention section: ``slot`` (an item or record type) is kept to the close of
    ``last_day`` and destroyed at the next midnight (KST)."""

    slot: str
    last_day: date
    why: str


@dataclass(frozen=True)
class Seed:
    """A remediated seed: its people and its promises."""

    name: str
    member: dict[str, dict[str, str]]
    """The member's data for every context that collects items (subjects member or any), in order:
    the first one signs up."""
    guests: dict[str, dict[str, str]] = field(default_factory=dict)
    """Data for guest contexts: each collection is a guest of its own."""
    other_member: dict[str, str] = field(default_factory=dict)
    """A second member's sign-up with look-up values of its own (login id, CI…)."""
    child: dict[str, str] | None = None
    """A child under 14 signing up, with the guardian's items; None when children are not collected."""
    correction: tuple[str, str] = ("", "")
    """An item the member asks to correct, and the corrected value."""
    kept_while_active: tuple[Kept, ...] = ()
    """Logs and other generated data, destroyed after their period even while the member is active."""
    kept_after_leaving: tuple[Kept, ...] = ()
    """What the retention section keeps once the member has left, and until when."""
    kept_with_no_end: frozenset[str] = frozenset()
    """What a rule keeps for a period the policy leaves blank (a placeholder): kept, never priced."""
    placeholders: tuple[str, ...] = ()
    """Where the file keeps a blank of the seed visible (the lint key of each)."""
    diff_keys: tuple[str, ...] = ()
    """Some of the changes ``jikimi policy diff`` must list against the as-written file."""
    notice_days: int = 30
    """The notice the remediated version needs (its own ``notice`` settings, PIPA.md §1.6)."""


FIVE_YEARS = "5년 from the record's date (전자상거래법 시행령 6조)"
THREE_YEARS = "3년 from the record's date (전자상거래법 시행령 6조)"
RECORDS_5Y = date(2031, 3, 31)
RECORDS_3Y = date(2029, 3, 31)


def _log(slot: str) -> Kept:
    """A log kept 3 months from its own date, even while the member stays (통신비밀보호법 시행령 41조②)."""
    return Kept(slot, date(2026, 6, 30), "3개월 from 03-31: June has no 31st")


YEONGSANG = Seed(
    name="yeongsang",
    member={
        "signup": {
            "name": "홍길동",
            "birthdate": "1990-01-31",
            "gender": "남",
            "login_id": "gildong90",
            "password": "secret-pass-1",
            "home_phone": "02-123-4567",
            "mobile": "010-2345-6789",
            "email": "gildong@example.com",
        },
        "service_application": {
            "address": "서울특별시 중구 예시로 12",
            "payment_info": "신용카드 (끝자리 1111)",
        },
        "service_use": {
            "service_log": "강의 3편 시청",
            "access_log": "GET /lecture/3",
            "cookie": "sid=3f9a",
            "ip": "203.0.113.9",
        },
    },
    other_member={
        "name": "김철수",
        "birthdate": "1988-07-07",
        "gender": "남",
        "login_id": "cheolsu88",
        "password": "secret-pass-2",
        "home_phone": "02-234-5678",
        "mobile": "010-3456-7890",
        "email": "cheolsu@example.com",
    },
    child={
        "name": "홍아름",
        "birthdate": "2015-06-15",
        "gender": "여",
        "login_id": "areum15",
        "password": "secret-pass-3",
        "home_phone": "02-123-4567",
        "mobile": "010-4567-8901",
        "email": "areum@example.com",
        "guardian_info": "홍길동 (부), 010-2345-6789",
    },
    correction=("mobile", "010-9876-5432"),
    kept_while_active=(_log("access_log"),),
    kept_after_leaving=(
        Kept("complaint_record", RECORDS_3Y, THREE_YEARS),
        Kept("contract_record", RECORDS_5Y, FIVE_YEARS),
        Kept("payment_record", RECORDS_5Y, FIVE_YEARS),
    ),
    # 가. 회사 내부방침: "이용계약 해지일로부터 oo년간 회원의 정보를 보유" — the period is the seed's blank
    kept_with_no_end=frozenset({"name", "birthdate", "gender", "login_id", "home_phone", "mobile", "email"}),
    placeholders=("effective", "officers[0].email", "officers[1].email", "retention[0].period"),
    diff_keys=(
        "purposes[service].basis",
        "purposes[membership].items[login_id]",
        "purposes[marketing].basis",
        "third_parties.recipients[investigators]",
        "rights.deadline_days",
        "effective",
    ),
)

MECROSS = Seed(
    name="mecross",
    member={
        "signup": {
            "name": "이영희",
            "birthdate": "1992-02-29",
            "login_id": "younghee92",
            "password": "secret-pass-1",
            "mobile": "010-2222-3333",
            "address": "서울특별시 마포구 예시로 45",
            "email": "younghee@example.com",
            "gender": "여",
            "ci": "CI" + "Y" * 86,
            "pen_name": "영화광",
            "phone": "02-345-6789",
            "ad_consent": "true",
            "favorite_theater": "예시시네마 마포점",
        },
        "service_use": {
            "usage_history": "영화 예매 2건",
            "access_log": "GET /booking",
            "ip": "203.0.113.21",
            "cookie": "session=77ab",
            "os_type": "Android 14",
            "browser_type": "Chrome 124",
            "device_model": "SM-S921N",
            "carrier": "SKT",
        },
        "event": {
            "delivery_address": "서울특별시 마포구 예시로 45",
            "recipient_name": "이영희",
            "mobile": "010-2222-3333",
            "email": "younghee@example.com",
        },
        "purchase": {"payment_details": "신용카드 (끝자리 4242), 12,000원", "purchase_history": "관람권 2매"},
    },
    other_member={
        "name": "박민수",
        "birthdate": "1985-11-30",
        "login_id": "minsu85",
        "password": "secret-pass-2",
        "mobile": "010-5555-6666",
        "address": "서울특별시 마포구 예시로 46",
        "email": "minsu@example.com",
        "gender": "남",
        "ci": "CI" + "M" * 86,
    },
    child={
        "name": "이하늘",
        "birthdate": "2016-05-05",
        "login_id": "haneul16",
        "password": "secret-pass-3",
        "mobile": "010-7777-8888",
        "address": "서울특별시 마포구 예시로 45",
        "email": "haneul@example.com",
        "gender": "여",
        "ci": "CI" + "H" * 86,
        "guardian_ci": "CI" + "G" * 86,
    },
    correction=("email", "younghee.lee@example.com"),
    kept_while_active=(_log("access_trace_record"),),
    kept_after_leaving=(
        Kept("ci", date(2026, 9, 3), "탈퇴일로 3일: 09-01, 09-02, 09-03"),
        Kept("advertising_record", date(2026, 9, 30), "6개월 from 03-31: September has no 31st"),
        Kept("login_id", date(2026, 11, 30), "3개월 from the withdrawal on 08-31: November has no 31st"),
        Kept("fraud_record", date(2027, 8, 31), "1년 from the withdrawal"),
        Kept("complaint_record", RECORDS_3Y, THREE_YEARS),
        Kept("contract_record", RECORDS_5Y, FIVE_YEARS),
        Kept("payment_record", RECORDS_5Y, FIVE_YEARS),
    ),
    diff_keys=(
        "title",
        "contexts[signup].items[guardian_ci]",
        "purposes[service].basis",
        "purposes[outsourced_tasks]",
        "third_parties.recipients[investigators]",
        "rights.deadline_days",
    ),
)

CLASSPATRA = Seed(
    name="classpatra",
    member={
        "signup": {
            "login_id": "byeolmom",
            "nickname": "별맘",
            "password": "secret-pass-1",
            "email": "byeolmom@example.com",
            "address": "서울특별시 마포구 예시로 400",
            "mobile": "010-2345-1111",
            "name": "김보람",
            "gender": "여",
            "birthdate": "1993-04-30",
        },
        "member_profile": {
            "pregnancy": "임신 20주",
            "child_info": "첫째 (3세)",
            "baby_name": "튼튼이",
            "due_date": "2026-08-20",
            "mom_type": "예비맘",
        },
        "app_run": {"device_id": "A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D"},
    },
    other_member={
        "login_id": "hanamom",
        "nickname": "하나맘",
        "password": "secret-pass-2",
        "email": "hanamom@example.com",
        "address": "서울특별시 마포구 예시로 401",
    },
    child={
        "login_id": "kid2015",
        "nickname": "꼬마",
        "password": "secret-pass-3",
        "email": "kid2015@example.com",
        "address": "서울특별시 마포구 예시로 400",
        "birthdate": "2015-09-01",
        "guardian_name": "김보람",
        "guardian_mobile": "010-2345-1111",
    },
    correction=("address", "서울특별시 마포구 예시로 402"),
    kept_while_active=(_log("visit_record"),),
    kept_after_leaving=(
        Kept("advertising_record", date(2026, 9, 30), "6개월 from 03-31: September has no 31st"),
        *(
            Kept(item, date(2027, 8, 31), "1년 from the withdrawal: 불량 이용자의 재가입 방지")
            for item in ("name", "birthdate", "gender", "login_id", "address", "mobile", "email")
        ),
        Kept("complaint_record", RECORDS_3Y, THREE_YEARS),
        Kept("contract_record", RECORDS_5Y, FIVE_YEARS),
        Kept("payment_record", RECORDS_5Y, FIVE_YEARS),
    ),
    placeholders=("processors.processors[0].name", "processors.processors[0].task"),
    diff_keys=(
        "contexts[signup].items[login_id]",
        "purposes[care_profile]",
        "items[mom_type].sensitive_kind",
        "retention[identity_verification]",
        "third_parties.recipients[sellers]",
        "processors.processors[unnamed_processor]",
    ),
    notice_days=7,  # the seed promises 7 days for every change, material ones too
)

RSUPPORT = Seed(
    name="rsupport",
    member={
        "purchase": {
            "email": "it-team@corp.example.com",
            "payment_history": "2026-03-31 라이트캠 1년 라이선스",
            "card": "4111111111111111",
            "bank_account": "110-123-456789",
        },
        "site_visit": {"ip": "203.0.113.40", "device_info": "Windows 11 / Edge", "cookie": "visitor=9c1d"},
        "support": {
            "name": "박담당",
            "email": "it-team@corp.example.com",
            "company": "주식회사 예시",
            "license_code": "LC-2026-0001",
        },
    },
    correction=("company", "주식회사 예시테크"),
    kept_while_active=(_log("site_visit_log"),),
    kept_after_leaving=(
        Kept(
            "enterprise_usage",
            date(2027, 8, 31),
            "1년 from the end of the purpose: 기업의 요청에 의한 자료 제공",
        ),
        Kept("complaint", RECORDS_3Y, THREE_YEARS),
        Kept("contract", RECORDS_5Y, FIVE_YEARS),
        Kept("payment", RECORDS_5Y, FIVE_YEARS),
    ),
    placeholders=tuple(
        f"processors.processors[{i}].{key}"
        for i in (0, 3)
        for key in (
            "country",
            "overseas.country",
            "overseas.when_and_how",
            "overseas.recipient_contact",
            "overseas.how_to_refuse",
        )
    ),
    diff_keys=(
        "purposes[purchase_contract].basis",
        "purposes[marketing].basis",
        "contexts[site_visit].items[cookie]",
        "third_parties.recipients[investigators]",
        "processors.processors[amazon].country",
    ),
    notice_days=7,  # the seed promises 7 days for every change, material ones too
)

SHOP = Seed(
    name="shop",
    member={
        "signup": {
            "name": "최수지",
            "birthdate": "1995-12-31",
            "address": "부산광역시 해운대구 예시로 7",
            "phone": "010-8888-9999",
            "login_id": "suji95",
            "password": "secret-pass-1",
            "email": "suji@example.com",
            "additional_info": "관심 분야: 캠핑용품",
        },
        "order": {
            "name": "최수지",
            "address": "부산광역시 해운대구 예시로 7",
            "phone": "010-8888-9999",
            "email": "suji@example.com",
            "order_details": "텐트 색상: 초록",
        },
    },
    guests={
        "guest_order": {
            "payer_info": "정지불, 010-1212-3434",
            "recipient_info": "정수령, 부산광역시 예시로 8",
        }
    },
    child={
        "name": "최어린",
        "birthdate": "2016-03-01",
        "address": "부산광역시 해운대구 예시로 7",
        "phone": "010-8888-7777",
        "login_id": "eorin16",
        "password": "secret-pass-3",
        "email": "eorin@example.com",
        "guardian_name": "최수지",
        "guardian_phone": "010-8888-9999",
    },
    correction=("address", "부산광역시 해운대구 예시로 9"),
    kept_after_leaving=(
        Kept("complaint_record", RECORDS_3Y, THREE_YEARS),
        Kept("contract_record", RECORDS_5Y, FIVE_YEARS),
        Kept("payment_record", RECORDS_5Y, FIVE_YEARS),
    ),
    placeholders=(
        "effective",
        "controller.name",
        "controller.service",
        *(
            f"officers[{i}].{key}"
            for i, keys in (
                (0, "title name email address phone fax"),
                (1, "title name email address phone fax"),
            )
            for key in keys.split()
        ),
        "contexts[2].note",
        "purposes[4].note",
        "destruction.procedure",
        "children.note",
        "third_parties.note",
        "auto_collection[0].purpose",
        "security[10].description",
        "rights.procedure[0]",
        "rights.procedure[1]",
        "rights.withdrawal",
        "complaints.note",
        "sections[0].body",
        "sections[2].title",
        "sections[2].body",
    ),
    diff_keys=(
        "title",
        "items[rrn]",
        "items[birthdate]",
        "contexts[signup].items[rrn]",
        "purposes[order].basis",
        "retention[payment_records]",
        "third_parties.recipients[delivery_companies].basis",
        "children.guardian_items[guardian_name]",
    ),
)

SEEDS: dict[str, Seed] = {s.name: s for s in (YEONGSANG, MECROSS, SHOP, CLASSPATRA, RSUPPORT)}
