"""The HTTP API and the CLI for sharing: same service, same authentication and access log."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi
from jikimi.cli import run
from jikimi.crypto import KeyRing
from jikimi.store.tables import access_log, provisions

from ..api.conftest import bearer, error_of, handler_token  # noqa: TID252
from ..conftest import EXAMPLES  # noqa: TID252
from .conftest import member_data

WARRANT = "서울중앙지법 2026-영장-0042"


@pytest.fixture
def client(jikimi: Jikimi) -> Iterator[TestClient]:
    with TestClient(create_app(jikimi)) as client:
        yield client


@pytest.fixture
def partner(jikimi: Jikimi) -> dict[str, str]:
    return bearer(
        handler_token(jikimi, "pt-choi", "partnerships", [], ["provide", "provide_by_law", "consent"])
    )


@pytest.fixture
def admin(jikimi: Jikimi) -> dict[str, str]:
    return bearer(handler_token(jikimi, "admin-park", "admin", ["*"], ["*"]))


def test_provision_over_http_needs_consent_recorded_over_http(
    client: TestClient, partner: dict[str, str], member: str, jikimi: Jikimi
) -> None:
    body = {
        "subject_ids": [member],
        "third_party": "nurim_points",
        "items": ["name", "mobile"],
        "basis": "consent",
    }
    refused = client.post("/v1/provisions", headers=partner, json=body)
    assert refused.status_code == 200 and refused.json()["denied"] == {member: "consent_missing"}
    given = client.post(f"/v1/subjects/{member}/third-parties/nurim_points/consent", headers=partner)
    assert given.status_code == 200 and given.json()["granted"] is True
    provided = client.post("/v1/provisions", headers=partner, json=body).json()
    assert set(provided["values"][member]) == {"name", "mobile"} and provided["counts"] == {"allowed": 1}
    assert (
        client.post(f"/v1/subjects/{member}/third-parties/nurim_points/withdraw", headers=partner).status_code
        == 200
    )
    again = client.post("/v1/provisions", headers=partner, json=body).json()
    assert again["denied"] == {member: "consent_withdrawn"}
    with jikimi.core.engine.connect() as conn:
        sources = {r.source for r in conn.execute(select(access_log).where(access_log.c.action == "provide"))}
    assert sources == {"testclient"}


def test_a_legal_basis_without_reference_is_403_with_the_reason(
    client: TestClient, partner: dict[str, str], member: str
) -> None:
    response = client.post(
        "/v1/provisions",
        headers=partner,
        json={"subject_ids": [member], "third_party": "police", "items": ["name"], "basis": "law"},
    )
    assert response.status_code == 403
    assert error_of(response)["reason"] == "reference_required"


def test_a_query_provides_to_every_consenting_subject_and_the_ledger_lists_them(
    client: TestClient, partner: dict[str, str], admin: dict[str, str], member: str, jikimi: Jikimi
) -> None:
    jikimi.sharing.give_consent(member, "nurim_points", actor="pt-choi")
    response = client.post(
        "/v1/provisions",
        headers=partner,
        json={
            "query": {"consented": True},
            "third_party": "nurim_points",
            "items": ["name"],
            "basis": "consent",
        },
    )
    assert list(response.json()["values"]) == [member]
    ledger = client.get("/v1/provisions", headers=admin, params={"subject_id": member}).json()["provisions"]
    assert [(r["third_party_id"], r["items"]) for r in ledger] == [("nurim_points", ["name"])]
    assert "홍길동" not in json.dumps(ledger, ensure_ascii=False)


def test_the_ledger_needs_audit_or_provide_and_unauthenticated_calls_get_401(
    client: TestClient, jikimi: Jikimi
) -> None:
    cs = bearer(handler_token(jikimi, "cs-kim", "cs", ["membership"], ["read"]))
    assert error_of(client.get("/v1/provisions", headers=cs))["reason"] == "action_not_allowed"
    assert client.post("/v1/provisions", json={}).status_code in (401, 422)
    assert client.get("/v1/processors").status_code == 401


def test_both_or_neither_selection_is_a_request_error(client: TestClient, partner: dict[str, str]) -> None:
    response = client.post(
        "/v1/provisions",
        headers=partner,
        json={"third_party": "police", "items": ["name"], "basis": "law", "reference": WARRANT},
    )
    assert response.status_code == 422


def test_processors_over_http(
    client: TestClient, admin: dict[str, str], partner: dict[str, str], member: str
) -> None:
    assert client.post("/v1/processors/sync", headers=partner).status_code == 403
    synced = client.post("/v1/processors/sync", headers=admin).json()["processors"]
    assert {p["processor_id"] for p in synced} == {
        "delivery",
        "payment_gateway",
        "cloud",
        "messaging",
        "helpdesk",
    }
    assert client.get("/v1/processors", headers=partner).json() == {"processors": synced}
    # which processors hold a subject's items is the subject's metadata: the `metadata` action
    refused = client.get(f"/v1/subjects/{member}/processors", headers=partner)
    assert refused.status_code == 403 and error_of(refused)["reason"] == "action_not_allowed"
    held = client.get(f"/v1/subjects/{member}/processors", headers=admin).json()["processors"]
    assert {p["processor_id"]: p["items"] for p in held}["messaging"] == ["mobile", "email"]
    assert client.get("/v1/subjects/nobody/processors", headers=admin).status_code == 404


def test_statistics_over_http_need_export_and_a_reason(
    client: TestClient, jikimi: Jikimi, partner: dict[str, str]
) -> None:
    for n in range(30, 36):
        jikimi.vault.collect("signup", member_data(n, gender="여"), {"marketing": False})
    analyst = bearer(handler_token(jikimi, "an-jung", "analyst", [], ["export"]))
    body = {"items": ["birthdate", "gender", "email"], "reason": "연령대별 통계"}
    assert (
        error_of(client.post("/v1/exports/stats", headers=partner, json=body))["reason"]
        == "action_not_allowed"
    )
    result = client.post("/v1/exports/stats", headers=analyst, json=body).json()
    assert result["rows"] == [{"birthdate": "30-39", "gender": "여", "count": 6}] and result["removed"] == [
        "email"
    ]
    assert client.post("/v1/exports/stats", headers=analyst, json={"items": ["birthdate"]}).status_code == 422


@pytest.fixture
def cli_env(
    db_url: str, jikimi: Jikimi, ring: KeyRing, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    """The CLI pointed at the test database, key and a policy file with the police recipient."""
    from ..vault.conftest import reference_data  # noqa: TID252
    from .conftest import with_police

    data = reference_data()
    with_police(data)
    policy = tmp_path / "policy.yaml"
    policy.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    monkeypatch.setenv("JIKIMI_DB_URL", db_url)
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    monkeypatch.setenv("JIKIMI_POLICY", str(policy))
    assert (EXAMPLES / "reference.yaml").exists()
    return tmp_path


def test_the_cli_provides_to_a_file_only_its_owner_can_read(
    cli_env: Path, jikimi: Jikimi, member: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = cli_env / "ids.txt"
    ids.write_text(member + "\n", encoding="utf-8")
    out = cli_env / "out" / "police.json"
    code = run(
        [
            "provide",
            "run",
            "police",
            "--items",
            "name,mobile",
            "--basis",
            "law",
            "--reference",
            WARRANT,
            "--subjects-file",
            str(ids),
            "--output",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr()
    assert "allowed=1" in capsys.readouterr().out
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    assert set(json.loads(out.read_text(encoding="utf-8"))["values"][member]) == {"name", "mobile"}
    with jikimi.core.engine.connect() as conn:
        assert conn.execute(select(provisions.c.actor)).scalar_one().startswith("cli:")
    assert (
        run(
            [
                "provide",
                "run",
                "police",
                "--items",
                "name",
                "--basis",
                "law",
                "--subjects-file",
                str(ids),
                "--output",
                str(out),
            ]
        )
        == 2
    )  # no reference: refused
    assert run(["provide", "ledger", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["reference"] == WARRANT


def test_the_cli_exports_statistics_and_says_what_it_suppressed(
    cli_env: Path, jikimi: Jikimi, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(40, 47):
        jikimi.vault.collect("signup", member_data(n, gender="남"), {"marketing": False})
    jikimi.vault.collect("signup", member_data(47, gender="여"), {"marketing": False})
    code = run(["export", "stats", "--items", "birthdate,gender,name", "--reason", "성별 통계"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out == "birthdate,gender,count\n30-39,남,7\n"
    assert "removed direct identifiers): name" in captured.err and "suppressed 1 subjects" in captured.err
    assert run(["processors", "sync"]) == 0 and "helpdesk" in capsys.readouterr().out
