"""The build cache of months (generator/site/months.py, issue 18 item 3): a daily build
makes only the month that changed, and what it publishes is byte for byte what a build
from nothing publishes."""

from __future__ import annotations

import copy
import datetime as dt
import filecmp
import shutil
from pathlib import Path

import pytest
from conftest import REPO, rss_bytes
from fixture_site import copy_project

from generator import record
from generator.cli import main
from generator.config import load_config
from generator.models import Day, Paper, StepState
from generator.publish import PAGES_CACHE, SEARCH_CACHE
from generator.sources.rss import parse_feed
from generator.store import Store
from generator.topics import triage

# Days of three months; the daily build adds the last.
DATES = [dt.date(2026, 4, 29), dt.date(2026, 4, 30), dt.date(2026, 5, 4), dt.date(2026, 5, 29)]
NEXT_DAY = dt.date(2026, 6, 1)


def real_papers() -> list[Paper]:
    """Real cs.CL papers of 2026-06-19 with the keyword triage's hits."""
    config = load_config(REPO / "digest.yml")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers[:24]
    record.with_topics(papers, triage(papers, config))
    for paper in papers:
        paper.api = StepState("done")
        paper.llm = StepState("done")
        paper.title_zh = f"中文标题 {paper.id}"
        paper.tldr = "一句话总结。"
        paper.abstract_zh = "中文摘要。"
    return papers


def store_day(root: Path, date: dt.date, papers: list[Paper]) -> None:
    """`papers` under new ids of the day's month, as a day's run stores them."""
    day = []
    for number, template in enumerate(papers, start=1):
        paper = copy.deepcopy(template)
        paper.id = f"{date:%y%m}.{date.day:02d}{number:03d}"
        day.append(paper)
    Store(root / "data").write_day(Day(date, day))


def build(root: Path, capfd: pytest.CaptureFixture[str]) -> str:
    """`arxiv-digest build` in `root`; what it said of the months."""
    capfd.readouterr()
    assert main(["--root", str(root), "build"]) == 0
    printed = capfd.readouterr().err
    said = [line for line in printed.splitlines() if "months:" in line]
    assert len(said) == 1, printed
    return said[0].split("months: ")[1].strip()


def same_tree(one: Path, other: Path) -> list[str]:
    """Files that differ, or are in one tree only."""
    names = {p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file()}
    names |= {p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file()}
    return sorted(
        name
        for name in names
        if not (
            (one / name).is_file()
            and (other / name).is_file()
            and filecmp.cmp(one / name, other / name, shallow=False)
        )
    )


def bundles(root: Path) -> list[str]:
    return sorted(path.name for path in (root / SEARCH_CACHE).iterdir())


def is_bundle_file(name: str) -> bool:
    return name.startswith("pagefind/") and name != "pagefind/periods.json"


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return real_papers()


@pytest.fixture
def archive(tmp_path: Path, papers: list[Paper], capfd: pytest.CaptureFixture[str]) -> Path:
    """A project of three months, built once (the cache filled)."""
    root = copy_project(tmp_path / "daily")
    for number, date in enumerate(DATES):
        store_day(root, date, papers[number * 4 : number * 4 + 12])
    assert build(root, capfd) == "2 built, 0 from the cache"
    return root


def test_the_daily_build_makes_one_month_and_publishes_what_a_full_build_does(
    archive: Path, papers: list[Paper], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    store_day(archive, NEXT_DAY, papers[6:18])
    # June is new; May's last day now links to it, so May is made again; April is not.
    assert build(archive, capfd) == "2 built, 1 from the cache"
    assert build(archive, capfd) == "0 built, 3 from the cache"

    full = copy_project(tmp_path / "full")
    shutil.copytree(archive / "data", full / "data", dirs_exist_ok=True)
    assert build(full, capfd) == "3 built, 0 from the cache"
    # Pagefind writes other bytes from the same documents on each run (its filter file
    # and the hash naming its metadata; two runs over 40 documents differed there), so
    # its bundles are compared by what they were made from: their cache keys hash the
    # documents. Everything else of the site is compared byte for byte.
    assert bundles(archive) == bundles(full)
    differ = same_tree(archive / "site", full / "site")
    assert [name for name in differ if not is_bundle_file(name)] == []
    assert same_tree(archive / "content", full / "content") == []
    # The cached months are in the site and its sitemap.
    assert (archive / "site/2026/04/29/llm/index.html").is_file()
    assert "/2026/04/29/" in (archive / "site/sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "change",
    ["overrides/partials/paper-card.html", "mkdocs.yml", "digest.yml"],
)
def test_a_changed_template_or_config_builds_every_month(
    archive: Path, change: str, capfd: pytest.CaptureFixture[str]
) -> None:
    path = archive / change
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build(archive, capfd) == "2 built, 0 from the cache"


def test_a_changed_record_builds_its_month_and_shows_the_change(
    archive: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    store = Store(archive / "data")
    day = store.read_day(DATES[0])
    listed = next(p for p in day.papers if p.topics)
    listed.title_zh = "改过的中文标题"
    store.write_day(day)
    assert build(archive, capfd) == "1 built, 1 from the cache"
    page = archive / f"site/{DATES[0]:%Y/%m/%d}/{listed.topics[0].topic}/index.html"
    assert "改过的中文标题" in page.read_text(encoding="utf-8")


def test_a_month_whose_content_was_lost_or_cut_short_is_made_again(
    archive: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    lost = archive / f"content/{DATES[0]:%Y/%m/%d}/index.md"
    cut = archive / f"content/{DATES[2]:%Y/%m/%d}/all.md"
    kept = {path: path.read_bytes() for path in (lost, cut)}
    lost.unlink()
    cut.write_bytes(kept[cut][:100])
    assert build(archive, capfd) == "2 built, 0 from the cache"
    assert {path: path.read_bytes() for path in (lost, cut)} == kept


@pytest.mark.parametrize("damage", ["summary", "site", "partial"])
def test_an_entry_that_is_not_whole_is_built_again(
    archive: Path, damage: str, capfd: pytest.CaptureFixture[str]
) -> None:
    entries = sorted((archive / PAGES_CACHE).iterdir())
    april = entries[0]
    assert april.name.startswith("2026-04-")
    if damage == "summary":
        (april / "month.json.gz").write_bytes(b"not gzip")
    elif damage == "site":
        shutil.rmtree(april / "site")
    else:  # a build killed while it kept the month: only the .partial was made
        april.rename(april.with_name(april.name + ".partial"))
    assert build(archive, capfd) == "1 built, 1 from the cache"
    assert (archive / f"site/{DATES[0]:%Y/%m/%d}/index.html").is_file()
    assert not any(p.name.endswith(".partial") for p in (archive / PAGES_CACHE).iterdir())


def test_a_day_removed_from_the_archive_leaves_the_site_and_the_cache(
    archive: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    Store(archive / "data").path(DATES[2]).unlink()
    assert build(archive, capfd) == "2 built, 0 from the cache"
    assert not (archive / f"site/{DATES[2]:%Y/%m/%d}").exists()
    assert not any((archive / f"content/{DATES[2]:%Y/%m/%d}").rglob("*.md"))
    assert len(list((archive / PAGES_CACHE).iterdir())) == 2
