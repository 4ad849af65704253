"""No personal value appears in the server's logs, or in error responses, during a full API session.

The session runs over real HTTP against uvicorn, with every logger at DEBUG (so SQLAlchemy logs
every statement with its parameters, and uvicorn every request line), through successes and
error paths: validation errors, a malformed phone number, an unknown item, a duplicate sign-up,
denials, an oversized body, malformed JSON.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi

from .conftest import MAX_BODY

NAME = "테스트홍길동"
MOBILE = "010-9876-5432"
EMAIL = "unique-leak-check@example.com"
LOGIN = "leakcheck77"
CI = "CILEAKCHECK" + "Q" * 77
ADDRESS = "서울특별시 유출검사구 누설로 987"
PERSON = {
    "name": NAME,
    "birthdate": "1987-06-05",
    "login_id": LOGIN,
    "password": "leak-pass-word-1",
    "mobile": MOBILE,
    "email": EMAIL,
    "ci": CI,
}
SECRETS = [
    NAME,
    MOBILE,
    EMAIL,
    "unique-leak-check",
    LOGIN,
    CI,
    ADDRESS,
    "leak-pass-word-1",
    "유출검사구",
    "010-9876-54321",
    "9876-5432",
]
DIGIT_RUNS = ["98765432", "01098765432", "987654"]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[_Collect]:
    handler = _Collect()
    root = logging.getLogger()
    names = [
        "",
        "uvicorn",
        "uvicorn.error",
        "uvicorn.access",
        "fastapi",
        "starlette",
        "httpx",
        "httpcore",
        "sqlalchemy",
        "sqlalchemy.engine",
        "sqlalchemy.pool",
        "alembic",
        "jikimi",
        "jikimi.api",
    ]
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    loose = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loose:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger in loose:
            logger.removeHandler(handler)
        for name, (level, propagate) in saved.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).propagate = propagate


@pytest.fixture
def server(jikimi: Jikimi, captured: _Collect) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(jikimi, max_body_bytes=MAX_BODY),
        host="127.0.0.1",
        port=port,
        log_config=None,
        log_level="debug",
        access_log=True,
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=20)


def _token(jikimi: Jikimi, login: str, role: str, purposes: list[str], actions: list[str]) -> dict[str, str]:
    jikimi.handlers.define_role(role, purposes=purposes, actions=actions)
    _, token = jikimi.handlers.create(login, "correct horse battery", role=role)
    return {"Authorization": f"Bearer {token}"}


def test_no_personal_value_reaches_the_logs_or_error_responses(
    jikimi: Jikimi, server: str, captured: _Collect
) -> None:
    admin = _token(jikimi, "admin-park", "admin", ["*"], ["*"])
    cs = _token(jikimi, "cs-kim", "cs", ["membership", "support"], ["read"])
    errors: list[httpx.Response] = []
    with httpx.Client(base_url=server, timeout=30) as http:

        def post(
            path: str, body: object, headers: dict[str, str] = admin, status: int = 200
        ) -> httpx.Response:
            response = http.post(path, json=body, headers=headers)
            assert response.status_code == status, (path, response.text)
            if status >= 400:
                errors.append(response)
            return response

        signup = {"context": "signup", "data": PERSON, "consents": {"marketing": True}, "channel": "web"}
        sid = post("/v1/subjects", signup, status=201).json()["subject_id"]
        assert (
            post(
                f"/v1/subjects/{sid}/read",
                {"items": ["name", "mobile", "email"], "purpose": "membership"},
                cs,
            ).json()["values"]["mobile"]
            == MOBILE
        )
        post(
            f"/v1/subjects/{sid}/items",
            {
                "context": "order",
                "data": {"recipient_name": NAME, "recipient_phone": MOBILE, "delivery_address": ADDRESS},
            },
            status=201,
        )
        post(
            f"/v1/subjects/{sid}/records",
            {"type": "complaint", "data": {"name": NAME, "email": EMAIL}},
            status=201,
        )
        post(f"/v1/subjects/{sid}/records/read", {"type": "complaint", "purpose": "support"}, cs)
        post(
            "/v1/read",
            {"subject_ids": [sid], "items": ["email"], "purpose": "marketing", "reason": "newsletter"},
        )
        post(f"/v1/subjects/{sid}/consents/marketing/withdraw", {})
        # error paths, each carrying the values
        post("/v1/subjects", signup, status=409)  # duplicate
        post(
            "/v1/subjects", signup | {"data": PERSON | {"mobile": "010-9876-54321"}}, status=422
        )  # bad phone
        post("/v1/subjects", signup | {"data": PERSON | {"name": [NAME]}}, status=422)  # wrong type
        post("/v1/subjects", signup | {"data": PERSON | {"nickname": NAME}}, status=422)  # unknown item
        post("/v1/subjects", signup | {"consents": {"marketing": EMAIL}}, status=422)  # consent not a boolean
        post("/v1/subjects", signup | {"context": NAME}, status=422)  # unknown context
        post(f"/v1/subjects/{sid}/read", {"items": ["email"], "purpose": "marketing"}, cs, status=403)
        post(f"/v1/subjects/{sid}/read", {"items": ["email"], "purpose": "marketing"}, status=403)
        post(f"/v1/subjects/{sid}/read", {"items": [EMAIL], "purpose": "membership"}, cs, status=422)
        post(f"/v1/subjects/{sid}/read", {"items": ["email"], "purpose": NAME}, cs, status=422)
        post(f"/v1/subjects/{sid}/read", {"items": ["email"], "purpose": "profiling"}, cs, status=403)

        post("/v1/subjects", signup | {"data": PERSON | {"address": ADDRESS * 1000}}, status=413)
        post("/v1/subjects", signup, headers={"Authorization": f"Bearer {LOGIN}-{MOBILE}"}, status=401)
        broken = http.post(
            "/v1/subjects",
            content=f'{{"data": {{"name": "{NAME}", "mobile": "{MOBILE}"'.encode(),
            headers=admin | {"content-type": "application/json"},
        )
        assert broken.status_code == 422
        errors.append(broken)

    logs = "\n".join(captured.lines)
    assert "POST /v1/subjects" in logs and "sqlalchemy" in logs  # the capture did see the server and the SQL
    for value in SECRETS + DIGIT_RUNS:
        assert value not in logs, f"{value!r} appeared in the logs"
        for response in errors:
            assert value not in response.text, (value, response.status_code, response.text)
    assert not re.search(r"9876\D{0,3}5432", logs)
