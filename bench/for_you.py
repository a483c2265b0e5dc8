"""推荐 / For you: the day's ranking file (generator/rank_data.py) of a 900-paper day, in
bytes by field; the time Chromium takes to read and rank one and five such days
(desktop, and the CPU slowed 4× as a mid-tier phone); and issue 19's measure on the
real fixture days, with the digest's sub-topics and by the words alone.

python bench/for_you.py [--papers 900] [--runs 3] [--no-fixture]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from arxiv_server import REFERENCE  # noqa: E402
from browser_site import CHROMIUM, CHROMIUM_ARGS, PREFIX, StaticSite  # noqa: E402
from fixture_site import build_fixture_site  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from whole_day import whole_day  # noqa: E402

from generator.card_data import by_field, gzipped  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.models import Day  # noqa: E402
from generator.rank_data import RANK_FIELDS, RANK_PART  # noqa: E402
from generator.render import render_site  # noqa: E402
from generator.render.urls import cards_pattern, cards_url  # noqa: E402

LAST = dt.date(2026, 6, 19)
DIGEST_JS = ROOT / "overrides/assets/javascripts/digest"

# In the page (one that names the ranking files, as a day's pages do): rank.js, and a
# day's ranking file, where daycards.js finds it, fetched and decoded as it reads it.
PRELUDE = """
const R = await import(new URL("assets/javascripts/digest/rank.js", document.baseURI).href);
const D = await import(new URL("assets/javascripts/digest/daycards.js", document.baseURI).href);
const read = async (date) => {
  const url = D.rankFileOf(date);
  const body = (await fetch(url)).body.pipeThrough(new DecompressionStream("gzip"));
  const entries = {};
  for (const [name, values] of Object.entries(JSON.parse(await new Response(body).text()))) {
    for (const [id, value] of Object.entries(values)) (entries[id] ||= {})[name] = value;
  }
  return entries;
};
"""

# The files of `dates` read, five favorites of the oldest day's `subtopic`, then
# rank.js over all of their papers, timed.
RANK_DAYS = (
    "async ([dates, subtopic]) => {"
    + PRELUDE
    + """
  const t0 = performance.now();
  const days = await Promise.all(dates.map(read));
  const t1 = performance.now();
  const index = R.makeIndex(Object.assign({}, ...days));
  const t2 = performance.now();
  const oldest = Object.values(days[days.length - 1]);
  const starred = oldest.filter((e) => e.topics && e.topics[subtopic]).slice(0, 5);
  const ranked = R.rank(index, R.makeProfile(index, starred, R.parseKeywords("+RLHF -medical")));
  const t3 = performance.now();
  return { papers: index.size, read: t1 - t0, index: t2 - t1, rank: t3 - t2 };
}"""
)

# The index made as the page makes it, a slice of papers at a time: the longest task.
STEPS = (
    "async ([dates]) => {"
    + PRELUDE
    + """
  const days = await Promise.all(dates.map(read));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const tasks = [];
  const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries()));
  observer.observe({ type: "longtask" });
  await new Promise((resolve) => setTimeout(resolve));
  await R.makeIndexInSteps(Object.assign({}, ...days));
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  return Math.max(0, ...tasks.map((t) => t.duration));
}"""
)

# Issue 19's measure: five favorites, the best of `subtopic` on `starredDay` by its
# score there (ties by id), rank `rankedDay`'s papers: the top ten's ids. With
# `words`, every entry's topics are dropped first: the words alone.
MEASURE = (
    "async ([starredDay, rankedDay, subtopic, words]) => {"
    + PRELUDE
    + """
  const [before, day] = [await read(starredDay), await read(rankedDay)];
  const starred = Object.entries(before).filter(([, e]) => e.topics && subtopic in e.topics)
    .sort((a, b) => b[1].topics[subtopic] - a[1].topics[subtopic] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 5).map(([, e]) => e);
  const plain = (e) => (words ? { ...e, topics: {} } : e);
  const papers = Object.fromEntries(Object.entries(day).map(([id, e]) => [id, plain(e)]));
  const index = R.makeIndex(papers);
  const ranked = R.rank(index, R.makeProfile(index, starred.map(plain), R.parseKeywords("")));
  return ranked.slice(0, 10).map((r) => r.id);
}"""
)


def days_of(papers: int) -> list[Day]:
    """Five 900-paper days of real fixture papers (bench/whole_day.py's, each day's
    ids its own), the newest LAST."""
    config = load_config(ROOT / "digest.yml")
    days = []
    for back in range(5):
        date = LAST - dt.timedelta(days=back)
        day = whole_day(config, date, papers)
        for n, paper in enumerate(day.papers):
            paper.id = f"{date:%y%m}.{date.day * 1000 + n:05d}"
        days.append(Day(date, sorted(day.papers, key=lambda p: p.id)))
    return days


def report_bytes(content: Path, date: dt.date) -> None:
    path = content / cards_url(date, RANK_PART)
    data = path.read_bytes()
    fields = json.loads(gzip.decompress(data))
    count = len({i for values in fields.values() for i in values})
    print(f"ranking file of a {count}-paper day: {len(data) / 1000:.1f} KB gzipped")
    print(f"({len(gzip.decompress(data)) / 1000:.0f} KB of JSON)\n")
    print("| field | gzipped alone |")
    print("|---|---|")
    for name in RANK_FIELDS:
        alone = gzipped(
            by_field(sorted((i, {name: v}) for i, v in fields.get(name, {}).items()), [name])
        )
        print(f"| {name} | {len(alone) / 1000:.1f} KB |")


def served(content: Path, folder: Path) -> Path:
    """content/'s ranking files and the digest's scripts, laid out as on the site."""
    site = folder / "site"
    for path in content.rglob(f"{RANK_PART}.json.gz"):
        target = site / path.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    shutil.copytree(DIGEST_JS, site / "assets/javascripts/digest")
    # What daycards.js reads of a page: the site's root (MkDocs' __config) and where
    # the ranking files are, as a day's pages name them.
    page = (
        '<!doctype html><title>bench</title><script id="__config" type="application/json">'
        f'{{"base": "."}}</script><div data-rank-files="{cards_pattern(RANK_PART)}"></div>'
    )
    (site / "index.html").write_text(page, encoding="utf-8")
    return site


def report_speed(site: Path, runs: int) -> None:
    dates = [(LAST - dt.timedelta(days=back)).isoformat() for back in range(5)]
    print("\n| days | papers | screen | read (fetch, gunzip, JSON) | index | rank | total ", end="")
    print("| longest task, in steps |")
    print("|---|---|---|---|---|---|---|---|")
    with StaticSite(site) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for span in (1, 5):
            for screen, slowdown in (("desktop", 1), ("phone, CPU ÷4", 4)):
                times = [
                    _rank_once(browser.new_page(), server.origin, dates[:span], slowdown)
                    for _ in range(runs)
                ]
                m = {k: statistics.median(t[k] for t in times) for k in ("read", "index", "rank")}
                longest = statistics.median(t["longest"] for t in times)
                print(
                    f"| {span} | {times[0]['papers']:,} | {screen} | {m['read']:.0f} ms "
                    f"| {m['index']:.0f} ms | {m['rank']:.0f} ms | {sum(m.values()):.0f} ms "
                    f"| {longest:.0f} ms |"
                )
        browser.close()


def _rank_once(page: Page, origin: str, dates: list[str], slowdown: int) -> dict[str, Any]:
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    page.goto(origin + PREFIX)
    result: dict[str, Any] = page.evaluate(RANK_DAYS, [dates, "llm/pretraining"])
    result["longest"] = page.evaluate(STEPS, [dates])
    page.close()
    return result


def report_fixture(folder: Path) -> None:
    """Issue 19's measure on the fixture site, as tests/test_for_you.py takes it, and
    how many of the top ten the digest itself sorted into the sub-topic (at any score:
    the loopback LLM's keyword guesses for the papers the reference does not have)."""
    site = build_fixture_site(folder / "fixture")
    lines = (REFERENCE / "digest-llm-2026-06-19.jsonl").read_text(encoding="utf-8").splitlines()
    reference = {r["id"]: r["subtopic_section"] for r in map(json.loads, lines)}
    fields = json.loads(gzip.decompress((site / cards_url(LAST, RANK_PART)).read_bytes()))
    sorted_into = fields["topics"]
    print("\n| favorites: 2026-06-18's best five of | ranked by | top ten of 2026-06-19: ", end="")
    print("in the reference's sub-topic | in the digest's |")
    print("|---|---|---|---|")
    with StaticSite(site) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server.origin + PREFIX)
        for subtopic, name in (("llm/pretraining", "预训练"), ("llm/post-training", "后训练")):
            total = sum(section == name for section in reference.values())
            for words, how in ((False, "words and sub-topics"), (True, "words alone")):
                top = page.evaluate(MEASURE, ["2026-06-18", "2026-06-19", subtopic, words])
                hits = sum(reference.get(i) == name for i in top)
                ours = sum(subtopic in sorted_into.get(i, {}) for i in top)
                print(f"| {name} | {how} | {hits} (of its {total}) | {ours} |")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=900)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-fixture", action="store_true", help="skip the fixture measure")
    args = parser.parse_args()
    config = load_config(ROOT / "digest.yml")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        content = folder / "content"
        days = days_of(args.papers)
        render_site(config, days, content, None, overrides=ROOT / "overrides")
        report_bytes(content, LAST)
        report_speed(served(content, folder), args.runs)
        if not args.no_fixture:
            report_fixture(folder)


if __name__ == "__main__":
    main()
