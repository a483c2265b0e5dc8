"""The day, top to bottom: fetch → complete → triage → enrich → store → render → build.

Each command of the CLI is one function here. Collaborators (URLs, pauses,
the HTTP client) come in through `Settings`, so tests point them at loopback
servers instead of patching anything.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator import __version__
from generator.config import Config, load_config
from generator.enrich import Crawl, LLMSettings, enrich_papers
from generator.enrich.crawl import FALLBACK_DELAY
from generator.enrich.firstpage import DEFAULT_HTML_URL
from generator.environment import Environment
from generator.errors import DigestError, EnrichError, StoreError
from generator.files import exclusive, remove_partial_writes
from generator.models import (
    BUDGET_LEFT,
    FIRST_PAGE_LATER,
    NO_LLM,
    AnnounceType,
    Day,
    Paper,
    StepState,
)
from generator.progress import tracker
from generator.render import Rendered, render_site
from generator.render.search import search_documents
from generator.render.selections import UNSORTED_NAME, Selections
from generator.selection import lacks_details
from generator.site import SearchIndex, build_site, quarter, site_url
from generator.sources import schedule
from generator.sources.api import DEFAULT_API_URL, ApiEntry, ArxivApi
from generator.sources.http import ArxivHttp, RetryPolicy
from generator.sources.rss import DEFAULT_RSS_URL, fetch_feed
from generator.store import Store, carry_over, merge_day, refuse_foreign
from generator.topics import retriage as retriage_papers
from generator.topics import stale_hits, triage

log = logging.getLogger(__name__)

USER_AGENT = f"arxiv-digest/{__version__} (+https://github.com/arxiv-digest)"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
            retry=RetryPolicy(backoff_seconds=environment.retry_backoff),
            timeout=environment.http_timeout,
            html_url=environment.html_url or DEFAULT_HTML_URL,
            environment=environment,
        )

    def llm(self, config: Config) -> LLMSettings | None:
        return LLMSettings.from_environment(config.llm, self.environment)

    @property
    def config(self) -> Config:
        return load_config(self.root / "digest.yml")

    @property
    def store(self) -> Store:
        return Store(self.root / "data")

    def http_client(self) -> ArxivHttp:
        """arXiv's connection; `timeout` is each request's whole deadline."""
        return ArxivHttp(deadline=self.timeout, headers={"User-Agent": USER_AGENT})

    def crawl(self, config: Config) -> Crawl:
        """One command's reading of arXiv's HTML pages: robots.txt once, a page cap."""
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
        refuse_unannounced(feed.date, settings.now())
        stored = store.stored(feed.date)  # refused here, before arXiv's API and the LLM
        refuse_foreign(stored.papers, feed.date, [p.id for p in feed.papers])
        papers = drop_published(feed.papers, store, feed.date, outcome)
        if not papers:
            outcome.say(f"All {len(feed.papers)} papers of {feed.date} were published before.")
            return outcome
        complete_from_api(papers, settings.api(client), outcome)
    day = Day(feed.date, papers)
    prepare_day(day, config, stored.papers, outcome)
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


def prepare_day(
    day: Day, config: Config, stored: list[Paper], outcome: Outcome | None = None
) -> None:
    """Keyword triage, then merge with what is `stored` for the day: every stored paper
    stays, and keeps what an earlier run learnt about it."""
    triage(day.papers, config)
    merged = merge_day(stored, day.papers)
    day.papers = merged.papers
    if outcome is not None and merged.kept:
        outcome.warn(
            f"{day.date}: {merged.kept} stored papers this listing lacks were kept "
            "(a re-run never drops what is stored)"
        )
    if outcome is not None and merged.newer:
        outcome.say(f"{day.date}: {merged.newer} papers replaced by their newer version")


def refuse_unannounced(date: dt.date, now: dt.datetime) -> None:
    """A feed dated after arXiv's next announcement is wrong, not early: storing it
    would make it the home page of the site."""
    latest = schedule.latest_feed_day(now)
    if date > latest:
        raise DigestError(
            f"the feed is dated {date}, after arXiv's next announcement ({latest}): "
            "refused, nothing was changed"
        )


def enrich_day(
    day: Day,
    settings: Settings,
    config: Config,
    outcome: Outcome,
    *,
    force: bool = False,
    crawl: Crawl | None = None,
) -> None:
    """The LLM step for the papers that lack it (all of them with `force`); what it
    spent goes to the day's metadata. `crawl`: the command's, when it enriches several
    days (robots.txt is read once, the page cap holds for all); default: a new one."""
    threshold = config.selection.threshold
    todo = [p for p in day.papers if force or needs_llm(p, threshold)]
    llm = settings.llm(config)
    if llm is None:
        todo = [p for p in todo if p.llm.status != "done"]
        for paper in todo:
            paper.llm = StepState("skipped", NO_LLM)
        if todo:
            outcome.say(
                "No LLM configured (OPENAI_API_KEY is not set): keyword topics, English text."
            )
        return
    if not todo:
        return
    # A redo (--force) that fails must not cost a paper the translation it had.
    earlier = {p.id: copy.deepcopy(p) for p in todo if p.llm.status == "done"}
    store = settings.store
    usage = enrich_papers(
        todo,
        config,
        llm,
        store.reply_cache(),
        tracker(),
        crawl=crawl or settings.crawl(config),
        headers={"User-Agent": USER_AGENT},
    )
    outcome.say(f"{day.date}: {usage.describe(config.llm)}")
    kept = [p for p in todo if p.id in earlier and p.llm.status != "done"]
    for paper in kept:
        carry_over(paper, earlier[paper.id])
    if kept:
        outcome.warn(f"{len(kept)} papers kept their earlier translation: asking again failed")
    if usage.failed:
        outcome.warn(
            f"{usage.failed} papers failed the LLM step and are shown untranslated; "
            "`arxiv-digest enrich` retries them."
        )
    later = sum(p.llm == StepState("done", FIRST_PAGE_LATER) for p in todo)
    if later:
        outcome.say(
            f"{later} papers keep arXiv's affiliations until their first page is read "
            "(llm.first_pages_per_run); the next run or `arxiv-digest enrich` reads them."
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


def needs_llm(paper: Paper, threshold: int) -> bool:
    """The LLM step is not done, or it is but the paper was listed only later (a lower
    threshold, other topics) and lacks the abstract and summary a listed paper gets, or
    its first page is still to be read."""
    return (
        paper.llm.status != "done"
        or paper.llm.reason == FIRST_PAGE_LATER
        or lacks_details(paper, threshold)
    )


def save_day(day: Day, store: Store, outcome: Outcome) -> bool:
    changed = store.write_day(day)
    outcome.say(
        f"{day.date}: {len(day.papers)} papers "
        + ("stored in " + str(store.path(day.date)) if changed else "unchanged")
    )
    return changed


def publish(settings: Settings, config: Config, *, build: bool, outcome: Outcome) -> None:
    """Render content/ from every stored day, then build site/."""
    if not build:
        every_day = _read_days(settings, config, settings.store.days())
        _say_rendered(_render(settings, config, every_day), outcome)
        report_stale_topics(config, every_day, outcome)
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
        _say_rendered(_render(settings, config, days, selections), outcome)
        site = build_site(settings.root, index=index)
    report_stale_topics(config, days, outcome)
    outcome.say(f"site built in {site}, {searchable} papers searchable")
    _say_unreadable(days, outcome)


def report_stale_topics(config: Config, days: list[Day], outcome: Outcome) -> None:
    """Say which stored topics digest.yml no longer has, and what puts them right."""
    stale = stale_hits(config, [p for day in days for p in day.papers])
    if stale:
        named = ", ".join(f"{where} ({count} papers)" for where, count in stale.most_common(5))
        outcome.warn(
            f"stored papers are listed under topics digest.yml no longer has: {named}"
            f"{' and more' if len(stale) > 5 else ''}; papers of a renamed sub-topic are "
            f"shown under {UNSORTED_NAME}, of a renamed topic nowhere: run "
            "`arxiv-digest retriage` (then `arxiv-digest enrich`) to sort them again"
        )
    lacking = sum(lacks_details(p, config.selection.threshold) for d in days for p in d.papers)
    if lacking:
        outcome.warn(
            f"{lacking} listed papers lack a translated abstract and summary (listed after "
            "their LLM step): `arxiv-digest enrich` completes them"
        )


def retriage(settings: Settings, days: list[dt.date], *, build: bool = True) -> Outcome:
    """Sort stored days into digest.yml's topics again by keywords, offline."""
    config = settings.config
    store = settings.store
    if not days:
        raise DigestError(f"no stored day in that range ({store.data_dir})")
    outcome = Outcome()
    for date in days:
        day = store.read_day(date)
        changed = retriage_papers(day.papers, config)
        if changed:
            outcome.say(f"{date}: {changed} papers sorted into the topics again")
            outcome.changed |= store.write_day(day)
    if not outcome.changed:
        outcome.say("Every stored paper fits digest.yml's topics already: nothing to do.")
    if outcome.changed or build:
        publish(settings, config, build=build, outcome=outcome)
    return outcome


def _read_days(settings: Settings, config: Config, dates: list[dt.date]) -> list[Day]:
    """Stored days, with only the records a page lists."""
    threshold = config.selection.threshold
    return [settings.store.read_listed(date, threshold) for date in dates]


def _render(
    settings: Settings, config: Config, days: list[Day], selections: Selections | None = None
) -> Rendered:
    content = settings.root / "content"  # beside overrides/, the theme render_site reads
    return render_site(config, days, content, site_url(settings.root), selections=selections)


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
    days = schedule.feed_days(first, last)
    if not days:
        outcome.say(
            f"No announcement day from {first} to {last} (weekends and arXiv holidays have "
            "none): nothing to fill."
        )
        return outcome
    crawl = settings.crawl(config)
    with settings.http_client() as client:
        api = settings.api(client)
        for date in days:
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
                earlier = store.stored(date).papers  # --force: merged, never replaced
                refuse_foreign(earlier, date, [p.id for p in papers])
                day = Day(date, papers)
                prepare_day(day, config, earlier, outcome)
                enrich_day(day, settings, config, outcome, crawl=crawl)
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
    """Retry the LLM step for stored papers that lack it (failed or skipped, or listed
    without their details) on `days` (default: every stored day). `force` redoes papers
    already done, after a change of topics, prompt or model; unchanged requests still
    come from the reply cache."""
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
    crawl = settings.crawl(config)
    for day_date in days:
        try:
            day = store.stored(day_date)
        except StoreError as exc:  # one broken day must not hold up the others
            outcome.warn(f"{day_date}: skipped: {exc}")
            continue
        if not force and not any(needs_llm(p, config.selection.threshold) for p in day.papers):
            continue
        enrich_day(day, settings, config, outcome, force=force, crawl=crawl)
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
