"""Keyword triage: its matching rules, and its quality against the reference digest."""

from __future__ import annotations

import json

import pytest
from arxiv_server import REFERENCE
from conftest import REPO, rss_bytes

from generator.config import load_config
from generator.models import Paper
from generator.sources.rss import one_per_paper, parse_feed
from generator.topics import Triage


@pytest.fixture(scope="module")
def config():  # type: ignore[no-untyped-def]
    return load_config(REPO / "digest.yml")


def paper(title: str, abstract: str = "", categories: tuple[str, ...] = ("cs.CL",)) -> Paper:
    return Paper("2606.00001", 1, title, [], abstract, list(categories), None, "new")


def test_hyphens_plurals_and_capitals(config) -> None:  # type: ignore[no-untyped-def]
    triage = Triage(config)
    hit = triage.score(paper("Scaling LLMs", "We study pre training of language models."))
    llm = next(h for h in hit if h.topic == "llm")
    assert llm.subtopic == "pretraining"
    assert llm.reason == "关键词命中 — 标题: LLM; 摘要: pre-training"
    # "llm" in lower case inside another word, or a vision-language model, is not an LLM paper.
    assert not any(h.topic == "llm" for h in triage.score(paper("The illmatic dataset")))
    vlm = triage.score(paper("A vision-language model for charts"))
    assert not any(h.topic == "llm" for h in vlm)
    assert any(h.topic == "multimodal" for h in vlm)


def test_a_topic_only_takes_papers_of_its_categories(config) -> None:  # type: ignore[no-untyped-def]
    hits = Triage(config).score(paper("LLM pretraining at scale", categories=("cs.CV",)))
    assert not any(h.topic == "llm" for h in hits)  # the LLM topic reads cs.CL, cs.AI, cs.LG


def test_unrelated_papers_get_no_topics(config) -> None:  # type: ignore[no-untyped-def]
    assert Triage(config).score(paper("Spectral graph sparsification", "We prove bounds.")) == []


def test_recall_against_the_reference_llm_topic(config) -> None:  # type: ignore[no-untyped-def]
    """The reference digest's 2026-06-19 LLM picks that are in that day's feeds."""
    feeds = [parse_feed(rss_bytes("2026-06-19", c)) for c in ("cs.AI", "cs.CL", "cs.CV", "cs.LG")]
    papers = {p.id: p for p in one_per_paper(p for f in feeds for p in f.papers)}
    triage = Triage(config)
    selected = {
        p.id
        for p in papers.values()
        if (hit := next((h for h in triage.score(p) if h.topic == "llm"), None))
        and hit.score >= config.selection.threshold
    }
    reference = [
        json.loads(line)
        for line in (REFERENCE / "digest-llm-2026-06-19.jsonl").read_text().splitlines()
    ]
    in_feeds = [r["id"] for r in reference if r["id"] in papers]
    found = [i for i in in_feeds if i in selected]
    assert len(in_feeds) == 29
    assert len(found) / len(in_feeds) >= 0.9, sorted(set(in_feeds) - selected)
    assert len(selected) <= 200  # a digest, not the whole feed (697 papers that day)


def test_odd_keywords_that_digest_yml_accepts_match_by_their_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    digest = tmp_path / "digest.yml"
    digest.write_text(
        "categories: [cs.CL]\ntopics:\n  - group: G\n    name: T\n    slug: t\n    subtopics:\n"
        "      - name: S\n        slug: s\n"
        "        keywords: ['C++', 'α', 'Qwen3.5', '  x  ', '-a-', '3']\n",
        encoding="utf-8",
    )
    triage = Triage(load_config(digest))
    reasons = {
        title: [h.reason for h in triage.score(paper(title))]
        for title in (
            "Fast C code",
            "fast c code",
            "The α decay",
            "Qwen 3.5 at scale",
            "Model x",
            "Version 3",
            "Unrelated",
        )
    }
    assert reasons == {
        "Fast C code": ["关键词命中 — 标题: C++"],  # a capital C: "c code" is not C++
        "fast c code": [],
        "The α decay": ["关键词命中 — 标题: α"],
        "Qwen 3.5 at scale": ["关键词命中 — 标题: Qwen3.5"],  # the longest match wins
        "Model x": ["关键词命中 — 标题:   x  "],
        "Version 3": ["关键词命中 — 标题: 3"],
        "Unrelated": [],
    }
