"""Property: over random policies and random lives, no value outlives its retention and nothing is
destroyed before it.

Hypothesis draws a policy (retention rules with periods in days, months or years, any start event,
keeping any items and record types; which record types are generated logs; an optional dormancy
rule that separates or destroys) through the real loader, and a life for two members: sign-up,
orders, records at the moment or back-dated, logins, withdrawal, idleness, clock jumps of seconds to
years and jumps to the exact instant (or one second before) something falls due. After every sweep
at time ``t`` the database is compared with an independent model of the policy's promises:

* every item value, record, look-up and key whose retention ends at or before ``t`` is gone;
* every one whose retention ends after ``t`` (or never, for a placeholder period) still exists;
* a member is dormant exactly when idle past the period *and* told the notice lead time before.

The model counts periods with ``jikimi.periods.expiry_instant`` (the Civil Act arithmetic, tested on
its own in tests/test_periods.py) and nothing else from the lifecycle package. SQLite only by
default (each example gets a copy of one migrated database file); the PostgreSQL variant runs the
same test with fewer examples.
"""

from __future__ import annotations

import functools
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.periods import Duration, expiry_instant
from jikimi.policy.model import Policy
from jikimi.store.engine import make_engine, sqlite_paths
from jikimi.store.migrate import upgrade
from jikimi.store.tables import (
    data_keys,
    item_values,
    lookups,
    outbox,
    records,
    separated_lookups,
    separated_records,
    separated_values,
    subjects,
)

from ..conftest import START
from ..databases import fresh_postgres
from ..vault.conftest import fast_passwords, policy_with

SIGNUP_ITEMS = ("name", "birthdate", "login_id", "password", "mobile", "email", "ci")
ORDER_ITEMS = ("recipient_name", "recipient_phone", "delivery_address")
LOOKUP_ITEMS = frozenset({"login_id", "mobile", "email", "ci"})
RECORD_TYPES = ("payment", "contract", "complaint", "advertising", "access_log")
STARTS = ("withdrawal", "purpose_end", "contract_end", "collection", "record_date", "last_activity")
END_STARTS = frozenset({"withdrawal", "purpose_end", "contract_end", "consent_withdrawal"})
PASSWORD = "secret-pass-1"
ORDER = {
    "recipient_name": "김수령",
    "recipient_phone": "010-5555-6666",
    "delivery_address": "부산광역시 해운대구 센텀로 99",
}


def member_data(n: int) -> dict[str, str]:
    return {
        "name": "홍길동",
        "birthdate": "1990-01-01",
        "login_id": f"member{n}",
        "password": PASSWORD,
        "mobile": f"010-1234-567{n}",
        "email": f"member{n}@example.com",
        "ci": "CI" + "AB"[n] * 86,
    }


# -- the random policy ------------------------------------------------------------------------------

periods = st.one_of(
    st.integers(1, 400).map(lambda n: f"P{n}D"),
    st.integers(1, 30).map(lambda n: f"P{n}M"),
    st.integers(1, 6).map(lambda n: f"P{n}Y"),
    st.just("placeholder"),
)


@dataclass(frozen=True)
class PolicySpec:
    """What hypothesis draws: the retention rules, which record types are generated logs, the dormancy."""

    rules: tuple[tuple[tuple[str, ...], str, str], ...]  # (what, period or "placeholder", start)
    generated: frozenset[str]
    dormancy: tuple[str, str, str] | None  # (after, notice_before, action)

    def policy(self) -> Policy:
        return _policy(self)


@functools.lru_cache(maxsize=256)
def _policy(spec: PolicySpec) -> Policy:
    def edit(data: dict[str, Any]) -> None:
        data["retention"] = [
            {
                "id": f"rule{i}",
                "reason": f"보존 사유 {i}",
                "what": list(what),
                "from": start,
                "period": {"placeholder": "oo년간"} if period == "placeholder" else period,
            }
            for i, (what, period, start) in enumerate(spec.rules)
        ]
        for record in data["records"]:
            record["generated"] = record["id"] in spec.generated
        if spec.dormancy is None:
            data.pop("dormancy", None)
        else:
            after, notice_before, action = spec.dormancy
            data["dormancy"] = {
                "after": after,
                "notice_before": notice_before,
                "action": action,
                "notice_channels": ["email"],
                "reactivation": ["login", "request"],
            }

    return policy_with(edit)


policy_specs = st.builds(
    PolicySpec,
    rules=st.lists(
        st.tuples(
            st.lists(
                st.sampled_from(SIGNUP_ITEMS + ORDER_ITEMS + RECORD_TYPES),
                min_size=1,
                max_size=4,
                unique=True,
            ).map(tuple),
            periods,
            st.sampled_from(STARTS),
        ),
        min_size=1,
        max_size=5,
    ).map(tuple),
    generated=st.frozensets(st.sampled_from(RECORD_TYPES)),
    dormancy=st.one_of(
        st.none(),
        *[
            st.tuples(
                st.one_of(
                    st.integers(30, 400).map(lambda n: f"P{n}D"), st.integers(1, 18).map(lambda n: f"P{n}M")
                ),
                st.integers(1, 60).map(lambda n: f"P{n}D"),
                st.sampled_from(["separate", "destroy"]),
            )
        ]
        * 2,
    ),
)


jumps = st.one_of(
    st.tuples(
        st.just("jump"),
        st.one_of(
            st.integers(1, 3600).map(lambda s: timedelta(seconds=s)),
            st.integers(1, 120).map(lambda d: timedelta(days=d)),
            st.integers(1, 6).map(lambda y: timedelta(days=365 * y)),
        ),
    ),
    st.tuples(st.just("boundary"), st.sampled_from([timedelta(seconds=-1), timedelta(0)])),
)
actions = st.one_of(
    st.tuples(st.just("record"), st.integers(0, 1), st.sampled_from(RECORD_TYPES), st.integers(0, 200)),
    st.tuples(st.just("order"), st.integers(0, 1)),
    st.tuples(st.just("login"), st.integers(0, 1)),
    st.tuples(st.just("withdraw"), st.just(1)),
)
# a life: the members live a while, member 0 leaves, then mostly time passes (member 1 may idle away)
lives = st.tuples(
    st.lists(st.one_of(actions, actions, jumps), max_size=8),
    st.lists(st.one_of(jumps, jumps, jumps, actions), min_size=3, max_size=10),
).map(lambda parts: [*parts[0], ("withdraw", 0), *parts[1]])


# -- the model --------------------------------------------------------------------------------------


@dataclass
class Slot:
    """One item value or record and what the policy promises about its end."""

    name: str  # item id or record type
    collected_at: datetime
    occurred_at: datetime | None = None  # records only
    record_id: str | None = None
    expires_at: datetime | None = None  # None: no end while it lasts (see ``forever``)
    forever: bool = True
    rule_id: str | None = None

    def alive(self, now: datetime) -> bool:
        return self.forever or (self.expires_at is not None and self.expires_at > now)


@dataclass
class Member:
    id: str
    status: str = "active"
    last_activity: datetime = START
    items: dict[str, Slot] = field(default_factory=dict)
    recs: dict[str, Slot] = field(default_factory=dict)
    notices: list[tuple[datetime, datetime]] = field(default_factory=list)  # (created, for last activity)

    def slots(self) -> list[Slot]:
        return [*self.items.values(), *self.recs.values()]


class Model:
    """The policy's promises, computed without the lifecycle package."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        dormancy = policy.dormancy
        self.after = dormancy.after if dormancy is not None and isinstance(dormancy.after, Duration) else None
        self.lead = dormancy.notice_before if dormancy is not None else None
        self.destroys = dormancy is not None and dormancy.action == "destroy"

    def longest_rule(self, slot: str) -> Any:
        named = [r for r in self.policy.retention if slot in r.what]
        if not named:
            return None
        return max(named, key=lambda r: r.duration.approx_days() if r.duration else float("inf"))

    def log_expiry(self, record_type: str, occurred_at: datetime) -> datetime | None:
        rule = self.longest_rule(record_type)
        if not self.policy.records_by_id[record_type].generated or rule is None or rule.duration is None:
            return None
        return expiry_instant(occurred_at, rule.duration)

    def end(self, member: Member, now: datetime) -> None:
        """The purpose ends at ``now``: each slot is destroyed or kept by its rule."""
        kept: dict[str, Slot] = {}
        for key, slot in [
            *(("i:" + k, s) for k, s in member.items.items()),
            *(("r:" + k, s) for k, s in member.recs.items()),
        ]:
            if not slot.alive(now):
                continue  # already due: the sweep has taken it or the withdrawal does
            rule = self.longest_rule(slot.name)
            if rule is None:
                continue
            start = (
                now
                if rule.start in END_STARTS
                else {
                    "collection": slot.collected_at,
                    "last_activity": member.last_activity,
                    "record_date": slot.occurred_at or slot.collected_at,
                }[rule.start]
            )
            if rule.duration is None:
                kept[key] = Slot(
                    slot.name, slot.collected_at, slot.occurred_at, slot.record_id, None, True, rule.id
                )
                continue
            expires = expiry_instant(start, rule.duration)
            if expires > now:
                kept[key] = Slot(
                    slot.name, slot.collected_at, slot.occurred_at, slot.record_id, expires, False, rule.id
                )
        member.items = {k[2:]: s for k, s in kept.items() if k.startswith("i:")}
        member.recs = {k[2:]: s for k, s in kept.items() if k.startswith("r:")}
        member.status = "withdrawn" if kept else "gone"

    def dormancy_due(self, member: Member) -> datetime | None:
        return expiry_instant(member.last_activity, self.after) if self.after is not None else None

    def notified(self, member: Member, by: datetime | None = None) -> bool:
        """A notice for the current idle spell was queued (by ``by``, when given)."""
        return any(
            created >= member.last_activity and (by is None or created <= by) for created, _ in member.notices
        )

    def sweep(self, members: list[Member], now: datetime) -> None:
        for m in members:
            if m.status == "gone":
                continue
            m.items = {k: s for k, s in m.items.items() if s.alive(now)}
            m.recs = {k: s for k, s in m.recs.items() if s.alive(now)}
            if m.status == "withdrawn" and not m.slots():
                m.status = "gone"
                continue
            due = self.dormancy_due(m)
            if m.status != "active" or due is None or self.lead is None:
                continue
            lead = timedelta(days=self.lead.total_days)
            if due <= now + lead and not self.notified(m):
                m.notices.append((now, m.last_activity))
            if due <= now and self.notified(m, now - lead):
                if self.destroys:
                    self.end(m, now)
                else:
                    m.status = "dormant"

    def boundaries(self, members: list[Member], now: datetime) -> list[datetime]:
        found: list[datetime] = []
        for m in members:
            found += [s.expires_at for s in m.slots() if s.expires_at is not None and not s.forever]
            due = self.dormancy_due(m)
            if m.status == "active" and due is not None and self.lead is not None:
                lead = timedelta(days=self.lead.total_days)
                found += [due, due - lead] + [c + lead for c, _ in m.notices if c >= m.last_activity]
        return sorted(t for t in found if t > now)


# -- comparing the database with the model ----------------------------------------------------------


def check(jikimi: Jikimi, model: Model, members: list[Member], now: datetime) -> None:
    with jikimi.core.engine.connect() as conn:
        for m in members:
            where = f"{m.id} at {now.isoformat()}"
            row = conn.execute(select(subjects.c.status).where(subjects.c.id == m.id)).first()
            if m.status == "gone":
                assert row is None, f"subject should be gone: {where}"
            else:
                assert row is not None, f"subject destroyed early: {where}"
                assert row.status == m.status, f"status {row.status} != {m.status}: {where}"
            values = {
                r[0]
                for r in conn.execute(select(item_values.c.item_id).where(item_values.c.subject_id == m.id))
            }
            values |= {
                r[0]
                for r in conn.execute(
                    select(separated_values.c.item_id).where(separated_values.c.subject_id == m.id)
                )
            }
            expected_items = {k for k, s in m.items.items() if s.alive(now)} if m.status != "gone" else set()
            assert values == expected_items, f"items {sorted(values)} != {sorted(expected_items)}: {where}"
            recs = {r[0] for r in conn.execute(select(records.c.id).where(records.c.subject_id == m.id))}
            recs |= {
                r[0]
                for r in conn.execute(
                    select(separated_records.c.id).where(separated_records.c.subject_id == m.id)
                )
            }
            expected_recs = {k for k, s in m.recs.items() if s.alive(now)} if m.status != "gone" else set()
            assert recs == expected_recs, f"records {recs} != {expected_recs}: {where}"
            looked = {
                r[0] for r in conn.execute(select(lookups.c.item_id).where(lookups.c.subject_id == m.id))
            }
            looked |= {
                r[0]
                for r in conn.execute(
                    select(separated_lookups.c.item_id).where(separated_lookups.c.subject_id == m.id)
                )
            }
            assert looked == expected_items & LOOKUP_ITEMS, f"look-ups {looked}: {where}"
            keys = {
                r[0]
                for r in conn.execute(
                    select(data_keys.c.subject_id).where(
                        data_keys.c.subject_id.startswith(m.id, autoescape=True)
                    )
                )
            }
            assert (m.id in keys) == (m.status in ("active", "dormant")), f"everyday key: {where}"
            live_rules = (
                {s.rule_id for s in m.slots() if s.rule_id and s.alive(now)}
                if m.status == "withdrawn"
                else set()
            )
            assert len(keys - {m.id}) == len(live_rules), (
                f"group keys {len(keys - {m.id})} != {live_rules}: {where}"
            )
            sent = conn.execute(
                select(outbox.c.created_at).where(
                    outbox.c.subject_id == m.id, outbox.c.kind == "dormancy_notice"
                )
            ).all()
            assert len(sent) == len(m.notices), f"notices {len(sent)} != {len(m.notices)}: {where}"


def live(
    jikimi: Jikimi, model: Model, clock: FixedClock, policy: Policy, life: list[tuple[Any, ...]]
) -> None:
    members: list[Member] = []
    for n in range(2):
        sid = jikimi.vault.collect("signup", member_data(n)).subject_id
        members.append(Member(sid, items={i: Slot(i, START) for i in SIGNUP_ITEMS}))
    for step in life:
        kind = step[0]
        if kind in ("jump", "boundary"):
            if kind == "jump":
                clock.advance(step[1])
            else:
                ahead = model.boundaries(members, clock.now())
                if not ahead:
                    continue
                clock.set(max(ahead[0] + step[1], clock.now()))
            now = clock.now()
            jikimi.lifecycle.sweep()
            model.sweep(members, now)
            check(jikimi, model, members, now)
            for m in members:
                event(f"swept a {m.status} member")
            continue
        clock.advance(timedelta(minutes=1))  # an action happens after the sweep, never in its instant
        now = clock.now()
        m = members[step[1]]
        if kind == "record" and m.status == "active":
            occurred = now - timedelta(days=step[3])
            rid = jikimi.vault.add_record(m.id, step[2], {}, occurred_at=occurred)
            expiry = model.log_expiry(step[2], occurred)
            m.recs[rid] = Slot(step[2], now, occurred, rid, expiry, expiry is None)
        elif kind == "order" and m.status == "active":
            jikimi.vault.collect("order", ORDER, subject_id=m.id)
            m.items.update({i: Slot(i, now) for i in ORDER_ITEMS})
            m.last_activity = now
        elif kind == "login" and m.status in ("active", "dormant"):
            assert jikimi.vault.verify_password(m.id, "password", PASSWORD)
            m.status = "active"
            m.last_activity = now
        elif kind == "withdraw" and m.status in ("active", "dormant"):
            jikimi.lifecycle.withdraw(m.id, "member_request")
            model.end(m, now)
            check(jikimi, model, [m], now)  # the others are checked at the next sweep
            event(f"withdrawal kept {len(m.slots())} slots")


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("retention-property") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def sqlite_copy(template: Path) -> Engine:
    """A fresh database for one example: a copy of the migrated files (the main file and its keys file)."""
    target = template.with_name(f"example-{secrets.token_hex(6)}.db")
    for source, copy in zip(
        sqlite_paths(f"sqlite:///{template}"), sqlite_paths(f"sqlite:///{target}"), strict=True
    ):
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", f"{copy}{suffix}")
    return make_engine(f"sqlite:///{target}")


def run_example(engine: Engine, policy: Policy, life: list[tuple[Any, ...]]) -> None:
    clock = FixedClock(START)
    jikimi = build_jikimi(
        policy=policy,
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
    )
    try:
        live(jikimi, Model(policy), clock, policy, life)
    finally:
        engine.dispose()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=policy_specs, life=lives)
def test_no_value_outlives_its_retention_and_none_dies_before_it_sqlite(
    migrated_sqlite: Path, spec: PolicySpec, life: list[tuple[Any, ...]]
) -> None:
    run_example(sqlite_copy(migrated_sqlite), spec.policy(), life)


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=policy_specs, life=lives)
def test_no_value_outlives_its_retention_and_none_dies_before_it_postgresql(
    spec: PolicySpec, life: list[tuple[Any, ...]]
) -> None:
    with fresh_postgres() as url:
        run_example(make_engine(url), spec.policy(), life)
