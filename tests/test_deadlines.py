"""Every request has a total deadline and a size cap (issue 14).

httpx's timeouts bound each read, not a request: a reply sent a byte a second, or
one that never ends, used to run for minutes. Here the loopback servers send each
kind of request's real answer a byte a second ("drip"), as a chunked body that
never ends ("endless"), or its headers and then nothing ("stall"), and answers
larger than the cap; each call must end within its deadlines plus a little slack,
in one line that says why. Every slow reply must stop once the client hangs up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml
from arxiv_server import Fault, FixtureArxiv, reference_records
from fixture_site import arxiv_today, copy_project, run_days
from llm_server import API_KEY, FakeLLM, LLMFault
from loopback import SLOW_KINDS

from generator.cli import main
from generator.enrich.client import MAX_REPLY_BYTES, ChatClient, LLMSettings
from generator.enrich.crawl import Crawl
from generator.enrich.firstpage import MAX_PAGE_BYTES, FirstPages
from generator.enrich.prompts import fence
from generator.enrich.usage import Usage
from generator.errors import FetchError, LLMUnavailable
from generator.sources.api import ArxivApi
from generator.sources.http import MAX_ARXIV_BYTES, ArxivHttp, RetryPolicy
from generator.sources.rss import FeedDay, fetch_feed

T = TypeVar("T")
CATEGORIES = ["cs.AI", "cs.CL", "cs.CV", "cs.LG"]
DEADLINE = 1.5  # seconds per attempt; longer than the drip's second, which httpx alone let through
TWICE = RetryPolicy(attempts=2, backoff_seconds=0.01)
SLACK = 2.0  # a loaded 2-core CI machine
BATCHES = 16  # triage requests for 2026-06-19: 7 of 100 papers, 9 papers that go alone


def finishes(call: Callable[[], T], within: float) -> tuple[T | Exception, float]:
    """What `call` returned or raised, and how long it took. It runs in a thread so a
    call still reading after `within` seconds fails the test instead of hanging it
    (the code before issue 14 read a byte-a-second answer to its end)."""
    outcome: list[T | Exception] = []

    def target() -> None:
        try:
            outcome.append(call())
        except Exception as exc:
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(within)
    elapsed = time.monotonic() - started
    assert not worker.is_alive(), f"still reading after {elapsed:.1f} s (allowed {within:g} s)"
    return outcome[0], elapsed


def assert_took_the_deadlines(elapsed: float, deadlines: float) -> None:
    # At least the deadlines: the call waited for the answer and did not fail early
    # for another reason; `finishes` already checked the upper bound.
    assert elapsed >= deadlines - 0.1, f"ended after {elapsed:.2f} s, before {deadlines:g} s"


def slow(kind: str, prefix: str, times: int = 2) -> list[Fault]:
    return [Fault(slow=kind, path_prefix=prefix) for _ in range(times)]


# -- arXiv RSS -----------------------------------------------------------------------


def read_feed(arxiv: FixtureArxiv, deadline: float = DEADLINE) -> FeedDay:
    with ArxivHttp(deadline=deadline) as client:
        return fetch_feed(client, arxiv.rss_url, CATEGORIES, policy=TWICE, sleep=time.sleep)


@pytest.mark.parametrize("kind", SLOW_KINDS)
def test_a_feed_too_slow_to_arrive_fails_after_each_attempts_deadline(kind: str) -> None:
    with FixtureArxiv("2026-06-19") as arxiv:
        arxiv.faults.extend(slow(kind, "/rss/"))
        error, elapsed = finishes(lambda: read_feed(arxiv), within=2 * DEADLINE + SLACK)
        assert arxiv.wait_until_quiet(SLACK), "the server still sends to a client that left"
    assert isinstance(error, FetchError)
    assert str(error) == (
        "arXiv RSS could not be read after 2 attempts: no complete answer within 1.5 s"
    )
    assert len(arxiv.requests) == 2
    assert_took_the_deadlines(elapsed, 2 * DEADLINE)


def test_a_feed_over_the_cap_fails_at_once_and_is_not_asked_again() -> None:
    with FixtureArxiv("2026-06-19") as arxiv:
        arxiv.faults.extend([Fault(200, b"<rss>" + b" " * MAX_ARXIV_BYTES, path_prefix="/rss/")])
        error, _ = finishes(lambda: read_feed(arxiv), within=DEADLINE + SLACK)
    assert isinstance(error, FetchError)
    assert str(error) == (
        f"arXiv RSS sent an answer over 32 MiB for {arxiv.rss_url}cs.AI+cs.CL+cs.CV+cs.LG"
    )
    assert len(arxiv.requests) == 1


def test_the_largest_feed_still_reads_whole_under_the_cap() -> None:
    with FixtureArxiv("2026-06-16") as arxiv:  # the largest day: 3.1 MB, 1,456 papers
        feed = read_feed(arxiv, deadline=30)
    assert len(feed.papers) == 1456


# -- arXiv API -----------------------------------------------------------------------

IDS = ["2606.19348", "2606.19344"]


def query_api(arxiv: FixtureArxiv) -> tuple[dict[str, Any], list[str]]:
    with ArxivHttp(deadline=DEADLINE) as client:
        api = ArxivApi(client, arxiv.api_url, min_interval=0, policy=TWICE, sleep=time.sleep)
        return api.fetch_entries(IDS)


@pytest.mark.parametrize("kind", SLOW_KINDS)
def test_an_api_answer_too_slow_to_arrive_fails_its_batch_after_the_deadlines(kind: str) -> None:
    with FixtureArxiv("2026-06-19") as arxiv:
        arxiv.faults.extend(slow(kind, "/api/"))
        result, elapsed = finishes(lambda: query_api(arxiv), within=2 * DEADLINE + SLACK)
        assert arxiv.wait_until_quiet(SLACK), "the server still sends to a client that left"
    assert result == (
        {},
        [
            "ids 2606.19348…2606.19344: arXiv API could not be read after 2 attempts: "
            "no complete answer within 1.5 s"
        ],
    )
    assert_took_the_deadlines(elapsed, 2 * DEADLINE)


def test_an_api_answer_over_the_cap_fails_its_batch_at_once() -> None:
    with FixtureArxiv("2026-06-19") as arxiv:
        arxiv.faults.append(Fault(200, b"<feed>" + b" " * MAX_ARXIV_BYTES, path_prefix="/api/"))
        result, _ = finishes(lambda: query_api(arxiv), within=DEADLINE + SLACK)
    assert result == (
        {},
        [f"ids 2606.19348…2606.19344: arXiv API sent an answer over 32 MiB for {arxiv.api_url}"],
    )
    assert len(arxiv.requests) == 1


# -- arXiv HTML first pages ----------------------------------------------------------

# A paper the loopback arXiv has an HTML page for (the reference names its institutions).
WITH_PAGE = next(i for i, r in sorted(reference_records().items()) if r.get("institutions"))


async def no_wait(_: float) -> None:
    pass


def html_requests(arxiv: FixtureArxiv) -> list[str]:
    return [path for _, path in arxiv.requests if path.startswith("/html/")]


def read_first_page(arxiv: FixtureArxiv) -> str | None:
    async def read() -> str | None:
        async with httpx.AsyncClient() as http:
            crawl = Crawl(
                arxiv.url + "/html/", per_run=1, floor=0.0, deadline=DEADLINE, sleep=no_wait
            )
            return (await FirstPages(http, crawl).read(WITH_PAGE, 1)).text

    return asyncio.run(read())


@pytest.mark.parametrize("kind", SLOW_KINDS)
def test_a_first_page_too_slow_to_arrive_is_skipped_after_the_deadlines(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    with FixtureArxiv("2026-06-19") as arxiv, caplog.at_level(logging.WARNING):
        assert read_first_page(arxiv), "the page is there when it arrives in time"
        arxiv.faults.extend(slow(kind, "/html/"))
        page, elapsed = finishes(lambda: read_first_page(arxiv), within=2 * DEADLINE + SLACK)
        assert arxiv.wait_until_quiet(SLACK), "the server still sends to a client that left"
    assert page is None
    assert caplog.messages == [
        f"HTML of {WITH_PAGE}v1 not read (no complete answer within 1.5 s); "
        "institutions from arXiv only"
    ]
    assert len(html_requests(arxiv)) == 3
    assert_took_the_deadlines(elapsed, 2 * DEADLINE)


def test_a_first_page_over_the_cap_is_skipped_at_once(caplog: pytest.LogCaptureFixture) -> None:
    with FixtureArxiv("2026-06-19") as arxiv, caplog.at_level(logging.WARNING):
        arxiv.faults.append(Fault(200, b"<html>" + b" " * MAX_PAGE_BYTES, path_prefix="/html/"))
        page, _ = finishes(lambda: read_first_page(arxiv), within=DEADLINE + SLACK)
    assert page is None
    assert caplog.messages == [
        f"HTML of {WITH_PAGE}v1 not read (an answer over 32 MiB); institutions from arXiv only"
    ]
    assert len(html_requests(arxiv)) == 1


# -- the LLM -------------------------------------------------------------------------


def complete(llm: FakeLLM) -> str:
    settings = LLMSettings(
        base_url=llm.url,
        api_key=API_KEY,
        model="loopback-model",
        requests_per_minute=60000,
        timeout=DEADLINE,
        retry=TWICE,
    )
    block, _ = fence([{"id": "2606.19348", "title": "A title", "abstract": "An abstract."}])
    messages = [{"role": "system", "content": "triage"}, {"role": "user", "content": block}]

    async def ask() -> str:
        async with httpx.AsyncClient() as http:
            completion = await ChatClient(settings, http, Usage()).complete(
                messages, max_tokens=500
            )
            return completion.text

    return asyncio.run(ask())


@pytest.mark.parametrize("kind", SLOW_KINDS)
def test_an_llm_reply_too_slow_to_arrive_fails_after_each_attempts_deadline(kind: str) -> None:
    with FakeLLM() as llm:
        llm.faults.extend(LLMFault(kind) for _ in range(2))
        error, elapsed = finishes(lambda: complete(llm), within=2 * DEADLINE + SLACK)
        assert llm.wait_until_quiet(SLACK), "the server still sends to a client that left"
    assert isinstance(error, LLMUnavailable)
    assert str(error) == "the LLM provider failed 2 times: no complete answer within 1.5 s"
    assert len(llm.requests) == 2
    assert_took_the_deadlines(elapsed, 2 * DEADLINE)


def test_an_llm_reply_over_the_cap_is_asked_again_and_the_next_one_kept() -> None:
    with FakeLLM() as llm:
        llm.faults.append(LLMFault("huge"))
        text, _ = finishes(lambda: complete(llm), within=2 * DEADLINE + SLACK)
    assert isinstance(text, str) and '"2606.19348"' in text
    assert len(llm.requests) == 2


def test_llm_replies_over_the_cap_fail_in_one_line_without_the_key() -> None:
    with FakeLLM() as llm:
        llm.faults.extend(LLMFault("huge") for _ in range(2))
        error, _ = finishes(lambda: complete(llm), within=2 * DEADLINE + SLACK)
    assert MAX_REPLY_BYTES == 4 << 20
    assert str(error) == "the LLM provider failed 2 times: an answer over 4 MiB"


# -- through `arxiv-digest run` ------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of data/ and content/, by path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for folder in ("data", "content")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def yesterday(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project that published 2026-06-18 without an LLM. Its triage asks in batches
    of 100, all at once, so a failing LLM costs the run only one round of deadlines."""
    root = copy_project(tmp_path_factory.mktemp("deadlines") / "project")
    config = yaml.safe_load((root / "digest.yml").read_text("utf-8"))
    config["llm"].update(triage_batch_size=100, concurrency=BATCHES, requests_per_minute=60000)
    (root / "digest.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return run_days(root, "2026-06-18")


@pytest.fixture
def project(yesterday: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(yesterday, tmp_path / "project"))


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureArxiv]:
    with arxiv_today(monkeypatch, timeout="2") as server:
        yield server


def run(root: Path) -> Callable[[], int]:
    return lambda: main(["--root", str(root), "run", "--no-build"])


def test_a_run_against_a_feed_sent_a_byte_a_second_fails_in_one_line_after_its_deadlines(
    project: Path, today: FixtureArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(project)
    today.faults.extend(slow("drip", "/rss/", times=4))
    status, elapsed = finishes(run(project), within=4 * 2 + SLACK)
    assert today.wait_until_quiet(SLACK), "the server still sends to a client that left"
    assert status == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "arxiv-digest: error: arXiv RSS could not be read after 4 attempts: "
        "no complete answer within 2 s"
    )
    assert snapshot(project) == before  # nothing lost, nothing half-published
    assert_took_the_deadlines(elapsed, 4 * 2)


def test_a_run_against_an_llm_replying_a_byte_a_second_stores_the_day_untranslated(
    project: Path,
    today: FixtureArxiv,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = snapshot(project)
    without_llm = Path(shutil.copytree(project, tmp_path / "without-llm"))
    status, rest_of_the_run = finishes(run(without_llm), within=60)
    assert status == 0
    with FakeLLM() as llm:
        for name, value in {**llm.env(), "DIGEST_LLM_TIMEOUT": "2"}.items():
            monkeypatch.setenv(name, value)
        llm.faults.extend(LLMFault("drip") for _ in range(BATCHES * 4))
        # All batches at once, four attempts of 2 s each, plus what the run does besides
        # (reading arXiv, storing, writing pages): about 1 s here, more on a slow CI
        # machine, so it is measured on this machine rather than guessed.
        within = 4 * 2 + 2 * rest_of_the_run + SLACK
        status, elapsed = finishes(run(project), within=within)
        assert llm.wait_until_quiet(SLACK), "the server still sends to a client that left"
    assert status == 0
    err = capsys.readouterr().err
    # Sent: four attempts a batch. Some may never reach the server's handler within
    # their deadline (16 connections at once, the listen queue holds 5): still bounded.
    assert f"LLM: {BATCHES * 4} requests, 0 tokens in / 0 out" in err
    assert all(r["fault"] == "drip" for r in llm.requests)
    assert "697 papers failed the LLM step and are shown untranslated" in err
    assert API_KEY not in err

    day = "data/2026/2026-06-19.jsonl"
    stored, untranslated = (
        [json.loads(line) for line in (root / day).read_text("utf-8").splitlines()]
        for root in (project, without_llm)
    )
    reason = "triage: the LLM provider failed 4 times: no complete answer within 2 s"
    assert {json.dumps(r["llm"]) for r in stored} == {
        json.dumps({"status": "failed", "reason": reason})
    }
    # Apart from the LLM step's state, the day is the one stored without an LLM.
    assert [{**r, "llm": None} for r in stored] == [{**r, "llm": None} for r in untranslated]
    # Its pages say so, paper by paper; every other file is as without an LLM, byte
    # for byte (the 18th's records as they were).
    page = (project / "content/2026/06/19/llm.md").read_text("utf-8")
    badge = f'<span class="badge untranslated" title="{reason}"><i>未翻译</i>'
    assert badge in page
    after, expected = snapshot(project), snapshot(without_llm)
    new_day = ("content/2026/06/19/", "content/index.md", "data/2026/2026-06-19.")
    assert {p: d for p, d in after.items() if not p.startswith(new_day)} == {
        p: d for p, d in expected.items() if not p.startswith(new_day)
    }
    assert after["data/2026/2026-06-18.jsonl"] == before["data/2026/2026-06-18.jsonl"]
    assert_took_the_deadlines(elapsed, 4 * 2)
