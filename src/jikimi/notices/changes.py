"""Policy changes told to members ahead of time, and posted (처리방침 변경 고지, PIPA 30②, 시행령 31).

``PolicyChanges.announce(old, new, effective=…)`` compares the two versions (``policy.diff``):
a material change needs ``notice.material_lead_days`` of notice (30 in the seeds), any other
``notice.lead_days`` (7). An effective date closer than that is refused, naming the earliest
lawful one. Otherwise, in ONE unit of work:

* the notice is posted (``postings``, kind ``policy_change``, ref the new version): an HTML page
  listing every change in Korean with English alongside, up from now until 30 days after the
  change takes effect (``GET /v1/postings`` serves it);
* a ``policy_change`` message is queued, due now, for every member who has not withdrawn and
  holds a contact item — by e-mail when they hold an e-mail item, else by text message when they
  hold a mobile number — with one ``INSERT … SELECT`` however many members there are. The
  channel is decided from which items a member holds, never from their values;
* the announcement is logged (``policy.announce``).

Announcing the same version again queues nothing new (dedupe key
``policy_change:<version>:<subject>``) and renews the posting's wording. Members without a
contact item (a dormant member's contact is separated) are counted, not told: the posting is
their notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jikimi.core import Core
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import Handler
from jikimi.ids import new_id
from jikimi.notices.wording import iso_date, kst, kst_date, render
from jikimi.notices.words import WORDS
from jikimi.periods import KST, kst_day
from jikimi.policy.diff import Change, PolicyDiff, diff_policies
from jikimi.policy.model import NoticeKind, Policy
from jikimi.store import audiences
from jikimi.store import outbox as outbox_rows
from jikimi.store import postings as posting_rows

KIND: NoticeKind = "policy_change"
POSTED_AFTER = timedelta(days=30)
"""How long the posting stays up after the change takes effect."""
VERSION_FIELDS = frozenset({"version", "effective", "announced", "source", "history"})
"""Changes of the version's own data: in the posting, not among the sections a message names."""
CHANNELS = ("email", "sms")
"""The channels a member is told through, in order: e-mail when they hold an e-mail item, else SMS."""


@dataclass(frozen=True)
class Announcement:
    """What an announcement did: the diff's verdict, the dates, who was told and the posting."""

    old_version: str
    new_version: str
    material: bool
    notice_days: int
    notice_date: date
    effective: date
    earliest_effective: date
    members: int
    """Members who have not withdrawn."""
    queued: int
    """Messages queued now (0 when the version was announced before)."""
    reachable: int
    """Members holding a contact item (told now, or by an earlier announcement of this version)."""
    posting_id: str
    """The posting's id (empty in a dry run of a version never posted)."""
    changes: tuple[Change, ...]
    dry_run: bool = False

    @property
    def without_contact(self) -> int:
        return self.members - self.reachable

    def to_dict(self) -> dict[str, object]:
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "material": self.material,
            "notice_days": self.notice_days,
            "notice_date": self.notice_date.isoformat(),
            "effective": self.effective.isoformat(),
            "earliest_effective": self.earliest_effective.isoformat(),
            "members": self.members,
            "queued": self.queued,
            "already_queued": 0 if self.dry_run else self.reachable - self.queued,
            "reachable": self.reachable,
            "without_contact": self.without_contact,
            "posting_id": self.posting_id,
            "changes": len(self.changes),
            "material_changes": sum(c.material for c in self.changes),
            "dry_run": self.dry_run,
        }


def effective_instant(day: date) -> datetime:
    """00:00 KST of ``day`` (in UTC, as stored): when a version effective that day takes effect."""
    return datetime.combine(day, time(0, 0), tzinfo=KST).astimezone(UTC)


def checked_effective(diff: PolicyDiff, new: Policy, effective: date | None, today: date) -> date:
    """The effective date of the announcement — as given, else the new policy's, else the earliest
    lawful one — refused when closer than the notice the change needs (pure)."""
    earliest = diff.earliest_effective(today)
    stated = new.effective if isinstance(new.effective, date) else None
    if effective is not None and stated is not None and effective != stated:
        raise InvalidInput(
            "effective",
            f"새 처리방침의 시행일({stated.isoformat()})과 다릅니다",
            f"differs from the new policy's effective date ({stated.isoformat()})",
        )
    chosen = effective or stated or earliest
    if chosen < earliest:
        scope_ko, scope_en = ("중요 변경", "a material change") if diff.material else ("변경", "a change")
        raise InvalidInput(
            "effective",
            f"{scope_ko}은 시행 {diff.notice_days}일 전에 알려야 합니다: 시행일 {chosen.isoformat()}은 너무 "
            f"가깝습니다. 가장 이른 시행일은 {earliest.isoformat()}입니다",
            f"{scope_en} must be told {diff.notice_days} days ahead: {chosen.isoformat()} is too soon; "
            f"the earliest lawful effective date is {earliest.isoformat()}",
        )
    return chosen


def notice_payload(diff: PolicyDiff, effective: date, now: datetime, posting_id: str) -> dict[str, object]:
    """What every member's message holds: versions, dates, counts and the sections changed (codes)."""
    sections = list(dict.fromkeys(c.section for c in diff.changes if c.section not in VERSION_FIELDS))
    material = list(dict.fromkeys(c.section for c in diff.changes if c.material))
    return {
        "old_version": diff.old_version,
        "new_version": diff.new_version,
        "effective": effective.isoformat(),
        "announced_at": now,
        "notice_days": diff.notice_days,
        "material": diff.material,
        "sections": sections,
        "material_sections": material,
        "changes": len(diff.changes),
        "material_changes": sum(c.material for c in diff.changes),
        "posting_id": posting_id,
    }


@cache
def _html() -> Environment:
    env = Environment(
        loader=PackageLoader("jikimi.notices", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["kst"] = kst
    env.filters["kst_date"] = kst_date
    env.filters["iso_date"] = iso_date
    return env


def posting_html(new: Policy, diff: PolicyDiff, payload: dict[str, object]) -> str:
    """The posted notice: every change, escaped (the display strings are the policy's own text)."""
    kinds = {"added": ("추가", "added"), "removed": ("삭제", "removed"), "changed": ("변경", "changed")}
    return (
        _html()
        .get_template("policy_change_posting.html")
        .render(controller=new.controller, payload=payload, changes=diff.changes, words=WORDS, kinds=kinds)
    )


class PolicyChanges:
    """Announcing a new version of the policy to members, and posting it."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def preview(self, old: Policy, new: Policy, *, effective: date | None = None) -> Announcement:
        """What ``announce`` would do now, doing nothing (refused like it): ``dry_run`` set, nothing
        queued, ``reachable`` the members it would tell."""
        now = self.core.now()
        today = kst_day(now)
        diff = self._diff(old, new)
        day = checked_effective(diff, new, effective, today)
        with self.core.reading() as conn:
            members, reachable = audiences.member_counts(
                conn, audiences.contact_items(self.core.policy, CHANNELS)
            )
            found = posting_rows.get(conn, KIND, diff.new_version)
        return Announcement(
            old_version=diff.old_version,
            new_version=diff.new_version,
            material=diff.material,
            notice_days=diff.notice_days,
            notice_date=today,
            effective=day,
            earliest_effective=diff.earliest_effective(today),
            members=members,
            queued=0,
            reachable=reachable,
            posting_id=str(found.id) if found is not None else "",
            changes=diff.changes,
            dry_run=True,
        )

    def announce(
        self,
        old: Policy,
        new: Policy,
        *,
        effective: date | None = None,
        actor: Handler | str,
        source: str = "local",
    ) -> Announcement:
        """Tell every member of the change from ``old`` to ``new`` and post it (see the module)."""
        handler = self.core.actor(actor)
        if not handler.role.may("admin"):
            raise Denied(
                "action_not_allowed",
                "처리방침 변경을 고지할 권한이 없습니다",
                "the handler may not announce policy changes",
            )
        now = self.core.now()
        today = kst_day(now)
        diff = self._diff(old, new)
        day = checked_effective(diff, new, effective, today)
        by_channel = audiences.contact_items(self.core.policy, CHANNELS)
        with self.core.unit_of_work() as uow:
            found = posting_rows.get(uow.conn, KIND, diff.new_version)
            posting_id = str(found.id) if found is not None else new_id()
            payload = notice_payload(diff, day, now, posting_id)
            title = render(new, KIND, payload, message_id=posting_id).title
            posting_rows.put(
                uow.conn,
                new_id=posting_id,
                kind=KIND,
                ref=diff.new_version,
                title=title,
                body=posting_html(new, diff, payload),
                posted_at=now,
                until_at=effective_instant(day) + POSTED_AFTER,
            )
            audience = audiences.members(by_channel)
            queued = 0
            if audience is not None:
                queued = outbox_rows.enqueue_select(
                    uow.conn,
                    kind=KIND,
                    audience=audience,
                    dedupe_prefix=f"{KIND}:{diff.new_version}:",
                    payload=payload,
                    due_at=now,
                    now=now,
                )
            members, reachable = audiences.member_counts(uow.conn, by_channel)
            self.core.log(
                uow,
                now,
                handler.login,
                "policy.announce",
                source=source,
                reason=f"{diff.old_version}->{diff.new_version}; effective={day.isoformat()}; "
                f"material={diff.material}; posting={posting_id}",
                count=max(1, queued),
            )
            uow.commit()
        return Announcement(
            old_version=diff.old_version,
            new_version=diff.new_version,
            material=diff.material,
            notice_days=diff.notice_days,
            notice_date=today,
            effective=day,
            earliest_effective=diff.earliest_effective(today),
            members=members,
            queued=queued,
            reachable=reachable,
            posting_id=posting_id,
            changes=diff.changes,
        )

    @staticmethod
    def _diff(old: Policy, new: Policy) -> PolicyDiff:
        diff = diff_policies(old, new)
        if not diff.changes:
            raise InvalidInput(
                "new", "이전 처리방침과 다른 점이 없습니다", "nothing changed from the old policy"
            )
        if diff.old_version == diff.new_version:
            raise InvalidInput(
                "version",
                f"새 처리방침의 판(version)이 이전과 같습니다({diff.new_version}): 판을 올리십시오",
                f"the new policy has the old one's version ({diff.new_version}); give it a new version",
            )
        return diff
