"""The advertising send gate (정보통신망법 50) keeps its promises on real databases: prior consent per
channel, a separate consent for 21:00–08:00 KST, reconfirmation every 2 years, never a child,
never a withdrawn subscriber or a stopped purpose, a withdrawal honoured at once — each denial with its
reason — and every check one access-log row.

The seed promise kept here (메크로스): "문자/이메일/앱푸쉬(알람) 광고 수신동의 여부"."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import Handler
from jikimi.periods import KST
from jikimi.store import marketing as ad_rows
from jikimi.store.tables import consents

from .marketing_setup import AFTERNOON, CHILD, NIGHT, OTHER, join, log_rows, months, reason


def test_a_daytime_send_with_consent_to_the_purpose_and_the_channel_is_allowed(
    mecross: Jikimi, subscriber: str
) -> None:
    assert reason(mecross, subscriber, "sms", AFTERNOON) == "allowed"
    assert reason(mecross, subscriber, "email", AFTERNOON) == "allowed"
    assert reason(mecross, subscriber, "push", AFTERNOON) == "no_channel_consent"  # refused at sign-up


def test_a_night_send_without_night_consent_is_denied(mecross: Jikimi, subscriber: str) -> None:
    assert reason(mecross, subscriber, "sms", NIGHT) == "night_without_consent"
    assert (
        reason(mecross, subscriber, "sms", datetime(2026, 12, 3, 21, 0, tzinfo=KST))
        == "night_without_consent"
    )
    assert (
        reason(mecross, subscriber, "sms", datetime(2026, 12, 4, 7, 59, tzinfo=KST))
        == "night_without_consent"
    )
    assert reason(mecross, subscriber, "sms", datetime(2026, 12, 4, 8, 0, tzinfo=KST)) == "allowed"
    mecross.marketing.give(subscriber, "night")
    assert reason(mecross, subscriber, "sms", NIGHT) == "allowed"


def test_a_night_consent_given_at_sign_up_counts(mecross: Jikimi) -> None:
    sid = join(mecross, {"marketing": True, "ad:push": True, "ad:night": True})
    assert reason(mecross, sid, "push", NIGHT) == "allowed"
    assert reason(mecross, sid, "sms", NIGHT) == "no_channel_consent"


def test_a_consent_25_months_old_without_reconfirmation_is_denied(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    clock.advance(months(25))
    result = mecross.marketing.check([subscriber], channel="sms", send_at=clock.now())
    decision = result.decisions[subscriber]
    assert (decision.reason, decision.detail) == ("consent_expired", "sms")
    assert "2년" in decision.message_ko and "2 years" in decision.message_en


def test_a_consent_is_good_to_the_close_of_the_day_two_years_on_and_not_a_moment_longer(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    # given 2026-03-02 10:00 KST: two years run to the close of 2028-03-02 (Civil Act, first day not counted)
    mecross.marketing.give(subscriber, "night")
    clock.set(datetime(2028, 3, 2, 23, 59, tzinfo=KST))
    assert reason(mecross, subscriber, "sms", clock.now()) == "allowed"
    clock.set(datetime(2028, 3, 3, 0, 0, tzinfo=KST))
    assert reason(mecross, subscriber, "sms", clock.now()) == "consent_expired"


def test_a_send_planned_past_the_two_year_mark_is_denied_today(mecross: Jikimi, subscriber: str) -> None:
    assert reason(mecross, subscriber, "email", datetime(2028, 3, 3, 10, 0, tzinfo=KST)) == "consent_expired"


def test_a_reconfirmed_consent_holds_two_more_years(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    clock.advance(months(23))
    assert mecross.marketing.reconfirm(subscriber, ["sms"]) == ["sms"]
    clock.advance(months(2))
    assert reason(mecross, subscriber, "sms", clock.now()) == "allowed"
    assert reason(mecross, subscriber, "email", clock.now()) == "consent_expired"
    clock.advance(months(23))
    assert reason(mecross, subscriber, "sms", clock.now()) == "consent_expired"


def test_a_night_consent_older_than_two_years_is_expired_too(
    mecross: Jikimi, subscriber: str, clock: FixedClock
) -> None:
    mecross.marketing.give(subscriber, "night")
    clock.advance(months(23))
    mecross.marketing.reconfirm(subscriber, ["sms"])
    clock.advance(months(2))
    night = (clock.now() + timedelta(days=1)).astimezone(KST).replace(hour=23, minute=0)
    decision = mecross.marketing.check([subscriber], channel="sms", send_at=night).decisions[subscriber]
    assert (decision.reason, decision.detail) == ("consent_expired", "night")


def test_a_child_is_never_sent_advertising(mecross: Jikimi, engine: Engine) -> None:
    assert CHILD is not None
    child = mecross.vault.collect("signup", CHILD, {}).subject_id
    assert reason(mecross, child, "sms", AFTERNOON) == "child"  # waiting for the guardian
    mecross.vault.record_guardian_consent(child, method="법정대리인 휴대전화 본인확인")
    answers = {"marketing": True, "ad:sms": True, "ad:night": True}
    collected = mecross.vault.collect("signup", CHILD, answers, subject_id=child)
    assert collected.consents_given == ("marketing",)  # the answers to receive advertising are not kept
    with pytest.raises(StateConflict):
        mecross.marketing.give(child, "sms")
    # even with every consent on file (as an old import might have left them), a child is never sent any
    with engine.begin() as conn:
        ad_rows.add_answers(
            conn,
            child,
            [("sms", True), ("night", True)],
            policy_version="v",
            channel="web",
            actor="t",
            now=datetime.now(KST),
        )
    assert reason(mecross, child, "sms", AFTERNOON) == "child"
    assert reason(mecross, child, "sms", NIGHT) == "child"


def test_a_withdrawn_channel_consent_is_denied_at_once(mecross: Jikimi, subscriber: str) -> None:
    assert reason(mecross, subscriber, "sms", AFTERNOON) == "allowed"
    mecross.marketing.withdraw(subscriber, "sms")
    assert reason(mecross, subscriber, "sms", AFTERNOON) == "no_channel_consent"
    assert reason(mecross, subscriber, "email", AFTERNOON) == "allowed"  # the other channel stands
    mecross.marketing.give(subscriber, "sms")
    assert reason(mecross, subscriber, "sms", AFTERNOON) == "allowed"


def test_a_refusal_at_a_later_collection_withdraws_the_channel(mecross: Jikimi, subscriber: str) -> None:
    mecross.vault.collect(
        "event",
        {
            "delivery_address": "서울특별시 마포구 예시로 45",
            "recipient_name": "이영희",
            "mobile": "010-2222-3333",
            "email": "younghee@example.com",
        },
        subject_id=subscriber,
    )
    assert reason(mecross, subscriber, "email", AFTERNOON) == "allowed"
    mecross.vault.collect(
        "signup",
        dict(
            OTHER,
            login_id="younghee92",
            email="younghee@example.com",
            mobile="010-2222-3333",
            ci="CI" + "Y" * 86,
            address="서울",
        ),
        {"marketing": True, "ad:email": False},
        subject_id=subscriber,
    )
    assert reason(mecross, subscriber, "email", AFTERNOON) == "no_channel_consent"
    assert reason(mecross, subscriber, "sms", AFTERNOON) == "allowed"


def test_without_consent_to_the_marketing_purpose_nothing_is_sent(mecross: Jikimi, subscriber: str) -> None:
    refused = join(mecross, {"marketing": False, "ad:sms": True}, OTHER)
    decision = mecross.marketing.check([refused], channel="sms", send_at=AFTERNOON).decisions[refused]
    assert (decision.reason, decision.detail) == ("no_consent", "missing")
    mecross.vault.withdraw_consent(subscriber, "marketing")
    decision = mecross.marketing.check([subscriber], channel="sms", send_at=AFTERNOON).decisions[subscriber]
    assert (decision.reason, decision.detail) == ("no_consent", "withdrawn")


def test_a_withdrawn_member_is_denied(mecross: Jikimi, subscriber: str) -> None:
    mecross.lifecycle.withdraw(subscriber, "member_request")  # 로그인ID kept 3 months: still a subject
    decision = mecross.marketing.check([subscriber], channel="sms", send_at=AFTERNOON).decisions[subscriber]
    assert (decision.reason, decision.detail) == ("withdrawn", "withdrawn")


def test_a_processing_stop_on_the_marketing_purpose_denies_the_send(mecross: Jikimi, subscriber: str) -> None:
    mecross.handlers.define_role("privacy_team", purposes=[], actions=["rights"])
    clerk, _ = mecross.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
    request = mecross.rights.receive(
        subscriber, "stop", channel="email", actor=clerk, purposes=["marketing"]
    ).request
    mecross.rights.verify(request.id, method="handler", proof="이메일 회신 확인", actor=clerk)
    mecross.rights.stop_processing(request.id, actor=clerk)
    assert reason(mecross, subscriber, "sms", AFTERNOON) == "processing_stopped"


def test_an_unknown_subject_is_an_answer_not_an_error(mecross: Jikimi, subscriber: str) -> None:
    result = mecross.marketing.check(
        ["NoSuchSubject000000000", subscriber, subscriber], channel="sms", send_at=AFTERNOON
    )
    assert [(sid, d.reason) for sid, d in result.decisions.items()] == [
        ("NoSuchSubject000000000", "unknown_subject"),
        (subscriber, "allowed"),
    ]
    assert result.allowed == [subscriber] and result.counts == {"unknown_subject": 1, "allowed": 1}


def test_many_subjects_are_answered_in_chunks_of_set_based_queries(
    mecross: Jikimi, subscriber: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = join(mecross, {"marketing": True, "ad:email": True}, OTHER)
    monkeypatch.setattr(ad_rows, "CHUNK", 2)
    ids = [subscriber, "Missing0000000000000001", other, "Missing0000000000000002", subscriber]
    result = mecross.marketing.check(ids, channel="email", send_at=NIGHT)
    assert {sid: d.reason for sid, d in result.decisions.items()} == {
        subscriber: "night_without_consent",
        "Missing0000000000000001": "unknown_subject",
        other: "night_without_consent",
        "Missing0000000000000002": "unknown_subject",
    }


@pytest.mark.parametrize(
    ("channel", "send_at", "field"),
    [
        ("phone", AFTERNOON, "channel"),  # the seed's details name 전화, but no consent to it is asked
        ("pigeon", AFTERNOON, "channel"),
        ("sms", datetime(2026, 12, 3, 22, 0), "send_at"),  # no offset: whose 22:00?
    ],
)
def test_a_channel_the_policy_asks_no_consent_for_or_a_time_without_offset_is_refused(
    mecross: Jikimi, subscriber: str, channel: str, send_at: datetime, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        mecross.marketing.check([subscriber], channel=channel, send_at=send_at)
    assert refused.value.field == field
    assert log_rows(mecross.core.engine, "marketing.check") == []


def test_the_check_is_one_access_log_row_with_the_count(
    mecross: Jikimi, subscriber: str, ad_sender: Handler, engine: Engine
) -> None:
    other = join(mecross, {"marketing": False}, OTHER)
    mecross.marketing.check(
        [subscriber, other, "Missing0000000000000001"],
        channel="sms",
        send_at=AFTERNOON,
        actor=ad_sender,
        source="10.0.0.7",
    )
    (row,) = log_rows(engine, "marketing.check")
    assert (row["actor"], row["outcome"], row["count"], row["purpose"], row["source"]) == (
        "ad-kang",
        "allowed",
        3,
        "marketing",
        "10.0.0.7",
    )
    assert (
        row["subject_id"] is None
        and "channel=sms" in str(row["reason"])
        and "allowed=1; denied=2" in str(row["reason"])
    )


def test_a_handler_without_the_marketing_action_is_refused_and_logged(
    mecross: Jikimi, subscriber: str
) -> None:
    mecross.handlers.define_role("cs", purposes=["membership"], actions=["read", "metadata"])
    agent, _ = mecross.handlers.create("cs-kim", "correct horse battery", role="cs")
    with pytest.raises(Denied) as denied:
        mecross.marketing.check([subscriber], channel="sms", send_at=AFTERNOON, actor=agent)
    assert denied.value.reason == "action_not_allowed"
    (row,) = log_rows(mecross.core.engine, "marketing.check")
    assert (row["actor"], row["outcome"], row["count"]) == ("cs-kim", "denied:action_not_allowed", 1)


def test_channel_consents_are_taken_at_collection_only_for_the_channels_declared(mecross: Jikimi) -> None:
    with pytest.raises(InvalidInput) as refused:
        join(mecross, {"marketing": True, "ad:phone": True})
    assert refused.value.field == "consents.ad:phone"
    with pytest.raises(InvalidInput) as not_bool:
        join(mecross, {"marketing": True, "ad:sms": "yes"})  # type: ignore[dict-item]
    assert not_bool.value.field == "consents.ad:sms"
    collected = mecross.vault.collect("signup", OTHER, {"marketing": True, "ad:sms": True, "ad:push": False})
    assert collected.consents_given == ("marketing", "ad:sms")
    assert collected.consents_refused == ("ad:push",)


def test_every_change_to_a_consent_to_receive_is_logged_with_its_channel(
    mecross: Jikimi, subscriber: str
) -> None:
    mecross.marketing.give(subscriber, "push", via="app")
    mecross.marketing.withdraw(subscriber, "sms", via="phone")
    mecross.marketing.reconfirm(subscriber, via="email")
    engine = mecross.core.engine
    given, withdrawn, kept = (
        log_rows(engine, a) for a in ("consent.give", "consent.withdraw", "consent.reconfirm")
    )
    assert [(r["subject_id"], r["reason"], r["purpose"]) for r in given] == [
        (subscriber, "ad=push", "marketing")
    ]
    assert [(r["subject_id"], r["reason"]) for r in withdrawn] == [(subscriber, "ad=sms")]
    assert [(r["subject_id"], r["reason"]) for r in kept] == [(subscriber, "ad=email,push; via=email")]
    with engine.connect() as conn:
        rows = conn.execute(
            select(consents.c.target_kind, consents.c.target_id, consents.c.channel, consents.c.withdrawn_at)
            .where(consents.c.subject_id == subscriber, consents.c.target_id == "push")
            .order_by(consents.c.id)
        ).all()
    assert [(r.target_kind, r.channel, r.withdrawn_at) for r in rows] == [
        ("ad_channel", "web", None),  # refused at sign-up (granted false)
        ("ad_channel", "app", None),
    ]


def test_a_reconfirmation_of_nothing_live_is_a_state_conflict(mecross: Jikimi, subscriber: str) -> None:
    with pytest.raises(StateConflict):
        mecross.marketing.reconfirm(subscriber, ["push"])
    with pytest.raises(InvalidInput) as refused:
        mecross.marketing.give(subscriber, "fax")
    assert refused.value.field == "channel"


def test_the_consents_to_receive_are_read_as_metadata_with_their_deadlines(
    mecross: Jikimi, subscriber: str, ad_sender: Handler
) -> None:
    found = mecross.marketing.consents(subscriber)
    assert [(c.channel, c.expires_at.astimezone(KST).date().isoformat()) for c in found] == [
        ("sms", "2028-03-03"),
        ("email", "2028-03-03"),
    ]
    assert found[0].notice_at.astimezone(KST).date().isoformat() == "2028-02-02"
    with pytest.raises(Denied):
        mecross.marketing.consents(subscriber, actor=ad_sender)  # no metadata action
    assert [r["outcome"] for r in log_rows(mecross.core.engine, "consents.read")] == [
        "allowed",
        "denied:action_not_allowed",
    ]


def test_each_chunk_of_a_check_is_planned_for_its_own_ids(
    mecross: Jikimi, subscriber: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """psycopg prepares a statement run five times; PostgreSQL's generic plan for it cannot see the
    ids and joined every consent per chunk (100 s for 30,000 subjects): the check plans each."""
    monkeypatch.setattr(ad_rows, "CHUNK", 1)
    seen: list[str] = []
    event.listen(mecross.core.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    for _ in range(7):  # past psycopg's prepare threshold
        assert reason(mecross, subscriber, "sms", AFTERNOON) == "allowed"
    custom = [s for s in seen if "plan_cache_mode" in s]
    assert len(custom) == (7 if engine.dialect.name == "postgresql" else 0)
