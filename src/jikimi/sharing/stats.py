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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine, insert, select

from jikimi.audit import AccessLog, Entry
from jikimi.crypto import open_value
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import Handler
from jikimi.periods import kst_day
from jikimi.sharing.deidentify import DEFAULT_K, Treatment, generalise, k_anonymous, treatment
from jikimi.store.keys import KeyStore
from jikimi.store.tables import exports, item_values, subjects
from jikimi.store.uow import UnitOfWork
from jikimi.vault import Vault

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
    unknown = [i for i in request.items if i not in items_known]
    if unknown or not request.items:
        raise InvalidInput(
            "items",
            f"알 수 없는 항목: {unknown}" if unknown else "항목이 없습니다",
            f"unknown items {unknown}" if unknown else "no items requested",
        )


def export_stats(
    vault: Vault, request: ExportRequest, *, actor: Handler, source: str, now: datetime
) -> StatsExport:
    """Run one export for ``actor`` (needs the ``export`` action and a reason). See the module docstring."""
    policy = vault.policy
    _validate(request, set(policy.items_by_id))
    asked = list(dict.fromkeys(request.items))
    treatments = {i: treatment(policy.items_by_id[i]) for i in asked}
    columns = tuple(i for i in asked if treatments[i] != "removed")
    removed = tuple(i for i in asked if treatments[i] == "removed")
    export_id = secrets.token_hex(16)
    note = f"export={export_id}; kind={request.kind}; k={request.k}; reason={request.reason.strip()}"[:2000]
    denial: Denied | None = None
    if not actor.role.may("export"):
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
        _log_denial(vault.engine, vault.access_log, actor, source, now, asked, note, denial.reason)
        raise denial
    at_day = kst_day(now)
    kinds = [treatments[c] for c in columns]
    with UnitOfWork(vault.engine) as uow:
        generalised: list[tuple[str, ...]] = []
        for ids in _pages(uow, request.context):
            opened = _open(uow, vault.keys, ids, columns)
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
        uow.conn.execute(
            insert(exports).values(
                id=export_id,
                at=now,
                actor=actor.login,
                kind=request.kind,
                k=request.k,
                params=json.dumps(params, ensure_ascii=False),
                rows_out=len(rows),
                suppressed=groups.suppressed_rows,
            )
        )
        vault.access_log.append(
            uow,
            [
                Entry(
                    now,
                    actor.login,
                    "export",
                    "allowed",
                    None,
                    columns,
                    None,
                    source,
                    note,
                    count=max(subjects_read, 1),
                )
            ],
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


def _log_denial(
    engine: Engine,
    log: AccessLog,
    actor: Handler,
    source: str,
    now: datetime,
    items: list[str],
    note: str,
    reason: str,
) -> None:
    with UnitOfWork(engine) as uow:
        log.append(
            uow, [Entry(now, actor.login, "export", f"denied:{reason}", None, items, None, source, note)]
        )
        uow.commit()


def _pages(uow: UnitOfWork, context: str | None) -> Iterator[list[str]]:
    """Active subjects' ids in pages (keyset by id)."""
    last = ""
    while True:
        statement = (
            select(subjects.c.id)
            .where(subjects.c.status == "active", subjects.c.id > last)
            .order_by(subjects.c.id)
            .limit(PAGE)
        )
        if context is not None:
            statement = statement.where(subjects.c.context == context)
        ids = [r.id for r in uow.conn.execute(statement)]
        if not ids:
            return
        yield ids
        last = ids[-1]


def _open(
    uow: UnitOfWork, keys: KeyStore, ids: list[str], columns: Sequence[str]
) -> dict[str, dict[str, str]]:
    found = keys.get_many(uow.conn, ids)
    out: dict[str, dict[str, str]] = {}
    for start in range(0, len(ids), 500):
        for r in uow.conn.execute(
            select(item_values.c.subject_id, item_values.c.item_id, item_values.c.ciphertext).where(
                item_values.c.subject_id.in_(ids[start : start + 500]),
                item_values.c.item_id.in_(list(columns)),
            )
        ):
            key = found.get(r.subject_id)
            if key is not None:
                out.setdefault(r.subject_id, {})[r.item_id] = open_value(
                    key, r.subject_id, r.item_id, bytes(r.ciphertext)
                )
    return out


__all__ = ["DEFAULT_K", "ExportKind", "ExportRequest", "StatsExport", "export_stats"]
