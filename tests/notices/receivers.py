"""Real receivers on loopback for the delivery tests: an SMTP server (aiosmtpd, with STARTTLS, SMTPS
and AUTH when asked) and an HTTP endpoint that records signed webhook posts."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "jikimi", "relay-pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@dataclass
class Inbox:
    """What the SMTP server received, as parsed messages."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:  # noqa: N802
        parsed = message_from_bytes(bytes(envelope.content or b""), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["X-Jikimi-Message-Id"]) for m in self.messages]


def _authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth: Any
) -> AuthResult:
    ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(
    tmp_path: Path | None = None, *, tls: str = "off", auth: bool = False
) -> Iterator[tuple[str, Inbox]]:
    """An SMTP server on loopback and the ``JIKIMI_SMTP_URL`` that reaches it. ``tls``: ``off``,
    ``starttls`` (required by the server) or ``smtps``; ``auth``: LOGIN/PLAIN required."""
    inbox = Inbox()
    port = free_port()
    kwargs: dict[str, Any] = {}
    query = "?starttls=off"
    context: ssl.SSLContext | None = None
    if tls != "off":
        assert tmp_path is not None
        cert, key = self_signed(tmp_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        query = f"?cafile={cert}" + ("&starttls=require" if tls == "starttls" else "")
    if tls == "starttls":
        kwargs |= {"tls_context": context, "require_starttls": True}
    elif tls == "smtps":
        kwargs |= {"ssl_context": context}
    if auth:
        kwargs |= {
            "authenticator": _authenticate,
            "auth_required": True,
            "auth_require_tls": tls == "starttls",
        }  # SMTPS is TLS throughout
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    scheme = "smtps" if tls == "smtps" else "smtp"
    user = f"{USER}:{PASSWORD}@" if auth else ""
    try:
        yield f"{scheme}://{user}127.0.0.1:{port}{query}", inbox
    finally:
        controller.stop()


@dataclass
class Posts:
    """What the webhook receiver got: ``(headers, body)`` pairs; ``fail`` answers with that status
    for the next so many posts (a flaky sender)."""

    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(body) for _, body in self.received]


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, Posts]]:
    """An HTTP server on loopback recording POSTs; yields its URL and what it received."""
    posts = Posts()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if len(body) < length:  # the sender died mid-request: nothing was delivered
                self.close_connection = True
                return
            with posts.lock:
                status = posts.fail.pop(0) if posts.fail else 200
                if status == 200:
                    posts.received.append(({k: v for k, v in self.headers.items()}, body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/notify", posts
    finally:
        server.shutdown()
        server.server_close()
