"""The site from the archive: content/ rendered from every stored day, then site/ built
with its search bundles. Every command that changes data/ ends here."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from dataclasses import replace

from generator import split
from generator.config import Config
from generator.models import Day
from generator.render import Rendered, render_site
from generator.render.search import search_documents
from generator.render.selections import UNSORTED_NAME, Selections
from generator.selection import lacks_details
from generator.settings import Settings
from generator.site import SearchIndex, build_site, quarter, site_url
from generator.split import ONE_SITE, Edges
from generator.topics import stale_hits

log = logging.getLogger(__name__)

SEARCH_CACHE = ".cache/search"  # finished search bundles by quarter (not committed)


def publish(settings: Settings, config: Config, *, build: bool, older: bool = False) -> None:
    """Render content/ from every stored day, then build site/; in an archive split over
    two sites, the newer site's days, or with `older` the older site's, in older/."""
    part = split.part(settings.root, config.archive, settings.store.days(), older=older)
    settings = replace(settings, root=part.root)  # older/ reads the project's data/ (linked)
    if not build:
        every_day = _read_days(settings, config, part.dates)
        _say_rendered(_render(settings, config, every_day, edges=part.edges))
        report_stale_topics(config, every_day)
        _say_unreadable(every_day)
        return
    # Pagefind indexes each quarter on the other core as soon as its days are read, while
    # the rest are read, pages written and MkDocs builds; quarters indexed before with
    # the same documents come from the cache.
    cache, elsewhere = settings.root / SEARCH_CACHE, part.searched_elsewhere()
    with SearchIndex(config.site.language, cache, elsewhere) as index:
        days: list[Day] = []
        searchable = 0
        selections = Selections(config.selection.threshold)  # made once, for both
        for _, dates in itertools.groupby(part.dates, key=quarter):
            read = _read_days(settings, config, list(dates))
            documents = search_documents(config, read, selections)
            index.add(documents)
            days += read
            searchable += len(documents)
        _say_rendered(_render(settings, config, days, selections, part.edges))
        site = build_site(settings.root, index=index)
    report_stale_topics(config, days)
    log.info("site built in %s, %d papers searchable", site, searchable)
    _say_unreadable(days)


def report_stale_topics(config: Config, days: list[Day]) -> None:
    """Say which stored topics digest.yml no longer has, and what puts them right."""
    stale = stale_hits(config, [p for day in days for p in day.papers])
    if stale:
        named = ", ".join(f"{where} ({count} papers)" for where, count in stale.most_common(5))
        log.warning(
            f"stored papers are listed under topics digest.yml no longer has: {named}"
            f"{' and more' if len(stale) > 5 else ''}; papers of a renamed sub-topic are "
            f"shown under {UNSORTED_NAME}, of a renamed topic nowhere: run "
            "`arxiv-digest retriage` (then `arxiv-digest enrich`) to sort them again"
        )
    lacking = sum(lacks_details(p, config.selection.threshold) for d in days for p in d.papers)
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


def _render(
    settings: Settings,
    config: Config,
    days: list[Day],
    selections: Selections | None = None,
    edges: Edges = ONE_SITE,
) -> Rendered:
    content = settings.root / "content"  # beside overrides/, the theme render_site reads
    return render_site(
        config,
        days,
        content,
        site_url(settings.root),
        selections=selections,
        # Whole-day pages list every paper: each day read whole while its page is made,
        # so the archive's unlisted papers are never all in memory at once.
        all_papers=lambda day: settings.store.read_day(day.date).papers,
        edges=edges,
    )


def _say_unreadable(days: list[Day]) -> None:
    """The store named each line as it read it; this says what that left out."""
    unreadable = sum(len(day.unreadable) for day in days)
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
