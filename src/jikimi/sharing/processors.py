"""수탁자 (processors, PIPA 26): who processes the data on the controller's behalf, what they hold, until when.

The policy is the list in force; ``processor_registry`` keeps its history: ``register_processors``
inserts processors new to the policy, updates changed ones, and marks those the policy no longer
lists as released (``released_at``), so the registry answers "who held what, when" after the policy
changed. ``processors_holding`` tells which processors hold which of one subject's items (for the
access package, PIPA 35); it reads item ids, never values.
"""  # noqa: E501

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.errors import Denied
from jikimi.handlers import SYSTEM, Handler
from jikimi.policy.model import Processor
from jikimi.states import SubjectStatus
from jikimi.store import processors as registry_rows
from jikimi.store import separated
from jikimi.store import values as value_rows
from jikimi.vault.metadata import metadata_row

_ENDS_WITH_MEMBERSHIP = ("withdrawal", "purpose_end")


@dataclass(frozen=True)
class RegisteredProcessor:
    """One row of the processor registry."""

    processor_id: str
    name: str
    task: str
    items: tuple[str, ...]
    until: str | None
    registered_at: datetime
    released_at: datetime | None
    policy_version: str


@dataclass(frozen=True)
class ProcessorHolding:
    """A processor holding some of one subject's items, and until when (from the policy)."""

    processor_id: str
    name: str
    task: str
    items: tuple[str, ...]
    until: str | None
    until_text: str | None
    max_period: str | None
    country: str | None
    overseas: bool
    marketing: bool


def _registered(r: Any) -> RegisteredProcessor:
    return RegisteredProcessor(
        r.processor_id,
        r.name,
        r.task,
        tuple(json.loads(r.items)),
        r.until_kind,
        as_utc(r.registered_at),
        as_utc(r.released_at),
        r.policy_version,
    )


class Registering:
    """The processor registry (수탁자 등록부) and which processors hold a subject's items."""

    core: Core

    def register_processors(
        self, *, actor: Handler | str, source: str = "local"
    ) -> list[RegisteredProcessor]:
        """Sync the registry with the policy's processors (new, changed, released); returns the
        whole registry. Needs the ``admin`` action."""
        core = self.core
        handler = core.actor(actor)
        if not handler.role.may("admin"):
            raise Denied(
                "action_not_allowed", "수탁자 등록 권한이 없습니다", "the handler may not register processors"
            )
        policy, now = core.policy, core.now()
        declared = {p.id: p for p in policy.processors.processors}
        with core.unit_of_work() as uow:
            existing = {r.processor_id: r for r in registry_rows.all_rows(uow.conn)}
            changes: list[str] = []
            for pid, proc in declared.items():
                values = {
                    "name": proc.name,
                    "task": proc.task,
                    "items": json.dumps(list(proc.items)),
                    "until_kind": proc.until,
                    "policy_version": policy.version_key,
                }
                row = existing.get(pid)
                if row is None:
                    registry_rows.add(uow.conn, pid, now, **values)
                    changes.append(f"+{pid}")
                elif (
                    row.released_at is not None
                    or row.name != proc.name
                    or row.task != proc.task
                    or json.loads(row.items) != list(proc.items)
                    or row.until_kind != proc.until
                ):
                    registry_rows.change(uow.conn, pid, released_at=None, **values)
                    changes.append(f"~{pid}")
            for pid, row in existing.items():
                if pid not in declared and row.released_at is None:
                    registry_rows.change(uow.conn, pid, released_at=now, until_at=now)
                    changes.append(f"-{pid}")
            summary = ("changes=" + ",".join(changes))[:1000] if changes else "unchanged"
            core.log(uow, now, handler.login, "processors.register", source=source, reason=summary)
            rows = registry_rows.all_rows(uow.conn)
            uow.commit()
        return [_registered(r) for r in rows]

    def registry(self) -> list[RegisteredProcessor]:
        """The processor registry, current and released."""
        with self.core.reading() as conn:
            return [_registered(r) for r in registry_rows.all_rows(conn)]

    def processors_holding(
        self, subject_id: str, *, actor: Handler | str = SYSTEM, source: str = "local"
    ) -> list[ProcessorHolding]:
        """The policy's processors that hold any item of ``subject_id`` (active or separated), with
        those items (ids only; for 열람, PIPA 35).

        A processor whose entrustment ends with the membership (``until: withdrawal`` or
        ``purpose_end``) no longer holds anything of a withdrawn subject. Raises ``NotFound`` for an
        unknown subject. Needs the ``metadata`` action; logged as ``processors.holdings``
        (``vault.metadata``).
        """
        with self.core.unit_of_work() as uow:
            row = metadata_row(
                self.core,
                uow,
                actor=actor,
                action="processors.holdings",
                subject_id=subject_id,
                source=source,
            )
            conn = uow.conn
            held = set(value_rows.item_ids(conn, subject_id)) | separated.held_item_ids(conn, subject_id)
            uow.commit()
        out: list[ProcessorHolding] = []
        for proc in self.core.policy.processors.processors:
            if row.status == SubjectStatus.WITHDRAWN and proc.until in _ENDS_WITH_MEMBERSHIP:
                continue
            items = tuple(i for i in proc.items if i in held)
            if items:
                out.append(_holding(proc, items))
        return out


def _holding(proc: Processor, items: tuple[str, ...]) -> ProcessorHolding:
    return ProcessorHolding(
        proc.id,
        proc.name,
        proc.task,
        items,
        proc.until,
        proc.until_text,
        proc.max_period.iso() if proc.max_period else None,
        proc.country,
        proc.is_overseas,
        proc.marketing,
    )
