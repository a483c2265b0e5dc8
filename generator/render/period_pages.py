"""Each topic's week and month pages (/2026/W25/llm/, /2026/06/llm/): the period's best
papers by score (`best_of`, the one rule for them), a compact row each that links to
the paper's card on its day's topic page and to arXiv. No card, no abstract: a page
is a few dozen rows, and its days' topic pages have the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.config import Config, Topic
from generator.models import Day, Paper, TopicHit
from generator.periods import Period, around
from generator.render import urls
from generator.render.context import Context
from generator.render.selections import UNSORTED_NAME, Selected
from generator.render.views import PageLink, period_links

AUTHORS_IN_ROW = 3


def best_count(config: Config, period: Period) -> int:
    """How many of a period's best papers its pages list (digest.yml)."""
    if period.kind == "week":
        return config.selection.best_of_week
    return config.selection.best_of_month


@dataclass(frozen=True)
class Best:
    """A paper a topic listed in a period, once however many days listed it."""

    paper: Paper  # its newest version listed there
    hit: TopicHit  # that version's hit: its sub-topic
    score: int  # its best score there
    date: dt.date  # the day its newest version was listed: where its card is


def best_of(listed: Iterable[tuple[dt.date, Selected]]) -> list[Best]:
    """Each paper of a topic's listings (day, selected) once, in its newest version
    (the later day, of two listings of one version), with the best score any of them
    had; best score first, then the newest day."""
    newest: dict[str, tuple[dt.date, Selected]] = {}
    scores: dict[str, int] = {}
    for date, chosen in listed:
        arxiv_id = chosen.paper.id
        scores[arxiv_id] = max(scores.get(arxiv_id, chosen.hit.score), chosen.hit.score)
        kept = newest.get(arxiv_id)
        if kept is None or (chosen.paper.version, date) >= (kept[1].paper.version, kept[0]):
            newest[arxiv_id] = (date, chosen)
    ranked = [Best(s.paper, s.hit, scores[i], date) for i, (date, s) in newest.items()]
    return sorted(ranked, key=lambda b: (-b.score, -b.date.toordinal(), b.paper.id))


@dataclass(frozen=True)
class PeriodRow:
    id: str
    versioned_id: str
    title: str
    title_zh: str | None
    score: int
    subtopic: str
    tldr: str | None
    authors: str  # the first few, and how many there are
    date: str  # the day the row's version was listed
    href: str  # its card


@dataclass(frozen=True)
class PeriodPage:  # templates/period.md
    topic: Topic
    label: str  # "2026 年第 25 周"
    this: str  # "本周", "本月"
    first: str
    last: str
    total: int  # papers the topic listed in the period, each once
    rows: list[PeriodRow]  # the best of them
    days: list[PageLink]  # the topic's page of each of the period's days
    prev: PageLink | None
    next: PageLink | None
    related_name: str
    related: list[PageLink]  # a week's months, a month's weeks
    others: list[PageLink]  # the other topics' pages of the period
    topic_href: str
    feed_href: str


def render_periods(ctx: Context, periods: Iterable[Period], days: Sequence[Day]) -> None:
    """Each topic's page of each of `periods`, from `days`, which hold every day of them."""
    for period in periods:
        held = sorted((day for day in days if day.date in period), key=lambda day: day.date)
        for topic in ctx.config.topics:
            render_period(ctx, period, held, topic)


def period_best(ctx: Context, days: Sequence[Day], topic: Topic) -> list[Best]:
    """The topic's papers of `days`, each once, best first (`best_of`)."""
    return best_of((day.date, chosen) for day in days for chosen in ctx.selected(day, topic))


def render_period(ctx: Context, period: Period, days: Sequence[Day], topic: Topic) -> None:
    url = urls.period_url(period, topic.slug)
    best = period_best(ctx, days, topic)
    before, after = around(ctx.dates, period)
    page = PeriodPage(
        topic=topic,
        label=period.label,
        this="本周" if period.kind == "week" else "本月",
        first=days[0].date.isoformat() if days else period.start.isoformat(),
        last=days[-1].date.isoformat() if days else period.end.isoformat(),
        total=len(best),
        rows=[_row(url, topic, b) for b in best[: best_count(ctx.config, period)]],
        days=[_link(url, urls.topic_day_url(d.date, topic.slug), f"{d.date:%m-%d}") for d in days],
        prev=_neighbour(url, period, before, topic.slug, earlier=True),
        next=_neighbour(url, period, after, topic.slug, earlier=False),
        related_name="所在月份" if period.kind == "week" else "本月各周",
        related=_related(url, period, [day.date for day in days], topic.slug),
        others=[
            _link(url, urls.period_url(period, t.slug), t.name)
            for t in ctx.config.topics
            if t != topic
        ],
        topic_href=urls.relative(url, urls.topic_url(topic.slug)),
        feed_href=urls.relative(url, urls.weekly_feed_url(topic.slug)),
    )
    ctx.content.add_page(
        url,
        f"{topic.name} · {period.label}",
        ctx.render("period.md", page),
        description=f"{period.label} arXiv {topic.name}: {len(best)} 篇,按评分排列",
        **weekly_feed_links(topic),
    )


def weekly_feed_links(topic: Topic) -> dict[str, str]:
    """The week and month pages' front matter: their topic's weekly feed, which
    overrides/main.html links as <link rel="alternate">."""
    return {"feed": urls.weekly_feed_url(topic.slug), "feed_title": f"{topic.name} · 每周 (Atom)"}


def _row(from_url: str, topic: Topic, best: Best) -> PeriodRow:
    paper = best.paper
    names = {sub.slug: sub.name for sub in topic.subtopics}
    authors = ", ".join(paper.authors[:AUTHORS_IN_ROW])
    if len(paper.authors) > AUTHORS_IN_ROW:
        authors += f" 等 {len(paper.authors)} 人"
    card = urls.relative(from_url, urls.topic_day_url(best.date, topic.slug))
    return PeriodRow(
        id=paper.id,
        versioned_id=paper.versioned_id,
        title=paper.title,
        title_zh=paper.title_zh,
        score=best.score,
        subtopic=names.get(best.hit.subtopic, UNSORTED_NAME),
        tldr=paper.tldr,
        authors=authors,
        date=best.date.isoformat(),
        href=f"{card}#{paper.id}",
    )


def _link(from_url: str, to_url: str, label: str) -> PageLink:
    return PageLink(label, urls.relative(from_url, to_url))


def _neighbour(
    from_url: str, period: Period, date: dt.date | None, slug: str, *, earlier: bool
) -> PageLink | None:
    """The page of the period before or after `period` that has days: the one `date` is in."""
    if date is None:
        return None
    other = Period.week_of(date) if period.kind == "week" else Period.month_of(date)
    label = f"← {other.label}" if earlier else f"{other.label} →"
    return _link(from_url, urls.period_url(other, slug), label)


def _related(from_url: str, period: Period, dates: list[dt.date], slug: str) -> list[PageLink]:
    """A week's months (one, or two when it spans a month's end); a month's weeks."""
    of = Period.month_of if period.kind == "week" else Period.week_of
    return period_links(from_url, sorted({of(date) for date in dates}), slug)
