"""Policy changes reach members before they take effect, and are posted (PIPA 30②; the seeds' promise:
"개정 최소 7일전부터 … 다만, 개인정보의 수집 및 활용, 제3자 제공 등과 같이 이용자 권리의 중요한 변경이
있을 경우에는 최소 30일 전에 고지" — 메크로스)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock, as_utc
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import Handler
from jikimi.notices.changes import effective_instant
from jikimi.notices.channels import Email
from jikimi.notices.delivery import Channels
from jikimi.notices.wording import render
from jikimi.periods import kst_day
from jikimi.store.tables import access_log

from ..seeds.seeds import SEEDS
from .people import (
    MECROSS,
    REFERENCE,
    as_json,
    consents,
    data_of,
    jikimi_on,
    policy_of,
    posted,
    queued,
    raw_payloads,
    version_of,
)
from .receivers import smtp_server

MEMBER = SEEDS["mecross"].member["signup"]
OTHER = {**MEMBER, **SEEDS["mecross"].other_member}
THIRD = {
    **OTHER,
    "login_id": "jisu77",
    "mobile": "010-7777-8888",
    "email": "jisu@example.com",
    "ci": "CI" + "J" * 86,
}
PARTNER = {
    "id": "cinema_partner",
    "name": "예시시네마 주식회사",
    "purpose": "제휴 영화관 예매 할인",
    "items": ["name", "mobile"],
    "retention": "P1Y",
    "basis": "consent",
    "country": "KR",
}
REFERENCE_MEMBER = {
    "name": "홍길동",
    "birthdate": "1990-01-01",
    "login_id": "hong",
    "password": "secret-pass-1",
    "mobile": "010-1234-5678",
    "email": "hong@example.com",
    "ci": "CI" + "A" * 86,
}


@pytest.fixture
def mecross(engine: Engine, clock: FixedClock) -> Jikimi:
    return jikimi_on(engine, clock, policy_of(MECROSS))


@pytest.fixture
def reference(engine: Engine, clock: FixedClock) -> Jikimi:
    return jikimi_on(engine, clock, policy_of(REFERENCE))


def officer_of(jikimi: Jikimi) -> Handler:
    jikimi.handlers.define_role("privacy_admin", purposes=[], actions=["admin"])
    handler, _ = jikimi.handlers.create("officer-han", "correct horse battery", role="privacy_admin")
    return handler


def with_partner(effective: date | None) -> Any:
    data = data_of(MECROSS)
    third = data["third_parties"]
    third["announced"] = True
    third["recipients"] = [*third["recipients"], PARTNER]
    return version_of(MECROSS, "2026-04-01", effective=effective, third_parties=third)


def officer_phone_changed(version: str = "2026-03-09") -> Any:
    data = data_of(REFERENCE)
    officers = data["officers"]
    officers[0]["phone"] = "02-6213-4879"
    return version_of(REFERENCE, version, effective=None, officers=officers)


def test_a_material_change_to_mecross_is_told_to_every_member_30_days_ahead_and_posted(
    mecross: Jikimi, clock: FixedClock
) -> None:
    signup = consents(mecross, "signup")
    members = [mecross.vault.collect("signup", data, signup).subject_id for data in (MEMBER, OTHER, THIRD)]
    mecross.lifecycle.withdraw(members[2], "member_request")
    officer = officer_of(mecross)
    new = with_partner(date(2026, 4, 1))

    done = mecross.policy_changes.announce(mecross.policy, new, actor=officer)

    # a new third party is a material change: 30 days (mecross's notice.material_lead_days)
    assert (done.material, done.notice_days) == (True, 30)
    assert (done.notice_date, done.earliest_effective, done.effective) == (
        date(2026, 3, 2),
        date(2026, 4, 1),
        date(2026, 4, 1),
    )
    # every member who has not withdrawn, by e-mail (each holds an e-mail item), due now
    assert (done.members, done.queued, done.without_contact) == (2, 2, 0)
    messages = queued(mecross, "policy_change")
    assert sorted(m.subject_id or "" for m in messages) == sorted(members[:2])
    assert {m.channel for m in messages} == {"email"}
    assert {m.dedupe_key for m in messages} == {f"policy_change:2026-04-01:{sid}" for sid in members[:2]}
    for message in messages:
        assert as_utc(message.due_at) == clock.now()
        assert (done.effective - kst_day(as_utc(message.due_at))).days >= 30  # told on day D for D + 30
    # the message says when, how long ahead and what changes; the payload holds no personal value
    wording = render(mecross.policy, "policy_change", messages[0].payload, message_id=messages[0].message_id)
    assert "2026년 04월 01일부터 바뀝니다" in wording.body and "시행 30일 전" in wording.body
    assert "- 제3자 제공 (중요 변경)" in wording.body and "third-party provision (material)" in wording.body
    assert done.posting_id in wording.body
    for text in raw_payloads(mecross):
        assert not any(value in text for value in ("이영희", "younghee", "010-2222-3333", "박민수"))

    # posted: the whole list of changes, escaped, up until 30 days after it takes effect
    (posting,) = posted(mecross, "policy_change")
    assert (posting["id"], posting["ref"]) == (done.posting_id, "2026-04-01")
    assert as_utc(posting["posted_at"]) == clock.now()
    assert as_utc(posting["until_at"]) == effective_instant(date(2026, 5, 1))
    assert "예시시네마 주식회사" in posting["body"] and "제3자 제공 추가" in posting["body"]
    assert "<script" not in posting["body"] and "개인정보 처리방침 변경 안내" in posting["title"]
    with mecross.core.engine.connect() as conn:
        (row,) = conn.execute(select(access_log).where(access_log.c.action == "policy.announce")).all()
    assert row.actor == "officer-han" and "2024-03-07->2026-04-01" in row.reason


def test_an_effective_date_closer_than_the_notice_days_is_refused_with_the_earliest_lawful_date(
    mecross: Jikimi, reference: Jikimi
) -> None:
    mecross.vault.collect("signup", MEMBER, consents(mecross, "signup"))
    officer = officer_of(mecross)
    with pytest.raises(InvalidInput) as refused:
        mecross.policy_changes.announce(mecross.policy, with_partner(date(2026, 3, 31)), actor=officer)
    assert refused.value.field == "effective"
    assert "2026-04-01" in refused.value.message_ko and "earliest lawful effective date is 2026-04-01" in str(
        refused.value
    )
    with pytest.raises(InvalidInput, match="2026-04-01"):
        mecross.policy_changes.announce(
            mecross.policy, with_partner(None), effective=date(2026, 3, 16), actor=officer
        )
    assert queued(mecross, "policy_change") == [] and posted(mecross, "policy_change") == []

    # a minor change (an officer's phone) needs 7 days (notice.lead_days)
    minor = officer_phone_changed()
    with pytest.raises(InvalidInput, match="2026-03-09"):
        reference.policy_changes.announce(reference.policy, minor, effective=date(2026, 3, 8), actor="system")
    done = reference.policy_changes.announce(
        reference.policy, minor, effective=date(2026, 3, 9), actor="system"
    )
    assert (done.material, done.notice_days, done.effective) == (False, 7, date(2026, 3, 9))


def test_announcing_the_same_version_twice_queues_nothing_new(mecross: Jikimi) -> None:
    signup = consents(mecross, "signup")
    mecross.vault.collect("signup", MEMBER, signup)
    officer = officer_of(mecross)
    new = with_partner(date(2026, 4, 1))
    first = mecross.policy_changes.announce(mecross.policy, new, actor=officer)
    again = mecross.policy_changes.announce(mecross.policy, new, actor=officer)
    assert (first.queued, again.queued, again.to_dict()["already_queued"]) == (1, 0, 1)
    assert again.posting_id == first.posting_id and len(posted(mecross, "policy_change")) == 1
    assert len(queued(mecross, "policy_change")) == 1
    # a member who joined since is told by the next announcement, and only they are
    late = mecross.vault.collect("signup", OTHER, signup).subject_id
    third = mecross.policy_changes.announce(mecross.policy, new, actor=officer)
    assert third.queued == 1 and [m.subject_id for m in queued(mecross, "policy_change")][-1] == late


def test_a_member_is_told_by_text_message_when_no_email_remains_and_not_at_all_without_a_contact(
    reference: Jikimi,
) -> None:
    reference.handlers.define_role("desk", purposes=[], actions=["rights"])
    clerk, _ = reference.handlers.create("desk-yoon", "correct horse battery", role="desk")
    with_email = reference.vault.collect("signup", REFERENCE_MEMBER, {"marketing": False}).subject_id
    other = {
        **REFERENCE_MEMBER,
        "login_id": "kim",
        "mobile": "010-2222-3333",
        "email": "kim@example.com",
        "ci": "CI" + "B" * 86,
    }
    mobile_only = reference.vault.collect("signup", other, {"marketing": False}).subject_id
    third = {
        **other,
        "login_id": "lee",
        "mobile": "010-4444-5555",
        "email": "lee@example.com",
        "ci": "CI" + "C" * 86,
    }
    no_contact = reference.vault.collect("signup", third, {"marketing": False}).subject_id
    for sid, items in ((mobile_only, ["email"]), (no_contact, ["email", "mobile"])):
        request = reference.rights.receive(sid, "deletion", channel="web", actor=clerk, items=items).request
        reference.rights.verify(request.id, method="handler", proof="신분증 확인", actor=clerk)
        reference.rights.delete(request.id, actor=clerk)

    done = reference.policy_changes.announce(reference.policy, officer_phone_changed(), actor="system")

    assert (done.members, done.queued, done.without_contact) == (3, 2, 1)
    channels = {m.subject_id: m.channel for m in queued(reference, "policy_change")}
    assert channels == {with_email: "email", mobile_only: "sms"}


def test_nothing_to_announce_and_an_unchanged_version_are_refused_and_only_an_administrator_announces(
    reference: Jikimi,
) -> None:
    with pytest.raises(InvalidInput) as nothing:
        reference.policy_changes.announce(reference.policy, reference.policy, actor="system")
    assert nothing.value.field == "new"
    same_version = officer_phone_changed(version="2026-03-02")
    with pytest.raises(InvalidInput) as version:
        reference.policy_changes.announce(reference.policy, same_version, actor="system")
    assert version.value.field == "version"
    reference.handlers.define_role("cs", purposes=["support"], actions=["read"])
    agent, _ = reference.handlers.create("cs-kim", "correct horse battery", role="cs")
    with pytest.raises(Denied):
        reference.policy_changes.announce(reference.policy, officer_phone_changed(), actor=agent)
    assert as_json(posted(reference, "policy_change")) == "[]"


def test_the_policy_may_word_the_change_notice_its_own_way(reference: Jikimi) -> None:
    data = data_of(REFERENCE)
    data["notice"]["wording"] = {
        "policy_change": {"title": "[{{ controller.name }}] 약관 변경 {{ payload.new_version }}"}
    }
    own = version_of(REFERENCE, "2026-03-02", effective=None, notice=data["notice"])
    payload = {
        "old_version": "2026-03-02",
        "new_version": "2026-03-09",
        "effective": "2026-03-09",
        "announced_at": "2026-03-02T01:00:00+00:00",
        "notice_days": 7,
        "material": False,
        "sections": ["officers"],
        "material_sections": [],
        "changes": 1,
        "material_changes": 0,
        "posting_id": "P1",
    }
    wording = render(own, "policy_change", payload, message_id="msg_1")
    assert wording.title == "[주식회사 지킴이몰] 약관 변경 2026-03-09"
    assert "- 개인정보 보호책임자·담당부서" in wording.body and "시행 7일 전에" in wording.body


def test_the_change_reaches_each_member_by_email_through_the_delivery_worker(
    engine: Engine, clock: FixedClock
) -> None:
    with smtp_server() as (url, inbox):
        jikimi = jikimi_on(engine, clock, policy_of(MECROSS), channels=Channels(email=Email(url)))
        signup = consents(jikimi, "signup")
        for data in (MEMBER, OTHER):
            jikimi.vault.collect("signup", data, signup)
        jikimi.policy_changes.announce(jikimi.policy, with_partner(date(2026, 4, 1)), actor="system")
        assert jikimi.delivery.drain().delivered == 2
        for data in (MEMBER, OTHER):
            (mail,) = inbox.to(data["email"])
            assert "개인정보 처리방침 변경 안내" in mail["Subject"]
            body = mail.get_content()
            assert "2026년 04월 01일부터 바뀝니다" in body and data["name"] not in body
