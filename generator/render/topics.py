"""Topic pages: each topic's recent days, with the best papers of each, and its weeks
and months (period_pages.py), every one of them, by year."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from generator.config import Topic
from generator.periods import Period, weeks_and_months
from generator.render import urls
from generator.render.context import Context
from generator.render.feeds import feed_links
from generator.render.views import PageLink, PaperLine, paper_lines, period_links

BEST_ON_TOPIC_PAGE = 20


@dataclass(frozen=True)
class DayOfTopic:
    date: str
    count: int
    href: str  # the topic's page of the day
    best: list[PaperLine]


@dataclass(frozen=True)
class YearOfTopic:
    """A year's weeks and months of a topic, each a link to its page, newest first."""

    year: int
    months: list[PageLink]
    weeks: list[PageLink]


@dataclass(frozen=True)
class TopicPage:  # templates/topic.md
    topic: Topic
    days: list[DayOfTopic]  # newest first
    feed_href: str
    weekly_feed_href: str
    latest: list[PageLink]  # the newest day's week and month
    years: list[YearOfTopic]  # newest first


def render_topics(ctx: Context) -> None:
    for topic in ctx.config.topics:
        render_topic(ctx, topic)


def render_topic(ctx: Context, topic: Topic) -> None:
    url = urls.topic_url(topic.slug)
    recent = ctx.days[-ctx.config.selection.topic_page_days :]
    days = []
    for day in reversed(recent):
        chosen = ctx.selected(day, topic)
        topic_day_url = urls.topic_day_url(day.date, topic.slug)
        best = paper_lines(url, topic_day_url, chosen[:BEST_ON_TOPIC_PAGE])
        href = urls.relative(url, topic_day_url)
        days.append(DayOfTopic(day.date.isoformat(), len(chosen), href, best))
    periods = weeks_and_months(ctx.dates)
    latest = [Period.week_of(ctx.dates[-1]), Period.month_of(ctx.dates[-1])] if ctx.dates else []
    page = TopicPage(
        topic,
        days,
        urls.relative(url, urls.feed_url(topic.slug)),
        urls.relative(url, urls.weekly_feed_url(topic.slug)),
        period_links(url, latest, topic.slug, long=True),
        _years(url, periods, topic.slug),
    )
    body = ctx.render("topic.md", page)
    ctx.content.add_page(url, topic.name, body, description=topic.description, **feed_links(topic))


def _years(url: str, periods: list[Period], slug: str) -> list[YearOfTopic]:
    """The topic's weeks and months by year (a week's ISO year: its folder's), newest first."""
    years = []
    newest_first = sorted(periods, reverse=True)
    for year, in_year in itertools.groupby(newest_first, key=lambda p: p.folder[:4]):
        of_year = list(in_year)
        months = period_links(url, [p for p in of_year if p.kind == "month"], slug)
        weeks = period_links(url, [p for p in of_year if p.kind == "week"], slug)
        years.append(YearOfTopic(int(year), months, weeks))
    return years
