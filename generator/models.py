"""The typed records the stages hand each other.

`Paper` is the record contract of DESIGN.md: one per paper per announcement day,
stored as one JSON line with keys in a fixed order so re-runs are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from generator.ids import is_arxiv_id

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
STEP_STATUSES: tuple[StepStatus, ...] = ("done", "failed", "skipped", "pending")
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
    def from_dict(cls, raw: object) -> Paper:
        """The record `raw` (as read back from JSON); ValueError naming the first field
        that breaks the record contract. Nothing is coerced: "95" is not a score."""
        data = dict(check_record(raw))
        data["topics"] = [TopicHit(**hit) for hit in data["topics"]]
        data["api"], data["llm"] = StepState(**data["api"]), StepState(**data["llm"])
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
    # The stored lines that could not be read, "file:line: what is wrong": left out of
    # `papers` and the counts, kept in the file (Store.write_day will not replace it).
    unreadable: list[str] = field(default_factory=list)

    def counts(self) -> DayCounts:
        return self.counts_of_all or DayCounts.of(self.papers)


# -- the record contract, checked where records are read back ------------------------

RECORD_KEYS = tuple(f.name for f in fields(Paper))
_HIT_KEYS = ("topic", "subtopic", "score", "reason")
_STEP_KEYS = ("status", "reason")


def check_record(raw: object) -> dict[str, Any]:
    """`raw` when it is a record of the contract, every key present, none other, each
    value of its type; ValueError ("authors: expected a list of strings, got null")
    otherwise. The one place the stored shape is checked: the store's readers and
    anything else reading records back go through here."""
    if not isinstance(raw, dict):
        raise ValueError(f"expected a JSON object, got {_shown(raw)}")
    missing = [key for key in RECORD_KEYS if key not in raw]
    if missing:
        raise ValueError("missing key " + ", ".join(missing))
    if len(raw) != len(RECORD_KEYS):
        unknown = [str(key) for key in raw if key not in RECORD_KEYS]
        raise ValueError("unknown key " + ", ".join(repr(key[:40]) for key in unknown))
    for key, (valid, expected) in _FIELD_CHECKS.items():
        if not valid(raw[key]):
            raise ValueError(f"{key}: expected {expected}, got {_shown(raw[key])}")
    _check_hits(raw["topics"])
    for key in ("api", "llm"):
        _check_step(raw[key], key)
    return raw


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_whole(value: object, low: int, high: int) -> bool:
    # type() rather than isinstance: True is an int to Python, not a score to us.
    return type(value) is int and low <= value <= high


_FIELD_CHECKS: dict[str, tuple[Callable[[object], bool], str]] = {
    "id": (is_arxiv_id, "an arXiv identifier without version, e.g. 2606.19348"),
    "version": (lambda v: _is_whole(v, 1, 9999), "a version number 1-9999"),
    "title": (_is_text, "a string"),
    "authors": (_is_texts, "a list of strings"),
    "abstract": (_is_text, "a string"),
    "categories": (_is_texts, "a list of strings"),
    "primary_category": (_is_optional_text, "a string or null"),
    "announce_type": (lambda v: v in ANNOUNCE_TYPES, " | ".join(ANNOUNCE_TYPES)),
    "comments": (_is_optional_text, "a string or null"),
    "journal_ref": (_is_optional_text, "a string or null"),
    "doi": (_is_optional_text, "a string or null"),
    "title_zh": (_is_optional_text, "a string or null"),
    "abstract_zh": (_is_optional_text, "a string or null"),
    "tldr": (_is_optional_text, "a string or null"),
    "institutions": (lambda v: v is None or _is_texts(v), "a list of strings or null"),
    "topics": (lambda v: isinstance(v, list), "a list of topic hits"),
}


def _check_hits(hits: list[Any]) -> None:
    for number, hit in enumerate(hits):
        where = f"topics[{number}]"
        if not isinstance(hit, dict) or sorted(hit) != sorted(_HIT_KEYS):
            raise ValueError(f"{where}: expected {{{', '.join(_HIT_KEYS)}}}, got {_shown(hit)}")
        for key in ("topic", "subtopic", "reason"):
            if not isinstance(hit[key], str):
                raise ValueError(f"{where}.{key}: expected a string, got {_shown(hit[key])}")
        if not _is_whole(hit["score"], 0, 100):
            raise ValueError(
                f"{where}.score: expected an integer 0-100, got {_shown(hit['score'])}"
            )


def _check_step(step: object, where: str) -> None:
    if not isinstance(step, dict) or sorted(step) != sorted(_STEP_KEYS):
        raise ValueError(f"{where}: expected {{status, reason}}, got {_shown(step)}")
    if step["status"] not in STEP_STATUSES:
        expected = " | ".join(STEP_STATUSES)
        raise ValueError(f"{where}.status: expected {expected}, got {_shown(step['status'])}")
    if not _is_optional_text(step["reason"]):
        raise ValueError(f"{where}.reason: expected a string or null, got {_shown(step['reason'])}")


def _shown(value: object) -> str:
    """A value as JSON would show it, cut short: what a reader of the error can find."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
