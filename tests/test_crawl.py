"""arXiv's rules for its HTML first pages, read from its robots.txt (issue 15).

The loopback arXiv serves /robots.txt as each test writes it and records when every
request arrived; `run` and `enrich` go through the command line with the loopback
LLM. Delays are small (robots.txt's own, or an injected fallback) so no test waits
long; the schedule they imply at arXiv's 15 s is in bench/crawl_day.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
import json
import os
import re
from pathlib import Path

import httpx
import pytest
from arxiv_server import Fault, FixtureArxiv, combined_feed, reference_records
from llm_server import FakeLLM

from generator import pipeline, record
from generator.cli import main
from generator.config import load_config
from generator.enrich.crawl import ROBOTS_AGENT, Crawl, parse_robots
from generator.errors import ConfigError
from generator.models import FIRST_PAGE_LATER, Day, StepState
from generator.settings import Settings
from generator.sources.rss import parse_feed
from generator.store import Store
from generator.topics import triage

DATE = "2026-06-19"
REFERENCE = reference_records()


def run(project: Path, *args: str) -> int:
    return main(["--root", str(project), *args])


def records(project: Path, date: str = DATE) -> dict[str, dict]:
    path = project / "data" / date[:4] / f"{date}.jsonl"
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def set_cap(project: Path, pages: int) -> None:
    config = project / "digest.yml"
    text, found = re.subn(
        r"(?m)^  first_pages_per_run: \d+$",
        f"  first_pages_per_run: {pages}",
        config.read_text(encoding="utf-8"),
    )
    assert found == 1
    config.write_text(text, "utf-8")


def html_requests(arxiv: FixtureArxiv) -> list[tuple[float, str]]:
    """(arrival time, arXiv id) of every HTML page asked for."""
    return [
        (at, path.removeprefix("/html/").rsplit("v", 1)[0])
        for at, path in arxiv.requests
        if path.startswith("/html/")
    ]


def robots_requests(arxiv: FixtureArxiv) -> int:
    return sum(path == "/robots.txt" for _, path in arxiv.requests)


def gaps(arxiv: FixtureArxiv) -> list[float]:
    times = [at for at, _ in html_requests(arxiv)]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def best_first(stored: dict[str, dict], threshold: int = 60) -> list[str]:
    """The listed papers, best topic score first, ties by id: the order pages are read."""
    listed = [r for r in stored.values() if any(t["score"] >= threshold for t in r["topics"])]
    ranked = sorted(listed, key=lambda r: (-max(t["score"] for t in r["topics"]), r["id"]))
    return [r["id"] for r in ranked]


def with_page(arxiv_id: str) -> bool:
    """The loopback arXiv has an HTML page for it, naming the reference's institutions."""
    return bool(REFERENCE.get(arxiv_id, {}).get("institutions"))


# -- robots.txt, read ----------------------------------------------------------------


def test_the_crawl_delay_for_us_or_everyone_applies_never_below_the_api_pace() -> None:
    everyone = "User-agent: *\nCrawl-delay: 15\nDisallow: /auth\n"
    assert parse_robots(everyone, fallback=30, floor=3).delay == 15
    ours = f"User-agent: {ROBOTS_AGENT}\nCrawl-delay: 7\n\nUser-agent: *\nCrawl-delay: 20\n"
    assert parse_robots(ours, fallback=30, floor=3).delay == 7
    others = "User-agent: Googlebot\nCrawl-delay: 1\n"
    assert parse_robots(others, fallback=30, floor=3).delay == 30
    assert parse_robots("User-agent: *\nCrawl-delay: 0\n", fallback=30, floor=3).delay == 3
    garbage = "<html><body>Rate exceeded.</body></html>"
    assert parse_robots(garbage, fallback=15, floor=3).delay == 15
    # urllib.robotparser reads whole seconds only: a fraction is as good as no delay given.
    assert parse_robots("User-agent: *\nCrawl-delay: 0.5\n", fallback=15, floor=0).delay == 15


def test_disallow_lines_forbid_their_paths_for_us() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /html/\n", fallback=15, floor=3)
    assert not rules.allows("https://arxiv.org/html/2606.19348v1")
    assert rules.allows("https://arxiv.org/abs/2606.19348v1")
    ours = f"User-agent: {ROBOTS_AGENT}\nDisallow: /html/2606.1\n\nUser-agent: *\nDisallow:\n"
    rules = parse_robots(ours, fallback=15, floor=3)
    assert not rules.allows("https://arxiv.org/html/2606.19348v1")
    assert rules.allows("https://arxiv.org/html/2605.00001v1")


@pytest.mark.parametrize(
    "fault",
    [
        Fault(404, b"not found", path_prefix="/robots.txt"),
        Fault(503, b"busy", path_prefix="/robots.txt"),
        Fault(slow="stall", path_prefix="/robots.txt"),
        Fault(200, b"\xff\xfe\x00garbage\x00", path_prefix="/robots.txt"),
    ],
    ids=["404", "503", "timeout", "garbage"],
)
def test_a_robots_txt_that_cannot_be_read_gives_the_fallback_delay(fault: Fault) -> None:
    async def rules() -> tuple[float, bool]:
        crawl = Crawl(arxiv.url + "/html/", per_run=1, floor=0.5, fallback=4.0, deadline=1.0)
        async with httpx.AsyncClient() as http:
            read = await crawl.read_rules(http)
            again = await crawl.read_rules(http)
        assert again is read  # read once
        return read.delay, read.allows(arxiv.url + "/html/2606.19348v1")

    with FixtureArxiv(DATE) as arxiv:
        arxiv.faults.append(fault)
        assert asyncio.run(rules()) == (4.0, True)
        assert robots_requests(arxiv) == 1


# -- through `run` and `enrich` ------------------------------------------------------


def test_run_reads_first_pages_the_crawl_delay_apart_and_robots_txt_once(
    project: Path, arxiv: FixtureArxiv, llm: FakeLLM
) -> None:
    arxiv.robots = b"User-agent: *\nCrawl-delay: 2\n"
    set_cap(project, 3)
    assert run(project, "run", "--no-build") == 0
    assert len(html_requests(arxiv)) == 3
    assert all(gap >= 2.0 for gap in gaps(arxiv)), gaps(arxiv)
    assert robots_requests(arxiv) == 1
    # robots.txt is asked before any page, and counts as a request of the pace.
    robots_at = next(at for at, path in arxiv.requests if path == "/robots.txt")
    assert html_requests(arxiv)[0][0] - robots_at >= 2.0


def test_without_robots_txt_pages_keep_the_fallback_delay(
    project: Path, arxiv: FixtureArxiv, llm: FakeLLM
) -> None:
    arxiv.robots = None  # 404
    set_cap(project, 3)
    settings = Settings.from_environment(project, os.environ)
    pipeline.run(dataclasses.replace(settings, crawl_fallback=1.5), build=False)
    assert len(html_requests(arxiv)) == 3
    assert all(gap >= 1.5 for gap in gaps(arxiv)), gaps(arxiv)
    assert robots_requests(arxiv) == 1


def test_a_robots_txt_that_disallows_html_means_no_page_is_read(
    project: Path, arxiv: FixtureArxiv, llm: FakeLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv.robots = b"User-agent: *\nCrawl-delay: 15\nDisallow: /html/\n"
    assert run(project, "run", "--no-build") == 0
    assert html_requests(arxiv) == []
    stored = records(project)
    listed = best_first(stored)
    assert len(listed) == 29 and any(with_page(i) for i in listed)
    for arxiv_id in listed:  # translated, with arXiv's affiliations (none here) only
        record = stored[arxiv_id]
        assert record["llm"] == {"status": "done", "reason": None}, arxiv_id
        assert record["abstract_zh"] and record["institutions"] is None
    assert "first page is read" not in capsys.readouterr().err
    sent = len(llm.requests)
    assert run(project, "run", "--no-build") == 0  # forbidden is final: nothing to redo
    assert len(llm.requests) == sent and html_requests(arxiv) == []


def test_no_first_pages_per_run_means_none_is_read_and_none_waits(
    project: Path, arxiv: FixtureArxiv, llm: FakeLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    set_cap(project, 0)
    assert run(project, "run", "--no-build") == 0
    assert html_requests(arxiv) == [] and robots_requests(arxiv) == 0
    stored = records(project)
    assert len(best_first(stored)) == 29
    assert all(r["llm"]["reason"] != FIRST_PAGE_LATER for r in stored.values())
    assert "first page is read" not in capsys.readouterr().err
    sent = len(llm.requests)
    assert run(project, "enrich", "--no-build") == 0  # nothing waits for a page
    assert len(llm.requests) == sent and html_requests(arxiv) == []


def test_the_cap_reads_the_best_scored_pages_and_enrich_reads_the_rest(
    project: Path, arxiv: FixtureArxiv, llm: FakeLLM, capsys: pytest.CaptureFixture[str]
) -> None:
    set_cap(project, 4)
    assert run(project, "run", "--no-build") == 0
    stored = records(project)
    ranked = best_first(stored)
    read = [arxiv_id for _, arxiv_id in html_requests(arxiv)]
    assert read == ranked[:4]  # best first, in that order
    for arxiv_id in ranked[:4]:
        record = stored[arxiv_id]
        assert record["llm"] == {"status": "done", "reason": None}
        assert bool(record["institutions"]) == with_page(arxiv_id), arxiv_id
    later = ranked[4:]
    assert len(later) == 25 and sum(map(with_page, later)) >= 10
    for arxiv_id in later:  # translated and summarised; institutions wait for the page
        record = stored[arxiv_id]
        assert record["llm"] == {"status": "done", "reason": FIRST_PAGE_LATER}, arxiv_id
        assert record["abstract_zh"] and record["tldr"] and record["institutions"] is None
    assert "25 papers keep arXiv's affiliations until their first page is read" in (
        capsys.readouterr().err
    )
    assert len(llm.stage_requests("detail")) == 29

    set_cap(project, 40)
    arxiv.requests.clear()
    details = len(llm.stage_requests("detail"))
    assert run(project, "enrich", "--no-build") == 0
    assert sorted(arxiv_id for _, arxiv_id in html_requests(arxiv)) == sorted(later)
    assert robots_requests(arxiv) == 1
    assert len(llm.stage_requests("detail")) - details == 25  # asked again with the page
    stored = records(project)
    for arxiv_id in ranked:
        assert stored[arxiv_id]["llm"] == {"status": "done", "reason": None}, arxiv_id
        assert bool(stored[arxiv_id]["institutions"]) == with_page(arxiv_id), arxiv_id

    sent = len(llm.requests)
    assert run(project, "enrich", "--no-build") == 0
    assert len(llm.requests) == sent  # every page read: nothing left to do


def test_a_capped_paper_asked_again_still_over_the_cap_costs_nothing(
    project: Path, arxiv: FixtureArxiv, llm: FakeLLM
) -> None:
    set_cap(project, 0)
    assert run(project, "run", "--no-build") == 0
    assert html_requests(arxiv) == []
    first = records(project)
    sent = len(llm.requests)
    assert run(project, "run", "--no-build") == 0  # a later run, no pages to spare either
    assert len(llm.requests) == sent  # its page-less replies come from the cache
    assert records(project) == first


def store_day(project: Path, date: str, ids: list[str]) -> None:
    """A stored day of a few real papers, as a run without an LLM leaves it."""
    feed = parse_feed(combined_feed(DATE, ["cs.AI", "cs.CL", "cs.CV", "cs.LG"]))
    papers = [p for p in feed.papers if p.id in ids]
    for paper in papers:
        paper.llm = StepState("skipped", "no LLM configured")
    record.with_topics(papers, triage(papers, load_config(project / "digest.yml")))
    Store(project / "data").write_day(Day(dt.date.fromisoformat(date), papers))


def test_enrich_over_several_days_reads_robots_txt_once_and_holds_one_cap(
    project: Path, arxiv: FixtureArxiv, llm: FakeLLM
) -> None:
    ids = sorted(i for i, r in REFERENCE.items() if r.get("institutions") and r["score"] >= 80)
    in_feed = {p.id for p in parse_feed(combined_feed(DATE, ["cs.AI", "cs.CL"])).papers}
    ids = [i for i in ids if i in in_feed][:4]
    assert len(ids) == 4
    store_day(project, "2026-06-18", ids[:2])
    store_day(project, DATE, ids[2:])
    set_cap(project, 3)
    assert run(project, "enrich", "--no-build") == 0
    assert robots_requests(arxiv) == 1
    assert len(html_requests(arxiv)) == 3
    states = [r["llm"] for d in ("2026-06-18", DATE) for r in records(project, d).values()]
    assert states.count({"status": "done", "reason": FIRST_PAGE_LATER}) == 1


@pytest.mark.parametrize("value", ["-1", "true", '"40"', "2.5"])
def test_first_pages_per_run_is_a_whole_number_of_pages(project: Path, value: str) -> None:
    config = project / "digest.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("first_pages_per_run: 40", f"first_pages_per_run: {value}"))
    with pytest.raises(ConfigError, match=r"digest\.yml: llm\.first_pages_per_run: "):
        load_config(config)
