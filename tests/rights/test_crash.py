"""A rights request and the change it asks for commit together (issue: one trunk): a deletion, a
partial deletion, a consent withdrawal, a stop of processing and a correction, each killed with
SIGKILL at seeded points of its run (``tests/crashes.py``: just before the N-th database
statement), leave either the request open and the data as it was, or the request answered and the
data changed — never a request still open with its data already gone, nor an answered one with its
data untouched. Re-running the request (or the sweep, for a kill after the commit) then finishes
it, and what was kept stays readable.

Each kill point gets a database of its own, set up the same way; the points are drawn from the
operation's own statement count (measured by a run to completion) with a fixed, printed seed.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, open_value
from jikimi.handlers import Handler
from jikimi.store.engine import make_engine
from jikimi.store.separated import awaiting_rekey
from jikimi.store.tables import (
    item_values,
    processing_stops,
    rights_requests,
    separated_values,
    subjects,
)

from ..conftest import EXAMPLES, MEMBER, START
from ..crashes import run
from ..databases import fresh_database
from ..policies import cached_policy
from ..vault.conftest import fast_passwords

SEED = int(os.environ.get("JIKIMI_CRASH_SEED", "20261203"))
POINTS = 8
"""Kill points per operation and database, besides the last statement of all."""
POLICY = cached_policy(EXAMPLES / "reference.yaml")


@dataclass(frozen=True)
class Case:
    """One request type: how to file it, how to carry it out, and what to compare before and after."""

    kind: str
    scope: dict[str, Any]
    carry_out: Callable[[Jikimi, str, Handler], object]


CASES = {
    "deletion": Case("deletion", {}, lambda j, rid, clerk: j.rights.delete(rid, actor=clerk)),
    "deletion_of_items": Case(
        "deletion", {"items": ["login_id", "email"]}, lambda j, rid, clerk: j.rights.delete(rid, actor=clerk)
    ),
    "consent_withdrawal": Case(
        "consent_withdrawal",
        {"purposes": ["marketing"]},
        lambda j, rid, clerk: j.rights.withdraw_consents(rid, actor=clerk),
    ),
    "stop": Case(
        "stop",
        {"purposes": ["marketing"]},
        lambda j, rid, clerk: j.rights.stop_processing(rid, actor=clerk),
    ),
    "correction": Case(
        "correction",
        {"items": ["email"]},
        lambda j, rid, clerk: j.rights.apply_correction(rid, {"email": "new@example.com"}, actor=clerk),
    ),
}


@dataclass
class Setup:
    url: str
    ring: KeyRing
    subject_id: str
    request_id: str
    clerk: str


def jikimi_over(engine: Engine, ring: KeyRing) -> Jikimi:
    return build_jikimi(
        policy=POLICY, engine=engine, keys=ring, clock=FixedClock(START), passwords=fast_passwords()
    )


@contextmanager
def set_up(kind: str, case: Case, tmp_path: Path) -> Iterator[Setup]:
    """A fresh database holding one member and one verified request of ``case``."""
    with fresh_database(kind, tmp_path) as url:
        engine = make_engine(url)
        ring = KeyRing(MasterKey.generate())
        jikimi = jikimi_over(engine, ring)
        jikimi.handlers.define_role("privacy_team", purposes=[], actions=["rights"])
        clerk, _ = jikimi.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
        sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
        jikimi.vault.add_record(sid, "payment", {"name": MEMBER["name"]})
        request = jikimi.rights.receive(sid, case.kind, channel="email", actor=clerk, **case.scope).request
        jikimi.rights.verify(request.id, method="handler", proof="신분증 확인", actor=clerk)
        engine.dispose()
        yield Setup(url, ring, sid, request.id, clerk.login)


def state(engine: Engine, ring: KeyRing, setup: Setup) -> dict[str, Any]:
    """What a request's carrying out changes, read straight from the tables (keys aside)."""
    jikimi = jikimi_over(engine, ring)
    sid = setup.subject_id
    with engine.connect() as conn:
        request = conn.execute(
            select(rights_requests.c.status).where(rights_requests.c.id == setup.request_id)
        ).one()
        subject = conn.execute(select(subjects.c.status).where(subjects.c.id == sid)).first()
        active = {
            r.item_id: bool(r.hold)
            for r in conn.execute(
                select(item_values.c.item_id, item_values.c.hold).where(item_values.c.subject_id == sid)
            )
        }
        kept = {
            r.item_id
            for r in conn.execute(
                select(separated_values.c.item_id).where(separated_values.c.subject_id == sid)
            )
        }
        stopped = sorted(
            r.purpose_id
            for r in conn.execute(
                select(processing_stops.c.purpose_id).where(
                    processing_stops.c.subject_id == sid, processing_stops.c.lifted_at.is_(None)
                )
            )
        )
        key = jikimi.core.keys.get(conn, sid)
        email = conn.execute(
            select(item_values.c.ciphertext).where(
                item_values.c.subject_id == sid, item_values.c.item_id == "email"
            )
        ).first()
    marketing = [c for c in jikimi.vault.consents_of(sid) if c["target_id"] == "marketing"] if subject else []
    return {
        "request": request.status,
        "subject": subject.status if subject else None,
        "active": active,
        "kept": kept,
        "email": open_value(key, sid, "email", bytes(email.ciphertext)) if key and email else None,
        "marketing_withdrawn": [c["withdrawn_at"] is not None for c in marketing],
        "stopped": stopped,
    }


def carry_out(case: Case, setup: Setup) -> Callable[[Engine], None]:
    def work(engine: Engine) -> None:
        jikimi = jikimi_over(engine, setup.ring)
        case.carry_out(jikimi, setup.request_id, jikimi.handlers.get(setup.clerk))

    return work


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_request_killed_at_any_point_is_carried_out_whole_or_not_at_all(
    name: str, kind: str, tmp_path: Path
) -> None:
    case = CASES[name]
    with set_up(kind, case, tmp_path / "reference") as setup:  # before and after, from a run to its end
        engine = make_engine(setup.url)
        before = state(engine, setup.ring, setup)
        finished = run(setup.url, carry_out(case, setup), kill_at=None)
        after = state(engine, setup.ring, setup)
        engine.dispose()
    assert not finished.killed and before != after
    assert before["request"] == "verified" and after["request"] in ("answered", "partly_answered")
    rnd = random.Random(f"{SEED}:{name}:{kind}")
    points = sorted(
        {
            *rnd.sample(range(1, finished.statements + 1), min(POINTS, finished.statements)),
            finished.statements,
        }
    )
    for point in points:
        where = f"{name} on {kind}, killed at statement {point} of {finished.statements} (seed {SEED})"
        with set_up(kind, case, tmp_path / f"at-{point}") as setup:
            engine = make_engine(setup.url)
            try:
                assert run(setup.url, carry_out(case, setup), kill_at=point).killed, where
                found = state(engine, setup.ring, setup)
                assert found in (before, after), f"{where}: half done: {found}"
                jikimi = jikimi_over(engine, setup.ring)
                if found == before:  # not carried out: the request is still open and can be carried out now
                    case.carry_out(jikimi, setup.request_id, jikimi.handlers.get(setup.clerk))
                jikimi.lifecycle.sweep()  # finishes what a kill after the commit left (the kept rows' keys)
                assert state(engine, setup.ring, setup) == after, where
                with engine.connect() as conn:
                    assert awaiting_rekey(conn, setup.subject_id) == [], f"{where}: kept rows not re-keyed"
                if after["kept"]:
                    officer = _officer(jikimi)
                    kept = jikimi.lifecycle.read_separated(
                        setup.subject_id, ["login_id"], "신규 가입 시 아이디 중복 여부 확인", actor=officer
                    )
                    assert kept.values == {"login_id": MEMBER["login_id"]}, (
                        f"{where}: kept data no longer opens"
                    )
            finally:
                engine.dispose()


def _officer(jikimi: Jikimi) -> Handler:
    jikimi.handlers.define_role("retention", purposes=["*"], actions=["separated"])
    handler, _ = jikimi.handlers.create("officer-retention", "correct horse battery", role="retention")
    return handler
