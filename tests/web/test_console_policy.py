"""The policy pages: the version in force and every version jikimi knows, lint findings, the diff of two
versions with the notice it needs (material → 30 days, else 7) and the earliest lawful effective date,
and publishing a draft with its scheduled notice (PIPA 30②). Drafts are files in the ``versions/``
folder beside the policy file in force. A policy's own text is escaped wherever it is shown."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from ruamel.yaml import YAML
from sqlalchemy import select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey, Passwords
from jikimi.store.engine import make_engine
from jikimi.store.tables import access_log

from ..conftest import EXAMPLES
from ..notices.people import yaml_text
from ..policies import cached_policy
from .conftest import ROLES, csrf_of

SCRIPT = "<script>alert(1)</script>"
PARTNER = {
    "id": "cinema_partner",
    "name": "예시시네마 주식회사",
    "purpose": "제휴 영화관 예매 할인",
    "items": ["name", "mobile"],
    "retention": "P1Y",
    "basis": "consent",
    "country": "KR",
}


def reference(version: str, effective: date | None) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(
        YAML(typ="safe").load((EXAMPLES / "reference.yaml").read_text("utf-8"))
    )
    data["version"] = version
    data.pop("announced", None)
    if effective is None:
        data.pop("effective", None)
    else:
        data["effective"] = effective
    return data


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    """The policy in force at ``tmp/policy/policy.yaml`` and three drafts in ``tmp/policy/versions/``."""
    folder = tmp_path / "policy"
    (folder / "versions").mkdir(parents=True)
    shutil.copy(EXAMPLES / "reference.yaml", folder / "policy.yaml")
    minor = reference("2026-03-09", date(2026, 3, 9))
    minor["officers"][0]["phone"] = "02-6213-4879"
    (folder / "versions" / "minor.yaml").write_text(yaml_text(minor), encoding="utf-8")
    material = reference("2026-04-01", None)
    material["third_parties"]["recipients"] = [*material["third_parties"].get("recipients", []), PARTNER]
    material["third_parties"]["announced"] = True
    (folder / "versions" / "partner.yaml").write_text(yaml_text(material), encoding="utf-8")
    hostile = reference("2026-04-10", None)
    hostile["items"][0]["label"] = SCRIPT
    (folder / "versions" / "label.yaml").write_text(yaml_text(hostile), encoding="utf-8")
    return folder / "policy.yaml"


@pytest.fixture
def web_jikimi(web_db: str, clock: FixedClock, policy_file: Path) -> Iterator[Jikimi]:
    """The console's jikimi started from a policy file, so its ``versions/`` folder holds the drafts."""
    engine = make_engine(web_db)
    jikimi = build_jikimi(
        policy=cached_policy(policy_file),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)),
        policy_file=policy_file,
    )
    for role, (purposes, actions) in ROLES.items():
        jikimi.handlers.define_role(role, purposes=purposes, actions=actions)
    yield jikimi
    engine.dispose()


def test_the_policy_page_shows_the_version_in_force_its_history_the_drafts_and_the_lint(
    console: TestClient,
) -> None:
    page = console.get("/console/policy")
    assert page.status_code == 200
    text = page.text
    assert "2026-03-02" in text and "시행 중" in text  # in force
    assert "2025-06-02" in text and "최초 제정" in text  # its history
    for draft in ("minor.yaml", "partner.yaml", "label.yaml"):
        assert draft in text
    assert (
        "오류 0, 경고 0, 참고 0" in text and "검사에서 찾은 것이 없습니다" in text
    )  # the reference is clean
    assert 'action="/console/policy/diff"' in text


def test_a_minor_change_needs_seven_days_and_is_published_with_its_notice(
    console: TestClient, web_jikimi: Jikimi
) -> None:
    page = console.get("/console/policy/diff?old=current&new=minor.yaml")
    assert page.status_code == 200
    assert "7일 전까지" in page.text and "2026-03-09" in page.text  # earliest lawful date: today + 7
    assert "02-6213-4879" in page.text  # the change itself
    assert 'action="/console/policy/publish"' in page.text
    done = console.post("/console/policy/publish", data={"csrf": csrf_of(page.text), "draft": "minor.yaml"})
    assert done.status_code == 303 and done.headers["location"] == "/console/policy"
    after = console.get("/console/policy")
    assert "고지했습니다" in after.text and "고지됨" in after.text
    assert {v.version: v.status for v in web_jikimi.policy_versions.known()}["2026-03-09"] == "announced"
    with web_jikimi.core.engine.connect() as conn:
        rows = conn.execute(select(access_log.c.actor).where(access_log.c.action == "policy.announce")).all()
    assert [r.actor for r in rows] == ["officer-kim"]


def test_a_material_change_needs_thirty_days_and_a_date_too_soon_is_refused(
    console: TestClient, web_jikimi: Jikimi
) -> None:
    page = console.get("/console/policy/diff?old=current&new=partner.yaml")
    assert page.status_code == 200
    assert "중요 변경: 시행 30일 전까지" in page.text and "2026-04-01" in page.text
    assert "예시시네마 주식회사" in page.text
    csrf = csrf_of(page.text)
    refused = console.post(
        "/console/policy/publish", data={"csrf": csrf, "draft": "partner.yaml", "effective": "2026-03-20"}
    )
    assert refused.status_code == 422 and "2026-04-01" in refused.text
    assert not [v for v in web_jikimi.policy_versions.known() if v.status == "announced"]
    done = console.post(
        "/console/policy/publish", data={"csrf": csrf, "draft": "partner.yaml", "effective": "2026-04-01"}
    )
    assert done.status_code == 303


def test_a_script_in_a_policy_label_is_shown_as_text(console: TestClient) -> None:
    page = console.get("/console/policy/diff?old=current&new=label.yaml")
    assert page.status_code == 200
    assert SCRIPT not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_publishing_needs_the_csrf_token_and_the_admin_action(
    console: TestClient, console_as: Callable[[str, str], TestClient], web_jikimi: Jikimi
) -> None:
    assert console.post("/console/policy/publish", data={"draft": "minor.yaml"}).status_code == 403
    auditor = console_as("auditor-lee", "auditor")
    page = auditor.get("/console/policy/diff?old=current&new=minor.yaml")
    assert page.status_code == 200 and 'action="/console/policy/publish"' not in page.text
    refused = auditor.post(
        "/console/policy/publish", data={"csrf": csrf_of(page.text), "draft": "minor.yaml"}
    )
    assert refused.status_code == 403
    assert not [v for v in web_jikimi.policy_versions.known() if v.status == "announced"]


def test_only_the_drafts_folder_is_read(console: TestClient) -> None:
    assert console.get("/console/policy/diff?old=current&new=../policy.yaml").status_code == 404
    assert console.get("/console/policy/diff?old=current&new=/etc/passwd").status_code == 404
