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
    """The fixture feeds' papers (each non-empty day's distinct papers, and all of
    them) and the reference digests' records and Chinese text, read once."""

    def __init__(self) -> None:
        by_day: dict[str, dict[str, Paper]] = {}
        papers: dict[str, Paper] = {}
        for path in sorted((FIXTURES / "rss").glob("fetched-*.xml")):
            day = by_day.setdefault(path.name.split("-cs.")[0], {})
            for paper in parse_feed(path.read_bytes()).papers:
                day.setdefault(paper.id, paper)
                papers.setdefault(paper.id, paper)
        self.days = [list(day.values()) for day in by_day.values() if day]
        self.dates = [name.removeprefix("fetched-") for name, day in by_day.items() if day]
        self.papers = list(papers.values())
        self.reference = [
            json.loads(line)
            for path in sorted(REFERENCE.glob("digest-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        self.chinese = "".join(
            record.get(k) or ""
            for record in self.reference
            for k in ("title_zh", "tldr", "abstract_zh")
        )

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


# -- a whole archive at real size ------------------------------------------------

SELECTED_SHARE = 0.23  # what a real model lists with the shipped digest.yml (shares.py)


class Archive:
    """Announcement days shaped like the fixture week: every distinct paper of a real
    fixture day under a new id, all with a Chinese title; the best-scoring 15 % (by
    the real keyword triage) selected into topics, with a Chinese abstract, summary and
    institutions as long as the reference digest's."""

    def __init__(self, config: Config, seed: int = 3) -> None:
        self.config = config
        self.rng = random.Random(seed)
        self.pools = Pools()
        self.templates = [_ranked(config, papers) for papers in self.pools.days]
        self._serial: dict[str, int] = {}  # arXiv month → last number used

    def day(self, date: dt.date, index: int) -> Day:
        template = self.templates[index % len(self.templates)]
        selected = round(len(template) * SELECTED_SHARE)
        papers = [
            self._paper(date, paper, hits if rank < selected else [])
            for rank, (paper, hits) in enumerate(template)
        ]
        return Day(date, sorted(papers, key=lambda p: p.id))

    def _paper(self, date: dt.date, template: Paper, hits: list[TopicHit]) -> Paper:
        paper = copy.copy(template)
        month = f"{date:%y%m}"
        self._serial[month] = self._serial.get(month, 0) + 1
        paper.id = f"{month}.{self._serial[month]:05d}"
        example = self.rng.choice(self.pools.reference)
        paper.title_zh = self.pools.slice(self.rng, *_around(example["title_zh"]))
        paper.llm = StepState("done")
        paper.api = StepState("done")
        if hits:
            paper.topics = hits
            paper.tldr = self.pools.slice(self.rng, *_around(example["tldr"]))
            paper.abstract_zh = self.pools.slice(self.rng, *_around(example["abstract_zh"]))
            # The reference keeps a paper's institutions as one string (or null).
            institutions = example.get("institutions")
            paper.institutions = [institutions] if institutions else None
        return paper


def _around(text: str) -> tuple[int, int]:
    return max(4, int(len(text) * 0.9)), max(5, int(len(text) * 1.1))


def _ranked(config: Config, papers: list[Paper]) -> list[tuple[Paper, list[TopicHit]]]:
    """Papers best keyword score first, each with its hits at or over the threshold."""
    from generator.topics import Triage

    triage = Triage(config)
    threshold = config.selection.threshold
    ranked = []
    for paper in papers:
        hits = [hit for hit in triage.score(paper) if hit.score >= threshold]
        ranked.append((paper, hits))
    ranked.sort(key=lambda item: -max((h.score for h in item[1]), default=0))
    return ranked


def weekdays_until(last: dt.date, count: int) -> list[dt.date]:
    dates = []
    date = last
    while len(dates) < count:
        if date.weekday() < 5:
            dates.append(date)
        date -= dt.timedelta(days=1)
    return dates[::-1]


def listed_shares(config: Config) -> dict[str, dict[str, int]]:
    """Per fixture day: its distinct papers, those the keyword triage scores at or over
    the threshold (the most an LLM step can list: it lists among them) and those the
    synthetic archive lists (SELECTED_SHARE). The reference digest's LLM topic alone
    collected 97 of 2026-06-19's 697 papers (tests/fixtures/reference/README.md); a real
    model with the shipped digest.yml lists 161 of them over all topics (issue 18)."""
    pools = Pools()
    shares = {}
    for date, papers in zip(pools.dates, pools.days, strict=True):
        ranked = _ranked(config, papers)
        shares[date] = {
            "papers": len(papers),
            "keyword_triage": sum(1 for _, hits in ranked if hits),
            "synthetic": round(len(papers) * SELECTED_SHARE),
        }
    return shares
