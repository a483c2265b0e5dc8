"""The site from the archive: content/ rendered from every stored day, then site/ built
with its search bundles. Every command that changes data/ ends here."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import split
from generator.config import Config
from generator.models import Day, Paper
from generator.periods import Period, weeks_and_months
from generator.render import Rendered, Renderer
from generator.render.days import neighbours_of
from generator.render.feeds import FEED_DAYS, weekly_feed_dates
from generator.render.search import search_documents
from generator.render.selections import UNSORTED_NAME, Selections
from generator.selection import lacks_details
from generator.settings import Settings
from generator.site import SearchIndex, build_site, quarter, site_url
from generator.site.held import HeldFolders
from generator.site.months import (
    CachedMonth,
    MonthCache,
    MonthSummary,
    Unit,
    fingerprint,
    month_of,
    unit_of,
    weeks_around,
)
from generator.split import ONE_SITE, Edges
from generator.store import Store, listed_day
from generator.topics import stale_hits

log = logging.getLogger(__name__)

SEARCH_CACHE = ".cache/search"  # finished search bundles by quarter (not committed)
PAGES_CACHE = ".cache/pages"  # built months (site/months.py; not committed)


def publish(settings: Settings, config: Config, *, build: bool, older: bool = False) -> None:
    """Render content/ from every stored day, then build site/; in an archive split over
    two sites, the newer site's days, or with `older` the older site's, in older/."""
    part = split.part(settings.root, config.archive, settings.store.days(), older=older)
    settings = replace(settings, root=part.root)  # older/ reads the project's data/ (linked)
    if build:
        _build(settings, config, part)
        return
    days = _read_days(settings, config, part.dates)
    renderer = _renderer(settings, config, [day.date for day in days], edges=part.edges)
    renderer.day_pages(days)
    renderer.period_pages(weeks_and_months(part.dates), days)
    _say_rendered(renderer.finish(days))
    report_stale_topics(config, _stale(config, days), _lacking(config, days))
    _say_unreadable(sum(len(day.unreadable) for day in days))


def _build(settings: Settings, config: Config, part: split.Part) -> None:
    """The archive a quarter at a time, each quarter a month at a time (`_Months`).
    Pagefind indexes each quarter on the other core as soon as its documents are known
    (a quarter with the same documents comes from its own cache), and MkDocs builds
    what was rendered, the cached months put in beside it."""
    dates = part.dates
    url = site_url(settings.root)
    selections = Selections(config.selection.threshold)  # made once, for both
    whole = WholeDays(settings.store)
    months = _Months(
        settings,
        config,
        dates,
        MonthCache(settings.root / PAGES_CACHE, fingerprint(settings.root, url), settings.store),
        _renderer(settings, config, dates, selections, part.edges, whole),
        selections,
        part.edges,
        whole,
    )
    cache, elsewhere = settings.root / SEARCH_CACHE, part.searched_elsewhere()
    with SearchIndex(config.site.language, cache, elsewhere) as index:
        for _, in_quarter in itertools.groupby(dates, key=quarter):
            documents: dict[str, str] = {}
            for _, in_month in itertools.groupby(in_quarter, key=month_of):
                documents |= months.month(list(in_month)).documents
            index.add(documents)
            months.searchable += len(documents)
        _say_rendered(months.renderer.finish(months.held))
        held = HeldFolders(settings.root)
        site = build_site(settings.root, index=index, reused=months.reused, held=held)
    months.keep(site, held)
    report_stale_topics(config, months.stale, months.lacking)
    log.info(
        "site built in %s, %d papers searchable; months: %d built, %d from the cache",
        site,
        months.searchable,
        len({month_of(date) for date in dates}) - len(months.reused),
        len(months.reused),
    )
    _say_unreadable(months.unreadable)


@dataclass
class _Months:
    """A build's months, one after another, and what they gave."""

    settings: Settings
    config: Config
    dates: list[dt.date]  # every stored day
    cache: MonthCache
    renderer: Renderer
    selections: Selections
    edges: Edges  # where the other site of a split archive goes on (split.py)
    whole: WholeDays  # the renderer's every paper of a day (its all_papers)
    held: list[Day] = field(default_factory=list)  # every day, as `_kept` keeps it
    reused: list[CachedMonth] = field(default_factory=list)
    built: list[tuple[Unit, str, MonthSummary]] = field(default_factory=list)  # to keep
    stale: Counter[str] = field(default_factory=Counter)
    lacking: int = 0
    unreadable: int = 0
    searchable: int = 0
    # The last week's days of the month read before, whole: the next month's first
    # week may have begun among them (site/months.py), and need not read them again.
    tail: list[Day] = field(default_factory=list)

    @functools.cached_property
    def recent(self) -> set[dt.date]:
        """The days the site-wide pages show, kept whole: the newest ones, and those of
        the weeks in the weekly feeds."""
        newest = self.dates[-_recent_days(self.config) :]
        return {*newest, *weekly_feed_dates(self.dates)}

    def month(self, month_dates: list[dt.date]) -> MonthSummary:
        """One month and the weeks it owns (site/months.py): from the build cache when
        their inputs are unchanged (not read, rendered or built again; only the month's
        recent days are read, for the site-wide pages), else read and their pages
        written. Its summary holds its documents."""
        unit = unit_of(self.dates, month_dates)
        around = [*_around(self.dates, month_dates, self.edges), *weeks_around(self.dates, unit)]
        key = self.cache.key([*unit.before, *month_dates], around)
        cached = self.cache.get(unit, key, self.settings.root / "content")
        recent = self.recent
        if cached:
            self.renderer.content.keep(cached.summary.content)
            self.reused.append(cached)
            summary = cached.summary
            read = _read_days(self.settings, self.config, [d for d in month_dates if d in recent])
        else:
            read = self.whole.read_month(month_dates, self.config.selection.threshold)
            summary = _summary(self.config, read, self.selections)
            if self._render(unit, read):  # else read, and named, again
                self.built.append((unit, key, summary))
        self.tail = [day for day in read if day.date in Period.week_of(month_dates[-1])]
        self.held += _kept(read, summary, recent, self.selections)
        self.stale += summary.stale
        self.lacking += summary.lacking
        self.unreadable += sum(len(day.unreadable) for day in read)
        return summary

    def _render(self, unit: Unit, read: list[Day]) -> bool:
        """The month's pages, its days' and its weeks', with the days of the month
        before in its weeks (from `tail`, or read again). Whether every record was read."""
        self.renderer.day_pages(read)
        self.whole.let_go()
        before = [day for day in self.tail if day.date in unit.before]
        unread = [date for date in unit.before if date not in {day.date for day in before}]
        before += _read_days(self.settings, self.config, unread)
        periods = [Period.month_of(unit.dates[0]), *unit.weeks]
        self.renderer.period_pages(periods, [*before, *read])
        for day in before:
            if day.date not in self.recent:
                self.selections.forget(day.date)
        return not any(day.unreadable for day in [*before, *read])

    def keep(self, site: Path, held: HeldFolders) -> None:
        """The months built now into the cache, the entries no longer used removed,
        and what site/ now holds from the cache noted for the next build (held.py)."""
        for unit, key, summary in self.built:
            self.cache.put(unit, key, self.settings.root / "content", site, summary)
            for folder in unit.folders:
                held.placed(folder, self.cache.entry(unit, key) / "site" / folder)
        held.remember()
        names = [m.folder.name for m in self.reused] + [f"{u.month}-{k}" for u, k, _ in self.built]
        self.cache.prune(names)


def _recent_days(config: Config) -> int:
    """How many of the newest days the site-wide pages show: the topic histories, the
    daily feeds, and the home page with the day before it."""
    return max(config.selection.topic_page_days, FEED_DAYS, 2)


def _around(
    dates: list[dt.date], month: list[dt.date], edges: Edges
) -> tuple[dt.date | None, dt.date | None]:
    """The days before and after a month: its first and last days link to them (on
    the other site of a split archive, past this site's ends)."""
    before = neighbours_of(dates, month[0], edges)[0]
    after = neighbours_of(dates, month[-1], edges)[1]
    return (before.date if before else None), (after.date if after else None)


def _summary(config: Config, days: list[Day], selections: Selections) -> MonthSummary:
    return MonthSummary(
        counts={day.date.isoformat(): day.counts() for day in days},
        documents=search_documents(config, days, selections),
        stale=_stale(config, days),
        lacking=_lacking(config, days),
    )


def _kept(
    read: list[Day], summary: MonthSummary, recent: set[dt.date], selections: Selections
) -> list[Day]:
    """A month's days as the site-wide pages need them: the recent ones whole, the
    others by their counts alone (the archive calendar), their papers let go."""
    whole = {day.date: day for day in read if day.date in recent}
    kept = []
    for iso, counts in summary.counts.items():
        date = dt.date.fromisoformat(iso)
        if date in whole:
            kept.append(whole[date])
        else:
            kept.append(Day(date, [], counts_of_all=counts))
            selections.forget(date)
    return kept


def _stale(config: Config, days: list[Day]) -> Counter[str]:
    return stale_hits(config, [p for day in days for p in day.papers])


def _lacking(config: Config, days: list[Day]) -> int:
    return sum(lacks_details(p, config.selection.threshold) for d in days for p in d.papers)


def report_stale_topics(config: Config, stale: Counter[str], lacking: int) -> None:
    """Say which stored topics digest.yml no longer has, and what puts them right."""
    if stale:
        named = ", ".join(f"{where} ({count} papers)" for where, count in stale.most_common(5))
        log.warning(
            f"stored papers are listed under topics digest.yml no longer has: {named}"
            f"{' and more' if len(stale) > 5 else ''}; papers of a renamed sub-topic are "
            f"shown under {UNSORTED_NAME}, of a renamed topic nowhere: run "
            "`arxiv-digest retriage` (then `arxiv-digest enrich`) to sort them again"
        )
    if lacking:
        log.warning(
            "%d listed papers lack a translated abstract and summary (listed after "
            "their LLM step): `arxiv-digest enrich` completes them",
            lacking,
        )


def _read_days(settings: Settings, config: Config, dates: list[dt.date]) -> list[Day]:
    """Stored days, with only the records a page lists."""
    threshold = config.selection.threshold
    return [settings.store.read_listed(date, threshold) for date in dates]


def _renderer(
    settings: Settings,
    config: Config,
    dates: list[dt.date],
    selections: Selections | None = None,
    edges: Edges = ONE_SITE,
    whole: WholeDays | None = None,
) -> Renderer:
    return Renderer(
        config,
        settings.root / "content",  # beside overrides/, the theme the renderer reads
        site_url(settings.root),
        dates=dates,
        selections=selections,
        all_papers=whole or WholeDays(settings.store),
        edges=edges,
    )


class WholeDays:
    """Every paper of a day, for its whole-day page. A built month's days are read
    whole once, and what the other pages list is taken from them (store.listed_day):
    each record is parsed once, not once for the topic pages and again for the
    whole-day page (half the time of building a month at 250 days). Only the month
    being built is held, so the archive's unlisted papers are never all in memory."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.held: dict[dt.date, list[Paper]] = {}

    def read_month(self, dates: list[dt.date], threshold: int) -> list[Day]:
        """The month's days with only the records a page lists; all of them held."""
        days = [self.store.read_day(date) for date in dates]
        self.held = {day.date: day.papers for day in days}
        return [listed_day(day, threshold) for day in days]

    def let_go(self) -> None:
        self.held = {}

    def __call__(self, day: Day) -> list[Paper]:
        held = self.held.get(day.date)
        return held if held is not None else self.store.read_day(day.date).papers


def _say_unreadable(unreadable: int) -> None:
    """The store named each line as it read it; this says what that left out."""
    if unreadable:
        log.warning(
            "%d stored records could not be read and are not on the site "
            "(named above): fix or remove those lines",
            unreadable,
        )


def _say_rendered(rendered: Rendered) -> None:
    log.info(
        "content/: %d files written, %d stale files removed", rendered.written, rendered.removed
    )
