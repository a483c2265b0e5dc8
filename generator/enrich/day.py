"""The LLM step for one stored day: which papers need it, the step itself, and what
the run says about it. What it spent goes to the day's metadata."""

from __future__ import annotations

import copy
import logging

from generator.config import Config
from generator.enrich import Crawl, LLMSettings, enrich_papers
from generator.models import BUDGET_LEFT, FIRST_PAGE_LATER, NO_LLM, Day, Paper, StepState
from generator.progress import tracker
from generator.selection import needs_llm
from generator.store import Store, carry_over

log = logging.getLogger(__name__)


def enrich_day(
    day: Day,
    config: Config,
    llm: LLMSettings | None,
    store: Store,
    crawl: Crawl | None,
    *,
    headers: dict[str, str],
    force: bool = False,
) -> None:
    """The LLM step for the day's papers that lack it (all of them with `force`).
    `crawl`: the command's reading of arXiv's HTML pages, shared by its days (robots.txt
    is read once, the page cap holds for all); None: no first pages."""
    threshold = config.selection.threshold
    todo = [p for p in day.papers if force or needs_llm(p, threshold)]
    if llm is None:
        todo = [p for p in todo if p.llm.status != "done"]
        for paper in todo:
            paper.llm = StepState("skipped", NO_LLM)
        if todo:
            log.info("No LLM configured (OPENAI_API_KEY is not set): keyword topics, English text.")
        return
    if not todo:
        return
    # A redo (--force) that fails must not cost a paper the translation it had.
    earlier = {p.id: copy.deepcopy(p) for p in todo if p.llm.status == "done"}
    usage = enrich_papers(
        todo, config, llm, store.reply_cache(), tracker(), crawl=crawl, headers=headers
    )
    log.info("%s: %s", day.date, usage.describe(config.llm))
    kept = [p for p in todo if p.id in earlier and p.llm.status != "done"]
    for paper in kept:
        carry_over(paper, earlier[paper.id])
    if kept:
        log.warning("%d papers kept their earlier translation: asking again failed", len(kept))
    _say_what_is_left(todo, usage.failed, config)
    if usage.requests or usage.cache_hits:
        meta = store.read_meta(day.date)
        meta["llm"] = usage.added_to(meta.get("llm", {}), config.llm, llm.model)
        store.write_meta(day.date, meta)


def _say_what_is_left(done: list[Paper], failed: int, config: Config) -> None:
    later = sum(p.llm == StepState("done", FIRST_PAGE_LATER) for p in done)
    postponed = sum(p.llm == StepState("skipped", BUDGET_LEFT) for p in done)
    budget = f"{config.llm.daily_token_budget:,}"
    for level, count, message in (
        (logging.WARNING, failed, "%d papers failed the LLM step and are shown untranslated; "
         "`arxiv-digest enrich` retries them."),
        (logging.INFO, later, "%d papers keep arXiv's affiliations until their first page is "
         "read (llm.first_pages_per_run); the next run or `arxiv-digest enrich` reads them."),
        (logging.WARNING, postponed, f"daily token budget ({budget}) reached: %d papers left "
         "for `arxiv-digest enrich`."),
    ):  # fmt: skip
        if count:
            log.log(level, message, count)
