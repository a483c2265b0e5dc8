"""Loopback stand-ins for the services `arxiv-digest deliver` sends to.

- `ChatServer`: one HTTP server for the four webhook kinds, told apart by path
  (`/slack/…`, `/feishu/…`, `/dingtalk/…`, `/telegram/bot<token>/sendMessage`). It
  records every request and answers as the service does when it takes a message;
  `fail(kind, *answers)` queues other answers first (a status and a body, or
  `SLOW`: the headers, then nothing, until the client gives up).
- `MailServer`: aiosmtpd on 127.0.0.1 with STARTTLS or SSL from a trustme test CA,
  and a login; it keeps the messages it accepted, and can refuse logins by echoing
  what it was sent (a careless server quoting the password).
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from collections import deque
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from loopback import LoopbackServer, QuietHandler, send

SLOW = "slow"
KINDS = ("slack", "feishu", "dingtalk", "telegram")
TAKEN = {
    "slack": (200, b"ok"),
    "feishu": (200, b'{"code":0,"data":{},"msg":"success"}'),
    "dingtalk": (200, b'{"errcode":0,"errmsg":"ok"}'),
    "telegram": (200, b'{"ok":true,"result":{"message_id":1}}'),
}


@dataclass(frozen=True)
class Request:
    kind: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class ChatServer(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(self._handler())
        self.received: list[Request] = []
        self._queued: dict[str, deque[tuple[int, bytes] | str]] = {}
        self._lock = threading.Lock()

    def url(self, kind: str, secret: str) -> str:
        """A webhook's address whose path (Slack, Feishu) or query (DingTalk) is secret."""
        if kind == "dingtalk":
            return f"{self.origin}/dingtalk/robot/send?access_token={secret}"
        return f"{self.origin}/{kind}/hook/{secret}"

    def fail(self, kind: str, *answers: tuple[int, bytes] | str) -> None:
        """Answer the next requests of `kind` with `answers`, in turn."""
        self._queued.setdefault(kind, deque()).extend(answers)

    def of(self, kind: str) -> list[Request]:
        return [r for r in self.received if r.kind == kind]

    def _answer(self, kind: str) -> tuple[int, bytes] | str:
        with self._lock:
            queue = self._queued.get(kind)
            return queue.popleft() if queue else TAKEN[kind]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                kind = parts.path.strip("/").split("/")[0]
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request(kind, parts.path, parse_qs(parts.query), headers, body)
                server.received.append(request)
                answer = server._answer(kind) if kind in KINDS else (404, b"no_service")
                if answer == SLOW:
                    server.send_slowly(self, "stall", 200, b"ok", {})
                else:
                    status, reply = answer
                    send(self, status, reply, {"Content-Type": "application/json"})

        return Handler


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((envelope, message))
        return "250 Message accepted for delivery"


class MailServer:
    """`with MailServer(tmp_path, "starttls") as smtp:`; `smtp.env()` points at it."""

    USER = "digest@example.org"
    PASSWORD = "smtp-PASSWORD-secret-0123456789"

    def __init__(self, folder: Path, security: str, *, echo_refusal: bool = False) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # the server's own chatter
        self.security = security
        self.echo_refusal = echo_refusal
        self.logins: list[str] = []
        self.inbox = _Inbox()
        ca = trustme.CA()
        self.ca_file = folder / "test-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        certificate = ca.issue_cert("127.0.0.1", "localhost")
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(self._context)
        self.port = free_port()
        # aiosmtpd counts only STARTTLS as TLS for AUTH; SSL is TLS from the first byte.
        tls = {"ssl_context": self._context, "auth_require_tls": False} if security == "ssl" else {}
        starttls = {"tls_context": self._context, "require_starttls": True}
        self._controller = Controller(
            self.inbox,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_required=True,
            **tls,
            **({} if security == "ssl" else starttls),
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append(login)
        if self.echo_refusal or (login, password) != (self.USER, self.PASSWORD):
            said = f"535 5.7.8 refused {login} {password}" if self.echo_refusal else None
            return AuthResult(success=False, handled=False, message=said)
        return AuthResult(success=True)

    @property
    def messages(self) -> list[tuple[Envelope, EmailMessage]]:
        return self.inbox.messages

    def env(self, **overrides: str) -> dict[str, str]:
        return {
            "DIGEST_SMTP_HOST": "127.0.0.1",
            "DIGEST_SMTP_PORT": str(self.port),
            "DIGEST_SMTP_SECURITY": self.security,
            "DIGEST_SMTP_USER": self.USER,
            "DIGEST_SMTP_PASSWORD": self.PASSWORD,
            "DIGEST_SMTP_FROM": "arXiv 速递 <digest@example.org>",
            "DIGEST_SMTP_TO": "ada@example.org, Bo <bo@example.net>",
            "DIGEST_SMTP_CA_FILE": str(self.ca_file),
            **overrides,
        }

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
