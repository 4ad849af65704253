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
