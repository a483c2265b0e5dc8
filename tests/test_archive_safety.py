"""Nothing stored is lost or hidden, and nothing from outside writes where it should not.

Through the real pipeline (loopback arXiv, real files, real builds), from a project
that already published 2026-06-18 and 2026-06-19: hostile ids at every door, a day
run again with a feed that says less or is dated wrongly, and `digest.yml` edited
after months of archive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest
from arxiv_server import Fault, combined_feed
from conftest import FakeLLM, FixtureArxiv
from fixture_site import copy_project, environment, run_days

from generator.cli import main
from generator.config import load_config
from generator.enrich.replies import with_arxivs_own
from generator.errors import StoreError
from generator.files import inside
from generator.ids import is_arxiv_id, split_versioned
from generator.render.content import Content
from generator.render.search import search_documents
from generator.site import bundles
from generator.sources import schedule
from generator.store import ReplyCache, Store

CATEGORIES = ["cs.AI", "cs.CL", "cs.CV", "cs.LG"]
DAY = "2026-06-19"


def rss_item(guid: str, title: str = "A paper on large language models") -> bytes:
    return f"""<item>
      <title>{escape(title)}</title>
      <link>https://arxiv.org/abs/x</link>
      <description>arXiv:x Announce Type: new
Abstract: We study large language models and their pretraining.</description>
      <guid isPermaLink="false">{escape(guid)}</guid>
      <category>cs.CL</category>
      <pubDate>Fri, 19 Jun 2026 00:00:00 -0400</pubDate>
      <arxiv:announce_type>new</arxiv:announce_type>
      <dc:creator>Ada Lovelace, Alan Turing</dc:creator>
    </item>
""".encode()


def feed_with(items: list[bytes], download: str = DAY) -> bytes:
    feed = combined_feed(download, CATEGORIES)
    return feed.replace(b"</channel>", b"".join(items) + b"</channel>", 1)


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def records(root: Path, day: str = DAY) -> dict[str, dict]:
    path = root / "data" / day[:4] / f"{day}.jsonl"
    return {r["id"]: r for r in map(json.loads, path.read_text("utf-8").splitlines())}


# -- ids ---------------------------------------------------------------------

GOOD_IDS = ["2606.19348", "0704.0001", "1412.9999", "1501.00001", "hep-th/9901001",
            "math.GT/0309136", "cs/0112017", "cond-mat/0412498"]  # fmt: skip
BAD_IDS = [
    "../../overrides/main", "2606.19348/../../x", "/etc/passwd", "2606.1234", "1501.0001",
    "2613.12345", "2606.１２３４５", "2606.12345\n", "hep-th/9913001", "HEP-TH/9901001",
    "hep-th\\9901001", "2606.12345%2F..", "", "2606.12345 ", "..", "a" * 300,
]  # fmt: skip


@pytest.mark.parametrize("text", GOOD_IDS)
def test_real_ids_new_and_old_style_are_arxiv_ids(text: str) -> None:
    assert is_arxiv_id(text)
    assert split_versioned(f"{text}v3") == (text, 3)


@pytest.mark.parametrize("text", BAD_IDS)
def test_anything_else_is_not(text: str) -> None:
    assert not is_arxiv_id(text)
    assert split_versioned(f"{text}v1") is None


@pytest.mark.parametrize(
    "relative", ["../x", "a/../../x", "/etc/x", "a\\..\\x", "a\0b", "", "2026/../../x"]
)
def test_a_writer_never_builds_a_path_out_of_its_folder(tmp_path: Path, relative: str) -> None:
    with pytest.raises(StoreError, match="refused to write"):
        inside(tmp_path / "out", relative)


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link").symlink_to(tmp_path)
    with pytest.raises(StoreError, match="leads out of"):
        inside(tmp_path / "out", "link/x.html")
    assert inside(tmp_path / "out", "2026/06/19/hep-th/9901001.html").name == "9901001.html"


HOSTILE_GUIDS = [
    "oai:arXiv.org:../../overrides/mainv1",
    "oai:arXiv.org:../../../../../tmp/escapedv1",
    "oai:arXiv.org:2606.12345/../../../../overrides/main.htmlv1",
    "oai:arXiv.org:/tmp/absolutev1",
    "oai:arXiv.org:hep-th/../../xv1",
    "oai:arXiv.org:2606.１２３４５v1",
    "oai:arXiv.org:2606.12345v1/../..",
    "oai:arXiv.org:2606.12345\\..\\..\\xv1",
    "oai:arXiv.org:2606.12345v0",
    "https://arxiv.org/abs/2606.12345v1",
]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """A fresh project whose first run (with the build) meets the hostile guids, next
    to one old-style id that must stay a working card."""
    base = tmp_path_factory.mktemp("ids")
    root = copy_project(base / "project")
    items = [rss_item(g, f"Paper {n} on large language models") for n, g in
             enumerate(HOSTILE_GUIDS)]  # fmt: skip
    items.append(rss_item("oai:arXiv.org:hep-th/9901001v2", "Old-style large language models"))
    with FixtureArxiv(download=DAY) as arxiv, environment(arxiv.env()):
        arxiv.faults.append(Fault(200, feed_with(items), path_prefix="/rss/"))
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert main(["--root", str(root), "run"]) == 0  # the build included
    yield base, root, err.getvalue()
    shutil.rmtree(base, ignore_errors=True)


def test_hostile_guids_are_skipped_by_name_and_write_nothing_outside(
    hostile_run: tuple[Path, Path, str], tmp_path: Path
) -> None:
    base, root, _ = hostile_run
    reference = copy_project(tmp_path / "reference")
    # The theme and the configuration are as copied; the run wrote only its outputs.
    assert files_under(root / "overrides") == files_under(reference / "overrides")
    for name in ("digest.yml", "mkdocs.yml"):
        assert (root / name).read_bytes() == (reference / name).read_bytes()
    outputs = {"data", "content", "site", ".cache", ".arxiv-digest.lock"}
    assert [p.name for p in base.iterdir()] == ["project"], "written beside the project"
    for path in root.iterdir():
        assert path.name in outputs or (reference / path.name).exists(), f"unexpected {path}"
    assert not Path("/tmp/escaped").exists() and not Path("/tmp/absolute").exists()
    stored = records(root)
    assert all(is_arxiv_id(i) for i in stored)
    assert len(stored) == 697 + 1


def test_each_skipped_item_is_named_in_one_warning(hostile_run: tuple[Path, Path, str]) -> None:
    _, _, err = hostile_run
    skipped = [line for line in err.splitlines() if "feed item skipped" in line]
    assert len(skipped) == len(HOSTILE_GUIDS)
    assert all("is not an arXiv identifier" in line for line in skipped)
    assert all(len(line) < 300 for line in skipped)


def test_an_old_style_id_stays_a_working_card(hostile_run: tuple[Path, Path, str]) -> None:
    _, root, _ = hostile_run
    assert records(root)["hep-th/9901001"]["version"] == 2
    page = (root / "site" / "2026" / "06" / "19" / "llm" / "index.html").read_text("utf-8")
    assert 'id="hep-th/9901001"' in page
    assert 'href="https://arxiv.org/abs/hep-th/9901001"' in page
    assert "arXiv:hep-th/9901001v2" in page
    assert os.path.isdir(root / "site" / "pagefind")


ESCAPES = ["../escaped.md", "2026/../../escaped.md", "/tmp/escaped-abs.md"]


@pytest.mark.parametrize("path", ESCAPES)
def test_every_writer_refuses_a_path_out_of_its_folder(tmp_path: Path, path: str) -> None:
    content = tmp_path / "project" / "content"
    with pytest.raises(StoreError, match="refused to write"):
        Content(content).add(path, "text")
    with pytest.raises(StoreError, match="refused to write"):
        bundles._write_documents({path.replace(".md", ".html"): "<html></html>"})
    cache = ReplyCache(tmp_path / "project" / "data" / "cache" / "llm")
    cache.put(ReplyCache.key("triage", path, "model", "t1"), {"x": 1})  # the name is cleaned
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.is_relative_to(cache.folder) for p in written), written
    assert not Path("/tmp/escaped-abs.md").exists()


# -- a stored day run again ----------------------------------------------------------


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project that published 2026-06-18 and 2026-06-19 with the loopback LLM."""
    base = tmp_path_factory.mktemp("translated")
    with FakeLLM() as llm:
        root = run_days(copy_project(base / "project"), "2026-06-18", DAY, env=llm.env())
    yield root
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def project(translated: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(translated, tmp_path / "project"))


def stored_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted((root / "data").rglob("*.jsonl"))
        if "cache" not in p.parts
    }


def run_with_feed(root: Path, feed: bytes, *extra: str, llm: bool = False) -> int:
    with FixtureArxiv(download=DAY) as arxiv, contextlib.ExitStack() as stack:
        env = dict(arxiv.env())
        if llm:
            env.update(stack.enter_context(FakeLLM()).env())
        stack.enter_context(environment(env))
        arxiv.faults.append(Fault(200, feed, path_prefix="/rss/"))
        return main(["--root", str(root), "run", "--no-build", *extra])


@pytest.mark.parametrize("categories", [["cs.AI", "cs.LG"], ["cs.CV"], ["cs.CL", "cs.AI", "cs.CV"]])
def test_a_rerun_with_a_smaller_feed_keeps_every_stored_paper(
    project: Path, categories: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = records(project)
    assert sum(r["llm"]["status"] == "done" for r in before.values()) > 600
    files = stored_files(project)
    feed = combined_feed(DAY, categories)
    assert run_with_feed(project, feed) == 0  # without an LLM this time
    assert stored_files(project) == files  # every record byte for byte
    err = capsys.readouterr().err
    lacking = len(before) - feed.count(b"<item>")
    assert f"{lacking} stored papers this listing lacks were kept" in err


def test_a_newer_version_replaces_the_stored_one_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = records(project)
    feed = combined_feed(DAY, CATEGORIES)
    arxiv_id = "2606.19348"
    version = before[arxiv_id]["version"]
    guid = f"oai:arXiv.org:{arxiv_id}v{version}".encode()
    assert guid in feed
    feed = feed.replace(guid, f"oai:arXiv.org:{arxiv_id}v{version + 1}".encode())
    assert run_with_feed(project, feed) == 0
    after = records(project)
    assert after[arxiv_id]["version"] == version + 1
    assert {i: r for i, r in after.items() if i != arxiv_id} == {
        i: r for i, r in before.items() if i != arxiv_id
    }
    assert "1 papers replaced by their newer version" in capsys.readouterr().err


def test_an_older_version_never_replaces_a_newer_one(project: Path) -> None:
    before = stored_files(project)
    feed = combined_feed(DAY, CATEGORIES)
    newest = max(records(project).values(), key=lambda r: r["version"])
    assert newest["version"] > 1
    guid = f"oai:arXiv.org:{newest['id']}v{newest['version']}"
    feed = feed.replace(guid.encode(), f"oai:arXiv.org:{newest['id']}v1".encode())
    assert run_with_feed(project, feed) == 0
    assert stored_files(project) == before


def _redated(feed: bytes, stamp: str) -> bytes:
    head, rest = feed.split(b"<item>", 1)
    head = re.sub(rb"<pubDate>[^<]*</pubDate>", f"<pubDate>{stamp}</pubDate>".encode(), head)
    return head + b"<item>" + rest


@pytest.mark.parametrize(
    "stamp",
    [
        "Thu, 18 Jun 2026 20:00:00 -0400",  # another day's date on this day's papers
        "Thu, 18 Jun 2026 23:30:00 -0400",
        "Fri, 19 Jun 2026 01:00:00 +0000",  # 21:00 on the 18th in New York
    ],
)
def test_a_feed_dated_as_a_stored_day_with_other_papers_is_refused(
    project: Path, stamp: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = stored_files(project)
    feed = _redated(combined_feed(DAY, CATEGORIES), stamp)
    assert run_with_feed(project, feed, llm=True) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("arxiv-digest: error: the feed dated 2026-06-18 lists 697 papers")
    assert "nothing was changed" in last
    assert stored_files(project) == before


@pytest.mark.parametrize(
    "stamp", ["Fri, 19 Jun 2026 00:00:00", "Fri, 19 Jun 2026 00:00:00 -0000", "19 Jun 2026 23:59"]
)
def test_a_feed_date_without_a_zone_is_read_in_us_eastern(
    tmp_path: Path, stamp: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path / "project")
    assert run_with_feed(root, _redated(combined_feed(DAY, CATEGORIES), stamp)) == 0
    assert [p.name for p in (root / "data" / "2026").glob("*.jsonl")] == [f"{DAY}.jsonl"]


@pytest.mark.parametrize(
    "stamp", ["Mon, 19 Jun 2034 00:00:00 -0400", "Fri, 31 Dec 9999 00:00:00 +0000"]
)
def test_a_feed_dated_after_the_next_announcement_is_refused(
    project: Path, stamp: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {**stored_files(project), **files_under(project / "content")}
    assert run_with_feed(project, _redated(combined_feed(DAY, CATEGORIES), stamp)) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "after arXiv's next announcement" in last and "nothing was changed" in last
    assert {**stored_files(project), **files_under(project / "content")} == before


def test_the_next_announcement_is_the_next_weekday_in_new_york() -> None:
    eastern = ZoneInfo("America/New_York")
    friday_night = dt.datetime(2026, 6, 19, 23, 0, tzinfo=eastern)
    assert schedule.latest_feed_day(friday_night) == dt.date(2026, 6, 22)
    # 02:00 UTC on Tuesday is still Monday evening in New York.
    assert schedule.latest_feed_day(dt.datetime(2026, 6, 23, 2, 0, tzinfo=dt.UTC)) == dt.date(
        2026, 6, 23
    )


def test_backfill_force_over_a_stored_day_merges_and_keeps_its_cross_lists(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = records(project)
    with FixtureArxiv(download=DAY) as arxiv, environment(arxiv.env()):
        args = ["backfill", "--from", DAY, "--to", DAY, "--force", "--no-build"]
        assert main(["--root", str(project), *args]) == 0
    after = records(project)
    assert set(after) == set(before)
    assert sum(r["announce_type"] != "new" for r in after.values()) > 100  # cross-lists kept
    translated = [i for i, r in before.items() if r["abstract_zh"]]
    assert translated and all(
        after[i]["abstract_zh"] == before[i]["abstract_zh"] for i in translated
    )
    assert "stored papers this listing lacks were kept" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("first", "last"), [("2026-06-20", "2026-06-21"), ("2026-12-26", "2026-12-28")]
)
def test_a_backfill_of_days_without_announcements_says_so(
    tmp_path: Path, first: str, last: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path / "project")
    assert main(["--root", str(root), "backfill", "--from", first, "--to", last]) == 0
    assert f"No announcement day from {first} to {last}" in capsys.readouterr().err
    assert not (root / "data").exists()


# -- digest.yml edited after months of archive ------------------------------------------


def edit_config(root: Path, old: str, new: str, count: int = 1) -> None:
    path = root / "digest.yml"
    text = path.read_text("utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), "utf-8")


EDITS = {
    "sub-topic renamed": ("        slug: pretraining\n", "        slug: pre-training\n"),
    "sub-topic renamed (the fallback)": ("        slug: other\n", "        slug: misc\n"),
    "topic renamed": ("    slug: llm\n", "    slug: language-models\n"),
    "threshold lowered": ("  threshold: 60", "  threshold: 30"),
    "threshold raised": ("  threshold: 60", "  threshold: 85"),
}


def topic_pages(site: Path) -> Iterator[tuple[Path, str]]:
    for page in sorted(site.glob("2026/06/*/*/index.html")):
        if page.parent.name != "all":  # the day's page of every paper (test_whole_day.py)
            yield page, page.read_text("utf-8")


def cards_shown(html: str) -> list[str]:
    return re.findall(r'<article class="paper[^"]*" id="([^"]+)"', html)


def assert_counts_match_cards(root: Path) -> None:
    site = root / "site"
    pages = list(topic_pages(site))
    assert pages
    for page, html in pages:
        said = re.search(r"今日 <b>(\d+)</b> 篇", html)
        assert said, page
        assert int(said.group(1)) == len(cards_shown(html)), page
        sections = re.findall(r'<h2 id="[^"]+".*?<small>(\d+) 篇</small>', html)
        assert sum(map(int, sections)) == int(said.group(1)), page  # and so do its sections
    # Every search result points at a card its page shows.
    config = load_config(root / "digest.yml")
    days = [Store(root / "data").read_listed(d, config.selection.threshold) for d in
            Store(root / "data").days()]  # fmt: skip
    for document in search_documents(config, days).values():
        link = re.search(r'data-pagefind-meta="link:([^"]+)#([^"]+)"', document)
        assert link, document
        page = site / link.group(1) / "index.html"
        assert link.group(2) in cards_shown(page.read_text("utf-8")), link.group(0)


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


@pytest.mark.parametrize(("old", "new"), EDITS.values(), ids=list(EDITS))
def test_after_a_topic_edit_every_count_matches_the_cards_and_search_finds_them(
    project: Path, old: str, new: str, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_config(project, old, new)
    assert build(project, "build") == 0
    assert_counts_match_cards(project)
    err = capsys.readouterr().err
    if "slug" in old:  # a rename
        assert "no longer has" in err and "arxiv-digest retriage" in err
    assert build(project, "retriage", "--no-build") == 0
    assert build(project, "build") == 0
    assert_counts_match_cards(project)
    assert "no longer has" not in capsys.readouterr().err


def listed_count(root: Path, slug: str) -> int:
    total = 0
    for day in ("2026-06-18", DAY):
        total += sum(
            any(h["topic"] == slug and h["score"] >= 60 for h in r["topics"])
            for r in records(root, day).values()
        )
    return total


def test_a_renamed_topic_gets_its_archive_back_without_an_llm(project: Path) -> None:
    before = listed_count(project, "llm")
    assert before > 20
    translations = {i: (r["title_zh"], r["abstract_zh"], r["llm"]) for i, r in
                    records(project).items()}  # fmt: skip
    edit_config(project, "    slug: llm\n", "    slug: language-models\n")
    assert build(project, "retriage", "--no-build") == 0
    after = listed_count(project, "language-models")
    assert after > before // 2, (before, after)
    page = project / "content" / "2026" / "06" / "19" / "language-models.md"
    assert page.is_file() and cards_in_markdown(page)
    # What the LLM wrote stays.
    kept = records(project)
    assert {i: (r["title_zh"], r["abstract_zh"], r["llm"]) for i, r in kept.items()} == translations
    assert not any(h["topic"] == "llm" for r in kept.values() for h in r["topics"])


def cards_in_markdown(page: Path) -> list[str]:
    return re.findall(r'<article class="paper[^"]*" id="([^"]+)"', page.read_text("utf-8"))


def test_a_renamed_sub_topic_keeps_the_llm_score_and_takes_a_new_section(
    project: Path,
) -> None:
    before = {
        i: h for i, r in records(project).items() for h in r["topics"]
        if h["topic"] == "llm" and h["subtopic"] == "pretraining"
    }  # fmt: skip
    assert before
    edit_config(project, "        slug: pretraining\n", "        slug: pre-training\n")
    assert build(project, "retriage", "--no-build") == 0
    after = records(project)
    for arxiv_id, hit in before.items():
        new = next(h for h in after[arxiv_id]["topics"] if h["topic"] == "llm")
        assert new["score"] == hit["score"] and new["reason"] == hit["reason"]
        assert new["subtopic"] != "pretraining"


def test_after_lowering_the_threshold_enrich_completes_the_newly_listed_papers(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_config(project, "  threshold: 60", "  threshold: 30")
    assert build(project, "build") == 0
    err = capsys.readouterr().err
    lacking = int(re.search(r"(\d+) listed papers lack a translated abstract", err).group(1))
    assert lacking > 20
    page = (project / "content" / "2026" / "06" / "19" / "llm.md").read_text("utf-8")
    assert "篇摘要待补全" in page
    with FakeLLM() as llm, FixtureArxiv(download=DAY) as arxiv:
        with environment({**arxiv.env(), **llm.env()}):
            assert build(project, "enrich", "--no-build") == 0
        asked = [r for r in llm.requests if r["stage"] == "detail"]
    assert 0 < len(asked) <= lacking
    for day in ("2026-06-18", DAY):
        for record in records(project, day).values():
            if (
                any(h["score"] >= 30 for h in record["topics"])
                and record["llm"]["status"] == "done"
            ):
                assert record["abstract_zh"], record["id"]
    assert "篇摘要待补全" not in (project / "content/2026/06/19/llm.md").read_text("utf-8")


def test_a_detail_reply_never_cuts_arxivs_own_affiliations() -> None:
    own = [f"University Number {n}" for n in range(50)]
    named = ["University Number 3 (第三大学)", "University Number 7"]
    merged = with_arxivs_own(named, own)
    assert merged[:2] == named and len(merged) == 50
    assert "University Number 3" not in merged  # named once, with its gloss
    assert with_arxivs_own(named, [*named, "Other Lab"]) == [*named, "Other Lab"]  # a re-run
    assert with_arxivs_own(named, None) == named


# -- the words on the page ----------------------------------------------------------


def day_notice(root: Path) -> str:
    page = (root / "content" / "2026" / "06" / "19" / "index.md").read_text("utf-8")
    found = re.search(r'<span class="notice">([^<]+)</span>', page)
    assert found, "the day says its papers are untranslated"
    return found.group(1)


def test_without_an_llm_the_day_says_so(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    with FixtureArxiv(download=DAY) as arxiv, environment(arxiv.env()):
        assert main(["--root", str(root), "run", "--no-build"]) == 0
    assert "未配置 LLM" in day_notice(root)


def test_an_llm_that_fails_every_paper_is_not_called_missing(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    down = {"OPENAI_API_KEY": "sk-test-0123456789", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    with FixtureArxiv(download=DAY) as arxiv, environment({**arxiv.env(), **down}):
        assert main(["--root", str(root), "run", "--no-build"]) == 0
    notice = day_notice(root)
    assert "未配置" not in notice and "697 篇翻译失败" in notice


def test_a_spent_budget_is_named_as_the_reason(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    edit_config(root, "daily_token_budget: 2000000", "daily_token_budget: 0")
    with FakeLLM() as llm:
        run_days(root, DAY, env=llm.env())
    notice = day_notice(root)
    assert "未配置" not in notice and "额度已用完" in notice


def test_a_forced_redo_that_fails_keeps_every_translation(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = stored_files(project)
    down = {"OPENAI_API_KEY": "sk-test-0123456789", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    with FixtureArxiv(download=DAY) as arxiv, environment({**arxiv.env(), **down}):
        assert main(["--root", str(project), "enrich", "--force", "--no-build"]) == 0
    assert stored_files(project) == before
    assert "kept their earlier translation" in capsys.readouterr().err
