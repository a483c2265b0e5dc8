"""The LLM step: Chinese (or any target language) titles, topic scores and
reasons for every paper; abstracts, one-line summaries and institutions for
the papers selected.

    client.py     the OpenAI-compatible HTTP client (concurrency, pace, retries)
    prompts.py    the two requests, paper text fenced as data
    replies.py    strict reading of the replies
    checks.py     is a translation faithful (language, length, commentary, ...)
    firstpage.py  the arXiv HTML first page, for institutions
    crawl.py      arXiv's robots.txt: the pace and paths of those pages, a cap a run
    enricher.py   triage → detail for one day, with cache and budget
    day.py        the step for a stored day: which papers need it, what the run says
    usage.py      requests, tokens, cost; the budget
"""

from __future__ import annotations

import asyncio

import httpx

from generator import record
from generator.config import Config
from generator.enrich.client import ChatClient, LLMSettings
from generator.enrich.crawl import Crawl
from generator.enrich.enricher import Enricher, Enrichment
from generator.enrich.firstpage import FirstPages
from generator.enrich.usage import Budget, Usage
from generator.models import Paper
from generator.progress import Tracker
from generator.store import ReplyCache

__all__ = ["Crawl", "LLMSettings", "Usage", "enrich_papers"]


def enrich_papers(
    papers: list[Paper],
    config: Config,
    llm: LLMSettings,
    cache: ReplyCache,
    tracker: Tracker,
    *,
    crawl: Crawl | None,
    headers: dict[str, str],
) -> Usage:
    """Enrich `papers`: the step's findings applied to them once it is done; return
    what it cost. `crawl`: the command's reading
    of arXiv's HTML first pages (None: do not read them), shared by its days. Each
    request's deadline and size cap are `read_bounded`'s."""
    usage = Usage()

    async def enrich() -> dict[str, Enrichment]:
        limits = httpx.Limits(max_connections=llm.concurrency + 2)
        async with httpx.AsyncClient(headers=headers, limits=limits, follow_redirects=True) as http:
            client = ChatClient(llm, http, usage)
            first_pages = FirstPages(http, crawl) if crawl else None
            budget = Budget(config.llm.daily_token_budget, usage)
            with tracker:
                enricher = Enricher(config, client, cache, first_pages, budget, tracker)
                return await enricher.enrich(papers)

    found = asyncio.run(enrich())
    for paper in papers:  # what the step found goes into the records here, and only here
        record.with_enrichment(paper, found[paper.id])
    usage.failed = sum(p.llm.status == "failed" for p in papers)
    return usage
