"""The commands, each the day's steps in order: fetch → complete → triage → merge with
what is stored → enrich → store → publish (render and build).

Each step lives with what it works on: `sources/` reads arXiv, `topics` and `enrich/`
find topics and translations, `record` puts what they found into the record, `store`
keeps and merges days, `publish` renders and builds. Collaborators (URLs, pauses,
the HTTP client) come in through `Settings`.
"""

from __future__ import annotations

import datetime as dt
import logging

from generator import record
from generator.config import Config
from generator.enrich import Crawl
from generator.enrich.day import enrich_day
from generator.errors import DigestError, EnrichError, StoreError
from generator.models import Day, Paper
from generator.publish import publish
from generator.selection import needs_llm
from generator.settings import USER_AGENT, Settings
from generator.sources import schedule
from generator.sources.api import ArxivApi
from generator.sources.rss import fetch_feed
from generator.store import merged_day, refuse_foreign
from generator.topics import retriage as retriage_topics
from generator.topics import triage

log = logging.getLogger(__name__)


def run(settings: Settings, *, build: bool = True) -> None:
    """Today's announcement into data/, content/ and site/."""
    config, store = settings.config, settings.store
    with settings.http_client() as client:
        feed = fetch_feed(
            client, settings.rss_url, config.categories, policy=settings.retry, sleep=settings.sleep
        )
        for problem in feed.skipped:
            log.warning("feed item skipped: %s", problem)
        if not feed.papers:
            log.info("No announcement in the feed dated %s: nothing to do.", feed.date)
            return
        schedule.refuse_unannounced(feed.date, settings.now())
        stored = store.stored(feed.date)  # refused here, before arXiv's API and the LLM
        refuse_foreign(stored.papers, feed.date, [p.id for p in feed.papers])
        papers = store.unpublished(feed.papers, feed.date)
        if not papers:
            log.info("All %d papers of %s were published before.", len(feed.papers), feed.date)
            return
        record.complete(papers, *settings.api(client).fetch_entries([p.id for p in papers]))
    day = Day(feed.date, papers)
    changed = _add_day(settings, config, day, stored.papers, settings.crawl(config))
    if changed or build:
        publish(settings, config, build=build)


def build(settings: Settings, *, older: bool = False) -> None:
    """content/ and site/ from data/; with `older`, a split archive's older site."""
    publish(settings, settings.config, build=True, older=older)


def backfill(
    settings: Settings, first: dt.date, last: dt.date, *, force: bool = False, build: bool = True
) -> None:
    """Fill past announcement days from the API's submission dates."""
    if first > last:
        raise DigestError(f"--from {first} is after --to {last}")
    config, store = settings.config, settings.store
    days = schedule.feed_days(first, last)
    if not days:
        log.info(
            "No announcement day from %s to %s (weekends and arXiv holidays have none): "
            "nothing to fill.",
            first,
            last,
        )
        return
    stored = set(store.days())
    changed = False
    crawl = settings.crawl(config)
    with settings.http_client() as client:
        api = settings.api(client)
        for date in days:
            if date in stored and not force:
                log.info("%s: already stored; skipped (use --force to redo it)", date)
            else:
                changed |= _backfill_day(settings, config, api, date, crawl)
    if changed or build:
        publish(settings, config, build=build)


def retriage(settings: Settings, days: list[dt.date], *, build: bool = True) -> None:
    """Sort stored days into digest.yml's topics again by keywords, offline."""
    config, store = settings.config, settings.store
    if not days:
        raise DigestError(f"no stored day in that range ({store.data_dir})")
    changed = False
    for date in days:
        day = store.read_day(date)
        moved = record.with_topics(day.papers, retriage_topics(day.papers, config))
        if moved:
            log.info("%s: %d papers sorted into the topics again", date, moved)
            changed |= store.write_day(day)
    if not changed:
        log.info("Every stored paper fits digest.yml's topics already: nothing to do.")
    if changed or build:
        publish(settings, config, build=build)


def enrich(
    settings: Settings, days: list[dt.date], *, force: bool = False, build: bool = True
) -> None:
    """Retry the LLM step for stored papers that lack it (failed or skipped, or listed
    without their details) on `days`. `force` redoes papers already done, after a
    change of topics, prompt or model; unchanged requests still come from the cache."""
    config, store = settings.config, settings.store
    llm = settings.llm(config)
    if llm is None:
        raise EnrichError(
            "no LLM configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a provider other "
            "than OpenAI)"
        )
    if not days:
        raise EnrichError(f"no stored day in that range ({store.data_dir})")
    changed = False
    crawl = settings.crawl(config)
    for date in days:
        try:
            day = store.stored(date)
        except StoreError as exc:  # one broken day must not hold up the others
            log.warning("%s: skipped: %s", date, exc)
            continue
        if force or any(needs_llm(p, config.selection.threshold) for p in day.papers):
            enrich_day(day, config, llm, store, crawl, headers=_HEADERS, force=force)
            changed |= store.save(day)
    if not changed:
        log.info("Every stored paper is enriched already: nothing to do.")
    if changed or build:
        publish(settings, config, build=build)


_HEADERS = {"User-Agent": USER_AGENT}


def _backfill_day(
    settings: Settings, config: Config, api: ArxivApi, date: dt.date, crawl: Crawl | None
) -> bool:
    """One past day from the API's submissions of its window. True when data/ changed."""
    window = schedule.submission_window(date)
    if window is None:
        return False
    entries = api.search_submitted(config.categories, *window)
    papers = [record.from_entry(e, config.categories) for e in entries]
    papers = settings.store.unpublished(papers, date)
    if not papers:
        log.info("%s: no submissions found in the API", date)
        return False
    earlier = settings.store.stored(date).papers  # --force: merged, never replaced
    refuse_foreign(earlier, date, [p.id for p in papers])
    return _add_day(settings, config, Day(date, papers), earlier, crawl)


def _add_day(
    settings: Settings, config: Config, day: Day, stored: list[Paper], crawl: Crawl | None
) -> bool:
    """A new listing's steps after arXiv: keyword topics, the merge with what is stored
    (nothing stored is lost), the LLM step, the store. True when data/ changed."""
    record.with_topics(day.papers, triage(day.papers, config))
    day = merged_day(day.date, stored, day.papers)
    llm, store = settings.llm(config), settings.store
    enrich_day(day, config, llm, store, crawl, headers=_HEADERS)
    return store.save(day)
