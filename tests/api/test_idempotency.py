"""A state-changing call retried with the same ``Idempotency-Key`` is answered, not done again: one
subject per sign-up, the first answer given back for 24 hours, a key used for another call refused,
nothing kept of a failed call, no key or body readable in the table (on SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jikimi.api.app import create_app
from jikimi.api.idempotency import IdempotencyMiddleware
from jikimi.bootstrap import Jikimi, open_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.errors import KeyRingError
from jikimi.idempotency import LEASE, Answer, Claimed, Idempotency, Kept, Running
from jikimi.settings import Settings
from jikimi.store.integration_tables import idempotency_keys
from jikimi.store.tables import access_log, subjects

from ..conftest import EXAMPLES, MEMBER  # noqa: TID252
from ..databases import fresh_postgres  # noqa: TID252
from .conftest import MAX_BODY, bearer, error_of, handler_token, logged_in

POLICY = EXAMPLES / "reference.yaml"
SIGNUP = {"context": "signup", "data": MEMBER, "consents": {"marketing": True}, "channel": "web"}
KEY = "signup-7f3c2a"
OTHER = {"login_id": "kim", "email": "kim@example.com", "mobile": "010-9999-8888", "ci": "CI" + "B" * 86}


def _middleware(app: FastAPI) -> dict[str, Any]:
    """The keyword arguments ``create_app`` gave the idempotency middleware (before the app starts)."""
    (found,) = [m for m in app.user_middleware if getattr(m, "cls", None) is IdempotencyMiddleware]
    kwargs: dict[str, Any] = found.kwargs
    return kwargs


@pytest.fixture
def app(jikimi: Jikimi) -> FastAPI:
    app = create_app(jikimi, max_body_bytes=MAX_BODY)
    _middleware(app)["wait"] = 0.3  # a repeat waits this long for a first call still running
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def keeper(app: FastAPI) -> Idempotency:
    keeper: Idempotency = _middleware(app)["keeper"]
    return keeper


def _collect(client: TestClient, headers: dict[str, str], key: str | None = KEY, body: Any = None) -> Any:
    sent = {**headers, **({"Idempotency-Key": key} if key is not None else {})}
    return client.post("/v1/subjects", headers=sent, json=SIGNUP if body is None else body)


def _count(jikimi: Jikimi, table: Any) -> int:
    with jikimi.core.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _log(jikimi: Jikimi, action: str) -> list[tuple[Any, ...]]:
    with jikimi.core.engine.connect() as conn:
        query = select(
            access_log.c.actor, access_log.c.subject_id, access_log.c.outcome, access_log.c.reason
        ).where(access_log.c.action == action)
        return [tuple(r) for r in conn.execute(query.order_by(access_log.c.seq))]


def test_a_sign_up_retried_with_the_same_key_creates_one_subject_and_gets_the_same_answer(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:
    first = _collect(client, admin)
    again = _collect(client, admin)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json() and again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert again.headers["content-type"] == first.headers["content-type"]
    assert _count(jikimi, subjects) == 1
    assert [row[:3] for row in _log(jikimi, "collect")] == [
        ("admin-park", first.json()["subject_id"], "allowed")
    ]
    assert _log(jikimi, "idempotency.replay") == [
        ("admin-park", None, "allowed", "operation=collectSubject status=201")
    ]


def test_the_same_object_encoded_differently_is_the_same_call(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:

    first = _collect(client, admin)
    spaced = json.dumps(dict(reversed(list(SIGNUP.items()))), indent=2, ensure_ascii=False)
    again = client.post(
        "/v1/subjects",
        headers={**admin, "Idempotency-Key": KEY, "content-type": "application/json"},
        content=spaced.encode(),
    )
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true" and _count(jikimi, subjects) == 1


def test_a_different_body_with_the_same_key_is_422_and_changes_nothing(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:
    first = _collect(client, admin)
    other = {**SIGNUP, "data": {**MEMBER, "login_id": "hong2", "email": "hong2@example.com"}}
    reused = _collect(client, admin, body=other)
    assert reused.status_code == 422, reused.text
    error = error_of(reused)
    assert (error["code"], error["field"]) == ("idempotency.key_reused", "Idempotency-Key")
    assert _count(jikimi, subjects) == 1
    assert _collect(client, admin).json() == first.json()  # the kept answer is still the first one


def test_the_same_key_on_another_operation_or_subject_is_422(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:
    one = _collect(client, admin, key="first").json()["subject_id"]
    two = _collect(client, admin, key="second", body={**SIGNUP, "data": {**MEMBER, **OTHER}}).json()[
        "subject_id"
    ]
    key = {**admin, "Idempotency-Key": "withdraw-once"}
    withdrawn = client.post(f"/v1/subjects/{one}/consents/marketing/withdraw", headers=key, json={})
    assert withdrawn.status_code == 200, withdrawn.text
    on_another_subject = client.post(f"/v1/subjects/{two}/consents/marketing/withdraw", headers=key, json={})
    on_another_operation = client.post(f"/v1/subjects/{one}/consents/marketing", headers=key, json={})
    for refused in (on_another_subject, on_another_operation):
        assert refused.status_code == 422, refused.text
        assert error_of(refused)["code"] == "idempotency.key_reused"
    history = jikimi.vault.consents_of(two)
    assert all(c["withdrawn_at"] is None for c in history)  # the second subject's consent is untouched
    assert len(jikimi.vault.consents_of(one)) == len(history)  # and no new consent for the first


def test_a_key_belongs_to_its_handler(client: TestClient, jikimi: Jikimi, admin: dict[str, str]) -> None:
    other = bearer(handler_token(jikimi, "admin-choi", "admin2", ["*"], ["*"]))
    mine = _collect(client, admin)
    theirs = _collect(client, other, body={**SIGNUP, "data": {**MEMBER, **OTHER}})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["subject_id"] != theirs.json()["subject_id"]
    assert "Idempotent-Replayed" not in theirs.headers


def test_after_24_hours_the_key_is_new_again_and_the_old_answer_is_gone(
    client: TestClient, jikimi: Jikimi, clock: FixedClock, admin: dict[str, str]
) -> None:
    first = _collect(client, admin)
    clock.advance(timedelta(hours=23, minutes=59))
    admin = logged_in(client, "admin-park")  # a new token, the same handler: the same key
    assert _collect(client, admin).headers.get("Idempotent-Replayed") == "true"
    clock.advance(timedelta(minutes=1))
    fresh = _collect(client, admin)  # run again: the same member is now a duplicate
    assert fresh.status_code == 409 and "Idempotent-Replayed" not in fresh.headers
    assert error_of(fresh)["code"] == "vault.duplicate"
    assert _collect(client, admin).status_code == 409  # and that is the answer kept now
    assert first.status_code == 201 and _count(jikimi, idempotency_keys) == 1


def test_rows_past_their_24_hours_are_purged_by_the_next_claims(
    client: TestClient, jikimi: Jikimi, clock: FixedClock, admin: dict[str, str]
) -> None:
    for n in range(3):
        client.post("/v1/subjects", headers={**admin, "Idempotency-Key": f"k{n}"}, json={"context": "nope"})
    assert _count(jikimi, idempotency_keys) == 3
    clock.advance(timedelta(hours=24, minutes=10))
    admin = logged_in(client, "admin-park")
    client.post("/v1/subjects", headers={**admin, "Idempotency-Key": "later"}, json={"context": "nope"})
    assert _count(jikimi, idempotency_keys) == 1  # the three old ones went when the new key came


def test_a_4xx_first_answer_is_replayed_too(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:
    missing_email = {**SIGNUP, "data": {k: v for k, v in MEMBER.items() if k != "email"}}
    first = _collect(client, admin, body=missing_email)
    again = _collect(client, admin, body=missing_email)
    assert first.status_code == again.status_code == 422
    assert error_of(first)["code"] == "vault.invalid" and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(jikimi, subjects) == 0


@pytest.mark.parametrize(
    "failure", [RuntimeError("boom"), KeyRingError("키", "key")], ids=["exception", "5xx"]
)
def test_a_5xx_or_an_exception_is_not_kept_and_the_retry_runs_afresh(
    client: TestClient,
    jikimi: Jikimi,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
) -> None:
    collect = jikimi.vault.collect

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise failure

    monkeypatch.setattr(jikimi.vault, "collect", failing)
    failed = _collect(client, admin)
    assert failed.status_code == 500 and error_of(failed)["code"] == "internal"
    assert _count(jikimi, idempotency_keys) == 0
    monkeypatch.setattr(jikimi.vault, "collect", collect)
    retried = _collect(client, admin)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert _count(jikimi, subjects) == 1


def test_a_repeat_while_the_first_runs_waits_then_gets_409_with_retry_after(
    client: TestClient, jikimi: Jikimi, keeper: Idempotency, admin: dict[str, str]
) -> None:
    handler = jikimi.handlers.authenticate(admin["Authorization"].split()[1])

    call = keeper.call(handler, KEY, "collectSubject", {}, json.dumps(SIGNUP).encode())
    assert isinstance(keeper.begin(call), Claimed)  # a first call, still running elsewhere
    busy = _collect(client, admin)
    assert busy.status_code == 409, busy.text
    assert error_of(busy)["code"] == "idempotency.in_progress"
    assert 1 <= int(busy.headers["Retry-After"]) <= LEASE.total_seconds() + 1
    assert _count(jikimi, subjects) == 0


def test_a_repeat_while_the_first_runs_waits_for_its_answer(
    client: TestClient, jikimi: Jikimi, keeper: Idempotency, admin: dict[str, str]
) -> None:
    handler = jikimi.handlers.authenticate(admin["Authorization"].split()[1])
    call = keeper.call(handler, KEY, "collectSubject", {}, json.dumps(SIGNUP).encode())
    begun = keeper.begin(call)
    assert isinstance(begun, Claimed)
    first = Answer(201, "application/json", b'{"subject_id":"from-the-first-call"}')
    finishing = threading.Timer(0.1, keeper.finish, args=(call, begun.held, first))
    finishing.start()  # the first call ends while the repeat waits
    try:
        repeat = _collect(client, admin)
    finally:
        finishing.join()
    assert repeat.status_code == 201 and repeat.json() == {"subject_id": "from-the-first-call"}
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert _count(jikimi, subjects) == 0  # the repeat did nothing itself


def test_a_crashed_claim_is_taken_over_once_its_lease_passed(
    client: TestClient, jikimi: Jikimi, clock: FixedClock, keeper: Idempotency, admin: dict[str, str]
) -> None:

    handler = jikimi.handlers.authenticate(admin["Authorization"].split()[1])
    crashed = keeper.call(handler, KEY, "collectSubject", {}, json.dumps(SIGNUP).encode())
    begun = keeper.begin(crashed)
    assert isinstance(begun, Claimed)
    clock.advance(LEASE + timedelta(seconds=1))  # its process died: nobody extends the claim
    taken = _collect(client, admin)
    assert taken.status_code == 201 and "Idempotent-Replayed" not in taken.headers
    assert not keeper.finish(crashed, begun.held, Answer(201, "application/json", b"{}"))  # too late
    assert _collect(client, admin).json() == taken.json()
    assert _count(jikimi, subjects) == 1


def test_the_holder_extends_its_claim_and_a_lost_claim_keeps_nothing(
    jikimi: Jikimi, clock: FixedClock, keeper: Idempotency, admin: dict[str, str]
) -> None:
    handler = jikimi.handlers.authenticate(admin["Authorization"].split()[1])
    call = keeper.call(handler, "k", "addRecord", {"subject_id": "sub_x"}, b"{}")
    begun = keeper.begin(call)
    assert isinstance(begun, Claimed)
    clock.advance(LEASE / 2)
    held = keeper.extend(call, begun.held)
    assert held is not None and held > begun.held
    clock.advance(LEASE / 2 + timedelta(seconds=1))  # past the first lease, not the extended one
    assert isinstance(keeper.begin(call), Running)
    assert keeper.extend(call, begun.held) is None  # the old fence holds nothing
    assert keeper.finish(call, held, Answer(201, "application/json", b'{"ok":true}'))
    kept = keeper.begin(call)
    assert isinstance(kept, Kept) and kept.answer == Answer(201, "application/json", b'{"ok":true}')


def test_the_header_is_ignored_on_a_read(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str], cs: dict[str, str]
) -> None:
    sid = _collect(client, admin, key=None).json()["subject_id"]
    read = {"items": ["email"], "purpose": "membership"}
    headers = {**cs, "Idempotency-Key": "read-once"}
    answers = [client.post(f"/v1/subjects/{sid}/read", headers=headers, json=read) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert all("Idempotent-Replayed" not in a.headers for a in answers)
    assert [row[:3] for row in _log(jikimi, "read")] == [("cs-kim", sid, "allowed")] * 2
    assert _count(jikimi, idempotency_keys) == 0  # a read's answer (personal values) is never kept


@pytest.mark.parametrize(
    "values",
    [[b""], [b"x" * 256], ["키".encode()], [b"tab\there"], [b"one", b"two"]],
    ids=["empty", "too-long", "not-ascii", "control", "twice"],
)
def test_a_bad_header_is_422_with_the_field(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str], values: list[bytes]
) -> None:
    headers = [(b"authorization", admin["Authorization"].encode())] + [
        (b"idempotency-key", v) for v in values
    ]
    refused = client.post("/v1/subjects", headers=headers, json=SIGNUP)
    assert refused.status_code == 422, refused.text
    error = error_of(refused)
    assert (error["code"], error["field"]) == ("idempotency.invalid_key", "Idempotency-Key")
    assert _count(jikimi, subjects) == 0
    assert all(v.decode("latin-1") not in refused.text for v in values if len(v) > 3)


def test_the_longest_key_is_255_printable_characters(client: TestClient, admin: dict[str, str]) -> None:
    key = "~ " + "k" * 253
    assert _collect(client, admin, key=key).status_code == 201
    assert _collect(client, admin, key=key).headers["Idempotent-Replayed"] == "true"


def test_nothing_in_the_table_reveals_the_key_or_the_body(
    client: TestClient, jikimi: Jikimi, admin: dict[str, str]
) -> None:
    key = MEMBER["email"]  # clients sometimes make keys of e-mail addresses
    answer = _collect(client, admin, key=key).json()
    with jikimi.core.engine.connect() as conn:
        (row,) = conn.execute(select(idempotency_keys)).mappings().all()
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row.values())
    secrets = [key, hashlib.sha256(key.encode()).hexdigest(), answer["subject_id"], *MEMBER.values()]
    for secret in secrets:
        assert secret.encode() not in stored, secret
    assert row["operation"] == "collectSubject" and row["response_status"] == 201


def test_unauthenticated_calls_are_not_stored(client: TestClient, jikimi: Jikimi) -> None:
    none = _collect(client, {})
    wrong = _collect(client, bearer("jk_not-a-token"))
    assert none.status_code == wrong.status_code == 401
    assert _count(jikimi, idempotency_keys) == 0 and _count(jikimi, subjects) == 0
    assert [row[2] for row in _log(jikimi, "auth.token")] == ["denied:invalid_token"]  # logged once


# -- acceptance: two real servers on one PostgreSQL database -------------------------------------------

REPEATS = 50


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _servers(db_url: str, key_file: Path, tmp_path: Path, count: int) -> Iterator[list[str]]:
    """``count`` real ``jikimi serve`` processes over one database, each on a port of its own."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("JIKIMI_")}
    env |= {"JIKIMI_DB_URL": db_url, "JIKIMI_KEY_FILE": str(key_file)}
    command = [sys.executable, "-c", "from jikimi.cli import main; main()", "serve", "--policy", str(POLICY)]
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for n in range(count):
            port, log = _free_port(), tmp_path / f"serve-{n}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [*command, "--port", str(port)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=tmp_path,
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in started:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text(errors="replace")
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.2)
        yield [url for _, url, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.slow
def test_fifty_concurrent_repeats_across_two_servers_on_postgresql_create_one_subject(tmp_path: Path) -> None:
    """Acceptance (issue 17): 50 concurrent repeats of one collect with the same key, split across two
    server processes on one PostgreSQL database, create exactly one subject and all get the same answer."""
    key_file = tmp_path / "master.key"
    KeyRing(MasterKey.generate()).write(key_file)
    with fresh_postgres() as db_url:
        setup = open_jikimi(Settings(db_url=db_url, key_file=key_file), policy_path=POLICY)
        try:
            setup.handlers.define_role("backend", purposes=["membership"], actions=["collect"])
            _, token = setup.handlers.create("shop-backend", "backend-password-1", role="backend")
        finally:
            setup.close()
        headers = {**bearer(token), "Idempotency-Key": "signup-4f1d9c0e"}
        with _servers(db_url, key_file, tmp_path, 2) as urls:
            start = threading.Barrier(REPEATS)

            def repeat(n: int) -> tuple[int, Any, bool]:
                with httpx.Client(base_url=urls[n % len(urls)], timeout=60) as http:
                    start.wait()
                    answer = http.post("/v1/subjects", headers=headers, json=SIGNUP)
                return answer.status_code, answer.json(), answer.headers.get("Idempotent-Replayed") == "true"

            began = time.monotonic()
            with ThreadPoolExecutor(max_workers=REPEATS) as pool:
                answers = list(pool.map(repeat, range(REPEATS)))
            took = time.monotonic() - began
        check = open_jikimi(Settings(db_url=db_url, key_file=key_file), policy_path=POLICY)
        try:
            with check.core.reading() as conn:
                subject_rows = int(conn.execute(select(func.count()).select_from(subjects)).scalar_one())
                kept_rows = int(conn.execute(select(func.count()).select_from(idempotency_keys)).scalar_one())
                replays = int(
                    conn.execute(
                        select(func.count())
                        .select_from(access_log)
                        .where(access_log.c.action == "idempotency.replay")
                    ).scalar_one()
                )
        finally:
            check.close()
    statuses = Counter(status for status, _, _ in answers)
    bodies = {json.dumps(body, sort_keys=True) for _, body, _ in answers}
    replayed = sum(1 for _, _, was in answers if was)
    print(
        f"{REPEATS} repeats over {len(urls)} servers in {took:.2f} s: statuses {dict(statuses)}, "
        f"{len(bodies)} distinct answer(s), {replayed} replayed, subjects {subject_rows}, "
        f"kept answers {kept_rows}, replay log rows {replays}"
    )
    assert subject_rows == 1
    assert statuses == {201: REPEATS} and len(bodies) == 1
    assert replayed == replays == REPEATS - 1 and kept_rows == 1
