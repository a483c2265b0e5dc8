"""Keyword triage against the reference digest: recall of its LLM picks, and how many we select.

python bench/triage_quality.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from generator.config import load_config
from generator.sources.rss import one_per_paper, parse_feed
from generator.topics import Triage

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def main(day: str = "2026-06-19") -> None:
    config = load_config(ROOT / "digest.yml")
    rss = FIXTURES / "arxiv" / "rss"
    listings = [
        paper
        for category in ("cs.AI", "cs.CL", "cs.CV", "cs.LG")
        for paper in parse_feed((rss / f"fetched-{day}-{category}.xml").read_bytes()).papers
    ]
    papers = {p.id: p for p in one_per_paper(listings)}
    started = time.perf_counter()
    triage = Triage(config)
    for paper in papers.values():
        paper.topics = triage.score(paper)
    elapsed = time.perf_counter() - started
    reference = FIXTURES / "reference" / f"digest-llm-{day}.jsonl"
    wanted = [json.loads(line)["id"] for line in reference.read_text().splitlines()]
    wanted = [i for i in wanted if i in papers]
    print(f"{len(papers)} papers triaged in {elapsed:.2f} s")
    for topic in config.topics:
        chosen = {
            p.id
            for p in papers.values()
            if (h := p.hit(topic.slug)) and h.score >= config.selection.threshold
        }
        line = f"{topic.slug:>12}: {len(chosen):4d} selected"
        if topic.slug == "llm":
            found = sum(i in chosen for i in wanted)
            line += f", recall {found}/{len(wanted)} = {found / len(wanted):.0%} of the reference"
        print(line)


if __name__ == "__main__":
    main(*sys.argv[1:])
