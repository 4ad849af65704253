"""Fixtures for lifecycle tests: a vault per example policy, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

import pytest
from ruamel.yaml import YAML
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.handlers import Handler
from jikimi.lifecycle.sweep import SweepReport
from jikimi.periods import KST
from jikimi.policy.model import Policy
from jikimi.store.tables import (
    access_log,
    data_keys,
    destruction_ledger,
    item_values,
    outbox,
    records,
    separated_lookups,
    separated_records,
    separated_values,
    subjects,
)

from ..conftest import EXAMPLES
from ..policies import cached_policy as load_policy
from ..policies import policy_from
from ..vault.conftest import fast_passwords


class VaultFor(Protocol):
    def __call__(self, name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> Jikimi: ...


@pytest.fixture
def vault_for(engine: Engine, clock: FixedClock) -> VaultFor:
    """``vault_for("mecross")``: a vault keeping ``examples/policies/mecross.yaml``;
    ``vault_for("shop", edit)``: keeping that policy with ``edit`` applied to its data."""
    ring = KeyRing(MasterKey.generate())

    def make(name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> Jikimi:
        path = EXAMPLES / f"{name}.yaml"
        policy = load_policy(path)
        if edit is not None:
            data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
            edit(data)
            policy = policy_from(data)
        return build_jikimi(policy=policy, engine=engine, keys=ring, clock=clock, passwords=fast_passwords())

    return make


def officer_of(jikimi: Jikimi) -> Handler:
    """A handler who may read separated data (the privacy officer's team)."""
    jikimi.handlers.define_role("retention", purposes=["*"], actions=["separated", "read", "withdraw"])
    handler, _ = jikimi.handlers.create("officer-retention", "correct horse battery", role="retention")
    return handler


# -- what a subject still has (appended by the "walks" tests) ----------------------------------------


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An instant given on the Korean wall clock (the clock the Civil Act periods are counted on)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=KST)


def active_slots(jikimi: Jikimi, subject_id: str) -> set[str]:
    """Item ids and record types the subject has in the everyday tables."""
    with jikimi.core.engine.connect() as conn:
        values = {
            r.item_id
            for r in conn.execute(select(item_values.c.item_id).where(item_values.c.subject_id == subject_id))
        }
        recs = {
            r.type for r in conn.execute(select(records.c.type).where(records.c.subject_id == subject_id))
        }
    return values | recs


def separated_slots(jikimi: Jikimi, subject_id: str, cause: str | None = None) -> set[str]:
    """Item ids and record types kept in the separated store (분리보관), optionally of one cause."""
    with jikimi.core.engine.connect() as conn:
        vq = select(separated_values.c.item_id).where(separated_values.c.subject_id == subject_id)
        rq = select(separated_records.c.type).where(separated_records.c.subject_id == subject_id)
        if cause is not None:
            vq = vq.where(separated_values.c.cause == cause)
            rq = rq.where(separated_records.c.cause == cause)
        return {r[0] for r in conn.execute(vq)} | {r[0] for r in conn.execute(rq)}


def separated_lookup_items(jikimi: Jikimi, subject_id: str) -> set[str]:
    with jikimi.core.engine.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                select(separated_lookups.c.item_id).where(separated_lookups.c.subject_id == subject_id)
            )
        }


def subject_exists(jikimi: Jikimi, subject_id: str) -> bool:
    with jikimi.core.engine.connect() as conn:
        return conn.execute(select(subjects.c.id).where(subjects.c.id == subject_id)).first() is not None


def key_ids_of(jikimi: Jikimi, subject_id: str) -> set[str]:
    """The subject's data keys still in existence: its everyday key and its retention-group keys."""
    with jikimi.core.engine.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                select(data_keys.c.subject_id).where(
                    (data_keys.c.subject_id == subject_id) | data_keys.c.subject_id.like(f"{subject_id}~%")
                )
            )
        }


def ledger_rows(jikimi: Jikimi) -> list[dict[str, Any]]:
    with jikimi.core.engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(select(destruction_ledger).order_by(destruction_ledger.c.id))
        ]


def outbox_rows(jikimi: Jikimi, kind: str, subject_id: str) -> list[dict[str, Any]]:
    with jikimi.core.engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                select(outbox)
                .where(outbox.c.kind == kind, outbox.c.subject_id == subject_id)
                .order_by(outbox.c.id)
            )
        ]


def access_rows(jikimi: Jikimi, subject_id: str, action: str) -> list[dict[str, Any]]:
    with jikimi.core.engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                select(access_log)
                .where(access_log.c.subject_id == subject_id, access_log.c.action == action)
                .order_by(access_log.c.at)
            )
        ]


def sweep_at(jikimi: Jikimi, clock: FixedClock, moment: datetime) -> SweepReport:
    """Move the clock to ``moment`` and sweep there."""
    clock.set(moment)
    return jikimi.lifecycle.sweep()


def with_policy(jikimi: Jikimi, policy: Policy) -> Jikimi:
    """The same service (database, keys, clock) restarted with another version of its policy."""
    return build_jikimi(
        policy=policy,
        engine=jikimi.core.engine,
        keys=jikimi.core.keys.ring,
        clock=jikimi.core.clock,
        passwords=jikimi.core.passwords,
        access_log=jikimi.core.access_log,
    )


def example_data(name: str) -> dict[str, Any]:
    """An example policy as plain data, for a variant of it (load the variant with ``policy_from``)."""
    data: dict[str, Any] = YAML(typ="safe").load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return data
