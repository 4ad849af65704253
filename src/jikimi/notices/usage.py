"""The yearly usage-and-provision notice (개인정보 이용·제공 내역 통지, PIPA 20-2, 시행령 15-3).

**Who owes it** (15-3①): a controller processing the personal data of 1,000,000 or more
subjects, or the sensitive data (23) or unique identifiers (24) of 50,000 or more. jikimi decides
from the vault's own counts (``UsageNotices.check``):

* *subjects* — those whose personal data the vault stores: an item value, a record, or data kept
  separated (dormant members, data a law keeps after withdrawal);
* *special subjects* — those holding a value of an item the policy classes as sensitive or as a
  unique identifier (active or separated).

Both are counted now, and no further than the threshold. The decree counts the daily average over
the last three months of the previous year (PIPC Q&A 2024; the text of 15-3① in English
translation) — the vault keeps no daily history, so a service near a threshold should run the
check around the turn of the year and read the figure with that in mind. The decree's
exclusions (subjects who refused the notice, staff data, data used under a statute) have no
marker in the vault; the provisions on a legal basis are left out of every notice.

**What it says** (15-3③): the purposes and the items collected, and who received which items for
what purpose. ``UsageNotices.queue`` writes one ``usage_notice`` per subject who holds a contact
item (20-2②: without one there is no duty), dedupe key ``usage_notice:<year>:<subject>``, so a
year is told once. The payload carries everything the message says — item and purpose ids, and
per recipient the items given, how often, first and last date — computed set-based when queued:
subjects are taken 2,000 at a time by id, with one query each for what they hold, what they
consented to and what was provided in the year, and one multi-row insert. Rendering reads nothing
from the database, so a million messages cost no million queries. Each page is one unit of work;
a crash mid-run leaves the pages done queued, and a rerun queues the rest (the dedupe key skips
the others).

Below the thresholds the notice is voluntary: ``force=True`` sends it (``payload.voluntary``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from jikimi.core import Core
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import Handler
from jikimi.periods import KST, kst_day
from jikimi.policy.model import Policy
from jikimi.store import audiences
from jikimi.store import outbox as outbox_rows
from jikimi.store import usage as usage_rows

SUBJECTS_THRESHOLD = 1_000_000
"""시행령 15-3①2: the personal data of this many subjects."""
SPECIAL_THRESHOLD = 50_000
"""시행령 15-3①1: the sensitive data or unique identifiers of this many subjects."""
PAGE = 2000
CHANNELS = ("email", "sms", "letter")
KIND = "usage_notice"

_REASONS = {
    "subjects": (
        f"개인정보를 보관 중인 정보주체가 {SUBJECTS_THRESHOLD:,}명 이상입니다 (시행령 15-3①2)",
        f"the vault stores the personal data of {SUBJECTS_THRESHOLD:,} or more subjects (decree 15-3①2)",
    ),
    "special": (
        f"민감정보 또는 고유식별정보를 보관 중인 정보주체가 {SPECIAL_THRESHOLD:,}명 이상입니다 "
        "(시행령 15-3①1)",
        f"the vault stores sensitive data or unique identifiers of {SPECIAL_THRESHOLD:,} or more "
        "subjects (decree 15-3①1)",
    ),
    "below": (
        f"정보주체 {SUBJECTS_THRESHOLD:,}명, 민감정보·고유식별정보 {SPECIAL_THRESHOLD:,}명 기준에 "
        "못 미쳐 의무가 없습니다 (자발적 통지는 --force)",
        f"below both thresholds ({SUBJECTS_THRESHOLD:,} subjects; {SPECIAL_THRESHOLD:,} with sensitive "
        "data or unique identifiers): no duty (a voluntary notice with --force)",
    ),
}
COUNTED = (
    "지금 보관 중인 개인정보(항목 값, 기록, 분리 보관 자료)의 정보주체 수. 시행령은 전년도 말 기준 "
    "직전 3개월의 일일평균으로 셉니다",
    "subjects whose personal data (item values, records, separated data) the vault stores now; the "
    "decree counts the daily average of the last three months of the previous year",
)


@dataclass(frozen=True)
class UsageDuty:
    """Whether the usage notice is owed for ``year``, from what the vault holds, and why."""

    year: int
    counted_at: datetime
    subjects: int
    """Subjects with stored personal data, counted up to ``SUBJECTS_THRESHOLD``."""
    special_items: tuple[str, ...]
    """The policy's sensitive and unique-identifier items."""
    special_subjects: int
    """Subjects holding one of them, counted up to ``SPECIAL_THRESHOLD``."""
    reason: str
    """``subjects``, ``special`` or ``below``."""

    @property
    def owed(self) -> bool:
        return self.reason != "below"

    @property
    def reason_ko(self) -> str:
        return _REASONS[self.reason][0]

    @property
    def reason_en(self) -> str:
        return _REASONS[self.reason][1]

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "counted_at": self.counted_at.isoformat(),
            "owed": self.owed,
            "reason": self.reason,
            "reason_ko": self.reason_ko,
            "reason_en": self.reason_en,
            "subjects": self.subjects,
            "subjects_at_least": self.subjects >= SUBJECTS_THRESHOLD,
            "special_items": list(self.special_items),
            "special_subjects": self.special_subjects,
            "special_subjects_at_least": self.special_subjects >= SPECIAL_THRESHOLD,
            "thresholds": {"subjects": SUBJECTS_THRESHOLD, "special_subjects": SPECIAL_THRESHOLD},
            "counted_ko": COUNTED[0],
            "counted_en": COUNTED[1],
        }


@dataclass(frozen=True)
class UsageRun:
    """What a run queued: for which period, how many subjects it went through, who was told."""

    duty: UsageDuty
    voluntary: bool
    period_start: datetime
    period_end: datetime
    subjects: int
    """Subjects who have not withdrawn, gone through."""
    queued: int
    without_contact: int

    @property
    def already_queued(self) -> int:
        return self.subjects - self.without_contact - self.queued

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.duty.year,
            "voluntary": self.voluntary,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "subjects": self.subjects,
            "queued": self.queued,
            "already_queued": self.already_queued,
            "without_contact": self.without_contact,
            "duty": self.duty.to_dict(),
        }


def special_items(policy: Policy) -> tuple[str, ...]:
    return tuple(i.id for i in policy.items if i.is_sensitive or i.is_unique_id)


def period_of(year: int, now: datetime) -> tuple[datetime, datetime]:
    """The calendar year ``year`` in Korean time (as UTC instants), ending now when it is not over yet."""
    start = datetime.combine(date(year, 1, 1), time(0, 0), tzinfo=KST).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(0, 0), tzinfo=KST).astimezone(UTC)
    return start, min(end, now)


def payload_of(
    policy: Policy,
    held: set[str],
    consented: set[str],
    given: dict[str, usage_rows.Given],
    *,
    year: int,
    period: tuple[datetime, datetime],
    voluntary: bool,
) -> dict[str, object]:
    """One subject's notice: ids, dates and counts (pure). A purpose resting on consent is listed
    only when the subject's consent to it is live; the others whenever they use an item held."""
    uses = [
        {"purpose": p.id, "items": sorted(held & (set(p.items) | set(p.records)))}
        for p in policy.purposes
        if held & (set(p.items) | set(p.records)) and (p.basis != "consent" or p.id in consented)
    ]
    provisions = [
        {
            "third_party_id": third_party_id,
            "items": sorted(g.items),
            "count": g.count,
            "first_at": g.first_at,
            "last_at": g.last_at,
        }
        for third_party_id, g in sorted(given.items())
    ]
    return {
        "year": year,
        "period_start": period[0],
        "period_end": period[1],
        "voluntary": voluntary,
        "items": sorted(held),
        "uses": uses,
        "provisions": provisions,
    }


class UsageNotices:
    """The yearly usage-and-provision notice: whether it is owed, and queueing it."""

    def __init__(self, core: Core, *, page: int = PAGE) -> None:
        self.core = core
        self.page = page

    def check(self, *, year: int | None = None) -> UsageDuty:
        """Whether the notice is owed, from the vault's counts (see the module for what is counted)."""
        now = self.core.now()
        year = self._year(year, now)
        special = special_items(self.core.policy)
        with self.core.reading() as conn:
            subjects = audiences.count_with_data(conn, SUBJECTS_THRESHOLD)
            holding = audiences.count_holding(conn, special, SPECIAL_THRESHOLD)
        reason = (
            "subjects"
            if subjects >= SUBJECTS_THRESHOLD
            else "special"
            if holding >= SPECIAL_THRESHOLD
            else "below"
        )
        return UsageDuty(year, now, subjects, special, holding, reason)

    def queue(
        self, *, year: int | None = None, force: bool = False, actor: Handler | str, source: str = "local"
    ) -> UsageRun:
        """Queue the notice of ``year`` (default: this year in KST, so far) for every subject with a
        contact item; ``StateConflict`` when it is not owed, unless ``force`` (a voluntary notice)."""
        handler = self.core.actor(actor)
        if not handler.role.may("admin"):
            raise Denied(
                "action_not_allowed",
                "이용·제공 내역 통지를 보낼 권한이 없습니다",
                "the handler may not send the usage notice",
            )
        duty = self.check(year=year)
        if not duty.owed and not force:
            raise StateConflict(duty.reason_ko, duty.reason_en)
        now = duty.counted_at
        period = period_of(duty.year, now)
        policy = self.core.policy
        by_channel = audiences.contact_items(policy, CHANNELS)
        seen = queued = without = 0
        after: str | None = None
        while True:
            with self.core.unit_of_work() as uow:
                ids = usage_rows.page(uow.conn, after=after, limit=self.page)
                if not ids:
                    break
                held = usage_rows.held(uow.conn, after=after, last=ids[-1])
                agreed = usage_rows.consented(uow.conn, after=after, last=ids[-1])
                given = usage_rows.provided(
                    uow.conn, after=after, last=ids[-1], since=period[0], until=period[1]
                )
                messages = []
                for sid in ids:
                    mine = held.get(sid, set())
                    channel = next((c for c, items in by_channel.items() if mine & set(items)), None)
                    if channel is None:
                        without += 1
                        continue
                    payload = payload_of(
                        policy,
                        mine,
                        agreed.get(sid, set()),
                        given.get(sid, {}),
                        year=duty.year,
                        period=period,
                        voluntary=not duty.owed,
                    )
                    messages.append(
                        {
                            "kind": KIND,
                            "subject_id": sid,
                            "dedupe_key": f"{KIND}:{duty.year}:{sid}",
                            "payload": payload,
                            "due_at": now,
                            "channel": channel,
                        }
                    )
                queued += outbox_rows.enqueue_many(uow.conn, messages, now=now)
                uow.commit()
            seen += len(ids)
            after = ids[-1]
        with self.core.unit_of_work() as uow:
            self.core.log(
                uow,
                now,
                handler.login,
                "notices.usage",
                source=source,
                reason=f"year={duty.year}; owed={duty.owed}; reason={duty.reason}; queued={queued}",
                count=max(1, queued),
            )
            uow.commit()
        return UsageRun(duty, not duty.owed, period[0], period[1], seen, queued, without)

    @staticmethod
    def _year(year: int | None, now: datetime) -> int:
        this = kst_day(now).year
        if year is None:
            return this
        if not 2000 <= year <= this:
            raise InvalidInput(
                "year",
                f"2000년부터 올해({this}년)까지의 해여야 합니다",
                f"must be a year from 2000 to this year ({this})",
            )
        return year
