"""View models more than one kind of page shows: a link to a neighbouring day or to a
week's or month's page, a line of a paper list (templates/paper_line.html) and topics
grouped as digest.yml groups them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from generator.config import Topic
from generator.periods import Period
from generator.render import urls
from generator.render.selections import Selected

T = TypeVar("T")


@dataclass(frozen=True)
class Link:
    """The previous or next day, as a page's navigation shows it."""

    date: str
    href: str


@dataclass(frozen=True)
class PageLink:
    """A link and what it says: a week's or a month's page, one of a period's days."""

    label: str
    href: str


def period_links(
    from_url: str, periods: Iterable[Period], slug: str, *, long: bool = False
) -> list[PageLink]:
    """Links to topic `slug`'s pages of `periods`, each named short ("W25", "6 月"), or
    in full ("2026 年第 25 周")."""
    return [
        PageLink(p.label if long else p.short, urls.relative(from_url, urls.period_url(p, slug)))
        for p in periods
    ]


@dataclass(frozen=True)
class Neighbour:
    """The day before or after a page's day: on this site, or on the other site of a
    split archive (`site`, its root: generator/split.py), where it has the same URL."""

    date: dt.date
    site: str | None = None


def day_link(from_url: str, day: Neighbour | None, slug: str | None = None) -> Link | None:
    """A link to the overview of `day`, or to topic `slug`'s page of it."""
    if day is None:
        return None
    return link_to(from_url, day, urls.topic_day_url(day.date, slug) if slug else None)


def link_to(from_url: str, day: Neighbour, target: str | None = None) -> Link:
    """A link to `target`, a page of `day` (by default its overview), on its site."""
    target = urls.day_url(day.date) if target is None else target
    href = day.site + target if day.site else urls.relative(from_url, target)
    return Link(day.date.isoformat(), href)


@dataclass(frozen=True)
class PaperLine:
    """One paper of a list of the best: a link to its card on its topic's page."""

    id: str
    title: str
    title_zh: str | None
    score: int
    href: str


def paper_lines(from_url: str, topic_url: str, chosen: Iterable[Selected]) -> list[PaperLine]:
    prefix = urls.relative(from_url, topic_url) + "#"
    return [
        PaperLine(s.paper.id, s.paper.title, s.paper.title_zh, s.hit.score, prefix + s.paper.id)
        for s in chosen
    ]


@dataclass(frozen=True)
class Group(Generic[T]):
    """The topics of one group of digest.yml, each as the page shows it."""

    name: str
    topics: list[T]


def grouped(topics: Iterable[Topic], view: Callable[[Topic], T]) -> list[Group[T]]:
    """Each topic's view, in groups in the order digest.yml first names them."""
    groups: dict[str, list[T]] = {}
    for topic in topics:
        groups.setdefault(topic.group, []).append(view(topic))
    return [Group(name, members) for name, members in groups.items()]
