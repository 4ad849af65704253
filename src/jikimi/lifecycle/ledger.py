"""The destruction ledger (파기 기록): what class of data, how many, under which rule and basis, how,
when and by which process — one entry per batch and class, never a personal value.

The standard guideline asks controllers to keep these records and have the privacy officer sign
them; ``jikimi ledger --month YYYY-MM`` prints a month of them for that signature (``render_month``).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jikimi.lifecycle.rules import DESTROY_METHOD
from jikimi.periods import KST
from jikimi.store import ledger as ledger_rows
from jikimi.store.ledger import LedgerEntry
from jikimi.store.uow import UnitOfWork


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@dataclass
class LedgerBatch:
    """Destructions of one batch, counted by (class kind, class id, trigger, rule, basis)."""

    actor: str
    batch_id: str = field(default_factory=lambda: secrets.token_hex(8))
    counts: Counter[tuple[str, str, str, str | None, str | None]] = field(default_factory=Counter)

    def add(
        self,
        class_kind: str,
        class_id: str,
        trigger: str,
        rule_id: str | None,
        basis: str | None,
        count: int = 1,
    ) -> None:
        if count:
            self.counts[(class_kind, class_id, trigger, rule_id, basis)] += count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def write(self, uow: UnitOfWork, now: datetime) -> int:
        """Insert the batch's entries (in the caller's transaction). Returns how many entries."""
        rows = [
            {
                "batch_id": self.batch_id,
                "at": now,
                "process": process_name(),
                "actor": self.actor,
                "class_kind": kind,
                "class_id": class_id,
                "count": count,
                "trigger": trigger,
                "rule_id": rule_id,
                "basis": basis,
                "method": DESTROY_METHOD[:64],
            }
            for (kind, class_id, trigger, rule_id, basis), count in sorted(self.counts.items(), key=str)
        ]
        ledger_rows.write(uow.conn, rows)
        return len(rows)


TRIGGERS = {
    "withdrawal": ("탈퇴·목적 달성", "end of purpose"),
    "retention_expired": ("보유기간 만료", "retention period ended"),
    "log_expired": ("로그 보관기간 만료", "log period ended"),
    "guardian_not_confirmed": ("법정대리인 동의 미확인", "guardian consent never confirmed"),
    "dormancy_destroy": ("장기 미이용 파기", "idle account destroyed"),
    "deletion_request": ("삭제 요구", "deletion request"),
}


def render_month(
    month: str, found: Sequence[LedgerEntry], *, label_of: Mapping[str, str] | None = None, printed: datetime
) -> str:
    """A month of the ledger as text for the privacy officer's signature (KST times)."""
    labels = label_of or {}
    lines = [f"파기 기록 (Destruction ledger) — {month} (KST)", ""]
    if not found:
        lines.append("이 달에 파기한 개인정보가 없습니다. (Nothing was destroyed this month.)")
    else:
        lines.append(
            f"{'일시 (KST)':<17} {'구분':<7} {'항목':<24} {'건수':>8}  {'사유':<14} {'근거':<30} 처리 프로세스"  # noqa: E501
        )
        totals: Counter[str] = Counter()
        for e in found:
            at = e.at.astimezone(KST).strftime("%Y-%m-%d %H:%M")
            name = labels.get(e.class_id, e.class_id)
            trigger = TRIGGERS.get(e.trigger, (e.trigger, e.trigger))[0]
            lines.append(
                f"{at:<17} {e.class_kind:<7} {name:<24} {e.count:>8}  {trigger:<14} {(e.basis or '-'):<30} "
                f"{e.process} [{e.batch_id}]"
            )
            totals[e.class_kind] += e.count
        lines += [
            "",
            "합계 (Totals): " + ", ".join(f"{kind} {count:,}" for kind, count in sorted(totals.items())),
            f"파기 방법 (Method): {found[0].method}",
        ]
    lines += [
        "",
        "확인 (Approved by) 개인정보 보호책임자: ____________________   서명 (Signature): __________",
        f"출력 (Printed): {printed.astimezone(KST).strftime('%Y-%m-%d %H:%M')} KST",
    ]
    return "\n".join(lines)
