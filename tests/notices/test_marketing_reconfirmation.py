"""Consents to receive advertising are reconfirmed every 2 years (정보통신망법 50⑧, 시행령 62-3): the
sweep queues the notice 30 days before the mark — once, with ids, dates and channel codes only —
the Korean notice says who sends, what was consented to and when, and how to keep or withdraw it;
a delivered notice keeps the consent (the subject who says nothing keeps it), an unanswered mark
lets it lapse, and a sweep with nothing due reads the index, not the consent history."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text, update

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock, as_utc
from jikimi.notices.channels import Email
from jikimi.notices.delivery import Channels
from jikimi.notices.marketing import KIND
from jikimi.notices.marketing_rules import reconfirmation_due_before
from jikimi.notices.wording import render
from jikimi.periods import KST
from jikimi.store import outbox as outbox_rows
from jikimi.store.marketing import due_for_reconfirmation
from jikimi.store.tables import outbox

from .marketing_setup import CHILD, OTHER, SIGNUP, build, join, log_rows, reason
from .receivers import smtp_server

MARK = datetime(2028, 3, 3, 0, 0, tzinfo=KST)
"""The 2-year mark of a consent given 2026-03-02 10:00 KST: it holds to the close of 2028-03-02."""


def queued(jikimi: Jikimi) -> list[outbox_rows.Message]:
    with jikimi.core.reading() as conn:
        return outbox_rows.pending(conn, kind=KIND)


def sweep_at(jikimi: Jikimi, clock: FixedClock, moment: datetime) -> int:
    clock.set(moment)
    return jikimi.lifecycle.sweep().reconfirmations


def test_a_reconfirmation_notice_is_queued_before_the_two_year_mark(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    assert sweep_at(mecross, clock, MARK - timedelta(days=31)) == 0
    assert queued(mecross) == []
    assert sweep_at(mecross, clock, MARK - timedelta(days=30)) == 1
    (message,) = queued(mecross)
    assert (message.subject_id, message.channel, message.recipient) == (subscriber, "email", "subject")
    assert as_utc(message.due_at) < MARK
    assert message.dedupe_key == f"{KIND}:{subscriber}:2026-03-02T01:00:00+00:00"
    assert message.payload == {
        "subject_id": subscriber,
        "anchor": "2026-03-02T01:00:00+00:00",
        "expires_at": "2028-03-02T15:00:00+00:00",
        "consents": [
            {"channel": "sms", "consented_at": "2026-03-02T01:00:00+00:00", "reconfirmed_at": None},
            {"channel": "email", "consented_at": "2026-03-02T01:00:00+00:00", "reconfirmed_at": None},
        ],
    }
    # ids, dates and channel codes: no personal value of the subject is in the outbox row
    stored = json.dumps(message.payload, ensure_ascii=False)
    assert not [v for v in SIGNUP.values() if len(v) > 3 and v in stored]
    (row,) = log_rows(mecross.core.engine, "marketing.reconfirmation")
    assert (row["actor"], row["count"], row["reason"]) == ("system:sweep", 1, "queued=1; settled=0")


def test_the_notice_is_queued_once_however_often_the_sweep_runs(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    assert sweep_at(mecross, clock, MARK - timedelta(days=29)) == 1
    assert sweep_at(mecross, clock, MARK - timedelta(days=28)) == 0
    assert mecross.marketing.queue_reconfirmations() == 0
    assert len(queued(mecross)) == 1


def test_the_notice_says_who_sends_what_was_consented_to_and_when_and_how_to_withdraw(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    mecross.marketing.give(subscriber, "night")
    sweep_at(mecross, clock, MARK - timedelta(days=20))
    (message,) = queued(mecross)
    notice = render(mecross.policy, KIND, message.payload, message_id=message.message_id)
    assert notice.title.startswith("[주식회사 메크로스] 광고성 정보 수신동의 여부 확인 안내")
    body = notice.body
    assert "보내는 곳: 주식회사 메크로스" in body  # 전송자의 명칭
    for line in (
        "문자메시지(SMS): 2026년 03월 02일 동의",  # 수신동의 사실과 날짜, per channel
        "이메일: 2026년 03월 02일 동의",
        "야간(오후 9시~다음 날 오전 8시) 광고 수신: 2026년 03월 02일 동의",
        "text messages (SMS): consented 2026-03-02",
    ):
        assert line in body, line
    assert "유지하시려면: 따로 하실 일이 없습니다" in body  # 유지 또는 철회의 의사를 표시하는 방법
    assert "바로 수신동의가 철회" in body and "1661-9265" in body and "help@mecross.net" in body
    assert "To stop, tell us" in body and message.message_id in body
    assert SIGNUP["email"] not in body and SIGNUP["mobile"] not in body


def test_a_consent_left_unanswered_past_the_mark_lapses(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    sweep_at(mecross, clock, MARK - timedelta(days=30))  # queued, never delivered (no channel set up)
    sweep_at(mecross, clock, MARK)
    assert reason(mecross, subscriber, "sms", MARK + timedelta(hours=10)) == "consent_expired"


def test_a_delivered_notice_keeps_the_consent_for_two_more_years(
    mecross: Jikimi, subscriber: str, clock: FixedClock, engine: Engine
) -> None:
    sweep_at(mecross, clock, MARK - timedelta(days=30))
    delivered = as_utc(MARK - timedelta(days=29))  # 2028-02-03 00:00 KST
    with engine.begin() as conn:  # what the delivery worker records once the e-mail is accepted
        conn.execute(update(outbox).values(status="delivered", delivered_at=delivered))
    assert sweep_at(mecross, clock, MARK - timedelta(days=28)) == 0
    (row,) = log_rows(engine, "marketing.reconfirmation")[1:]
    assert row["reason"] == "queued=0; settled=2"
    clock.set(MARK + timedelta(days=60))
    assert reason(mecross, subscriber, "sms", clock.now() + timedelta(hours=10)) == "allowed"
    (sms, email) = mecross.marketing.consents(subscriber)
    assert sms.confirmed_at == delivered and email.confirmed_at == delivered
    # the next notice comes 30 days before the next mark, counted from the delivery
    # (reconfirmed 2028-02-03: it holds to the close of 2030-02-03, and is told 30 days before)
    assert sweep_at(mecross, clock, datetime(2030, 1, 4, 23, 59, tzinfo=KST)) == 0
    assert sweep_at(mecross, clock, datetime(2030, 1, 5, 0, 0, tzinfo=KST)) == 1


def test_an_explicit_reconfirmation_restarts_the_clock_and_no_notice_is_needed(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    clock.set(MARK - timedelta(days=60))
    mecross.marketing.reconfirm(subscriber)
    assert sweep_at(mecross, clock, MARK - timedelta(days=20)) == 0
    assert reason(mecross, subscriber, "email", MARK + timedelta(days=1, hours=10)) == "allowed"


def test_consents_of_different_dates_get_notices_of_their_own(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 6, 1, 10, 0, tzinfo=KST))
    mecross.marketing.give(subscriber, "push")
    sweep_at(mecross, clock, datetime(2028, 5, 10, 10, 0, tzinfo=KST))
    channels = sorted(
        (m.channel, tuple(c["channel"] for c in m.payload["consents"])) for m in queued(mecross)
    )  # type: ignore[union-attr]
    assert channels == [("email", ("sms", "email")), ("push", ("push",))]


def test_no_notice_for_a_withdrawn_consent_a_child_or_a_member_who_left(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    other = join(mecross, {"marketing": True, "ad:push": True}, OTHER)
    mecross.marketing.withdraw(subscriber, "sms")
    mecross.marketing.withdraw(subscriber, "email")
    assert CHILD is not None
    mecross.vault.collect("signup", CHILD, {})
    mecross.lifecycle.withdraw(other, "member_request")
    assert sweep_at(mecross, clock, MARK - timedelta(days=10)) == 0


@pytest.mark.parametrize("kind", ["ad_channel", "ad_night"])
def test_a_sweep_with_nothing_due_reads_the_anchor_index(engine: Engine, kind: str) -> None:
    before = reconfirmation_due_before(datetime(2027, 1, 1, tzinfo=KST))
    with engine.begin() as conn:
        assert due_for_reconfirmation(conn, before) == []
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: ask what it would use
            explain = "EXPLAIN "
        else:
            explain = "EXPLAIN QUERY PLAN "
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                text(
                    f"{explain}SELECT id FROM consents WHERE target_kind = :k AND withdrawn_at IS NULL"
                    " AND confirmed_at IS NULL AND at < :b"
                ),
                {"k": kind, "b": before},
            )
        )
    assert "ix_consents_kind_anchor" in plan, plan


def test_the_notice_reaches_the_inbox_before_the_mark_and_keeps_the_consent(
    engine: Engine, clock: FixedClock
) -> None:
    with smtp_server() as (url, inbox):
        jikimi = build(engine, clock, channels=Channels(email=Email(url)))
        sid = join(jikimi, {"marketing": True, "ad:sms": True, "ad:email": True})  # 2026-03-02 10:00 KST
        sweep_at(jikimi, clock, MARK - timedelta(days=30))
        assert jikimi.delivery.drain().delivered == 1
        (mail,) = inbox.to(SIGNUP["email"])
        assert "광고성 정보 수신동의 여부 확인" in mail["Subject"]
        body = mail.get_content()
        assert "문자메시지(SMS): 2026년 03월 02일 동의" in body and "help@mecross.net" in body
        sweep_at(jikimi, clock, MARK - timedelta(days=29))  # the delivered notice is the reconfirmation
        assert reason(jikimi, sid, "sms", MARK + timedelta(days=1, hours=10)) == "allowed"
        assert jikimi.delivery.drain().claimed == 0  # one notice, never twice
