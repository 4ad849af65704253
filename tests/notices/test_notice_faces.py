"""The notice kinds of policy changes, the yearly usage notice and rights answers over HTTP (the real
ASGI app) and at the terminal: the same services, one error envelope, bad input a 4xx or exit 2
naming the field, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.periods import kst_day
from jikimi.rights.answers import LINK_LIFETIME, with_link

from ..api.conftest import bearer, error_of, handler_token, signup  # noqa: TID252
from ..conftest import EXAMPLES  # noqa: TID252
from .people import REFERENCE, data_of, jikimi_on, policy_of, queued, yaml_text

PHONE_CHANGED = EXAMPLES / "versions" / "reference-v2-officer-phone.yaml"  # effective 2026-06-01
THIRD_PARTY = EXAMPLES / "versions" / "reference-v2-third-party.yaml"  # a new recipient: material


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(MasterKey.generate())


@pytest.fixture
def jikimi(engine: Engine, clock: FixedClock, ring: KeyRing) -> Jikimi:
    return jikimi_on(engine, clock, policy_of(REFERENCE), keys=ring)


@pytest.fixture
def client(jikimi: Jikimi) -> Iterator[TestClient]:
    with TestClient(create_app(jikimi)) as client:
        yield client


@pytest.fixture
def admin(jikimi: Jikimi) -> dict[str, str]:
    return bearer(handler_token(jikimi, "admin-park", "admin", ["*"], ["*"]))


@pytest.fixture
def desk(jikimi: Jikimi) -> dict[str, str]:
    return bearer(handler_token(jikimi, "privacy-choi", "privacy_team", [], ["rights"]))


def new_version_text(edit_phone: bool = True, effective: str | None = None) -> str:
    data = data_of(REFERENCE)
    data["version"] = "2026-03-20"
    data.pop("announced", None)
    data.pop("effective", None)
    if effective is not None:
        data["effective"] = effective
    if edit_phone:
        data["officers"][0]["phone"] = "02-6213-4879"
    return yaml_text(data)


def test_an_administrator_announces_over_http_and_the_posting_is_served(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str], desk: dict[str, str]
) -> None:
    signup(client, admin)
    text = new_version_text()
    preview = client.post("/v1/policy/announce", headers=admin, json={"policy": text, "dry_run": True})
    assert preview.status_code == 200, preview.text
    assert (preview.json()["dry_run"], preview.json()["reachable"], preview.json()["queued"]) == (True, 1, 0)
    assert queued(jikimi, "policy_change") == []

    done = client.post("/v1/policy/announce", headers=admin, json={"policy": text, "effective": "2026-03-09"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["notice_days"], body["effective"], body["queued"], body["material"]) == (
        7,
        "2026-03-09",
        1,
        False,
    )
    postings = client.get("/v1/postings", headers=desk, params={"kind": "policy_change"})
    assert postings.status_code == 200, postings.text
    (posting,) = postings.json()["postings"]
    assert posting["id"] == body["posting_id"] and "02-6213-4879" in posting["body"]
    assert client.post("/v1/policy/announce", headers=admin, json={"policy": text}).json()["queued"] == 0


def test_bad_announcements_are_4xx_naming_the_field(
    client: TestClient, admin: dict[str, str], desk: dict[str, str]
) -> None:
    too_soon = client.post(
        "/v1/policy/announce", headers=admin, json={"policy": new_version_text(), "effective": "2026-03-05"}
    )
    assert too_soon.status_code == 422
    error = error_of(too_soon)
    assert (error["code"], error["field"]) == ("vault.invalid", "effective")
    assert "2026-03-09" in str(error["message_en"]) and "2026-03-09" in str(error["message_ko"])
    broken = client.post("/v1/policy/announce", headers=admin, json={"policy": "items: [unclosed"})
    assert broken.status_code == 422 and error_of(broken)["field"] == "policy"
    unknown = client.post(
        "/v1/policy/announce", headers=admin, json={"policy": new_version_text(), "when": "tomorrow"}
    )
    assert unknown.status_code == 422 and error_of(unknown)["code"] == "request.invalid"
    not_admin = client.post("/v1/policy/announce", headers=desk, json={"policy": new_version_text()})
    assert not_admin.status_code == 403
    no_token = client.post("/v1/policy/announce", json={"policy": new_version_text()})
    assert no_token.status_code == 401


def test_the_usage_notice_is_checked_and_queued_over_http(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:
    signup(client, admin)
    duty = client.get("/v1/notices/usage", headers=admin)
    assert duty.status_code == 200, duty.text
    assert (duty.json()["owed"], duty.json()["reason"], duty.json()["subjects"]) == (False, "below", 1)
    refused = client.post("/v1/notices/usage", headers=admin, json={})
    assert refused.status_code == 409 and error_of(refused)["code"] == "vault.state"
    forced = client.post("/v1/notices/usage", headers=admin, json={"force": True})
    assert forced.status_code == 200 and (forced.json()["queued"], forced.json()["voluntary"]) == (1, True)
    bad_year = client.get("/v1/notices/usage", headers=admin, params={"year": "twenty"})
    assert bad_year.status_code == 422 and error_of(bad_year)["field"] is not None


def test_the_package_link_opens_over_http_without_a_token_and_expires_with_410(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str], desk: dict[str, str], clock: FixedClock
) -> None:
    sid = signup(client, admin)
    made = client.post(
        "/v1/rights/requests", headers=desk, json={"subject_id": sid, "type": "access", "channel": "email"}
    ).json()
    url = f"/v1/rights/requests/{made['id']}"
    assert (
        client.post(f"{url}/verify", headers=desk, json={"method": "handler", "proof": "신분증"}).status_code
        == 200
    )
    assert client.post(f"{url}/answer", headers=desk, json={}).status_code == 200
    (message,) = queued(jikimi, "rights_answer")
    path = str(with_link(message.payload, jikimi.core.keys.master)["package_path"])

    opened = client.get(path)
    assert opened.status_code == 200 and opened.headers["content-type"].startswith("text/html")
    assert (
        opened.headers["cache-control"] == "no-store" and opened.headers["referrer-policy"] == "no-referrer"
    )
    assert "홍길동" in opened.text
    unknown = client.get("/v1/rights/packages/pk_nothing-here")
    assert unknown.status_code == 404 and error_of(unknown)["code"] == "vault.not_found"
    clock.advance(LINK_LIFETIME + timedelta(seconds=1))
    expired = client.get(path)
    assert expired.status_code == 410 and error_of(expired)["code"] == "vault.expired"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, db_url: str, ring: KeyRing) -> None:
    monkeypatch.setenv("JIKIMI_DB_URL", db_url)
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    monkeypatch.delenv("JIKIMI_POLICY", raising=False)


def test_announce_and_usage_at_the_terminal(
    terminal: None, jikimi: Jikimi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    jikimi.vault.collect(
        "signup",
        {
            "name": "홍길동",
            "birthdate": "1990-01-01",
            "login_id": "hong",
            "password": "secret-pass-1",
            "mobile": "010-1234-5678",
            "email": "hong@example.com",
            "ci": "CI" + "A" * 86,
        },
        {"marketing": False},
    )
    new = tmp_path / "new.yaml"
    new.write_text(new_version_text(), encoding="utf-8")
    old = str(REFERENCE)

    # the terminal runs on the system clock: a minor change needs 7 days from today (KST)
    today = kst_day(datetime.now(UTC))
    earliest = (today + timedelta(days=7)).isoformat()
    too_soon = (today + timedelta(days=3)).isoformat()
    assert run(["notices", "announce", old, str(new), "--effective", too_soon]) == 2
    err = capsys.readouterr().err
    assert "vault.invalid" in err and "effective" in err and earliest in err and "Traceback" not in err
    assert run(["notices", "announce", old, str(new), "--effective", "next week"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert run(["notices", "announce", old, str(new), "--dry-run"]) == 0
    assert "dry run: 1 of 1 members would be told" in capsys.readouterr().out
    assert run(["notices", "announce", old, str(new), "--format", "json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["queued"], done["notice_days"], done["effective"]) == (1, 7, earliest)
    assert run(["notices", "announce", old, str(new)]) == 0
    assert "0 queued, 1 told before" in capsys.readouterr().out

    usage = ["notices", "usage", "--policy", old]
    assert run([*usage, "--check"]) == 0
    assert "의무 없음 (not owed)" in capsys.readouterr().out
    assert run(usage) == 2
    assert "vault.state" in capsys.readouterr().err
    assert run([*usage, "--force", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["queued"] == 1
    assert run([*usage, "--year", "1999", "--check"]) == 2
