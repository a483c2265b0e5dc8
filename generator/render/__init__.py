"""Render: records in data/ → Markdown pages and Atom feeds in content/.

`render_site` renders everything at once; `Renderer` does it in two steps, so that a
build renders the archive a month at a time and skips the months it has built before
(publish.py). Each module makes one kind of output:

    cards.py       the paper card (through the theme's paper-card.html)
    days.py        each day's overview and each topic's page of the day; the home page
    whole_day.py   each day's every paper, in compact rows (YYYY/MM/DD/all/), and
                   the day's ranking file (rank_data.py)
    topics.py      each topic's page across its recent days
    period_pages.py  each topic's best papers of a week and of a month
    archive.py     the archive calendar, the topics index, the favorites page
    for_you.py     the 推荐 / For you page (the browser ranks the days' ranking files)
    feeds.py       Atom feeds
    search.py      the search documents Pagefind indexes (called by the pipeline)
    selections.py  which papers each topic lists each day, by sub-topic
    views.py       view models several pages share; urls.py the site's URLs
    context.py     what every page is rendered with; content.py the writer of content/

Only content.py writes content/. Paper cards are emitted as raw HTML blocks,
escaped by Jinja: Markdown never parses text that came from arXiv or an LLM,
and MkDocs skips the per-element Markdown work that dominates build time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from generator.config import Config
from generator.models import Day
from generator.periods import Period, weeks_and_months
from generator.render.archive import render_lists
from generator.render.content import Content, Rendered
from generator.render.context import AllPapers, Context, papers_held
from generator.render.days import render_days, render_home
from generator.render.feeds import render_feeds
from generator.render.for_you import render_for_you
from generator.render.period_pages import render_periods
from generator.render.selections import Selections
from generator.render.topics import render_topics
from generator.render.whole_day import render_whole_days
from generator.split import ONE_SITE, Edges

__all__ = ["Rendered", "Renderer", "render_site"]


class Renderer:
    """content/ in two steps: `day_pages` for some days (each day's own pages: its
    overview, its topic pages, its whole-day page) and `period_pages` for some weeks
    and months, as many times as needed, then `finish` with the site-wide pages and
    the removal of stale files.

    `dates`: every day the site will have (the days' neighbours link to them).
    `overrides` is the theme folder holding the paper card; by default the project's,
    beside content/. `selections`: those already made for these days (a build makes
    the search documents' first), else made here. `all_papers`: every paper of a
    day, for its whole-day page, when days hold only the listed ones. `edges`: where
    the other site of a split archive goes on from these days (generator/split.py).
    """

    def __init__(
        self,
        config: Config,
        content_dir: Path,
        site_url: str | None = None,
        *,
        dates: Sequence[dt.date],
        overrides: Path | None = None,
        selections: Selections | None = None,
        all_papers: AllPapers = papers_held,
        edges: Edges = ONE_SITE,
    ) -> None:
        self.content = Content(content_dir)
        self._ctx = Context.make(
            config,
            [],
            self.content,
            site_url,
            overrides=overrides or content_dir.parent / "overrides",
            selections=selections,
            all_papers=all_papers,
            dates=dates,
            edges=edges,
        )

    def day_pages(self, days: Sequence[Day]) -> None:
        render_days(self._ctx, days)
        render_whole_days(self._ctx, days)

    def period_pages(self, periods: Sequence[Period], days: Sequence[Day]) -> None:
        """Each topic's pages of these weeks and months, from `days`: every day of them."""
        render_periods(self._ctx, periods, days)

    def finish(self, days: Sequence[Day]) -> Rendered:
        """The site-wide pages from `days` (every day: the recent ones whole, the others
        may hold their counts alone), then the stale files removed."""
        ctx = self._ctx.with_days(days)
        render_home(ctx)
        render_topics(ctx)
        render_lists(ctx)
        render_for_you(ctx)
        render_feeds(ctx)
        return self.content.finish()


def render_site(
    config: Config,
    days: Sequence[Day],
    content_dir: Path,
    site_url: str | None = None,
    *,
    overrides: Path | None = None,
    selections: Selections | None = None,
    all_papers: AllPapers = papers_held,
    edges: Edges = ONE_SITE,
) -> Rendered:
    """Write every page of `days` under content/ and remove those no longer made."""
    renderer = Renderer(
        config,
        content_dir,
        site_url,
        dates=[day.date for day in days],
        overrides=overrides,
        selections=selections,
        all_papers=all_papers,
        edges=edges,
    )
    renderer.day_pages(days)
    renderer.period_pages(weeks_and_months(day.date for day in days), days)
    return renderer.finish(days)
