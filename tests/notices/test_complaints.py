"""The complaints service on real databases (a SQLite file and PostgreSQL): the policy's deadline set
at receipt, the overdue queue, the sealed body and answer, every read logged, the answer notice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.errors import Denied, InvalidInput, NotFound, StateConflict
from jikimi.handlers import Handler
from jikimi.notices.complaints import key_id
from jikimi.notices.wording import render
from jikimi.store.keys import ORPHAN_KEY_GRACE
from jikimi.store.notice_tables import complaints
from jikimi.store.outbox import message_id
from jikimi.store.tables import access_log, data_keys, outbox

from ..conftest import CLEAN_POLICY  # noqa: TID252
from ..policies import cached_policy_text
from . import complaint_setup as setup
from .complaint_setup import ANSWER, BODY, SECRETS, kst, stored_bytes, stored_texts

# the fixtures these tests take
jikimi, officer, reference_policy, ring = setup.jikimi, setup.officer, setup.reference_policy, setup.ring
desk, member, mecross_jikimi = setup.desk, setup.member, setup.mecross_jikimi


def _log(engine: Engine, action: str) -> list[tuple[str, str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.actor, access_log.c.subject_id, access_log.c.reason).where(
                access_log.c.action == action
            )
        ).all()
    return [(r.actor, r.subject_id, r.reason) for r in rows]


# -- the policy's deadline ---------------------------------------------------------------------------


def test_a_complaint_received_friday_19_00_before_a_holiday_monday_is_due_tuesday_working_hours(
    mecross_jikimi: Jikimi, clock: FixedClock
) -> None:
    # mecross: "접수 후 24시간 내에 … 다만, 근무시간 이후 또는 주말 및 공휴일에는 익일 처리";
    # Saturday 2026-10-03 개천절, Monday 10-05 its substitute holiday
    clock.set(kst(2026, 10, 2, 19, 0))
    made = mecross_jikimi.complaints.receive("email", actor="system")
    assert made.due_at == kst(2026, 10, 6, 18, 0).astimezone(UTC)
    assert made.basis == "end_of_next_working_hours" and "익일 처리" in made.basis_ko
    assert made.hours_left == pytest.approx(95.0) and not made.overdue
    clock.set(kst(2026, 10, 6, 17, 59))
    assert not mecross_jikimi.complaints.list(actor="system")[0].overdue
    clock.set(kst(2026, 10, 6, 18, 0))
    assert mecross_jikimi.complaints.list(actor="system", overdue=True)[0].id == made.id


def test_a_letter_received_before_seollal_and_entered_after_it_keeps_its_receipt_time(
    mecross_jikimi: Jikimi, clock: FixedClock
) -> None:
    clock.set(kst(2026, 2, 19, 9, 30))  # entered Thursday after 설날 (Mon 02-16 to Wed 02-18)
    made = mecross_jikimi.complaints.receive("letter", actor="system", received_at=kst(2026, 2, 13, 19, 0))
    assert made.received_at == kst(2026, 2, 13, 19, 0).astimezone(UTC)
    assert made.due_at == kst(2026, 2, 19, 18, 0).astimezone(UTC)


def test_a_fax_received_the_day_before_chuseok_is_due_at_the_end_of_the_first_business_day_after_it(
    mecross_jikimi: Jikimi, clock: FixedClock
) -> None:
    clock.set(kst(2026, 9, 23, 10, 0))
    made = mecross_jikimi.complaints.receive("fax", actor="system")
    assert made.due_at == kst(2026, 9, 28, 18, 0).astimezone(UTC)
    assert "추석 전날" in made.basis_ko


def test_a_complaint_received_in_working_hours_is_due_24_hours_later(
    mecross_jikimi: Jikimi, clock: FixedClock
) -> None:
    clock.set(kst(2026, 3, 3, 10, 0))
    made = mecross_jikimi.complaints.receive("phone", actor="system")
    assert made.due_at == kst(2026, 3, 4, 10, 0).astimezone(UTC)
    assert made.basis == "hours_after_receipt" and made.hours_left == 24.0


def test_a_policy_that_promises_no_answer_time_sets_no_deadline(
    engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    quiet = build_jikimi(policy=cached_policy_text(CLEAN_POLICY), engine=engine, keys=ring, clock=clock)
    made = quiet.complaints.receive("web", actor="system")
    assert (made.due_at, made.basis, made.hours_left) == (None, "not_promised", None)
    clock.advance(timedelta(days=400))
    assert quiet.complaints.list(actor="system", overdue=True) == []
    assert not quiet.complaints.list(actor="system")[0].overdue


def test_a_deadline_set_under_an_earlier_policy_is_kept_and_said_to_be(
    mecross_jikimi: Jikimi, engine: Engine, ring: KeyRing, clock: FixedClock
) -> None:
    clock.set(kst(2026, 10, 2, 19, 0))
    made = mecross_jikimi.complaints.receive("email", actor="system")
    later = build_jikimi(policy=cached_policy_text(CLEAN_POLICY), engine=engine, keys=ring, clock=clock)
    seen = later.complaints.list(actor="system")[0]
    assert (seen.id, seen.due_at, seen.basis) == (made.id, made.due_at, "set_at_receipt")


# -- the queue ---------------------------------------------------------------------------------------


def test_the_overdue_queue_comes_first_then_the_nearest_deadline(
    jikimi: Jikimi, desk: Handler, clock: FixedClock
) -> None:
    service = jikimi.complaints
    clock.set(kst(2026, 3, 3, 10, 0))  # Tuesday: due Wednesday 10:00
    first = service.receive("email", actor=desk, topic="privacy_leak")
    clock.set(kst(2026, 3, 4, 9, 0))  # Wednesday: due Thursday 09:00
    second = service.receive("web", actor=desk)
    clock.set(kst(2026, 3, 4, 9, 30))
    third = service.receive("letter", actor=desk, received_at=kst(2026, 3, 3, 15, 0))  # due Wednesday 15:00
    clock.set(kst(2026, 3, 4, 16, 0))  # the first and third are late now
    queue = service.list(actor=desk)
    assert [c.id for c in queue] == [first.id, third.id, second.id]
    assert [c.overdue for c in queue] == [True, True, False]
    assert [c.hours_left for c in queue] == [-6.0, -1.0, 17.0]
    assert [c.id for c in service.list(actor=desk, overdue=True)] == [first.id, third.id]
    assert [c.id for c in service.list(actor=desk, overdue=False)] == [second.id]
    service.answer(first.id, "답변드립니다", actor=desk)
    assert [c.id for c in service.list(actor=desk)] == [third.id, second.id]
    answered = service.list(actor=desk, status="answered")
    assert [(c.id, c.on_time, c.overdue, c.hours_left) for c in answered] == [(first.id, False, False, None)]
    assert len(service.list(actor=desk, status=None)) == 3
    with pytest.raises(InvalidInput) as bad:
        service.list(actor=desk, status="closed")
    assert bad.value.field == "status"


# -- what was written: sealed, read through the service only, each read logged -------------------------


def test_the_body_and_answer_are_sealed_under_the_complaints_own_key_and_not_stored_in_plaintext(
    jikimi: Jikimi, desk: Handler, member: str, db_url: str, clock: FixedClock
) -> None:
    engine = jikimi.core.engine
    clock.set(kst(2026, 3, 3, 10, 0))
    made = jikimi.complaints.receive("email", actor=desk, subject_id=member, topic="privacy_leak", body=BODY)
    jikimi.complaints.answer(made.id, ANSWER, actor=desk)
    with engine.connect() as conn:
        row = conn.execute(select(complaints).where(complaints.c.id == made.id)).one()
        keys = {r.subject_id for r in conn.execute(select(data_keys.c.subject_id))}
    assert row.body is not None and row.answer is not None and made.has_body
    assert key_id(made.id) == f"cp~{made.id}" in keys
    texts = stored_texts(engine)
    raw = stored_bytes(db_url)
    for secret in (*SECRETS, "어디서 샜나요"):
        assert not any(secret in text for text in texts), secret
        assert secret.encode() not in raw, secret
    shown = jikimi.complaints.show(made.id, actor=desk)
    assert (shown.body, shown.answer) == (BODY, ANSWER)


def test_each_read_of_a_complaint_is_logged_and_receipt_and_answer_are_too(
    jikimi: Jikimi, desk: Handler, member: str
) -> None:
    engine = jikimi.core.engine
    made = jikimi.complaints.receive("email", actor=desk, subject_id=member, body=BODY)
    assert _log(engine, "complaint.receive") == [("cs-lim", member, f"complaint={made.id}; channel=email")]
    jikimi.complaints.show(made.id, actor=desk)
    jikimi.complaints.show(made.id, actor="system", source="cli")
    assert [(actor, subject) for actor, subject, _ in _log(engine, "complaint.read")] == [
        ("cs-lim", member),
        ("system", member),
    ]
    jikimi.complaints.answer(made.id, ANSWER, actor=desk)
    assert [actor for actor, _, _ in _log(engine, "complaint.answer")] == ["cs-lim"]
    with engine.connect() as conn:
        logged = [
            json.dumps([str(v) for v in r], ensure_ascii=False) for r in conn.execute(select(access_log))
        ]
    assert not any(secret in line for line in logged for secret in SECRETS)


def test_listing_complaints_opens_nothing_and_logs_no_read(jikimi: Jikimi, desk: Handler) -> None:
    jikimi.complaints.receive("email", actor=desk, body=BODY)
    listed = jikimi.complaints.list(actor=desk)
    assert listed[0].has_body and not hasattr(listed[0], "body")
    assert _log(jikimi.core.engine, "complaint.read") == []


def test_the_complaints_key_outlives_the_sweep_of_orphan_keys(
    jikimi: Jikimi, desk: Handler, clock: FixedClock
) -> None:
    made = jikimi.complaints.receive("letter", actor=desk, body=BODY)
    clock.advance(ORPHAN_KEY_GRACE * 48)
    with jikimi.core.unit_of_work() as uow:
        jikimi.core.keys.destroy_orphans(uow, jikimi.core.now())
        uow.commit()
    assert jikimi.complaints.show(made.id, actor=desk).body == BODY


# -- the answer notice ---------------------------------------------------------------------------------


def test_an_answer_queues_a_notice_to_the_subject_with_ids_and_dates_only(
    jikimi: Jikimi, desk: Handler, member: str, clock: FixedClock
) -> None:
    clock.set(kst(2026, 3, 3, 10, 0))
    made = jikimi.complaints.receive("email", actor=desk, subject_id=member, body=BODY)
    clock.set(kst(2026, 3, 3, 15, 0))
    answered = jikimi.complaints.answer(made.id, ANSWER, actor=desk)
    assert answered.notice_queued and answered.complaint.status == "answered" and answered.complaint.on_time
    with jikimi.core.engine.connect() as conn:
        queued = conn.execute(select(outbox).where(outbox.c.kind == "complaint_answer")).one()
    payload = json.loads(queued.payload)
    assert payload == {
        "complaint_id": made.id,
        "received_at": kst(2026, 3, 3, 10, 0).astimezone(UTC).isoformat(),
        "answered_at": kst(2026, 3, 3, 15, 0).astimezone(UTC).isoformat(),
    }
    assert (queued.subject_id, queued.channel, queued.recipient, queued.dedupe_key) == (
        member,
        "email",
        "subject",
        f"complaint_answer:{made.id}",
    )
    notice = render(jikimi.policy, "complaint_answer", payload, message_id=message_id(queued.dedupe_key))
    assert "답변을 드렸습니다" in notice.title and "answered" in notice.title
    assert made.id in notice.body
    assert "2026년 03월 03일 10:00 (KST)" in notice.body and "2026년 03월 03일 15:00 (KST)" in notice.body
    assert "본인임을 확인한 뒤" in notice.body and "confirmed it is you" in notice.body
    assert not any(secret in notice.body for secret in SECRETS)


def test_a_complaint_without_a_subject_is_answered_without_a_notice(jikimi: Jikimi, desk: Handler) -> None:
    made = jikimi.complaints.receive("phone", actor=desk)
    assert not jikimi.complaints.answer(made.id, "전화로 답변함", actor=desk).notice_queued
    with jikimi.core.engine.connect() as conn:
        assert conn.execute(select(outbox).where(outbox.c.kind == "complaint_answer")).first() is None


# -- refusals ------------------------------------------------------------------------------------------


def test_a_complaint_is_answered_once(jikimi: Jikimi, desk: Handler) -> None:
    made = jikimi.complaints.receive("email", actor=desk)
    jikimi.complaints.answer(made.id, "답변", actor=desk)
    with pytest.raises(StateConflict):
        jikimi.complaints.answer(made.id, "또 답변", actor=desk)
    with pytest.raises(InvalidInput) as empty:
        jikimi.complaints.answer(jikimi.complaints.receive("email", actor=desk).id, "   ", actor=desk)
    assert empty.value.field == "answer"
    with pytest.raises(NotFound):
        jikimi.complaints.answer("NoSuchComplaint0000000", "답변", actor=desk)


def test_only_a_handler_with_the_complaints_action_works_on_complaints(
    jikimi: Jikimi, desk: Handler, officer: Handler
) -> None:
    jikimi.handlers.define_role("reader", purposes=["membership"], actions=["read"])
    reader, _ = jikimi.handlers.create("cs-kim", "correct horse battery", role="reader")
    made = jikimi.complaints.receive("web", actor="self", body=BODY)  # the subject files through the service
    assert made.received_by == "self"
    for call in (
        lambda: jikimi.complaints.receive("web", actor=reader),
        lambda: jikimi.complaints.list(actor=reader),
        lambda: jikimi.complaints.show(made.id, actor=reader),
        lambda: jikimi.complaints.show(made.id, actor="self"),
        lambda: jikimi.complaints.answer(made.id, "답변", actor=reader),
    ):
        with pytest.raises(Denied) as denied:
            call()
        assert denied.value.reason == "action_not_allowed"
    assert jikimi.complaints.show(made.id, actor=officer).body == BODY


@pytest.mark.parametrize(
    ("field", "arguments"),
    [
        ("channel", {"channel": "pigeon"}),
        ("received_at", {"received_at": datetime(2026, 3, 2, 9, 0)}),  # no time zone
        ("received_at", {"received_at": datetime(2026, 3, 9, tzinfo=UTC)}),  # a week in the future
        ("received_at", {"received_at": datetime(1999, 12, 31, tzinfo=UTC)}),
        ("topic", {"topic": "홍길동의 개인정보 유출"}),
        ("topic", {"topic": "Privacy Leak"}),
        ("body", {"body": "가" * 20_001}),
    ],
)
def test_bad_input_names_its_field(
    jikimi: Jikimi, desk: Handler, field: str, arguments: dict[str, object]
) -> None:
    values: dict[str, object] = {"channel": "email", **arguments}
    channel = str(values.pop("channel"))
    with pytest.raises(InvalidInput) as bad:
        jikimi.complaints.receive(channel, actor=desk, **values)  # type: ignore[arg-type]
    assert bad.value.field == field
    assert bad.value.message_ko and bad.value.message_en
    with jikimi.core.engine.connect() as conn:
        assert conn.execute(select(complaints)).first() is None
        assert not [r for r in conn.execute(select(data_keys.c.subject_id)) if r.subject_id.startswith("cp~")]


def test_a_complaint_about_an_unknown_subject_is_refused_and_leaves_no_key(
    jikimi: Jikimi, desk: Handler
) -> None:
    with pytest.raises(NotFound):
        jikimi.complaints.receive("email", actor=desk, subject_id="NoSuchSubject000000000", body=BODY)
    with jikimi.core.engine.connect() as conn:
        assert not [r for r in conn.execute(select(data_keys.c.subject_id)) if r.subject_id.startswith("cp~")]
