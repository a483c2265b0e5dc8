"""One weekday's run, stage by stage, and its LLM step against a slow loopback LLM."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from arxiv_server import FixtureArxiv
from enrich_day import ROOT, day_papers, one_call_per_paper, two_stage
from fixture_site import copy_project
from llm_server import FakeLLM
from synthetic import SELECTED_SHARE  # as the synthetic archive

from generator import record
from generator.config import load_config
from generator.models import Day
from generator.publish import publish
from generator.settings import Settings
from generator.sources.rss import feed_url, parse_feed
from generator.topics import triage

DAY = "2026-06-19"
LATENCY = 2.0  # seconds a loopback LLM reply takes


def stages() -> dict[str, float]:
    """fetch → parse → API completion → triage → store → render of the fixture day,
    against the loopback arXiv with its pauses set to 0 (arXiv's own 3 s rule is
    waiting, not work)."""
    timings: dict[str, float] = {}
    with FixtureArxiv(DAY) as arxiv, tempfile.TemporaryDirectory() as folder:
        root = copy_project(Path(folder) / "project")
        settings = Settings.from_environment(root, arxiv.env())
        config = settings.config
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[name] = round(now - clock, 3)
            clock = now

        with settings.http_client() as client:
            body = client.get(feed_url(settings.rss_url, config.categories)).content
            lap("fetch feed")
            feed = parse_feed(body)
            lap("parse")
            ids = [p.id for p in feed.papers]
            record.complete(feed.papers, *settings.api(client).fetch_entries(ids))
            lap("API completion")
        day = Day(feed.date, feed.papers)
        record.with_topics(day.papers, triage(day.papers, config))  # as `run` does first
        lap("triage")
        settings.store.save(day)
        lap("store")
        publish(settings, config, build=False)
        lap("render")
    timings["total"] = round(sum(timings.values()), 3)
    timings["papers"] = len(day.papers)
    return timings


async def enrichment(peer_papers: int) -> dict[str, Any]:
    """Ours (two stages, concurrency from digest.yml) against the ideal, translating
    everything, and the popular peer: one call per paper, one worker."""
    concurrency = load_config(ROOT / "digest.yml").llm.concurrency
    with (
        FixtureArxiv(DAY) as arxiv,
        FakeLLM(latency=LATENCY, selected_share=SELECTED_SHARE) as llm,
    ):
        seconds, usage, papers = await asyncio.to_thread(two_stage, llm, arxiv)
        everything_seconds, everything, _ = await one_call_per_paper(llm)
        peer_seconds, _, sample = await one_call_per_paper(
            llm, day_papers()[:peer_papers], workers=1
        )
    peer_day = peer_seconds / sample * papers  # one worker: linear in papers
    return {
        "papers": papers,
        "concurrency": concurrency,
        "latency": LATENCY,
        "seconds": round(seconds, 1),
        "requests": usage.requests,
        "ideal_per_paper": round(papers / concurrency * LATENCY, 1),
        "ideal_per_request": round(usage.requests / concurrency * LATENCY, 1),
        "tokens_out": usage.tokens_out,
        "everything_seconds": round(everything_seconds, 1),
        "everything_tokens_out": everything.tokens_out,
        "peer_sample": sample,
        "peer_day_seconds": round(peer_day, 1),
    }


def print_results(daily: dict[str, float], llm: dict[str, Any]) -> None:
    steps = " · ".join(f"{k} {v:.2f} s" for k, v in daily.items() if k not in ("total", "papers"))
    print(f"\none day ({daily['papers']} papers): {steps}; total {daily['total']:.2f} s")
    print(
        f"\nLLM step, {llm['papers']} papers, {llm['latency']:.0f} s replies, "
        f"concurrency {llm['concurrency']}:"
    )
    print(
        f"  ours: {llm['seconds']} s in {llm['requests']} requests; ideal "
        f"{llm['ideal_per_paper']} s (papers ÷ concurrency × latency, ratio "
        f"{llm['seconds'] / llm['ideal_per_paper']:.2f}), {llm['ideal_per_request']} s "
        f"(requests ÷ concurrency × latency, ratio "
        f"{llm['seconds'] / llm['ideal_per_request']:.2f})"
    )
    print(
        f"  output tokens: {llm['tokens_out']:,} against {llm['everything_tokens_out']:,} "
        f"translating everything ({llm['tokens_out'] / llm['everything_tokens_out']:.0%}); "
        f"translating everything took {llm['everything_seconds']} s"
    )
    print(
        f"  the peer (one call per paper, one worker): {llm['peer_day_seconds']:,.0f} s for "
        f"the day (measured on {llm['peer_sample']} papers), "
        f"{llm['peer_day_seconds'] / llm['seconds']:.0f}× ours"
    )
