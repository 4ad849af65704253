"""Breach response on a real vault (SQLite file and PostgreSQL): an incident from awareness to close —
the affected subjects by query or list, the 72-hour clock under time travel, the report decision,
the draft report, one notice per subject through the outbox, the website posting for those without
a contact, and every step in the access log (PIPA 34, 시행령 39–40, the 2026 amendment)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, InvalidInput, NotFound, StateConflict
from jikimi.handlers import Handler
from jikimi.notices import incident_rules as rules
from jikimi.notices.incident_model import notice_payload
from jikimi.notices.wording import render
from jikimi.store import outbox as outbox_rows
from jikimi.store.notice_tables import incidents as incident_table
from jikimi.store.outbox import message_id
from jikimi.store.tables import access_log, outbox

from ..conftest import START
from ..rights.conftest import CHILD
from .incident_setup import import_members, jikimi, member_row, officer, support_agent  # noqa: F401

APP_MEMBER = {
    "name": "앱회원",
    "birthdate": "1990-02-02",
    "login_id": "app01",
    "password": "secret-pass-3",
    "mobile": "010-7777-6666",
    "ci": "CI" + "C" * 86,
}
GONE = ["GoneSubject00000000001", "GoneSubject00000000002", "GoneSubject00000000003"]
"""Subjects in a leaked backup whom the vault no longer holds (withdrawn and destroyed since)."""


def notices(jikimi: Jikimi) -> list[dict[str, object]]:  # noqa: F811
    with jikimi.core.reading() as conn:
        query = select(outbox).where(outbox.c.kind == "breach_notice").order_by(outbox.c.id)
        return [dict(r._mapping) for r in conn.execute(query)]


def values_of(rows: range) -> list[str]:
    """Every personal value of the imported members ``rows`` (to look for where none may be)."""
    return [v for n in rows for k, v in member_row(n).items() if k not in ("password", "consent:marketing")]


def test_an_incident_affecting_1200_subjects_requires_a_report_produces_the_draft_and_1200_notices_and_shows_the_hours_left(  # noqa: E501
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    import_members(jikimi, tmp_path, 1200)
    incident = jikimi.incidents.open(
        kind="leak",
        aware_at=START - timedelta(hours=6),
        items=["email", "mobile"],
        cause="insider",
        summary="퇴사자가 회원 목록을 반출함 (확인자 010-2222-3333)",
        actor=officer,
    )
    assert (incident.hours_left, incident.due_at) == (66.0, START + timedelta(hours=66))
    affected = jikimi.incidents.affected(
        incident.id, query="holding=email,mobile status=active", actor=officer
    )
    assert affected.added == 1200

    seen = jikimi.incidents.get(incident.id, actor=officer)
    assert seen.subjects == 1200 and seen.decision.required and seen.decision.codes == ("subjects_1000",)
    assert "1,200명" in seen.decision.grounds[0].ko and seen.decision.grounds[0].article == "시행령 40①1"
    assert (seen.notice_hours_left, seen.report_hours_left) == (66.0, 66.0)

    draft = jikimi.incidents.draft_report(incident.id, actor=officer)
    for field in (
        "개인정보보호위원회",
        "유출 등이 된 정보주체의 수",
        "1,200명",
        "유출 등이 된 개인정보 항목",
        "이메일 주소 (email address)",
        "유출 등이 된 시점과 그 경위",
        "내부자에 의한 유출",
        "퇴사자가 회원 목록을 반출함 (확인자 <전화번호>)",  # the summary, masked at rest
        "피해를 최소화하기 위해 정보주체가 할 수 있는 방법",
        "개인정보처리자의 대응조치 및 피해구제절차",
        "피해 신고·상담 부서 및 연락처",
        "개인정보보호팀 · 02-6213-4871",
        "2026년 03월 02일 04:00 (KST)",  # aware
        "남은 시간 (hours left) 66.0",
        "아직 통지하지 않았습니다 (not notified yet): 1,200명",
        "**필요 (required)**",
    ):
        assert field in draft.markdown, field
    assert not [v for v in values_of(range(1200)) if v in draft.markdown]
    assert (
        jikimi.incidents.draft_report(incident.id, to="kisa", actor=officer).markdown.count(
            "한국인터넷진흥원"
        )
        >= 1
    )

    started = time.monotonic()
    told = jikimi.incidents.notify(incident.id, measures=["access_blocked"], actor=officer)
    assert time.monotonic() - started < 10  # one statement, not 1,200
    assert (told.queued, told.by_channel, told.posted, told.posting_id) == (1200, {"email": 1200}, 0, None)
    queued = notices(jikimi)
    assert len(queued) == 1200 and {m["channel"] for m in queued} == {"email"}
    first = queued[0]
    assert first["dedupe_key"] == f"breach_notice:{incident.id}:{first['subject_id']}"
    assert (first["recipient"], first["status"], first["due_at"] is not None) == ("subject", "pending", True)
    payload = json.loads(str(first["payload"]))
    assert sorted(payload) == sorted(
        [
            "incident_id",
            "kind",
            "cause",
            "items",
            "aware_at",
            "occurred_at",
            "measures",
            "advice",
            "reported_to",
        ]
    )  # ids, dates and codes only
    assert payload["measures"] == ["access_blocked"] and payload["items"] == ["email", "mobile"]
    assert not [v for v in values_of(range(1200)) if v in str(first["payload"])]
    notice = render(jikimi.policy, "breach_notice", payload, message_id=message_id(str(first["dedupe_key"])))
    assert "개인정보 유출 안내" in notice.title and "유출 경로(접속 경로)를 차단했습니다" in notice.body

    clock.advance(timedelta(hours=70))  # four hours past the deadline, the report not sent yet
    late = jikimi.incidents.get(incident.id, actor=officer)
    assert (late.hours_left, late.notice_hours_left, late.report_hours_left) == (-4.0, None, -4.0)
    assert (late.notice_overdue, late.report_overdue) == (False, True)
    reported = jikimi.incidents.report(incident.id, actor=officer)
    assert (reported.reported_to, reported.report_hours_left, reported.report_overdue) == (
        "pipc",
        None,
        False,
    )
    assert jikimi.incidents.close(incident.id, actor=officer).status == "closed"


def test_an_incident_affecting_10_subjects_without_sensitive_data_says_why_no_report_is_needed(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    tmp_path: Path,
) -> None:
    ids = import_members(jikimi, tmp_path, 10)
    incident = jikimi.incidents.open(
        kind="leak", aware_at=START, items=["email", "name"], cause="mistake", actor=officer
    )
    jikimi.incidents.affected(incident.id, subject_ids=ids, actor=officer)
    seen = jikimi.incidents.get(incident.id, actor=officer)
    assert seen.subjects == 10 and seen.decision.required is False
    (why,) = seen.decision.grounds
    assert why.code == "below_thresholds"
    assert "정보주체 10명" in why.ko and "민감정보·고유식별정보 없음" in why.ko and "취급자의 실수" in why.ko
    assert "10 subjects" in why.en and "not unlawful access from outside" in why.en
    assert seen.report_hours_left is None and not seen.report_overdue  # no report owed, so no clock for it
    assert "의무 없음 (not required)" in jikimi.incidents.draft_report(incident.id, actor=officer).markdown
    jikimi.incidents.notify(incident.id, actor=officer)
    assert jikimi.incidents.close(incident.id, actor=officer).status == "closed"  # nothing owed to PIPC


@pytest.mark.parametrize(
    ("item", "ground"), [("health_note", "sensitive_data"), ("passport_no", "unique_id_data")]
)
def test_sensitive_or_unique_identifier_data_requires_a_report_for_a_single_subject(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    tmp_path: Path,
    item: str,
    ground: str,
) -> None:
    ids = import_members(jikimi, tmp_path, 1)
    incident = jikimi.incidents.open(
        kind="loss", aware_at=START, items=["name", item], cause="mistake", actor=officer
    )
    jikimi.incidents.affected(incident.id, subject_ids=ids, actor=officer)
    seen = jikimi.incidents.get(incident.id, actor=officer)
    assert seen.subjects == 1 and seen.decision.required and seen.decision.codes == (ground,)
    assert seen.decision.grounds[0].article == "시행령 40①2"


@pytest.mark.parametrize("cause", ["outside_access", "ransomware"])
def test_unlawful_access_from_outside_requires_a_report_for_ten_subjects(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    tmp_path: Path,
    cause: str,
) -> None:
    ids = import_members(jikimi, tmp_path, 10)
    incident = jikimi.incidents.open(kind="leak", aware_at=START, items=["email"], cause=cause, actor=officer)
    jikimi.incidents.affected(incident.id, subject_ids=ids, actor=officer)
    decision = jikimi.incidents.get(incident.id, actor=officer).decision
    assert decision.required and decision.codes == ("outside_access",)
    assert rules.CAUSES[cause].ko in decision.grounds[0].ko


def test_a_possible_leak_and_a_ransomware_alteration_are_counted_under_the_2026_amendment(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    ids = import_members(jikimi, tmp_path, 3)
    possible = jikimi.incidents.open(kind="possible_leak", aware_at=START, items=["email"], actor=officer)
    assert possible.coverage is not None and possible.coverage.code == "amendment_ahead"  # 2026-03-02
    jikimi.incidents.affected(possible.id, subject_ids=ids, actor=officer)
    assert jikimi.incidents.notify(possible.id, actor=officer).queued == 3  # told all the same
    assert (
        "유출 가능성 안내"
        in render(
            jikimi.policy, "breach_notice", json.loads(str(notices(jikimi)[0]["payload"])), message_id="m"
        ).title
    )

    clock.set(rules.AMENDMENT_IN_FORCE + timedelta(days=20))
    ransom = jikimi.incidents.open(
        kind="alteration",
        aware_at=clock.now() - timedelta(hours=1),
        items=["email", "mobile"],
        cause="ransomware",
        measures=["restored_from_backup"],
        actor=officer,
    )
    assert ransom.coverage is not None and ransom.coverage.code == "amendment_in_force"
    jikimi.incidents.affected(ransom.id, subject_ids=ids, actor=officer)
    seen = jikimi.incidents.get(ransom.id, actor=officer)
    assert seen.decision.required and seen.decision.codes == ("outside_access",)
    assert "amendment_in_force" in [n.code for n in seen.decision.notes]
    assert jikimi.incidents.notify(ransom.id, actor=officer).queued == 3
    assert "위조·변조·훼손" in jikimi.incidents.draft_report(ransom.id, actor=officer).markdown


def test_subjects_without_a_contact_are_told_by_a_website_posting_kept_30_days(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    members = import_members(jikimi, tmp_path, 4)
    app_user = jikimi.vault.collect("app_signup", APP_MEMBER).subject_id  # a mobile number, no e-mail
    child = jikimi.vault.collect("signup", CHILD, {}).subject_id  # awaiting consent: the gate reads nothing
    incident = jikimi.incidents.open(kind="leak", aware_at=START, items=["name", "mobile"], actor=officer)
    added = jikimi.incidents.affected(
        incident.id, subject_ids=[*members, app_user, child, *GONE], actor=officer
    )
    assert (added.added, added.not_in_vault) == (9, 3)

    told = jikimi.incidents.notify(incident.id, actor=officer)
    assert (told.queued, told.by_channel, told.posted) == (5, {"email": 4, "sms": 1}, 4)
    assert {m["subject_id"] for m in notices(jikimi) if m["channel"] == "sms"} == {app_user}
    assert child not in {m["subject_id"] for m in notices(jikimi)}
    seen = told.incident
    assert (seen.contact_known, seen.contact_missing, seen.notified, seen.owed) == (5, 4, 9, 0)
    assert seen.posted_at == START and seen.notified_at == START

    (posting,) = jikimi.incidents.postings()
    assert (posting.id, posting.kind, posting.ref) == (told.posting_id, "breach", incident.id)
    assert (posting.posted_at, posting.until_at) == (START, START + timedelta(days=30))
    assert posting.title == "[지킴이몰 온라인 쇼핑몰] 개인정보 유출 안내 (Notice of a personal data leak)"
    for said in (
        "2026년 03월 02일부터 2026년 04월 01일까지 게시합니다",
        "시행령 제39조제2항",
        "휴대전화번호",
        "1833-6972",
    ):
        assert said in posting.body, said
    assert not [gone for gone in GONE if gone in posting.body]  # nobody is named

    clock.advance(timedelta(days=10))  # a subject found later in the backup: posted for 30 more days
    jikimi.incidents.affected(incident.id, subject_ids=["GoneSubject00000000004"], actor=officer)
    again = jikimi.incidents.notify(incident.id, actor=officer)
    assert (again.queued, again.posted, again.posting_id) == (0, 1, told.posting_id)
    (renewed,) = jikimi.incidents.postings(kind="breach")
    assert (renewed.posted_at, renewed.until_at) == (START, START + timedelta(days=40))
    clock.advance(timedelta(days=30, seconds=1))
    assert jikimi.incidents.postings() == []


def test_the_posting_escapes_what_the_policy_says(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    from ..policies import policy_with
    from .incident_setup import _declare_special_items, jikimi_over

    def hostile(data: dict[str, object]) -> None:
        _declare_special_items(data)  # type: ignore[arg-type]
        data["controller"]["name"] = "<script>alert(1)</script>(주)"  # type: ignore[index]

    service = jikimi_over(engine, clock, policy_with(hostile))
    incident = service.incidents.open(kind="leak", aware_at=START, items=["email"], actor="system")
    service.incidents.affected(incident.id, subject_ids=GONE, actor="system")
    service.incidents.notify(incident.id, actor="system")
    (posting,) = service.incidents.postings()
    assert "<script>" not in posting.body and "&lt;script&gt;alert(1)&lt;/script&gt;(주)" in posting.body


def test_every_step_is_in_the_access_log_and_the_timeline_reads_it_back(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    engine: Engine,
    tmp_path: Path,
) -> None:
    ids = import_members(jikimi, tmp_path, 2)
    incident = jikimi.incidents.open(
        kind="leak",
        aware_at=START,
        items=["email"],
        cause="outside_access",
        summary="member2@example.com 계정으로 접속, 연락처 010-5000-0002",
        actor=officer,
    )
    other = jikimi.incidents.open(kind="loss", aware_at=START, items=["name"], actor=officer)
    jikimi.incidents.affected(incident.id, subject_ids=[*ids, GONE[0]], actor=officer)
    jikimi.incidents.draft_report(incident.id, actor=officer)
    jikimi.incidents.report(incident.id, to="kisa", actor=officer)
    jikimi.incidents.notify(incident.id, actor=officer)
    jikimi.incidents.close(incident.id, actor=officer)

    steps = jikimi.incidents.timeline(incident.id, actor=officer)
    assert [s.action for s in steps] == [
        "incident.open",
        "incident.decision",
        "incident.affected",
        "incident.decision",
        "incident.report.draft",
        "incident.report.sent",
        "incident.notify",
        "incident.post",
        "incident.close",
    ]
    assert {s.actor for s in steps} == {"privacy-choi"}
    assert all((s.reason or "").startswith(f"incident={incident.id};") for s in steps)
    counted = {s.action: s.count for s in steps}
    assert (counted["incident.affected"], counted["incident.notify"], counted["incident.post"]) == (3, 2, 1)
    assert "report=required; why=outside_access" in (steps[3].reason or "")
    assert [s.action for s in jikimi.incidents.timeline(other.id, actor=officer)] == [
        "incident.open",
        "incident.decision",
    ]

    with engine.connect() as conn:  # no personal value at rest: the summary and the log are masked
        summary = conn.execute(
            select(incident_table.c.summary).where(incident_table.c.id == incident.id)
        ).scalar()
        logged = " ".join(str(r.reason) for r in conn.execute(select(access_log.c.reason)))
    assert summary == "<이메일> 계정으로 접속, 연락처 <전화번호>"
    assert not [v for v in values_of(range(2)) if v in logged or v in str(summary)]


def test_notifying_again_queues_no_duplicate_and_tells_only_subjects_added_since(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    tmp_path: Path,
) -> None:
    first = import_members(jikimi, tmp_path, 3)
    incident = jikimi.incidents.open(kind="leak", aware_at=START, items=["email"], actor=officer)
    jikimi.incidents.affected(incident.id, query="holding=email", actor=officer)
    assert jikimi.incidents.notify(incident.id, actor=officer).queued == 3
    assert jikimi.incidents.notify(incident.id, actor=officer).queued == 0
    later = import_members(jikimi, tmp_path, 2, first=100)
    assert jikimi.incidents.affected(incident.id, query="holding=email", actor=officer).added == 2
    assert jikimi.incidents.affected(incident.id, subject_ids=first, actor=officer).added == 0
    assert jikimi.incidents.notify(incident.id, actor=officer).queued == 2
    assert sorted(m["subject_id"] for m in notices(jikimi)) == sorted([*first, *later])


def test_the_set_based_notices_are_the_rows_outbox_enqueue_writes_and_share_its_dedupe_keys(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    tmp_path: Path,
) -> None:
    ids = import_members(jikimi, tmp_path, 3)
    incident = jikimi.incidents.open(kind="leak", aware_at=START, items=["email"], actor=officer)
    jikimi.incidents.affected(incident.id, subject_ids=ids, actor=officer)
    with jikimi.core.reading() as conn:
        row = conn.execute(select(incident_table).where(incident_table.c.id == incident.id)).one()
    payload = notice_payload(jikimi.policy, row)
    with jikimi.core.unit_of_work() as uow:  # one subject's notice queued the ordinary way first
        assert outbox_rows.enqueue(
            uow.conn,
            kind="breach_notice",
            subject_id=ids[0],
            dedupe_key=f"breach_notice:{incident.id}:{ids[0]}",
            payload=payload,
            due_at=START,
            now=START,
            channel="email",
            recipient="subject",
        )
        uow.commit()
    told = jikimi.incidents.notify(incident.id, actor=officer)
    assert told.queued == 2  # the key enqueue wrote is skipped, not doubled
    rows = notices(jikimi)
    assert len(rows) == 3
    columns = ("kind", "payload", "due_at", "created_at", "channel", "recipient", "status", "attempts")
    assert len({tuple(r[c] for c in columns) for r in rows}) == 1  # byte for byte the same rows
    assert {str(r["dedupe_key"]) for r in rows} == {f"breach_notice:{incident.id}:{sid}" for sid in ids}


def test_a_query_finds_holders_in_the_separated_store_too_and_narrows_by_status_context_and_window(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    early = import_members(jikimi, tmp_path, 2)
    clock.advance(timedelta(days=2))
    import_members(jikimi, tmp_path, 3, first=10)
    jikimi.lifecycle.withdraw(early[0], "member_request")  # its CI is kept, separated (withdrawn_ci)
    day_one = (START + timedelta(days=1)).isoformat()

    def added(query: str) -> int:
        incident = jikimi.incidents.open(kind="leak", aware_at=clock.now(), items=["ci"], actor=officer)
        return jikimi.incidents.affected(incident.id, query=query, actor=officer).added

    assert added("holding=ci") == 5
    assert added("holding=email") == 4  # the withdrawn member's e-mail is destroyed
    assert added(f"holding=ci created_until={day_one}") == 2
    assert added(f"holding=ci created_from={day_one}") == 3
    assert added("holding=ci status=active context=signup") == 4
    assert added("holding=ci status=withdrawn") == 1
    assert added("holding=guardian_name") == 0


def test_a_handler_without_the_incident_action_can_do_nothing_with_incidents(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    support_agent: Handler,  # noqa: F811
) -> None:
    incident = jikimi.incidents.open(kind="leak", aware_at=START, items=["email"], actor=officer)
    for attempt in (
        lambda: jikimi.incidents.open(kind="leak", aware_at=START, items=["email"], actor=support_agent),
        lambda: jikimi.incidents.get(incident.id, actor=support_agent),
        lambda: jikimi.incidents.list_incidents(actor="cs-kim"),
        lambda: jikimi.incidents.notify(incident.id, actor=support_agent),
        lambda: jikimi.incidents.timeline(incident.id, actor=support_agent),
    ):
        with pytest.raises(Denied) as denied:
            attempt()
        assert denied.value.reason == "action_not_allowed"


def test_an_incident_closes_only_when_its_notices_and_owed_report_are_done_or_it_proved_unfounded(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    tmp_path: Path,
) -> None:
    ids = import_members(jikimi, tmp_path, 2)
    incident = jikimi.incidents.open(kind="leak", aware_at=START, items=["passport_no"], actor=officer)
    with pytest.raises(StateConflict):
        jikimi.incidents.notify(incident.id, actor=officer)  # nobody listed yet
    jikimi.incidents.affected(incident.id, subject_ids=ids, actor=officer)
    with pytest.raises(StateConflict, match="not told yet"):
        jikimi.incidents.close(incident.id, actor=officer)
    jikimi.incidents.notify(incident.id, actor=officer)
    with pytest.raises(StateConflict, match="report is owed"):
        jikimi.incidents.close(incident.id, actor=officer)
    jikimi.incidents.report(incident.id, actor=officer)
    assert jikimi.incidents.close(incident.id, actor=officer).closed_by == "privacy-choi"
    for step in (
        lambda: jikimi.incidents.affected(incident.id, subject_ids=ids, actor=officer),
        lambda: jikimi.incidents.notify(incident.id, actor=officer),
        lambda: jikimi.incidents.close(incident.id, actor=officer),
    ):
        with pytest.raises(StateConflict, match="closed"):
            step()

    possible = jikimi.incidents.open(kind="possible_leak", aware_at=START, items=["email"], actor=officer)
    jikimi.incidents.affected(possible.id, subject_ids=ids, actor=officer)
    assert jikimi.incidents.close(possible.id, unfounded=True, actor=officer).status == "closed"
    assert "resolution=unfounded" in (jikimi.incidents.timeline(possible.id, actor=officer)[-1].reason or "")
    assert [i.id for i in jikimi.incidents.list_incidents(actor=officer, open_only=True)] == []
    with pytest.raises(NotFound):
        jikimi.incidents.get("NoSuchIncident00000001", actor=officer)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "hack"}, "kind"),
        ({"cause": "aliens"}, "cause"),
        ({"items": []}, "items"),
        ({"items": ["email", "shoe_size"]}, "items"),
        ({"measures": ["prayed"]}, "measures"),
        ({"aware_at": START + timedelta(hours=1)}, "aware_at"),
        ({"occurred_at": START + timedelta(seconds=1)}, "occurred_at"),
        ({"summary": "가" * 2001}, "summary"),
    ],
)
def test_a_bad_incident_names_its_field_and_stores_nothing(
    jikimi: Jikimi,  # noqa: F811
    officer: Handler,  # noqa: F811
    change: dict[str, object],
    field: str,
) -> None:
    given: dict[str, object] = {"kind": "leak", "aware_at": START, "items": ["email"]} | change
    with pytest.raises(InvalidInput) as raised:
        jikimi.incidents.open(actor=officer, **given)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert jikimi.incidents.list_incidents(actor=officer) == []
