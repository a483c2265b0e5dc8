"""The day's digest message, built once from the stored records, then rendered per
channel (mail.py, webhooks.py).

Per topic (digest.yml's order, `delivery.topics` if given) the papers its page lists
that day, best score first, the first `delivery.papers_per_topic` of them: the
selection rule is `render.selections.select`, the one the pages use. Every text is
cut to a bound here, so no channel meets an unbounded title; each channel escapes
the text for where it lands, and shortens an item further (`Item.shortened`) when
its own limit asks for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from generator.config import Config, cut
from generator.models import Paper
from generator.render import urls
from generator.render.selections import select
from generator.store import Store
from generator.text import one_line

TITLE_CHARS = 300  # arXiv's longest titles are about 250
TITLE_ZH_CHARS = 200
SUMMARY_CHARS = 400  # the LLM's one-sentence summaries are under 150 characters
ABSTRACT_CHARS = 250  # without one, the abstract's start: a chat is no place for all of it

T = TypeVar("T")


@dataclass(frozen=True)
class Item:
    """One paper as a message shows it."""

    arxiv_id: str
    title: str
    title_zh: str | None
    summary: str | None  # the LLM's one-sentence summary, else the abstract's start
    score: int
    card_url: str | None  # its card on the topic's page of the day (None: no site_url)
    arxiv_url: str

    def shortened(self) -> Item:
        """The same item with its texts cut to half: for a channel's size limit."""

        def half(text: str | None) -> str | None:
            return cut(text, max(len(text) // 2, 8)) if text else text

        return replace(
            self,
            title=half(self.title) or "",
            title_zh=half(self.title_zh),
            summary=half(self.summary),
        )


@dataclass(frozen=True)
class TopicDigest:
    name: str
    listed: int  # papers the topic's page lists that day
    page_url: str | None
    items: tuple[Item, ...]  # its best `papers_per_topic`


@dataclass(frozen=True)
class Digest:
    date: dt.date
    title: str  # "arXiv 每日速递 · 2026-06-19"
    day_url: str | None
    topics: tuple[TopicDigest, ...]

    @property
    def papers(self) -> int:
        """Papers in the message (a paper in two topics counts twice)."""
        return sum(len(topic.items) for topic in self.topics)

    def describe(self) -> str:
        topics = len(self.topics)
        return f"{self.papers} papers in {topics} topic{'s' if topics > 1 else ''}"


def build_digest(store: Store, config: Config, date: dt.date, site_url: str | None) -> Digest:
    """The stored day's digest; a topic that lists nothing that day is left out."""
    threshold = config.selection.threshold
    day = store.read_listed(date, threshold)
    wanted = config.delivery.topics
    topics = []
    for topic in config.topics:
        if wanted is not None and topic.slug not in wanted:
            continue
        chosen = select(day, topic, threshold)
        if not chosen:
            continue
        page = urls.topic_day_url(date, topic.slug)
        items = tuple(
            _item(s.paper, s.hit.score, urls.absolute(site_url, page))
            for s in chosen[: config.delivery.papers_per_topic]
        )
        topics.append(TopicDigest(topic.name, len(chosen), urls.absolute(site_url, page), items))
    title = f"{config.site.title} · {date.isoformat()}"
    return Digest(date, title, urls.absolute(site_url, urls.day_url(date)), tuple(topics))


def _item(paper: Paper, score: int, page_url: str | None) -> Item:
    arxiv_id = paper.id
    summary = cut(one_line(paper.tldr), SUMMARY_CHARS) if paper.tldr else None
    if summary is None and paper.abstract:
        summary = cut(one_line(paper.abstract), ABSTRACT_CHARS)
    return Item(
        arxiv_id=arxiv_id,
        title=cut(one_line(paper.title), TITLE_CHARS),
        title_zh=cut(one_line(paper.title_zh), TITLE_ZH_CHARS) if paper.title_zh else None,
        summary=summary,
        score=score,
        card_url=f"{page_url}#{arxiv_id}" if page_url else None,
        arxiv_url=urls.arxiv_abs(arxiv_id),
    )


def fitted(item: Item, render: Callable[[Item], T], fits: Callable[[T], bool]) -> T:
    """`render(item)`, its texts halved until `fits` says it fits (a hostile title of a
    thousand "&" escapes to five thousand characters); at most a few times."""
    rendered = render(item)
    for _ in range(6):
        if fits(rendered):
            break
        item = item.shortened()
        rendered = render(item)
    return rendered


def pack(pieces: Sequence[T], fits: Callable[[list[T]], bool]) -> list[list[T]]:
    """The pieces in order, in as few consecutive groups as `fits` allows (a piece too
    large alone is a group alone)."""
    groups: list[list[T]] = []
    current: list[T] = []
    for piece in pieces:
        if current and not fits([*current, piece]):
            groups.append(current)
            current = []
        current.append(piece)
    if current:
        groups.append(current)
    return groups
