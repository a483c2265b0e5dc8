"""The typed records the stages hand each other.

`Paper` is the record contract of DESIGN.md: one per paper per announcement day,
stored as one JSON line with keys in a fixed order so re-runs are byte-identical.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

AnnounceType = Literal["new", "cross", "replace", "replace-cross"]
ANNOUNCE_TYPES: tuple[AnnounceType, ...] = ("new", "cross", "replace", "replace-cross")
# When one paper is listed twice (in several categories, or by two runs of a day), the
# listing in its own category (new / replace) says more than a cross-listing of it.
LISTING_PRECEDENCE: dict[AnnounceType, int] = {
    "new": 0,
    "replace": 1,
    "cross": 2,
    "replace-cross": 3,
}

# Step states: "done", "failed" (with a reason, retried next run), "skipped"
# (deliberately not done, e.g. no LLM configured), "pending" (not tried yet;
# never stored: the record contract knows done, failed and skipped).
StepStatus = Literal["done", "failed", "skipped", "pending"]
# Why the LLM step was skipped. The budget's papers are shown as 待翻译.
NO_LLM = "no LLM configured"
BUDGET_LEFT = "daily token budget reached; `arxiv-digest enrich` continues"
# The one "done" with a reason: translated and summarised, but the institutions are
# arXiv's only, as the run's first pages (llm.first_pages_per_run) were spent or the
# page could not be read; a later run or `arxiv-digest enrich` reads it.
FIRST_PAGE_LATER = "first page not read yet; institutions from arXiv only"


@dataclass(frozen=True)
class TopicHit:
    topic: str  # topic slug from digest.yml
    subtopic: str  # sub-topic slug
    score: int  # 0-100
    reason: str  # why: matched terms (keywords) or the LLM's one-line reason


@dataclass(frozen=True)
class StepState:
    status: StepStatus
    reason: str | None = None


@dataclass
class Paper:
    id: str  # arXiv id without version, e.g. "2606.19348"
    version: int
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    primary_category: str | None
    announce_type: AnnounceType
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    title_zh: str | None = None
    abstract_zh: str | None = None
    tldr: str | None = None
    institutions: list[str] | None = None
    topics: list[TopicHit] = field(default_factory=list)
    # Completion from the arXiv API (comments, journal ref, primary category, ...)
    api: StepState = field(default_factory=lambda: StepState("pending"))
    llm: StepState = field(default_factory=lambda: StepState("pending"))

    @property
    def versioned_id(self) -> str:
        return f"{self.id}v{self.version}"

    def hit(self, topic_slug: str) -> TopicHit | None:
        return next((h for h in self.topics if h.topic == topic_slug), None)

    def to_dict(self) -> dict[str, Any]:
        # asdict keeps field declaration order, which is the record contract's order.
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Paper:
        data = dict(raw)
        data["topics"] = [TopicHit(**hit) for hit in data.get("topics") or []]
        data["api"] = StepState(**data["api"]) if data.get("api") else StepState("pending")
        data["llm"] = StepState(**data["llm"]) if data.get("llm") else StepState("pending")
        return cls(**data)


@dataclass(frozen=True)
class DayCounts:
    """What the pages say about a whole day: how many papers, by announce type and by
    LLM step status."""

    total: int
    announce: dict[str, int]
    llm: dict[str, int]

    @classmethod
    def of(cls, papers: list[Paper]) -> DayCounts:
        return cls.tally((p.announce_type, p.llm.status) for p in papers)

    @classmethod
    def tally(cls, papers: Iterable[tuple[str, str]]) -> DayCounts:
        """From each paper's (announce type, LLM status)."""
        announce: Counter[str] = Counter()
        llm: Counter[str] = Counter()
        for announce_type, status in papers:
            announce[announce_type] += 1
            llm[status] += 1
        return cls(sum(announce.values()), dict(announce), dict(llm))


@dataclass
class Day:
    """One announcement day: its date (US Eastern) and its papers, sorted by id."""

    date: dt.date
    papers: list[Paper]
    # Set when `papers` holds only some of the day's papers (Store.read_listed):
    # the counts of all of them.
    counts_of_all: DayCounts | None = None

    def counts(self) -> DayCounts:
        return self.counts_of_all or DayCounts.of(self.papers)
