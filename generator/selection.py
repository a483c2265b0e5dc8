"""Which papers a digest lists: the one rule, asked by the store, the LLM step and pages.

A paper is listed on a topic's page when its score for the topic reaches the
threshold of digest.yml; such a paper is owed a translated abstract and summary.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.models import FIRST_PAGE_LATER, Paper, TopicHit


def listed_under(hit: TopicHit, threshold: int) -> bool:
    return hit.score >= threshold


def is_listed(paper: Paper, threshold: int) -> bool:
    """Listed on at least one topic page."""
    return any_listed(paper.topics, threshold)


def any_listed(hits: Iterable[TopicHit], threshold: int) -> bool:
    """Hits that list a paper on at least one topic page."""
    return any(listed_under(hit, threshold) for hit in hits)


def lacks_details(paper: Paper, threshold: int) -> bool:
    """Listed, its LLM step done, but without the details a listed paper gets: it was
    listed only later (a lower threshold, new topics), and `enrich` completes it."""
    return paper.llm.status == "done" and paper.abstract_zh is None and is_listed(paper, threshold)


def needs_llm(paper: Paper, threshold: int) -> bool:
    """The LLM step is not done, or it is but the paper was listed only later (a lower
    threshold, other topics) and lacks the abstract and summary a listed paper gets, or
    its first page is still to be read."""
    return (
        paper.llm.status != "done"
        or paper.llm.reason == FIRST_PAGE_LATER
        or lacks_details(paper, threshold)
    )


def on_pages(paper: Paper, threshold: int) -> bool:
    """What rendering reads of a day: the listed papers, and those whose LLM step
    failed (the page's notice counts them)."""
    return paper.llm.status == "failed" or is_listed(paper, threshold)
