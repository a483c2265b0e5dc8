"""The papers each topic lists on each day, and their sections by sub-topic.

Which paper is listed is `generator.selection`'s rule; here it is applied to a day
and a topic, in the order pages show it, and made once for every page that asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from generator.config import Topic
from generator.models import Day, Paper, TopicHit
from generator.selection import listed_under

UNSORTED = "_unsorted"  # the section of hits whose sub-topic digest.yml no longer has
UNSORTED_NAME = "其他"


@dataclass(frozen=True)
class Selected:
    """A paper selected into one topic on one day, with its hit there."""

    paper: Paper
    hit: TopicHit


@dataclass(frozen=True)
class Section:
    """The papers of one sub-topic: `slug` is the section's anchor on the page."""

    name: str
    slug: str
    chosen: tuple[Selected, ...]


def select(day: Day, topic: Topic, threshold: int) -> list[Selected]:
    """The day's papers for the topic, scoring at least `threshold`, best score first."""
    chosen = [
        Selected(p, hit)
        for p in day.papers
        if (hit := p.hit(topic.slug)) is not None and listed_under(hit, threshold)
    ]
    return sorted(chosen, key=lambda s: (-s.hit.score, s.paper.id))


def by_subtopic(topic: Topic, chosen: list[Selected]) -> list[Section]:
    """Each sub-topic's section in digest.yml's order, and last the one of those whose
    stored sub-topic it no longer has (renamed or removed): a page shows every paper it
    counts, until `arxiv-digest retriage` sorts them again."""
    known = {sub.slug for sub in topic.subtopics}
    sections = [
        Section(sub.name, sub.slug, tuple(s for s in chosen if s.hit.subtopic == sub.slug))
        for sub in topic.subtopics
    ]
    unsorted = tuple(s for s in chosen if s.hit.subtopic not in known)
    sections.append(Section(UNSORTED_NAME, UNSORTED, unsorted))
    return sections


class Selections:
    """`select` at one threshold, made once per day and topic: day pages, topic pages,
    feeds and search documents (render/search.py) all ask for the same ones."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._made: dict[tuple[dt.date, str], list[Selected]] = {}
        self._homes: dict[dt.date, dict[str, Home]] = {}

    def __call__(self, day: Day, topic: Topic) -> list[Selected]:
        key = (day.date, topic.slug)
        if key not in self._made:
            self._made[key] = select(day, topic, self.threshold)
        return self._made[key]

    def homes(self, day: Day, topics: Sequence[Topic]) -> dict[str, Home]:
        """Each paper listed on the day, by id: the one topic page that shows its full
        card (the others it is listed on show its brief, linking there)."""
        if day.date not in self._homes:
            self._homes[day.date] = homes_of(day, topics, self)
        return self._homes[day.date]

    def forget(self, date: dt.date) -> None:
        """Let a day's selections go once its pages are made (they hold its papers)."""
        for key in [key for key in self._made if key[0] == date]:
            del self._made[key]
        self._homes.pop(date, None)


@dataclass(frozen=True)
class Home:
    """Where a listed paper's full card is: its topic, and its score there."""

    slug: str
    score: int


def homes_of(day: Day, topics: Sequence[Topic], selected: Selections) -> dict[str, Home]:
    """A paper's home is the topic it scores best in, the first in digest.yml's order
    on a tie. One card a day per paper: a realistic day lists a third of its papers
    under two topics or more, and a card is ten times its brief (bench/site_bytes.py)."""
    homes: dict[str, Home] = {}
    for topic in topics:
        for chosen in selected(day, topic):
            here = Home(topic.slug, chosen.hit.score)
            # max keeps the first of equals: the topic digest.yml names first
            homes[chosen.paper.id] = max(homes.get(chosen.paper.id, here), here, key=_score)
    return homes


def _score(home: Home) -> int:
    return home.score
