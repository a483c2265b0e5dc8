"""The site from the archive: content/ rendered from every stored day, then site/ built
with its search bundles. Every command that changes data/ ends here."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import split
from generator.config import Config
from generator.models import Day
from generator.month_pages import (
    MonthMade,
    Recipe,
    kept,
    lacking,
    made_months,
    read_days,
    recent_dates,
    renderer,
    stale,
)
from generator.periods import weeks_and_months
from generator.render import Rendered, Renderer
from generator.render.days import full_pages, neighbours_of
from generator.render.selections import UNSORTED_NAME
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
from generator.split import Edges

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
    days = read_days(settings, config, part.dates)
    pages = renderer(settings, config, [day.date for day in days], edges=part.edges)
    pages.day_pages(days)
    pages.period_pages(weeks_and_months(part.dates), days)
    _say_rendered(pages.finish(days))
    report_stale_topics(config, stale(config, days), lacking(config, days))
    _say_unreadable(sum(len(day.unreadable) for day in days))


def _build(settings: Settings, config: Config, part: split.Part) -> None:
    """The archive a quarter at a time, each quarter a month at a time (`_Months`).
    The months the build cache lacks are made on every core (month_pages.py), Pagefind
    indexes each quarter on a core of its own as soon as its documents are known (a
    quarter with the same documents comes from its own cache), and MkDocs builds what
    was rendered, the cached months put in beside it."""
    dates = part.dates
    url = site_url(settings.root)
    months = _Months(
        settings,
        config,
        dates,
        MonthCache(settings.root / PAGES_CACHE, fingerprint(settings.root, url), settings.store),
        renderer(settings, config, dates, edges=part.edges),
        part.edges,
    )
    plans = [months.plan(list(in_month)) for _, in_month in itertools.groupby(dates, month_of)]
    to_make = [plan.unit for plan in plans if plan.cached is None]
    cache, elsewhere = settings.root / SEARCH_CACHE, part.searched_elsewhere()
    with SearchIndex(config.site.language, cache, elsewhere) as index:
        making = frozenset(unit.month for unit in to_make)
        recipe = Recipe(settings, config, dates, part.edges, making)
        with made_months(recipe, to_make) as made:
            for _, in_quarter in itertools.groupby(plans, key=lambda plan: plan.quarter):
                documents: dict[str, str] = {}
                for plan in in_quarter:
                    documents |= months.take(plan, made).documents
                index.add(documents)
                months.searchable += len(documents)
        _say_rendered(months.renderer.finish(months.held))
        held = HeldFolders(settings.root)
        site = build_site(settings.root, index=index, reused=months.reused, held=held)
    months.keep(site, held)
    report_stale_topics(config, months.stale, months.lacking)
    reused = len(months.reused)
    log.info(
        "site built in %s, %d papers searchable; months: %d built, %d from the cache",
        *(site, months.searchable, len(plans) - reused, reused),
    )
    _say_unreadable(months.unreadable)


@dataclass(frozen=True)
class _Plan:
    """A month of the build: its unit, the key of its inputs and its cache entry."""

    unit: Unit
    key: str
    cached: CachedMonth | None

    @property
    def quarter(self) -> str:
        return quarter(self.unit.dates[0])


@dataclass
class _Months:
    """A build's months, one after another, and what they gave."""

    settings: Settings
    config: Config
    dates: list[dt.date]  # every stored day
    cache: MonthCache
    renderer: Renderer  # of the site-wide pages; the months are made by month_pages.py
    edges: Edges  # where the other site of a split archive goes on (split.py)
    held: list[Day] = field(default_factory=list)  # every day, as `kept` keeps it
    reused: list[CachedMonth] = field(default_factory=list)
    built: list[tuple[Unit, str, MonthSummary]] = field(default_factory=list)  # to keep
    stale: Counter[str] = field(default_factory=Counter)
    lacking: int = 0
    unreadable: int = 0
    searchable: int = 0

    @functools.cached_property
    def recent(self) -> set[dt.date]:
        return recent_dates(self.config, self.dates)

    def plan(self, month_dates: list[dt.date]) -> _Plan:
        """The month's unit (site/months.py), its key, and its entry when the build
        cache holds one for the key."""
        unit = unit_of(self.dates, month_dates)
        around = [*_around(self.dates, month_dates, self.edges), *weeks_around(self.dates, unit)]
        form = "full" if full_pages(self.config, month_dates[0], self.dates) else "light"
        key = self.cache.key([*unit.before, *month_dates], around, form)
        return _Plan(unit, key, self.cache.get(unit, key, self.settings.root / "content"))

    def take(self, plan: _Plan, made: Iterator[MonthMade]) -> MonthSummary:
        """One month and the weeks it owns: from the build cache when their inputs are
        unchanged (not read, rendered or built again; only the month's recent days are
        read, for the site-wide pages), else the next of `made`, whose pages are written.
        Its summary holds its documents."""
        if plan.cached:
            summary = plan.cached.summary
            self.renderer.content.keep(summary.content)
            self.reused.append(plan.cached)
            recent = [d for d in plan.unit.dates if d in self.recent]
            read = read_days(self.settings, self.config, recent)
            self.held += kept(read, summary, self.recent)
            self.unreadable += sum(len(day.unreadable) for day in read)
        else:
            month = next(made)
            summary = month.summary
            self.renderer.content.merge(month.paths, month.written)
            if month.complete:  # else read, and named, again
                self.built.append((plan.unit, plan.key, summary))
            self.held += month.kept
            self.unreadable += month.unreadable
        self.stale += summary.stale
        self.lacking += summary.lacking
        return summary

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


def _around(
    dates: list[dt.date], month: list[dt.date], edges: Edges
) -> tuple[dt.date | None, dt.date | None]:
    """The days before and after a month: its first and last days link to them (on
    the other site of a split archive, past this site's ends)."""
    before = neighbours_of(dates, month[0], edges)[0]
    after = neighbours_of(dates, month[-1], edges)[1]
    return (before.date if before else None), (after.date if after else None)


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
