"""The facts an imported draft is compared on, and the agreement of two policies on them.

A fact is a tuple naming its kind and its values; a policy's facts are a multiset. The kinds are the
ones the importer promises (issue 15): each retention rule's period and statute basis, each processor
with its task and whether the document lists or announces processors, each third party with the basis it
is served on (``ThirdParty.served_on``: what the document states and ``jikimi.sharing`` enforces) and
whether the document lists or announces recipients, each officer's and manager's name, phone and
e-mail, the effective date, the dormancy rule, and the change-notice days. What a policy does not
state is a fact too (``("effective", None)``), so a draft that invents a value disagrees as much as
one that misses it.

Agreement = facts in both / (facts expected + facts only in the draft): a missing fact and an invented
one each cost the same.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from jikimi.periods import Duration
from jikimi.policy.model import Placeholder, Policy

Fact = tuple[object, ...]
KINDS = ("retention", "processors", "third_parties", "officers", "effective", "dormancy", "notice")


def _span(value: Duration | Placeholder | None) -> str | None:
    if isinstance(value, Duration):
        return value.iso()
    if isinstance(value, Placeholder):
        return f"placeholder:{value.placeholder}"
    return None


def facts(policy: Policy) -> Counter[Fact]:
    found: Counter[Fact] = Counter()
    for rule in policy.retention:
        period = rule.duration.iso() if rule.duration is not None else _span(rule.period)
        found[("retention", period, rule.basis)] += 1
    section = policy.processors
    found[("processors", "listed or announced", section.announced or bool(section.processors))] += 1
    for proc in policy.processors.processors:
        found[("processors", proc.name, " ".join(proc.task.split()))] += 1
    shared = policy.third_parties
    found[("third_parties", "listed or announced", shared.announced or bool(shared.recipients))] += 1
    for party in shared.recipients:
        found[("third_parties", party.name, party.served_on)] += 1
    for contact in policy.officers:
        if contact.role not in ("officer", "manager"):
            continue
        for name in ("name", "phone", "email"):
            value = getattr(contact, name)
            if value:
                found[("officers", contact.role, name, value)] += 1
    effective = policy.effective
    found[("effective", effective.isoformat() if isinstance(effective, date) else _span(effective))] += 1
    dormancy = policy.dormancy
    if dormancy is None:
        found[("dormancy", None)] += 1
    else:
        found[("dormancy", _span(dormancy.after), _span(dormancy.notice_before), dormancy.action)] += 1
    if policy.notice_declared:
        found[("notice", policy.notice.lead_days, policy.notice.material_lead_days)] += 1
    else:
        found[("notice", "not stated")] += 1
    return found


@dataclass(frozen=True)
class Agreement:
    kind: str
    agreed: int
    expected: int
    extra: int
    missing: tuple[Fact, ...]
    invented: tuple[Fact, ...]

    @property
    def share(self) -> float:
        total = self.expected + self.extra
        return 1.0 if total == 0 else self.agreed / total


def agreement(expected: Policy, draft: Policy) -> list[Agreement]:
    """One row per kind of fact, and the total last."""
    want, got = facts(expected), facts(draft)
    rows = []
    for kind in (*KINDS, "total"):
        w = Counter({f: n for f, n in want.items() if kind == "total" or f[0] == kind})
        g = Counter({f: n for f, n in got.items() if kind == "total" or f[0] == kind})
        both = w & g
        rows.append(
            Agreement(
                kind,
                sum(both.values()),
                sum(w.values()),
                sum((g - w).values()),
                tuple(sorted((w - g).elements(), key=repr)),
                tuple(sorted((g - w).elements(), key=repr)),
            )
        )
    return rows


def table(name: str, rows: list[Agreement]) -> str:
    """The agreement table as printed by the tests."""
    lines = [f"{name}: agreement with the hand-written policy (agreed / expected + invented)"]
    for row in rows:
        lines.append(
            f"  {row.kind:14} {row.agreed:3} / {row.expected:3} + {row.extra:2}  {row.share:6.1%}"
            + (f"  missing {list(row.missing)}" if row.missing and row.kind != "total" else "")
            + (f"  invented {list(row.invented)}" if row.invented and row.kind != "total" else "")
        )
    return "\n".join(lines)
