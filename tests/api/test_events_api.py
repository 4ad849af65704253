"""``GET /v1/events``: a service that cannot receive webhooks pulls the service events by position,
with its handler token (the ``events`` action); bad parameters are a 422 naming the field."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jikimi.api.app import create_app
from jikimi.clock import FixedClock

from ..notices.test_service_events import _reader, jikimi_for, member


def test_the_api_pages_events_after_a_position(engine: Engine, clock: FixedClock) -> None:
    jikimi = jikimi_for(engine, clock, None)
    for n in range(3):
        jikimi.lifecycle.withdraw(member(jikimi, n), "member_request")
    jikimi.handlers.create("events-reader", "correct horse battery", role=_reader(jikimi))
    client = TestClient(create_app(jikimi))
    token = client.post(
        "/v1/login", json={"login": "events-reader", "password": "correct horse battery"}
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get("/v1/events", params={"limit": 2, "type": "subject.withdrawn"}, headers=auth)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [e["position"] for e in page["events"]] == sorted(e["position"] for e in page["events"])
    rest = client.get("/v1/events", params={"after": page["next"], "type": "subject.withdrawn"}, headers=auth)
    assert len(page["events"]) + len(rest.json()["events"]) == 3
    assert client.get("/v1/events", params={"limit": 0}, headers=auth).status_code == 422
    bad = client.get("/v1/events", params={"type": "nope"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "types"
    assert client.get("/v1/events").status_code == 401
