"""수탁자 (processors, PIPA 26): who processes the data on the controller's behalf, what they hold, until when.

The policy is the list in force; ``processor_registry`` keeps its history: ``register_processors``
inserts processors new to the policy, updates changed ones, and marks those the policy no longer
lists as released (``released_at``), so the registry answers "who held what, when" after the policy
changed. ``processors_holding`` tells which processors hold which of one subject's items (for the
access package, PIPA 35); it reads item ids, never values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select, update

from jikimi.audit import AccessLog, Entry
from jikimi.errors import NotFound
from jikimi.handlers import Handler
from jikimi.policy.model import Policy, Processor
from jikimi.store.tables import item_values, processor_registry, separated_values, subjects
from jikimi.store.uow import UnitOfWork

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


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _registered(r: Row[Any]) -> RegisteredProcessor:
    registered = _utc(r.registered_at)
    assert registered is not None
    return RegisteredProcessor(
        r.processor_id,
        r.name,
        r.task,
        tuple(json.loads(r.items)),
        r.until_kind,
        registered,
        _utc(r.released_at),
        r.policy_version,
    )


def register_processors(
    engine: Engine, policy: Policy, log: AccessLog, *, actor: Handler, now: datetime, source: str = "local"
) -> list[RegisteredProcessor]:
    """Sync the registry with the policy's processors; returns the whole registry, newest policy first."""
    declared = {p.id: p for p in policy.processors.processors}
    with UnitOfWork(engine) as uow:
        existing = {r.processor_id: r for r in uow.conn.execute(select(processor_registry))}
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
                uow.conn.execute(
                    insert(processor_registry).values(
                        processor_id=pid, registered_at=now, until_at=None, released_at=None, **values
                    )
                )
                changes.append(f"+{pid}")
            elif (
                row.released_at is not None
                or row.name != proc.name
                or row.task != proc.task
                or json.loads(row.items) != list(proc.items)
                or row.until_kind != proc.until
            ):
                uow.conn.execute(
                    update(processor_registry)
                    .where(processor_registry.c.processor_id == pid)
                    .values(released_at=None, **values)
                )
                changes.append(f"~{pid}")
        for pid, row in existing.items():
            if pid not in declared and row.released_at is None:
                uow.conn.execute(
                    update(processor_registry)
                    .where(processor_registry.c.processor_id == pid)
                    .values(released_at=now, until_at=now)
                )
                changes.append(f"-{pid}")
        log.append(
            uow,
            [
                Entry(
                    now,
                    actor.login,
                    "processors.register",
                    "allowed",
                    None,
                    (),
                    None,
                    source,
                    ("changes=" + ",".join(changes))[:1000] if changes else "unchanged",
                )
            ],
        )
        rows = uow.conn.execute(select(processor_registry).order_by(processor_registry.c.processor_id)).all()
        uow.commit()
    return [_registered(r) for r in rows]


def registry(engine: Engine) -> list[RegisteredProcessor]:
    with engine.connect() as conn:
        rows = conn.execute(select(processor_registry).order_by(processor_registry.c.processor_id)).all()
    return [_registered(r) for r in rows]


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


def processors_holding(engine: Engine, policy: Policy, subject_id: str) -> list[ProcessorHolding]:
    """The policy's processors that hold any item of ``subject_id`` (active or separated), with those items.

    A processor whose entrustment ends with the membership (``until: withdrawal`` or ``purpose_end``)
    no longer holds anything of a withdrawn subject. Raises ``NotFound`` for an unknown subject.
    """
    with engine.connect() as conn:
        row = conn.execute(select(subjects.c.status).where(subjects.c.id == subject_id)).first()
        if row is None:
            raise NotFound("대상자가 없습니다", "no such subject")
        held = {
            r.item_id
            for r in conn.execute(select(item_values.c.item_id).where(item_values.c.subject_id == subject_id))
        }
        held |= {
            r.item_id
            for r in conn.execute(
                select(separated_values.c.item_id).where(separated_values.c.subject_id == subject_id)
            )
        }
    out: list[ProcessorHolding] = []
    for proc in policy.processors.processors:
        if row.status == "withdrawn" and proc.until in _ENDS_WITH_MEMBERSHIP:
            continue
        items = tuple(i for i in proc.items if i in held)
        if items:
            out.append(_holding(proc, items))
    return out
