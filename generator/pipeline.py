"""The day, top to bottom: fetch → complete → triage → enrich → store → render → build.

Each command of the CLI is one function here. Collaborators (URLs, pauses,
the HTTP client) come in through `Settings`, so tests point them at loopback
servers instead of patching anything.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from generator import __version__
from generator.config import Config, load_config
from generator.enrich import LLMSettings, enrich_papers
from generator.enrich.firstpage import DEFAULT_HTML_URL
from generator.errors import DigestError, EnrichError
from generator.files import exclusive, remove_partial_writes
from generator.models import BUDGET_LEFT, NO_LLM, AnnounceType, Day, Paper, StepState
from generator.progress import tracker
from generator.render.pages import Rendered, Selections, SiteRenderer, write_content
from generator.render.search import search_documents
from generator.site import SearchIndex, build_site, quarter, site_url
from generator.sources import schedule
from generator.sources.api import DEFAULT_API_URL, ApiEntry, ArxivApi
from generator.sources.http import RetryPolicy
from generator.sources.rss import DEFAULT_RSS_URL, fetch_feed
from generator.store import Store
from generator.topics import triage

log = logging.getLogger(__name__)

USER_AGENT = f"arxiv-digest/{__version__} (+https://github.com/arxiv-digest)"


@dataclass(frozen=True)
class Settings:
    """Where arXiv is and how patiently to talk to it (from the environment)."""

    root: Path
    rss_url: str = DEFAULT_RSS_URL
    api_url: str = DEFAULT_API_URL
    api_interval: float = 3.0  # arXiv's rule: one request every 3 s
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    html_url: str = DEFAULT_HTML_URL
    # The LLM variables (OPENAI_*, DIGEST_LLM_*), read against digest.yml in `llm()`.
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environment(cls, root: Path, environ: Mapping[str, str] = os.environ) -> Settings:
        backoff = float(environ.get("DIGEST_RETRY_BACKOFF", "5"))
        return cls(
            root=root,
            rss_url=environ.get("ARXIV_RSS_URL") or DEFAULT_RSS_URL,
            api_url=environ.get("ARXIV_API_URL") or DEFAULT_API_URL,
            api_interval=float(environ.get("ARXIV_API_DELAY", "3")),
            retry=RetryPolicy(backoff_seconds=backoff),
            timeout=float(environ.get("DIGEST_HTTP_TIMEOUT", "60")),
            html_url=environ.get("ARXIV_HTML_URL") or DEFAULT_HTML_URL,
            environ=dict(environ),
        )

    def llm(self, config: Config) -> LLMSettings | None:
        return LLMSettings.from_environment(config.llm, self.environ)

    @property
    def config(self) -> Config:
        return load_config(self.root / "digest.yml")

    @property
    def store(self) -> Store:
        return Store(self.root / "data")

    def http_client(self) -> httpx.Client:
        return httpx.Client(
            timeout=self.timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True
        )

    def api(self, client: httpx.Client) -> ArxivApi:
        return ArxivApi(
            client,
            self.api_url,
            min_interval=self.api_interval,
            policy=self.retry,
            sleep=self.sleep,
        )


@dataclass
class Outcome:
    """What a command did, in the words the CLI prints."""

    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    date: dt.date | None = None
    changed: bool = False

    def say(self, message: str) -> None:
        log.info(message)
        self.messages.append(message)

    def warn(self, message: str) -> None:
        log.warning(message)
        self.warnings.append(message)


LOCK_FILE = ".arxiv-digest.lock"  # in the project folder, beside data/ (not committed)
SEARCH_CACHE = ".cache/search"  # finished search bundles by quarter (not committed)


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


def run(settings: Settings, *, build: bool = True) -> Outcome:
    """Today's announcement into data/, content/ and site/."""
    config = settings.config
    store = settings.store
    outcome = Outcome()
    with settings.http_client() as client:
        feed = fetch_feed(
            client, settings.rss_url, config.categories, policy=settings.retry, sleep=settings.sleep
        )
        outcome.date = feed.date
        for problem in feed.skipped:
            outcome.warn(f"feed item skipped: {problem}")
        if not feed.papers:
            outcome.say(f"No announcement in the feed dated {feed.date}: nothing to do.")
            return outcome
        papers = drop_published(feed.papers, store, feed.date, outcome)
        if not papers:
            outcome.say(f"All {len(feed.papers)} papers of {feed.date} were published before.")
            return outcome
        complete_from_api(papers, settings.api(client), outcome)
    day = Day(feed.date, papers)
    prepare_day(day, config, store)
    enrich_day(day, settings, config, outcome)
    outcome.changed = save_day(day, store, outcome)
    if outcome.changed or build:
        publish(settings, config, build=build, outcome=outcome)
    return outcome


def drop_published(
    papers: list[Paper], store: Store, date: dt.date, outcome: Outcome
) -> list[Paper]:
    """Leave out papers already published, in the same version, on an earlier day."""
    seen = store.published_versions(before=date)
    fresh = [p for p in papers if p.version not in seen.get(p.id, set())]
    if len(fresh) < len(papers):
        outcome.say(f"{len(papers) - len(fresh)} papers were published on earlier days; skipped.")
    return fresh


def complete_from_api(papers: list[Paper], api: ArxivApi, outcome: Outcome) -> None:
    """Add comments, journal ref, DOI, primary category and full authors from the API."""
    entries, problems = api.fetch_entries([p.id for p in papers])
    for problem in problems:
        outcome.warn(f"arXiv API: {problem}")
    for paper in papers:
        entry = entries.get(paper.id)
        if entry is None:
            reason = "batch failed" if problems else "not in the API's answer"
            paper.api = StepState("failed", reason)
        else:
            apply_entry(paper, entry)
    missing = sum(p.api.status == "failed" for p in papers)
    if missing:
        outcome.warn(
            f"{missing} of {len(papers)} papers kept without API extras "
            "(comments, journal ref, primary category); the next run retries them."
        )


def apply_entry(paper: Paper, entry: ApiEntry) -> None:
    paper.comments = entry.comments
    paper.journal_ref = entry.journal_ref or paper.journal_ref
    paper.doi = entry.doi or paper.doi
    paper.primary_category = entry.primary_category
    if entry.authors:
        paper.authors = entry.authors
    institutions = list(dict.fromkeys([*(paper.institutions or []), *entry.affiliations]))
    paper.institutions = institutions or None
    paper.api = StepState("done")


def prepare_day(day: Day, config: Config, store: Store) -> None:
    """Keyword triage, then keep what an earlier run of the same day learnt."""
    triage(day.papers, config)
    if store.path(day.date).exists():
        carry_over(day.papers, store.read_day(day.date).papers)


def enrich_day(
    day: Day, settings: Settings, config: Config, outcome: Outcome, *, force: bool = False
) -> None:
    """The LLM step for the papers that lack it (all of them with `force`); what it
    spent goes to the day's metadata."""
    todo = [p for p in day.papers if force or p.llm.status != "done"]
    llm = settings.llm(config)
    if llm is None:
        for paper in todo:
            paper.llm = StepState("skipped", NO_LLM)
        if todo:
            outcome.say(
                "No LLM configured (OPENAI_API_KEY is not set): keyword topics, English text."
            )
        return
    if not todo:
        return
    store = settings.store
    usage = enrich_papers(
        todo,
        config,
        llm,
        store.reply_cache(),
        tracker(),
        html_url=settings.html_url,
        html_interval=settings.api_interval,
        headers={"User-Agent": USER_AGENT},
    )
    outcome.say(f"{day.date}: {usage.describe(config.llm)}")
    if usage.failed:
        outcome.warn(
            f"{usage.failed} papers failed the LLM step and are shown untranslated; "
            "`arxiv-digest enrich` retries them."
        )
    postponed = sum(p.llm == StepState("skipped", BUDGET_LEFT) for p in todo)
    if postponed:
        outcome.warn(
            f"daily token budget ({config.llm.daily_token_budget:,}) reached: {postponed} papers "
            "left for `arxiv-digest enrich`."
        )
    if usage.requests or usage.cache_hits:
        meta = store.read_meta(day.date)
        meta["llm"] = usage.added_to(meta.get("llm", {}), config.llm, llm.model)
        store.write_meta(day.date, meta)


def save_day(day: Day, store: Store, outcome: Outcome) -> bool:
    changed = store.write_day(day)
    outcome.say(
        f"{day.date}: {len(day.papers)} papers "
        + ("stored in " + str(store.path(day.date)) if changed else "unchanged")
    )
    return changed


def carry_over(papers: list[Paper], stored: list[Paper]) -> None:
    """A re-run must not lose what the earlier run had: API extras, translations."""
    earlier = {p.id: p for p in stored}
    for paper in papers:
        old = earlier.get(paper.id)
        if old is None or old.version != paper.version:
            continue
        if paper.api.status != "done" and old.api.status == "done":
            paper.comments, paper.journal_ref, paper.doi = old.comments, old.journal_ref, old.doi
            paper.primary_category, paper.authors = old.primary_category, old.authors
            paper.institutions, paper.api = old.institutions, old.api
        if old.llm.status == "done":  # anything less is tried again (from the cache first)
            paper.title_zh, paper.abstract_zh, paper.tldr = old.title_zh, old.abstract_zh, old.tldr
            paper.topics, paper.institutions, paper.llm = old.topics, old.institutions, old.llm


def publish(settings: Settings, config: Config, *, build: bool, outcome: Outcome) -> None:
    """Render content/ from every stored day, then build site/."""
    content = settings.root / "content"
    if not build:
        every_day = _read_days(settings, config, settings.store.days())
        _say_rendered(write_content(_renderer(settings, config, every_day), content), outcome)
        _say_unreadable(every_day, outcome)
        return
    # Pagefind indexes each quarter on the other core as soon as its days are read, while
    # the rest are read, pages written and MkDocs builds; quarters indexed before with
    # the same documents come from the cache.
    with SearchIndex(config.site.language, settings.root / SEARCH_CACHE) as index:
        days: list[Day] = []
        searchable = 0
        selections = Selections(config.selection.threshold)  # made once, for both
        for _, dates in itertools.groupby(settings.store.days(), key=quarter):
            read = _read_days(settings, config, list(dates))
            documents = search_documents(config, read, selections)
            index.add(documents)
            days += read
            searchable += len(documents)
        renderer = _renderer(settings, config, days, selections)
        _say_rendered(write_content(renderer, content), outcome)
        site = build_site(settings.root, index=index)
    outcome.say(f"site built in {site}, {searchable} papers searchable")
    _say_unreadable(days, outcome)


def _read_days(settings: Settings, config: Config, dates: list[dt.date]) -> list[Day]:
    """Stored days, with only the records a page lists."""
    threshold = config.selection.threshold
    return [settings.store.read_listed(date, threshold) for date in dates]


def _renderer(
    settings: Settings, config: Config, days: list[Day], selections: Selections | None = None
) -> SiteRenderer:
    overrides = settings.root / "overrides"
    return SiteRenderer(
        config, days, site_url(settings.root), overrides=overrides, selections=selections
    )


def _say_unreadable(days: list[Day], outcome: Outcome) -> None:
    """The store named each line as it read it; the outcome says what that left out."""
    unreadable = sum(len(day.unreadable) for day in days)
    if unreadable:
        outcome.warn(
            f"{unreadable} stored records could not be read and are not on the site "
            "(named above): fix or remove those lines"
        )


def _say_rendered(rendered: Rendered, outcome: Outcome) -> None:
    outcome.say(
        f"content/: {rendered.written} files written, {rendered.removed} stale files removed"
    )


def build(settings: Settings) -> Outcome:
    outcome = Outcome()
    publish(settings, settings.config, build=True, outcome=outcome)
    return outcome


def backfill(
    settings: Settings, first: dt.date, last: dt.date, *, force: bool = False, build: bool = True
) -> Outcome:
    """Fill past announcement days from the API's submission dates."""
    if first > last:
        raise DigestError(f"--from {first} is after --to {last}")
    config = settings.config
    store = settings.store
    outcome = Outcome()
    stored = set(store.days())
    with settings.http_client() as client:
        api = settings.api(client)
        for date in schedule.feed_days(first, last):
            if date in stored and not force:
                outcome.say(f"{date}: already stored; skipped (use --force to redo it)")
                continue
            window = schedule.submission_window(date)
            if window is None:
                continue
            entries = list(api.search_submitted(config.categories, *window))
            papers = [paper_from_entry(e, config.categories) for e in entries]
            papers = drop_published(papers, store, date, outcome)
            if papers:
                day = Day(date, papers)
                prepare_day(day, config, store)
                enrich_day(day, settings, config, outcome)
                outcome.changed |= save_day(day, store, outcome)
            else:
                outcome.say(f"{date}: no submissions found in the API")
    if outcome.changed or build:
        publish(settings, config, build=build, outcome=outcome)
    return outcome


def enrich(
    settings: Settings,
    days: list[dt.date] | None = None,
    *,
    force: bool = False,
    build: bool = True,
) -> Outcome:
    """Retry the LLM step for stored papers that lack it (failed or skipped) on `days`
    (default: every stored day). `force` redoes papers already done, after a change of
    topics, prompt or model; unchanged requests still come from the reply cache."""
    config = settings.config
    if settings.llm(config) is None:
        raise EnrichError(
            "no LLM configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a provider other "
            "than OpenAI)"
        )
    store = settings.store
    days = store.days() if days is None else days
    if not days:
        raise EnrichError(f"no stored day in that range ({store.data_dir})")
    outcome = Outcome()
    for day_date in days:
        day = store.read_day(day_date)
        if not force and all(p.llm.status == "done" for p in day.papers):
            continue
        enrich_day(day, settings, config, outcome, force=force)
        outcome.changed |= save_day(day, store, outcome)
    if not outcome.changed:
        outcome.say("Every stored paper is enriched already: nothing to do.")
    if outcome.changed or build:
        publish(settings, config, build=build, outcome=outcome)
    return outcome


LATEST = "latest"  # `enrich --date latest`: the newest stored day


def stored_days(
    store: Store,
    date: dt.date | str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list[dt.date]:
    """The stored days a command names: one date or LATEST, a range, or all."""
    stored = store.days()
    if date == LATEST:
        if not stored:
            raise EnrichError(f"no day is stored in {store.data_dir} yet")
        return stored[-1:]
    if isinstance(date, dt.date):
        if date not in stored:
            raise EnrichError(f"{date} is not stored in {store.data_dir}")
        return [date]
    return [d for d in stored if (first is None or d >= first) and (last is None or d <= last)]


def paper_from_entry(entry: ApiEntry, categories: list[str]) -> Paper:
    # The API cannot tell which listing a day carried; a paper whose primary
    # category is one of ours was announced as new there, others as cross-lists.
    announce: AnnounceType = "new" if entry.primary_category in categories else "cross"
    paper = Paper(
        id=entry.id,
        version=entry.version,
        title=entry.title,
        authors=entry.authors,
        abstract=entry.abstract,
        categories=entry.categories,
        primary_category=entry.primary_category,
        announce_type=announce,
    )
    apply_entry(paper, entry)
    return paper
