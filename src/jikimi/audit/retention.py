"""How long the access log is kept (접속기록 보관기간, 안전성 확보조치 기준 제8조①). Pure: no database.

The law's minimum is 1 year; 2 years when the service handles the personal data of 50,000 or
more subjects, or any unique identifier (고유식별정보) or sensitive data (민감정보). An operator may
keep the log longer (``JIKIMI_ACCESS_LOG_YEARS``), never shorter: a setting below the minimum is
refused with a ``UsageError`` saying which minimum applies and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from jikimi.errors import UsageError
from jikimi.periods import Duration
from jikimi.policy.model import Policy

LARGE_SERVICE = 50_000
"""From this many subjects the log is kept 2 years."""
BASE_YEARS = 1
LONGER_YEARS = 2

_WHY = {
    "minimum": ("법정 최소 보관기간", "the legal minimum"),
    "unique_id": ("고유식별정보를 처리합니다", "the policy holds unique identifiers"),
    "sensitive": ("민감정보를 처리합니다", "the policy holds sensitive data"),
    "subjects": (
        f"정보주체가 {LARGE_SERVICE:,}명 이상입니다",
        f"the vault holds {LARGE_SERVICE:,} or more subjects",
    ),
    "operator": ("운영자 설정 (JIKIMI_ACCESS_LOG_YEARS)", "the operator's setting (JIKIMI_ACCESS_LOG_YEARS)"),
}


@dataclass(frozen=True)
class LogRetention:
    """The retention in force: ``years`` (at least ``minimum``, the law's for this service) and
    why (``minimum``, ``unique_id``, ``sensitive``, ``subjects`` or ``operator``)."""

    years: int
    minimum: int
    why: str

    @property
    def period(self) -> Duration:
        return Duration(years=self.years)

    def korean(self) -> str:
        return f"{self.years}년 ({_WHY[self.why][0]})"

    def english(self) -> str:
        return f"{self.years} year{'s' if self.years != 1 else ''} ({_WHY[self.why][1]})"


def legal_minimum(policy: Policy, *, subjects: int) -> tuple[int, str]:
    """The law's minimum in years for a service with ``policy`` and ``subjects`` subjects, and why."""
    if any(item.is_unique_id for item in policy.items):
        return LONGER_YEARS, "unique_id"
    if any(item.is_sensitive for item in policy.items):
        return LONGER_YEARS, "sensitive"
    if subjects >= LARGE_SERVICE:
        return LONGER_YEARS, "subjects"
    return BASE_YEARS, "minimum"


def log_retention(policy: Policy, *, subjects: int, configured: int | None = None) -> LogRetention:
    """The retention of the access log: the law's minimum, or the operator's ``configured`` years
    when longer. ``UsageError`` when ``configured`` is shorter than the minimum."""
    minimum, why = legal_minimum(policy, subjects=subjects)
    if configured is None or configured == minimum:
        return LogRetention(minimum, minimum, why)
    if configured < minimum:
        ko, en = _WHY[why]
        raise UsageError(
            f"JIKIMI_ACCESS_LOG_YEARS={configured}는 이 서비스의 접속기록 법정 최소 보관기간 {minimum}년보다 "
            f"짧습니다: {ko} (안전성 확보조치 기준 제8조). 보관기간은 늘릴 수만 있습니다",
            f"JIKIMI_ACCESS_LOG_YEARS={configured} is shorter than this service's legal minimum of "
            f"{minimum} year{'s' if minimum != 1 else ''} for the access log: {en} (safeguards standard, "
            "art. 8); the setting can only lengthen it",
        )
    return LogRetention(configured, minimum, "operator")
