"""``jikimi serve --workers N`` as production runs it: several processes on one port answer every
request, the parent lints and prints once, and a stop lets the requests being answered finish."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ..conftest import EXAMPLES  # noqa: TID252
from .test_metrics import sample

pytestmark = pytest.mark.slow

JIKIMI = str(Path(sys.executable).with_name("jikimi"))
POLICY = str(EXAMPLES / "reference.yaml")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIKIMI_")}
    return env | {"JIKIMI_ANCHOR_FILE": str(tmp_path / "anchors.jsonl")}


def _demo(db_url: str, tmp_path: Path) -> dict[str, object]:
    subprocess.run(
        [JIKIMI, "demo", "--policy", POLICY, "--db", db_url, "--key-file", str(tmp_path / "master.key"),
         "--tokens", str(tmp_path / "tokens.json"), "--subjects", "6"],
        check=True, capture_output=True, env=_environment(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    state: dict[str, object] = json.loads((tmp_path / "tokens.json").read_text(encoding="utf-8"))
    return state


@contextmanager
def _serving(db_url: str, tmp_path: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    port = _free_port()
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [JIKIMI, "serve", "--policy", POLICY, "--db", db_url, "--key-file", str(tmp_path / "master.key"),
             "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, env=_environment(tmp_path), cwd=tmp_path,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not _workers_started(log, args):
                assert server.poll() is None, log.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.2)
            yield base, server, log
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(30)
                except subprocess.TimeoutExpired:
                    server.kill()


def _workers_started(log: Path, args: tuple[str, ...]) -> bool:
    expected = int(args[args.index("--workers") + 1]) if "--workers" in args else 1
    return log.read_text(encoding="utf-8").count("Application startup complete") >= expected


def _read(client: httpx.Client, base: str, token: str, subject_id: str) -> int:
    answer = client.post(
        f"{base}/v1/subjects/{subject_id}/read",
        json={"items": ["name", "email"], "purpose": "membership"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code


def test_two_workers_answer_every_request_and_the_parent_lints_and_prints_once(
    db_url: str, tmp_path: Path
) -> None:
    state = _demo(db_url, tmp_path)
    token = state["handlers"]["demo-cs"]["token"]  # type: ignore[index]
    member = state["examples"]["member"]  # type: ignore[index]
    with _serving(db_url, tmp_path, "--workers", "2") as (base, _, log):
        codes: list[int] = []

        def reads() -> None:
            with httpx.Client(timeout=30) as client:
                codes.extend(_read(client, base, token, member) for _ in range(25))

        threads = [threading.Thread(target=reads) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        metrics = httpx.get(f"{base}/metrics", timeout=30).text  # one scrape: both workers' counts
        text = log.read_text(encoding="utf-8")
    assert codes == [200] * 200
    labels = {"method": "POST", "route": "/v1/subjects/{subject_id}/read", "status": "200"}
    assert sample(metrics, "jikimi_http_requests_total", **labels) == 200
    assert sample(metrics, "jikimi_access_log_rows_total", action="read", outcome="allowed") == 200
    assert len(set(re.findall(r"Started server process \[(\d+)\]", text))) == 2
    assert text.count("jikimi API") == 1 and "작업 프로세스 (workers): 2" in text
    assert text.count(" 200 OK") >= 200  # the access log: the request line, never a value
    assert "@example.com" not in text


def test_a_stopped_server_finishes_the_request_it_is_answering_then_exits(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    _demo(db_url, tmp_path)
    text = "연락처 010-1234-5678, 담당 김민서 주무관. " * 30_000  # 900,000 characters: answered for a while
    with _serving(db_url, tmp_path, "--workers", "2", "--shutdown-timeout", "60") as (base, server, _):
        answer: list[httpx.Response] = []
        sender = threading.Thread(
            target=lambda: answer.append(httpx.post(f"{base}/v1/pii/mask", json={"text": text}, timeout=120))
        )
        sender.start()
        time.sleep(0.5)
        assert not answer, "the request was answered before the stop: make the text longer"
        server.send_signal(signal.SIGTERM)
        sender.join(120)
        assert server.wait(60) == 0
    assert answer and answer[0].status_code == 200, answer
    assert "010-1234-5678" not in answer[0].json()["text"]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/healthz", timeout=5)


def test_an_in_memory_database_is_served_by_one_process(tmp_path: Path) -> None:
    from jikimi.cli.serve import in_memory

    assert in_memory("sqlite://") and in_memory("sqlite:///:memory:")
    assert not in_memory(f"sqlite:///{tmp_path / 'a.db'}") and not in_memory("postgresql://h/db")
