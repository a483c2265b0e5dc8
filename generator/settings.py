"""A command's settings: the project folder, digest.yml and the environment, validated
together, and the collaborators made from them (arXiv's connection, its API, the crawl
of its HTML pages, the store).

Tests point the URLs at loopback servers and the pauses at zero through the same
environment variables a user sets, instead of patching anything.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from generator import __version__
from generator.config import Config, load_config
from generator.enrich import Crawl, LLMSettings
from generator.enrich.crawl import FALLBACK_DELAY
from generator.enrich.firstpage import DEFAULT_HTML_URL
from generator.environment import Environment
from generator.errors import ConfigError, DigestError
from generator.files import exclusive, remove_partial_writes
from generator.sources.api import DEFAULT_API_URL, ArxivApi
from generator.sources.http import ArxivHttp, RetryPolicy
from generator.sources.rss import DEFAULT_RSS_URL
from generator.store import Store

log = logging.getLogger(__name__)

USER_AGENT = f"arxiv-digest/{__version__} (+https://github.com/arxiv-digest)"
LOCK_FILE = ".arxiv-digest.lock"  # in the project folder, beside data/ (not committed)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Settings:
    """Where the project and arXiv are, and how patiently to talk to arXiv."""

    root: Path
    rss_url: str = DEFAULT_RSS_URL
    api_url: str = DEFAULT_API_URL
    api_interval: float = 3.0  # arXiv's rule: one request every 3 s
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], dt.datetime] = _utc_now
    html_url: str = DEFAULT_HTML_URL
    # Seconds between HTML first pages when the host's robots.txt names no Crawl-delay
    # or cannot be read (arxiv.org's says 15); never below `api_interval`.
    crawl_fallback: float = FALLBACK_DELAY
    # All the variables, validated; the LLM ones are read against digest.yml in `llm()`.
    environment: Environment = field(default_factory=lambda: Environment.read({}), repr=False)

    @classmethod
    def from_environment(cls, root: Path, environ: Mapping[str, str] = os.environ) -> Settings:
        """Raises ConfigError naming every variable with a value we cannot use."""
        environment = Environment.read(environ)
        return cls(
            root=root,
            rss_url=environment.rss_url or DEFAULT_RSS_URL,
            api_url=environment.api_url or DEFAULT_API_URL,
            api_interval=environment.api_delay,
            retry=environment.retry_policy(),
            timeout=environment.http_timeout,
            html_url=environment.html_url or DEFAULT_HTML_URL,
            environment=environment,
        )

    @classmethod
    def load(cls, root: Path, environ: Mapping[str, str] = os.environ) -> Settings:
        """The environment and digest.yml, read at once: every problem of both is
        reported together (ConfigError), before any command starts."""
        problems: list[str] = []
        try:
            settings = cls.from_environment(root, environ)
        except ConfigError as exc:
            problems += exc.problems
            settings = cls(root=root)
        try:
            settings.config  # noqa: B018 - read now, kept for the command
        except ConfigError as exc:
            problems += exc.problems
        if problems:
            raise ConfigError(problems)
        return settings

    @cached_property
    def config(self) -> Config:
        """digest.yml, read once a command."""
        return load_config(self.root / "digest.yml")

    def llm(self, config: Config) -> LLMSettings | None:
        return LLMSettings.from_environment(config.llm, self.environment)

    @property
    def store(self) -> Store:
        return Store(self.root / "data")

    def http_client(self) -> ArxivHttp:
        """arXiv's connection; `timeout` is each request's whole deadline."""
        return ArxivHttp(deadline=self.timeout, headers={"User-Agent": USER_AGENT})

    def crawl(self, config: Config) -> Crawl | None:
        """One command's reading of arXiv's HTML pages: robots.txt once, a page cap;
        None when digest.yml turns them off (`first_pages_per_run: 0`): institutions
        come from arXiv alone, and no paper waits for a page."""
        if config.llm.first_pages_per_run == 0:
            return None
        return Crawl(
            self.html_url,
            per_run=config.llm.first_pages_per_run,
            floor=self.api_interval,
            fallback=self.crawl_fallback,
            deadline=self.timeout,
        )

    def api(self, client: ArxivHttp) -> ArxivApi:
        return ArxivApi(
            client,
            self.api_url,
            min_interval=self.api_interval,
            policy=self.retry,
            sleep=self.sleep,
        )


@contextmanager
def one_at_a_time(settings: Settings) -> Iterator[None]:
    """Commands that write data/ and content/ take turns; the second one waits.

    Taking the turn also clears what a killed run left half-written."""
    root = settings.root
    if not root.is_dir():
        raise DigestError(f"no project folder at {root}")

    def waiting() -> None:
        log.warning("Another arxiv-digest command is working in %s: waiting for it.", root)

    with exclusive(root / LOCK_FILE, waiting):
        folders = [root / "data", root / "content"]
        removed = sum(remove_partial_writes(f) for f in folders if f.is_dir())
        if removed:
            log.warning("Removed %d half-written files left by an interrupted run.", removed)
        yield
