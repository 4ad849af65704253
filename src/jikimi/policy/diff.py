"""What changed between two versions of a policy, and how long subjects must be told first.

``diff_policies(old, new)`` lists every change — items, collection contexts, purposes, records,
retention, dormancy, children, third parties, processors, automatic collection, security,
rights, complaints, contacts, controller, notice settings and the rest — each matched by id and
classified:

* **material** (중요 변경) when it widens what is collected, used, provided, sent abroad or kept:
  a new item or purpose, an item made required, more items for a purpose, a basis changed to or
  from consent, a new or changed third party, an overseas transfer added or changed, a longer or
  newly set retention, a new processor or more items for one, a new or removed dormancy policy,
  an item newly classed as unique identifier or sensitive data. These need
  ``notice.material_lead_days`` (30 in the seeds) of notice;
* **minor** otherwise (contacts, wording, shorter retention, removals, security measures…),
  needing ``notice.lead_days`` (7 in the seeds).

The notice settings of the *new* policy apply (PIPA.md §1.6). The rules for each section live
in ``jikimi.policy._diff_sections``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from jikimi.policy._diff_sections import Change, ChangeKind, SectionDiffer
from jikimi.policy.model import Policy

__all__ = ["Change", "ChangeKind", "PolicyDiff", "diff_policies"]

_KIND_KO = {"added": "추가", "removed": "삭제", "changed": "변경"}


@dataclass(frozen=True)
class PolicyDiff:
    """Every change from one policy version to the next, and the notice it needs."""

    old_version: str
    new_version: str
    changes: tuple[Change, ...]
    material: bool
    notice_days: int

    def earliest_effective(self, notice_date: date) -> date:
        """The first day the new version may take effect when announced on ``notice_date``."""
        return notice_date + timedelta(days=self.notice_days)

    def to_dict(self, notice_date: date | None = None) -> dict[str, Any]:
        """JSON-ready: versions, ``notice_days``, ``material``, the changes, and — given the notice
        date — ``notice_date`` and ``earliest_effective``."""
        out: dict[str, Any] = {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "material": self.material,
            "notice_days": self.notice_days,
        }
        if notice_date is not None:
            out["notice_date"] = notice_date.isoformat()
            out["earliest_effective"] = self.earliest_effective(notice_date).isoformat()
        out["changes"] = [asdict(c) for c in self.changes]
        return out

    def to_text(self, notice_date: date | None = None) -> str:
        """A readable report in Korean and English: one line per change (``!`` marks material
        ones), then the notice period and the earliest effective date."""
        lines = [f"개인정보 처리방침 변경 비교 (policy diff): {self.old_version} → {self.new_version}"]
        if not self.changes:
            lines.append("변경 없음 (no changes)")
        else:
            material = sum(c.material for c in self.changes)
            lines.append(
                f"변경 {len(self.changes)}건, 그중 중요 변경 {material}건 "
                f"({len(self.changes)} changes, {material} material; ! = 중요 변경 material)"
            )
            lines.append("")
            lines.extend(_line(c) for c in self.changes)
            lines.append("")
        lines.append(self._summary(notice_date))
        return "\n".join(lines) + "\n"

    def _summary(self, notice_date: date | None) -> str:
        scope = "no change" if not self.changes else "material change" if self.material else "minor change"
        text = f"고지 기간: {self.notice_days}일 ({scope})"
        if not self.changes:
            return text
        if notice_date is None:
            days = self.notice_days
            return f"{text} — 시행 가능일: 고지일 + {days}일 (notice date + {days} days)"
        return f"{text} — 시행 가능일: {self.earliest_effective(notice_date).isoformat()}"


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    """Every change from ``old`` to ``new``, classified, with the notice the new policy asks for."""
    changes = tuple(SectionDiffer(old, new).changes())
    material = any(c.material for c in changes)
    if not changes:
        days = 0
    elif material:
        days = new.notice.material_lead_days
    else:
        days = new.notice.lead_days
    return PolicyDiff(
        old_version=old.version_key,
        new_version=new.version_key,
        changes=changes,
        material=material,
        notice_days=days,
    )


def _line(change: Change) -> str:
    mark = "!" if change.material else " "
    if change.kind == "added":
        value = f"+ {change.new}"
    elif change.kind == "removed":
        value = f"- {change.old}"
    else:
        value = f"{change.old or '—'} → {change.new or '—'}"
    return (
        f"{mark} {_KIND_KO[change.kind]}({change.kind}) {change.key}: {value} "
        f"— {change.reason_ko} ({change.reason_en})"
    )
