"""Delivery: what the outbox owes people reaches them — e-mail read back from a real SMTP server on
loopback, webhooks from a real HTTP receiver, letters from the print-queue file — with the contact
read through the gate (and logged), retries with back-off, dead letters with their reason, and one
stable message id per message so a duplicate can be dropped.

The seed promise kept here (클래스파트라): "대상자에게 안내는 분리 보관 처리일을 기준으로 하여
최소 30일 이전에 이메일로 전송됩니다"."""

from __future__ import annotations

import json
import random
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.notices.channels import Email, Letter, Webhook, verify
from jikimi.notices.delivery import Channels
from jikimi.notices.rounds import retry_delay
from jikimi.policy.model import NoticeWording
from jikimi.store import outbox as outbox_rows
from jikimi.store.tables import access_log, outbox

from ..conftest import EXAMPLES, MEMBER
from ..lifecycle.conftest import kst, sweep_at
from ..policies import cached_policy
from ..seeds.seeds import SEEDS
from ..vault.conftest import fast_passwords
from .receivers import smtp_server, webhook_receiver

# aiosmtpd cannot see that SMTPS is TLS throughout, and warns about AUTH without STARTTLS
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

SECRET = "sender-signing-key"
CLASSPATRA_SIGNUP = SEEDS["classpatra"].member["signup"]


def jikimi_with(engine: Engine, clock: FixedClock, name: str, channels: Channels, tries: int = 8) -> Jikimi:
    policy = cached_policy(EXAMPLES / f"{name}.yaml")
    return build_jikimi(
        policy=policy,
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
        channels=channels,
        delivery_tries=tries,
    )


@pytest.fixture
def mail() -> Iterator[tuple[str, object]]:
    with smtp_server() as served:
        yield served


def queue(jikimi: Jikimi, sid: str | None, key: str, **fields: object) -> None:
    now = jikimi.core.now()
    with jikimi.core.unit_of_work() as uow:
        outbox_rows.enqueue(
            uow.conn,
            kind=str(fields.pop("kind", "dormancy_notice")),
            subject_id=sid,
            dedupe_key=key,
            payload=dict(
                fields.pop("payload", {"subject_id": sid, "separation_at": "2027-03-02T15:00:00+00:00"})
            ),
            due_at=now,
            now=now,
            **fields,  # type: ignore[arg-type]
        )
        uow.commit()


def rows(jikimi: Jikimi) -> list[dict[str, object]]:
    with jikimi.core.reading() as conn:
        return [dict(r._mapping) for r in conn.execute(select(outbox).order_by(outbox.c.id))]


# --- the seed's promise ---------------------------------------------------------------------------


def test_a_classpatra_member_idle_11_months_is_emailed_30_days_before_separation_and_a_login_brings_them_back(
    engine: Engine, clock: FixedClock
) -> None:
    with smtp_server() as (url, inbox):
        jikimi = jikimi_with(engine, clock, "remediated/classpatra", Channels(email=Email(url)))
        sid = jikimi.vault.collect("signup", CLASSPATRA_SIGNUP).subject_id  # 2026-03-02 10:00 KST

        sweep_at(jikimi, clock, kst(2027, 1, 31))  # 11 months on: not yet 30 days before
        assert jikimi.delivery.drain().claimed == 0
        sweep_at(jikimi, clock, kst(2027, 2, 1))  # idle 11 months: 30 days before the separation
        report = jikimi.delivery.drain()
        assert (report.delivered, report.dead) == (1, 0)

        (mail,) = inbox.to(CLASSPATRA_SIGNUP["email"])
        assert "휴면" in mail["Subject"]
        body = mail.get_content()
        assert "2027년 03월 03일" in body and "2027-03-03" in body  # separated at the close of 2027-03-02
        assert mail["Message-ID"].startswith("<msg_")
        assert CLASSPATRA_SIGNUP["name"] not in body  # a notice says what it must, no more

        with jikimi.core.reading() as conn:  # the contact was read through the gate, and logged
            (read,) = conn.execute(
                select(access_log).where(
                    access_log.c.subject_id == sid, access_log.c.actor == "system:deliver"
                )
            ).all()
        assert (read.action, read.outcome, read.purpose) == ("read", "allowed", "service")
        assert str(mail["X-Jikimi-Message-Id"]) in read.reason

        sweep_at(jikimi, clock, kst(2027, 3, 3))
        assert jikimi.vault.subject(sid)["status"] == "dormant"
        clock.set(kst(2027, 4, 1, 9, 0))
        assert jikimi.vault.verify_password(sid, "password", CLASSPATRA_SIGNUP["password"])
        assert jikimi.vault.subject(sid)["status"] == "active"
        assert jikimi.delivery.drain().claimed == 0  # the one notice, never twice


# --- e-mail -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tls", ["starttls", "smtps"])
def test_mail_goes_over_tls_with_authentication(
    engine: Engine, clock: FixedClock, tmp_path: Path, tls: str
) -> None:
    with smtp_server(tmp_path, tls=tls, auth=True) as (url, inbox):
        jikimi = jikimi_with(engine, clock, "reference", Channels(email=Email(url, "privacy@test.example")))
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1")
        assert jikimi.delivery.drain().delivered == 1
        (mail,) = inbox.to(MEMBER["email"])
        assert mail["From"] == "privacy@test.example"


def test_a_wrong_smtp_password_is_retried_later_with_its_code(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    with smtp_server(tmp_path, tls="starttls", auth=True) as (url, inbox):
        wrong = url.replace("relay-pass", "wrong")
        jikimi = jikimi_with(engine, clock, "reference", Channels(email=Email(wrong)))
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1")
        report = jikimi.delivery.drain()
        assert (report.delivered, report.retried) == (0, 1)
        (row,) = rows(jikimi)
        assert (row["status"], row["last_error"]) == ("pending", "smtp.auth")  # waits for the fixed setting
        assert inbox.messages == []


# --- the gate decides the contact ----------------------------------------------------------------


def test_a_notice_to_a_withdrawn_member_is_dead_with_the_gates_reason(
    engine: Engine, clock: FixedClock
) -> None:
    with smtp_server() as (url, inbox):
        jikimi = jikimi_with(engine, clock, "reference", Channels(email=Email(url)))
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1")
        jikimi.lifecycle.withdraw(sid, "member_request")
        report = jikimi.delivery.drain()
        assert (report.delivered, report.dead) == (0, 1)
        (row,) = rows(jikimi)
        assert row["status"] == "dead" and str(row["last_error"]).startswith("contact.")
        assert inbox.messages == []


def test_a_member_without_a_contact_for_the_channel_is_dead_as_no_contact(
    engine: Engine, clock: FixedClock
) -> None:
    jikimi = jikimi_with(engine, clock, "reference", Channels(email=Email("smtp://127.0.0.1:9?starttls=off")))
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    queue(jikimi, sid, "k1", channel="letter")  # the member gave no postal address
    jikimi.delivery.drain()
    (row,) = rows(jikimi)
    assert (row["status"], row["last_error"]) == ("dead", "no_contact")


# --- the service's own sender -------------------------------------------------------------------


def test_sms_goes_to_the_services_sender_signed_with_an_idempotency_key(
    engine: Engine, clock: FixedClock
) -> None:
    with webhook_receiver() as (url, posts):
        jikimi = jikimi_with(engine, clock, "reference", Channels(sender=Webhook(url, SECRET)))
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1", channel="sms")
        assert jikimi.delivery.drain().delivered == 1
        ((headers, body),) = posts.received
        assert verify(SECRET.encode(), headers["X-Jikimi-Timestamp"], body, headers["X-Jikimi-Signature"])
        assert not verify(b"another key", headers["X-Jikimi-Timestamp"], body, headers["X-Jikimi-Signature"])
        old = str(int(headers["X-Jikimi-Timestamp"]) - 301)
        assert not verify(SECRET.encode(), old, body, headers["X-Jikimi-Signature"])  # a replay is refused
        document = json.loads(body)
        assert (
            headers["Idempotency-Key"]
            == document["id"]
            == outbox_rows.message_id(str(rows(jikimi)[0]["dedupe_key"]))
        )
        assert (document["channel"], document["to"], document["subject_id"]) == ("sms", "010-1234-5678", sid)
        assert MEMBER["mobile"] not in url  # never in the URL


def test_a_failing_sender_is_retried_with_back_off_and_the_message_is_dead_after_the_last_try(
    engine: Engine, clock: FixedClock
) -> None:
    with webhook_receiver() as (url, posts):
        jikimi = jikimi_with(engine, clock, "reference", Channels(sender=Webhook(url, SECRET)), tries=3)
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1", channel="push")
        posts.fail = [503, 503, 503]
        start = clock.now()
        assert jikimi.delivery.drain().retried == 1
        (row,) = rows(jikimi)
        waited = row["due_at"].replace(tzinfo=start.tzinfo) - start  # type: ignore[union-attr]
        assert timedelta(seconds=15) <= waited <= timedelta(seconds=30)
        assert jikimi.delivery.drain().claimed == 0  # not due yet
        clock.advance(timedelta(seconds=31))
        assert jikimi.delivery.drain().retried == 1
        clock.advance(timedelta(seconds=61))
        report = jikimi.delivery.drain()
        assert (report.dead, report.retried) == (1, 0)
        (row,) = rows(jikimi)
        assert (row["status"], row["attempts"], row["last_error"]) == ("dead", 3, "webhook.503")
        assert [m.last_error for m in jikimi.delivery.messages(status="dead")] == ["webhook.503"]

        assert jikimi.delivery.revive() == 1  # the operator fixed the sender
        assert jikimi.delivery.drain().delivered == 1
        assert len(posts.received) == 1


def test_a_sender_refusing_the_message_makes_it_dead_at_once(engine: Engine, clock: FixedClock) -> None:
    with webhook_receiver() as (url, posts):
        jikimi = jikimi_with(engine, clock, "reference", Channels(sender=Webhook(url, SECRET)))
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1", channel="push")
        posts.fail = [400]
        assert jikimi.delivery.drain().dead == 1
        assert rows(jikimi)[0]["last_error"] == "webhook.400"


def test_backoff_doubles_from_30_seconds_to_at_most_6_hours_with_jitter() -> None:
    rng = random.Random(7)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (10, 15360), (11, 6 * 3600), (30, 6 * 3600)]:
        delay = retry_delay(attempts, rng).total_seconds()
        assert ceiling / 2 <= delay <= ceiling


def test_a_channel_not_configured_waits_with_a_code_that_says_which(
    engine: Engine, clock: FixedClock
) -> None:
    jikimi = jikimi_with(engine, clock, "reference", Channels())
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    queue(jikimi, sid, "k1")
    assert jikimi.delivery.drain().retried == 1
    assert rows(jikimi)[0]["last_error"] == "channel.email.not_configured"


# --- letters ------------------------------------------------------------------------------------


def test_a_letter_goes_to_the_print_queue_file_readable_only_by_its_owner(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    queue_file = tmp_path / "letters.jsonl"
    jikimi = jikimi_with(engine, clock, "remediated/classpatra", Channels(letter=Letter(queue_file)))
    sid = jikimi.vault.collect("signup", CLASSPATRA_SIGNUP).subject_id
    queue(jikimi, sid, "k1", channel="letter")
    assert jikimi.delivery.drain().delivered == 1
    (line,) = [json.loads(x) for x in queue_file.read_text(encoding="utf-8").splitlines()]
    assert line["to"] == CLASSPATRA_SIGNUP["address"] and "휴면" in line["title"]
    assert stat.S_IMODE(queue_file.stat().st_mode) == 0o600


# --- at least once, never twice by mistake --------------------------------------------------------


def test_a_worker_that_died_after_claiming_leaves_its_messages_to_another_after_the_lease(
    engine: Engine, clock: FixedClock
) -> None:
    with webhook_receiver() as (url, posts):
        jikimi = jikimi_with(engine, clock, "reference", Channels(sender=Webhook(url, SECRET)))
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1", channel="push")
        now = clock.now()
        with jikimi.core.unit_of_work() as uow:  # a worker claims, then is killed before sending
            (taken,) = outbox_rows.claim(
                uow.conn, now=now, until=now + timedelta(minutes=2), worker="dead:1", limit=10
            )
            uow.commit()
        assert jikimi.delivery.drain().claimed == 0  # its lease still holds
        clock.advance(timedelta(minutes=2, seconds=1))
        assert jikimi.delivery.drain().delivered == 1
        with jikimi.core.unit_of_work() as uow:  # the dead worker's late mark changes nothing
            assert outbox_rows.mark_delivered(uow.conn, [taken.id], worker="dead:1", now=clock.now()) == 0
            uow.commit()
        assert [b["id"] for b in posts.bodies()] == [taken.message_id]


def test_the_message_id_is_stable_and_reveals_nothing_of_the_subject() -> None:
    key = "dormancy_notice:s_0123456789abcdef:2026-03-02T01:00:00+00:00"
    assert outbox_rows.message_id(key) == outbox_rows.message_id(key)
    assert "s_0123" not in outbox_rows.message_id(key) and len(outbox_rows.message_id(key)) == 28


def test_no_personal_value_is_written_to_the_outbox_row(engine: Engine, clock: FixedClock) -> None:
    with smtp_server() as (url, _):
        jikimi = jikimi_with(engine, clock, "remediated/classpatra", Channels(email=Email(url)))
        jikimi.vault.collect("signup", CLASSPATRA_SIGNUP)
        sweep_at(jikimi, clock, kst(2027, 2, 1))
        jikimi.delivery.drain()
        (row,) = rows(jikimi)
        text = json.dumps(row, default=str, ensure_ascii=False)
        for value in CLASSPATRA_SIGNUP.values():
            assert value not in text


def test_counts_show_what_is_due_later_delivered_and_dead(engine: Engine, clock: FixedClock) -> None:
    with webhook_receiver() as (url, posts):
        jikimi = jikimi_with(engine, clock, "reference", Channels(sender=Webhook(url, SECRET)))
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        for n in range(3):
            queue(jikimi, sid, f"k{n}", channel="push")
        posts.fail = [400]
        jikimi.delivery.drain()
        queue(jikimi, sid, "k9", channel="push")
        assert jikimi.delivery.counts() == {
            ("dormancy_notice", "delivered"): 2,
            ("dormancy_notice", "dead"): 1,
            ("dormancy_notice", "due"): 1,
        }


# --- notices to recipients ------------------------------------------------------------------------


def test_an_earlier_recipient_is_told_of_a_correction_through_the_services_sender(
    engine: Engine, clock: FixedClock
) -> None:
    with webhook_receiver() as (url, posts):
        jikimi = jikimi_with(engine, clock, "reference", Channels(sender=Webhook(url, SECRET)))
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        partner, _ = jikimi.handlers.create("pt-choi", "correct horse battery", role=_partner_role(jikimi))
        jikimi.sharing.give_consent(sid, "nurim_points", actor=partner)
        jikimi.sharing.provide([sid], "nurim_points", ["name", "mobile"], basis="consent", actor=partner)
        request = jikimi.rights.receive(
            sid, "correction", channel="web", actor="system", items=["mobile"]
        ).request
        jikimi.rights.verify(request.id, method="handler", proof="휴대전화 본인확인", actor="system")
        jikimi.rights.apply_correction(request.id, {"mobile": "010-9876-5432"}, actor="system")

        jikimi.delivery.drain()  # the correction notice (and the member's answer)
        (document,) = [d for d in posts.bodies() if d["kind"] == "correction_notice"]
        assert (document["recipient"], document["recipient_id"], document["subject_id"]) == (
            "third_party",
            "nurim_points",
            sid,
        )
        assert document["to"] == "02-6274-1180"  # the company's desk from the policy
        assert "정정" in document["title"] and "휴대전화번호" in document["body"]
        assert "9876" not in document["body"]  # the value itself goes only by a new, logged provision


def _partner_role(jikimi: Jikimi) -> str:
    jikimi.handlers.define_role("partnerships", purposes=[], actions=["provide", "provide_by_law", "consent"])
    return "partnerships"


# --- the policy's own wording ----------------------------------------------------------------------


def _reworded(engine: Engine, clock: FixedClock, url: str, body: str) -> Jikimi:
    policy = cached_policy(EXAMPLES / "reference.yaml")
    wording = {
        "dormancy_notice": NoticeWording(title="휴면 안내 {{ payload.separation_at | kst_date }}", body=body)
    }
    reworded = policy.model_copy(update={"notice": policy.notice.model_copy(update={"wording": wording})})
    return build_jikimi(
        policy=reworded,
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
        channels=Channels(email=Email(url)),
    )


def test_the_policy_may_word_a_notice_its_own_way(engine: Engine, clock: FixedClock) -> None:
    with smtp_server() as (url, inbox):
        jikimi = _reworded(
            engine, clock, url, "{{ controller.name }}: {{ payload.separation_at | kst }} 휴면 전환"
        )
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1")
        assert jikimi.delivery.drain().delivered == 1
        (mail,) = inbox.to(MEMBER["email"])
        assert mail["Subject"].strip() == "휴면 안내 2027년 03월 03일"
        assert mail.get_content().startswith("주식회사 지킴이몰: 2027년 03월 03일 00:00 (KST) 휴면 전환")


def test_policy_wording_that_reaches_for_python_internals_is_refused_by_the_sandbox(
    engine: Engine, clock: FixedClock
) -> None:
    with smtp_server() as (url, inbox):
        jikimi = _reworded(engine, clock, url, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
        sid = jikimi.vault.collect("signup", MEMBER).subject_id
        queue(jikimi, sid, "k1")
        assert jikimi.delivery.drain().dead == 1
        assert rows(jikimi)[0]["last_error"] == "render.policy_wording"
        assert inbox.messages == []
