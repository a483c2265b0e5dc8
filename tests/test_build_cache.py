"""The build cache of months (generator/site/months.py, issue 18 item 3): a daily build
makes only the month that changed, with the weeks it owns, and what it publishes is byte
for byte what a build from nothing publishes."""

from __future__ import annotations

import copy
import datetime as dt
import filecmp
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, rss_bytes
from fixture_site import copy_project
from test_blobs import git

from generator import record
from generator.cli import main
from generator.config import load_config
from generator.models import Day, Paper, StepState
from generator.publish import PAGES_CACHE, SEARCH_CACHE
from generator.selection import listed_under
from generator.site.held import HELD, RECORD
from generator.site.months import SUMMARY, MonthSummary
from generator.sources.rss import parse_feed
from generator.store import Store
from generator.topics import triage

# Days of three months; the daily build adds the last. Week 18 runs from Wednesday
# 2026-04-29 to Friday 05-01 (May's, its last day's); week 27 from Tuesday 06-30 (June's)
# to the new day, Wednesday 07-01, when it becomes July's.
DATES = [dt.date(2026, 4, 29), dt.date(2026, 4, 30), dt.date(2026, 5, 1), dt.date(2026, 6, 30)]
NEXT_DAY = dt.date(2026, 7, 1)
W18, W27 = "2026/W18/llm", "2026/W27/llm"


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


def entry_files(root: Path, month: str) -> set[str]:
    """The content/ files the cache's entry of `month` ("2026-07") lists."""
    (entry,) = (root / PAGES_CACHE).glob(f"{month}-*")
    return set(MonthSummary.loads((entry / SUMMARY).read_bytes()).content)


def page(root: Path, path: str) -> str:
    return (root / "site" / path / "index.html").read_text(encoding="utf-8")


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
    assert build(root, capfd) == "3 built, 0 from the cache"
    return root


def test_the_daily_build_makes_one_month_and_publishes_what_a_full_build_does(
    archive: Path, papers: list[Paper], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert f"{W27}.md" in entry_files(archive, "2026-06")
    store_day(archive, NEXT_DAY, papers[6:18])
    # July is new and takes week 27 over; June's last day now links to July's first, so
    # June is made again (without the week). April is now three months back, past
    # site.full_pages_months: its whole-day pages leave their rows to the browser,
    # so it is made again too. May (with week 18) is not.
    april_rows = '<li><a href="'
    assert april_rows in (archive / "content/2026/04/29/all.md").read_text(encoding="utf-8")
    assert build(archive, capfd) == "3 built, 1 from the cache"
    assert build(archive, capfd) == "0 built, 4 from the cache"
    assert april_rows not in (archive / "content/2026/04/29/all.md").read_text(encoding="utf-8")
    assert 'data-rows-of="2026-04-29"' in page(archive, "2026/04/29/all")
    assert april_rows in (archive / "content/2026/05/01/all.md").read_text(encoding="utf-8")
    assert f"{W27}.md" in entry_files(archive, "2026-07")
    assert not any("/W" in path for path in entry_files(archive, "2026-06"))
    assert f"{W18}.md" in entry_files(archive, "2026-05")

    full = copy_project(tmp_path / "full")
    shutil.copytree(archive / "data", full / "data", dirs_exist_ok=True)
    assert build(full, capfd) == "4 built, 0 from the cache"
    # Pagefind writes other bytes from the same documents on each run (its filter file
    # and the hash naming its metadata; two runs over 40 documents differed there), so
    # its bundles are compared by what they were made from: their cache keys hash the
    # documents. Everything else of the site is compared byte for byte.
    assert bundles(archive) == bundles(full)
    differ = same_tree(archive / "site", full / "site")
    assert [name for name in differ if not is_bundle_file(name)] == []
    assert same_tree(archive / "content", full / "content") == []
    # The cached months, their weeks and month pages are in the site and its sitemap.
    assert (archive / "site/2026/04/29/llm/index.html").is_file()
    sitemap = (archive / "site/sitemap.xml").read_text(encoding="utf-8")
    for path in ("2026/04/29", W18, "2026/04/llm", W27, "2026/07/llm"):
        assert f"/{path}/<" in sitemap, path
    # A week across two months lists both months' days; a month page its own.
    assert "../../04/29/llm/#" in page(archive, W18) and "../../05/01/llm/#" in page(archive, W18)
    assert "../../06/30/llm/#" in page(archive, W27) and "../../07/01/llm/#" in page(archive, W27)
    assert "../30/llm/#" in page(archive, "2026/06/llm")
    assert "07/01" not in page(archive, "2026/06/llm")


@pytest.mark.parametrize(
    "change",
    ["overrides/partials/paper-card.html", "mkdocs.yml", "digest.yml"],
)
def test_a_changed_template_or_config_builds_every_month(
    archive: Path, change: str, capfd: pytest.CaptureFixture[str]
) -> None:
    path = archive / change
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build(archive, capfd) == "3 built, 0 from the cache"


@pytest.mark.parametrize(
    ("changed", "said", "shown"),
    [
        # June 30: June's record, in June's week 27.
        (DATES[3], "1 built, 2 from the cache", ["2026/06/30/{topic}", "2026/W27/{topic}"]),
        # April 29: April's record, in May's week 18, so May is made again too.
        (DATES[0], "2 built, 1 from the cache", ["2026/04/29/{topic}", "2026/W18/{topic}"]),
    ],
)
def test_a_changed_record_builds_its_month_and_its_week_and_shows_the_change(
    archive: Path, changed: dt.date, said: str, shown: list[str], capfd: pytest.CaptureFixture[str]
) -> None:
    store = Store(archive / "data")
    day = store.read_day(changed)
    listed, hit = next((p, h) for p in day.papers for h in p.topics if listed_under(h, 60))
    listed.title_zh = "改过的中文标题"
    store.write_day(day)
    assert build(archive, capfd) == said
    for path in shown:
        assert "改过的中文标题" in page(archive, path.format(topic=hit.topic))


def test_a_month_whose_content_was_lost_or_cut_short_is_made_again(
    archive: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    lost = archive / f"content/{DATES[0]:%Y/%m/%d}/index.md"
    cut = archive / f"content/{DATES[2]:%Y/%m/%d}/all.md"
    kept = {path: path.read_bytes() for path in (lost, cut)}
    lost.unlink()
    cut.write_bytes(kept[cut][:100])
    assert build(archive, capfd) == "2 built, 1 from the cache"
    assert {path: path.read_bytes() for path in (lost, cut)} == kept


def test_a_lost_week_page_makes_the_month_that_owns_the_week_again(
    archive: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    lost = archive / f"content/{W18}.md"
    kept = lost.read_bytes()
    lost.unlink()
    assert build(archive, capfd) == "1 built, 2 from the cache"  # May's
    assert lost.read_bytes() == kept


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
    assert build(archive, capfd) == "1 built, 2 from the cache"
    assert (archive / f"site/{DATES[0]:%Y/%m/%d}/index.html").is_file()
    assert not any(p.name.endswith(".partial") for p in (archive / PAGES_CACHE).iterdir())


def test_a_day_removed_from_the_archive_leaves_the_site_and_the_cache(
    archive: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    Store(archive / "data").path(DATES[2]).unlink()
    # May is gone; April and June link to each other now, and April owns week 18.
    assert build(archive, capfd) == "2 built, 0 from the cache"
    assert not (archive / "site/2026/05").exists()
    assert not any((archive / "content/2026/05").rglob("*.md"))
    assert len(list((archive / PAGES_CACHE).iterdir())) == 2
    assert f"{W18}.md" in entry_files(archive, "2026-04")
    assert "05/01" not in page(archive, W18) and "../../04/30/llm/#" in page(archive, W18)


def test_a_git_checkout_keeps_its_months_and_sees_a_record_changed_since(
    archive: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The daily workflow's case: data/ committed (its ids come from git's index,
    site/blobs.py), the day being built not yet."""
    git(archive, "init", "-q")
    git(archive, "add", "data")
    git(archive, "commit", "-q", "-m", "the archive")
    assert build(archive, capfd) == "0 built, 3 from the cache"  # the same keys in git
    store = Store(archive / "data")
    day = store.read_day(DATES[3])
    listed, hit = next((p, h) for p in day.papers for h in p.topics if listed_under(h, 60))
    listed.title_zh = "提交后改过的标题"
    store.write_day(day)  # not committed
    assert build(archive, capfd) == "1 built, 2 from the cache"
    assert "提交后改过的标题" in page(archive, f"2026/06/30/{hit.topic}")


def inode(path: Path) -> int:
    return path.stat().st_ino


def test_folders_from_the_cache_are_kept_across_builds_not_linked_again(
    archive: Path, papers: list[Paper], capfd: pytest.CaptureFixture[str]
) -> None:
    """generator/site/held.py: a month or quarter that comes from the same entry
    stays where it is (the same folder, the same files) across MkDocs' --clean."""
    kept = ["2026/05", W18.rsplit("/", 1)[0]]  # April and June are made again (above)
    quarter = next((archive / "site/pagefind").glob("2026-q2"))
    before = {f: inode(archive / "site" / f) for f in kept} | {"q2": inode(quarter)}
    store_day(archive, NEXT_DAY, papers[6:18])
    assert build(archive, capfd) == "3 built, 1 from the cache"
    after = {f: inode(archive / "site" / f) for f in kept} | {"q2": inode(quarter)}
    assert after == before
    assert not (archive / HELD).exists()
    # June was made again: its folder is new, and the next build keeps it in turn.
    june = inode(archive / "site/2026/06")
    assert build(archive, capfd) == "0 built, 4 from the cache"
    assert inode(archive / "site/2026/06") == june


def test_a_build_killed_after_setting_folders_aside_publishes_them_all_next_time(
    archive: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import generator.site.build as site_build
    from generator.errors import SiteError

    def killed(*args: object) -> None:
        raise SiteError("mkdocs build failed:\nkilled")

    with monkeypatch.context() as patch:
        patch.setattr(site_build, "_mkdocs_builds", killed)
        assert main(["--root", str(archive), "build"]) != 0
    assert (archive / HELD).is_dir() and not (archive / RECORD).exists()
    shutil.rmtree(archive / HELD / "2026/04/29")  # what was set aside is not trusted again
    assert build(archive, capfd) == "0 built, 3 from the cache"
    full = copy_project(tmp_path / "full")
    shutil.copytree(archive / "data", full / "data", dirs_exist_ok=True)
    assert build(full, capfd) == "3 built, 0 from the cache"
    differ = same_tree(archive / "site", full / "site")
    assert [name for name in differ if not is_bundle_file(name)] == []
    assert (archive / "site/2026/04/29/llm/index.html").is_file()


def counted(calls: list[object], function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, each call's arguments added to `calls`."""

    def call(*args: Any) -> Any:
        calls.append(args)
        return function(*args)

    return call


def test_months_made_on_two_cores_or_one_publish_the_same_site(
    archive: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """generator/month_pages.py and site/build.py: on two cores the months are made by
    worker processes and MkDocs runs twice, each over half the dated folders; on one,
    all in one process. Whichever made a page, the page is the same, with the
    digest-cards plugin or without it (a builder that runs no plugins builds every
    folder in the first MkDocs, and the second's replace them)."""
    import generator.month_pages as month_pages
    import generator.site.build as site_build

    store_day(archive, NEXT_DAY, real_papers()[6:18])
    sites = {}
    for cores, plugin in ((1, True), (2, True), (2, False)):
        root = copy_project(tmp_path / f"cores-{cores}-{plugin}")
        shutil.copytree(archive / "data", root / "data", dirs_exist_ok=True)
        if not plugin:
            mkdocs = root / "mkdocs.yml"
            text = mkdocs.read_text(encoding="utf-8")
            mkdocs.write_text(text.replace("  - digest-cards\n", ""), encoding="utf-8")
        made_here: list[object] = []
        mkdocs_runs: list[object] = []
        with monkeypatch.context() as patch:
            patch.setattr(month_pages, "cores", lambda cores=cores: cores)
            patch.setattr(site_build, "cores", lambda cores=cores: cores)
            make = counted(made_here, month_pages.MonthMaker.make)
            patch.setattr(month_pages.MonthMaker, "make", make)
            patch.setattr(
                site_build, "_start_mkdocs", counted(mkdocs_runs, site_build._start_mkdocs)
            )
            assert build(root, capfd) == "4 built, 0 from the cache"
        # In this process on one core; in the workers on two, and two MkDocs.
        assert (len(made_here), len(mkdocs_runs)) == ((4, 1) if cores == 1 else (0, 2))
        assert not (root / site_build.SECOND_SITE).exists()
        sites[cores, plugin] = root
    one = sites[1, True]
    for other in (sites[2, True], sites[2, False]):
        differ = same_tree(one / "site", other / "site")
        assert [name for name in differ if not is_bundle_file(name)] == []
        assert same_tree(one / "content", other / "content") == []
        for path in ("2026/04/29/llm", "2026/05/01", W18, W27, "2026/07/llm"):
            assert page(other, path) == page(one, path)


def test_a_worker_says_which_record_it_could_not_read_and_its_month_is_made_again(
    archive: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month made in a worker process logs through the build's own handlers."""
    import generator.month_pages as month_pages
    import generator.site.build as site_build

    april = Store(archive / "data").path(DATES[0])
    april.write_bytes(april.read_bytes() + b'{"id": "not a record"\n')
    (archive / "mkdocs.yml").write_text(  # every month to make: the workers make them
        (archive / "mkdocs.yml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    monkeypatch.setattr(month_pages, "cores", lambda: 2)
    monkeypatch.setattr(site_build, "cores", lambda: 2)
    capfd.readouterr()
    # With --debug the build's handler names each record's level: a worker's own
    # stderr would not.
    assert main(["--root", str(archive), "--debug", "build"]) == 0
    printed = capfd.readouterr().err
    # Once: May's week 18 reads April's last days again, silently (April named them).
    assert printed.count(f"WARNING {april}:13: not a valid record") == 1, printed
    assert "1 stored records could not be read" in printed
    assert "months: 3 built, 0 from the cache" in printed
    # April was not kept in the cache, nor May, whose week 18 reads April's last days:
    # both read again, and the line named again, by the next build.
    capfd.readouterr()
    assert main(["--root", str(archive), "build"]) == 0
    printed = capfd.readouterr().err
    assert "months: 2 built, 1 from the cache" in printed
    assert printed.count(f"{april}:13: not a valid record") == 1, printed
