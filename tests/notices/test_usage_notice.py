"""The yearly usage-and-provision notice (개인정보 이용·제공 내역 통지, PIPA 20-2, 시행령 15-3): owed at
1,000,000 subjects, or 50,000 with sensitive data or unique identifiers, decided from the vault's own
counts; told once a year to each subject holding a contact, with what was used and provided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import InvalidInput, StateConflict
from jikimi.handlers import Handler
from jikimi.notices import usage
from jikimi.notices.usage import SPECIAL_THRESHOLD, SUBJECTS_THRESHOLD, UsageNotices
from jikimi.notices.wording import render
from jikimi.store import provisions as provision_rows
from jikimi.store.tables import outbox

from ..seeds.seeds import SEEDS
from .people import REFERENCE, consents, jikimi_on, policy_of, queued, raw_payloads

CLASSPATRA = REFERENCE.parent / "remediated" / "classpatra.yaml"
MEMBER = {
    "name": "홍길동",
    "birthdate": "1990-01-01",
    "login_id": "hong",
    "password": "secret-pass-1",
    "mobile": "010-1234-5678",
    "email": "hong@example.com",
    "ci": "CI" + "A" * 86,
}


def member(n: int) -> dict[str, str]:
    return {
        **MEMBER,
        "login_id": f"user{n:03d}",
        "mobile": f"010-3{n:03d}-{n:04d}",
        "email": f"user{n:03d}@example.com",
        "ci": "CI" + f"{n:03d}" * 28 + "XX",
    }


@pytest.fixture
def reference(engine: Engine, clock: FixedClock) -> Jikimi:
    return jikimi_on(engine, clock, policy_of(REFERENCE))


@pytest.fixture
def partner(reference: Jikimi) -> Handler:
    reference.handlers.define_role(
        "partnerships", purposes=[], actions=["provide", "provide_by_law", "consent"]
    )
    handler, _ = reference.handlers.create("pt-choi", "correct horse battery", role="partnerships")
    return handler


def test_the_usage_notice_is_owed_only_above_the_thresholds(
    reference: Jikimi, engine: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (SUBJECTS_THRESHOLD, SPECIAL_THRESHOLD) == (1_000_000, 50_000)  # 시행령 15-3①
    for n in range(3):
        reference.vault.collect("signup", member(n), {"marketing": False})
    # below both thresholds: no duty, and the reason says so
    duty = reference.usage_notices.check()
    assert (duty.owed, duty.reason, duty.subjects, duty.special_items) == (False, "below", 3, ())
    assert "1,000,000" in duty.reason_ko and "no duty" in duty.reason_en
    # the count is of subjects whose data the vault stores; at the threshold the duty begins
    monkeypatch.setattr(usage, "SUBJECTS_THRESHOLD", 3)
    assert reference.usage_notices.check().reason == "subjects"
    monkeypatch.setattr(usage, "SUBJECTS_THRESHOLD", 4)
    assert not reference.usage_notices.check().owed

    # 50,000 with sensitive data (classpatra's pregnancy information) is the other way to owe it
    classpatra = jikimi_on(engine, clock, policy_of(CLASSPATRA), keys=reference.core.keys.ring)
    seed = SEEDS["classpatra"]
    (signup, data), (profile, more), *_ = seed.member.items()
    sid = classpatra.vault.collect(signup, data, consents(classpatra, signup)).subject_id
    classpatra.vault.collect(profile, more, consents(classpatra, profile), subject_id=sid)
    monkeypatch.setattr(usage, "SUBJECTS_THRESHOLD", SUBJECTS_THRESHOLD)
    monkeypatch.setattr(usage, "SPECIAL_THRESHOLD", 1)
    duty = classpatra.usage_notices.check()
    assert (duty.reason, duty.special_subjects) == ("special", 1)
    assert "pregnancy" in duty.special_items and "민감정보" in duty.reason_ko
    monkeypatch.setattr(usage, "SPECIAL_THRESHOLD", 2)
    assert classpatra.usage_notices.check().reason == "below"


def test_below_the_thresholds_nothing_is_queued_unless_forced_as_a_voluntary_notice(
    reference: Jikimi,
) -> None:
    reference.vault.collect("signup", MEMBER, {"marketing": False})
    with pytest.raises(StateConflict, match="--force"):
        reference.usage_notices.queue(actor="system")
    assert queued(reference, "usage_notice") == []
    run = reference.usage_notices.queue(force=True, actor="system")
    assert (run.voluntary, run.queued) == (True, 1)
    (message,) = queued(reference, "usage_notice")
    assert message.payload["voluntary"] is True
    assert (
        "자발적으로 알려 드립니다"
        in render(reference.policy, "usage_notice", message.payload, message_id="m").body
    )
    with pytest.raises(InvalidInput) as future:
        reference.usage_notices.queue(year=2030, force=True, actor="system")
    assert future.value.field == "year"


def test_each_subject_is_told_once_a_year_what_was_used_and_provided_to_whom(
    reference: Jikimi, partner: Handler, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(usage, "SUBJECTS_THRESHOLD", 2)
    told = reference.vault.collect("signup", MEMBER, {"marketing": True}).subject_id
    other = reference.vault.collect("signup", member(1), {"marketing": False}).subject_id
    reference.sharing.give_consent(told, "nurim_points", actor="self")
    reference.sharing.provide([told], "nurim_points", ["name", "mobile"], basis="consent", actor=partner)
    clock.advance(timedelta(days=40))
    reference.sharing.provide([told], "nurim_points", ["name"], basis="consent", actor=partner)
    with reference.core.unit_of_work() as uow:  # a provision on a warrant, as the ledger records one
        provision_rows.add_many(
            uow.conn,
            [
                (
                    "b1",
                    other,
                    "investigators",
                    '["name"]',
                    "law",
                    "2026-압수-1",
                    clock.now(),
                    "pt-choi",
                    "2026-03-02",
                )
            ],
        )
        uow.commit()
    clock.advance(timedelta(days=10))

    run = reference.usage_notices.queue(actor="system")

    assert (run.voluntary, run.subjects, run.queued, run.without_contact) == (False, 2, 2, 0)
    messages = {m.subject_id: m for m in queued(reference, "usage_notice")}
    mine = messages[told]
    assert mine.dedupe_key == f"usage_notice:2026:{told}" and mine.channel == "email"
    payload = mine.payload
    assert payload["year"] == 2026 and payload["period_start"].startswith("2025-12-31 15:00:00")
    (given,) = payload["provisions"]
    assert (given["third_party_id"], given["items"], given["count"]) == (
        "nurim_points",
        ["mobile", "name"],
        2,
    )
    assert given["first_at"].startswith("2026-03-02") and given["last_at"].startswith("2026-04-11")
    assert {"membership", "marketing"} <= {u["purpose"] for u in payload["uses"]}
    # a provision on a legal basis (a warrant) is not told; a purpose consented to only when consented
    assert messages[other].payload["provisions"] == []
    assert "marketing" not in {u["purpose"] for u in messages[other].payload["uses"]}
    body = render(reference.policy, "usage_notice", payload, message_id=mine.message_id).body
    assert "주식회사 누림포인트 (목적: 제휴 포인트 적립 및 적립 내역 조회): 휴대전화번호, 이름 — 2회" in body
    assert "2026년 03월 02일 ~ 2026년 04월 11일" in body and "마케팅" in body
    assert not any("홍길동" in text or "010-1234-5678" in text for text in raw_payloads(reference))

    # once a year: a second run queues nothing; next year's is a new notice
    assert reference.usage_notices.queue(actor="system").queued == 0
    clock.set(datetime(2027, 1, 5, 3, 0, tzinfo=UTC))
    assert reference.usage_notices.queue(actor="system").queued == 2


def test_a_million_subjects_need_no_query_per_subject_the_run_goes_by_pages(
    reference: Jikimi, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(usage, "SUBJECTS_THRESHOLD", 1)
    ids = [reference.vault.collect("signup", member(n), {"marketing": False}).subject_id for n in range(7)]
    paged = UsageNotices(reference.core, page=3)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", count)
    try:
        run = paged.queue(actor="system")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert (run.subjects, run.queued) == (7, 7)
    # 3 pages of 3, 3 and 1 and an empty one: a handful of statements per page, never one per subject
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 4 * 6 + 4
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 7
    assert sorted(m.subject_id or "" for m in queued(reference, "usage_notice")) == sorted(ids)
