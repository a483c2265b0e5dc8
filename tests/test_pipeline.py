"""`arxiv-digest run`, `build` and `backfill` end to end against the loopback arXiv."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from arxiv_server import Fault, FixtureArxiv

from generator.cli import main


def run(project: Path, *args: str) -> int:
    return main(["--root", str(project), *args])


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def records(project: Path, date: str) -> list[dict]:
    path = project / "data" / date[:4] / f"{date}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_run_publishes_the_day_and_a_second_run_changes_no_byte(
    project: Path, arxiv: FixtureArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(project, "run") == 0
    stored = records(project, "2026-06-19")
    assert len(stored) == 697  # every distinct paper of the four feeds, once
    assert [r["id"] for r in stored] == sorted(r["id"] for r in stored)
    deepseek = next(r for r in stored if r["id"] == "2606.19348")
    assert deepseek["api"] == {"status": "done", "reason": None}
    assert deepseek["primary_category"] == "cs.CL" and len(deepseek["authors"]) == 319
    assert deepseek["llm"] == {"status": "skipped", "reason": "no LLM configured"}
    assert deepseek["title_zh"] is None  # never invented

    page = (project / "site" / "2026" / "06" / "19" / "llm" / "index.html").read_text()
    sections = re.findall(r'<h2 id="([a-z-]+)">(\d)\. (\S+) <small>(\d+) 篇</small>', page)
    assert [s[1] for s in sections] == ["1", "2", "3", "4", "5"]
    assert [s[2] for s in sections] == ["预训练", "长上下文", "后训练", "其他LLM", "领域大模型"]
    selected = [
        r["id"]
        for r in stored
        if any(t["topic"] == "llm" and t["score"] >= 60 for t in r["topics"])
    ]
    cards = re.findall(r'<article class="paper[^"]*" id="([^"]+)"', page)
    assert sorted(cards) == sorted(selected) and sum(int(s[3]) for s in sections) == len(cards)
    assert (project / "site" / "index.html").exists()
    assert (project / "site" / "feeds" / "all.xml").exists()

    before = digest(project / "data") | digest(project / "content")
    requests = len(arxiv.requests)
    assert run(project, "run") == 0
    assert digest(project / "data") | digest(project / "content") == before
    assert len(arxiv.requests) > requests  # it did fetch again, and found nothing new


def test_a_saturday_run_rebuilds_friday_and_creates_no_saturday(
    project: Path, arxiv: FixtureArxiv
) -> None:
    arxiv.download = "2026-06-13"
    assert run(project, "run", "--no-build") == 0
    assert [p.name for p in (project / "data" / "2026").iterdir()] == ["2026-06-12.jsonl"]
    assert not (project / "content" / "2026" / "06" / "13").exists()
    assert (project / "content" / "2026" / "06" / "12" / "llm.md").exists()


@pytest.mark.parametrize("download", ["2026-06-14", "2026-06-22"])
def test_a_day_without_announcement_succeeds_and_changes_nothing(
    project: Path, arxiv: FixtureArxiv, download: str, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv.download = download
    assert run(project, "run") == 0
    assert (
        f"No announcement in the feed dated {download}: nothing to do." in capsys.readouterr().err
    )
    assert not (project / "data").exists() and not (project / "content").exists()
    assert [path for _, path in arxiv.requests] == ["/rss/cs.CL+cs.AI+cs.LG+cs.CV+cs.CY+cs.CR"]


def test_papers_published_yesterday_are_not_published_again(
    project: Path, arxiv: FixtureArxiv
) -> None:
    arxiv.download = "2026-06-16"
    assert run(project, "run", "--no-build") == 0
    arxiv.download = "2026-06-17"  # cs.CL repeats 273 of 16 Jun's 283 items
    assert run(project, "run", "--no-build") == 0
    tuesday = {(r["id"], r["version"]) for r in records(project, "2026-06-16")}
    wednesday = {(r["id"], r["version"]) for r in records(project, "2026-06-17")}
    assert tuesday.isdisjoint(wednesday)
    in_feed = {
        (i, int(re.search(rb"v(\d+)</guid>", item).group(1)))  # type: ignore[union-attr]
        for i, item in arxiv.papers_of("2026-06-17").items()
    }
    assert wednesday == in_feed - tuesday
    assert len(in_feed & tuesday) == 273


def test_api_down_keeps_the_records_without_extras_and_says_so(
    project: Path, arxiv: FixtureArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv.faults.extend(Fault(503, b"down", path_prefix="/api/") for _ in range(40))
    assert run(project, "run", "--no-build") == 0
    stored = records(project, "2026-06-19")
    assert len(stored) == 697
    assert all(r["api"]["status"] == "failed" for r in stored)
    assert all(r["comments"] is None and r["primary_category"] is None for r in stored)
    assert "697 of 697 papers kept without API extras" in capsys.readouterr().err
    # The next run, with the API back, fills them in.
    arxiv.faults.clear()
    assert run(project, "run", "--no-build") == 0
    assert all(r["api"]["status"] == "done" for r in records(project, "2026-06-19"))


def test_rss_unreachable_fails_with_a_one_line_reason(
    project: Path, arxiv: FixtureArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    arxiv.faults.extend(Fault(503, b"down", path_prefix="/rss/") for _ in range(4))
    assert run(project, "run") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        "arxiv-digest: error: arXiv RSS could not be read after 4 attempts: HTTP 503"
    )
    assert not (project / "data").exists()


def test_backfill_groups_submissions_into_announcement_days(
    project: Path, arxiv: FixtureArxiv
) -> None:
    assert run(project, "backfill", "--from", "2026-06-18", "--to", "2026-06-22", "--no-build") == 0
    days = sorted(p.name for p in (project / "data" / "2026").iterdir())
    assert days == ["2026-06-18.jsonl", "2026-06-19.jsonl"]  # 22 Jun follows the holiday
    friday = records(project, "2026-06-19")
    new_in_feed = {i for i, item in arxiv.papers_of("2026-06-19").items() if b"Type: new" in item}
    assert {r["id"] for r in friday} == new_in_feed
    assert all(r["api"]["status"] == "done" for r in friday)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.hrefs.append(value)


def test_every_internal_link_of_the_built_site_resolves(project: Path, arxiv: FixtureArxiv) -> None:
    for download in ("2026-06-18", "2026-06-19"):
        arxiv.download = download
        assert run(project, "run", "--no-build") == 0
    assert run(project, "build") == 0
    site = project / "site"
    broken = []
    for page in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        base = "/" + str(page.parent.relative_to(site)) + "/"
        for href in parser.hrefs:
            if urlparse(href).scheme or href.startswith(("#", "mailto:", "//")):
                continue
            # 404.html links absolutely, under site_url's path.
            href = href.removeprefix("/arxiv-digest")
            target = unquote(urlparse(urljoin(base, href)).path).lstrip("/")
            path = site / target
            if not (path.is_file() or (path / "index.html").is_file()):
                broken.append(f"{page.relative_to(site)} → {href}")
    assert broken == []
    archive = (site / "archive" / "index.html").read_text()
    assert 'href="../2026/06/18/"' in archive and 'href="../2026/06/19/"' in archive
    home = (site / "index.html").read_text()
    assert "2026-06-19" in home and 'href="2026/06/18/"' in home  # previous day
