"""A large set of subjects whose data is due (and some whose data is not), written straight into the
tables in the shapes the vault leaves them in, with what the sweep must make of each.

Used by the crash and concurrency tests. Writing rows directly (real keys, real ciphertexts) takes a
second where collecting and withdrawing thousands of members through the vault would take minutes;
the shapes are those ``Vault.collect``, ``Vault.add_record``, ``Vault.withdraw`` and a dormancy notice
leave behind. Every subject belongs to one *kind of case*; the expectation for each kind is written
out by hand from the reference policy (``examples/policies/reference.yaml``), not computed by the
engine under test:

======================  =========================================================================
case                    at the sweep's ``now``
======================  =========================================================================
``gone``                withdrew 100 days ago: login id (3 months), CI (30 days), their look-ups
                        and an access log (3 months) are all due → destroyed, subject removed
``partial``             withdrew 40 days ago: CI and its look-up due; login id (3 months) and the
                        payment record (5 years) are retained
``kept``                withdrew 5 days ago: nothing due (not touched)
``logs``                active member with an access log older than 3 months (due) and a recent
                        one (retained)
``idle_noticed``        idle 400 days, notified 40 days ago → separated as dormant (휴면 분리보관)
``idle_unnoticed``      idle 350 days → a dormancy notice is queued, nothing else
``child_expired``       under 14, guardian never confirmed within 7 days → destroyed, removed
``active``              active member, nothing due (not touched)
``child_waiting``       under 14, 2 days old: still within the 7 days (not touched)
======================  =========================================================================
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from jikimi.crypto import KeyRing, new_data_key, open_value, seal_value, wrap_key
from jikimi.lifecycle.rules import group_key_id
from jikimi.periods import Duration, expiry_instant
from jikimi.policy.model import Policy
from jikimi.store.tables import (
    consents,
    data_keys,
    destruction_ledger,
    item_values,
    lookups,
    outbox,
    records,
    separated_lookups,
    separated_records,
    separated_values,
    subjects,
)

NOW = datetime(2027, 6, 15, 3, 0, tzinfo=UTC)  # 12:00 KST
KEYS_CREATED = datetime(
    2024, 1, 2, tzinfo=UTC
)  # long before: no key is young enough to be spared as "in flight"
MEMBER_ITEMS = ("name", "birthdate", "login_id", "password", "mobile", "email", "ci")
LOOKUP_ITEMS = ("login_id", "mobile", "email", "ci")
GUARDIAN_ITEMS = ("guardian_name", "guardian_mobile")
CASES = (
    "gone",
    "partial",
    "kept",
    "logs",
    "idle_noticed",
    "idle_unnoticed",
    "child_expired",
    "active",
    "child_waiting",
)
DUE_CASES = frozenset({"gone", "partial", "logs", "idle_noticed", "idle_unnoticed", "child_expired"})
RULES = {
    "login_id": "withdrawn_login_id",
    "ci": "withdrawn_ci",
    "payment": "payment_records",
    "access_log": "access_log_records",
}
PERIODS = {
    "login_id": Duration.parse("P3M"),
    "ci": Duration.parse("P30D"),
    "payment": Duration.parse("P5Y"),
    "access_log": Duration.parse("P3M"),
}


@dataclass(frozen=True)
class Shape:
    """What the database holds for one subject (no values, no keys): compared before/after a sweep."""

    status: str | None  # None: the subject row is gone
    values: frozenset[str] = frozenset()
    separated: frozenset[str] = frozenset()  # "<item or record id>:<cause>"
    separated_lookups: frozenset[str] = frozenset()
    records: frozenset[str] = frozenset()
    lookups: frozenset[str] = frozenset()
    consents: int = 0
    notices: int = 0


GONE = Shape(None)


@dataclass
class DueSet:
    """The subjects written, their shape before and after the sweep, and what destroying them costs."""

    now: datetime
    case: dict[str, str] = field(default_factory=dict)
    before: dict[str, Shape] = field(default_factory=dict)
    after: dict[str, Shape] = field(default_factory=dict)
    destroyed: dict[str, Counter[str]] = field(default_factory=dict)  # subject → "item:ci" → count
    keys_before: set[str] = field(default_factory=set)
    keys_after: set[str] = field(default_factory=set)

    @property
    def due(self) -> set[str]:
        """The subjects a sweep must do work for."""
        return {sid for sid, case in self.case.items() if case in DUE_CASES}

    def destroyed_total(self, subject_ids: Iterable[str] | None = None) -> Counter[str]:
        total: Counter[str] = Counter()
        for sid in self.destroyed if subject_ids is None else subject_ids:
            total.update(self.destroyed.get(sid, Counter()))
        return total

    def count(self, case: str) -> int:
        return sum(1 for c in self.case.values() if c == case)


class _Rows:
    """Rows to insert, table by table, and the keys they are sealed under."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self.by_table: dict[Any, list[dict[str, object]]] = {}
        self.keys: dict[str, bytes] = {}

    def add(self, table: Any, **row: object) -> None:
        self.by_table.setdefault(table, []).append(row)

    def key(self, key_id: str) -> bytes:
        if key_id not in self.keys:
            self.keys[key_id] = new_data_key()
            self.add(
                data_keys,
                subject_id=key_id,
                wrapped=wrap_key(self.ring.current, self.keys[key_id], key_id),
                master_key_id=self.ring.current.id,
                created_at=KEYS_CREATED,
            )
        return self.keys[key_id]


def plaintext(subject_id: str, slot: str) -> str:
    """The (synthetic, non-personal) value stored for a slot: what a retained row must still decrypt to."""
    return (
        json.dumps({"slot": slot, "subject": subject_id})
        if slot.startswith("record:")
        else f"{slot}@{subject_id}"
    )


def build(engine: Engine, policy: Policy, ring: KeyRing, *, per_case: int, now: datetime = NOW) -> DueSet:
    """Write ``per_case`` subjects of every case and return what the sweep must make of them."""
    rows = _Rows(ring)
    due = DueSet(now)
    version = policy.version_key
    for number in range(per_case):
        for index, case in enumerate(CASES):
            sid = f"{case[:2]}{index}{number:06d}{secrets.token_hex(2)}"
            due.case[sid] = case
            _CASE_WRITERS[case](rows, due, sid, now, version)
            due.destroyed.setdefault(sid, Counter())
    due.keys_before = set(rows.keys)
    with engine.begin() as conn:
        for table in (
            subjects,
            data_keys,
            item_values,
            lookups,
            consents,
            records,
            separated_values,
            separated_records,
            separated_lookups,
            outbox,
        ):
            batch = rows.by_table.get(table, [])
            for start in range(0, len(batch), 2000):
                conn.execute(insert(table), batch[start : start + 2000])
    return due


# -- the cases ------------------------------------------------------------------------------------------


def _subject(
    rows: _Rows,
    sid: str,
    *,
    status: str,
    created: datetime,
    last_activity: datetime,
    is_child: bool = False,
    version: str,
) -> None:
    rows.add(
        subjects,
        id=sid,
        kind="member",
        status=status,
        context="signup",
        is_child=is_child,
        guardian_id=None,
        policy_version=version,
        created_at=created,
        last_activity_at=last_activity,
        status_changed_at=last_activity,
    )


def _active_values(rows: _Rows, sid: str, items: Iterable[str], collected: datetime) -> None:
    key = rows.key(sid)
    for item in items:
        rows.add(
            item_values,
            subject_id=sid,
            item_id=item,
            ciphertext=seal_value(key, sid, item, plaintext(sid, item)),
            context="signup",
            collected_at=collected,
            hold=False,
        )
        if item in LOOKUP_ITEMS:
            rows.add(lookups, item_id=item, digest=secrets.token_bytes(32), subject_id=sid)


def _consent(rows: _Rows, sid: str, target_kind: str, target: str, at: datetime, version: str) -> None:
    rows.add(
        consents,
        subject_id=sid,
        target_kind=target_kind,
        target_id=target,
        granted=True,
        policy_version=version,
        channel="web",
        actor="self",
        at=at,
        withdrawn_at=None,
    )


def _record(
    rows: _Rows, sid: str, rid: str, type_: str, occurred: datetime, *, expires: datetime | None
) -> None:
    slot = f"record:{rid}"
    rows.add(
        records,
        id=rid,
        subject_id=sid,
        type=type_,
        ciphertext=seal_value(rows.key(sid), sid, slot, plaintext(sid, slot)),
        occurred_at=occurred,
        created_at=occurred,
        expires_at=expires,
    )


def _separated_value(rows: _Rows, sid: str, item: str, withdrawn: datetime) -> datetime:
    kid = group_key_id(sid, RULES[item])
    expires = expiry_instant(withdrawn, PERIODS[item])
    rows.add(
        separated_values,
        subject_id=sid,
        item_id=item,
        ciphertext=seal_value(rows.key(kid), sid, item, plaintext(sid, item)),
        key_id=kid,
        cause="withdrawal",
        rule_id=RULES[item],
        start_at=withdrawn,
        expires_at=expires,
        collected_at=withdrawn - timedelta(days=700),
        context="signup",
        separated_at=withdrawn,
    )
    rows.add(
        separated_lookups,
        item_id=item,
        digest=secrets.token_bytes(32),
        subject_id=sid,
        rule_id=RULES[item],
        expires_at=expires,
    )
    return expires


def _separated_record(
    rows: _Rows, sid: str, rid: str, type_: str, occurred: datetime, withdrawn: datetime
) -> datetime:
    kid = group_key_id(sid, RULES[type_])
    slot = f"record:{rid}"
    expires = expiry_instant(occurred, PERIODS[type_])
    rows.add(
        separated_records,
        id=rid,
        subject_id=sid,
        type=type_,
        ciphertext=seal_value(rows.key(kid), sid, slot, plaintext(sid, slot)),
        key_id=kid,
        cause="withdrawal",
        rule_id=RULES[type_],
        occurred_at=occurred,
        created_at=occurred,
        start_at=occurred,
        expires_at=expires,
        separated_at=withdrawn,
    )
    return expires


def _withdrawn(
    rows: _Rows, due: DueSet, sid: str, now: datetime, version: str, *, days_ago: int, payment: bool = True
) -> None:
    """A member who withdrew ``days_ago`` days ago: what the rules keep is separated under group keys
    (an access log from 20 days before the withdrawal, and a payment record unless ``payment`` is off)."""
    withdrawn = now - timedelta(days=days_ago)
    _subject(
        rows,
        sid,
        status="withdrawn",
        created=withdrawn - timedelta(days=700),
        last_activity=withdrawn,
        version=version,
    )
    kept_values: set[str] = set()
    kept_records: set[str] = set()
    destroyed: Counter[str] = Counter()
    for item in ("login_id", "ci"):
        if _separated_value(rows, sid, item, withdrawn) > now:
            kept_values.add(item)
        else:
            destroyed.update({f"item:{item}": 1, f"lookup:{item}": 1})
    separated_records_written = [(f"{sid}r2", "access_log", withdrawn - timedelta(days=20))]
    if payment:
        separated_records_written.append((f"{sid}r1", "payment", withdrawn - timedelta(days=10)))
    for rid, type_, occurred in separated_records_written:
        if _separated_record(rows, sid, rid, type_, occurred, withdrawn) > now:
            kept_records.add(rid)
        else:
            destroyed[f"record:{type_}"] += 1
    every_value = frozenset(f"{i}:withdrawal" for i in ("login_id", "ci"))
    every_record = frozenset(f"{rid}:withdrawal" for rid, _, _ in separated_records_written)
    due.before[sid] = Shape(
        "withdrawn", separated=every_value | every_record, separated_lookups=frozenset({"login_id", "ci"})
    )
    if not kept_values and not kept_records:
        due.after[sid] = GONE
    else:
        due.after[sid] = Shape(
            "withdrawn",
            separated=frozenset(f"{i}:withdrawal" for i in kept_values | kept_records),
            separated_lookups=frozenset(kept_values),
        )
    due.destroyed[sid] = destroyed
    due.keys_after |= {group_key_id(sid, RULES[i]) for i in kept_values}
    due.keys_after |= {
        group_key_id(sid, RULES[t]) for rid, t, _ in separated_records_written if rid in kept_records
    }


def _gone(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    _withdrawn(rows, due, sid, now, version, days_ago=100, payment=False)
    assert due.after[sid] == GONE  # the case's definition, checked once


def _partial(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    _withdrawn(rows, due, sid, now, version, days_ago=40)


def _kept(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    _withdrawn(rows, due, sid, now, version, days_ago=5)
    assert due.after[sid] == due.before[sid]


def _member(
    rows: _Rows,
    due: DueSet,
    sid: str,
    now: datetime,
    version: str,
    *,
    idle_days: int,
    notified_days_ago: int | None = None,
    logs: bool = False,
) -> Shape:
    last = now - timedelta(days=idle_days)
    _subject(
        rows, sid, status="active", created=last - timedelta(days=300), last_activity=last, version=version
    )
    _active_values(rows, sid, MEMBER_ITEMS, last - timedelta(days=300))
    _consent(rows, sid, "purpose", "marketing", last - timedelta(days=300), version)
    _record(rows, sid, f"{sid}r1", "payment", last - timedelta(days=30), expires=None)
    record_ids = {f"{sid}r1"}
    if logs:
        for rid, days in ((f"{sid}r2", 100), (f"{sid}r3", 10)):
            occurred = now - timedelta(days=days)
            _record(
                rows,
                sid,
                rid,
                "access_log",
                occurred,
                expires=expiry_instant(occurred, PERIODS["access_log"]),
            )
            record_ids.add(rid)
    notices = 0
    if notified_days_ago is not None:
        sent = now - timedelta(days=notified_days_ago)
        rows.add(
            outbox,
            kind="dormancy_notice",
            subject_id=sid,
            dedupe_key=f"dormancy_notice:{sid}:{last.isoformat()}",
            payload=json.dumps({"subject_id": sid}),
            due_at=sent,
            created_at=sent,
            delivered_at=sent,
            attempts=1,
        )
        notices = 1
    due.keys_after.add(sid)
    shape = Shape(
        "active",
        values=frozenset(MEMBER_ITEMS),
        records=frozenset(record_ids),
        lookups=frozenset(LOOKUP_ITEMS),
        consents=1,
        notices=notices,
    )
    due.before[sid] = shape
    return shape


def _logs(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    shape = _member(rows, due, sid, now, version, idle_days=2, logs=True)
    due.after[sid] = Shape(
        "active", values=shape.values, records=shape.records - {f"{sid}r2"}, lookups=shape.lookups, consents=1
    )
    due.destroyed[sid] = Counter({"record:access_log": 1})


def _idle_noticed(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    shape = _member(rows, due, sid, now, version, idle_days=400, notified_days_ago=40)
    due.after[sid] = Shape(
        "dormant",
        separated=frozenset({f"{i}:dormancy" for i in MEMBER_ITEMS} | {f"{sid}r1:dormancy"}),
        lookups=shape.lookups,
        consents=1,
        notices=1,
    )


def _idle_unnoticed(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    shape = _member(rows, due, sid, now, version, idle_days=350)
    due.after[sid] = Shape(
        "active", values=shape.values, records=shape.records, lookups=shape.lookups, consents=1, notices=1
    )


def _active(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    due.after[sid] = _member(rows, due, sid, now, version, idle_days=3)


def _child(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str, *, age_days: int) -> None:
    created = now - timedelta(days=age_days)
    _subject(
        rows,
        sid,
        status="pending_guardian",
        created=created,
        last_activity=created,
        is_child=True,
        version=version,
    )
    _active_values(rows, sid, GUARDIAN_ITEMS, created)
    _consent(rows, sid, "guardian", "membership", created, version)
    due.before[sid] = Shape("pending_guardian", values=frozenset(GUARDIAN_ITEMS), consents=1)


def _child_expired(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    _child(rows, due, sid, now, version, age_days=10)
    due.after[sid] = GONE
    due.destroyed[sid] = Counter({f"item:{i}": 1 for i in GUARDIAN_ITEMS})


def _child_waiting(rows: _Rows, due: DueSet, sid: str, now: datetime, version: str) -> None:
    _child(rows, due, sid, now, version, age_days=2)
    due.after[sid] = due.before[sid]
    due.keys_after.add(sid)


_CASE_WRITERS = {
    "gone": _gone,
    "partial": _partial,
    "kept": _kept,
    "logs": _logs,
    "idle_noticed": _idle_noticed,
    "idle_unnoticed": _idle_unnoticed,
    "child_expired": _child_expired,
    "active": _active,
    "child_waiting": _child_waiting,
}


# -- reading the database back ----------------------------------------------------------------------------


def shapes(conn: Connection) -> dict[str, Shape]:
    """Every subject's shape as the database holds it now (subjects with rows left anywhere included)."""
    parts: dict[str, dict[str, Any]] = {}

    def part(sid: str) -> dict[str, Any]:
        return parts.setdefault(
            sid,
            {
                "status": None,
                "values": set(),
                "separated": set(),
                "separated_lookups": set(),
                "records": set(),
                "lookups": set(),
                "consents": 0,
                "notices": 0,
            },
        )

    for sid, status in conn.execute(select(subjects.c.id, subjects.c.status)):
        part(sid)["status"] = status
    for sid, item in conn.execute(select(item_values.c.subject_id, item_values.c.item_id)):
        part(sid)["values"].add(item)
    for sid, item, cause in conn.execute(
        select(separated_values.c.subject_id, separated_values.c.item_id, separated_values.c.cause)
    ):
        part(sid)["separated"].add(f"{item}:{cause}")
    for sid, rid, cause in conn.execute(
        select(separated_records.c.subject_id, separated_records.c.id, separated_records.c.cause)
    ):
        part(sid)["separated"].add(f"{rid}:{cause}")
    for sid, item in conn.execute(select(separated_lookups.c.subject_id, separated_lookups.c.item_id)):
        part(sid)["separated_lookups"].add(item)
    for sid, rid in conn.execute(select(records.c.subject_id, records.c.id)):
        part(sid)["records"].add(rid)
    for sid, item in conn.execute(select(lookups.c.subject_id, lookups.c.item_id)):
        part(sid)["lookups"].add(item)
    for sid, count in conn.execute(
        select(consents.c.subject_id, func.count()).group_by(consents.c.subject_id)
    ):
        part(sid)["consents"] = int(count)
    for sid, count in conn.execute(
        select(outbox.c.subject_id, func.count())
        .where(outbox.c.kind == "dormancy_notice")
        .group_by(outbox.c.subject_id)
    ):
        part(sid)["notices"] = int(count)
    return {
        sid: Shape(
            p["status"],
            frozenset(p["values"]),
            frozenset(p["separated"]),
            frozenset(p["separated_lookups"]),
            frozenset(p["records"]),
            frozenset(p["lookups"]),
            p["consents"],
            p["notices"],
        )
        for sid, p in parts.items()
    }


def ledger_totals(conn: Connection) -> Counter[str]:
    """The destruction ledger summed by class: ``"item:ci"`` → how many the ledger says were destroyed."""
    totals: Counter[str] = Counter()
    for kind, class_id, count in conn.execute(
        select(
            destruction_ledger.c.class_kind,
            destruction_ledger.c.class_id,
            func.sum(destruction_ledger.c["count"]),
        ).group_by(destruction_ledger.c.class_kind, destruction_ledger.c.class_id)
    ):
        totals[f"{kind}:{class_id}"] += int(count)
    return totals


def key_ids(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute(select(data_keys.c.subject_id))}


def undecryptable(conn: Connection, ring: KeyRing) -> list[str]:
    """Every value and record still held that no longer opens to what was stored (should be none)."""
    from jikimi.store.keys import KeyStore

    store = KeyStore(ring)
    keys: dict[str, bytes | None] = {}

    def key(key_id: str) -> bytes | None:
        if key_id not in keys:
            keys[key_id] = store.get(conn, key_id)
        return keys[key_id]

    bad: list[str] = []
    sealed: list[tuple[str, str, str, bytes]] = []  # (key id, subject, slot, ciphertext)
    sealed += [
        (r.subject_id, r.subject_id, r.item_id, bytes(r.ciphertext))
        for r in conn.execute(select(item_values))
    ]
    sealed += [
        (r.subject_id, r.subject_id, f"record:{r.id}", bytes(r.ciphertext))
        for r in conn.execute(select(records))
    ]
    sealed += [
        (r.key_id, r.subject_id, r.item_id, bytes(r.ciphertext))
        for r in conn.execute(select(separated_values))
    ]
    sealed += [
        (r.key_id, r.subject_id, f"record:{r.id}", bytes(r.ciphertext))
        for r in conn.execute(select(separated_records))
    ]
    for key_id, sid, slot, blob in sealed:
        data_key = key(key_id)
        if data_key is None or open_value(data_key, sid, slot, blob) != plaintext(sid, slot):
            bad.append(f"{sid}/{slot}")
    return bad
