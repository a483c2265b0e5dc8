"""The weight of a whole-day page (YYYY/MM/DD/all/): a 900-paper day of real fixture
papers, each with a Chinese title of the reference digests' length and the topic hits
the real keyword triage gives it, built by the real code and loaded in Chromium on a
desktop and on the phone profile of page_weight.py (375×812, CPU ÷4), beside the
100-paper topic page page_weight.py measures, as the budget compares the two.

python bench/whole_day.py [--papers 900] [--runs 3]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gzip
import random
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from browser_site import CHROMIUM, CHROMIUM_ARGS, PREFIX, StaticSite  # noqa: E402
from fixture_site import copy_project  # noqa: E402
from page_weight import built_site, load  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from synthetic import Pools, _around, one_topic_day  # noqa: E402

from generator.config import Config, load_config  # noqa: E402
from generator.models import Day, StepState  # noqa: E402
from generator.topics import Triage  # noqa: E402

DATE = dt.date(2026, 6, 19)
BASELINE = dt.date(2026, 6, 18)  # the 100-paper topic page, on the day before


LISTED_SHARE = 0.23  # a real day: 161 of the 697 papers of 2026-06-19 (DESIGN.md)


def whole_day(config: Config, date: dt.date, count: int) -> Day:
    """`count` fixture papers under new ids, every one translated, with the hits the
    keyword triage gives it; the best LISTED_SHARE are listed (with a full card on a
    topic page), the others' hits kept below the threshold, as a real day's are."""
    rng = random.Random(5)
    pools = Pools()
    triage = Triage(config)
    threshold = config.selection.threshold
    scored = [(p, triage.score(p)) for p in pools.papers]
    scored.sort(key=lambda item: -max((h.score for h in item[1]), default=0))
    listed = round(count * LISTED_SHARE)
    papers = []
    for n in range(count):
        template, hits = scored[n % len(scored)]
        paper = copy.deepcopy(template)
        paper.id = f"{date:%y%m}.{n + 1:05d}"
        example = rng.choice(pools.reference)
        paper.title_zh = pools.slice(rng, *_around(example["title_zh"]))
        cap = 100 if n < listed else threshold - 1
        paper.topics = [replace(h, score=min(h.score, cap)) for h in hits]
        if n < listed:
            paper.tldr = pools.slice(rng, *_around(example["tldr"]))
            paper.abstract_zh = pools.slice(rng, *_around(example["abstract_zh"]))
        paper.api = StepState("done")
        paper.llm = StepState("done")
        papers.append(paper)
    return Day(date, papers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=900)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = copy_project(Path(folder) / "project")
        config = load_config(root / "digest.yml")
        days = [one_topic_day(config, BASELINE, 100), whole_day(config, DATE, args.papers)]
        site = built_site(root, config, days)
        pages = {
            f"whole day, {args.papers} papers": f"{DATE:%Y/%m/%d}/all/",
            "topic page, 100 cards": f"{BASELINE:%Y/%m/%d}/{config.topics[0].slug}/",
        }
        report_bytes(site, pages, days[1], config)
        report_paint(site, pages, args.runs)


def report_bytes(site: Path, pages: dict[str, str], day: Day, config: Config) -> None:
    threshold = config.selection.threshold
    listed = sum(any(h.score >= threshold for h in p.topics) for p in day.papers)
    print(f"{listed} of the {len(day.papers)} papers are listed on a topic page\n")
    print("| page | HTML | gzipped | rows / cards |")
    print("|---|---|---|---|")
    for name, path in pages.items():
        html = (site / path / "index.html").read_bytes()
        items = html.count(b"<li><a ") + html.count(b'<article class="paper')
        print(
            f"| {name} | {len(html) / 1024:.0f} KB ({len(html):,} B) "
            f"| {len(gzip.compress(html, 6)) / 1024:.0f} KB | {items} |"
        )


def report_paint(site: Path, pages: dict[str, str], runs: int) -> None:
    print("\n| page | screen | first paint | largest paint | DOM ready | load | gzipped |")
    print("|---|---|---|---|---|---|---|")
    with StaticSite(site) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for page_name, path in pages.items():
            for name, viewport, slowdown in (
                ("desktop 1280×900", {"width": 1280, "height": 900}, 1),
                ("phone 375×812, CPU ÷4", {"width": 375, "height": 812}, 4),
            ):
                url = server.origin + PREFIX + path
                timings = [load(browser, url, viewport, slowdown) for _ in range(runs)]
                m = {k: statistics.median(t[k] for t in timings) for k in timings[0]}
                print(
                    f"| {page_name} | {name} | {m['first-contentful-paint']:.0f} ms "
                    f"| {m['lcp']:.0f} ms | {m['dcl']:.0f} ms | {m['load']:.0f} ms "
                    f"| {m['gzipped'] / 1024:.0f} KB |"
                )
        browser.close()


if __name__ == "__main__":
    main()
