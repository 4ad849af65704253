"""De-identified statistics exports (통계 작성을 위한 가명처리, PIPA 28-2).

``export_stats`` reads the chosen items of the active subjects page by page, turns every value
into its exported form at once (``deidentify``: direct identifiers removed, birth dates to age
bands, addresses to 시/도), forgets which subject each row came from, then applies k-anonymity:
groups of fewer than ``k`` subjects are suppressed and only counted.

Two forms:

* ``aggregate`` — one row per group: the generalised values and the number of subjects;
* ``extract`` — one row per subject in the groups kept, under a random pseudonym drawn for this
  export alone (nothing is stored that links a pseudonym back to a subject, and rows are shuffled,
  so two exports cannot be joined on pseudonyms or order).

Every export, allowed or refused, is logged: an ``exports`` row (who, when, form, k, items,
treatments, the recorded reason, rows out, rows suppressed) and one access-log entry with the
reason and the number of subjects read (안전성 확보조치 기준: every download needs a reason).
See ``deidentify`` for what this guarantees and what it does not.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from jikimi.core import Core
from jikimi.crypto import open_value
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import Handler
from jikimi.periods import kst_day
from jikimi.sharing.deidentify import DEFAULT_K, Treatment, generalise, k_anonymous, treatment
from jikimi.store import exports as export_rows
from jikimi.store import subjects as subject_rows
from jikimi.store import values as value_rows
from jikimi.store.uow import UnitOfWork
from jikimi.validation import known_items

ExportKind = Literal["aggregate", "extract"]
PAGE = 2_000
MAX_K = 1_000


@dataclass(frozen=True)
class StatsExport:
    """The result of one export. ``rows`` hold generalised values only."""

    id: str
    kind: ExportKind
    k: int
    at: datetime
    columns: tuple[str, ...]
    """The exported items, in the order asked."""
    treatments: dict[str, Treatment]
    """How each exported item was generalised."""
    removed: tuple[str, ...]
    """Items asked for but removed as direct identifiers."""
    subjects_read: int
    suppressed_groups: int
    suppressed_rows: int
    rows: list[dict[str, str | int]] = field(default_factory=list)
    """``aggregate``: ``{item: value, …, "count": n}``; ``extract``: ``{"pseudonym": p, item: value, …}``."""


@dataclass(frozen=True)
class ExportRequest:
    items: Sequence[str]
    kind: ExportKind
    k: int
    reason: str
    context: str | None = None


def _validate(request: ExportRequest, items_known: set[str]) -> None:
    if request.kind not in ("aggregate", "extract"):
        raise InvalidInput("mode", "aggregate 또는 extract여야 합니다", "must be aggregate or extract")
    if not 2 <= request.k <= MAX_K:
        raise InvalidInput("k", f"2 이상 {MAX_K} 이하여야 합니다", f"must be between 2 and {MAX_K}")
    known_items(request.items, items_known)


class Exporting:
    """De-identified statistics exports."""

    core: Core

    def export_stats(
        self,
        items: Sequence[str],
        *,
        mode: ExportKind = "aggregate",
        k: int = DEFAULT_K,
        reason: str,
        actor: Handler | str,
        source: str = "local",
        context: str | None = None,
    ) -> StatsExport:
        """Export aggregates or a pseudonymized extract of ``items``, k-anonymous (see the module
        docstring). Needs the ``export`` action and a reason; allowed or refused, it is logged."""
        core = self.core
        handler = core.actor(actor)
        request = ExportRequest(items, mode, k, reason, context)
        policy = core.policy
        _validate(request, set(policy.items_by_id))
        now = core.now()
        asked = list(dict.fromkeys(request.items))
        treatments = {i: treatment(policy.items_by_id[i]) for i in asked}
        columns = tuple(i for i in asked if treatments[i] != "removed")
        removed = tuple(i for i in asked if treatments[i] == "removed")
        export_id = secrets.token_hex(16)
        note = f"export={export_id}; kind={request.kind}; k={request.k}; reason={request.reason.strip()}"[
            :2000
        ]
        denial: Denied | None = None
        if not handler.role.may("export"):
            denial = Denied(
                "action_not_allowed",
                "이 역할에는 내보내기가 허용되지 않습니다",
                "the handler's role may not export",
            )
        elif not request.reason.strip():
            denial = Denied(
                "reason_required", "내려받기에는 사유가 필요합니다", "an export needs a recorded reason"
            )
        elif not columns:
            raise InvalidInput(
                "items",
                f"직접 식별자는 내보낼 수 없습니다: {list(removed)}",
                f"direct identifiers are never exported: {list(removed)}",
            )
        if denial is not None:
            with core.unit_of_work() as uow:
                core.log(
                    uow,
                    now,
                    handler.login,
                    "export",
                    outcome=f"denied:{denial.reason}",
                    items=asked,
                    source=source,
                    reason=note,
                )
                uow.commit()
            raise denial
        at_day = kst_day(now)
        kinds = [treatments[c] for c in columns]
        with core.unit_of_work() as uow:
            generalised: list[tuple[str, ...]] = []
            for ids in subject_rows.active_pages(uow.conn, request.context, PAGE):
                opened = self._open_columns(uow, ids, columns)
                for sid in ids:
                    values = opened.get(sid, {})
                    generalised.append(
                        tuple(
                            generalise(kind, values.get(c), at_day)
                            for c, kind in zip(columns, kinds, strict=True)
                        )
                    )
            groups = k_anonymous(generalised, request.k)
            if request.kind == "aggregate":
                rows: list[dict[str, str | int]] = [
                    {**dict(zip(columns, group, strict=True)), "count": n}
                    for group, n in sorted(groups.kept.items())
                ]
            else:
                rows = [
                    {"pseudonym": secrets.token_hex(8), **dict(zip(columns, row, strict=True))}
                    for row in generalised
                    if row in groups.kept
                ]
                secrets.SystemRandom().shuffle(rows)
            subjects_read = len(generalised)
            del generalised
            params = {
                "items": list(columns),
                "removed": list(removed),
                "treatments": {c: treatments[c] for c in columns},
                "reason": request.reason.strip(),
                "context": request.context,
                "suppressed_groups": groups.suppressed_groups,
                "subjects_read": subjects_read,
            }
            export_rows.add(
                uow.conn,
                export_id=export_id,
                at=now,
                actor=handler.login,
                kind=request.kind,
                k=request.k,
                params=json.dumps(params, ensure_ascii=False),
                rows_out=len(rows),
                suppressed=groups.suppressed_rows,
            )
            core.log(
                uow,
                now,
                handler.login,
                "export",
                items=columns,
                source=source,
                reason=note,
                count=max(subjects_read, 1),
            )
            uow.commit()
        return StatsExport(
            export_id,
            request.kind,
            request.k,
            now,
            columns,
            {c: treatments[c] for c in columns},
            removed,
            subjects_read,
            groups.suppressed_groups,
            groups.suppressed_rows,
            rows,
        )

    def _open_columns(
        self, uow: UnitOfWork, ids: list[str], columns: Sequence[str]
    ) -> dict[str, dict[str, str]]:
        found = self.core.keys.get_many(uow.conn, ids)
        out: dict[str, dict[str, str]] = {}
        for sid, item_id, blob in value_rows.sealed_of(uow.conn, ids, columns):
            key = found.get(sid)
            if key is not None:
                out.setdefault(sid, {})[item_id] = open_value(key, sid, item_id, blob)
        return out


__all__ = ["DEFAULT_K", "ExportKind", "ExportRequest", "Exporting", "StatsExport"]
