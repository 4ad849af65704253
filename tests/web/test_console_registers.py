"""The registers in the console: processors (수탁자) and their registry, third parties and the provision
ledger, handlers with their roles and rights history, incidents with their 72-hour clocks, complaints
with their due dates — and the dashboard that gathers what is due. Each page needs its API's action;
the policy's own text is escaped wherever it shows (a policy label is a stored-XSS vector too)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from ruamel.yaml import YAML

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.store.engine import make_engine

from ..conftest import EXAMPLES, MEMBER, START
from ..policies import policy_from
from .conftest import ROLES, csrf_of

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'


def hostile_reference() -> dict[str, Any]:
    """The reference policy with markup in an item label, a processor's name and a recipient's purpose."""
    data: dict[str, Any] = copy.deepcopy(
        YAML(typ="safe").load((EXAMPLES / "reference.yaml").read_text("utf-8"))
    )
    labels = {i["id"]: i for i in data["items"]}
    labels["name"]["label"] = SCRIPT
    labels["recipient_name"]["label"] = SCRIPT
    data["processors"]["processors"][0]["name"] = IMAGE
    data["third_parties"]["recipients"][0]["purpose"] = IMAGE
    return data


@pytest.fixture
def web_jikimi(web_db: str, clock: FixedClock) -> Iterator[Jikimi]:
    engine = make_engine(web_db)
    jikimi = build_jikimi(
        policy=policy_from(hostile_reference()),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)),
    )
    for role, (purposes, actions) in ROLES.items():
        jikimi.handlers.define_role(role, purposes=purposes, actions=actions)
    yield jikimi
    engine.dispose()


def escaped(html: str) -> None:
    assert SCRIPT not in html and "<img" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html


def test_the_processors_page_lists_the_policy_and_the_registry_and_syncs_it(
    console: TestClient, web_jikimi: Jikimi
) -> None:
    page = console.get("/console/processors")
    assert page.status_code == 200
    escaped(page.text)
    assert "상품 배송" in page.text and "등록부가 비어 있습니다" in page.text
    done = console.post("/console/processors/sync", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303
    after = console.get("/console/processors")
    assert "등록부가 비어 있습니다" not in after.text and "등록부를 처리방침에 맞췄습니다" in after.text
    assert {r.processor_id for r in web_jikimi.sharing.registry()} >= {"delivery", "payment_gateway"}
    escaped(after.text)


def test_the_provisions_page_shows_the_recipients_and_the_ledger(
    console: TestClient, web_jikimi: Jikimi
) -> None:
    sid = web_jikimi.vault.collect("signup", MEMBER, {"marketing": False}).subject_id
    web_jikimi.sharing.give_consent(sid, "nurim_points", actor="self")
    web_jikimi.sharing.provide(
        [sid], "nurim_points", ["name", "mobile"], basis="consent", actor="officer-kim"
    )
    page = console.get("/console/provisions?third_party=nurim_points")
    assert page.status_code == 200
    escaped(page.text)
    assert "주식회사 누림포인트" in page.text and sid in page.text
    assert MEMBER["mobile"] not in page.text and MEMBER["name"] not in page.text  # ids, never values


def test_the_handlers_page_shows_accounts_roles_and_the_rights_history(
    console: TestClient, console_as: Callable[[str, str], TestClient]
) -> None:
    console_as("cs-park", "cs")
    page = console.get("/console/handlers")
    assert page.status_code == 200
    assert "cs-park" in page.text and "officer-kim" in page.text
    assert "membership" in page.text and "grant" in page.text  # a role's purposes; the grant recorded


def test_incidents_show_their_72_hour_clock(
    console: TestClient, web_jikimi: Jikimi, clock: FixedClock
) -> None:
    web_jikimi.incidents.open(
        kind="leak",
        aware_at=START - timedelta(hours=6),
        items=["email"],
        cause="insider",
        actor="officer-kim",
    )
    page = console.get("/console/incidents")
    assert page.status_code == 200
    assert "66.0시간 남음" in page.text and "진행 중" in page.text
    board = console.get("/console/")
    assert "유출 사고" in board.text and "66.0시간 남음" in board.text


def test_complaints_show_their_due_dates(console: TestClient, web_jikimi: Jikimi) -> None:
    made = web_jikimi.complaints.receive("email", actor="officer-kim")
    page = console.get("/console/complaints")
    assert page.status_code == 200 and made.id in page.text
    if made.due_at is not None:
        assert "시간 남음" in page.text
    assert console.get("/console/complaints?status=all").status_code == 200


def test_the_dashboard_shows_each_part_the_role_may_see(
    console: TestClient, console_as: Callable[[str, str], TestClient]
) -> None:
    board = console.get("/console/")
    assert board.status_code == 200
    for heading in (
        "권리 행사 요구",
        "유출 사고",
        "민원 답변 기한",
        "파기·분리보관 정리",
        "발송 대기열",
        "파기 기록 확인",
    ):
        assert heading in board.text
    assert "적용 중인 처리방침" in board.text and "오류 0" in board.text
    auditor = console_as("auditor-lee", "auditor").get("/console/")
    assert "파기 기록 확인" in auditor.text and "적용 중인 처리방침" in auditor.text
    for hidden in ("권리 행사 요구", "발송 대기열", "민원 답변 기한"):
        assert hidden not in auditor.text


def test_each_register_needs_its_action(console_as: Callable[[str, str], TestClient]) -> None:
    support = console_as("cs-park", "cs")
    for path in ("/console/handlers", "/console/incidents", "/console/complaints", "/console/provisions"):
        assert support.get(path).status_code == 403, path
    assert support.get("/console/processors").status_code == 200  # any handler, as GET /v1/processors
    page = support.get("/console/processors")
    assert support.post("/console/processors/sync", data={"csrf": csrf_of(page.text)}).status_code == 403
