"""Synthetic archive days for the site benchmarks, made of real text.

English fields are real papers of the fixture feeds under new ids; Chinese fields are
slices of the reference digests' real translations, so the vocabulary and the byte
sizes behave like a real archive's.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from arxiv_server import FIXTURES, REFERENCE  # noqa: E402

from generator.config import Config  # noqa: E402
from generator.models import Day, Paper, StepState, TopicHit  # noqa: E402
from generator.sources.rss import parse_feed  # noqa: E402


class Pools:
    def __init__(self) -> None:
        papers: dict[str, Paper] = {}
        for path in sorted((FIXTURES / "rss").glob("fetched-*.xml")):
            for paper in parse_feed(path.read_bytes()).papers:
                papers.setdefault(paper.id, paper)
        self.papers = list(papers.values())
        chinese = []
        for path in sorted(REFERENCE.glob("digest-*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                chinese += [record.get(k) or "" for k in ("title_zh", "tldr", "abstract_zh")]
        self.chinese = "".join(chinese)

    def slice(self, rng: random.Random, low: int, high: int) -> str:
        length = rng.randint(low, high)
        start = rng.randrange(0, len(self.chinese) - length)
        return self.chinese[start : start + length]


def synthetic_days(
    config: Config, first: dt.date, days: int, per_day: int, seed: int = 1
) -> list[Day]:
    """`days` weekdays from `first`, each with `per_day` papers spread over the topics."""
    rng = random.Random(seed)
    pools = Pools()
    result = []
    date = first
    while len(result) < days:
        if date.weekday() < 5:
            result.append(Day(date, [_paper(pools, rng, config, date, n) for n in range(per_day)]))
        date += dt.timedelta(days=1)
    return result


def _paper(pools: Pools, rng: random.Random, config: Config, date: dt.date, n: int) -> Paper:
    paper = copy.deepcopy(rng.choice(pools.papers))
    paper.id = f"{date:%y%m}.{(date.day * 1000 + n) % 100000:05d}"
    paper.title_zh = pools.slice(rng, 12, 32)
    paper.tldr = pools.slice(rng, 40, 90)
    paper.abstract_zh = pools.slice(rng, 250, 450)
    topic = rng.choice(config.topics)
    subtopic = rng.choice(topic.subtopics)
    paper.topics = [
        TopicHit(topic.slug, subtopic.slug, rng.randint(60, 99), pools.slice(rng, 8, 20))
    ]
    paper.api = StepState("done")
    paper.llm = StepState("done")
    return paper


def one_topic_day(config: Config, date: dt.date, count: int, seed: int = 2) -> Day:
    """A day whose first topic lists `count` papers: the heavy topic page."""
    rng = random.Random(seed)
    pools = Pools()
    topic = config.topics[0]
    papers = []
    for n in range(count):
        paper = _paper(pools, rng, config, date, n)
        subtopic = rng.choice(topic.subtopics)
        paper.topics = [TopicHit(topic.slug, subtopic.slug, rng.randint(60, 99), "理由")]
        papers.append(paper)
    return Day(date, papers)
