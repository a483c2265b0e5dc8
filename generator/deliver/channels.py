"""What the channels share: how they fail, the retry loop, the fingerprint of a
destination, and the scrubbing of secrets from every text a person may see.

A channel's secrets (a webhook's address, a bot token, a password) are in its
settings and nowhere else: every failure a channel reports and every log line
written while `deliver` runs pass through `Scrubber`, which replaces each secret,
in the forms it travels in (as given, percent-quoted, a URL's path and query
parts, base64 for SMTP logins), with ***.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import parse_qsl, quote, urlsplit

from generator.deliver.message import Digest
from generator.sources.http import RetryPolicy

log = logging.getLogger(__name__)

HIDDEN = "***"
TOKEN_LIKE = 16  # characters: a part of a secret URL this long is hidden on its own


class Transient(Exception):
    """One attempt failed in a way that may pass (a timeout, 429, 5xx): retried."""

    def __init__(self, reason: str, retry_after: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class ChannelFailed(Exception):
    """The channel could not deliver: refused, or still failing after the retries."""


@dataclass(frozen=True)
class Pace:
    """How patiently a channel is asked: each attempt's deadline, the retries."""

    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(attempts=3))
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    between_parts: float = 1.0  # seconds between the messages of a split digest


class Channel(ABC):
    """A destination the environment turned on."""

    name: ClassVar[str]

    @abstractmethod
    def send(self, digest: Digest, pace: Pace) -> str:
        """Deliver `digest`, retried; a few words on what went (ChannelFailed if not)."""

    @abstractmethod
    def destination(self) -> str:
        """What identifies where it goes (secrets included): only ever hashed."""

    @abstractmethod
    def secrets(self) -> list[str]:
        """The values that must appear in no output."""

    def fingerprint(self) -> str:
        """A short hash of the destination, recorded with a delivery: it tells which
        destination got a day without saying anything that would reach it."""
        text = f"arxiv-digest delivery\0{self.name}\0{self.destination()}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def with_retries(send_once: Callable[[], None], pace: Pace, what: str) -> None:
    """`send_once()`, again after a Transient failure, with a doubling wait that
    honours Retry-After; ChannelFailed once the attempts are spent."""
    attempts = pace.retry.attempts
    problem = ""
    for attempt in range(attempts):
        try:
            send_once()
            return
        except Transient as exc:
            problem, retry_after = exc.reason, exc.retry_after
        if attempt + 1 < attempts:
            wait = pace.retry.wait(attempt, retry_after)
            log.warning("%s: %s; retrying in %.0f s", what, problem, wait)
            pace.sleep(wait)
    raise ChannelFailed(f"failed after {attempts} attempts: {problem}")


def send_parts(parts: list[Callable[[], None]], pace: Pace, what: str) -> None:
    """Each part of a split digest in order, each retried, a pause between them (chat
    services count messages a minute)."""
    for number, part in enumerate(parts):
        if number:
            pace.sleep(pace.between_parts)
        with_retries(part, pace, what if len(parts) == 1 else f"{what} (part {number + 1})")


class Scrubber:
    """Replaces every form of the secrets in a text with ***."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            forms |= _forms(secret)
        # Short pieces would blank ordinary words; every secret here is long.
        self._forms = sorted((f for f in forms if len(f) >= 6), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, HIDDEN)
        return text


def _forms(secret: str) -> set[str]:
    forms = {secret, quote(secret, safe=""), quote(secret)}
    try:
        parts = urlsplit(secret)
    except ValueError:
        return forms
    if parts.scheme in ("http", "https"):
        # The token parts of a webhook's address (Slack's last segment, Feishu's hook id,
        # DingTalk's access_token) are long; its words ("services", "robot") are not.
        pieces = [*parts.path.split("/"), *(value for _, value in parse_qsl(parts.query))]
        forms |= {piece for piece in pieces if len(piece) >= TOKEN_LIKE}
        forms.add(parts.path + ("?" + parts.query if parts.query else ""))
    return forms


class _ScrubLogs(logging.Filter):
    def __init__(self, scrub: Scrubber) -> None:
        super().__init__()
        self.scrub = scrub

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.scrub(record.getMessage()), None
        if record.exc_info:  # a traceback quotes exception messages: scrubbed too
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_text, record.exc_info = self.scrub(text), None
        return True


@contextmanager
def scrubbed_logs(scrub: Scrubber) -> Iterator[None]:
    """Every log line written meanwhile (httpx's own, in --debug, name the URL it
    requests) passes `scrub` on its way out."""
    # Without logging set up, Python's last resort prints warnings: it is scrubbed too.
    handlers = [*logging.getLogger().handlers, *filter(None, [logging.lastResort])]
    scrubbing = _ScrubLogs(scrub)
    for handler in handlers:
        handler.addFilter(scrubbing)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(scrubbing)
