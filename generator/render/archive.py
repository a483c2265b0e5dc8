"""The archive's calendar of days, with each topic's month and weeks under each month,
and the pages that list things rather than papers: the topics index (with the feeds)
and the favorites (filled in by digest/favorites.js from the browser's store)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from generator.config import Subtopic, Topic
from generator.periods import Period
from generator.render import urls
from generator.render.context import Context
from generator.render.feeds import FEED_DAYS, FEED_WEEKS
from generator.render.views import Group, PageLink, grouped, period_links
from generator.split import Across

WEEKDAY_NAMES = ["一", "二", "三", "四", "五", "六", "日"]
TOPICS_INDEX_URL = "topics/"
FAVORITES_URL = "favorites/"


@dataclass(frozen=True)
class Cell:
    """A day of a month's calendar; `href` and `count` when it has a digest."""

    day: int
    count: int | None = None
    href: str | None = None


@dataclass(frozen=True)
class TopicPeriods:
    """A topic's pages of a month and of the weeks with its days, under its calendar."""

    name: str
    links: list[PageLink]


@dataclass(frozen=True)
class Month:
    key: str  # the heading's anchor, YYYY-MM
    label: str
    weeks: list[list[Cell | None]]  # None: a day of the month before or after
    topics: list[TopicPeriods]


@dataclass(frozen=True)
class ArchivePage:  # templates/archive.md
    total_days: int
    total_papers: int
    weekday_names: list[str]
    months: list[Month]  # newest first
    # In an archive split over two sites (generator/split.py), the other one's calendar.
    older: Across | None = None
    newer: Across | None = None


@dataclass(frozen=True)
class TopicEntry:
    name: str
    description: str
    href: str
    subtopics: list[Subtopic]
    feed_href: str
    weekly_feed_href: str


@dataclass(frozen=True)
class TopicsIndexPage:  # templates/topics_index.md
    groups: list[Group[TopicEntry]]
    opml_href: str  # every feed at once
    all_feed_href: str
    feed_days: int
    feed_weeks: int


def render_lists(ctx: Context) -> None:
    render_topics_index(ctx)
    render_archive(ctx)
    ctx.content.add_page(FAVORITES_URL, "收藏", ctx.render("favorites.md"))


def render_topics_index(ctx: Context) -> None:
    def href(url: str) -> str:
        return urls.relative(TOPICS_INDEX_URL, url)

    def entry(topic: Topic) -> TopicEntry:
        page, feed = href(urls.topic_url(topic.slug)), href(urls.feed_url(topic.slug))
        weekly = href(urls.weekly_feed_url(topic.slug))
        return TopicEntry(topic.name, topic.description, page, topic.subtopics, feed, weekly)

    groups = grouped(ctx.config.topics, entry)
    opml, everything = href(urls.OPML_URL), href(urls.feed_url(None))
    page = TopicsIndexPage(groups, opml, everything, FEED_DAYS, FEED_WEEKS)
    body = ctx.render("topics_index.md", page)
    # topics/index.md, not topics.md: topics/<slug>.md live in that folder.
    ctx.content.add_page(TOPICS_INDEX_URL, "专题", body, path="topics/index.md")


def render_archive(ctx: Context) -> None:
    counts = {day.date: day.counts().total for day in ctx.days}
    months = sorted({(d.year, d.month) for d in counts}, reverse=True)
    page = ArchivePage(
        total_days=len(counts),
        total_papers=sum(counts.values()),
        weekday_names=WEEKDAY_NAMES,
        months=[_month(ctx, year, month, counts) for year, month in months],
        older=ctx.edges.older,
        newer=ctx.edges.newer,
    )
    ctx.content.add_page(urls.ARCHIVE_URL, "归档", ctx.render("archive.md", page))


def _month(ctx: Context, year: int, month: int, counts: dict[dt.date, int]) -> Month:
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells: list[Cell | None] = []
        for date in week:
            if date.month != month:
                cells.append(None)
            elif date in counts:
                href = urls.relative(urls.ARCHIVE_URL, urls.day_url(date))
                cells.append(Cell(date.day, counts[date], href))
            else:
                cells.append(Cell(date.day))
        weeks.append(cells)
    label = f"{year} 年 {month} 月"
    return Month(f"{year}-{month:02d}", label, weeks, _topic_periods(ctx, year, month, counts))


def _topic_periods(
    ctx: Context, year: int, month: int, counts: dict[dt.date, int]
) -> list[TopicPeriods]:
    """Each topic's links to its month page and the pages of the weeks with the month's
    days (a week across two months is under both)."""
    dates = [date for date in counts if (date.year, date.month) == (year, month)]
    periods = [Period.month_of(dates[0]), *sorted({Period.week_of(date) for date in dates})]
    return [
        TopicPeriods(topic.name, period_links(urls.ARCHIVE_URL, periods, topic.slug))
        for topic in ctx.config.topics
    ]
