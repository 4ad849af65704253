"""The closed sets of states a data subject moves through (pure; stored as their string values)."""

from __future__ import annotations

from enum import StrEnum


class SubjectStatus(StrEnum):
    """Where a subject stands. Stored as the value; equal to the plain string (``"active"``)."""

    ACTIVE = "active"
    PENDING_GUARDIAN = "pending_guardian"
    """A child under 14 whose legal guardian has not consented yet (PIPA 22-2)."""
    DORMANT = "dormant"
    """An idle member whose data is separated under the dormancy policy (휴면)."""
    WITHDRAWN = "withdrawn"
    """The purpose ended (회원탈퇴…): only data a retention rule keeps remains, separated."""


class SubjectKind(StrEnum):
    MEMBER = "member"
    GUEST = "guest"
    GUARDIAN = "guardian"


class Cause(StrEnum):
    """Why a value or record sits in the separated store (분리보관)."""

    WITHDRAWAL = "withdrawal"
    DORMANCY = "dormancy"


class ConsentKind(StrEnum):
    """What a row of ``consents`` answers (its ``target_kind``; ``target_id`` names the target)."""

    PURPOSE = "purpose"
    THIRD_PARTY = "third_party"
    GUARDIAN = "guardian"
    AD_CHANNEL = "ad_channel"
    """Receiving advertising through one medium (정보통신망법 50①): the target is the channel (``sms``…)."""
    AD_NIGHT = "ad_night"
    """Receiving advertising between 21:00 and 08:00 KST (50③): the target is ``NIGHT``."""


NIGHT = "night"
"""The target of the night-time advertising consent, and how requests name it among the channels."""
