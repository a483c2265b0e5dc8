"""Whole-day pages (YYYY/MM/DD/all/): every paper of a day's announcement in compact
rows, listed on a topic page or not, so none of the day is out of reach; and the
day's ranking file (rank_data.py), made from the same papers, read once.

A row links to the paper's card on the topic page that lists it (the page's script
opens the card in place, fetched from there) or, for a paper no topic lists, to
arXiv. The cards are not repeated here: a 900-paper day of cards would be megabytes,
and a fragment file of them would copy every listed card once more into a site that
GitHub Pages caps at 1 GB (bench/whole_day.py measures the page).

The rows are in the page for the newest months (`site.full_pages_months`), so a
reader without JavaScript has them. An older day's page holds its headings and counts,
and the browser builds its rows from the day's ranking file (digest/rows.js), which
holds every field of a row: 900 rows are about 280 KiB of HTML a day, and the ranking
file is there for 推荐 anyway (bench/site_bytes.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.models import Day, Paper
from generator.rank_data import RANK_PART, rank_entry, rank_file
from generator.render import urls
from generator.render.cards import ANNOUNCE_LABELS
from generator.render.context import Context
from generator.render.days import Neighbours, full_pages, neighbours_of
from generator.render.selections import Home
from generator.render.views import Link, Neighbour, link_to

# arXiv's own order of a listing: new submissions, cross-lists, then replacements.
ANNOUNCE_ORDER = {kind: rank for rank, kind in enumerate(ANNOUNCE_LABELS)}


@dataclass(frozen=True)
class BestTopic:
    """Where a row says the paper belongs: the topic listing it (else its best hit)."""

    slug: str
    name: str
    score: int
    card_href: str | None  # its card on that topic's page, from the whole-day page


@dataclass(frozen=True)
class PaperRow:
    id: str
    title: str
    title_zh: str | None
    categories: list[str]
    announce_type: str
    topic: BestTopic | None

    @property
    def href(self) -> str:
        return self.topic.card_href if self.topic and self.topic.card_href else self.abs_url

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"


@dataclass(frozen=True)
class WholeDayPage:  # templates/whole_day.md
    date: str
    total: int
    counts: dict[str, int]  # by announce type, in ANNOUNCE_LABELS' order
    labels: dict[str, str]
    listed: int  # rows that open a card
    rows: list[PaperRow]
    rows_in_page: bool  # else digest/rows.js builds them from the ranking file
    topic_names: str  # JSON, slug → name: what rows.js names a row's topic by
    overview_href: str
    prev: Link | None
    next: Link | None


def render_whole_days(ctx: Context, days: Sequence[Day]) -> None:
    for day in days:
        render_whole_day(ctx, day, neighbours_of(ctx.dates, day.date, ctx.edges))


def render_whole_day(ctx: Context, day: Day, neighbours: Neighbours) -> None:
    url = urls.whole_day_url(day.date)
    papers = ctx.all_papers(day)
    rows = paper_rows(ctx, day, papers)
    render_rank_file(ctx, day, papers, {row.id: row.topic for row in rows if row.topic})
    counts = {kind: 0 for kind in ANNOUNCE_LABELS}
    for row in rows:
        counts[row.announce_type] = counts.get(row.announce_type, 0) + 1
    page = WholeDayPage(
        date=day.date.isoformat(),
        total=len(rows),
        counts=counts,
        labels={kind: names[0] for kind, names in ANNOUNCE_LABELS.items()},  # in Chinese
        listed=sum(1 for row in rows if row.topic and row.topic.card_href),
        rows=rows,
        rows_in_page=full_pages(ctx.config, day.date, ctx.dates),
        topic_names=json.dumps({t.slug: t.name for t in ctx.config.topics}, ensure_ascii=False),
        overview_href=urls.relative(url, urls.day_url(day.date)),
        prev=_whole_day_link(url, neighbours[0]),
        next=_whole_day_link(url, neighbours[1]),
    )
    ctx.content.add_page(
        url,
        f"{day.date} 全部论文",
        ctx.render("whole_day.md", page),
        description=f"arXiv {day.date}: 全部 {len(rows)} 篇",
    )


def render_rank_file(
    ctx: Context, day: Day, papers: Sequence[Paper], best: dict[str, BestTopic]
) -> None:
    """The day's ranking file: each of `papers`, with the topic page showing its card
    and the topic its row names (`best`, by id)."""
    if not papers:
        return
    url = urls.cards_url(day.date, RANK_PART)
    pages = {
        arxiv_id: urls.relative(url, urls.topic_day_url(day.date, home.slug))
        for arxiv_id, home in ctx.selected.homes(day, ctx.config.topics).items()
    }
    data = rank_file(
        (p.id, rank_entry(p, pages.get(p.id), _slug_score(best.get(p.id)))) for p in papers
    )
    ctx.content.add_gzipped(urls.source_path(url), data)


def _slug_score(topic: BestTopic | None) -> tuple[str, int] | None:
    return (topic.slug, topic.score) if topic else None


def _whole_day_link(from_url: str, day: Neighbour | None) -> Link | None:
    return None if day is None else link_to(from_url, day, urls.whole_day_url(day.date))


def paper_rows(ctx: Context, day: Day, papers: Sequence[Paper]) -> list[PaperRow]:
    """A row per paper of the day, in arXiv's listing order."""
    url = urls.whole_day_url(day.date)
    listed = ctx.selected.homes(day, ctx.config.topics)
    names = {topic.slug: topic.name for topic in ctx.config.topics}
    pages = {slug: urls.relative(url, urls.topic_day_url(day.date, slug)) for slug in names}
    rows = [_row(paper, listed.get(paper.id), names, pages) for paper in papers]
    return sorted(rows, key=lambda r: (ANNOUNCE_ORDER.get(r.announce_type, 9), r.id))


def _row(
    paper: Paper, listed: Home | None, names: dict[str, str], pages: dict[str, str]
) -> PaperRow:
    return PaperRow(
        id=paper.id,
        title=paper.title,
        title_zh=paper.title_zh,
        categories=paper.categories,
        announce_type=paper.announce_type,
        topic=_best_topic(paper, listed, names, pages),
    )


def _best_topic(
    paper: Paper, listed: Home | None, names: dict[str, str], pages: dict[str, str]
) -> BestTopic | None:
    """The topic whose page shows the paper's card, with a link to it; for a paper no
    page lists, its best hit of a topic digest.yml still has (no card: None)."""
    if listed is not None:
        slug = listed.slug
        return BestTopic(slug, names[slug], listed.score, f"{pages[slug]}#{paper.id}")
    hits: Iterable[tuple[int, str]] = ((h.score, h.topic) for h in paper.topics if h.topic in names)
    best = max(hits, default=None)
    return BestTopic(best[1], names[best[1]], best[0], None) if best else None
