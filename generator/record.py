"""Who writes which field of a paper's record: every stage returns what it found, and
the functions here are the only ones that put it into a `Paper`.

    fields                                     found by                  applied by
    id, version, title, authors, abstract,     sources/rss.py (the feed) the Paper made
      categories, announce_type, institutions    or the API (backfill)     from_entry
      (arXiv's own affiliations)
    comments, journal_ref, doi,                sources/api.py ApiEntry   with_api, complete
      primary_category, full authors, api
    topics (keyword hits)                      topics.py                 with_topics
    title_zh, topics (the LLM's)               enrich: Enrichment        with_enrichment
    abstract_zh, tldr, institutions              (triaged, detailed,       (with_triage,
    llm (the step's state)                       state)                    with_detail)
    any of them, from an earlier run           store.merge_day           store.carry_over

The LLM step (enrich/enricher.py) writes nothing: it returns an Enrichment for each
paper, and `enrich_papers` applies them all in one step when it is done.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from generator.models import AnnounceType, Paper, StepState, TopicHit
from generator.sources.api import ApiEntry

if TYPE_CHECKING:  # types only: the LLM step's modules never import this one
    from generator.enrich.enricher import Enrichment
    from generator.enrich.replies import Detailed, Triaged

log = logging.getLogger(__name__)


def from_entry(entry: ApiEntry, categories: list[str]) -> Paper:
    """A backfilled paper, made from its API entry alone."""
    # The API cannot tell which listing a day carried; a paper whose primary
    # category is one of ours was announced as new there, others as cross-lists.
    announce: AnnounceType = "new" if entry.primary_category in categories else "cross"
    paper = Paper(
        id=entry.id,
        version=entry.version,
        title=entry.title,
        authors=entry.authors,
        abstract=entry.abstract,
        categories=entry.categories,
        primary_category=entry.primary_category,
        announce_type=announce,
    )
    with_api(paper, entry)
    return paper


def complete(papers: list[Paper], entries: Mapping[str, ApiEntry], problems: list[str]) -> None:
    """The API's answer for a listing applied to its papers; a paper without an entry
    is marked so, and the next run asks again."""
    for problem in problems:
        log.warning("arXiv API: %s", problem)
    for paper in papers:
        entry = entries.get(paper.id)
        if entry is None:
            reason = "batch failed" if problems else "not in the API's answer"
            paper.api = StepState("failed", reason)
        else:
            with_api(paper, entry)
    missing = sum(p.api.status == "failed" for p in papers)
    if missing:
        log.warning(
            "%d of %d papers kept without API extras (comments, journal ref, primary "
            "category); the next run retries them.",
            missing,
            len(papers),
        )


def with_api(paper: Paper, entry: ApiEntry) -> None:
    paper.comments = entry.comments
    paper.journal_ref = entry.journal_ref or paper.journal_ref
    paper.doi = entry.doi or paper.doi
    paper.primary_category = entry.primary_category
    if entry.authors:
        paper.authors = entry.authors
    institutions = list(dict.fromkeys([*(paper.institutions or []), *entry.affiliations]))
    paper.institutions = institutions or None
    paper.api = StepState("done")


def with_topics(papers: list[Paper], hits: Mapping[str, list[TopicHit]]) -> int:
    """Topic hits by paper id (keyword triage, a retriage); returns how many changed."""
    changed = 0
    for paper in papers:
        fresh = hits.get(paper.id)
        if fresh is not None and fresh != paper.topics:
            paper.topics = fresh
            changed += 1
    return changed


def with_triage(paper: Paper, triaged: Triaged) -> None:
    paper.title_zh, paper.topics = triaged.title_zh, triaged.topics


def with_detail(paper: Paper, detailed: Detailed, institutions: list[str] | None) -> None:
    """`institutions`: the reply's names with arXiv's own (`replies.with_arxivs_own`),
    or None to keep the record's."""
    paper.abstract_zh, paper.tldr = detailed.abstract_zh, detailed.tldr
    if institutions:
        paper.institutions = institutions


def with_enrichment(paper: Paper, found: Enrichment) -> None:
    """What the LLM step found: its triage, its detail, the step's state."""
    if found.triaged is not None:
        with_triage(paper, found.triaged)
    if found.detailed is not None:
        with_detail(paper, found.detailed, found.institutions)
    paper.llm = found.state
