"""An archive split over two sites (issue 18, item 4): digest.yml's `archive:`, which
days each site gets (generator/split.py), the links between them, the older site's
project folder and the search manifest's entry for it. The two sites searched as one
in Chromium: test_split_search.py."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from fixture_site import copy_project, older_paper
from fixture_site import translated_llm_paper as paper

from generator import publish, split
from generator.cli import main
from generator.config import Archive, load_config
from generator.errors import ConfigError, DigestError
from generator.models import Day
from generator.render import render_site
from generator.site.layout import older_site, write_manifest
from generator.site.months import fingerprint
from generator.split import Across, Edges
from generator.store import Store

OLDER = "https://someone.github.io/arxiv-digest-older/"
NEWER = "https://someone.github.io/arxiv-digest/"
SPLIT = dt.date(2026, 1, 1)
DAYS = [dt.date(2025, 12, 30), dt.date(2025, 12, 31), dt.date(2026, 1, 2), dt.date(2026, 6, 19)]


def with_archive(tmp_path: Path, archive: str) -> Path:
    """The shipped digest.yml with `archive` (YAML lines under the key) added."""
    path = tmp_path / "digest.yml"
    text = (REPO / "digest.yml").read_text(encoding="utf-8")
    path.write_text(f"{text}\narchive:\n{archive}", encoding="utf-8")
    return path


def problems(tmp_path: Path, archive: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(with_archive(tmp_path, archive))
    return caught.value.problems


# -- digest.yml ------------------------------------------------------------------------


def test_the_shipped_digest_is_one_site() -> None:
    assert load_config(REPO / "digest.yml").archive is None


@pytest.mark.parametrize("written", ["2026-01-01", '"2026-01-01"', "'2026-01-01'"])
def test_an_archive_takes_a_quarters_first_day_and_a_site_address(
    tmp_path: Path, written: str
) -> None:
    path = with_archive(tmp_path, f"  older_site: {OLDER.rstrip('/')}\n  split_before: {written}\n")
    assert load_config(path).archive == Archive(older_site=OLDER, split_before=SPLIT)


@pytest.mark.parametrize(
    ("archive", "expected"),
    [
        (
            f"  older_site: {OLDER}\n  split_before: 2026-02-15\n",
            "digest.yml: archive.split_before: expected the first day of a quarter"
            " (YYYY-01-01, -04-01, -07-01 or -10-01: search keeps a quarter in one bundle,"
            " on one site), got 2026-02-15",
        ),
        (
            f"  older_site: {OLDER}\n  split_before: 2026\n",
            "digest.yml: archive.split_before: expected a date YYYY-MM-DD, got 2026",
        ),
        (
            f"  older_site: {OLDER}\n  split_before: '2026-13-01'\n",
            "digest.yml: archive.split_before: expected a date YYYY-MM-DD, got '2026-13-01'",
        ),
        (
            f"  older_site: {OLDER}\n  split_before: 2026-01-01 08:00:00\n",
            "digest.yml: archive.split_before: expected a date YYYY-MM-DD,"
            " got datetime.datetime(2026, 1, 1, 8, 0)",
        ),
        (
            "  older_site: someone.github.io/older\n  split_before: 2026-01-01\n",
            "digest.yml: archive.older_site: expected an http:// or https:// address,"
            " got 'someone.github.io/older'",
        ),
        (
            f"  older_site: {OLDER}?page=1\n  split_before: 2026-01-01\n",
            "digest.yml: archive.older_site: expected a site's address without ? or #,"
            f" got '{OLDER}?page=1'",
        ),
        (
            f"  older_site: {OLDER}\n",
            "digest.yml: archive.split_before: required, but missing",
        ),
        (
            f"  older_site: {OLDER}\n  split_before: 2026-01-01\n  older-site: x\n",
            "digest.yml: archive.older-site: unknown key; did you mean 'older_site'?",
        ),
    ],
    ids=[
        "mid-quarter",
        "a-year",
        "no-such-month",
        "a-time",
        "no-scheme",
        "query",
        "missing",
        "typo",
    ],
)
def test_a_wrong_archive_is_one_line_naming_the_key(
    tmp_path: Path, archive: str, expected: str
) -> None:
    assert problems(tmp_path, archive) == [expected]


# -- which days each site gets ----------------------------------------------------------


def project(tmp_path: Path, site_url: str = NEWER) -> Path:
    return copy_project(tmp_path / "project", site_url)


ARCHIVE = Archive(older_site=OLDER, split_before=SPLIT)


def test_without_an_archive_the_site_has_every_day(tmp_path: Path) -> None:
    whole = split.part(tmp_path, None, DAYS, older=False)
    assert (whole.dates, whole.root, whole.edges) == (DAYS, tmp_path, Edges())
    assert whole.searched_elsewhere() == []


def test_the_newer_site_has_the_days_from_the_split_on_and_leads_to_the_older(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    newer = split.part(root, ARCHIVE, DAYS, older=False)
    assert newer.dates == [dt.date(2026, 1, 2), dt.date(2026, 6, 19)]
    assert newer.root == root
    assert newer.edges == Edges(older=Across(OLDER, dt.date(2025, 12, 31), SPLIT))
    assert newer.searched_elsewhere() == [older_site(OLDER, SPLIT)]
    assert not (root / split.OLDER_FOLDER).exists()  # the newer build makes no older/


def test_the_older_site_has_the_days_before_and_leads_to_the_newer(tmp_path: Path) -> None:
    root = project(tmp_path)
    older = split.part(root, ARCHIVE, DAYS, older=True)
    assert older.dates == [dt.date(2025, 12, 30), dt.date(2025, 12, 31)]
    assert older.root == root / "older"
    assert older.edges == Edges(newer=Across(NEWER, dt.date(2026, 1, 2), SPLIT))
    assert older.searched_elsewhere() == []  # its search is its own


def test_each_day_is_on_exactly_one_site(tmp_path: Path) -> None:
    root = project(tmp_path)
    days = [SPLIT - dt.timedelta(days=n) for n in range(-3, 4)]
    newer = split.part(root, ARCHIVE, days, older=False).dates
    older = split.part(root, ARCHIVE, days, older=True).dates
    assert sorted(newer + older) == sorted(days)
    assert min(newer) == SPLIT and max(older) == SPLIT - dt.timedelta(days=1)


def test_a_site_without_days_yet_leads_nowhere_by_day(tmp_path: Path) -> None:
    root = project(tmp_path)
    only_new = [dt.date(2026, 6, 19)]
    assert split.part(root, ARCHIVE, only_new, older=False).edges.older == Across(
        OLDER, None, SPLIT
    )
    assert split.part(root, ARCHIVE, only_new, older=True).dates == []


def test_building_the_older_site_without_an_archive_says_what_to_add(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match=r"digest.yml names no older site; add archive:"):
        split.part(tmp_path, None, DAYS, older=True)


def test_the_older_site_cannot_be_the_newer_sites_own_address(tmp_path: Path) -> None:
    root = project(tmp_path, site_url=OLDER)
    with pytest.raises(DigestError, match=r"archive.older_site is this site's own address"):
        split.part(root, ARCHIVE, DAYS, older=False)


# -- the older site's project folder ------------------------------------------------------


def test_the_older_project_inherits_mkdocs_yml_and_links_what_it_shares(tmp_path: Path) -> None:
    root = project(tmp_path)
    folder = split.older_project(root, ARCHIVE, NEWER)
    settings = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8"))
    assert settings == {
        "INHERIT": "../mkdocs.yml",
        "site_url": OLDER,
        "extra": {"digest_newer_site": NEWER, "digest_split": "2026 年 1 月"},
    }
    for name in split.SHARED + split.SHARED_FILES:
        link = folder / name
        assert link.is_symlink() and link.resolve() == (root / name).resolve()
        assert not os.path.isabs(os.readlink(link))  # the project folder may move
    assert publish.SEARCH_CACHE in split.SHARED  # one cache: a quarter is indexed once

    # A second build finds it ready; a folder where a link belongs is replaced.
    (folder / "overrides").unlink()
    (folder / "overrides").mkdir()
    assert split.older_project(root, ARCHIVE, NEWER) == folder
    assert (folder / "overrides").is_symlink()


@pytest.mark.parametrize("edited", ["mkdocs.yml", "digest.yml", "overrides/main.html"])
def test_an_edit_of_the_project_rebuilds_the_older_sites_cached_months(
    tmp_path: Path, edited: str
) -> None:
    root = project(tmp_path)
    folder = split.older_project(root, ARCHIVE, NEWER)
    before = fingerprint(folder, OLDER)
    assert split.older_project(root, ARCHIVE, NEWER) == folder
    assert fingerprint(folder, OLDER) == before  # nothing edited, nothing to rebuild
    with (root / edited).open("a", encoding="utf-8") as file:
        file.write("\n# edited\n")
    split.older_project(root, ARCHIVE, NEWER)  # as the next `build --older` does
    assert fingerprint(folder, OLDER) != before


# -- the pages at the edges ---------------------------------------------------------------


def a_day(date: dt.date, arxiv_id: str) -> Day:
    return Day(
        date,
        [
            paper(
                arxiv_id, 80, "r", title=f"Paper {arxiv_id}", authors=["A"], abstract="An abstract."
            )
        ],
    )


def rendered(tmp_path: Path, days: list[Day], edges: Edges) -> Path:
    root = project(tmp_path)
    config = load_config(root / "digest.yml")
    render_site(config, days, root / "content", NEWER, edges=edges)
    return root / "content"


def test_the_newer_sites_first_day_leads_back_to_the_older_sites_last(tmp_path: Path) -> None:
    edges = Edges(older=Across(OLDER, dt.date(2025, 12, 31), SPLIT))
    content = rendered(
        tmp_path,
        [a_day(dt.date(2026, 1, 2), "2601.00001"), a_day(dt.date(2026, 1, 5), "2601.00002")],
        edges,
    )
    first = content / "2026" / "01" / "02"
    assert f'<a href="{OLDER}2025/12/31/">← 2025-12-31</a>' in (first / "index.md").read_text()
    assert f'<a href="{OLDER}2025/12/31/llm/">← 2025-12-31</a>' in (first / "llm.md").read_text()
    assert f'<a href="{OLDER}2025/12/31/all/">← 2025-12-31</a>' in (first / "all.md").read_text()
    later = (content / "2026" / "01" / "05" / "index.md").read_text()
    assert '<a href="../02/">← 2026-01-02</a>' in later and OLDER not in later
    archive = (content / "archive.md").read_text()
    assert f'2026 年 1 月以前的论文在旧站:<a href="{OLDER}archive/">旧站归档</a>' in archive
    assert f'<a href="{OLDER}archive/">更早:2026 年 1 月以前的归档(旧站)→</a>' in archive


def test_the_older_sites_last_day_and_home_lead_on_to_the_newer_sites_first(
    tmp_path: Path,
) -> None:
    edges = Edges(newer=Across(NEWER, dt.date(2026, 1, 2), SPLIT))
    content = rendered(tmp_path, [a_day(dt.date(2025, 12, 31), "2512.00001")], edges)
    day = content / "2025" / "12" / "31"
    assert f'<a href="{NEWER}2026/01/02/">2026-01-02 →</a>' in (day / "index.md").read_text()
    assert f'<a href="{NEWER}2026/01/02/llm/">2026-01-02 →</a>' in (day / "llm.md").read_text()
    assert f'<a href="{NEWER}2026/01/02/">2026-01-02 →</a>' in (content / "index.md").read_text()
    archive = (content / "archive.md").read_text()
    assert "本站是 2026 年 1 月以前的归档,2026 年 1 月起的论文在新站" in archive
    assert f'<a href="{NEWER}archive/">新站归档</a>' in archive


def test_an_other_site_without_a_day_yet_gets_no_day_link(tmp_path: Path) -> None:
    content = rendered(
        tmp_path,
        [a_day(dt.date(2026, 1, 2), "2601.00001")],
        Edges(older=Across(OLDER, None, SPLIT)),
    )
    overview = (content / "2026" / "01" / "02" / "index.md").read_text()
    assert "←" not in overview
    assert f'href="{OLDER}archive/"' in (content / "archive.md").read_text()


# -- the search manifest --------------------------------------------------------------------


def test_the_newer_manifest_ends_with_the_older_sites_search(tmp_path: Path) -> None:
    write_manifest(tmp_path, ["2026-q1", "2026-q2"], [older_site(OLDER, SPLIT)])
    entries = json.loads((tmp_path / "periods.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in entries] == ["2026-q2", "2026-q1", "before-2026-01-01"]
    assert entries[-1] == {
        "id": "before-2026-01-01",
        "label": "2026 年 1 月以前",
        "manifest": f"{OLDER}pagefind/periods.json",
        "site": OLDER,
        "before": "2026-01-01",
    }


# -- both builds, from the command line -----------------------------------------------------


def test_both_builds_publish_their_own_days_and_only_the_older_has_the_banner(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    with (root / "digest.yml").open("a", encoding="utf-8") as config:
        config.write(f"\narchive:\n  older_site: {OLDER}\n  split_before: 2026-01-01\n")
    store = Store(root / "data")
    store.write_day(Day(dt.date(2025, 12, 31), [older_paper()]))
    store.write_day(a_day(dt.date(2026, 6, 19), "2606.00042"))
    assert main(["--root", str(root), "build"]) == 0
    assert main(["--root", str(root), "build", "--older"]) == 0
    assert main(["--root", str(root), "build", "--older"]) == 0  # again, over its own folder

    newer, older = root / "site", root / "older" / "site"
    assert (newer / "2026/06/19/index.html").is_file()
    assert not (newer / "2025").exists() and not (root / "content" / "2025").exists()
    assert (older / "2025/12/31/llm/index.html").is_file()
    # Of 2026, the older site has only the pages of the ISO week of 2025-12-31, 2026-W01.
    assert [p.name for p in (older / "2026").iterdir()] == ["W01"]
    assert [p.name for p in (root / "older/content/2026").iterdir()] == ["W01"]
    assert "2025-12-31" in (older / "2026/W01/llm/index.html").read_text(encoding="utf-8")
    assert "digest-older-notice" not in (newer / "index.html").read_text(encoding="utf-8")
    banner = (older / "2025/12/31/llm/index.html").read_text(encoding="utf-8")
    assert (
        f'本站是 2026 年 1 月以前的归档。2026 年 1 月起的论文在<a href="{NEWER}">新站</a>' in banner
    )
    assert f"{OLDER}2025/12/31/llm/#" in (older / "feeds" / "llm.xml").read_text(encoding="utf-8")
    newer_periods = json.loads((newer / "pagefind" / "periods.json").read_text(encoding="utf-8"))
    older_periods = json.loads((older / "pagefind" / "periods.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in newer_periods] == ["2026-q2", "before-2026-01-01"]
    assert [p["id"] for p in older_periods] == ["2025-q4"]
    assert (older / "pagefind" / "2025-q4" / "pagefind.js").is_file()


def test_build_older_without_an_archive_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    assert main(["--root", str(root), "build", "--older"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("arxiv-digest: error: build --older: digest.yml names no older site")
    assert "\n" not in error
    assert not (root / "older").exists()


def test_a_newer_older_day_reaches_the_newer_sites_cached_first_month(tmp_path: Path) -> None:
    root = project(tmp_path)
    with (root / "digest.yml").open("a", encoding="utf-8") as config:
        config.write(f"\narchive:\n  older_site: {OLDER}\n  split_before: 2026-01-01\n")
    store = Store(root / "data")
    store.write_day(a_day(dt.date(2025, 12, 30), "2512.00003"))
    store.write_day(a_day(dt.date(2026, 6, 19), "2606.00042"))
    assert main(["--root", str(root), "build"]) == 0
    page = root / "site" / "2026" / "06" / "19" / "index.html"
    assert f'href="{OLDER}2025/12/30/"' in page.read_text(encoding="utf-8")
    store.write_day(Day(dt.date(2025, 12, 31), [older_paper()]))  # a backfill, say
    assert main(["--root", str(root), "build"]) == 0
    assert f'href="{OLDER}2025/12/31/"' in page.read_text(encoding="utf-8")
