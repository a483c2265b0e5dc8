"""Which papers a digest lists: the one rule, asked by the store, the LLM step and pages.

A paper is listed on a topic's page when its score for the topic reaches the
threshold of digest.yml; such a paper is owed a translated abstract and summary.
"""

from __future__ import annotations

from generator.models import Paper, TopicHit


def listed_under(hit: TopicHit, threshold: int) -> bool:
    return hit.score >= threshold


def is_listed(paper: Paper, threshold: int) -> bool:
    """Listed on at least one topic page."""
    return any(listed_under(hit, threshold) for hit in paper.topics)


def lacks_details(paper: Paper, threshold: int) -> bool:
    """Listed, its LLM step done, but without the details a listed paper gets: it was
    listed only later (a lower threshold, new topics), and `enrich` completes it."""
    return paper.llm.status == "done" and paper.abstract_zh is None and is_listed(paper, threshold)
