"""Keyword triage: for each paper and topic, a sub-topic, a 0-100 score and why.

It is the default when no LLM is configured, and a cheap first pass otherwise.
A topic's own keywords say whether a paper is about the topic at all (a title
hit counts most); its sub-topics' keywords say which part of it, and add to
the score. All keywords of all topics are matched in one pass over the words.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from generator.config import Config, Topic
from generator.models import Paper, TopicHit
from generator.text import WORDS

TITLE_GATE = 50  # the topic named in the title
ABSTRACT_GATE_FIRST, ABSTRACT_GATE_EACH, ABSTRACT_GATE_MAX = 20, 8, 45
NO_GATE_BASE = 30  # topics without keywords of their own: a sub-topic hit is the gate
SUB_TITLE, SUB_ABSTRACT, SUB_REPEAT, SUB_MAX = 25, 10, 3, 50
FALLBACK_BONUS = 10  # the topic is clearly there, but no sub-topic matched


@dataclass
class _Matches:
    """Which keywords (by normalised form) occurred in a paper, and how often."""

    title: set[str] = field(default_factory=set)
    abstract: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _stem(token: str) -> str:
    """Lower case, plural `s` dropped: LLMs → llm, models → model (process stays)."""
    lowered = token.lower()
    if len(lowered) > 3 and lowered.endswith("s") and not lowered.endswith("ss"):
        return lowered[:-1]
    return lowered


def _normalise(keyword: str) -> str:
    return " ".join(_stem(t) for t in WORDS.findall(keyword))


def _variants(keyword: str) -> list[tuple[str, ...]]:
    """`pre-training` also matches `pretraining`: the split and the joined form."""
    parts = WORDS.findall(keyword)
    if not parts:  # digest.yml refuses such keywords; a Config built in code may not
        return []
    forms = {tuple(_stem(p) for p in parts)}
    if len(parts) > 1:
        forms.add((_stem("".join(parts)),))
    return sorted(forms)


class Triage:
    """Compiled once per config; `score(paper)` is then one pass over the words."""

    def __init__(self, config: Config) -> None:
        self.config = config
        # first word → [(all words, normalised keyword, capitals required)], longest first
        self._display: dict[str, str] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, str | None]]] = defaultdict(list)
        for keyword in dict.fromkeys(k for t in config.topics for k in _all_keywords(t)):
            # An all-capitals keyword (LLM, MoE is not) matches only in capitals;
            # it is compared with the word it is, so "C++" finds the C of "C code".
            parts = WORDS.findall(keyword)
            capitals = parts[0] if keyword.isupper() and len(parts) == 1 else None
            self._display.setdefault(_normalise(keyword), keyword)
            for words in _variants(keyword):
                self._phrases[words[0]].append((words, _normalise(keyword), capitals))
        for candidates in self._phrases.values():
            candidates.sort(key=lambda c: len(c[0]), reverse=True)

    def _find(self, text: str) -> dict[str, int]:
        tokens = WORDS.findall(text)
        stems = [_stem(t) for t in tokens]
        found: dict[str, int] = defaultdict(int)
        i = 0
        while i < len(stems):
            step = 1
            for words, keyword, capitals in self._phrases.get(stems[i], ()):
                if tuple(stems[i : i + len(words)]) != words:
                    continue
                if capitals and tokens[i].removesuffix("s") != capitals:
                    continue
                # Longest match wins: "vision-language model" is not "language model".
                found[keyword] += 1
                step = len(words)
                break
            i += step
        return found

    def score(self, paper: Paper) -> list[TopicHit]:
        matches = _Matches(set(self._find(paper.title)), self._find(paper.abstract))
        hits = []
        for topic in self.config.topics:
            if not self.config.offers(topic, paper.categories):
                continue
            hit = _score_topic(topic, matches, self._display)
            if hit is not None:
                hits.append(hit)
        return hits


def _all_keywords(topic: Topic) -> list[str]:
    return [*topic.keywords, *topic.exclude, *(k for s in topic.subtopics for k in s.keywords)]


def _score_topic(topic: Topic, m: _Matches, display: dict[str, str]) -> TopicHit | None:
    if any(_normalise(k) in m.title or _normalise(k) in m.abstract for k in topic.exclude):
        return None
    gate_words = [_normalise(k) for k in topic.keywords]
    gate_title = [k for k in gate_words if k in m.title]
    gate_abstract = sum(m.abstract.get(k, 0) for k in gate_words)
    best_points, best_sub = 0, None
    best_terms: tuple[list[str], list[str]] = ([], [])
    for sub in topic.subtopics:
        words = [_normalise(k) for k in sub.keywords]
        in_title = [k for k in words if k in m.title]
        in_abstract = [k for k in words if k in m.abstract and k not in in_title]
        repeats = sum(m.abstract[k] - 1 for k in in_abstract)
        points = min(
            SUB_MAX,
            SUB_TITLE * len(in_title) + SUB_ABSTRACT * len(in_abstract) + SUB_REPEAT * repeats,
        )
        if points > best_points:
            best_points, best_sub, best_terms = points, sub, (in_title, in_abstract)
    if gate_words:
        if gate_title:
            gate = TITLE_GATE
        elif gate_abstract:
            gate = min(ABSTRACT_GATE_MAX, ABSTRACT_GATE_FIRST + ABSTRACT_GATE_EACH * gate_abstract)
        else:
            return None
    elif best_sub is not None:
        gate = NO_GATE_BASE
    else:
        return None
    if best_sub is None:
        best_sub = next((s for s in topic.subtopics if s.fallback), None)
        if best_sub is None:
            return None
        best_points = FALLBACK_BONUS
    gate_terms = gate_title or [k for k in gate_words if k in m.abstract]
    reason = _reason(display, gate_title, gate_terms, *best_terms)
    return TopicHit(topic.slug, best_sub.slug, min(100, gate + best_points), reason)


def _reason(
    display: dict[str, str],
    gate_title: list[str],
    gate_terms: list[str],
    sub_title: list[str],
    sub_abstract: list[str],
) -> str:
    in_title = list(dict.fromkeys([*gate_title, *sub_title]))
    in_abstract = [k for k in dict.fromkeys([*gate_terms, *sub_abstract]) if k not in in_title]
    parts = []
    if in_title:
        parts.append("标题: " + ", ".join(display[k] for k in in_title))
    if in_abstract:
        parts.append("摘要: " + ", ".join(display[k] for k in in_abstract))
    return "关键词命中 — " + "; ".join(parts)


def triage(papers: list[Paper], config: Config) -> dict[str, list[TopicHit]]:
    """Each paper's keyword topic hits, by id (`record.with_topics` applies them)."""
    scorer = Triage(config)
    return {paper.id: scorer.score(paper) for paper in papers}


# -- after digest.yml's topics changed ----------------------------------------------


def stale_hits(config: Config, papers: list[Paper]) -> Counter[str]:
    """Stored topic hits that digest.yml no longer has a place for, by "topic" or
    "topic/sub-topic": papers a renamed or removed topic would otherwise hide."""
    subtopics = {t.slug: {s.slug for s in t.subtopics} for t in config.topics}
    stale: Counter[str] = Counter()
    for paper in papers:
        for hit in paper.topics:
            if hit.topic not in subtopics:
                stale[hit.topic] += 1
            elif hit.subtopic not in subtopics[hit.topic]:
                stale[f"{hit.topic}/{hit.subtopic}"] += 1
    return stale


def retriage(papers: list[Paper], config: Config) -> dict[str, list[TopicHit]]:
    """A stored day's papers sorted into digest.yml's topics again without an LLM: the
    topic hits of each, by id (`record.with_topics` applies them).

    A paper the LLM never scored gets fresh keyword hits. One the LLM scored keeps the
    LLM's hits that still fit; a hit whose sub-topic is gone takes the keyword triage's
    sub-topic (or the topic's fallback). Keywords fill only the topics the LLM did not
    know when it scored the day (new or renamed ones: no LLM-scored paper of the day
    has a hit there), so the LLM's "not this topic" stands. `enrich --force` asks the
    LLM itself again."""
    scorer = Triage(config)
    seen_by_llm = {h.topic for p in papers if p.llm.status == "done" for h in p.topics}
    hits = {}
    for paper in papers:
        fresh = scorer.score(paper)
        if paper.llm.status == "done":
            fresh = _keep_llm_hits(paper, fresh, config, seen_by_llm)
        hits[paper.id] = fresh
    return hits


def _keep_llm_hits(
    paper: Paper, by_keywords: list[TopicHit], config: Config, seen_by_llm: set[str]
) -> list[TopicHit]:
    keyword_hit = {hit.topic: hit for hit in by_keywords}
    hits = []
    for topic in config.topics:
        if not config.offers(topic, paper.categories):
            continue
        hit = paper.hit(topic.slug)
        if hit is None:
            if topic.slug not in seen_by_llm and topic.slug in keyword_hit:
                hits.append(keyword_hit[topic.slug])
            continue
        if hit.subtopic not in {s.slug for s in topic.subtopics}:
            subtopic = _new_subtopic(topic, keyword_hit.get(topic.slug))
            if subtopic is None:
                continue
            hit = TopicHit(hit.topic, subtopic, hit.score, hit.reason)
        hits.append(hit)
    return hits


def _new_subtopic(topic: Topic, keyword_hit: TopicHit | None) -> str | None:
    if keyword_hit is not None:
        return keyword_hit.subtopic
    return next((s.slug for s in topic.subtopics if s.fallback), None)
