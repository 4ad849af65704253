"""The anchors can go elsewhere than a file (``JIKIMI_ANCHOR_SINK``): to a syslog receiver over UDP
or to an HTTP endpoint — real receivers on the loopback address, started by the test. What they
receive is what ``jikimi audit verify --anchors`` reads; a receiver that fails loses anchors
loudly (a warning), never a row."""

from __future__ import annotations

import json
import logging
import secrets
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from jikimi.audit.anchors import FanOut, FileSink, read_anchors
from jikimi.audit.log import AccessLog, verify
from jikimi.audit.sinks import PREFIX, HttpSink, SyslogSink, sink_for
from jikimi.bootstrap import Jikimi, anchor_sink, build_jikimi
from jikimi.crypto import KeyRing
from jikimi.errors import UsageError
from jikimi.policy.model import Policy
from jikimi.settings import Settings
from jikimi.store.tables import access_log

from .conftest import fast_passwords


class Receiver(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]]
    status = 200

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def http_receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("Handler", (Receiver,), {"bodies": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/anchors", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def udp_receiver() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    try:
        yield sock
    finally:
        sock.close()


def jikimi_with(engine: Engine, ring: KeyRing, policy: Policy, sink: Any) -> Jikimi:
    log = AccessLog(ring, sink=sink)
    return build_jikimi(policy=policy, engine=engine, keys=ring, passwords=fast_passwords(), access_log=log)


def write(jikimi: Jikimi, n: int) -> None:
    sid = secrets.token_hex(16)
    for _ in range(n):
        with jikimi.core.unit_of_work() as uow:
            jikimi.core.log(uow, jikimi.core.now(), "cs-kim", "read", subject_id=sid, items=["name"])
            uow.commit()


def verifies_against(engine: Engine, ring: KeyRing, lines: list[str], tmp_path: Path) -> bool:
    saved = tmp_path / "received.anchors"
    saved.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    anchors = read_anchors(saved)
    with engine.connect() as conn:
        result = verify(conn, keys=ring, anchors=anchors)
    return result.ok and not result.warnings and len(anchors) == len(lines)


def test_anchors_reach_a_syslog_receiver_over_udp_and_verify(
    engine: Engine, ring: KeyRing, reference_policy: Policy, udp_receiver: socket.socket, tmp_path: Path
) -> None:
    port = udp_receiver.getsockname()[1]
    sink = sink_for(f"syslog://127.0.0.1:{port}", file=None)
    assert isinstance(sink, SyslogSink)
    write(jikimi_with(engine, ring, reference_policy, sink), 3)
    datagrams = [udp_receiver.recv(65536).decode("utf-8") for _ in range(3)]
    assert all(d.startswith("<38>") for d in datagrams)  # facility auth (4), level info (6)
    lines = [d.split(PREFIX, 1)[1].rstrip("\x00") for d in datagrams]
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3]
    assert verifies_against(engine, ring, lines, tmp_path)


def test_anchors_reach_an_http_receiver_as_json_and_verify(
    engine: Engine,
    ring: KeyRing,
    reference_policy: Policy,
    http_receiver: tuple[str, type[Receiver]],
    tmp_path: Path,
) -> None:
    url, received = http_receiver
    sink = sink_for(url, file=None)
    assert isinstance(sink, HttpSink)
    write(jikimi_with(engine, ring, reference_policy, sink), 2)
    anchors = [anchor for body in received.bodies for anchor in body["anchors"]]
    assert [a["seq"] for a in anchors] == [1, 2]
    assert verifies_against(engine, ring, [json.dumps(a) for a in anchors], tmp_path)


def test_a_receiver_that_fails_costs_an_anchor_and_a_warning_never_the_row(
    engine: Engine,
    ring: KeyRing,
    reference_policy: Policy,
    http_receiver: tuple[str, type[Receiver]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, received = http_receiver
    received.status = 500
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    nobody = f"http://127.0.0.1:{closed.getsockname()[1]}/"  # bound, never listening: refused
    sink = sink_for(f"{url},{nobody}", file=None)
    with caplog.at_level(logging.WARNING, logger="jikimi"):
        write(jikimi_with(engine, ring, reference_policy, sink), 1)
    closed.close()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(access_log)).scalar_one() == 1
    warned = [r.getMessage() for r in caplog.records if "could not send" in r.getMessage()]
    assert len(warned) == 2 and len(received.bodies) == 1


def test_several_sinks_each_get_every_anchor(
    engine: Engine,
    ring: KeyRing,
    reference_policy: Policy,
    http_receiver: tuple[str, type[Receiver]],
    tmp_path: Path,
) -> None:
    url, received = http_receiver
    settings = Settings(anchor_file=tmp_path / "anchors", anchor_sink=f"file,{url}")
    sink = anchor_sink(settings)
    assert isinstance(sink, FanOut) and isinstance(sink.sinks[0], FileSink)
    jikimi = jikimi_with(engine, ring, reference_policy, sink)
    write(jikimi, 2)
    assert jikimi.core.access_log.anchor_file == tmp_path / "anchors"
    assert len(read_anchors(tmp_path / "anchors")) == 2 and len(received.bodies) == 2


@pytest.mark.parametrize("spec", ["ftp://example/", "syslog://", "syslog://127.0.0.1:99999", "files"])
def test_a_sink_setting_that_names_no_sink_is_refused(spec: str) -> None:
    with pytest.raises(UsageError, match="JIKIMI_ANCHOR_SINK"):
        sink_for(spec, file=None)


def test_the_file_stays_the_default_sink(tmp_path: Path) -> None:
    sink = anchor_sink(Settings.from_env({"JIKIMI_ANCHOR_FILE": str(tmp_path / "a")}))
    assert isinstance(sink, FileSink) and sink.path == tmp_path / "a"
