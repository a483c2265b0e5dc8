"""arXiv's rules for reading its HTML pages, read from the host's robots.txt.

arxiv.org's robots.txt asks every crawler for `Crawl-delay: 15` (export.arxiv.org,
the API's host, asks for 3 s). One command (`run`, `enrich`, `backfill`) holds one
`Crawl`:
- robots.txt at the origin of the HTML URL is read once, on the first need, through
  our bounded HTTP client; the group for `User-agent: *` or for `arxiv-digest` applies.
- Its Crawl-delay spaces the HTML requests: each starts that long after the one
  before it ended (robots.txt itself counts). Never less than ARXIV_API_DELAY; the
  fallback (15 s) when robots.txt cannot be read (404, a fault, garbage) or names no
  delay for us.
- A page its Disallow lines forbid is not fetched: the paper keeps arXiv's affiliations.
- At most `per_run` pages a command (digest.yml `llm.first_pages_per_run`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from generator.sources.http import TooLarge, TooSlow, read_bounded

log = logging.getLogger(__name__)

ROBOTS_AGENT = "arxiv-digest"  # our User-Agent's product token
FALLBACK_DELAY = 15.0  # what arxiv.org's robots.txt says today
# RFC 9309 asks crawlers to read at least 500 KiB; arxiv.org's file is about 1 KB.
MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(frozen=True)
class Rules:
    """What robots.txt lets us do: how long between requests, and which paths."""

    delay: float
    parser: RobotFileParser | None = None  # None: no rules could be read, all allowed

    def allows(self, url: str) -> bool:
        return self.parser is None or self.parser.can_fetch(ROBOTS_AGENT, url)


def robots_url(html_url: str) -> str:
    parts = urlsplit(html_url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def parse_robots(text: str, *, fallback: float, floor: float) -> Rules:
    """The rules of a robots.txt; its Crawl-delay for us, else `fallback`, at least `floor`.

    urllib.robotparser reads whole seconds only: a delay of "0.5" counts as none given."""
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    delay = parser.crawl_delay(ROBOTS_AGENT)
    return Rules(max(float(fallback if delay is None else delay), floor), parser)


class Crawl:
    """One command's reading of arXiv's HTML pages: the rules (read once), the pages
    it may still read, and when the next request may start."""

    def __init__(
        self,
        html_url: str,
        *,
        per_run: int,
        floor: float,
        fallback: float = FALLBACK_DELAY,
        deadline: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.html_url = html_url if html_url.endswith("/") else html_url + "/"
        self.pages_left = per_run
        self.floor = floor  # ARXIV_API_DELAY: never faster than the API's pace
        self.fallback = fallback
        self.deadline = deadline  # seconds for a whole request (DIGEST_HTTP_TIMEOUT)
        self.clock = clock  # with `sleep`, what a bench replaces to skip the waits
        self.sleep = sleep
        self.rules: Rules | None = None
        self.next_start = 0.0  # on `clock`

    def take(self, wanted: int) -> int:
        """How many of `wanted` pages this command may still read; those are spent."""
        granted = max(0, min(wanted, self.pages_left))
        self.pages_left -= granted
        return granted

    async def wait_turn(self) -> None:
        """Until the next request may start."""
        await self.sleep(max(0.0, self.next_start - self.clock()))

    def finished_request(self) -> None:
        delay = self.rules.delay if self.rules is not None else self.fallback
        self.next_start = self.clock() + max(delay, self.floor)

    async def read_rules(self, http: httpx.AsyncClient) -> Rules:
        """robots.txt, the first time; the same rules after."""
        if self.rules is None:
            try:
                self.rules = await self._fetch_rules(http)
            finally:
                self.finished_request()
            log.info(
                "arXiv HTML pages: one every %g s, at most %d this run",
                self.rules.delay,
                self.pages_left,
            )
        return self.rules

    async def _fetch_rules(self, http: httpx.AsyncClient) -> Rules:
        url = robots_url(self.html_url)
        unread = Rules(max(self.fallback, self.floor))
        try:
            response = await read_bounded(
                http, "GET", url, deadline=self.deadline, max_bytes=MAX_ROBOTS_BYTES
            )
        except (TooSlow, TooLarge) as exc:
            problem = str(exc)
        except httpx.TransportError as exc:
            problem = type(exc).__name__
        else:
            if response.status_code == 200:
                text = response.content.decode("utf-8", errors="replace")
                return parse_robots(text, fallback=self.fallback, floor=self.floor)
            problem = f"HTTP {response.status_code}"
        log.warning("%s not read (%s): one HTML page every %g s", url, problem, unread.delay)
        return unread
