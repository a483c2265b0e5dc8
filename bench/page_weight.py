"""The weight of a heavy topic page: 100 papers, every field filled, built by the real
code, loaded in Chromium on a desktop and on a phone-sized screen with the CPU
slowed 4× (Chrome DevTools' mid-tier phone preset).

python bench/page_weight.py [--papers 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from browser_site import CHROMIUM, CHROMIUM_ARGS, PREFIX, StaticSite  # noqa: E402
from fixture_site import copy_project  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from synthetic import one_topic_day  # noqa: E402

from generator.config import Config, load_config  # noqa: E402
from generator.models import Day  # noqa: E402
from generator.render import render_site  # noqa: E402
from generator.render.search import search_documents  # noqa: E402
from generator.site import SearchIndex, build_site  # noqa: E402

DATE = dt.date(2026, 6, 19)

PAINT = """() => new Promise(resolve => {
  const out = {};
  for (const e of performance.getEntriesByType('paint')) out[e.name] = e.startTime;
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    out.lcp = entries[entries.length - 1].startTime;
  }).observe({type: 'largest-contentful-paint', buffered: true});
  const nav = performance.getEntriesByType('navigation')[0];
  out.dcl = nav.domContentLoadedEventEnd;
  out.load = nav.loadEventEnd;
  setTimeout(() => resolve(out), 100);
})"""


def built_site(root: Path, config: Config, days: list[Day]) -> Path:
    """`days` rendered into root's content/ and built with search, as `build` does."""
    render_site(config, days, root / "content")
    with SearchIndex(config.site.language) as index:
        index.add(search_documents(config, days))
        return build_site(root, index=index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = copy_project(Path(folder) / "project")
        config = load_config(root / "digest.yml")
        day = one_topic_day(config, DATE, args.papers)
        site = built_site(root, config, [day])
        slug = config.topics[0].slug
        page_path = f"{DATE:%Y/%m/%d}/{slug}/"
        html = (site / page_path / "index.html").read_bytes()
        cards = html.count(b'<article class="paper')
        print(
            f"topic page with {cards} papers: {len(html) / 1024:.0f} KB HTML, "
            f"{len(gzip.compress(html, 6)) / 1024:.0f} KB gzipped (as GitHub Pages serves it)"
        )
        with StaticSite(site) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            url = server.origin + PREFIX + page_path
            print(
                "\n| screen | first paint | largest paint | DOM ready | load "
                "| bytes fetched | gzipped |"
            )
            print("|---|---|---|---|---|---|---|")
            for name, viewport, slowdown in (
                ("desktop 1280×900", {"width": 1280, "height": 900}, 1),
                ("phone 375×812, CPU ÷4", {"width": 375, "height": 812}, 4),
            ):
                runs = [load(browser, url, viewport, slowdown) for _ in range(args.runs)]
                median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(
                    f"| {name} | {median['first-contentful-paint']:.0f} ms "
                    f"| {median['lcp']:.0f} ms | {median['dcl']:.0f} ms | {median['load']:.0f} ms "
                    f"| {median['bytes'] / 1024:.0f} KB | {median['gzipped'] / 1024:.0f} KB |"
                )
            browser.close()


def load(browser: Browser, url: str, viewport: Any, slowdown: int) -> dict[str, float]:
    context = browser.new_context(viewport=viewport)  # a cold cache
    page = context.new_page()
    fetched: list[bytes] = []
    page.on(
        "requestfinished", lambda r: (response := r.response()) and fetched.append(response.body())
    )
    if slowdown > 1:
        session = context.new_cdp_session(page)
        session.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    timings: dict[str, float] = page.evaluate(PAINT)
    timings["bytes"] = float(sum(len(body) for body in fetched))
    # GitHub Pages gzips text; fonts and images go as they are.
    timings["gzipped"] = float(sum(min(len(gzip.compress(b, 6)), len(b)) for b in fetched))
    context.close()
    return timings


if __name__ == "__main__":
    main()
