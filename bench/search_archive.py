"""Search at archive scale: index a synthetic multi-year archive with the real code,
then measure in Chromium what a reader's first query downloads.

The site shell is built from the last few days only (the search index does not
depend on the pages); the index holds every listed paper of every day.

python bench/search_archive.py [--days 750] [--per-day 60] [--query 越狱 ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from browser_site import CHROMIUM, CHROMIUM_ARGS, PREFIX, StaticSite  # noqa: E402
from fixture_site import copy_project  # noqa: E402
from playwright.sync_api import Page, Request, sync_playwright  # noqa: E402
from synthetic import synthetic_days  # noqa: E402

from generator.config import load_config  # noqa: E402
from generator.render import render_site  # noqa: E402
from generator.render.search import search_documents  # noqa: E402
from generator.site import SearchIndex, build_site  # noqa: E402

QUERIES = ["越狱", "jailbreak", "大语言模型", "diffusion", "强化学习 reward", "Zhang"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=750, help="weekdays (750 ≈ 3 years)")
    parser.add_argument("--per-day", type=int, default=60, help="papers listed per day")
    parser.add_argument("--query", action="append", help="queries to measure")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = copy_project(Path(folder) / "project")
        config = load_config(root / "digest.yml")
        started = time.perf_counter()
        days = synthetic_days(config, dt.date(2024, 1, 1), args.days, args.per_day)
        documents = search_documents(config, days)
        print(f"{len(days)} days, {len(documents):,} search documents in {_since(started)}")

        render_site(config, days[-5:], root / "content")
        site = build_site(root)
        started = time.perf_counter()
        with SearchIndex(config.site.language) as index:  # what `build` does, timed alone
            index.add(documents)
            index.write_into(site / "pagefind")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(
            f"index: {_since(started)}, {len(files):,} files, {size / 1e6:.1f} MB on disk, "
            f"peak child memory {peak:.0f} MB (mkdocs or pagefind, whichever is larger)"
        )
        with StaticSite(site) as server:
            measure_queries(server.origin + PREFIX, args.query or QUERIES)


def measure_queries(url: str, queries: list[str]) -> None:
    print("\n| query | results | requests | downloaded | of which fragments | time to results |")
    print("|---|---|---|---|---|---|")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for query in queries:
            context = browser.new_context(base_url=url)  # a cold cache for every query
            page = context.new_page()
            page.goto("")
            page.wait_for_load_state("networkidle")
            fetched: list[tuple[str, int]] = []
            page.on("requestfinished", lambda request, into=fetched: _record(request, into))
            started = time.perf_counter()
            page.keyboard.press("/")
            page.locator(".digest-search__input").fill(query)
            page.wait_for_function(SHOWN)
            page.wait_for_timeout(300)  # nothing more should arrive
            elapsed = time.perf_counter() - started
            results = page.locator(".digest-search__status").inner_text()
            total = sum(size for _, size in fetched)
            fragments = sum(size for u, size in fetched if "/fragment/" in u)
            print(
                f"| {query} | {results} | {len(fetched)} | {total / 1024:.0f} KB "
                f"| {fragments / 1024:.0f} KB | {elapsed:.2f} s |"
            )
            context.close()
        browser.close()


# Results are on screen: the first page of them rendered, or "nothing found".
SHOWN = """() => {
  const status = document.querySelector('.digest-search__status').textContent;
  const shown = document.querySelectorAll('.digest-result').length;
  const found = parseInt((status.match(/\\d+/) || ['0'])[0], 10);
  return status !== '' && shown >= Math.min(found, 10);
}"""


def first_and_second_query(
    url: str, queries: dict[str, tuple[str, str]] | None = None
) -> dict[str, dict[str, int]]:
    """Bytes from pagefind/ for a reader's first query (cold cache) and for a second
    one typed after it in the same page, in each language."""
    queries = queries or {"zh": ("大语言模型", "越狱"), "en": ("jailbreak", "diffusion")}
    result = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for language, (first, second) in queries.items():
            context = browser.new_context(base_url=url + PREFIX)
            page = context.new_page()
            page.goto("")
            page.wait_for_load_state("networkidle")
            # Opening the box starts loading Pagefind: that counts to the first query.
            result[language] = {
                "first": _query_bytes(page, first, open_box=True),
                "second": _query_bytes(page, second),
            }
            context.close()
        browser.close()
    return result


def _query_bytes(page: Page, query: str, *, open_box: bool = False) -> int:
    fetched: list[tuple[str, int]] = []

    def record(request: Request) -> None:
        _record(request, fetched)

    page.on("requestfinished", record)
    if open_box:
        page.keyboard.press("/")
    box = page.locator(".digest-search__input")
    box.fill("")  # clears the status, so SHOWN waits for this query's results
    page.wait_for_function("!document.querySelector('.digest-search__status').textContent")
    box.fill(query)
    page.wait_for_function(SHOWN)
    page.wait_for_timeout(300)  # nothing more should arrive
    page.remove_listener("requestfinished", record)
    return sum(size for _, size in fetched)


def _record(request: Request, into: list[tuple[str, int]]) -> None:
    """Bytes as GitHub Pages serves them: JavaScript and JSON gzipped (the loopback
    server sends them plain), Pagefind's own chunks as they are (compressed already)."""
    response = request.response()
    if "/pagefind/" in request.url and response is not None:
        body = response.body()
        if request.url.endswith((".js", ".json")):
            body = gzip.compress(body, 6)
        into.append((request.url, len(body)))


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


if __name__ == "__main__":
    main()
