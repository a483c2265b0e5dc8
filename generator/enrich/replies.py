"""Replies, read strictly: nothing reaches a record before every check passed.

Strict about meaning, tolerant about form: a topic named by its display name
instead of its slug (`TopicNames`), or a score of "95", is read as what it says;
an unknown or ambiguous topic, or a score of 95.5, is not (README: "The LLM step").
A reply that is unusable as a whole (not JSON, ids that were not asked for)
raises `ReplyRejected`; in a triage batch, a paper whose own entry fails is
rejected alone, so the others are kept and only it is asked again.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from generator.config import Config, Subtopic, Topic, excerpt
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
# A score written as text: "95", "95.0" (an integer; "95.5" is not).
_SCORE_TEXT = re.compile(r"[0-9]{1,3}(?:\.0+)?")
_SPACING = re.compile(r"[\s_-]+")
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
    """One hit of a reply (or of the reply cache) as a TopicHit, or why not."""
    if not isinstance(raw, dict):
        raise ReplyRejected("each topic must be an object with topic, subtopic, score, reason")
    names = topic_names(config)
    topic = names.topic(raw.get("topic"))
    subtopic = names.subtopic(topic, raw.get("subtopic"))
    given = raw.get("score")
    score = read_score(given)
    if score is None:
        raise ReplyRejected(
            f"score of topic {topic.slug!r} must be an integer 0-100, got {excerpt(given)}"
        )
    reason = _text(raw, "reason")
    if len(reason) > MAX_REASON_CHARS:
        raise ReplyRejected(f"reason of topic {topic.slug!r} is longer than one sentence")
    return TopicHit(topic.slug, subtopic.slug, score, one_line(reason))


def read_score(value: object) -> int | None:
    """An integer 0-100 as a model writes it: 95, 95.0, "95", " 95 ", "95.0"; else None."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not _SCORE_TEXT.fullmatch(text):
            return None
        value = float(text)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        return None
    return value


# -- which topic a reply names ---------------------------------------------------


class TopicNames:
    """Which topic or sub-topic a reply's text names. The prompt lists each as
    `slug: name`; models answer with the slug, the name, or both, in their own case,
    spacing and full-width punctuation. Read as a topic are, ignoring case, spaces,
    hyphens, underscores and full-width forms: its slug, its name, and
    `slug: name`, `slug / name`, `slug | name`, `name (slug)` in either order. The
    exact slug always wins; a form that fits two topics names neither."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._topics = _Index([(t.slug, t.name) for t in config.topics])
        self._subtopics = {
            t.slug: _Index([(s.slug, s.name) for s in t.subtopics]) for t in config.topics
        }

    def topic(self, text: object) -> Topic:
        slugs = self._topics.find(text)
        if len(slugs) > 1:
            raise ReplyRejected(f"topic {excerpt(text)} could be {_either(slugs)}")
        if not slugs:
            raise ReplyRejected(f"unknown topic {excerpt(text)}")
        return self.config.topic(slugs[0])

    def subtopic(self, topic: Topic, text: object) -> Subtopic:
        slugs = self._subtopics[topic.slug].find(text)
        if len(slugs) > 1:
            raise ReplyRejected(
                f"sub-topic {excerpt(text)} of topic {topic.slug!r} could be {_either(slugs)}"
            )
        if not slugs:
            raise ReplyRejected(f"unknown sub-topic {excerpt(text)} of topic {topic.slug!r}")
        return next(s for s in topic.subtopics if s.slug == slugs[0])


class _Index:
    """The forms of (slug, name) pairs, each with the slugs it could mean."""

    def __init__(self, entries: list[tuple[str, str]]) -> None:
        self._slugs = {slug for slug, _ in entries}
        self._forms: dict[str, list[str]] = {}
        for slug, name in entries:
            for form in _forms(slug, name):
                meant = self._forms.setdefault(form, [])
                if slug not in meant:
                    meant.append(slug)

    def find(self, text: object) -> list[str]:
        """The slugs `text` could mean: one, none, or (ambiguous) several."""
        if not isinstance(text, str):
            return []
        if text in self._slugs:
            return [text]
        return self._forms.get(_form_key(text), [])


def _forms(slug: str, name: str) -> set[str]:
    written = {slug, name}
    for first, second in ((slug, name), (name, slug)):
        written.update(f"{first}{separator}{second}" for separator in ":/|")
        written.add(f"{first}({second})")
    return {_form_key(form) for form in written}


def _form_key(text: str) -> str:
    """Case, spacing, hyphens, underscores and full-width forms aside."""
    return _SPACING.sub("", unicodedata.normalize("NFKC", text).casefold())


def _either(slugs: list[str]) -> str:
    return " or ".join(map(repr, slugs))


_NAMES: dict[int, TopicNames] = {}


def topic_names(config: Config) -> TopicNames:
    """The config's TopicNames, built on first use (a config is frozen). Each is
    kept with its config, so an id is never reused while it is stored here."""
    names = _NAMES.get(id(config))
    if names is None or names.config is not config:
        if len(_NAMES) >= 8:  # tests build many configs; a run uses one
            del _NAMES[next(iter(_NAMES))]
        names = _NAMES[id(config)] = TopicNames(config)
    return names


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
