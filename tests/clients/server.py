"""A real ``jikimi serve`` for the client tests: a subprocess on a free loopback port over a fresh
SQLite file, the reference policy and a master key file of its own, with one handler account for
the service (the login and password a service's backend is configured with), delivering service
events (``--deliver``) to a receiver port the client program opens itself.

The database is set up the way an operator would before the first deploy (a role for the
service, its handler account); everything after that goes over HTTP only."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jikimi import Settings, open_jikimi
from jikimi.crypto import KeyRing, MasterKey

from ..conftest import EXAMPLES

POLICY = EXAMPLES / "reference.yaml"
SERVICE_ROLE = "shop_backend"
SERVICE_PURPOSES = ["membership", "marketing"]
SERVICE_ACTIONS = ["collect", "read", "withdraw", "events"]
SERVICE_LOGIN = "shop-backend"
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Served:
    """A running server and what a client program needs to talk to it."""

    url: str
    login: str
    password: str
    events_port: int
    events_secret: str
    log: Path

    def client_env(self) -> dict[str, str]:
        """The environment a client program reads its configuration from."""
        return {
            "JIKIMI_URL": self.url,
            "JIKIMI_LOGIN": self.login,
            "JIKIMI_PASSWORD": self.password,
            "EVENTS_PORT": str(self.events_port),
            "EVENTS_SECRET": self.events_secret,
        }

    def output(self) -> str:
        """What the server printed (for a failing test's message)."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]


def free_port() -> int:
    """A loopback port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(tmp: Path, password: str) -> tuple[str, Path]:
    """A fresh database with the service's role and handler; its URL and the master key file."""
    key_file = tmp / "master.key"
    KeyRing(MasterKey.generate()).write(key_file)
    db_url = f"sqlite:///{tmp / 'jikimi.db'}"
    jikimi = open_jikimi(Settings(db_url=db_url, key_file=key_file), policy_path=POLICY)
    try:
        jikimi.handlers.define_role(SERVICE_ROLE, purposes=SERVICE_PURPOSES, actions=SERVICE_ACTIONS)
        jikimi.handlers.create(SERVICE_LOGIN, password, role=SERVICE_ROLE)
    finally:
        jikimi.close()
    return db_url, key_file


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jikimi serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"jikimi serve did not answer /healthz in {STARTUP_SECONDS:.0f} s:\n{log.read_text()}")


@contextmanager
def jikimi_serve(tmp: Path) -> Iterator[Served]:
    """``jikimi serve --deliver`` on a free port; its events go to ``events_port`` on loopback."""
    tmp.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    db_url, key_file = _prepare(tmp, password)
    port, events_port = free_port(), free_port()
    served = Served(
        url=f"http://127.0.0.1:{port}",
        login=SERVICE_LOGIN,
        password=password,
        events_port=events_port,
        events_secret=secrets.token_hex(32),
        log=tmp / "serve.log",
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith("JIKIMI_")}
    env |= {
        "JIKIMI_EVENTS_URL": f"http://127.0.0.1:{events_port}/jikimi/events",
        "JIKIMI_EVENTS_SECRET": served.events_secret,
    }
    command = [
        str(Path(sys.executable).with_name("jikimi")),
        "serve",
        "--policy",
        str(POLICY),
        "--db",
        db_url,
        "--key-file",
        str(key_file),
        "--port",
        str(port),
        "--deliver",
    ]
    with served.log.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    try:
        _wait_until_healthy(served.url, process, served.log)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
