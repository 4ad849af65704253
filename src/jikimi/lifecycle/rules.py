"""What the policy says happens to each item and record when its purpose ends (pure decisions).

At the end of a purpose (회원탈퇴, 자격 상실, 마지막 목적의 동의 철회) everything is destroyed without
delay (PIPA 21①) except what a retention rule keeps: that is separated (분리보관, 21③) until the
rule's period, counted from the rule's start event by the Civil Act, has run out. Nothing here
touches a database; the lifecycle's store code asks these functions and acts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from jikimi.periods import Duration, expiry_instant
from jikimi.policy.model import Policy, Purpose, RetentionRule

END_OF_PURPOSE_STARTS = frozenset({"withdrawal", "purpose_end", "contract_end", "consent_withdrawal"})
"""Start events that happen at the end of the purpose itself."""

DESTROY_METHOD = "electronic_irrecoverable: rows deleted (secure_delete), data key destroyed"


@dataclass(frozen=True)
class Keep:
    """Separate and keep until ``expires_at`` (None: the rule's period is a placeholder — see ``unpriced``)."""  # noqa: E501

    rule: RetentionRule
    start_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class Destroy:
    """Destroy now: no rule keeps it, or its rule's period has already run out."""

    rule: RetentionRule | None


Fate = Keep | Destroy


def rule_for(policy: Policy, slot: str) -> RetentionRule | None:
    """The retention rule keeping an item or record type (the longest one when several name it)."""
    rules = [r for r in policy.retention if slot in r.what]
    if not rules:
        return None
    return max(rules, key=lambda r: r.duration.approx_days() if r.duration else float("inf"))


def start_instant(
    rule: RetentionRule,
    *,
    ended_at: datetime,
    collected_at: datetime,
    last_activity_at: datetime,
    occurred_at: datetime | None = None,
) -> datetime:
    """The instant the rule's period counts from (민법 157: the day itself is not counted)."""
    start = rule.start
    if start in END_OF_PURPOSE_STARTS:
        return ended_at
    if start == "collection":
        return collected_at
    if start == "last_activity":
        return last_activity_at
    return occurred_at if occurred_at is not None else collected_at  # record_date


def fate_at_end(
    policy: Policy,
    slot: str,
    *,
    ended_at: datetime,
    collected_at: datetime,
    last_activity_at: datetime,
    occurred_at: datetime | None = None,
) -> Fate:
    """What happens to one item or record when the subject's purpose ends at ``ended_at``."""
    rule = rule_for(policy, slot)
    if rule is None:
        return Destroy(None)
    start = start_instant(
        rule,
        ended_at=ended_at,
        collected_at=collected_at,
        last_activity_at=last_activity_at,
        occurred_at=occurred_at,
    )
    duration = rule.duration
    if duration is None:
        return Keep(rule, start, None)
    expires = expiry_instant(start, duration)
    return Destroy(rule) if expires <= ended_at else Keep(rule, start, expires)


def expiry_for(policy: Policy, rule_id: str | None, start_at: datetime) -> datetime | None:
    """The expiry of separated data under the current policy (a placeholder period gets one once fixed)."""
    rule = policy.retention_by_id.get(rule_id) if rule_id else None
    duration = rule.duration if rule is not None else None
    return expiry_instant(start_at, duration) if duration is not None else None


def log_expiry(policy: Policy, record_type: str, occurred_at: datetime) -> datetime | None:
    """Logs and other generated records expire after their period even while the member is active."""
    record = policy.records_by_id.get(record_type)
    rule = rule_for(policy, record_type)
    if record is None or not record.generated or rule is None or rule.duration is None:
        return None
    return expiry_instant(occurred_at, rule.duration)


def allowed_reasons(rule: RetentionRule) -> tuple[str, ...]:
    """The reasons separated data may be read for: as declared, else the rule's stated reason."""
    if rule.access_reasons:
        return rule.access_reasons
    return (rule.reason,) if rule.reason else ()


def rule_basis(rule: RetentionRule | None) -> str:
    """The basis for the destruction ledger: the law and article, or the policy's own reason."""
    if rule is None:
        return "처리 목적 달성 (개인정보 보호법 제21조①)"
    if rule.statute is not None:
        return f"{rule.statute.law} {rule.statute.article}"
    return rule.law or rule.reason or rule.id


def group_key_id(subject_id: str, rule_id: str) -> str:
    """The key id of one retention group of a subject: destroyed when the group's period ends."""
    return f"{subject_id}~{hashlib.sha256(rule_id.encode()).hexdigest()[:6]}"


def dormancy_period(policy: Policy) -> Duration | None:
    """The idle period after which members are separated (None: no dormancy, or a placeholder)."""
    rule = policy.dormancy
    return rule.after if rule is not None and isinstance(rule.after, Duration) else None


# --- consent withdrawal (동의 철회, PIPA 37③, 38④) -------------------------------------------------


@dataclass(frozen=True)
class AfterWithdrawal:
    """What a consent withdrawal ends: the whole membership, or the items no purpose still needs."""

    end_membership: bool
    delete: tuple[str, ...]


def after_consent_withdrawal(
    policy: Policy,
    collected_for: Sequence[Purpose],
    *,
    held: Collection[str],
    live: Collection[str],
    all_consents: bool = False,
) -> AfterWithdrawal:
    """The seeds' promise "동의 철회시 … 당해 개인정보는 삭제됩니다", once the consents are withdrawn.

    A purpose still holds if its basis is not consent (a contract, a law…) or its consent is
    ``live``. A purpose with no declared basis holds too — unless the subject withdrew consent as a
    whole (``all_consents``): a policy that declares no basis has nothing but the subject's consent
    to collection and use to rest on. When no purpose the subject was collected for
    (``collected_for``; when the policy links none to the context, any purpose) still holds, the
    membership ends (under the retention rules); otherwise the
    items held that only purposes no longer holding use are deleted (again under the retention
    rules: what a rule keeps is separated).
    """

    def holds(purpose: Purpose) -> bool:
        if purpose.basis is None:
            return not all_consents
        return purpose.basis != "consent" or purpose.id in live

    if not any(holds(p) for p in (collected_for or policy.purposes)):
        return AfterWithdrawal(True, ())
    needed: set[str] = set()
    covered: set[str] = set()
    for purpose in policy.purposes:  # items held as values; records keep their own periods
        (needed if holds(purpose) else covered).update(purpose.items)
    return AfterWithdrawal(False, tuple(sorted((covered - needed) & set(held))))
