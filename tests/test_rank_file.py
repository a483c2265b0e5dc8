"""The day's ranking file (generator/rank_data.py), which 推荐 ranks in the browser: every
paper of the day with the fields ranking reads, valid ids only, text as it was, the same
bytes from the same papers; rendered from real feed papers, and as the real pipeline
publishes it on the fixture site."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import urllib.request
from pathlib import Path

from conftest import REPO, rss_bytes
from fixture_site import HOSTILE_ID, HOSTILE_TITLE

from generator import record
from generator.config import load_config
from generator.ids import is_arxiv_id
from generator.models import Day, Paper, TopicHit
from generator.rank_data import RANK_FIELDS, RANK_PART, rank_entry, read_rank_file
from generator.render import render_site
from generator.render.selections import select
from generator.render.urls import cards_url
from generator.sources.rss import parse_feed
from generator.topics import triage

THEME = REPO / "overrides"
DAY = dt.date(2026, 6, 19)
ODD_TITLE = 'Quotes " and \\ backslashes, </script> and a line\u2028separator'


def whole_day() -> Day:
    """Every cs.CL paper of 2026-06-19 with its keyword topics (some listed, most not),
    and a paper of odd text and 30 authors."""
    config = load_config(REPO / "digest.yml")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers
    record.with_topics(papers, triage(papers, config))
    odd = Paper(
        id="2606.99998",
        version=1,
        title=ODD_TITLE,
        authors=[f"Author {n}" for n in range(30)],
        abstract="An abstract the ranking file leaves out.",
        categories=["cs.CL"],
        primary_category="cs.CL",
        announce_type="cross",
        title_zh='引号 " 与 <b>标签</b>',
        tldr="{{ x }} & <script>",
    )
    odd.topics = [TopicHit("llm", "pretraining", 88, "r"), TopicHit("agents", "tool-use", 61, "r")]
    return Day(DAY, sorted([*papers, odd], key=lambda p: p.id))


def rank_folder(tmp_path: Path, name: str) -> Path:
    config = load_config(REPO / "digest.yml")
    render_site(config, [whole_day()], tmp_path / name, None, overrides=THEME)
    return tmp_path / name / "2026/06/19/cards"


def test_the_ranking_file_holds_every_paper_of_the_day_with_what_ranking_reads(
    tmp_path: Path,
) -> None:
    config = load_config(REPO / "digest.yml")
    day = whole_day()
    content = tmp_path / "content"
    entries = read_rank_file(rank_folder(tmp_path, "content") / f"{RANK_PART}.json.gz")
    assert sorted(entries) == [p.id for p in day.papers] and len(entries) > 100
    assert all(is_arxiv_id(arxiv_id) for arxiv_id in entries)
    threshold = config.selection.threshold
    listed = {s.paper.id for t in config.topics for s in select(day, t, threshold)}
    assert 0 < len(listed) < len(entries)  # listed on a topic page, or not
    for paper in day.papers:
        entry = entries[paper.id]
        assert set(entry) <= set(RANK_FIELDS)
        assert ("page" in entry) == (paper.id in listed)
        best = tuple(entry["best"]) if "best" in entry else None
        assert entry == rank_entry(paper, entry.get("page"), best)
        assert entry["cats"] == paper.categories
        if "page" in entry:  # the card is on the topic page the entry names
            slug = entry["page"].strip("./")
            assert entry["best"][0] == slug  # and its whole-day row names that topic
            page = (content / f"2026/06/19/{slug}.md").read_text(encoding="utf-8")
            assert f'id="{paper.id}"' in page
    odd = entries["2606.99998"]
    assert odd["title"] == ODD_TITLE and odd["title_zh"] == '引号 " 与 <b>标签</b>'
    assert odd["authors"] == ["Author 0", "Author 1", "Author 2", "Author 29"]
    assert odd["topics"] == {"agents/tool-use": 61, "llm/pretraining": 88}
    assert odd["type"] == "cross" and odd["page"] == "../llm/"
    assert odd["best"] == ["llm", 88]
    texts = json.dumps(entries, ensure_ascii=False)
    assert all(p.abstract[:60] not in texts for p in day.papers)  # no abstracts


def test_the_same_papers_give_the_same_bytes(tmp_path: Path) -> None:
    first = (rank_folder(tmp_path, "one") / f"{RANK_PART}.json.gz").read_bytes()
    again = (rank_folder(tmp_path, "two") / f"{RANK_PART}.json.gz").read_bytes()
    assert first == again
    assert first[3] == 0 and first[4:8] == b"\0\0\0\0"  # no file name, no time
    text = gzip.decompress(first).decode("utf-8")
    assert list(json.loads(text)) == list(RANK_FIELDS)  # by field, in their order
    assert "\n" not in text[:-1] and text.endswith("\n")  # one line: escaped, compact


def test_a_day_without_papers_has_no_ranking_file(tmp_path: Path) -> None:
    config = load_config(REPO / "digest.yml")
    render_site(config, [Day(DAY, [])], tmp_path / "content", None, overrides=THEME)
    assert not (tmp_path / "content" / cards_url(DAY, RANK_PART)).exists()


def test_the_published_ranking_file_is_the_whole_day(site_url: str) -> None:
    """As the real pipeline published 2026-06-19 (loopback arXiv and LLM): the papers
    of the whole-day page, each listed one's card where its entry says, the hostile
    paper's title as it was."""
    with urllib.request.urlopen(site_url + cards_url(DAY, RANK_PART)) as response:
        data = response.read()
    entries = {}
    for name, values in json.loads(gzip.decompress(data)).items():
        for arxiv_id, value in values.items():
            entries.setdefault(arxiv_id, {})[name] = value
    with urllib.request.urlopen(site_url + "2026/06/19/all/") as response:
        rows = response.read().decode("utf-8")
    assert sorted(entries) == sorted(re.findall(r"<li><a [^>]*><code>([^<]+)</code>", rows))
    assert len(entries) == 698  # the day's 697 and the hostile paper
    assert entries[HOSTILE_ID]["title"] == HOSTILE_TITLE
    pages = {entry["page"] for entry in entries.values() if "page" in entry}
    assert pages == {"../llm/"}  # the fixture LLM lists the reference's LLM papers
    with urllib.request.urlopen(site_url + "2026/06/19/llm/") as response:
        page = response.read().decode("utf-8")
    cards = set(re.findall(r'<article class="paper[^"]*" id="([^"]+)"', page))
    assert cards == {i for i, entry in entries.items() if "page" in entry}
    print(f"\n2026-06-19's ranking file: {len(entries)} papers, {len(data):,} bytes gzipped")


def test_the_pages_that_rank_name_where_each_days_ranking_file_is(site_url: str) -> None:
    """The day's overview (also the home page), its topic page, all its papers and 推荐
    name the ranking files by one pattern (urls.cards_pattern), which the browser fills
    in for the day it wants (daycards.js rankFileOf): 2026-06-19's is the file served."""
    for page in ("", "2026/06/19/", "2026/06/19/llm/", "2026/06/19/all/", "for-you/"):
        with urllib.request.urlopen(site_url + page) as response:
            html = response.read().decode("utf-8")
        named = re.findall(r'data-rank-files="([^"]*)"', html)
        assert named == ["%Y/%m/%d/cards/rank.json.gz"], page
        filled = named[0].replace("%Y", "2026").replace("%m", "06").replace("%d", "19")
        with urllib.request.urlopen(site_url + filled) as response:
            assert response.read(2) == b"\x1f\x8b"  # the day's gzipped ranking file
