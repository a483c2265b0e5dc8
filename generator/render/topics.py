"""Topic pages: each topic's recent days, with the best papers of each."""

from __future__ import annotations

from dataclasses import dataclass

from generator.config import Topic
from generator.render import urls
from generator.render.context import Context
from generator.render.feeds import feed_links
from generator.render.views import PaperLine, paper_lines

BEST_ON_TOPIC_PAGE = 20


@dataclass(frozen=True)
class DayOfTopic:
    date: str
    count: int
    href: str  # the topic's page of the day
    best: list[PaperLine]


@dataclass(frozen=True)
class TopicPage:  # templates/topic.md
    topic: Topic
    days: list[DayOfTopic]  # newest first
    feed_href: str


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
    page = TopicPage(topic, days, urls.relative(url, urls.feed_url(topic.slug)))
    body = ctx.render("topic.md", page)
    ctx.content.add_page(url, topic.name, body, description=topic.description, **feed_links(topic))
