"""The section-by-section comparison behind ``jikimi.policy.diff``.

Every field of ``Policy`` is compared: sections with ids (items, purposes, recipients…) are
matched by id, officers by role and name (else order), security measures by kind and
description, redress agencies by name, free sections by title. A field no rule names is still
compared and reported as a minor change, so nothing is left out.

A change is *material* when it widens what is collected, used, provided, sent abroad or kept
(PIPA.md §1.6: the seeds promise 30 days' notice for those, 7 days for everything else). Each
rule says why, in Korean and English. Display strings hold only what the policy itself
publishes.

The generic comparison (fields, lists of ids, entities, optional sections) and ``Change`` itself
live in ``jikimi.policy._diff_base``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from jikimi.policy._diff_base import (
    MINOR,
    REMOVED,
    Change,
    ChangeKind,
    Differ,
    Why,
    change,
    fixed,
    short,
    show,
    skip,
    when,
)
from jikimi.policy.model import DOMESTIC, UNIQUE_ID_FORMATS, Contact, Context, Policy, RetentionRule

__all__ = ["Change", "ChangeKind", "SectionDiffer"]

# --- reasons ----------------------------------------------------------------------------------

CONTACT = Why(False, "연락처·담당자 변경", "contact details")
VERSION = Why(False, "판·시행일·연혁 정보", "version, dates or history")
SECURITY = Why(False, "안전성 확보조치 변경", "security measure")
NEW_ITEM = Why(True, "수집 항목 추가", "new personal data item")
SPECIAL = Why(True, "고유식별정보·민감정보로 분류", "item becomes a unique identifier or sensitive data")
NEW_CONTEXT = Why(True, "새 수집 상황에서 개인정보 수집", "new collection context")
IN_CONTEXT = Why(True, "수집 상황에 수집 항목 추가", "item newly collected in this context")
MADE_REQUIRED = Why(True, "선택 항목이 필수로 변경", "item changed from optional to required")
MADE_OPTIONAL = Why(False, "필수 항목이 선택으로 변경", "item changed from required to optional")
CONTEXT_PURPOSE = Why(True, "수집 상황에 처리 목적 추가", "context used for a further purpose")
CHILDREN = Why(True, "만 14세 미만 아동의 개인정보 수집 시작", "starts collecting children's data")
GUARDIAN_ITEMS = Why(True, "법정대리인 수집 항목 추가", "more items collected from guardians")
NEW_PURPOSE = Why(True, "처리 목적 추가", "new purpose")
PURPOSE_ITEMS = Why(True, "처리 목적에 이용 항목 추가", "more items used for this purpose")
CONSENT_BASIS = Why(True, "법적 근거가 동의로, 또는 동의에서 변경", "legal basis changed to or from consent")
OTHER_BASIS = Why(False, "동의와 무관한 법적 근거 변경", "legal basis changed, consent not involved")
CONSENT_REQUIRED = Why(True, "동의가 필수로 변경", "consent made required")
SEPARATE_DROPPED = Why(True, "별도 동의 폐지", "separate consent dropped")
MARKETING = Why(True, "마케팅 목적 이용 추가", "now used for marketing")
NEW_RECORD = Why(True, "보관 기록 종류 추가", "new kind of record kept")
NEW_RETENTION = Why(True, "보유 규칙 추가", "new retention rule")
RETAINED_MORE = Why(True, "보유 대상 항목 추가", "more items kept under this rule")
LONGER = Why(True, "보유기간 연장", "longer retention")
SHORTER = Why(False, "보유기간 단축", "shorter retention")
SAME_LENGTH = Why(False, "같은 기간의 다른 표기", "same length, written differently")
RESOLVED = Why(True, "미정 보유기간이 기간으로 확정", "placeholder resolved to a period")
UNRESOLVED = Why(True, "보유기간이 미정으로 변경", "period replaced by a placeholder")
LATER_START = Why(True, "보유기간 기산점 변경(더 늦을 수 있음)", "retention may start later")
EARLIER_START = Why(False, "보유기간 기산점이 앞당겨짐", "retention starts earlier")
SAME_START = Why(False, "보유기간 기산점을 적어 넣음(같은 시점)", "retention start written out, same event")
STATUTE_BASIS = Why(False, "보유 근거 변경(기간은 따로 비교)", "retention basis (period compared apart)")
DORMANCY_NEW = Why(True, "휴면 정책 신설", "dormancy policy introduced")
DORMANCY_GONE = Why(True, "휴면 정책 폐지", "dormancy policy removed")
DORMANCY = Why(False, "휴면 전환 기간·통지 등 세부 변경", "dormancy detail")
NEW_RECIPIENT = Why(True, "제3자 제공 추가", "new third-party recipient")
RECIPIENT = Why(True, "제3자 제공 내용 변경", "third-party provision changed")
OVERSEAS = Why(True, "국외 이전 추가·변경", "overseas transfer added or changed")
NEW_PROCESSOR = Why(True, "처리 위탁 추가", "new processor")
PROCESSOR_ITEMS = Why(True, "수탁자에게 위탁하는 항목 추가", "processor given more items")
SUB_PROCESSOR = Why(True, "재위탁 추가", "new sub-processor")
NEW_AUTO = Why(True, "자동 수집 장치 추가", "new automatic collection")
AUTO_ITEMS = Why(True, "자동 수집 항목 추가", "more items collected automatically")
NEW_DECISION = Why(True, "자동화된 결정 추가", "new automated decision")
DECISION_ITEMS = Why(True, "자동화된 결정에 이용 항목 추가", "more items used in an automated decision")
NEW_PSEUDO = Why(True, "가명정보 처리 추가", "pseudonymized processing introduced")
PSEUDO_ITEMS = Why(True, "가명처리 항목 추가", "more items pseudonymized")

SPECIAL_CLASSES = frozenset({"unique_id", "sensitive"})
_START_RANK = {
    "collection": 0,
    "record_date": 0,
    "last_activity": 1,
    "purpose_end": 2,
    "contract_end": 2,
    "consent_withdrawal": 2,
    "withdrawal": 3,
}


def abroad(country: Any) -> bool:
    return isinstance(country, str) and country not in DOMESTIC


class SectionDiffer(Differ):
    """Compares two policies; ``changes()`` yields every difference, section by section."""

    def changes(self) -> Iterator[Change]:
        handlers: dict[str, Callable[[Any, Any], Iterator[Change]]] = {
            "controller": lambda a, b: self.fields("controller", "controller", a, b, {}, CONTACT),
            "officers": self.officers,
            "items": self.items,
            "contexts": self.contexts,
            "purposes": self.purposes,
            "records": lambda a, b: self.entities(
                "records", "records", a, b, _id, added=NEW_RECORD, rules={"items": self.ids(NEW_RECORD)}
            ),
            "retention": self.retention,
            "dormancy": lambda a, b: self.optional(
                "dormancy", a, b, added=DORMANCY_NEW, removed=DORMANCY_GONE, default=DORMANCY
            ),
            "destruction": lambda a, b: self.optional("destruction", a, b),
            "children": self.children,
            "third_parties": self.third_parties,
            "processors": self.processors,
            "auto_collection": lambda a, b: self.entities(
                "auto_collection",
                "auto_collection",
                a,
                b,
                _id,
                added=NEW_AUTO,
                rules={"items": self.ids(AUTO_ITEMS)},
            ),
            "security": lambda a, b: self.entities(
                "security",
                "security",
                a,
                b,
                lambda m: f"{m.kind}: {short(m.description, 40)}",
                added=SECURITY,
                removed=SECURITY,
                default=SECURITY,
            ),
            "rights": lambda a, b: self.optional("rights", a, b),
            "complaints": self.complaints,
            "notice": lambda a, b: self.fields("notice", "notice", a, b, {}),
            "automated_decisions": lambda a, b: self.entities(
                "automated_decisions",
                "automated_decisions",
                a,
                b,
                _id,
                added=NEW_DECISION,
                rules={"items": self.ids(DECISION_ITEMS)},
            ),
            "pseudonymization": lambda a, b: self.optional(
                "pseudonymization", a, b, added=NEW_PSEUDO, rules={"items": self.ids(PSEUDO_ITEMS)}
            ),
            "masking": self.masking,
            "sections": lambda a, b: self.entities(
                "sections", "sections", a, b, lambda s: s.title, added=MINOR
            ),
            "history": lambda a, b: self.entities(
                "history",
                "history",
                a,
                b,
                lambda h: h.version,
                added=VERSION,
                removed=VERSION,
                default=VERSION,
            ),
        }
        metadata = {"version", "effective", "announced", "source"}
        for name in Policy.model_fields:
            before, after = getattr(self.old, name), getattr(self.new, name)
            if before == after:
                continue
            handler = handlers.get(name)
            if handler is not None:
                yield from handler(before, after)
            else:
                yield change(name, name, before, after, VERSION if name in metadata else MINOR)

    def items(self, old: Any, new: Any) -> Iterator[Change]:
        gains_class = when(lambda a, b: b in SPECIAL_CLASSES and a != b, SPECIAL)
        rules = {
            "class_": gains_class,
            "format": when(lambda a, b: b in UNIQUE_ID_FORMATS and a not in UNIQUE_ID_FORMATS, SPECIAL),
            "sensitive_kind": when(lambda a, b: b is not None, SPECIAL),
        }
        yield from self.entities("items", "items", old, new, _id, added=NEW_ITEM, rules=rules)

    def contexts(self, old: Any, new: Any) -> Iterator[Change]:
        rules = {
            "required": skip,
            "optional": skip,
            "purposes": self.ids(CONTEXT_PURPOSE),
            "children": when(lambda a, b: b == "guardian_consent", CHILDREN),
        }

        def added(ctx: Context) -> Why:
            return NEW_CONTEXT if ctx.required or ctx.optional else MINOR

        yield from self.entities(
            "contexts", "contexts", old, new, _id, added=added, rules=rules, extra=self.membership
        )

    def membership(self, key: str, old: Context, new: Context) -> Iterator[Change]:
        """An item's place in a context: absent, required (필수) or optional (선택)."""

        def place(ctx: Context, ref: str) -> str | None:
            return "required" if ref in ctx.required else "optional" if ref in ctx.optional else None

        names = {"required": "필수(required)", "optional": "선택(optional)"}
        refs = dict.fromkeys((*new.required, *new.optional, *old.required, *old.optional))
        for ref in refs:
            before, after = place(old, ref), place(new, ref)
            if before == after:
                continue
            why = (
                IN_CONTEXT
                if before is None
                else REMOVED
                if after is None
                else MADE_REQUIRED
                if after == "required"
                else MADE_OPTIONAL
            )
            yield change(
                "contexts",
                f"{key}.items[{ref}]",
                before and f"{self.label(ref)} [{names[before]}]",
                after and f"{self.label(ref)} [{names[after]}]",
                why,
            )

    def purposes(self, old: Any, new: Any) -> Iterator[Change]:
        rules = {
            "items": self.ids(PURPOSE_ITEMS),
            "records": self.ids(PURPOSE_ITEMS),
            "basis": when(lambda a, b: "consent" in (a, b), CONSENT_BASIS, OTHER_BASIS),
            "consent": when(lambda a, b: b == "required", CONSENT_REQUIRED),
            "separate_consent": when(lambda a, b: a and not b, SEPARATE_DROPPED),
            "marketing": when(lambda a, b: b and not a, MARKETING),
        }
        yield from self.entities("purposes", "purposes", old, new, _id, added=NEW_PURPOSE, rules=rules)

    def retention(self, old: Any, new: Any) -> Iterator[Change]:
        rules = {
            "period": skip,
            "statute": skip,
            "basis": fixed(STATUTE_BASIS),
            "what": self.ids(RETAINED_MORE),
            "from_": skip,  # compared by the start in force, in ``_retention_details``
        }
        yield from self.entities(
            "retention",
            "retention",
            old,
            new,
            _id,
            added=NEW_RETENTION,
            rules=rules,
            extra=_retention_details,
        )

    def children(self, old: Any, new: Any) -> Iterator[Change]:
        starts = new is not None and new.policy == "guardian_consent"
        rules = {
            "policy": when(lambda a, b: b == "guardian_consent", CHILDREN),
            "guardian_items": self.ids(GUARDIAN_ITEMS),
        }
        yield from self.optional("children", old, new, added=CHILDREN if starts else MINOR, rules=rules)

    def third_parties(self, old: Any, new: Any) -> Iterator[Change]:
        rules = {
            "items": self.ids(RECIPIENT, RECIPIENT),
            "country": when(lambda a, b: abroad(a) or abroad(b), OVERSEAS, RECIPIENT),
            "overseas": fixed(OVERSEAS),
            "contact": fixed(CONTACT),
            "note": fixed(MINOR),
            "citation": fixed(MINOR),
        }
        yield from self.entities(
            "third_parties",
            "third_parties.recipients",
            old.recipients,
            new.recipients,
            _id,
            added=lambda p: OVERSEAS if p.is_overseas else NEW_RECIPIENT,
            rules=rules,
            default=RECIPIENT,
        )
        yield from self.fields("third_parties", "third_parties", old, new, {"recipients": skip})

    def processors(self, old: Any, new: Any) -> Iterator[Change]:
        rules = {
            "items": self.ids(PROCESSOR_ITEMS),
            "country": when(lambda a, b: abroad(a) or abroad(b), OVERSEAS),
            "overseas": fixed(OVERSEAS),
            "sub_processors": self.ids(SUB_PROCESSOR),
        }
        yield from self.entities(
            "processors",
            "processors.processors",
            old.processors,
            new.processors,
            _id,
            added=lambda p: OVERSEAS if p.is_overseas else NEW_PROCESSOR,
            rules=rules,
        )
        yield from self.fields("processors", "processors", old, new, {"processors": skip})

    def complaints(self, old: Any, new: Any) -> Iterator[Change]:
        if old is None or new is None:
            yield from self.optional("complaints", old, new)
            return
        yield from self.entities(
            "complaints",
            "complaints.redress",
            old.redress,
            new.redress,
            lambda r: r.name,
            added=MINOR,
            default=CONTACT,
        )
        yield from self.fields("complaints", "complaints", old, new, {"redress": skip})

    def masking(self, old: Any, new: Any) -> Iterator[Change]:
        for ref in dict.fromkeys((*new, *old)):
            if old.get(ref) != new.get(ref):
                yield change("masking", f"masking[{ref}]", old.get(ref), new.get(ref), MINOR)

    def officers(self, old: Sequence[Contact], new: Sequence[Contact]) -> Iterator[Change]:
        """Contacts matched by role, then by name, then by order within the role."""
        for role in dict.fromkeys(c.role for c in (*new, *old)):
            before = [c for c in old if c.role == role]
            after = [c for c in new if c.role == role]
            many = max(len(before), len(after)) > 1
            for n, (a, b) in enumerate(_pair_contacts(before, after), start=1):
                ref = b or a
                assert ref is not None
                tag = role if not many else f"{role}:{ref.name}" if ref.name else f"{role}#{n}"
                key = f"officers[{tag}]"
                if a is None or b is None:
                    yield change("officers", key, a, b, CONTACT)
                elif a != b:
                    yield from self.fields("officers", key, a, b, {}, CONTACT)


def _id(entity: Any) -> str:
    return str(entity.id)


def _pair_contacts(old: list[Contact], new: list[Contact]) -> list[tuple[Contact | None, Contact | None]]:
    left = list(old)
    pairs: list[tuple[Contact | None, Contact | None]] = []
    unnamed: list[Contact] = []
    for contact in new:
        match = next((c for c in left if contact.name and c.name == contact.name), None)
        if match is None:
            unnamed.append(contact)
        else:
            left.remove(match)
            pairs.append((match, contact))
    pairs.extend((left.pop(0) if left else None, contact) for contact in unnamed)
    pairs.extend((contact, None) for contact in left)
    return pairs


def _period_text(rule: RetentionRule) -> str:
    if rule.duration is not None:
        return show(rule.duration)
    return show(rule.period)


def _retention_details(key: str, old: RetentionRule, new: RetentionRule) -> Iterator[Change]:
    yield from _retention_period(key, old, new)
    yield from _retention_start(key, old, new)


def _retention_start(key: str, old: RetentionRule, new: RetentionRule) -> Iterator[Change]:
    """``from`` compared by the start in force (``RetentionRule.start``): an unset ``from`` is no event
    of its own but the statute's start, else the end of the purpose."""
    if old.from_ == new.from_:
        return
    before, after = old.start, new.start
    if before == after:
        why = SAME_START
    else:
        why = LATER_START if _START_RANK[after] >= _START_RANK[before] else EARLIER_START
    yield change("retention", f"{key}.from", old.from_, new.from_, why)


def _retention_period(key: str, old: RetentionRule, new: RetentionRule) -> Iterator[Change]:
    """The period in force (as written, else the statute's), compared by length."""
    before, after = old.duration, new.duration
    if _period_text(old) == _period_text(new):
        return
    if before is not None and after is not None:
        growth = after.approx_days() - before.approx_days()
        why = LONGER if growth > 0 else SHORTER if growth < 0 else SAME_LENGTH
    else:
        why = (
            RESOLVED
            if before is None and after is not None
            else UNRESOLVED
            if after is None and before is not None
            else MINOR
        )
    yield Change(
        "retention",
        f"{key}.period",
        "changed",
        _period_text(old),
        _period_text(new),
        why.material,
        why.ko,
        why.en,
    )
