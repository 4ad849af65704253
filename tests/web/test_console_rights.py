"""The console's rights desk (PIPA 35–38) through its pages: the queue by deadline, and answering,
extending, refusing and carrying out a request with the forms a browser posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.rights.model import HOW_TO_OBJECT_KO, grounds_for
from jikimi.store.tables import access_log

from ..conftest import MEMBER  # noqa: TID252
from .conftest import Staff, csrf_of, sign_in

SCOPES: dict[str, dict[str, list[str]]] = {
    "access": {},
    "correction": {"items": ["email"]},
    "deletion": {"items": ["gender"]},
    "stop": {"purposes": ["marketing"]},
    "consent_withdrawal": {"purposes": ["marketing"]},
    "automated_decision": {},
}


@pytest.fixture
def member(web_jikimi: Jikimi) -> str:
    return web_jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id


@pytest.fixture
def receive(web_jikimi: Jikimi, officer: Staff, member: str) -> Callable[[str], str]:
    """Receive a request of a type for the member (as the officer would, by phone or letter)."""

    def received(kind: str) -> str:
        desk = web_jikimi.rights
        return desk.receive(member, kind, channel="web", actor=officer.login, **SCOPES[kind]).request.id  # type: ignore[arg-type]

    return received


def page_of(client: TestClient, request_id: str) -> Response:
    shown = client.get(f"/console/rights/{request_id}")
    assert shown.status_code == 200, shown.text
    return shown


def post(client: TestClient, request_id: str, step: str, fields: dict[str, str]) -> Response:
    """Post one of the request page's forms, with the page's CSRF field, as the browser does."""
    token = csrf_of(page_of(client, request_id).text)
    return client.post(f"/console/rights/{request_id}/{step}", data={"csrf": token, **fields})


def verified(client: TestClient, request_id: str) -> None:
    done = post(client, request_id, "verify", {"method": "handler", "proof": "신분증 확인 (ID card seen)"})
    assert done.status_code == 303, done.text


def row_of(html: str, request_id: str) -> str:
    rows = [row for row in html.split("<tr>") if f"/console/rights/{request_id}" in row]
    assert len(rows) == 1, f"{request_id} is not one row of the queue"
    return rows[0]


def menu_of(html: str) -> str:
    return html[html.index('<nav class="menu"') : html.index("</nav>")]


def no_traceback(response: Response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text and "<h1>" in response.text


# -- the queue ------------------------------------------------------------------------------------


def test_the_queue_puts_overdue_requests_first_with_the_korean_days_left_and_badges(
    web_client: TestClient, officer: Staff, clock: FixedClock, receive: Callable[[str], str]
) -> None:
    late = receive("access")  # Monday 2026-03-02 10:00 KST: the last day on time is 2026-03-12
    clock.advance(timedelta(days=5))
    soon = receive("stop")  # Saturday 2026-03-07: due by 2026-03-17
    clock.advance(timedelta(days=7))  # Saturday 2026-03-14 10:00 KST
    fresh = receive("consent_withdrawal")
    sign_in(web_client, officer, clock)

    queue = web_client.get("/console/rights")
    assert queue.status_code == 200
    html = queue.text
    assert html.index(late) < html.index(soon) < html.index(fresh)  # overdue first, then by deadline
    assert "2026-03-12" in row_of(html, late) and "2일 지남" in row_of(html, late)
    assert 'class="badge overdue"' in row_of(html, late)
    assert "3일 남음" in row_of(html, soon) and 'class="badge soon"' in row_of(html, soon)
    assert "badge" not in row_of(html, fresh)
    assert '<a href="/console/rights" aria-current="page">' in html  # the menu entry


def test_the_queue_filters_by_status_and_type(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    access, stop = receive("access"), receive("stop")
    web_jikimi.rights.refuse(access, ground="identity_not_verified", actor=officer.login)

    assert access not in console.get("/console/rights").text  # the open ones by default
    refused = console.get("/console/rights", params={"status": "refused"}).text
    assert access in refused and stop not in refused
    stops = console.get("/console/rights", params={"status": "all", "type": "stop"}).text
    assert stop in stops and access not in stops
    unknown = console.get("/console/rights", params={"status": "<b>lost</b>"})
    assert unknown.status_code == 422
    no_traceback(unknown)


def test_a_handler_whose_role_lacks_the_rights_action_has_no_desk(
    console_as: Callable[[str, str], TestClient],
) -> None:
    auditor = console_as("auditor-seo", "auditor")
    assert 'href="/console/rights"' not in menu_of(auditor.get("/console/").text)
    refused = auditor.get("/console/rights")
    assert refused.status_code == 403
    no_traceback(refused)
    clerk = console_as("cs-choi", "cs")  # support may handle requests (the rights action)
    assert 'href="/console/rights"' in menu_of(clerk.get("/console/").text)


# -- one request ----------------------------------------------------------------------------------


def test_an_access_request_is_verified_and_answered_before_its_deadline(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("access")
    shown = page_of(console, request_id).text
    assert "본인 확인" in shown and f"/console/rights/{request_id}/answer" not in shown  # verify first
    verified(console, request_id)

    done = post(console, request_id, "answer", {"note": "열람 자료를 보냈습니다"})
    assert done.status_code == 303 and done.headers["location"] == f"/console/rights/{request_id}"
    after = console.get(done.headers["location"]).text
    assert "답변했습니다" in after and "처리 완료" in after and "열람 자료를 보냈습니다" in after
    request = web_jikimi.rights.get(request_id, actor=officer.login)
    assert request.status == "answered" and request.answered_at is not None
    assert request.answered_at < request.due_at
    assert f"/console/rights/{request_id}/refuse" not in after  # closed: no more steps


def test_an_extension_needs_a_reason_and_says_how_many_remain(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("automated_decision")  # 30 days; extended twice at most (령 44-4)
    before = web_jikimi.rights.get(request_id, actor=officer.login)
    assert "남은 횟수: 2번" in page_of(console, request_id).text
    until = (before.due_day + timedelta(days=14)).isoformat()

    missing = post(console, request_id, "extend", {"until": until, "reason": "  "})
    assert missing.status_code == 422
    no_traceback(missing)
    assert 'id="err-extend-reason"' in missing.text and "연기 사유를 적어야 합니다" in missing.text
    assert 'aria-invalid="true" aria-describedby="err-extend-reason"' in missing.text
    assert f'value="{until}"' in missing.text  # the date given is kept
    assert web_jikimi.rights.get(request_id, actor=officer.login).due_at == before.due_at

    done = post(console, request_id, "extend", {"until": until, "reason": "자료가 여러 시스템에 나뉘어 있음"})
    assert done.status_code == 303
    after = web_jikimi.rights.get(request_id, actor=officer.login)
    assert after.status == "extended" and after.due_day.isoformat() == until
    shown = page_of(console, request_id).text
    assert "남은 횟수: 1번" in shown and "자료가 여러 시스템에 나뉘어 있음" in shown

    earlier = post(console, request_id, "extend", {"until": before.due_day.isoformat(), "reason": "다시"})
    assert earlier.status_code == 422 and 'id="err-extend-until"' in earlier.text


def test_a_request_the_law_gives_no_extension_says_so_and_offers_none(
    console: TestClient, receive: Callable[[str], str]
) -> None:
    request_id = receive("deletion")
    shown = page_of(console, request_id).text
    assert "법이 연기를 두지 않아 10일 안에" in shown
    assert f"/console/rights/{request_id}/extend" not in shown
    refused = post(console, request_id, "extend", {"until": "2026-03-30", "reason": "바쁨"})
    assert refused.status_code == 409 and "연기할 수 없습니다" in refused.text
    no_traceback(refused)


def test_a_refusal_takes_a_ground_the_type_allows_and_the_page_shows_how_to_object(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("access")
    shown = page_of(console, request_id).text
    assert HOW_TO_OBJECT_KO in shown  # what the refusal notice will carry
    for ground in grounds_for("access"):
        assert f'<option value="{ground.id}"' in shown
    assert 'value="correction_unfounded"' not in shown  # a correction's ground

    for fields in ({"ground": ""}, {"ground": "correction_unfounded"}):
        wrong = post(console, request_id, "refuse", fields)
        assert wrong.status_code == 422 and 'id="err-refuse-ground"' in wrong.text
        no_traceback(wrong)
    assert web_jikimi.rights.get(request_id, actor=officer.login).status == "received"

    done = post(
        console, request_id, "refuse", {"ground": "law_forbids_access", "note": "수사 중 (법률에 따른 제한)"}
    )
    assert done.status_code == 303
    request = web_jikimi.rights.get(request_id, actor=officer.login)
    assert (request.status, request.refusal_ground) == ("refused", "law_forbids_access")
    after = page_of(console, request_id).text
    assert "거절 통지" in after and "PIPA 35④1" in after and HOW_TO_OBJECT_KO in after


def test_a_partial_answer_names_its_legal_ground(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("access")
    verified(console, request_id)
    wrong = post(console, request_id, "partial-answer", {"ground": "law_requires_processing"})
    assert wrong.status_code == 422 and 'id="err-partial-ground"' in wrong.text

    done = post(
        console, request_id, "partial-answer", {"ground": "harms_others", "note": "다른 회원의 정보는 가림"}
    )
    assert done.status_code == 303
    request = web_jikimi.rights.get(request_id, actor=officer.login)
    assert (request.status, request.refusal_ground) == ("partly_answered", "harms_others")
    assert "일부 처리" in page_of(console, request_id).text


def test_a_stop_is_carried_out_from_its_page_and_closes_the_request(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("stop")
    verified(console, request_id)
    shown = page_of(console, request_id).text
    assert f"/console/rights/{request_id}/carry-out" in shown and 'name="refuse:marketing"' in shown
    assert f"/console/rights/{request_id}/answer" not in shown  # a stop closes by being carried out

    done = post(console, request_id, "carry-out", {"refuse:marketing": ""})
    assert done.status_code == 303
    assert web_jikimi.rights.get(request_id, actor=officer.login).status == "answered"
    assert "stopped: marketing" in page_of(console, request_id).text


def test_a_correction_takes_the_new_value_checked_like_at_collection_and_never_echoes_it(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("correction")
    verified(console, request_id)
    wrong = post(console, request_id, "carry-out", {"value:email": "not-an-address@", "refuse:email": ""})
    assert wrong.status_code == 422 and 'id="err-carry_out-email"' in wrong.text
    assert "not-an-address@" not in wrong.text  # a value typed is not shown back
    assert web_jikimi.rights.get(request_id, actor=officer.login).status == "verified"

    done = post(console, request_id, "carry-out", {"value:email": "hong.new@example.com", "refuse:email": ""})
    assert done.status_code == 303
    assert web_jikimi.rights.get(request_id, actor=officer.login).status == "answered"
    assert "hong.new@example.com" not in page_of(console, request_id).text  # the page shows no values


def test_what_a_handler_types_is_shown_escaped(console: TestClient, receive: Callable[[str], str]) -> None:
    request_id = receive("access")
    attack = '<script>alert("x")</script>'
    done = post(console, request_id, "refuse", {"ground": "harms_others", "note": attack})
    assert done.status_code == 303
    shown = page_of(console, request_id).text
    assert attack not in shown and "&lt;script&gt;" in shown


def test_how_identity_was_checked_is_kept_without_the_personal_values_typed_into_it(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("access")
    proof = f"등록된 번호 {MEMBER['mobile']}로 다시 걸어 확인"
    done = post(console, request_id, "verify", {"method": "handler", "proof": proof})
    assert done.status_code == 303
    notes = " ".join(e.note or "" for e in web_jikimi.rights.events(request_id, actor=officer.login))
    assert "다시 걸어 확인" in notes and MEMBER["mobile"] not in notes
    assert MEMBER["mobile"] not in page_of(console, request_id).text


def test_a_step_posted_without_the_forms_csrf_field_is_refused(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("access")
    refused = console.post(f"/console/rights/{request_id}/refuse", data={"ground": "harms_others"})
    assert refused.status_code == 403
    assert web_jikimi.rights.get(request_id, actor=officer.login).status == "received"


# -- the package and a missing request --------------------------------------------------------------


def test_the_package_preview_is_what_the_subject_sees_and_a_logged_read(
    web_jikimi: Jikimi, console: TestClient, officer: Staff, receive: Callable[[str], str]
) -> None:
    request_id = receive("access")
    early = console.get(f"/console/rights/{request_id}/package")
    assert early.status_code == 409  # nothing is disclosed before the requester is verified
    no_traceback(early)
    verified(console, request_id)
    assert f'href="/console/rights/{request_id}/package"' in page_of(console, request_id).text

    shown = console.get(f"/console/rights/{request_id}/package")
    assert shown.status_code == 200
    assert MEMBER["name"] in shown.text and MEMBER["email"] in shown.text
    assert "처리 목적과 보유기간" in shown.text and "제3자 제공 내역" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    with web_jikimi.core.engine.connect() as conn:
        reads = conn.execute(
            select(access_log.c.actor, access_log.c.reason).where(
                access_log.c.action == "rights.access_package"
            )
        ).all()
    assert [(r.actor, r.reason) for r in reads] == [(officer.login, f"request={request_id}; type=access")]


def test_a_request_that_does_not_exist_is_a_404_page(console: TestClient) -> None:
    missing = console.get("/console/rights/Qm3xV8sLc2RtY7pN4kWz1a")
    assert missing.status_code == 404
    no_traceback(missing)
    assert "권리 요구가 없습니다" in missing.text
    token = csrf_of(console.get("/console/rights").text)
    posted = console.post("/console/rights/Qm3xV8sLc2RtY7pN4kWz1a/answer", data={"csrf": token})
    assert posted.status_code == 404
    no_traceback(posted)
    assert console.get("/console/rights/Qm3xV8sLc2RtY7pN4kWz1a/package").status_code == 404


def test_the_queues_link_text_never_holds_a_personal_value(
    console: TestClient, receive: Callable[[str], str]
) -> None:
    request_id = receive("access")
    html = console.get("/console/rights").text + page_of(console, request_id).text
    hrefs = re.findall(r'(?:href|action)="([^"]*)"', html)
    assert hrefs and not any(
        value in href for href in hrefs for value in (MEMBER["name"], MEMBER["email"], MEMBER["mobile"])
    )
