"""The papers each topic lists on each day, and their sections by sub-topic.

Which paper is listed is `generator.selection`'s rule; here it is applied to a day
and a topic, in the order pages show it, and made once for every page that asks.
"""

from __future__ import annotations

import datetime as dt
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

    def __call__(self, day: Day, topic: Topic) -> list[Selected]:
        key = (day.date, topic.slug)
        if key not in self._made:
            self._made[key] = select(day, topic, self.threshold)
        return self._made[key]

    def forget(self, date: dt.date) -> None:
        """Let a day's selections go once its pages are made (they hold its papers)."""
        for key in [key for key in self._made if key[0] == date]:
            del self._made[key]
