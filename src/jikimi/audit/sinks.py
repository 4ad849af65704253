"""Anchor sinks besides the file: syslog (UDP) and HTTP, chosen by ``JIKIMI_ANCHOR_SINK``.

``sink_for(spec, file=…)`` reads the setting: ``file`` (the anchor file, ``JIKIMI_ANCHOR_FILE``;
the default), ``syslog://host:port`` (one RFC 3164 datagram per anchor, facility ``auth``, the
anchor as its JSON line after ``jikimi-anchor: ``), ``http://…`` or ``https://…`` (one POST per
commit, ``{"anchors": [...]}`` as ``application/json``, a ``TIMEOUT`` of a few seconds); several
separated by commas, each written in turn (``anchors.FanOut``). A sink that fails logs a warning
and never raises: the rows are committed already, and only that anchor is lost.

To verify against a syslog or HTTP receiver, save the anchors it received as JSON lines (one
object per line, as the file sink writes them) and pass that file to ``jikimi audit verify
--anchors``.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import socket
import urllib.error
import urllib.request
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from jikimi.audit.anchors import Anchor, AnchorSink, FanOut, FileSink
from jikimi.errors import UsageError

logger = logging.getLogger("jikimi")

TIMEOUT = 3.0
"""Seconds an HTTP sink waits for its receiver (the commit is done; the caller waits this long at most)."""
PREFIX = "jikimi-anchor: "


def line_of(anchor: Anchor) -> str:
    """An anchor as the JSON line the file sink writes (and ``read_anchors`` reads)."""
    return json.dumps(asdict(anchor), ensure_ascii=False)


class _Handler(logging.handlers.SysLogHandler):
    """SysLogHandler that remembers a failed send instead of printing a traceback to stderr."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        self.failed = True


class SyslogSink:
    """One syslog datagram (UDP) per anchor to ``host:port``, through the standard library's
    ``SysLogHandler``."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self._handler: _Handler | None = None

    def _open(self) -> _Handler:
        if self._handler is None:  # made on first use: nothing is opened at start-up
            handler = _Handler(address=self.address, facility=_Handler.LOG_AUTH, socktype=socket.SOCK_DGRAM)
            handler.setFormatter(logging.Formatter(PREFIX + "%(message)s"))
            self._handler = handler
        return self._handler

    def write(self, anchors: list[Anchor]) -> None:
        try:
            handler = self._open()
        except OSError:
            _lost("syslog", f"{self.address[0]}:{self.address[1]}", len(anchors))
            return
        handler.failed = False
        for anchor in anchors:
            record = logging.LogRecord(
                "jikimi.anchor", logging.INFO, __file__, 0, line_of(anchor), None, None
            )
            handler.handle(record)
        if handler.failed:
            _lost("syslog", f"{self.address[0]}:{self.address[1]}", len(anchors))


class HttpSink:
    """One POST of ``{"anchors": [...]}`` (JSON) per commit to ``url``; any status but 2xx, a
    refused connection or ``timeout`` is logged and the anchors are lost."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout

    def write(self, anchors: list[Anchor]) -> None:
        if not anchors:
            return
        body = json.dumps({"anchors": [asdict(a) for a in anchors]}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - the operator's URL
                answer.read()
        except (OSError, ValueError):  # URLError, HTTPError, timeouts are OSErrors
            _lost("HTTP", _shown(self.url), len(anchors))


def _lost(kind: str, where: str, count: int) -> None:
    logger.warning(
        "접속기록 앵커 %d개를 %s 수신처 %s에 보내지 못했습니다 (could not send %d access-log anchor(s) to the %s sink %s)",  # noqa: E501
        count,
        kind,
        where,
        count,
        kind,
        where,
        exc_info=True,
    )


def _shown(url: str) -> str:
    """The URL without credentials or query, to log."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"


def sink_for(spec: str | None, *, file: Path | None) -> AnchorSink | None:
    """The sink(s) a ``JIKIMI_ANCHOR_SINK`` value names (``None`` or empty: the file). ``file`` is
    the anchor file for ``file`` (``None``: there is none, and ``file`` adds nothing). A value that
    names no sink is a ``UsageError``."""
    parts = [p.strip() for p in (spec or "file").split(",") if p.strip()] or ["file"]
    sinks: list[AnchorSink] = []
    for part in parts:
        sink = _one(part, file)
        if sink is not None:
            sinks.append(sink)
    if not sinks:
        return None
    return sinks[0] if len(sinks) == 1 else FanOut(sinks)


def _one(part: str, file: Path | None) -> AnchorSink | None:
    if part == "file":
        return FileSink(file) if file is not None else None
    parts = urlsplit(part)
    if parts.scheme == "syslog" and parts.hostname:
        try:
            port = parts.port or 514
        except ValueError:
            port = 0
        if 0 < port < 65536:
            return SyslogSink(parts.hostname, port)
    if parts.scheme in ("http", "https") and parts.hostname:
        return HttpSink(part)
    raise UsageError(
        "JIKIMI_ANCHOR_SINK의 앵커 수신처를 알 수 없습니다 "
        "(file, syslog://host:port, http(s)://… 중 하나, 여럿이면 쉼표로 구분)",
        "JIKIMI_ANCHOR_SINK names no anchor sink: use file, syslog://host:port or http(s)://…, "
        "several separated by commas",
    )
