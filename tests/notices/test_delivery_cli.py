"""``jikimi deliver`` and ``jikimi outbox`` at the terminal: what is due goes, what failed shows its
reason, and the operator makes dead letters due again — over the same database and key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from jikimi import Settings, open_jikimi
from jikimi.bootstrap import build_jikimi
from jikimi.cli import run
from jikimi.crypto import KeyRing, MasterKey
from jikimi.store import outbox as outbox_rows
from jikimi.store.engine import make_engine

from ..conftest import EXAMPLES, MEMBER
from ..databases import fresh_postgres
from ..policies import cached_policy
from ..vault.conftest import fast_passwords
from .receivers import smtp_server, webhook_receiver


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine) -> str:
    """A member with three messages due: two e-mails and an app push; the terminal's settings."""
    return _queue(monkeypatch, db_url, engine)


@pytest.fixture
def pg_queued(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The same, on PostgreSQL only (several workers claim rows with ``FOR UPDATE SKIP LOCKED``)."""
    with fresh_postgres() as url:
        engine = make_engine(url)
        try:
            yield _queue(monkeypatch, url, engine)
        finally:
            engine.dispose()


def _queue(monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine) -> str:
    ring = KeyRing(MasterKey.generate())
    monkeypatch.setenv("JIKIMI_DB_URL", db_url)
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    monkeypatch.setenv("JIKIMI_POLICY", str(EXAMPLES / "reference.yaml"))
    jikimi = build_jikimi(
        policy=cached_policy(EXAMPLES / "reference.yaml"),
        engine=engine,
        keys=ring,
        passwords=fast_passwords(),
    )
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    now = jikimi.core.now() - timedelta(seconds=1)
    with jikimi.core.unit_of_work() as uow:
        for n, channel in enumerate(["email", "email", "push"]):
            outbox_rows.enqueue(
                uow.conn,
                kind="dormancy_notice",
                subject_id=sid,
                dedupe_key=f"cli:{n}",
                payload={"subject_id": sid, "separation_at": "2027-03-02T15:00:00+00:00"},
                due_at=now,
                now=now,
                channel=channel,
            )
        uow.commit()
    return sid


def test_deliver_once_sends_what_is_due_and_the_outbox_shows_what_failed_and_why(
    queued: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with smtp_server() as (url, inbox), webhook_receiver() as (sender, posts):
        monkeypatch.setenv("JIKIMI_SMTP_URL", url)
        monkeypatch.setenv("JIKIMI_SENDER_URL", sender)
        monkeypatch.setenv("JIKIMI_SENDER_SECRET", "s3cret")
        posts.fail = [400]  # the service's sender refuses the push
        assert run(["deliver", "--once", "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert (result["delivered"], result["dead"], result["errors"]) == (2, 1, {"webhook.400": 1})
        assert len(inbox.to(MEMBER["email"])) == 2

        assert run(["outbox", "status", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"dormancy_notice": {"delivered": 2, "dead": 1}}
        assert run(["outbox", "list", "--status", "dead", "--json"]) == 0
        (dead,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert (dead["channel"], dead["last_error"], dead["attempts"]) == ("push", "webhook.400", 1)
        assert MEMBER["email"] not in json.dumps(dead) and MEMBER["mobile"] not in json.dumps(dead)

        assert run(["outbox", "retry", str(dead["id"])]) == 0
        assert "1" in capsys.readouterr().out
        assert run(["deliver", "--once"]) == 0
        assert "발송 1건" in capsys.readouterr().out and len(posts.received) == 1
        assert run(["outbox", "list"]) == 0
        assert "dormancy" in capsys.readouterr().out


def test_bad_options_are_refused_with_a_message_not_a_traceback(
    queued: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["outbox", "list", "--status", "lost"]) == 2
    assert "--status" in capsys.readouterr().err
    assert run(["outbox", "retry", "twelve"]) == 2
    assert "정수" in capsys.readouterr().err
    assert run(["deliver", "--once", "--workers", "0"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_bad_smtp_url_is_named_in_the_error(
    queued: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIKIMI_SMTP_URL", "mail.example.com:25")
    assert run(["deliver", "--once"]) == 2
    assert "JIKIMI_SMTP_URL" in capsys.readouterr().err


def test_two_workers_on_postgresql_take_different_messages(
    pg_queued: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    queued = pg_queued
    with webhook_receiver() as (sender, posts):
        monkeypatch.setenv("JIKIMI_SENDER_URL", sender)
        monkeypatch.setenv("JIKIMI_SENDER_SECRET", "s3cret")
        jikimi = open_jikimi(Settings.from_env())
        now = jikimi.core.now()
        with jikimi.core.unit_of_work() as uow:
            for n in range(400):
                outbox_rows.enqueue(
                    uow.conn,
                    kind="dormancy_notice",
                    subject_id=queued,
                    dedupe_key=f"two:{n}",
                    payload={"subject_id": queued, "separation_at": now.isoformat()},
                    due_at=now,
                    now=now,
                    channel="push",
                )
            uow.commit()
        jikimi.close()
        assert run(["deliver", "--once", "--workers", "2", "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["delivered"] == 403  # without an SMTP server the sender takes the e-mails too
        ids = [b["id"] for b in posts.bodies()]
        assert len(ids) == len(set(ids)) == 403  # no message taken by both workers
