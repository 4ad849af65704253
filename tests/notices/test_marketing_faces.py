"""The send gate's two faces: ``POST /v1/marketing/check`` and the consent routes on the real ASGI
app, and ``jikimi marketing …`` at the terminal over the same database and key. Bad input is a 4xx
in the one error envelope, or exit code 2, naming the field and the reason — never a 500."""

from __future__ import annotations

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
from jikimi.periods import KST

from .marketing_setup import AFTERNOON, CHILD, NIGHT, OTHER, POLICY, build, join, log_rows

PASSWORD = "correct horse battery"


def bearer(jikimi: Jikimi, login: str, role: str, actions: list[str]) -> dict[str, str]:
    jikimi.handlers.define_role(role, purposes=["marketing"], actions=actions)
    _, token = jikimi.handlers.create(login, PASSWORD, role=role)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(mecross: Jikimi) -> Iterator[TestClient]:
    with TestClient(create_app(mecross, max_body_bytes=20_000)) as client:
        yield client


@pytest.fixture
def sender(mecross: Jikimi) -> dict[str, str]:
    return bearer(mecross, "ad-kang", "ad_sender", ["marketing"])


@pytest.fixture
def desk(mecross: Jikimi) -> dict[str, str]:
    """A help-desk agent: records consent changes the subject asks for, reads consent metadata."""
    return bearer(mecross, "cs-kim", "cs", ["consent", "metadata"])


def test_the_api_answers_each_subject_with_its_reason_and_each_message_once(
    client: TestClient, mecross: Jikimi, subscriber: str, sender: dict[str, str]
) -> None:
    other = join(mecross, {"marketing": False}, OTHER)
    body = {
        "subject_ids": [subscriber, other, "NoSuchSubject000000000"],
        "channel": "sms",
        "send_at": NIGHT.isoformat(),
    }
    answer = client.post("/v1/marketing/check", json=body, headers=sender)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert (out["purpose"], out["channel"], out["night"]) == ("marketing", "sms", True)
    assert out["send_at"] == "2026-12-03T13:00:00Z"  # 22:00 KST, in UTC
    assert [(r["subject_id"], r["allowed"], r["reason"]) for r in out["results"]] == [
        (subscriber, False, "night_without_consent"),
        (other, False, "no_consent"),
        ("NoSuchSubject000000000", False, "unknown_subject"),
    ]
    assert out["counts"] == {"night_without_consent": 1, "no_consent": 1, "unknown_subject": 1}
    assert set(out["messages"]) == set(out["counts"])
    assert "21:00" in out["messages"]["night_without_consent"]["message_en"]
    assert "오후 9시" in out["messages"]["night_without_consent"]["message_ko"]
    (row,) = log_rows(mecross.core.engine, "marketing.check")
    assert (row["actor"], row["count"], row["source"]) == ("ad-kang", 3, "testclient")


@pytest.mark.parametrize(
    ("body", "status", "field", "reason"),
    [
        ({"channel": "pigeon"}, 422, "channel", None),
        ({"channel": "phone"}, 422, "channel", None),
        ({"send_at": "2026-12-03T22:00:00"}, 422, "send_at", "value_error"),
        ({"send_at": "tomorrow"}, 422, "send_at", "datetime_from_date_parsing"),
        ({"subject_ids": []}, 422, "subject_ids", "too_short"),
        ({"subject_ids": ["not/an/id"]}, 422, "subject_ids.0", "string_pattern_mismatch"),
        ({"purpose": "membership"}, 422, "purpose", None),
        ({"extra": 1}, 422, "extra", "extra_forbidden"),
    ],
)
def test_a_bad_check_is_a_4xx_naming_the_field_and_the_reason(
    client: TestClient,
    subscriber: str,
    sender: dict[str, str],
    body: dict[str, object],
    status: int,
    field: str,
    reason: str | None,
) -> None:
    request = {"subject_ids": [subscriber], "channel": "sms", "send_at": AFTERNOON.isoformat(), **body}
    answer = client.post("/v1/marketing/check", json=request, headers=sender)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert set(error) == {"code", "message_ko", "message_en", "field", "reason"}
    assert error["field"] == field and error["reason"] == reason


def test_only_a_handler_with_the_marketing_action_may_check(
    client: TestClient, mecross: Jikimi, subscriber: str, desk: dict[str, str]
) -> None:
    body = {"subject_ids": [subscriber], "channel": "sms", "send_at": AFTERNOON.isoformat()}
    assert client.post("/v1/marketing/check", json=body).status_code == 401
    denied = client.post("/v1/marketing/check", json=body, headers=desk)
    assert denied.status_code == 403 and denied.json()["error"]["reason"] == "action_not_allowed"
    (row,) = log_rows(mecross.core.engine, "marketing.check")
    assert (row["actor"], row["outcome"]) == ("cs-kim", "denied:action_not_allowed")


def test_a_check_of_100000_subjects_is_one_request_and_one_more_is_refused(
    client: TestClient, subscriber: str, sender: dict[str, str]
) -> None:
    ids = [subscriber] + [f"Absent{n:016d}" for n in range(99_999)]
    body = {"subject_ids": ids, "channel": "email", "send_at": AFTERNOON.isoformat()}
    answer = client.post("/v1/marketing/check", json=body, headers=sender)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["counts"] == {"allowed": 1, "unknown_subject": 99_999}
    too_many = client.post(
        "/v1/marketing/check", json={**body, "subject_ids": [*ids, "Absent9999999999999999"]}, headers=sender
    )
    assert too_many.status_code == 422 and too_many.json()["error"]["reason"] == "too_long"


def test_consents_to_receive_are_given_withdrawn_and_reconfirmed_over_http(
    client: TestClient, mecross: Jikimi, subscriber: str, desk: dict[str, str], sender: dict[str, str]
) -> None:
    base = f"/v1/subjects/{subscriber}/ad-consents"
    given = client.post(f"{base}/push", json={"channel": "app"}, headers=desk)
    assert given.status_code == 200 and given.json() == {
        "subject_id": subscriber,
        "channel": "push",
        "granted": True,
    }
    assert client.post(f"{base}/night", headers=desk).status_code == 200
    withdrawn = client.post(f"{base}/sms/withdraw", json={"channel": "phone"}, headers=desk)
    assert withdrawn.json()["granted"] is False
    kept = client.post(f"{base}/email/reconfirm", headers=desk)
    assert kept.status_code == 200 and kept.json()["reconfirmed"] == ["email"]
    listed = client.get(base, headers=desk).json()
    assert [(c["channel"], c["answered_via"]) for c in listed["consents"]] == [
        ("email", "web"),
        ("push", "app"),
        ("night", "web"),
    ]
    body = {"subject_ids": [subscriber], "channel": "sms", "send_at": AFTERNOON.isoformat()}
    result = client.post("/v1/marketing/check", json=body, headers=sender).json()["results"][0]
    assert result["reason"] == "no_channel_consent"  # honoured at once


def test_a_bad_consent_change_is_a_4xx_never_a_500(
    client: TestClient, mecross: Jikimi, subscriber: str, desk: dict[str, str], sender: dict[str, str]
) -> None:
    base = f"/v1/subjects/{subscriber}/ad-consents"
    fax = client.post(f"{base}/fax", headers=desk)
    assert fax.status_code == 422 and fax.json()["error"]["field"] == "channel"
    assert client.post(f"{base}/push/reconfirm", headers=desk).status_code == 409  # none live
    assert client.post("/v1/subjects/NoSuchSubject000000000/ad-consents/sms", headers=desk).status_code == 404
    assert client.post(f"{base}/SMS", headers=desk).status_code == 422  # the path pattern
    assert client.post(f"{base}/sms", headers=sender).status_code == 403  # no consent action
    assert client.get(base, headers=sender).status_code == 403  # no metadata action
    assert CHILD is not None
    child = mecross.vault.collect("signup", CHILD, {}).subject_id
    refused = client.post(f"/v1/subjects/{child}/ad-consents/sms", headers=desk)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "vault.state"


def test_a_sign_up_over_http_takes_consents_to_receive(
    client: TestClient, mecross: Jikimi, sender: dict[str, str]
) -> None:
    admin = bearer(mecross, "admin-park", "admin", ["*"])
    signup = {"context": "signup", "data": dict(OTHER), "consents": {"marketing": True, "ad:email": True}}
    made = client.post("/v1/subjects", json=signup, headers=admin)
    assert made.status_code == 201 and made.json()["consents_given"] == ["marketing", "ad:email"]
    bad = client.post("/v1/subjects", json={**signup, "consents": {"ad:fax": True}}, headers=admin)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "consents.ad:fax"


# -- the terminal -------------------------------------------------------------------------------------


@pytest.fixture
def terminal(
    monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine, clock: FixedClock
) -> Iterator[tuple[Jikimi, str]]:
    """jikimi for the terminal's database and key, and a subscriber who consented just now (the
    CLI's clock is the system's)."""
    ring = KeyRing(MasterKey.generate())
    monkeypatch.setenv("JIKIMI_DB_URL", db_url)
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    monkeypatch.setenv("JIKIMI_POLICY", str(POLICY))
    clock.set(datetime.now(UTC))
    jikimi = build(engine, clock, ring)
    yield jikimi, join(jikimi, {"marketing": True, "ad:sms": True, "ad:email": True})


def tomorrow(hour: int) -> str:
    day = (datetime.now(KST) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=KST).isoformat()


def test_the_cli_checks_subjects_given_as_arguments_or_in_a_file(
    terminal: tuple[Jikimi, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    jikimi, sid = terminal
    assert run(["marketing", "check", sid, "--channel", "sms", "--at", tomorrow(15)]) == 0
    out = capsys.readouterr()
    assert out.out.split("\t")[:3] == [sid, "allowed", "allowed"] and "allowed 1" in out.err
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{sid}\nNoSuchSubject000000000\n\n", encoding="utf-8")
    assert run(["marketing", "check", "--file", str(ids), "--channel", "sms", "--at", tomorrow(22)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        [sid, "denied", "night_without_consent"],
        ["NoSuchSubject000000000", "denied", "unknown_subject"],
    ]
    assert "별도 동의" in lines[0] and "21:00" in lines[0]
    assert (
        run(["marketing", "check", sid, "--channel", "email", "--at", tomorrow(9), "--format", "json"]) == 0
    )
    assert '"reason": "allowed"' in capsys.readouterr().out
    assert [r["source"] for r in log_rows(jikimi.core.engine, "marketing.check")] == ["cli"] * 3


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--channel", "sms", "--at", "2026-12-03T22:00"], "send_at"),  # no offset
        (["--channel", "sms", "--at", "tomorrow night"], "--at"),
        (["--channel", "pigeon", "--at", "2026-12-03T22:00+09:00"], "channel"),
        (["--at", "2026-12-03T22:00+09:00"], "--channel"),  # missing
    ],
)
def test_bad_input_at_the_terminal_exits_2_naming_the_field(
    terminal: tuple[Jikimi, str], capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    _, sid = terminal
    assert run(["marketing", "check", sid, *args]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_no_subject_at_the_terminal_exits_2(
    terminal: tuple[Jikimi, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["marketing", "check", "--channel", "sms", "--at", tomorrow(15)]) == 2
    assert "--file" in capsys.readouterr().err


def test_the_cli_gives_withdraws_and_reconfirms_consents_to_receive(
    terminal: tuple[Jikimi, str], capsys: pytest.CaptureFixture[str]
) -> None:
    jikimi, sid = terminal
    assert run(["marketing", "give", sid, "night", "--via", "phone"]) == 0
    assert run(["marketing", "withdraw", sid, "sms"]) == 0
    assert run(["marketing", "reconfirm", sid]) == 0
    assert "email, night" in capsys.readouterr().out
    assert run(["marketing", "consents", sid, "--format", "json"]) == 0
    assert '"channel": "night"' in capsys.readouterr().out
    assert run(["marketing", "check", sid, "--channel", "sms", "--at", tomorrow(15)]) == 0
    assert "no_channel_consent" in capsys.readouterr().out
    assert run(["marketing", "reconfirm", sid, "push"]) == 2
    assert "vault.state" in capsys.readouterr().err
    assert run(["marketing", "reconfirmations"]) == 0
    assert "0 reconfirmation notices queued" in capsys.readouterr().out
