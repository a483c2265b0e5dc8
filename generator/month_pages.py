"""A month's pages made from its records, here or on every core.

A build renders the months its cache lacks (publish.py). Rendering is pure Python,
so one process uses one core: with two months or more to make, each is made in a
worker process of its own (spawned, not forked: the search index's threads are
running), the months given out in order and their results taken back in order, so
the site is the same whichever process made a month. A worker writes the month's
files into content/ itself and gives back what the build needs of them: the paths,
the search documents, the days the site-wide pages show. Its log records go to the
build's own handlers.

At 60 days, making the months was three quarters of a build that renders every page
again (a changed template): bench/README.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import multiprocessing
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field

from generator.config import Config
from generator.errors import RenderError
from generator.models import Day, Paper
from generator.periods import Period
from generator.render import Renderer
from generator.render.feeds import FEED_DAYS, weekly_feed_dates
from generator.render.search import search_documents
from generator.render.selections import Selections
from generator.selection import lacks_details
from generator.settings import Settings
from generator.site import site_url
from generator.site.months import MonthSummary, Unit, month_of
from generator.site.process import cores
from generator.split import ONE_SITE, Edges
from generator.store import Store, listed_day
from generator.topics import stale_hits


@dataclass(frozen=True)
class MonthMade:
    """What making a month's pages gave the build."""

    summary: MonthSummary
    complete: bool  # every record was read (else the month is not cached)
    paths: list[str]  # the content/ files it made
    written: int  # of them, those that changed
    kept: list[Day]  # its days as the site-wide pages need them (`kept`)
    unreadable: int  # records that could not be read


@dataclass(frozen=True)
class Recipe:
    """All a process needs to make months: picklable, for a worker."""

    settings: Settings
    config: Config
    dates: list[dt.date]  # every day of the site
    edges: Edges = ONE_SITE
    made: frozenset[str] = frozenset()  # the months ("2026-06") this build makes


@dataclass
class MonthMaker:
    """Makes months one after another in one process, with its own renderer."""

    recipe: Recipe
    whole: WholeDays = field(init=False)
    selections: Selections = field(init=False)
    renderer: Renderer = field(init=False)
    recent: set[dt.date] = field(init=False)  # recent_dates
    # The last week's days of the month made before, whole: the next month's first
    # week may have begun among them (site/months.py), and need not read them again.
    tail: list[Day] = field(default_factory=list)

    def __post_init__(self) -> None:
        settings, config = self.recipe.settings, self.recipe.config
        self.whole = WholeDays(settings.store)
        self.selections = Selections(config.selection.threshold)
        self.renderer = renderer(
            settings, config, self.recipe.dates, self.selections, self.recipe.edges, self.whole
        )
        self.recent = recent_dates(config, self.recipe.dates)

    def make(self, unit: Unit) -> MonthMade:
        """The pages of the month and the weeks it owns, written into content/."""
        config, content = self.recipe.config, self.renderer.content
        made_before, written_before = set(content.paths), content.written
        read = self.whole.read_month(unit.dates, config.selection.threshold)
        summary = month_summary(config, read, self.selections)
        complete = self._render(unit, read)
        self.tail = [day for day in read if day.date in Period.week_of(unit.dates[-1])]
        return MonthMade(
            summary,
            complete,
            sorted(content.paths - made_before),
            content.written - written_before,
            self._kept(read, summary),
            sum(len(day.unreadable) for day in read),
        )

    def _kept(self, read: list[Day], summary: MonthSummary) -> list[Day]:
        self._forget(read)
        return kept(read, summary, self.recent)

    def _forget(self, days: list[Day]) -> None:
        """The selections of days made, let go (they hold the days' papers), but for
        the recent days, which the site-wide pages show."""
        for day in days:
            if day.date not in self.recent:
                self.selections.forget(day.date)

    def _render(self, unit: Unit, read: list[Day]) -> bool:
        """The month's pages, its days' and its weeks', with the days of the month
        before in its weeks (from `tail`, or read again). Whether every record was read."""
        self.renderer.day_pages(read)
        self.whole.let_go()
        before = [day for day in self.tail if day.date in unit.before]
        unread = [date for date in unit.before if date not in {day.date for day in before}]
        # A month made in this build (here or in another worker) named its bad lines.
        named = bool(unread) and month_of(unread[0]) in self.recipe.made
        before += read_days(self.recipe.settings, self.recipe.config, unread, report=not named)
        periods = [Period.month_of(unit.dates[0]), *unit.weeks]
        self.renderer.period_pages(periods, [*before, *read])
        self._forget(before)
        return not any(day.unreadable for day in [*before, *read])


# At most this many workers: each holds a month of records and its pages (140 MB at
# 900 papers a day, measured), and Pagefind and MkDocs want cores too; GitHub's runners
# have 4.
MAX_WORKERS = 4


@contextmanager
def made_months(recipe: Recipe, units: Sequence[Unit]) -> Iterator[Iterator[MonthMade]]:
    """Each of `units` made, in order: in worker processes, one a core (MAX_WORKERS at
    most), when there are two or more and two cores; else here, one after another."""
    workers = min(len(units), cores(), MAX_WORKERS)
    if workers < 2:
        maker = MonthMaker(recipe)
        yield (maker.make(unit) for unit in units)
        return
    context = multiprocessing.get_context("spawn")
    records = context.Queue()
    forward = logging.handlers.QueueListener(records, _ToOwnLoggers())
    forward.start()
    level = logging.getLogger().getEffectiveLevel()
    try:
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start, initargs=(recipe, records, level)
        ) as pool:
            futures = [pool.submit(_make, unit) for unit in units]
            try:
                yield _results(futures)
            finally:
                for future in futures:  # a month that failed stops the build
                    future.cancel()
    finally:
        forward.stop()


def _results(futures: list[Future[MonthMade]]) -> Iterator[MonthMade]:
    for future in futures:
        try:
            yield future.result()
        except BrokenProcessPool as exc:  # killed: by the system, short of memory?
            raise RenderError(f"a process making the months stopped: {exc}") from exc


_maker: MonthMaker | None = None  # a worker's own


def _start(recipe: Recipe, records: multiprocessing.Queue[logging.LogRecord], level: int) -> None:
    global _maker
    root = logging.getLogger()
    root.handlers = [logging.handlers.QueueHandler(records)]
    root.setLevel(level)
    _maker = MonthMaker(recipe)


def _make(unit: Unit) -> MonthMade:
    assert _maker is not None, "the worker was not started"
    return _maker.make(unit)


class _ToOwnLoggers(logging.Handler):
    """A worker's log record, handled by the build's logger of the same name."""

    def handle(self, record: logging.LogRecord) -> bool:
        logging.getLogger(record.name).handle(record)
        return True


def recent_dates(config: Config, dates: Sequence[dt.date]) -> set[dt.date]:
    """The days the site-wide pages show, kept whole: the newest ones (the topic
    histories, the daily feeds, and the home page with the day before it), and those of
    the weeks in the weekly feeds."""
    count = max(config.selection.topic_page_days, FEED_DAYS, 2)
    return {*dates[-count:], *weekly_feed_dates(dates)}


def month_summary(config: Config, days: list[Day], selections: Selections) -> MonthSummary:
    return MonthSummary(
        counts={day.date.isoformat(): day.counts() for day in days},
        documents=search_documents(config, days, selections),
        stale=stale(config, days),
        lacking=lacking(config, days),
    )


def kept(read: list[Day], summary: MonthSummary, recent: set[dt.date]) -> list[Day]:
    """A month's days as the site-wide pages need them: the recent ones whole, the
    others by their counts alone (the archive calendar), their papers let go."""
    whole = {day.date: day for day in read if day.date in recent}
    days = []
    for iso, counts in summary.counts.items():
        date = dt.date.fromisoformat(iso)
        if date in whole:
            days.append(whole[date])
        else:
            days.append(Day(date, [], counts_of_all=counts))
    return days


def stale(config: Config, days: list[Day]) -> Counter[str]:
    return stale_hits(config, [p for day in days for p in day.papers])


def lacking(config: Config, days: list[Day]) -> int:
    return sum(lacks_details(p, config.selection.threshold) for d in days for p in d.papers)


def read_days(
    settings: Settings, config: Config, dates: list[dt.date], *, report: bool = True
) -> list[Day]:
    """Stored days, with only the records a page lists (Store.read_day: `report`)."""
    threshold = config.selection.threshold
    return [settings.store.read_listed(date, threshold, report=report) for date in dates]


def renderer(
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
    """Every paper of a day, for its whole-day page. A month's days are read whole
    once, and what the other pages list is taken from them (store.listed_day): each
    record is parsed once, not once for the topic pages and again for the whole-day
    page (half the time of building a month at 250 days). Only the month being made is
    held, so the archive's unlisted papers are never all in memory."""

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
