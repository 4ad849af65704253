"""``GET /metrics``: requests by route template, the gate's decisions by reason, rights requests by
days left and the outbox's backlog — and no personal value or id in any label; only the operator
(the metrics token, or this machine without a proxy) may read it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi

from .conftest import MAX_BODY, MEMBER, signup

LOCAL = ("127.0.0.1", 50123)


@pytest.fixture
def local(jikimi: Jikimi) -> Iterator[TestClient]:
    """A client on this machine (loopback), as the operator's Prometheus on the server would be."""
    with TestClient(create_app(jikimi, max_body_bytes=MAX_BODY), client=LOCAL) as client:
        yield client


def sample(text: str, name: str, **labels: str) -> float:
    """The value of the sample ``name{labels}`` (labels in any order), 0 when absent."""
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}\{{(.*)\}} (\S+)$", line)
        if match and dict(re.findall(r'(\w+)="([^"]*)"', match[1])) == labels:
            return float(match[2])
        if not labels and line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def test_requests_are_counted_by_route_template_never_the_path_or_a_value(
    local: TestClient, admin: dict[str, str], cs: dict[str, str]
) -> None:
    member = signup(local, admin)
    before = local.get("/metrics").text  # counts are the process's: other tests' too
    for _ in range(3):
        answer = local.post(
            f"/v1/subjects/{member}/read", headers=cs, json={"items": ["email"], "purpose": "membership"}
        )
        assert answer.status_code == 200
    text = local.get("/metrics").text
    route = "/v1/subjects/{subject_id}/read"
    for name, labels in (
        ("jikimi_http_requests_total", {"method": "POST", "route": route, "status": "200"}),
        ("jikimi_http_request_duration_seconds_count", {"method": "POST", "route": route}),
    ):
        assert sample(text, name, **labels) - sample(before, name, **labels) == 3
    assert member not in text
    assert all(value not in text for value in MEMBER.values())


def test_the_gates_decisions_are_counted_by_reason(
    local: TestClient, admin: dict[str, str], cs: dict[str, str]
) -> None:
    member = signup(local, admin)
    before = local.get("/metrics").text
    local.post(f"/v1/subjects/{member}/read", headers=cs, json={"items": ["email"], "purpose": "membership"})
    denied = local.post(
        f"/v1/subjects/{member}/read", headers=cs, json={"items": ["email"], "purpose": "marketing"}
    )
    assert denied.status_code == 403
    text = local.get("/metrics").text
    for outcome in ("allowed", "denied:role_not_allowed"):
        labels = {"action": "read", "outcome": outcome}
        assert (
            sample(text, "jikimi_access_log_rows_total", **labels)
            - sample(before, "jikimi_access_log_rows_total", **labels)
            == 1
        )


def test_open_rights_requests_are_counted_by_days_left(
    local: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:
    member = signup(local, admin)
    jikimi.rights.receive(member, "access", channel="web", actor="self")
    text = local.get("/metrics").text
    counts = {
        bucket: sample(text, "jikimi_rights_requests_open", days_left=bucket)
        for bucket in ("overdue", "0-2", "3-5", "6-9", "10+")
    }
    assert counts == {
        "overdue": 0,
        "0-2": 0,
        "3-5": 0,
        "6-9": 0,
        "10+": 1,
    }  # its day is 10 days away (PIPA 35)


def test_the_outboxs_backlog_is_reported(local: TestClient, jikimi: Jikimi, admin: dict[str, str]) -> None:
    before = sample(local.get("/metrics").text, "jikimi_outbox_messages", status="pending")
    member = signup(local, admin)
    jikimi.rights.receive(member, "access", channel="web", actor="self")
    text = local.get("/metrics").text
    assert sample(text, "jikimi_outbox_messages", status="pending") >= before
    assert sample(text, "jikimi_outbox_due_messages") <= sample(
        text, "jikimi_outbox_messages", status="pending"
    )


def test_metrics_are_not_found_from_another_machine_or_through_a_proxy(jikimi: Jikimi) -> None:
    app = create_app(jikimi)
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        assert remote.get("/metrics").status_code == 404
    with TestClient(app, client=LOCAL) as proxied:
        assert proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404
        assert proxied.get("/metrics").status_code == 200


def test_with_a_metrics_token_only_its_bearer_may_scrape(
    jikimi: Jikimi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIKIMI_METRICS_TOKEN", "a-long-random-scrape-secret")
    with TestClient(create_app(jikimi), client=LOCAL) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        good = client.get("/metrics", headers={"Authorization": "Bearer a-long-random-scrape-secret"})
        assert good.status_code == 200 and good.headers["content-type"].startswith("text/plain")
