"""A day's arXiv HTML first pages at robots.txt's pace (issue 15): wall time before and after.

The day: the 697 papers of the four 2026-06-19 fixture feeds, of which the loopback
LLM (2 s replies) lists about 180, as the shipped topics do on a real day; arXiv
gives none of them affiliations, so each listed paper wants its first page. Every
scenario runs the real LLM step (`enrich_papers`) against the loopback servers with
the waits of the crawl skipped on a virtual clock (real time plus the waits skipped),
so a 45-minute schedule takes a minute and is still the schedule the code made:

    day = RSS + API (one request every 3 s) + max(LLM step, crawl schedule + one reply)

- before:   one page every 3 s (ARXIV_API_DELAY), no cap: what the code did;
- uncapped: robots.txt's Crawl-delay 15, no cap;
- after:    robots.txt's Crawl-delay 15, llm.first_pages_per_run 40 (digest.yml).
Then one run in real time, Crawl-delay 1 and 40 pages, measures what waits for the
crawl: when the last detail that needs no page is answered, and the last with one.

python bench/crawl_day.py [--listed 180] [--latency 2] [--skip-real-time]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from arxiv_server import FixtureArxiv  # noqa: E402
from enrich_day import DAY, day_papers, environment  # noqa: E402
from llm_server import FakeLLM  # noqa: E402

from generator.config import Config, load_config  # noqa: E402
from generator.enrich import Crawl, LLMSettings, enrich_papers  # noqa: E402
from generator.models import FIRST_PAGE_LATER, Paper, StepState  # noqa: E402
from generator.progress import LogTracker  # noqa: E402
from generator.sources.api import BATCH_SIZE  # noqa: E402
from generator.store import ReplyCache  # noqa: E402

API_INTERVAL = 3.0  # export.arxiv.org: one request every 3 s


class VirtualClock:
    """Real time plus every wait skipped: the crawl's clock and sleep."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def now(self) -> float:
        return time.monotonic() + self.skipped

    async def sleep(self, seconds: float) -> None:
        self.skipped += max(0.0, seconds)
        await asyncio.sleep(0)


class TimedLLM(FakeLLM):
    """The loopback LLM, noting when each detail reply went out and for which paper."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.answered: list[tuple[float, str, bool]] = []  # (time, id, shown a first page)

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        reply = super().answer(body)
        user = body["messages"][1]["content"]
        if '"abstract_zh"' in body["messages"][0]["content"]:
            arxiv_id = re.search(r'"id":\s*"([^"]+)"', user).group(1)  # type: ignore[union-attr]
            self.answered.append((time.monotonic(), arxiv_id, '"first_page"' in user))
        return reply


@dataclass
class Scenario:
    name: str
    crawl_delay: int
    cap: int


def listed_share(target: int) -> float:
    """The loopback LLM's share of unknown papers scored 70 that lists `target` papers."""
    papers = day_papers()
    config = load_config(ROOT / "digest.yml")
    for share in (x / 200 for x in range(201)):
        with FakeLLM(selected_share=share) as llm:
            listed = sum(is_listed_by(llm, p, config) for p in papers)
        if listed >= target:
            return share
    return 1.0


def is_listed_by(llm: FakeLLM, paper: Paper, config: Config) -> bool:
    """As `read_triage` takes the loopback's reply: a topic only within its categories."""
    topics = {t.slug: t for t in config.topics}
    entry = llm._triage_entry({"id": paper.id, "title": paper.title})
    return any(
        hit["score"] >= config.selection.threshold
        and config.offers(topics[hit["topic"]], paper.categories)
        for hit in entry["topics"]
    )


def enrich_day(
    llm: FakeLLM, arxiv: FixtureArxiv, scenario: Scenario, clock: VirtualClock | None
) -> dict[str, Any]:
    config = load_config(ROOT / "digest.yml")
    papers = day_papers()
    settings = LLMSettings.from_environment(config.llm, environment(llm))
    assert settings is not None
    arxiv.robots = f"User-agent: *\nCrawl-delay: {scenario.crawl_delay}\n".encode()
    arxiv.requests.clear()
    crawl = Crawl(
        arxiv.url + "/html/",
        per_run=scenario.cap,
        floor=API_INTERVAL if clock else 0.0,
        fallback=15.0,
        **({"clock": clock.now, "sleep": clock.sleep} if clock else {}),
    )
    with tempfile.TemporaryDirectory() as cache:
        started = time.monotonic()
        enrich_papers(
            papers,
            config,
            settings,
            ReplyCache(Path(cache)),
            LogTracker(),
            crawl=crawl,
            headers={},
        )
        llm_seconds = time.monotonic() - started
    pages = [at for at, path in arxiv.requests if path.startswith("/html/")]
    listed = [p for p in papers if p.llm.status == "done" and p.abstract_zh]
    return {
        "scenario": scenario.name,
        "crawl_delay": scenario.crawl_delay,
        "cap": scenario.cap,
        "listed": len(listed),
        "pages": len(pages),
        "later": sum(p.llm == StepState("done", FIRST_PAGE_LATER) for p in papers),
        "started": started,
        "llm_seconds": llm_seconds,
        "last_page": max(pages, default=started) - started,
        "skipped": clock.skipped if clock else 0.0,
        "api_requests": math.ceil(len(papers) / BATCH_SIZE),
    }


def day_seconds(result: dict[str, Any], latency: float) -> dict[str, float]:
    """The day's wall time at arXiv's pace, from the run on the virtual clock."""
    api = result["api_requests"] * API_INTERVAL  # RSS, then the batches 3 s apart
    # No wait is skipped after the last page: the virtual time it came is its real
    # time plus every wait skipped.
    crawl = result["last_page"] + result["skipped"]
    crawl_bound = (crawl + latency) if result["pages"] else 0.0
    enrich = max(result["llm_seconds"], crawl_bound)
    return {"api": api, "crawl": crawl, "enrich": enrich, "day": api + enrich}


def real_time(llm: TimedLLM, arxiv: FixtureArxiv) -> dict[str, float]:
    llm.answered.clear()
    result = enrich_day(llm, arxiv, Scenario("real time", 1, 40), clock=None)
    started = result["started"]
    with_page = [at - started for at, _, shown in llm.answered if shown]
    without = [at - started for at, _, shown in llm.answered if not shown]
    return {
        "llm_seconds": result["llm_seconds"],
        "pages": result["pages"],
        "details_without_page": len(without),
        "last_without_page": max(without, default=0.0),
        "details_with_page": len(with_page),
        "last_with_page": max(with_page, default=0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listed", type=int, default=180)
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--skip-real-time", action="store_true")
    args = parser.parse_args()
    share = listed_share(args.listed)
    cap = load_config(ROOT / "digest.yml").llm.first_pages_per_run
    scenarios = [
        Scenario("before: 3 s, no cap", 3, 10_000),
        Scenario("uncapped: 15 s, no cap", 15, 10_000),
        Scenario(f"after: 15 s, {cap} pages", 15, cap),
    ]
    with FixtureArxiv(DAY) as arxiv, TimedLLM(latency=args.latency, selected_share=share) as llm:
        print(f"{DAY}: 697 papers, loopback LLM at {args.latency:g} s a reply")
        print("| scenario | listed | pages read | left for later | LLM step | crawl | day |")
        print("|---|---|---|---|---|---|---|")
        for scenario in scenarios:
            result = enrich_day(llm, arxiv, scenario, VirtualClock())
            day = day_seconds(result, args.latency)
            print(
                f"| {scenario.name} | {result['listed']} | {result['pages']} | "
                f"{result['later']} | {result['llm_seconds']:.1f} s | {day['crawl']:.0f} s | "
                f"{day['day']:.0f} s ({day['day'] / 60:.1f} min) |"
            )
        if not args.skip_real_time:
            timed = real_time(llm, arxiv)
            print(
                f"\nreal time, Crawl-delay 1, {timed['pages']} pages: LLM step "
                f"{timed['llm_seconds']:.1f} s; {timed['details_without_page']} details without "
                f"a page all answered by {timed['last_without_page']:.1f} s, "
                f"{timed['details_with_page']} with a page by {timed['last_with_page']:.1f} s"
            )


if __name__ == "__main__":
    main()
