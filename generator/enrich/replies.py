"""Replies, read strictly: nothing reaches a record before every check passed.

A reply that is unusable as a whole (not JSON, ids that were not asked for)
raises `ReplyRejected`; in a triage batch, a paper whose own entry fails is
rejected alone, so the others are kept and only it is asked again.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from generator.config import Config
from generator.enrich.checks import Target, check_abstract, check_summary, check_title
from generator.errors import ReplyRejected
from generator.models import Paper, TopicHit
from generator.text import one_line, paragraphs

log = logging.getLogger(__name__)

# Reasoning models served by Ollama or vLLM put their thinking first.
_THINKING = re.compile(r"^\s*<think>.*?</think>\s*", re.S)
# Without JSON mode, models like to wrap the object in a Markdown code block.
_CODE_BLOCK = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.S)
# "Tsinghua University (清华大学)": the gloss in the target language, up to the end.
_GLOSS = re.compile(r"\s*[((][^()()]*[^\x00-\x7f].*$")
_NOT_WORD = re.compile(r"[\W_]+")
MAX_REASON_CHARS = 200
MAX_INSTITUTIONS = 30


@dataclass(frozen=True)
class Triaged:
    title_zh: str
    topics: list[TopicHit]


@dataclass(frozen=True)
class Detailed:
    abstract_zh: str
    tldr: str
    institutions: list[str] | None  # None: no source was given, nothing was asked


@dataclass
class TriageReading:
    accepted: dict[str, Triaged] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # id → what was wrong


def parse_object(text: str, *, truncated: bool = False) -> dict[str, Any]:
    body = _THINKING.sub("", text).strip()
    block = _CODE_BLOCK.fullmatch(body)
    if block:
        body = block.group(1)
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        if truncated:
            raise ReplyRejected("the reply was cut off at the output limit") from exc
        raise ReplyRejected(
            f"the reply is not valid JSON ({exc.msg} at character {exc.pos})"
        ) from exc
    if not isinstance(value, dict):
        raise ReplyRejected("the reply must be one JSON object")
    return value


def read_triage(
    text: str, papers: dict[str, Paper], config: Config, *, truncated: bool = False
) -> TriageReading:
    reply = parse_object(text, truncated=truncated)
    entries = reply.get("papers")
    if not isinstance(entries, list):
        raise ReplyRejected('the reply needs "papers": a list with one entry per paper')
    by_id: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ReplyRejected('every entry of "papers" needs an "id" string')
        if entry["id"] in by_id:
            raise ReplyRejected(f"paper {entry['id']} appears twice")
        by_id[entry["id"]] = entry
    strangers = sorted(set(by_id) - set(papers))
    if strangers:
        raise ReplyRejected("the reply has ids that were not asked for: " + ", ".join(strangers))
    reading = TriageReading()
    target = Target(config.site.language)
    for arxiv_id, paper in papers.items():
        entry = by_id.get(arxiv_id)
        try:
            if entry is None:
                raise ReplyRejected("missing from the reply")
            reading.accepted[arxiv_id] = check_triaged(entry, paper, config, target)
        except ReplyRejected as exc:
            reading.rejected[arxiv_id] = f"{arxiv_id}: {exc}"
    return reading


def check_triaged(entry: object, paper: Paper, config: Config, target: Target) -> Triaged:
    """One paper's triage ({"title_zh", "topics"}), from a reply or read back from the
    reply cache: the same checks either way; ReplyRejected says what failed."""
    if not isinstance(entry, dict):
        raise ReplyRejected("the entry must be an object with title_zh and topics")
    title_zh = _text(entry, "title_zh")
    problems = check_title(paper.title, title_zh, target)
    if problems:
        raise ReplyRejected("; ".join(problems))
    raw_hits = entry.get("topics")
    if not isinstance(raw_hits, list):
        raise ReplyRejected('"topics" must be a list (empty when no topic fits)')
    hits: dict[str, TopicHit] = {}
    for raw in raw_hits:
        hit = _topic_hit(raw, config)
        if hit.topic in hits:
            raise ReplyRejected(f"topic {hit.topic!r} is listed twice")
        hits[hit.topic] = hit
    # A topic outside the paper's categories is not offered to it (as in keyword triage).
    eligible = [
        hits[t.slug] for t in config.topics if t.slug in hits and config.offers(t, paper.categories)
    ]
    return Triaged(one_line(title_zh), eligible)


def _topic_hit(raw: Any, config: Config) -> TopicHit:
    if not isinstance(raw, dict):
        raise ReplyRejected("each topic must be an object with topic, subtopic, score, reason")
    slug, sub_slug, score = raw.get("topic"), raw.get("subtopic"), raw.get("score")
    topic = next((t for t in config.topics if t.slug == slug), None)
    if topic is None:
        raise ReplyRejected(f"unknown topic {slug!r}")
    if sub_slug not in {s.slug for s in topic.subtopics}:
        raise ReplyRejected(f"unknown sub-topic {sub_slug!r} of topic {slug!r}")
    if isinstance(score, float) and score.is_integer():
        score = int(score)
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        raise ReplyRejected(f"score of topic {slug!r} must be an integer 0-100, got {score!r}")
    reason = _text(raw, "reason")
    if len(reason) > MAX_REASON_CHARS:
        raise ReplyRejected(f"reason of topic {slug!r} is longer than one sentence")
    return TopicHit(topic.slug, str(sub_slug), score, one_line(reason))


def read_detail(
    text: str,
    paper: Paper,
    target: Target,
    sources: str | None,
    *,
    truncated: bool = False,
) -> Detailed:
    """`sources`: the affiliations and first page the model was shown, if any."""
    reply = parse_object(text, truncated=truncated)
    if reply.get("id") != paper.id:
        raise ReplyRejected(f"the reply is for {reply.get('id')!r}, not {paper.id}")
    abstract_zh, tldr = _detail_texts(reply, paper, target)
    institutions = _institutions(reply.get("institutions"), sources) if sources else None
    return Detailed(abstract_zh, tldr, institutions)


def check_detailed(value: object, paper: Paper, target: Target) -> Detailed:
    """A detail read back from the reply cache ({"abstract_zh", "tldr", "institutions"}):
    the checks of a fresh reply; its institutions were matched against the paper's
    sources when it arrived, so here they need only be a list of strings, or null."""
    if not isinstance(value, dict):
        raise ReplyRejected("a detail must be an object")
    abstract_zh, tldr = _detail_texts(value, paper, target)
    institutions = value.get("institutions")
    listed = isinstance(institutions, list) and all(isinstance(n, str) for n in institutions)
    if "institutions" not in value or not (institutions is None or listed):
        raise ReplyRejected('"institutions" must be a list of strings or null')
    return Detailed(abstract_zh, tldr, institutions)


def _detail_texts(reply: dict[str, Any], paper: Paper, target: Target) -> tuple[str, str]:
    abstract_zh, tldr = _text(reply, "abstract_zh"), _text(reply, "tldr")
    problems = check_abstract(paper.abstract, abstract_zh, target)
    problems += check_summary(paper.abstract, tldr, target)
    if problems:
        raise ReplyRejected("; ".join(problems))
    # Stored like arXiv's own text: no control characters (they break the Atom
    # feeds' XML), no blank lines, no runs of spaces.
    return paragraphs(abstract_zh), one_line(tldr)


def _institutions(raw: Any, sources: str) -> list[str]:
    """Only names that the sources show: a name the model made up is dropped."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        raise ReplyRejected('"institutions" must be a list of strings')
    haystack = f" {_squash(sources)} "
    kept = []
    for name in dict.fromkeys(one_line(n) for n in raw[:MAX_INSTITUTIONS]):
        as_written = _GLOSS.sub("", name)
        if _squash(as_written) and f" {_squash(as_written)} " in haystack:
            kept.append(name)
        elif name:
            log.info("institution %r is not in the paper's sources; dropped", name[:80])
    return kept


def with_arxivs_own(named: list[str], own: list[str] | None) -> list[str]:
    """The names a detail reply gave (glossed in the target language), then every
    affiliation arXiv itself lists that the reply did not name: the model sees at most
    MAX_INSTITUTIONS of them, and a 300-author paper's list must not be cut to that."""
    covered = {_squash(_GLOSS.sub("", name)) for name in named}
    rest = [name for name in own or [] if _squash(_GLOSS.sub("", name)) not in covered]
    return list(dict.fromkeys([*named, *rest]))


def _squash(text: str) -> str:
    """Case, spacing and punctuation aside: 'Univ. of X,' matches 'univ of x'."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ReplyRejected(f'"{key}" must be a non-empty string')
    return value
