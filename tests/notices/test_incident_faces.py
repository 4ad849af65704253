"""Breach response through its faces, on a real vault (SQLite file and PostgreSQL): the HTTP API (the
real ASGI app, one error envelope), the command line (exit 2 and a message for bad input, never a
traceback), and the notices delivered end to end by the delivery worker (a real SMTP server and a
real webhook receiver on loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.notices.channels import Email, Webhook
from jikimi.notices.delivery import Channels

from ..api.conftest import bearer, error_of, handler_token
from ..conftest import START
from ..vault.conftest import fast_passwords
from .incident_setup import import_members, incident_policy, jikimi, member_row, officer  # noqa: F401
from .receivers import smtp_server, webhook_receiver
from .test_incidents import APP_MEMBER

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def client(jikimi: Jikimi) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(jikimi)) as client:
        yield client


@pytest.fixture
def team(jikimi: Jikimi) -> dict[str, str]:  # noqa: F811
    return bearer(handler_token(jikimi, "privacy-choi", "privacy_team", [], ["incident"]))


@pytest.fixture
def cs(jikimi: Jikimi) -> dict[str, str]:  # noqa: F811
    return bearer(handler_token(jikimi, "cs-kim", "cs", ["membership"], ["read", "metadata"]))


AWARE = "2026-03-02T08:00:00+09:00"  # two hours before START (10:00 KST)


def test_an_incident_goes_from_opening_to_close_over_http(
    client: TestClient,
    team: dict[str, str],
    jikimi: Jikimi,  # noqa: F811
    tmp_path: Path,
) -> None:
    ids = import_members(jikimi, tmp_path, 12)
    made = client.post(
        "/v1/incidents",
        headers=team,
        json={"kind": "leak", "aware_at": AWARE, "items": ["email", "mobile"], "cause": "outside_access"},
    )
    assert made.status_code == 201, made.text
    incident = made.json()
    assert (incident["hours_left"], incident["subjects"], incident["decision"]["required"]) == (70.0, 0, True)
    url = f"/v1/incidents/{incident['id']}"

    by_query = client.post(
        f"{url}/affected", headers=team, json={"query": {"holding": ["email"], "status": "active"}}
    )
    assert by_query.status_code == 200, by_query.text
    assert by_query.json()["added"] == 12
    by_list = client.post(
        f"{url}/affected", headers=team, json={"subject_ids": [ids[0], "GoneSubject00000000001"]}
    )
    assert (by_list.json()["added"], by_list.json()["not_in_vault"]) == (1, 1)

    seen = client.get(url, headers=team).json()
    assert (seen["subjects"], seen["hours_left"], seen["due_at"]) == (13, 70.0, "2026-03-04T23:00:00Z")
    assert [g["code"] for g in seen["decision"]["grounds"]] == ["outside_access"]
    assert [s["action"] for s in seen["timeline"]][:3] == [
        "incident.open",
        "incident.decision",
        "incident.affected",
    ]

    draft = client.get(f"{url}/report", headers=team, params={"to": "kisa"})
    assert draft.status_code == 200 and "한국인터넷진흥원" in draft.json()["markdown"]
    assert not [v for v in member_row(0).values() if len(v) > 6 and v in draft.text]

    told = client.post(
        f"{url}/notify", headers=team, json={"measures": ["access_blocked", "police_reported"]}
    )
    assert told.status_code == 200, told.text
    assert (told.json()["queued"], told.json()["by_channel"], told.json()["posted"]) == (12, {"email": 12}, 1)
    assert told.json()["incident"]["measures"] == ["access_blocked", "police_reported"]

    (posting,) = client.get("/v1/postings", headers=team).json()["postings"]
    assert posting["ref"] == incident["id"] and posting["until_at"] == "2026-04-01T01:00:00Z"

    refused = client.post(f"{url}/close", headers=team)
    assert refused.status_code == 409 and error_of(refused)["code"] == "vault.state"
    assert client.post(f"{url}/report", headers=team, json={"to": "pipc"}).json()["reported_to"] == "pipc"
    closed = client.post(f"{url}/close", headers=team)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    listed = client.get("/v1/incidents", headers=team, params={"open_only": True}).json()["incidents"]
    assert listed == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "hack", "aware_at": AWARE, "items": ["email"]}, "kind"),
        ({"kind": "leak", "aware_at": "2026-03-02T08:00:00", "items": ["email"]}, "aware_at"),
        ({"kind": "leak", "aware_at": "yesterday", "items": ["email"]}, "aware_at"),
        ({"kind": "leak", "aware_at": AWARE, "items": []}, "items"),
        ({"kind": "leak", "aware_at": AWARE, "items": ["email"], "measures": ["prayed"]}, "measures.0"),
        ({"kind": "leak", "aware_at": AWARE, "items": ["shoe_size"]}, "items"),
        ({"kind": "leak", "aware_at": "2026-03-03T08:00:00+09:00", "items": ["email"]}, "aware_at"),
        ({"kind": "leak", "aware_at": AWARE, "items": ["email"], "colour": "red"}, "colour"),
    ],
)
def test_a_bad_incident_is_a_4xx_naming_the_field_never_a_500(
    client: TestClient, team: dict[str, str], body: dict[str, object], field: str
) -> None:
    response = client.post("/v1/incidents", headers=team, json=body)
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["field"] == field and error["message_en"] and error["message_ko"]
    assert client.get("/v1/incidents", headers=team).json()["incidents"] == []


def test_bad_affected_subjects_are_a_4xx_naming_the_field(client: TestClient, team: dict[str, str]) -> None:
    made = client.post(
        "/v1/incidents", headers=team, json={"kind": "loss", "aware_at": AWARE, "items": ["email"]}
    )
    url = f"/v1/incidents/{made.json()['id']}/affected"
    both = client.post(url, headers=team, json={"subject_ids": ["Abc"], "query": {"holding": ["email"]}})
    assert both.status_code == 422 and error_of(both)["field"] == "body"
    assert (
        error_of(client.post(url, headers=team, json={"subject_ids": ["a@b.c"]}))["field"] == "subject_ids.0"
    )
    unknown = client.post(url, headers=team, json={"query": {"holding": ["shoe_size"]}})
    assert unknown.status_code == 422 and error_of(unknown)["field"] == "items"
    nowhere = client.post(url, headers=team, json={"query": {"holding": ["email"], "context": "nowhere"}})
    assert error_of(nowhere)["field"] == "context"
    missing = client.post(
        "/v1/incidents/NoSuchIncident00000001/affected", headers=team, json={"subject_ids": []}
    )
    assert missing.status_code == 404 and error_of(missing)["code"] == "vault.not_found"
    assert client.get("/v1/incidents/no%20such", headers=team).status_code == 422


def test_a_handler_without_the_incident_action_is_refused_403(
    client: TestClient, team: dict[str, str], cs: dict[str, str]
) -> None:
    made = client.post(
        "/v1/incidents", headers=team, json={"kind": "loss", "aware_at": AWARE, "items": ["email"]}
    )
    for response in (
        client.post(
            "/v1/incidents", headers=cs, json={"kind": "loss", "aware_at": AWARE, "items": ["email"]}
        ),
        client.get(f"/v1/incidents/{made.json()['id']}", headers=cs),
        client.get("/v1/incidents", headers=cs),
        client.post(f"/v1/incidents/{made.json()['id']}/notify", headers=cs),
    ):
        assert response.status_code == 403 and error_of(response)["reason"] == "action_not_allowed"
    assert client.get("/v1/postings", headers=cs).status_code == 200  # what the website shows anyway
    assert client.get("/v1/postings").status_code == 401


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, db_url: str, jikimi: Jikimi, tmp_path: Path) -> Path:  # noqa: F811
    """The terminal over the test's database, with the incident policy in a file."""
    policy_file = tmp_path / "policy.yaml"
    from ..policies import reference_data
    from .incident_setup import _declare_special_items

    data = reference_data()
    _declare_special_items(data)
    policy_file.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    monkeypatch.setenv("JIKIMI_DB_URL", db_url)
    monkeypatch.setenv("JIKIMI_MASTER_KEY", jikimi.core.keys.master.current.encoded())
    monkeypatch.setenv("JIKIMI_POLICY", str(policy_file))
    return policy_file


def test_an_incident_is_handled_at_the_terminal(
    terminal: Path,
    jikimi: Jikimi,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    ids = import_members(jikimi, tmp_path, 1001)
    aware = (datetime.now(UTC) - timedelta(hours=2)).isoformat(
        timespec="seconds"
    )  # the CLI's clock is the system's
    opened = ["incident", "open", "--kind", "leak", "--aware-at", aware, "--items", "email,mobile"]
    assert run([*opened, "--cause", "mistake", "--summary", "메일 오발송 (담당 010-1234-5678)"]) == 0
    out = capsys.readouterr().out
    incident_id = out.split()[0]
    assert "+70.0h" in out and "신고 의무 없음" in out and "subjects_not_counted" in out

    listed = tmp_path / "leaked.txt"
    listed.write_text("# from the mis-sent file\n" + "\n".join(ids[:10]) + "\n", encoding="utf-8")
    assert run(["incident", "affected", incident_id, "--file", str(listed)]) == 0
    assert "추가 (added) 10" in capsys.readouterr().out
    assert run(["incident", "affected", incident_id, "--all-holding", "email", "--status", "active"]) == 0
    out = capsys.readouterr().out
    assert "추가 (added) 991" in out and "subjects_1000" in out and "1,001" in out
    assert run(["incident", "affected", incident_id, "--query", "holding=mobile context=signup"]) == 0
    assert "추가 (added) 0" in capsys.readouterr().out

    draft = tmp_path / "report.md"
    assert run(["incident", "report", incident_id, "--draft-out", str(draft)]) == 0
    text = draft.read_text(encoding="utf-8")
    assert "개인정보 유출 등 신고서 (초안)" in text and "1,001명" in text and "<전화번호>" in text
    assert "010-1234-5678" not in text
    assert run(["incident", "notify", incident_id, "--measures", "data_retrieved"]) == 0
    assert "통지 대기열 (queued) 1,001 (email 1,001)" in capsys.readouterr().out
    assert run(["incident", "report", incident_id, "--to", "kisa", "--sent"]) == 0
    capsys.readouterr()
    assert run(["incident", "close", incident_id]) == 0
    assert " closed " in capsys.readouterr().out

    assert run(["incident", "show", incident_id]) == 0
    out = capsys.readouterr().out
    for action in (
        "incident.open",
        "incident.affected",
        "incident.report.draft",
        "incident.notify",
        "incident.close",
    ):
        assert action in out
    assert run(["incident", "show", incident_id, "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["incident"]["reported_to"] == "kisa" and shown["timeline"][0]["actor"].startswith("cli:")
    assert run(["incident", "list", "--format", "json"]) == 0
    assert [i["id"] for i in json.loads(capsys.readouterr().out)] == [incident_id]


NOBODY = "NoSuchIncident00000001"
OPEN = ["incident", "open", "--kind", "leak", "--aware-at", "2026-03-02"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["incident", "open", "--kind", "hack", "--aware-at", "2026-03-02", "--items", "email"], "kind"),
        (["incident", "open", "--kind", "leak", "--aware-at", "어제", "--items", "email"], "aware_at"),
        ([*OPEN, "--items", "shoe"], "items"),
        ([*OPEN, "--items", "email", "--measures", "x"], "measures"),
        ([*OPEN, "--items", "email", "--cause", "aliens"], "cause"),
        (["incident", "open", "--kind", "leak", "--items", "email"], "--aware-at"),
        (["incident", "affected", NOBODY, "--all-holding", "email"], "no such incident"),
        (["incident", "affected", NOBODY], "exactly one"),
        (["incident", "affected", NOBODY, "--query", "x", "--file", "f"], "exactly one"),
        (["incident", "affected", NOBODY, "--query", "holding=email", "--status", "active"], "--all-holding"),
        (["incident", "affected", NOBODY, "--query", "holding=email colour=red"], "query"),
        (["incident", "affected", NOBODY, "--file", "/no/such/file"], "file"),
        (["incident", "report", NOBODY, "--to", "police"], "to"),
        (["incident", "show", NOBODY], "no such incident"),
    ],
)
def test_bad_input_at_the_terminal_exits_2_with_a_message_never_a_traceback(
    terminal: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


# -- delivered end to end ----------------------------------------------------------------------------


def test_the_queued_breach_notices_are_delivered_by_e_mail_and_text_message(
    engine: Engine, clock: FixedClock
) -> None:
    with smtp_server() as (mail_url, inbox), webhook_receiver() as (hook_url, posts):
        service = build_jikimi(
            policy=incident_policy(),
            engine=engine,
            keys=KeyRing(MasterKey.generate()),
            clock=clock,
            passwords=fast_passwords(),
            channels=Channels(email=Email(mail_url), sender=Webhook(hook_url, "sender-key")),
        )
        signup = {k: v for k, v in member_row(7).items() if k != "consent:marketing"} | {
            "password": "secret-pass-1"
        }
        member = service.vault.collect("signup", signup).subject_id
        app_user = service.vault.collect("app_signup", APP_MEMBER).subject_id  # a mobile number only
        incident = service.incidents.open(
            kind="leak", aware_at=START, items=["email", "mobile"], cause="outside_access", actor="system"
        )
        service.incidents.affected(incident.id, subject_ids=[member, app_user], actor="system")
        service.incidents.notify(incident.id, measures=["access_blocked"], actor="system")
        report = service.delivery.drain()
        assert (report.delivered, report.dead) == (2, 0)

        (mail,) = inbox.to(member_row(7)["email"])
        subject = str(mail["Subject"]).strip()
        assert subject == "[지킴이몰 온라인 쇼핑몰] 개인정보 유출 안내 (Notice of a personal data breach)"
        body = mail.get_content()
        assert "유출 경로(접속 경로)를 차단했습니다" in body and incident.id in body
        assert member_row(7)["name"] not in body  # a notice says what it must, no more
        (sms,) = posts.bodies()
        assert (sms["channel"], sms["kind"], sms["to"]) == ("sms", "breach_notice", APP_MEMBER["mobile"])
        assert "5. 피해 신고·상담 부서와 연락처" in sms["body"]
        clock.advance(timedelta(hours=1))
        assert service.incidents.get(incident.id, actor="system").notice_hours_left is None
