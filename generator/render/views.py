"""View models more than one kind of page shows: a link to a neighbouring day, a line
of a paper list (templates/paper_line.html) and topics grouped as digest.yml groups them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from generator.config import Topic
from generator.render import urls
from generator.render.selections import Selected

T = TypeVar("T")


@dataclass(frozen=True)
class Link:
    """The previous or next day, as a page's navigation shows it."""

    date: str
    href: str


def day_link(from_url: str, date: dt.date | None, slug: str | None = None) -> Link | None:
    """A link to the overview of `date`, or to topic `slug`'s page of it."""
    if date is None:
        return None
    target = urls.topic_day_url(date, slug) if slug else urls.day_url(date)
    return Link(date.isoformat(), urls.relative(from_url, target))


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
