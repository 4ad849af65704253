"""Service events: the service's own code is told what jikimi did — a member withdrawn, separated,
destroyed, dormant or back, a consent changed, a rights request received or falling due, an incident
opened — so its tables never point at people jikimi no longer holds. Each event is written in the
transaction of its change, delivered at least once to a real HTTP receiver on loopback, signed,
a subject's in order, with ids only; a service that cannot receive webhooks pulls them by position
and never misses one committed late."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.cli import app as cli_app
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.errors import Denied, InvalidInput
from jikimi.notices.channels import Email, Webhook, verify
from jikimi.notices.delivery import Channels
from jikimi.store import events as event_rows
from jikimi.store.events import NewEvent
from jikimi.store.integration_tables import events
from jikimi.store.tables import access_log

from ..conftest import EXAMPLES, MEMBER
from ..lifecycle.conftest import kst, sweep_at
from ..policies import cached_policy
from ..vault.conftest import fast_passwords
from .receivers import Posts, smtp_server, webhook_receiver

SECRET = "events-signing-key"


def jikimi_for(
    engine: Engine, clock: FixedClock, url: str | None, name: str = "reference", smtp: str | None = None
) -> Jikimi:
    channels = Channels(
        email=Email(smtp) if smtp else None,
        events=Webhook(url, SECRET, setting="JIKIMI_EVENTS") if url else None,
    )
    return build_jikimi(
        policy=cached_policy(EXAMPLES / f"{name}.yaml"),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
        channels=channels,
    )


@pytest.fixture
def receiver() -> Iterator[tuple[str, Posts]]:
    with webhook_receiver() as served:
        yield served


def member(jikimi: Jikimi, n: int = 0) -> str:
    data = {**MEMBER, "login_id": f"member{n}", "email": f"m{n}@example.com", "ci": f"CI{n:086d}"}
    data["mobile"] = f"010-5555-{n:04d}"
    return jikimi.vault.collect("signup", data).subject_id


def types_of(posts: Posts, subject_id: str | None = None) -> list[str]:
    return [b["type"] for b in posts.bodies() if subject_id is None or b["subject_id"] == subject_id]


def stored(jikimi: Jikimi) -> list[dict[str, Any]]:
    with jikimi.core.reading() as conn:
        return [dict(r._mapping) for r in conn.execute(select(events).order_by(events.c.id))]


# --- the promise: told, signed, ids only -------------------------------------------------------------


def test_a_withdrawal_tells_the_service_subject_withdrawn_signed_and_with_ids_only(
    engine: Engine, clock: FixedClock, receiver: tuple[str, Posts]
) -> None:
    url, posts = receiver
    jikimi = jikimi_for(engine, clock, url)
    sid = member(jikimi)
    jikimi.lifecycle.withdraw(sid, "member_request")

    report = jikimi.delivery.drain()
    assert report.events >= 1 and report.dead == 0
    assert types_of(posts, sid)[0] == "subject.withdrawn"
    headers, raw = posts.received[0]
    body = json.loads(raw)
    assert body["data"] == {"reason": "member_request"}
    assert body["position"] == 1 and body["occurred_at"].endswith("Z")
    assert headers["X-Jikimi-Event-Id"] == headers["Idempotency-Key"] == body["id"]
    assert headers["X-Jikimi-Event-Type"] == "subject.withdrawn"
    assert verify(SECRET.encode(), headers["X-Jikimi-Timestamp"], raw, headers["X-Jikimi-Signature"])
    assert not verify(b"another-key", headers["X-Jikimi-Timestamp"], raw, headers["X-Jikimi-Signature"])
    every_post = b"".join(raw for _, raw in posts.received).decode()
    for value in (MEMBER["name"], "m0@example.com", "010-5555-0000", "member0"):
        assert value not in every_post  # what became of whom, never who they are


def test_an_event_is_written_only_if_its_change_commits(engine: Engine, clock: FixedClock) -> None:
    jikimi = jikimi_for(engine, clock, None)
    sid = member(jikimi)
    with jikimi.core.unit_of_work() as uow:  # the change is rolled back: no event
        jikimi.lifecycle.withdraw_in(uow, sid, "member_request", actor="system")
    assert stored(jikimi) == []
    jikimi.lifecycle.withdraw(sid, "member_request")
    assert [e["type"] for e in stored(jikimi)][0] == "subject.withdrawn"


def test_a_subjects_events_arrive_in_order_even_when_the_first_is_tried_again(
    engine: Engine, clock: FixedClock, receiver: tuple[str, Posts]
) -> None:
    url, posts = receiver
    jikimi = jikimi_for(engine, clock, url)
    first, second = member(jikimi, 1), member(jikimi, 2)
    jikimi.lifecycle.withdraw(first, "member_request")
    jikimi.lifecycle.withdraw(second, "member_request")
    posts.fail = [503]  # the service is down for the first post: the first subject's first event

    jikimi.delivery.drain()
    assert [e["status"] for e in stored(jikimi) if e["subject_id"] == first][0] == "pending"
    assert first not in {b["subject_id"] for b in posts.bodies()}  # none of its later events jumped ahead
    assert second in {b["subject_id"] for b in posts.bodies()}  # another subject's were not held up

    clock.advance(timedelta(minutes=1))  # after the back-off
    jikimi.delivery.drain()
    told = [b for b in posts.bodies() if b["subject_id"] == first]
    assert [b["type"] for b in told] == [e["type"] for e in stored(jikimi) if e["subject_id"] == first]
    assert [b["position"] for b in told] == sorted(b["position"] for b in told)
    assert {e["status"] for e in stored(jikimi)} == {"delivered"}


def test_an_event_the_service_keeps_refusing_is_dead_after_the_last_try_with_its_code(
    engine: Engine, clock: FixedClock, receiver: tuple[str, Posts]
) -> None:
    url, posts = receiver
    jikimi = jikimi_for(engine, clock, url)
    jikimi.events.tries = 2
    sid = member(jikimi)
    jikimi.lifecycle.withdraw(sid, "member_request")
    posts.fail = [500] * 50
    for _ in range(3):
        jikimi.delivery.drain()
        clock.advance(timedelta(hours=7))
    dead = [e for e in stored(jikimi) if e["status"] == "dead"]
    assert dead and {e["last_error"] for e in dead} == {"webhook.500"}


def test_replay_sends_events_again_with_the_same_ids(
    engine: Engine, clock: FixedClock, receiver: tuple[str, Posts]
) -> None:
    url, posts = receiver
    jikimi = jikimi_for(engine, clock, url)
    jikimi.lifecycle.withdraw(member(jikimi), "member_request")
    jikimi.delivery.drain()
    sent = [b["id"] for b in posts.bodies()]

    assert jikimi.events.replay(after=0, actor="ops") == len(sent)
    jikimi.delivery.drain()
    assert [b["id"] for b in posts.bodies()] == sent + sent
    with pytest.raises(InvalidInput):
        jikimi.events.replay()
    with jikimi.core.reading() as conn:
        assert conn.execute(select(access_log.c.actor).where(access_log.c.action == "events.replay")).all()


# --- every change that is told -------------------------------------------------------------------------


def test_every_change_the_service_must_know_of_writes_its_event(engine: Engine, clock: FixedClock) -> None:
    """Consent changes, rights requests received, withdrawal, incidents opened, and the destruction
    of what a withdrawal kept once its retention ends."""
    jikimi = jikimi_for(engine, clock, None)
    sid = member(jikimi)
    jikimi.vault.give_consent(sid, "marketing")
    jikimi.vault.withdraw_consent(sid, "marketing")  # at the same instant: still two changes
    jikimi.rights.receive(sid, "access", channel=jikimi.core.policy.rights_channels[0], actor="self")
    jikimi.lifecycle.withdraw(sid, "member_request")
    jikimi.incidents.open(kind="leak", items=["email"], aware_at=jikimi.core.now(), actor="system")
    sweep_at(jikimi, clock, kst(2032, 3, 3))  # every period the withdrawal kept data for has ended

    written = [(e["type"], e["subject_id"], json.loads(e["data"])) for e in stored(jikimi)]
    consent = [d for t, s, d in written if t == "consent.changed" and s == sid]
    assert consent == [
        {"kind": "purpose", "target": "marketing", "granted": True},
        {"kind": "purpose", "target": "marketing", "granted": False},
    ]
    kinds = [(t, s) for t, s, _ in written]
    assert ("rights_request.received", sid) in kinds
    assert ("incident.opened", None) in kinds
    assert kinds.index(("subject.withdrawn", sid)) < kinds.index(("subject.destroyed", sid))
    assert kinds.count(("subject.destroyed", sid)) == 1


def test_a_member_going_dormant_and_coming_back_by_logging_in_is_told(
    engine: Engine, clock: FixedClock
) -> None:
    from ..seeds.seeds import SEEDS

    with smtp_server() as (smtp, _):
        jikimi = jikimi_for(engine, clock, None, "remediated/classpatra", smtp=smtp)
        signup = SEEDS["classpatra"].member["signup"]
        sid = jikimi.vault.collect("signup", signup).subject_id
        sweep_at(jikimi, clock, kst(2027, 2, 1))  # 30 days before: the notice goes first
        jikimi.delivery.drain()
        sweep_at(jikimi, clock, kst(2027, 3, 3))  # a year idle: separated (휴면)
        sweep_at(jikimi, clock, kst(2027, 3, 4))  # a second sweep tells nothing new
    clock.set(kst(2027, 4, 1, 9, 0))
    assert jikimi.vault.verify_password(sid, "password", signup["password"])
    assert [(e["type"], json.loads(e["data"])) for e in stored(jikimi)] == [
        ("subject.dormant", {}),
        ("subject.reactivated", {"via": "login"}),
    ]


def test_a_rights_request_due_within_three_days_is_told_once_per_deadline(
    engine: Engine, clock: FixedClock
) -> None:
    jikimi = jikimi_for(engine, clock, None)
    sid = member(jikimi)
    received = jikimi.rights.receive(
        sid, "access", channel=jikimi.core.policy.rights_channels[0], actor="self"
    )
    due = received.request.due_at
    sweep_at(jikimi, clock, due - timedelta(days=3, hours=1))
    assert not [e for e in stored(jikimi) if e["type"] == "rights_request.due_soon"]
    sweep_at(jikimi, clock, due - timedelta(days=2))
    sweep_at(jikimi, clock, due - timedelta(days=1))
    soon = [e for e in stored(jikimi) if e["type"] == "rights_request.due_soon"]
    assert len(soon) == 1 and json.loads(soon[0]["data"])["request_id"] == received.request.id


def test_a_withdrawal_that_keeps_data_apart_tells_what_was_separated_and_until_when(
    engine: Engine, clock: FixedClock
) -> None:
    jikimi = jikimi_for(engine, clock, None)
    sid = member(jikimi)
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    separated = [e for e in stored(jikimi) if e["type"] == "subject.separated"]
    if ended.separated:
        (event,) = separated
        data = json.loads(event["data"])
        assert data["cause"] == "withdrawal" and data["items"] == sorted(ended.separated)
    else:
        assert separated == []


# --- order for a service that pulls --------------------------------------------------------------------


def test_positions_follow_commits_so_a_late_commit_is_never_skipped(
    engine: Engine, clock: FixedClock
) -> None:
    jikimi = jikimi_for(engine, clock, None)
    now = jikimi.core.now()
    early = engine.connect()
    early_tx = early.begin()
    event_rows.emit(early, [NewEvent("subject.withdrawn", "early", "early", {})], now=now)  # id 1, open
    if engine.dialect.name == "sqlite":  # one writer: the late one waits, so commit order is id order
        early_tx.commit()
    with jikimi.core.unit_of_work() as uow:
        event_rows.emit(uow.conn, [NewEvent("subject.withdrawn", "late", "late", {})], now=now)
        uow.commit()
    admin = jikimi.handlers.create("events-reader", "correct horse battery", role=_reader(jikimi))[0]

    seen = jikimi.events.page(after=0, actor=admin)
    if engine.dialect.name == "postgresql":
        assert [e.subject_id for e in seen.events] == ["late"]  # the open one is not visible yet
        early_tx.commit()
    early.close()
    more = jikimi.events.page(after=seen.next, actor=admin)
    assert {e.subject_id for e in seen.events + more.events} == {"early", "late"}
    assert more.next > seen.next or engine.dialect.name == "sqlite"


def _reader(jikimi: Jikimi) -> str:
    jikimi.handlers.define_role("integration", purposes=[], actions=["events"])
    return "integration"


def test_pulling_needs_the_events_action_and_is_logged(engine: Engine, clock: FixedClock) -> None:
    jikimi = jikimi_for(engine, clock, None)
    jikimi.lifecycle.withdraw(member(jikimi), "member_request")
    reader = jikimi.handlers.create("events-reader", "correct horse battery", role=_reader(jikimi))[0]
    jikimi.handlers.define_role("nothing", purposes=[], actions=["collect"])
    stranger = jikimi.handlers.create("stranger", "correct horse battery", role="nothing")[0]
    with pytest.raises(Denied):
        jikimi.events.page(actor=stranger)
    with pytest.raises(InvalidInput):
        jikimi.events.page(actor=reader, types=["subject.vanished"])
    page = jikimi.events.page(actor=reader, types=["subject.withdrawn"])
    assert [e.type for e in page.events] == ["subject.withdrawn"]
    with jikimi.core.reading() as conn:
        (row,) = conn.execute(select(access_log).where(access_log.c.action == "events.read")).all()
    assert row.actor == "events-reader"


def test_the_operator_lists_counts_and_replays_events_from_the_cli(
    engine: Engine, clock: FixedClock, db_url: str, tmp_path: Any
) -> None:
    del engine, clock
    from jikimi.cli import run

    key_file = tmp_path / "master.key"
    assert run(["keys", "init", "--key-file", str(key_file)]) == 0
    env = {
        "JIKIMI_DB_URL": db_url,
        "JIKIMI_KEY_FILE": str(key_file),
        "JIKIMI_POLICY": str(EXAMPLES / "reference.yaml"),
    }
    runner = CliRunner()
    from jikimi import Settings, open_jikimi

    jikimi = open_jikimi(Settings.from_env(env))
    try:
        jikimi.lifecycle.withdraw(member(jikimi), "member_request")
    finally:
        jikimi.close()
    listed = runner.invoke(cli_app, ["events", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    lines = [json.loads(line) for line in listed.output.splitlines() if line.startswith("{")]
    assert lines[0]["type"] == "subject.withdrawn" and lines[0]["position"] == 1
    status = runner.invoke(cli_app, ["events", "status", "--json"], env=env)
    assert json.loads(status.output.splitlines()[-1])["subject.withdrawn"] == {"due": 1}
    replay = runner.invoke(cli_app, ["events", "replay", lines[0]["id"]], env=env)
    assert replay.exit_code == 0 and "1" in replay.output
    refused = runner.invoke(cli_app, ["events", "replay"], env=env)
    assert refused.exit_code != 0 and "--after" in str(refused.exception)
    wrong = runner.invoke(cli_app, ["events", "list", "--type", "nope"], env=env)
    assert wrong.exit_code != 0 and "subject.withdrawn" in str(wrong.exception)


def test_events_are_kept_30_days_for_a_pull_then_go_and_positions_go_on_growing(
    engine: Engine, clock: FixedClock
) -> None:
    jikimi = jikimi_for(engine, clock, None)
    for n in range(3):
        jikimi.lifecycle.withdraw(member(jikimi, n), "member_request")
    jikimi.events.sequence()
    last = max(e["position"] for e in stored(jikimi))
    assert jikimi.lifecycle.sweep(now=jikimi.core.now() + timedelta(days=29)).events_expired == 0
    report = jikimi.lifecycle.sweep(now=jikimi.core.now() + timedelta(days=31))
    assert report.events_expired == last - 1  # all but the newest, which keeps the order's mark
    jikimi.lifecycle.withdraw(member(jikimi, 9), "member_request")
    jikimi.events.sequence()
    assert min(e["position"] for e in stored(jikimi) if e["subject_id"] != "x") == last
    assert max(e["position"] for e in stored(jikimi)) > last
