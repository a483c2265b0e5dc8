"""The archive benchmark: our build at 60, 250, 750 and 1,250 days (five years of
weekdays) against the naive one, the daily rebuild, the site's bytes a day, the first
search's bytes, the daily run's stages and the LLM step, in one table (bench/README.md,
issues 6 and 18).

python bench/run.py [--days 60 250 750 1250] [--naive-days 750] [--no-naive] [--peer-papers 60]

Writes bench/results/latest.json. Takes about an hour on 2 cores; nothing here is part
of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import daily  # noqa: E402
import naive  # noqa: E402
from browser_site import StaticSite  # noqa: E402
from fixture_site import copy_project  # noqa: E402
from measure import MB, folder_bytes, timed  # noqa: E402
from search_archive import first_and_second_query  # noqa: E402
from site_bytes import byte_table, print_byte_table  # noqa: E402
from synthetic import Archive, listed_shares, weekdays_until  # noqa: E402

from generator.config import load_config  # noqa: E402
from generator.models import Day, TopicHit  # noqa: E402
from generator.render import render_site  # noqa: E402
from generator.site import build_site  # noqa: E402
from generator.store import Store  # noqa: E402

LAST_DAY = dt.date(2026, 11, 20)
RESULTS = ROOT / "bench" / "results" / "latest.json"
# What issue 18 asks, checked in the table: GitHub Pages publishes at most 1 GB.
BUDGETS = {
    "site_bytes_per_day": 0.7 * MB,
    "daily_seconds": 30.0,  # at 750 and 1,250 days
    "full_seconds_1250": 150.0,
    "peak_memory_mb_1250": 2048.0,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, nargs="+", default=[60, 250, 750, 1250])
    parser.add_argument("--naive-days", type=int, default=750)
    parser.add_argument("--no-naive", action="store_true", help="skip the naive build")
    parser.add_argument(
        "--archive-only", action="store_true", help="skip the topic page, the day and the LLM step"
    )
    parser.add_argument(
        "--peer-papers", type=int, default=60, help="papers the one-worker peer enriches"
    )
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": machine(), "archive": {}}
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as folder:
        scratch = Path(folder)
        config = load_config(ROOT / "digest.yml")
        data = scratch / "archive" / "data"
        archive = Archive(config)
        results["listed_shares"] = listed_shares(config)
        # One day more than the largest size: the day its daily rebuild adds.
        results["records"] = write_archive(archive, data, max(args.days) + 1)
        for days in args.days:
            results["archive"][days] = measure_ours(data, days, scratch / f"ours-{days}")
            print_archive_row(days, results["archive"][days])
        if not args.no_naive:
            naive_result = naive.measure(config, data, args.naive_days, scratch / "naive")
            results["naive"] = naive_result
            ours = results["archive"].get(args.naive_days)
            if ours:
                results["ours_over_naive"] = ratios(ours, naive_result)
        if not args.archive_only:
            results["topic_page"] = topic_page(archive, scratch / "topic-page")
    if not args.archive_only:
        results["daily"] = daily.stages()
        results["enrichment"] = asyncio.run(daily.enrichment(args.peer_papers))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print_table(results)
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


def machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "commit": commit,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }


def write_archive(archive: Archive, data: Path, days: int) -> dict[str, int]:
    """`days` weekdays up to LAST_DAY, stored as the pipeline stores them."""
    started = time.perf_counter()
    store = Store(data)
    papers = listed = 0
    for index, date in enumerate(weekdays_until(LAST_DAY, days)):
        day = archive.day(date, index)
        store.write_day(day)
        papers += len(day.papers)
        listed += sum(1 for p in day.papers if p.topics)
    size = sum(p.stat().st_size for p in data.rglob("*.jsonl"))
    print(
        f"archive: {days} days, {papers:,} records ({listed:,} selected), "
        f"{size / MB:,.0f} MB of data/ in {time.perf_counter() - started:.0f} s"
    )
    return {"days": days, "papers": papers, "selected": listed, "data_bytes": size}


def project_with_days(data: Path, dates: list[dt.date], folder: Path) -> Path:
    """A project whose data/ holds these days of the archive (hard links)."""
    root = copy_project(folder)
    for date in dates:
        add_day(data, root, date)
    return root


def add_day(data: Path, root: Path, date: dt.date) -> None:
    """The archive's `date` into the project at `root`, as a daily run stores it."""
    archive, project = Store(data), Store(root / "data")
    project.path(date).parent.mkdir(parents=True, exist_ok=True)
    os.link(archive.path(date), project.path(date))


def commit_data(root: Path) -> None:
    """data/ committed in a git repository at `root`: a build's month keys read its
    files' ids from git's index (generator/site/blobs.py), as in the daily workflow."""
    who = ["-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    for args in (["init", "-q"], ["add", "data"], [*who, "commit", "-q", "-m", "archive"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def measure_ours(data: Path, days: int, folder: Path, *, search: bool = True) -> dict[str, Any]:
    """Build `days` days from nothing (no content/, no cache), then as the daily
    workflow does once the next day is stored: content/ and the cache kept."""
    *dates, next_day = Store(data).days()[-(days + 1) :]
    root = project_with_days(data, dates, folder)
    command = [sys.executable, "-m", "generator", "build"]
    seconds, peak, output = timed(command, root)
    site = root / "site"
    size = folder_bytes(site)
    bytes_by_kind = byte_table(site)
    commit_data(root)  # as the daily workflow's checkout has it: the new day not yet
    add_day(data, root, next_day)
    daily_seconds, daily_peak, _ = timed(command, root)
    # Everything rendered and built again, as after a changed template: the search
    # bundles stay cached (their documents are the same).
    mkdocs = root / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    full_seconds, full_peak, _ = timed(command, root)
    published = int(output.split(" papers searchable")[0].rsplit(" ", 1)[1].replace(",", ""))
    query: dict[str, Any] = {}
    if search:
        with StaticSite(site) as server:
            query = first_and_second_query(server.origin)
    return {
        "build_seconds": round(seconds, 1),
        "peak_memory_mb": round(peak),
        "daily_seconds": round(daily_seconds, 1),
        "daily_peak_memory_mb": round(daily_peak),
        "full_rebuild_seconds": round(full_seconds, 1),
        "full_rebuild_peak_memory_mb": round(full_peak),
        "site_bytes": size,
        "site_bytes_per_day": round(size / days),
        "search_bytes": folder_bytes(site / "pagefind"),
        "published_papers": published,
        "bytes_per_paper": round(size / published),
        "html_pages": sum(1 for _ in site.rglob("*.html")),
        "query": query,
        "bytes_by_kind": bytes_by_kind,
    }


def topic_page(archive: Archive, folder: Path) -> dict[str, Any]:
    """The HTML of a topic page listing 100 papers of real size (the archive's selected
    papers of the busiest fixture day, all put into the first topic)."""
    config = archive.config
    day = archive.day(dt.date(2026, 6, 16), 0)
    topic = config.topics[0]
    listed = [p for p in day.papers if p.topics][:100]
    for paper in listed:
        hit = paper.topics[0]
        paper.topics = [TopicHit(topic.slug, topic.subtopics[0].slug, hit.score, hit.reason)]
    root = copy_project(folder)
    render_site(config, [Day(day.date, listed)], root / "content")
    site = build_site(root)
    page = site / f"{day.date:%Y/%m/%d}/{topic.slug}"
    html = (page / "index.html").read_bytes()
    # The day file's parts: both abstracts and the citations, each fetched (gzipped)
    # when a reader first needs it.
    parts = [path.read_bytes() for path in (page.parent / "cards").iterdir()]
    return {
        "papers": html.count(b'<article class="paper'),
        "html_bytes": len(html),
        "gzip_bytes": len(gzip.compress(html, 6)),
        "day_file_bytes": sum(len(gzip.decompress(data)) for data in parts),
        "day_file_gzip_bytes": sum(len(data) for data in parts),
    }


def ratios(ours: dict[str, Any], naive_result: dict[str, Any]) -> dict[str, float]:
    return {
        "build_time": round(ours["build_seconds"] / naive_result["build_seconds"], 3),
        "site_size": round(ours["site_bytes"] / naive_result["site_bytes"], 3),
        "first_search_bytes": round(
            max(ours["query"]["zh"]["first"], ours["query"]["en"]["first"])
            / naive_result["first_search_bytes"],
            4,
        ),
    }


# -- the table ---------------------------------------------------------------------


def print_archive_row(days: int, row: dict[str, Any]) -> None:
    print(
        f"{days} days: from nothing {row['build_seconds']} s, peak {row['peak_memory_mb']} MB, "
        f"every page again {row['full_rebuild_seconds']} s, daily {row['daily_seconds']} s, "
        f"site {row['site_bytes'] / MB:,.0f} MB "
        f"({row['site_bytes_per_day'] / MB:.2f} MB a day, {row['bytes_per_paper']:,} B a paper)"
    )


def over_budget(days: int, row: dict[str, Any]) -> list[str]:
    """What of issue 18's budgets a row misses."""
    missed = []
    if row["site_bytes_per_day"] > BUDGETS["site_bytes_per_day"]:
        missed.append(f"site {row['site_bytes_per_day'] / MB:.2f} MB a day > 0.7")
    if days >= 750 and row["daily_seconds"] > BUDGETS["daily_seconds"]:
        missed.append(f"daily rebuild {row['daily_seconds']} s > 30 s")
    # The full build: every page made again (a changed template), or from nothing.
    full = min(row["build_seconds"], row["full_rebuild_seconds"])
    if days >= 1250 and full > BUDGETS["full_seconds_1250"]:
        missed.append(f"full build {full} s > 150 s")
    peak = max(row["peak_memory_mb"], row["full_rebuild_peak_memory_mb"])
    if days >= 1250 and peak > BUDGETS["peak_memory_mb_1250"]:
        missed.append(f"peak memory {peak} MB > 2 GB")
    return missed


def print_table(results: dict[str, Any]) -> None:
    records = results["records"]
    print("\n| fixture day | papers | keyword triage at or over the threshold | synthetic |")
    print("|---|---|---|---|")
    for date, share in results["listed_shares"].items():
        print(
            f"| {date} | {share['papers']} | {share['keyword_triage']} "
            f"({share['keyword_triage'] / share['papers']:.0%}) | {share['synthetic']} |"
        )
    print(
        f"\narchive at {records['selected'] / records['papers']:.0%} of papers listed "
        f"(synthetic.SELECTED_SHARE); MB are MiB"
    )
    print(
        "\n| archive | build from nothing | peak memory | every page again | daily rebuild "
        "| site | a day | per paper "
        "| search index | 1st query zh / en | 2nd query zh / en | budgets |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for days, row in results["archive"].items():
        query = row["query"]
        missed = over_budget(int(days), row)
        print(
            f"| ours, {days} days | {row['build_seconds']} s | {row['peak_memory_mb']:,} MB "
            f"| {row['full_rebuild_seconds']} s ({row['full_rebuild_peak_memory_mb']:,} MB) "
            f"| {row['daily_seconds']} s | {row['site_bytes'] / MB:,.0f} MB "
            f"| {row['site_bytes_per_day'] / MB:.2f} MB "
            f"| {row['bytes_per_paper'] / 1024:.1f} KB "
            f"| {row['search_bytes'] / MB:,.0f} MB "
            f"| {query['zh']['first'] / 1024:.0f} / {query['en']['first'] / 1024:.0f} KB "
            f"| {query['zh']['second'] / 1024:.0f} / {query['en']['second'] / 1024:.0f} KB "
            f"| {'; '.join(missed) or 'hold'} |"
        )
    if "naive" in results:
        row = results["naive"]
        print(
            f"| naive, {row['days']} days | {row['build_seconds']} s "
            f"| {row['peak_memory_mb']:,} MB | – | – | {row['site_bytes'] / MB:,.0f} MB "
            f"| {row['bytes_per_paper'] / 1024:.1f} KB | {row['search_index_bytes'] / MB:,.0f} MB "
            f"| {row['first_search_bytes'] / 1024:,.0f} KB (gzipped, on page load) | same |"
        )
    if "ours_over_naive" in results:
        ratio = results["ours_over_naive"]
        print(
            f"\nours / naive: build time {ratio['build_time']:.2f}, site size "
            f"{ratio['site_size']:.2f}, first-search bytes {ratio['first_search_bytes']:.4f}"
        )
    largest = max(results["archive"], key=int)
    print(f"\nthe site at {largest} days, by kind:")
    row = results["archive"][largest]
    print_byte_table(row["bytes_by_kind"], int(largest), row["published_papers"])
    if "topic_page" not in results:
        return
    page = results["topic_page"]
    print(
        f"\ntopic page with {page['papers']} papers: {page['html_bytes'] / 1024:.0f} KB HTML, "
        f"{page['gzip_bytes'] / 1024:.0f} KB gzipped; its day file (both abstracts, the "
        f"citations), loaded when one is opened, {page['day_file_gzip_bytes'] / 1024:.0f} KB "
        f"({page['day_file_bytes'] / 1024:.0f} KB decoded)"
    )
    daily.print_results(results["daily"], results["enrichment"])


if __name__ == "__main__":
    main()
