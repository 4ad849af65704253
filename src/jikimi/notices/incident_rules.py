"""Breach response rules (PIPA 34, 시행령 39–40; the 2026 amendment): pure decisions over an
incident's facts — what counts, the 72-hour clock, whether a report to the regulator is owed and
why, what subjects can do — and the checks of what an operator types. No framework, no database.

What the law says, and how sure we are (``docs/notices.md``, ``../shared/docs/PIPA.md`` §9):

* 34①, 령 39① [법/령]: tell each subject within 72 hours of becoming aware (알게 되었을 때), five
  things: the items, when and how, what the subject can do, what the controller does and the
  redress procedure, whom to contact. Contacts unknown: post on the website for 30 days or more
  (령 39②).
* 34③, 령 40① [법/령]: report to 개인정보보호위원회 (PIPC) or 한국인터넷진흥원 (KISA, 령 40②) within 72
  hours when the breach concerns 1,000 or more subjects (40①1), any sensitive or unique-identifier
  data (40①2), or data breached by unlawful access from outside (40①3). Either body will do:
  jikimi defaults to PIPC and lets the operator choose KISA.
* 2026 amendment (promulgated 2026-03-10, in force 2026-09-11) [2차: news and law-firm notes, not
  the promulgated text]: a *possible* breach and forgery, alteration or damage (e.g. ransomware)
  count too. jikimi handles them the same way from today, and says when the amendment is not in
  force yet at the awareness time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from jikimi.errors import InvalidInput
from jikimi.policy.model import Item, Policy
from jikimi.states import SubjectStatus

KST = timezone(timedelta(hours=9), "KST")
WINDOW = timedelta(hours=72)
"""Notice and report are owed within 72 hours of becoming aware (34①③, 령 39①, 40③)."""
POSTING_PERIOD = timedelta(days=30)
"""A website notice for subjects without a contact stays up 30 days or more (령 39②)."""
REPORT_THRESHOLD = 1000
"""Subjects from which a report is owed whatever the data (령 40①1)."""
AMENDMENT_IN_FORCE = datetime(2026, 9, 11, tzinfo=KST)
"""The 2026 amendment (possible breaches; forgery, alteration, damage) applies from this instant."""
REACHABLE = (SubjectStatus.ACTIVE.value,)
"""The subjects a notice can reach: the gate reads the contact only of an active subject
(``gate.decide_read``: not one awaiting its guardian's consent, dormant or withdrawn), so the others
— and those the vault no longer holds — are told by the website posting (령 39②)."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future an awareness time may lie (another machine's clock), and no further."""


@dataclass(frozen=True)
class Label:
    """A code's words: Korean, English and, where there is one, the article it comes from."""

    ko: str
    en: str
    article: str = ""


KINDS: dict[str, Label] = {
    "leak": Label("유출", "leak", "PIPA 34①"),
    "loss": Label("분실·도난", "loss or theft", "PIPA 34①"),
    "possible_leak": Label("유출 가능성", "possible leak", "PIPA 34① (2026 개정)"),
    "alteration": Label("위조·변조·훼손", "forgery, alteration or damage", "PIPA 34① (2026 개정)"),
}
AMENDED_KINDS = frozenset({"possible_leak", "alteration"})
"""The kinds the 2026 amendment adds to what counts (PIPA.md §11)."""

CAUSES: dict[str, Label] = {
    "outside_access": Label("외부로부터의 불법적인 접근(해킹 등)", "unlawful access from outside (hacking)"),
    "ransomware": Label("랜섬웨어 감염", "ransomware"),
    "insider": Label("내부자에 의한 유출", "an insider"),
    "mistake": Label(
        "취급자의 실수(오발송·설정 오류 등)", "a handler's mistake (a mis-sent file, a setting)"
    ),
    "other": Label("그 밖의 원인", "another cause"),
}
OUTSIDE_CAUSES = frozenset({"outside_access", "ransomware"})
"""The causes that are unlawful access from outside (령 40①3): hacking, and ransomware, which gets in."""

MEASURES: dict[str, Label] = {
    "access_blocked": Label("유출 경로(접속 경로)를 차단했습니다", "the path of the breach was blocked"),
    "vulnerability_fixed": Label("취약점을 점검하고 보완했습니다", "the vulnerability was checked and fixed"),
    "data_retrieved": Label(
        "유출된 개인정보를 회수하거나 삭제했습니다", "the breached data was retrieved or deleted"
    ),
    "passwords_reset": Label("비밀번호를 초기화했습니다", "passwords were reset"),
    "restored_from_backup": Label(
        "훼손된 정보를 백업으로 복구했습니다", "damaged data was restored from backup"
    ),
    "police_reported": Label("수사기관에 신고했습니다", "the police were told"),
    "monitoring": Label("추가 피해가 없는지 살피고 있습니다", "further harm is being watched for"),
}
"""What the controller did (대응조치), as codes an incident records (never free text)."""

ADVICE: dict[str, Label] = {
    "change_password": Label(
        "비밀번호를 바꾸시고, 같은 비밀번호를 쓰는 다른 서비스의 비밀번호도 바꾸십시오",
        "change your password, and the password of any other service where you use the same one",
    ),
    "beware_phishing": Label(
        "출처가 분명하지 않은 전화·문자·이메일(피싱·스미싱)에 주의하시고, 그 안의 링크를 누르지 마십시오",
        "beware of calls, texts and e-mails you do not expect (phishing, smishing); do not open their links",
    ),
    "watch_accounts": Label(
        "카드·계좌의 거래 내역을 확인하시고, 모르는 거래가 있으면 카드사·은행에 알려 정지하십시오",
        "check your card and account statements; report a transaction you do not know to your bank",
    ),
    "identity_theft": Label(
        "명의도용 방지 서비스(엠세이퍼, www.msafer.or.kr)로 휴대전화 명의도용을 막으십시오",
        "block phone contracts in your name with the anti-identity-theft service (M-Safer, www.msafer.or.kr)",
    ),
    "rrn_change": Label(
        "주민등록번호 유출로 피해가 생기거나 우려되면 주민등록번호 변경을 신청할 수 있습니다 "
        "(주민등록법 제7조의4)",
        "if harm is done or feared, you may apply to change your resident registration number "
        "(Resident Registration Act 7-4)",
    ),
    "beware_visits": Label(
        "택배·방문을 가장한 연락과 방문에 주의하십시오", "beware of calls and visits posing as a delivery"
    ),
    "tell_us": Label(
        "의심스러운 일이 있으면 아래 연락처로 알려 주십시오",
        "tell us at the contacts below if anything looks wrong",
    ),
}
"""What a subject can do to limit the harm (피해 최소화 방법), chosen from the items breached."""

BODIES: dict[str, Label] = {
    "pipc": Label("개인정보보호위원회", "Personal Information Protection Commission (PIPC)", "PIPA 34③"),
    "kisa": Label("한국인터넷진흥원", "Korea Internet & Security Agency (KISA)", "시행령 40②"),
}
"""Where the report goes: either will do (34③, 령 40②); PIPC unless the operator chooses KISA."""
DEFAULT_BODY = "pipc"

GROUNDS: dict[str, Label] = {
    "subjects_1000": Label(
        "1천명 이상의 정보주체에 관한 개인정보", "personal data of 1,000 or more subjects", "시행령 40①1"
    ),
    "sensitive_data": Label("민감정보 (PIPA 23)", "sensitive data (PIPA 23)", "시행령 40①2"),
    "unique_id_data": Label("고유식별정보 (PIPA 24)", "unique-identifier data (PIPA 24)", "시행령 40①2"),
    "outside_access": Label(
        "외부로부터의 불법적인 접근에 의한 유출 등", "a breach by unlawful access from outside", "시행령 40①3"
    ),
}
"""Why a report is owed: each ground of 령 40①."""

NOTES: dict[str, Label] = {
    "below_thresholds": Label(
        "신고 의무 없음: 정보주체 1천명 미만, 민감정보·고유식별정보 없음, 외부로부터의 불법적인 접근 아님",
        "no report owed: fewer than 1,000 subjects, no sensitive or unique-identifier data, "
        "not unlawful access from outside",
        "시행령 40①",
    ),
    "subjects_not_counted": Label(
        "영향받은 정보주체를 아직 정하지 않아 1천명 기준을 판단할 수 없습니다",
        "the affected subjects are not listed yet, so the 1,000-subject ground cannot be decided",
        "시행령 40①1",
    ),
    "cause_unknown": Label(
        "원인을 아직 모릅니다: 외부로부터의 불법적인 접근으로 밝혀지면 신고해야 합니다",
        "the cause is not known yet: if it proves to be unlawful access from outside, a report is owed",
        "시행령 40①3",
    ),
    "amendment_in_force": Label(
        "2026년 개정법(2026-09-11 시행)이 포함하는 유출 등입니다 (유출 가능성, 위조·변조·훼손)",
        "a breach the 2026 amendment (in force 2026-09-11) counts: a possible breach, forgery, "
        "alteration, damage",
        "PIPA 34① (2026 개정)",
    ),
    "amendment_ahead": Label(
        "2026-09-11부터 시행되는 개정법이 포함하는 유출 등입니다: 인지 시점에는 아직 시행 전이지만 "
        "같은 절차로 통지·신고합니다",
        "a breach the 2026 amendment counts from 2026-09-11: not yet in force when the controller "
        "became aware, handled the same way all the same",
        "PIPA 34① (2026 개정)",
    ),
}
"""Caveats that go with a decision."""


@dataclass(frozen=True)
class Reason:
    """One reason of a decision: a stable code and its words (``GROUNDS`` or ``NOTES``)."""

    code: str
    ko: str
    en: str
    article: str = ""


def _reason(code: str, table: dict[str, Label], detail_ko: str = "", detail_en: str = "") -> Reason:
    label = table[code]
    ko = f"{label.ko} ({detail_ko})" if detail_ko else label.ko
    en = f"{label.en} ({detail_en})" if detail_en else label.en
    return Reason(code, ko, en, label.article)


@dataclass(frozen=True)
class ReportDecision:
    """Whether a report to PIPC or KISA is owed: ``grounds`` say why it is (or, when it is not,
    why not: ``below_thresholds``); ``notes`` are caveats (cause unknown, subjects not listed yet,
    the amendment)."""

    required: bool
    grounds: tuple[Reason, ...]
    notes: tuple[Reason, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.grounds)


def coverage(kind: str, aware_at: datetime) -> Reason | None:
    """Whether the kind counts only under the 2026 amendment, and whether it was in force when the
    controller became aware (``None``: a breach 34① has always counted)."""
    if kind not in AMENDED_KINDS:
        return None
    return _reason("amendment_in_force" if aware_at >= AMENDMENT_IN_FORCE else "amendment_ahead", NOTES)


def report_decision(
    *, subjects: int, items: Sequence[Item], cause: str | None, kind: str, aware_at: datetime
) -> ReportDecision:
    """Whether a report is owed (령 40①), from the number of affected subjects, the items breached
    and the cause."""
    grounds: list[Reason] = []
    if subjects >= REPORT_THRESHOLD:
        grounds.append(_reason("subjects_1000", GROUNDS, f"{subjects:,}명", f"{subjects:,} subjects"))
    sensitive = [i.id for i in items if i.is_sensitive]
    unique = [i.id for i in items if i.is_unique_id]
    if sensitive:
        grounds.append(_reason("sensitive_data", GROUNDS, ", ".join(sensitive), ", ".join(sensitive)))
    if unique:
        grounds.append(_reason("unique_id_data", GROUNDS, ", ".join(unique), ", ".join(unique)))
    if cause in OUTSIDE_CAUSES:
        grounds.append(_reason("outside_access", GROUNDS, CAUSES[cause].ko, CAUSES[cause].en))
    notes: list[Reason] = []
    if subjects == 0 and not grounds:
        notes.append(_reason("subjects_not_counted", NOTES))
    if cause is None:
        notes.append(_reason("cause_unknown", NOTES))
    amended = coverage(kind, aware_at)
    if amended is not None:
        notes.append(amended)
    if grounds:
        return ReportDecision(True, tuple(grounds), tuple(notes))
    cause_ko = CAUSES[cause].ko if cause else "원인 미상"
    cause_en = CAUSES[cause].en if cause else "cause unknown"
    why = _reason(
        "below_thresholds",
        NOTES,
        f"정보주체 {subjects:,}명, 민감정보·고유식별정보 없음, 원인: {cause_ko}",
        f"{subjects:,} subjects, no sensitive or unique-identifier data, cause: {cause_en}",
    )
    return ReportDecision(False, (why,), tuple(notes))


def due_at(aware_at: datetime) -> datetime:
    """When the notices and the report are due: 72 hours after becoming aware."""
    return aware_at + WINDOW


def hours_left(aware_at: datetime, now: datetime) -> float:
    """Hours left on the 72-hour clock, to a tenth (negative when overdue)."""
    return round((due_at(aware_at) - now).total_seconds() / 3600, 1)


def advice_for(items: Iterable[Item]) -> tuple[str, ...]:
    """What a subject can do, from the items breached (``ADVICE`` codes, in table order)."""
    wanted: set[str] = {"tell_us"}
    for item in items:
        if item.class_ == "credential" or item.format == "password":
            wanted.add("change_password")
        if item.format in ("email", "phone_kr") or item.class_ == "contact":
            wanted.add("beware_phishing")
        if item.class_ == "financial" or item.format in ("card", "account"):
            wanted.add("watch_accounts")
        if item.is_unique_id or item.class_ == "identity" or item.format == "ci":
            wanted.add("identity_theft")
        if item.format == "rrn":
            wanted.add("rrn_change")
        if item.format == "address":
            wanted.add("beware_visits")
    return tuple(code for code in ADVICE if code in wanted)


# -- what an operator types ----------------------------------------------------------------------


def check_code(field: str, value: str | None, known: dict[str, Label], *, optional: bool = False) -> None:
    """``value`` is one of ``known``'s codes (or ``None`` when ``optional``)."""
    if value is None and optional:
        return
    if value not in known:
        raise InvalidInput(
            field,
            f"알 수 없는 값입니다 (있는 것: {', '.join(known)})",
            f"unknown value (known: {', '.join(known)})",
        )


def check_codes(field: str, values: Sequence[str], known: dict[str, Label]) -> tuple[str, ...]:
    """Each of ``values`` is a code of ``known``; returned once each, in the order given."""
    for value in values:
        check_code(field, value, known)
    return tuple(dict.fromkeys(values))


def check_items(policy: Policy, items: Sequence[str]) -> tuple[str, ...]:
    """The breached items: at least one, each declared by the policy (ids, never values)."""
    if not items:
        raise InvalidInput("items", "유출 등이 된 항목을 적어도 하나 지정하십시오", "name at least one item")
    unknown = sorted({i for i in items if i not in policy.items_by_id})
    if unknown:
        raise InvalidInput("items", f"처리방침에 없는 항목: {unknown}", f"items not in the policy: {unknown}")
    return tuple(dict.fromkeys(items))


def check_times(aware_at: datetime, occurred_at: datetime | None, now: datetime) -> None:
    """The awareness time is not in the future; the breach did not happen after it."""
    if aware_at > now + CLOCK_SKEW:
        raise InvalidInput("aware_at", "인지 시각이 미래입니다", "the awareness time is in the future")
    if occurred_at is not None and occurred_at > aware_at:
        raise InvalidInput(
            "occurred_at",
            "유출 등의 시각이 인지 시각보다 늦습니다",
            "the breach cannot have happened after the controller became aware of it",
        )


def parse_instant(field: str, text: str) -> datetime:
    """An instant an operator types: ISO 8601 (``2026-03-02T09:30+09:00``, ``2026-03-02 09:30``) or a
    day (``2026-03-02``, its start); without an offset it is Korean time. Returned in UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time(0), tzinfo=KST)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            field,
            "시각은 ISO 8601 형식이어야 합니다 (예: 2026-03-02T09:30+09:00; 오프셋이 없으면 한국 시각)",
            "expected an ISO 8601 instant (e.g. 2026-03-02T09:30+09:00; Korean time without an offset)",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=KST)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(field, "달력 밖의 시각입니다", "the instant is outside the calendar") from None


SUBJECT_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def check_subject_ids(ids: Iterable[str]) -> list[str]:
    """Opaque subject ids, each once (blank lines and ``#`` comments of a file left out)."""
    found: dict[str, None] = {}
    for number, raw in enumerate(ids, start=1):
        value = raw.strip()
        if not value or value.startswith("#"):
            continue
        if not SUBJECT_ID.match(value):
            raise InvalidInput(
                f"subject_ids[{number}]",
                "대상자 id는 영문·숫자·_·- 32자 이하입니다",
                "a subject id is at most 32 letters, digits, '_' or '-'",
            )
        found[value] = None
    return list(found)


@dataclass(frozen=True)
class AffectedQuery:
    """Which subjects a breach affects, when not listed by id: those holding any of ``holding``
    (in the active or the separated store), optionally of one status and collection context, and
    created in ``[created_from, created_until)``."""

    holding: tuple[str, ...]
    status: str | None = None
    context: str | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None


QUERY_KEYS = ("holding", "status", "context", "created_from", "created_until")


def parse_query(policy: Policy, text: str) -> AffectedQuery:
    """``holding=email,mobile status=active context=signup created_from=2026-01-01 created_until=…``:
    terms separated by spaces, ``holding`` required."""
    terms: dict[str, str] = {}
    for term in text.split():
        key, sep, value = term.partition("=")
        if not sep or key not in QUERY_KEYS or key in terms:
            raise InvalidInput(
                "query",
                f"검색어는 {', '.join(QUERY_KEYS)} 가운데 key=value를 한 번씩 씁니다",
                f"terms are key=value, each key once, of {', '.join(QUERY_KEYS)}",
            )
        terms[key] = value
    return affected_query(
        policy,
        holding=[i for i in terms.get("holding", "").split(",") if i],
        status=terms.get("status"),
        context=terms.get("context"),
        created_from=parse_instant("created_from", terms["created_from"])
        if "created_from" in terms
        else None,
        created_until=parse_instant("created_until", terms["created_until"])
        if "created_until" in terms
        else None,
    )


def affected_query(
    policy: Policy,
    *,
    holding: Sequence[str],
    status: str | None = None,
    context: str | None = None,
    created_from: datetime | None = None,
    created_until: datetime | None = None,
) -> AffectedQuery:
    """The query, checked against the policy (items, contexts) and the subject states."""
    if not holding:
        raise InvalidInput(
            "holding", "보유 항목을 지정하십시오 (holding=…)", "name the items held (holding=…)"
        )
    items = check_items(policy, holding)
    statuses = [s.value for s in SubjectStatus]
    if status is not None and status not in statuses:
        raise InvalidInput(
            "status",
            f"알 수 없는 상태입니다 (있는 것: {', '.join(statuses)})",
            f"unknown status ({statuses})",
        )
    if context is not None and context not in policy.contexts_by_id:
        raise InvalidInput(
            "context", "처리방침에 없는 수집 상황입니다", "not a collection context of the policy"
        )
    if created_from is not None and created_until is not None and created_until <= created_from:
        raise InvalidInput(
            "created_until", "끝이 시작보다 늦어야 합니다", "the end of the window must be after its start"
        )
    return AffectedQuery(items, status, context, created_from, created_until)
