"""The digest by mail: one message with a plain-text part and an HTML part, sent over
SMTP with STARTTLS (port 587) or SSL (465), the server's certificate verified
against the system's CAs (or DIGEST_SMTP_CA_FILE's); never in the clear.

Each SMTP operation has the timeout of DIGEST_DELIVERY_TIMEOUT. Connection faults,
timeouts and 4xx answers are retried; a refused login, sender or recipient, and a
certificate that does not verify, are not. The password travels only to the
server: the headers name the sender and the recipients, nothing else of the
settings.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

import jinja2

from generator.deliver.channels import Channel, ChannelFailed, Pace, Transient, with_retries
from generator.deliver.message import Digest

DEFAULT_PORTS = {"starttls": 587, "ssl": 465}

# One environment a part: the plain text is not escaped, the HTML always is.
_TEMPLATES = jinja2.PackageLoader("generator.deliver", "templates")
_PLAIN = jinja2.Environment(
    loader=_TEMPLATES, autoescape=False, trim_blocks=True, lstrip_blocks=True
)
_HTML = jinja2.Environment(loader=_TEMPLATES, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def plain_text(digest: Digest) -> str:
    return _PLAIN.get_template("mail.txt").render(d=digest)


def html(digest: Digest) -> str:
    return _HTML.get_template("mail.html").render(d=digest)


@dataclass(frozen=True)
class Mail(Channel):
    name = "mail"

    host: str
    security: str  # starttls | ssl
    sender: str
    recipients: tuple[str, ...] = field(repr=False)
    port: int | None = None  # None: the security's usual port
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None

    def destination(self) -> str:
        return "\0".join([self.host, str(self.port), self.user or "", self.password or ""])

    def secrets(self) -> list[str]:
        if not self.password:
            return []
        login = f"\0{self.user}\0{self.password}"  # AUTH PLAIN, as it goes in base64
        encoded = [base64.b64encode(s.encode()).decode() for s in (self.password, login)]
        return [self.password, *encoded]

    def send(self, digest: Digest, pace: Pace) -> str:
        message = self.message(digest, pace)
        refused: dict[str, object] = {}
        with_retries(
            lambda: refused.update(self._send_once(message, pace.timeout)), pace, self.name
        )
        # Some refused, others not: sent (again, it would reach the others twice).
        total = len(self.recipients)
        if refused:
            return f"to {total - len(refused)} of {total} recipients ({len(refused)} refused)"
        return f"to {total} recipients"

    def message(self, digest: Digest, pace: Pace) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = f"{digest.title} · {digest.papers} 篇"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Date"] = format_datetime(pace.now())
        message["Message-ID"] = make_msgid(
            "arxiv-digest", domain=parseaddr(self.sender)[1].rpartition("@")[2]
        )
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
        message.set_content(plain_text(digest))
        message.add_alternative(html(digest), subtype="html")
        return message

    def _send_once(self, message: EmailMessage, timeout: float) -> dict[str, object]:
        """The recipients the server refused (when it took the others)."""
        try:
            with self._connect(timeout) as smtp:
                if self.user and self.password:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(message, to_addrs=list(self.recipients))
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError) as exc:
            raise ChannelFailed(f"the server refused: {_said(exc)}") from exc
        except smtplib.SMTPRecipientsRefused as exc:  # its text would list who they are
            raise ChannelFailed(f"the server refused all {len(exc.recipients)} recipients") from exc
        except smtplib.SMTPResponseException as exc:
            fault = f"the server answered {_said(exc)}"
            if 400 <= exc.smtp_code < 500:
                raise Transient(fault) from exc
            raise ChannelFailed(fault) from exc
        except ssl.SSLCertVerificationError as exc:
            raise ChannelFailed(f"the server's certificate: {exc.verify_message}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out, TLS
            raise Transient(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
        return dict(refused)

    def _connect(self, timeout: float) -> smtplib.SMTP:
        context = ssl.create_default_context(cafile=self.ca_file)
        port = self.port or DEFAULT_PORTS[self.security]
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, port, timeout=timeout, context=context)
        smtp = smtplib.SMTP(self.host, port, timeout=timeout)
        try:
            smtp.starttls(context=context)  # SMTPNotSupportedError: never sent in the clear
        except BaseException:
            smtp.close()
            raise
        return smtp


def _said(exc: smtplib.SMTPResponseException | smtplib.SMTPNotSupportedError) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        said = exc.smtp_error
        said = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
        return f"{exc.smtp_code} {' '.join(said.split())[:200]}"
    return str(exc)
