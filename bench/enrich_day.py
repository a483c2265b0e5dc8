"""Enrich one full day against the loopback LLM with a fixed reply latency.

Two designs, the same 697 papers (all distinct papers of the four 2026-06-19
fixture feeds), the shipped digest.yml (concurrency 8, 300 requests a minute):

- two-stage (ours): triage batches for every paper, detail for the selected;
- one call per paper (what other digests do): the detail request for every
  paper. A real one-call design also asks for the title and scores, so this
  understates its cost.

python bench/enrich_day.py [--latency 2] [--selected-share 0.15] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from arxiv_server import FixtureArxiv, combined_feed  # noqa: E402
from llm_server import FakeLLM  # noqa: E402

from generator import record  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.enrich import Crawl, LLMSettings, enrich_papers  # noqa: E402
from generator.enrich.client import ChatClient  # noqa: E402
from generator.enrich.prompts import Prompts  # noqa: E402
from generator.enrich.usage import Usage  # noqa: E402
from generator.environment import Environment  # noqa: E402
from generator.models import Paper  # noqa: E402
from generator.progress import LogTracker  # noqa: E402
from generator.sources.rss import parse_feed  # noqa: E402
from generator.store import ReplyCache  # noqa: E402
from generator.topics import triage  # noqa: E402

DAY = "2026-06-19"


def environment(llm: FakeLLM) -> Environment:
    return Environment.read({**llm.env(), "DIGEST_LLM_TIMEOUT": "60"})  # digest.yml says 120


def day_papers() -> list[Paper]:
    config = load_config(ROOT / "digest.yml")
    papers = parse_feed(combined_feed(DAY, ["cs.AI", "cs.CL", "cs.CV", "cs.LG"])).papers
    # the keyword pre-filter, as `run` does first
    record.with_topics(papers, triage(papers, config))
    return papers


def two_stage(llm: FakeLLM, arxiv: FixtureArxiv) -> tuple[float, Usage, int]:
    config = load_config(ROOT / "digest.yml")
    papers = day_papers()
    settings = LLMSettings.from_environment(config.llm, environment(llm))
    assert settings is not None
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        usage = enrich_papers(
            papers,
            config,
            settings,
            ReplyCache(Path(cache)),
            LogTracker(),
            crawl=Crawl(arxiv.url + "/html/", per_run=10_000, floor=0.0, fallback=0.0),
            headers={},
        )
        elapsed = time.perf_counter() - started
    return elapsed, usage, len(papers)


async def one_call_per_paper(
    llm: FakeLLM, papers: list[Paper] | None = None, workers: int | None = None
) -> tuple[float, Usage, int]:
    """A detail request (title, abstract, summary) for every paper, `workers` at a time
    (default: digest.yml's concurrency)."""
    config = load_config(ROOT / "digest.yml")
    papers = day_papers() if papers is None else papers
    llm_config = config.llm
    if workers is not None:
        llm_config = llm_config.model_copy(update={"concurrency": workers})
    settings = LLMSettings.from_environment(llm_config, environment(llm))
    assert settings is not None
    prompts, usage = Prompts(config), Usage()
    started = time.perf_counter()
    async with httpx.AsyncClient() as http:
        client = ChatClient(settings, http, usage)
        await asyncio.gather(
            *(client.complete(prompts.detail(p, None), max_tokens=4096) for p in papers)
        )
    return time.perf_counter() - started, usage, len(papers)


def report(name: str, elapsed: float, usage: Usage, papers: int, latency: float) -> None:
    concurrency = load_config(ROOT / "digest.yml").llm.concurrency
    ideal_papers = papers / concurrency * latency
    ideal_requests = usage.requests / concurrency * latency
    print(f"\n{name}")
    print(f"  wall time        {elapsed:7.1f} s")
    print(f"  ideal            {ideal_papers:7.1f} s (papers ÷ concurrency × latency)")
    print(f"  ideal, requests  {ideal_requests:7.1f} s (requests ÷ concurrency × latency)")
    print(f"  requests         {usage.requests:7d}  ({usage.requests / papers:.3f} a paper)")
    print(f"  tokens in        {usage.tokens_in:7d}  ({usage.tokens_in / papers:.0f} a paper)")
    print(f"  tokens out       {usage.tokens_out:7d}  ({usage.tokens_out / papers:.0f} a paper)")
    print(f"  cost at config   ${usage.cost(load_config(ROOT / 'digest.yml').llm):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--selected-share", type=float, default=0.0)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    with (
        FixtureArxiv(DAY) as arxiv,
        FakeLLM(latency=args.latency, selected_share=args.selected_share) as llm,
    ):
        elapsed, usage, papers = two_stage(llm, arxiv)
        detail = len(llm.stage_requests("detail"))
        report(f"two-stage ({detail} papers selected)", elapsed, usage, papers, args.latency)
        if not args.skip_baseline:
            report(
                "one call per paper",
                *asyncio.run(one_call_per_paper(llm)),
                latency=args.latency,
            )


if __name__ == "__main__":
    main()
