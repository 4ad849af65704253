"""Chain heads kept outside the database (anchors), so that rows removed from the end of a chain,
or a whole chain deleted, show at verification.

After each commit that appended rows, the access log hands one ``Anchor`` per chain it advanced
to its sink: the chain id, its last position, that row's MAC, the time, the master key id, and an
HMAC-SHA256 signature under a key derived from the master key (``chain.ANCHOR_LABEL``), so whoever
can write the anchor file but has no master key cannot forge a head. ``FileSink`` appends them as
JSON lines to a file of mode 0600 (``JIKIMI_ANCHOR_FILE``); another sink only needs ``write``
(``audit.sinks``: syslog, HTTP; ``FanOut`` writes to several). ``read_anchors`` reads a file back
for ``jikimi audit verify --anchors FILE``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from jikimi.errors import UsageError

logger = logging.getLogger("jikimi")


@dataclass(frozen=True)
class Anchor:
    """A signed chain head: ``chain`` had ``seq`` rows, the last with MAC ``mac`` (hex), at ``at``."""

    chain: str
    seq: int
    mac: str
    at: str
    key: str
    sig: str = ""

    def body(self) -> bytes:
        return json.dumps(["anchor/v1", self.chain, self.seq, self.mac, self.at, self.key]).encode("utf-8")

    def signed(self, key: bytes) -> Anchor:
        return Anchor(self.chain, self.seq, self.mac, self.at, self.key, self._signature(key))

    def _signature(self, key: bytes) -> str:
        return hmac.new(key, self.body(), hashlib.sha256).hexdigest()

    def valid(self, key: bytes) -> bool:
        return hmac.compare_digest(self.sig, self._signature(key))


class AnchorSink(Protocol):
    """Where anchors go: anything with ``write``. It is called after the commit, so a failure
    loses an anchor (logged), never a row."""

    def write(self, anchors: list[Anchor]) -> None: ...


class FileSink:
    """Anchors appended as JSON lines to ``path`` (created with mode 0600, its folder if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, anchors: list[Anchor]) -> None:
        if not anchors:
            return
        text = "".join(json.dumps(asdict(a), ensure_ascii=False) + "\n" for a in anchors)
        with self._lock:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except FileNotFoundError:  # its folder, made on first use (not looked for on every commit)
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, text.encode("utf-8"))
            finally:
                os.close(fd)


class FanOut:
    """Anchors written to every sink in turn; one that fails is logged and the others still get them."""

    def __init__(self, sinks: Sequence[AnchorSink]) -> None:
        self.sinks = tuple(sinks)

    def write(self, anchors: list[Anchor]) -> None:
        for sink in self.sinks:
            try:
                sink.write(anchors)
            except Exception:  # one sink down must not cost the others their anchors
                logger.exception(
                    "접속기록 앵커를 %s에 쓰지 못했습니다 (could not write access-log anchors to %s)",
                    type(sink).__name__,
                    type(sink).__name__,
                )


def file_of(sink: AnchorSink | None) -> Path | None:
    """The anchor file a sink writes (``FileSink``, or the first one in a ``FanOut``)."""
    if isinstance(sink, FileSink):
        return sink.path
    if isinstance(sink, FanOut):
        return next((p for p in map(file_of, sink.sinks) if p is not None), None)
    return None


def read_anchors(path: Path) -> list[tuple[int, Anchor | None]]:
    """Every line of an anchor file as ``(line number, anchor)``; ``None`` for a line that is not
    an anchor (the verifier reports it). ``UsageError`` if the file cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"앵커 파일을 읽을 수 없습니다: {path}", f"cannot read the anchor file {path}"
        ) from exc
    out: list[tuple[int, Anchor | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(
                chain=str(data["chain"]),
                seq=int(data["seq"]),
                mac=str(data["mac"]),
                at=str(data["at"]),
                key=str(data["key"]),
                sig=str(data["sig"]),
            )
        except (ValueError, KeyError, TypeError):
            out.append((number, None))
            continue
        out.append((number, anchor))
    return out
