"""A reply is cached under its request's wording: edit one word of a template and
that stage is asked again; leave the templates alone and nothing is sent."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
import pytest
from arxiv_server import combined_feed
from llm_server import API_KEY, FakeLLM

from generator import record
from generator.config import load_config
from generator.enrich.client import ChatClient, LLMSettings
from generator.enrich.enricher import Enricher
from generator.enrich.prompts import Prompts, Templates
from generator.enrich.usage import Budget, Usage
from generator.models import Paper
from generator.progress import LogTracker
from generator.sources.rss import parse_feed
from generator.store import ReplyCache
from generator.topics import triage

REPO = Path(__file__).resolve().parents[1]
CONFIG = load_config(REPO / "digest.yml")
DEEPSEEK, PLAIN = "2606.19348", "2606.19344"  # scored 95 (detailed) and low (not)


def day_papers() -> list[Paper]:
    feed = parse_feed(combined_feed("2026-06-19", ["cs.AI", "cs.CL", "cs.CV", "cs.LG"]))
    papers = [p for p in feed.papers if p.id in (DEEPSEEK, PLAIN)]
    # keyword topics, as a run has them before the LLM step
    record.with_topics(papers, triage(papers, CONFIG))
    return papers


def enrich(llm: FakeLLM, cache: Path, prompts: Prompts) -> list[Paper]:
    """The real Enricher against the loopback LLM, with a cache read afresh from disk.
    No first pages are read: nothing but the loopback LLM is asked."""
    papers = day_papers()

    async def run() -> None:
        async with httpx.AsyncClient() as http:
            settings = LLMSettings(base_url=llm.url, api_key=API_KEY, model="loopback-model")
            usage = Usage()
            client = ChatClient(settings, http, usage)
            budget = Budget(None, usage)
            enricher = Enricher(
                CONFIG, client, ReplyCache(cache), None, budget, LogTracker(), prompts
            )
            found = await enricher.enrich(papers)
            for paper in papers:
                record.with_enrichment(paper, found[paper.id])

    asyncio.run(run())
    assert [p.llm.status for p in papers] == ["done", "done"]
    return papers


def asked(llm: FakeLLM, since: int) -> list[str]:
    return sorted(r["stage"] for r in llm.requests[since:])


# One word of each template, and the stages whose cached replies it must not reuse.
ONE_WORD = {
    "triage_system": ("You sort new arXiv papers", "You file new arXiv papers", ["triage"]),
    "triage_user": ("papers:", "articles:", ["triage"]),
    "detail_system": ("summarise the paper", "summarize the paper", ["detail"]),
    "detail_user": ("The paper:", "This paper:", ["detail"]),
    "institutions_from_sources": ("Never guess", "Do not guess", ["detail"]),
    "no_institutions": ("no source of", "no list of", ["detail"]),
    "correction": ("was rejected", "was refused", ["detail", "triage"]),
}


def test_every_template_is_tried_below() -> None:
    assert set(ONE_WORD) == {f.name for f in dataclasses.fields(Templates)}


def test_an_unchanged_prompt_is_answered_from_the_cache(tmp_path: Path) -> None:
    with FakeLLM() as llm:
        first = enrich(llm, tmp_path, Prompts(CONFIG))
        assert asked(llm, 0) == ["detail", "triage"]
        again = enrich(llm, tmp_path, Prompts(CONFIG, Templates()))
        assert len(llm.requests) == 2  # nothing sent the second time
    assert [(p.title_zh, p.topics, p.abstract_zh) for p in again] == [
        (p.title_zh, p.topics, p.abstract_zh) for p in first
    ]
    assert next(p for p in again if p.id == DEEPSEEK).abstract_zh  # its detail, cached too


@pytest.mark.parametrize("template", ONE_WORD)
def test_one_word_changed_in_a_template_asks_that_stage_again(
    tmp_path: Path, template: str
) -> None:
    old, new, stages = ONE_WORD[template]
    wording = getattr(Templates(), template)
    assert wording.count(old) == 1
    changed = Prompts(CONFIG, Templates(**{template: wording.replace(old, new)}))
    with FakeLLM() as llm:
        enrich(llm, tmp_path, Prompts(CONFIG))
        enrich(llm, tmp_path, changed)
        assert asked(llm, 2) == stages
        # Used as it is in every first request of the stage, the new word is sent.
        sent = "".join(m["content"] for r in llm.requests[2:] for m in r["messages"])
        if template not in ("correction", "institutions_from_sources"):
            assert new in sent and old not in sent
        enrich(llm, tmp_path, changed)  # the new wording's replies are cached in turn
        assert len(llm.requests) == 2 + len(stages)
