"""推荐 / For you: the page on which the browser ranks the newest days' papers for its
reader (digest/foryou.js, digest/rank.js), from the days' ranking files
(generator/rank_data.py, written with the whole-day pages). The page itself holds no
paper: it names the days there are to rank, and the sub-topics' names for the reasons
a row gives."""

from __future__ import annotations

from dataclasses import dataclass

from generator.render.context import Context

FOR_YOU_URL = "for-you/"
NEWEST_DAYS = 5  # the most days a reader ranks together
SPANS = (1, 3, 5)  # the choices of how many


@dataclass(frozen=True)
class ForYouPage:  # templates/for_you.md
    days: list[str]  # ISO dates, newest first
    spans: list[int]
    topics: dict[str, str]  # "topic/sub-topic" → the sub-topic's name


def render_for_you(ctx: Context) -> None:
    days = [date.isoformat() for date in reversed(ctx.dates[-NEWEST_DAYS:])]
    topics = {f"{t.slug}/{sub.slug}": sub.name for t in ctx.config.topics for sub in t.subtopics}
    spans = [n for n in SPANS if n <= max(len(days), 1)]
    page = ForYouPage(days, spans, topics)
    ctx.content.add_page(FOR_YOU_URL, "推荐", ctx.render("for_you.md", page))
