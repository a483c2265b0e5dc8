"""The LLM step for one day's papers: triage every paper, then detail the selected.

    cache hit?  ──yes──────────────────────────────┐
        │no                                         ▼
    triage batch ─ reply checked ─ rejected? ─ ask once more ─ still? → failed
        │ accepted, score ≥ threshold
    first page (HTML) → detail ─ reply checked ─ rejected? ─ ask once more ─ still? → failed

Batches run concurrently and each feeds its selected papers to detail as soon
as it is back, so detail requests overlap the triage of other batches. Every
accepted reply goes to the cache before anything else happens to it.

First pages are read for the selected papers arXiv gave no affiliations for, one
at a time at robots.txt's pace, so only their details wait: the others go on. Once
every batch is triaged, the run's pages (`Crawl.take`) go to the best-scored of
them; the rest are detailed without, marked FIRST_PAGE_LATER, and read by a later
run (their page-less reply is cached apart, so asking again costs nothing).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict, dataclass

from generator.config import Config
from generator.enrich.client import ChatClient, Completion, estimate_tokens
from generator.enrich.firstpage import LATER, NO_PAGE, FirstPage, FirstPages
from generator.enrich.prompts import Message, Prompts, addresses_a_model
from generator.enrich.replies import (
    Detailed,
    Triaged,
    check_detailed,
    check_triaged,
    read_detail,
    read_triage,
    with_arxivs_own,
)
from generator.enrich.usage import Budget
from generator.errors import LLMUnavailable, ReplyRejected
from generator.models import BUDGET_LEFT, FIRST_PAGE_LATER, Paper, StepState
from generator.progress import Tracker
from generator.selection import any_listed
from generator.store import ReplyCache

log = logging.getLogger(__name__)

TRIAGE, DETAIL = "triage", "detail"
STAGE_NAMES = {TRIAGE: "标题与评分 triage", DETAIL: "摘要与总结 detail"}
OUT_TOKENS_PER_TRIAGED = 160  # a title, two topic hits and their reasons


@dataclass(frozen=True)
class Enrichment:
    """What the LLM step found for one paper; `record.with_enrichment` applies it."""

    state: StepState
    triaged: Triaged | None = None
    detailed: Detailed | None = None
    # The detail reply's names with every affiliation arXiv itself lists (None: keep).
    institutions: list[str] | None = None


class Enricher:
    """Finds, writes nothing: `enrich` returns each paper's Enrichment."""

    def __init__(
        self,
        config: Config,
        client: ChatClient,
        cache: ReplyCache,
        first_pages: FirstPages | None,
        budget: Budget,
        tracker: Tracker,
        prompts: Prompts | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.cache = cache
        self.first_pages = first_pages
        self.budget = budget
        self.tracker = tracker
        self.prompts = prompts or Prompts(config)  # their versions key the reply cache
        self.model = client.settings.model
        self.failures: dict[str, str] = {}
        self.postponed: set[str] = set()
        self.pages_later: set[str] = set()  # detailed without the first page they lack
        self.triaged: dict[str, Triaged] = {}
        self.detailed: dict[str, Detailed] = {}
        self._pages: dict[str, tuple[Paper, asyncio.Future[FirstPage]]] = {}
        self._triage_left = 0
        self._triaged = asyncio.Event()

    async def enrich(self, papers: list[Paper]) -> dict[str, Enrichment]:
        """What triage and detail found for each paper, and its `llm` state (done,
        failed or skipped), by id."""
        self.tracker.add(STAGE_NAMES[TRIAGE], len(papers))
        from_cache: list[Paper] = []
        to_ask: list[Paper] = []
        for paper in papers:
            (from_cache if self._triage_from_cache(paper) else to_ask).append(paper)
        self.tracker.advance(STAGE_NAMES[TRIAGE], len(from_cache))
        batches = _batches(to_ask, self.config.llm.triage_batch_size)
        self._triage_left = len(batches)
        if not batches:
            self._triaged.set()
        await asyncio.gather(
            self._read_first_pages(papers),
            self._details(self._plan_details(from_cache)),
            *(self._triage_then_detail(b) for b in batches),
        )
        return {paper.id: self._found(paper) for paper in papers}

    def _found(self, paper: Paper) -> Enrichment:
        detailed = self.detailed.get(paper.id)
        named = detailed.institutions if detailed else []
        return Enrichment(
            self._state(paper.id),
            self.triaged.get(paper.id),
            detailed,
            with_arxivs_own(named, paper.institutions) if named else None,
        )

    def _state(self, arxiv_id: str) -> StepState:
        if arxiv_id in self.failures:
            return StepState("failed", self.failures[arxiv_id])
        if arxiv_id in self.postponed:
            return StepState("skipped", BUDGET_LEFT)
        if arxiv_id in self.pages_later:
            return StepState("done", FIRST_PAGE_LATER)
        return StepState("done")

    # -- triage ------------------------------------------------------------

    def _key(self, stage: str, paper: Paper) -> str:
        version = self.prompts.triage_version if stage == TRIAGE else self.prompts.detail_version
        return ReplyCache.key(stage, paper.versioned_id, self.model, version)

    def _triage_from_cache(self, paper: Paper) -> bool:
        """Whether the cache holds the paper's triage, and it passes a fresh reply's
        checks (a cache line is data like any other: a score of 250 is not used)."""
        cached = self.cache.get(self._key(TRIAGE, paper))
        if cached is None:
            return False
        try:
            triaged = check_triaged(cached, paper, self.config, self.prompts.target)
        except ReplyRejected as exc:
            log.info("%s: cached triage not used (%s); asked again", paper.versioned_id, exc)
            return False
        self._apply_triage(paper, triaged)
        self.client.usage.cache_hits += 1
        return True

    async def _triage_then_detail(self, batch: list[Paper]) -> None:
        try:
            accepted = await self._triage(batch)
            self.tracker.advance(STAGE_NAMES[TRIAGE], len(batch))
            chosen = self._plan_details(accepted)
        finally:
            self._triage_left -= 1
            if not self._triage_left:
                self._triaged.set()
        await self._details(chosen)

    async def _triage(self, batch: list[Paper]) -> list[Paper]:
        """Ask for the batch; ask once more, with the problems, for papers rejected."""
        waiting = {p.id: p for p in batch}
        accepted: list[Paper] = []
        correction: str | None = None
        for _ in range(2):
            papers = list(waiting.values())
            messages = self.prompts.triage(papers, correction)
            out_tokens = OUT_TOKENS_PER_TRIAGED * len(papers) + 200
            completion = await self._ask(papers, messages, out_tokens, TRIAGE)
            if completion is None:
                return accepted
            try:
                reading = read_triage(
                    completion.text, waiting, self.config, truncated=completion.truncated
                )
            except ReplyRejected as exc:
                correction = str(exc)
                problems = {arxiv_id: correction for arxiv_id in waiting}
            else:
                for arxiv_id, triaged in reading.accepted.items():
                    paper = waiting.pop(arxiv_id)
                    self.cache.put(self._key(TRIAGE, paper), _triage_value(triaged))
                    self._apply_triage(paper, triaged)
                    accepted.append(paper)
                problems = reading.rejected
                correction = "\n".join(f"- {problem}" for problem in problems.values())
            if not waiting:
                return accepted
        for arxiv_id in waiting:
            self._fail(arxiv_id, TRIAGE, problems[arxiv_id])
        return accepted

    def _apply_triage(self, paper: Paper, triaged: Triaged) -> None:
        self.triaged[paper.id] = triaged

    # -- detail ------------------------------------------------------------

    def _selected(self, paper: Paper) -> bool:
        """Listed by the LLM's triage of it: owed a detail request."""
        return any_listed(self.triaged[paper.id].topics, self.config.selection.threshold)

    def _plan_details(self, papers: list[Paper]) -> list[Paper]:
        """The selected papers; those that will want a first page join its queue now,
        before the batch counts as triaged, so the queue is complete when all are."""
        chosen = [p for p in papers if self._selected(p)]
        for paper in chosen:
            if self._wants_first_page(paper):
                future = asyncio.get_running_loop().create_future()
                self._pages[paper.id] = (paper, future)
        if chosen:
            self.tracker.add(STAGE_NAMES[DETAIL], len(chosen))
        return chosen

    def _wants_first_page(self, paper: Paper) -> bool:
        return (
            self.first_pages is not None
            and not paper.institutions
            and self._detail_from_cache(paper, self._key(DETAIL, paper)) is None
        )

    async def _details(self, chosen: list[Paper]) -> None:
        await asyncio.gather(*(self._detail(p) for p in chosen))

    async def _detail(self, paper: Paper) -> None:
        key = self._key(DETAIL, paper)
        page = NO_PAGE
        if paper.id in self._pages:
            page = await self._pages[paper.id][1]
        if page.later:  # detailed without it for now; that reply is cached apart
            self.pages_later.add(paper.id)
            key = ReplyCache.key(DETAIL, paper.versioned_id, self.model, self._unread_version)
        detailed = self._detail_from_cache(paper, key)
        if detailed is None:
            await self._ask_detail(paper, key, page.text)
        else:
            self.client.usage.cache_hits += 1
            self._apply_detail(paper, detailed)
        self.tracker.advance(STAGE_NAMES[DETAIL])

    def _detail_from_cache(self, paper: Paper, key: str) -> Detailed | None:
        cached = self.cache.get(key)
        if cached is None:
            return None
        try:
            return check_detailed(cached, paper, self.prompts.target)
        except ReplyRejected as exc:
            log.info("%s: cached detail not used (%s); asked again", paper.versioned_id, exc)
            return None

    @property
    def _unread_version(self) -> str:
        return f"{self.prompts.detail_version}-first-page-unread"

    async def _read_first_pages(self, papers: list[Paper]) -> None:
        """Read the queue's pages once every batch is triaged, best score first, as
        many as the run may still read; answer every paper that waits for one."""
        if self.first_pages is None:
            return
        try:
            if any(not p.institutions for p in papers):
                await self.first_pages.rules()  # robots.txt, while the batches are triaged
            await self._triaged.wait()
            queue = sorted(self._pages.values(), key=lambda waiting: self._priority(waiting[0]))
            if queue:
                await self._read_queue(self.first_pages, queue)
        finally:
            for _, future in self._pages.values():
                if not future.done():
                    future.set_result(LATER)

    async def _read_queue(
        self, pages: FirstPages, queue: list[tuple[Paper, asyncio.Future[FirstPage]]]
    ) -> None:
        rules = await pages.rules()
        allowed = []
        for paper, future in queue:
            if rules.allows(pages.url(paper.id, paper.version)):
                allowed.append((paper, future))
            else:
                future.set_result(NO_PAGE)  # robots.txt forbids it: arXiv's affiliations only
        granted = pages.crawl.take(len(allowed))
        for _, future in allowed[granted:]:
            future.set_result(LATER)
        if len(allowed) > granted:
            log.info(
                "%d first pages left for a later run (llm.first_pages_per_run)",
                len(allowed) - granted,
            )
        for paper, future in allowed[:granted]:
            future.set_result(await pages.read(paper.id, paper.version))

    async def _ask_detail(self, paper: Paper, key: str, first_page: str | None) -> None:
        sources = "\n".join([*(paper.institutions or []), first_page or ""]).strip() or None
        correction: str | None = None
        for _ in range(2):
            messages = self.prompts.detail(paper, first_page, correction)
            out_tokens = estimate_tokens(paper.abstract) * 2 + 300
            completion = await self._ask([paper], messages, out_tokens, DETAIL)
            if completion is None:
                return
            try:
                detailed = read_detail(
                    completion.text,
                    paper,
                    self.prompts.target,
                    sources,
                    truncated=completion.truncated,
                )
            except ReplyRejected as exc:
                correction = f"- {exc}"
                continue
            self.cache.put(key, asdict(detailed))
            self._apply_detail(paper, detailed)
            return
        self._fail(paper.id, DETAIL, correction or "")

    def _apply_detail(self, paper: Paper, detailed: Detailed) -> None:
        self.detailed[paper.id] = detailed

    def _priority(self, paper: Paper) -> tuple[int, str]:
        """Best score of the LLM's triage first; ties by id."""
        hits = self.triaged[paper.id].topics
        return (-max((hit.score for hit in hits), default=0), paper.id)

    # -- requests ----------------------------------------------------------

    async def _ask(
        self, papers: list[Paper], messages: list[Message], out_tokens: int, stage: str
    ) -> Completion | None:
        """One request within the budget; None (papers marked) when it cannot be had."""
        estimate = estimate_tokens(json.dumps(messages, ensure_ascii=False)) + out_tokens
        if not self.budget.reserve(estimate):
            self.postponed.update(p.id for p in papers)
            return None
        try:
            # The cap is twice what we expect: room for a wordy model, not for a runaway one.
            return await self.client.complete(messages, max_tokens=2 * out_tokens)
        except LLMUnavailable as exc:
            for paper in papers:
                self._fail(paper.id, stage, str(exc))
            return None
        finally:
            self.budget.release(estimate)

    def _fail(self, arxiv_id: str, stage: str, problem: str) -> None:
        reason = f"{stage}: {problem}"
        log.debug("%s failed: %s", arxiv_id, reason)
        self.failures[arxiv_id] = reason[:500]


def _batches(papers: list[Paper], size: int) -> list[list[Paper]]:
    """Batches of `size`; a paper whose text addresses a model goes alone."""
    alone: list[list[Paper]] = []
    rest: list[Paper] = []
    for paper in papers:
        if addresses_a_model(paper):
            alone.append([paper])
        else:
            rest.append(paper)
    return [rest[i : i + size] for i in range(0, len(rest), size)] + alone


def _triage_value(triaged: Triaged) -> dict[str, object]:
    return {"title_zh": triaged.title_zh, "topics": [asdict(hit) for hit in triaged.topics]}
