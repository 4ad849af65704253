"""Auditors verify the access-log chain and read the monthly review through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from jikimi.bootstrap import Jikimi
from jikimi.store.tables import access_log

from .conftest import bearer, handler_token, signup


def test_an_altered_access_log_row_is_named_by_verify(
    client: TestClient, admin: dict[str, str], jikimi: Jikimi
) -> None:
    auditor = bearer(handler_token(jikimi, "au-choi", "auditor", [], ["audit"]))
    signup(client, admin)
    assert client.get("/v1/audit/verify", headers=auditor).json()["ok"] is True
    with jikimi.core.engine.begin() as conn:
        conn.execute(update(access_log).where(access_log.c.action == "collect").values(actor="someone-else"))
    result = client.get("/v1/audit/verify", headers=auditor).json()
    assert result["ok"] is False and len(result["breaks"]) == 1
    assert "altered" in result["breaks"][0]["problem"]


def test_the_monthly_review_is_json_for_auditors_only(
    client: TestClient, admin: dict[str, str], cs: dict[str, str], jikimi: Jikimi
) -> None:
    auditor = bearer(handler_token(jikimi, "au-choi", "auditor", [], ["audit"]))
    sid = signup(client, admin)
    client.post(f"/v1/subjects/{sid}/read", headers=cs, json={"items": ["email"], "purpose": "marketing"})
    report = client.get("/v1/audit/report", headers=auditor, params={"month": "2026-03"})
    assert report.status_code == 200, report.text
    assert isinstance(report.json(), dict) and "hong@example.com" not in report.text
    assert client.get("/v1/audit/report", headers=cs, params={"month": "2026-03"}).status_code == 403
