"""Week and month pages (render/period_pages.py), the weekly feeds and the OPML list of
every feed (issue 19, items 2 and 5): rendered from days made here, and through the
real build (`arxiv-digest build`) of a project's stored days."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from conftest import REPO
from fixture_site import translated_llm_paper
from test_build_cache import real_papers, store_day

from generator.cli import main
from generator.config import Config, load_config
from generator.models import Day, Paper, TopicHit
from generator.periods import Period
from generator.render import render_site
from generator.site import build_site

THEME = REPO / "overrides"
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<script>alert("w")</script> <img src=x onerror=alert(1)> {{ x }} *a* & b'


def paper(arxiv_id: str, score: int, version: int = 1, **fields: object) -> Paper:
    """A translated cs.CL paper listed under the LLM topic with `score`."""
    fields.setdefault("title", f"Paper {arxiv_id}")
    fields.setdefault("authors", ["Ada", "Bo"])
    fields.setdefault("abstract", "An abstract.")
    made = translated_llm_paper(arxiv_id, score, "测试", **fields)
    made.version = version
    return made


def days_of(*listed: tuple[str, list[Paper]]) -> list[Day]:
    return [Day(dt.date.fromisoformat(date), papers) for date, papers in listed]


def render(tmp_path: Path, days: list[Day], config: Config | None = None) -> dict[str, str]:
    """Every file render_site writes, by its path under content/."""
    content = tmp_path / "content"
    config = config or load_config(REPO / "digest.yml")
    render_site(config, days, content, "https://example.org/digest/", overrides=THEME)
    return {
        p.relative_to(content).as_posix(): p.read_text(encoding="utf-8")
        for p in content.rglob("*")
        if p.is_file() and p.suffix != ".gz"
    }


def rows(page: str) -> list[tuple[str, int, str]]:
    """(id, score, card href) of each row of a week or month page, in order."""
    found = re.findall(
        r'<li id="([^"]+)" data-date="[^"]+"><span class="score"[^>]*><b>(\d+)</b></span> '
        r'<a href="([^"]+)">',
        page,
    )
    return [(arxiv_id, int(score), href) for arxiv_id, score, href in found]


def config_with(**selection: int) -> Config:
    config = load_config(REPO / "digest.yml")
    return config.model_copy(update={"selection": config.selection.model_copy(update=selection)})


# -- which days a week and a month hold -------------------------------------------------


def test_a_week_across_two_months_lists_both_and_each_month_page_its_own(
    tmp_path: Path,
) -> None:
    dates = ["2026-06-29", "2026-06-30", "2026-07-01", "2026-07-02", "2026-07-03"]
    days = days_of(*((d, [paper(f"2606.0{n}001", 70 + n)]) for n, d in enumerate(dates)))
    pages = render(tmp_path, days)
    week = pages["2026/W27/llm.md"]
    assert [r[0] for r in rows(week)] == [
        "2606.04001",
        "2606.03001",
        "2606.02001",
        "2606.01001",
        "2606.00001",
    ]
    assert rows(week)[-1][2] == "../../06/29/llm/#2606.00001"
    assert [r[0] for r in rows(pages["2026/06/llm.md"])] == ["2606.01001", "2606.00001"]
    assert [r[2] for r in rows(pages["2026/07/llm.md"])][-1] == "../01/llm/#2606.02001"
    # The week names its two months; each month its week; a topic's day page its week.
    assert '<a href="../../06/llm/">6 月</a> · <a href="../../07/llm/">7 月</a>' in week
    assert '本月各周:<a href="../../W27/llm/">W27</a>' in pages["2026/07/llm.md"]
    assert '<a href="../../../W27/llm/">本周精选</a>' in pages["2026/07/01/llm.md"]
    assert "5 个公告日" in week and "<b>2026-06-29</b> 至 <b>2026-07-03</b>" in week


@pytest.mark.parametrize(
    ("date", "folder"),
    [
        ("2025-12-31", "2026/W01"),  # a Wednesday of 2026's first ISO week
        ("2024-12-30", "2025/W01"),
        ("2027-01-01", "2026/W53"),  # a Friday of 2026's 53rd week
        ("2021-01-03", "2020/W53"),  # a Sunday
        ("2026-06-19", "2026/W25"),
    ],
)
def test_a_week_is_named_by_its_iso_year(date: str, folder: str) -> None:
    day = dt.date.fromisoformat(date)
    week = Period.week_of(day)
    assert week.folder == folder and day in week
    assert week.start.weekday() == 0 and (week.end - week.start).days == 6
    assert Period.month_of(day).folder == f"{day:%Y/%m}"


def test_weeks_and_months_link_to_their_neighbours_across_a_year(tmp_path: Path) -> None:
    days = days_of(
        ("2025-11-28", [paper("2511.00001", 80)]),
        ("2025-12-24", [paper("2512.00001", 80)]),
        ("2025-12-31", [paper("2512.00002", 80)]),
        ("2026-01-05", [paper("2601.00001", 80)]),
    )
    pages = render(tmp_path, days)
    first = pages["2026/W01/llm.md"]
    assert '<a href="../../../2025/W52/llm/">← 2025 年第 52 周</a>' in first
    assert '<a href="../../W02/llm/">2026 年第 2 周 →</a>' in first
    assert '所在月份:<a href="../../../2025/12/llm/">12 月</a>' in first
    december = pages["2025/12/llm.md"]
    assert '<a href="../../11/llm/">← 2025 年 11 月</a>' in december
    assert '<a href="../../../2026/01/llm/">2026 年 1 月 →</a>' in december
    assert '<a href="../../../2026/W01/llm/">W01</a>' in december  # the week of its 31st
    assert "←" not in pages["2025/W48/llm.md"] and "→" not in pages["2026/W02/llm.md"]
    # The topic's history lists every week and month by year, a week by its ISO year.
    history = pages["topics/llm.md"]
    periods = history[history.index("{#periods}") :]
    assert re.findall(r"<b>(\d{4})</b>", periods) == ["2026", "2025"]
    assert periods.index('"../../2026/W01/llm/"') < periods.index("<b>2025</b>")
    assert periods.index('"../../2025/11/llm/"') > periods.index("<b>2025</b>")


# -- which papers, in which order ------------------------------------------------------


def test_a_paper_listed_on_several_days_is_one_row_its_newest_version_and_best_score(
    tmp_path: Path,
) -> None:
    days = days_of(
        ("2026-06-15", [paper("2606.00001", 90, title="First version"), paper("2606.00002", 60)]),
        ("2026-06-16", [paper("2606.00002", 75)]),  # the same version, listed again
        ("2026-06-18", [paper("2606.00001", 65, version=2, title="Second version")]),
    )
    pages = render(tmp_path, days)
    for path, card in (("2026/W25/llm.md", "../../06/"), ("2026/06/llm.md", "../")):
        listed = rows(pages[path])
        assert listed == [
            ("2606.00001", 90, f"{card}18/llm/#2606.00001"),  # v2, on its day, at v1's score
            ("2606.00002", 75, f"{card}16/llm/#2606.00002"),
        ]
        page = pages[path]
        assert "Second version" in page and "First version" not in page
        assert "arXiv:2606.00001v2" in page and "2606.00001v1" not in page
        assert "共 <b>2</b> 篇" in page
        assert 'data-date="2026-06-18"' in page


def test_rows_are_ranked_by_score_and_capped_as_digest_yml_says(tmp_path: Path) -> None:
    scores = [61, 99, 75, 88, 70, 93]
    dates = ["2026-06-01", "2026-06-02", "2026-06-08", "2026-06-09", "2026-06-10", "2026-06-11"]
    days = days_of(
        *(
            (d, [paper(f"2606.0000{n}", s)])
            for n, (d, s) in enumerate(zip(dates, scores, strict=True))
        )
    )
    pages = render(tmp_path, days, config_with(best_of_week=2, best_of_month=4))
    week = pages["2026/W24/llm.md"]  # June 8 to 11
    assert [score for _, score, _ in rows(week)] == [93, 88]
    assert "本周共 <b>4</b> 篇,按评分列出前 2 篇" in week
    month = pages["2026/06/llm.md"]
    assert [score for _, score, _ in rows(month)] == [99, 93, 88, 75]
    assert "本月共 <b>6</b> 篇,按评分列出前 4 篇" in month
    assert rows(pages["2026/W23/llm.md"]) == [
        ("2606.00001", 99, "../../06/02/llm/#2606.00001"),
        ("2606.00000", 61, "../../06/01/llm/#2606.00000"),
    ]
    # A topic that lists nothing that week still has its page, and says so.
    assert "本周本专题没有论文。" in pages["2026/W24/agents.md"]


def test_a_row_carries_the_sub_topic_summary_authors_day_and_arxiv_link(tmp_path: Path) -> None:
    listed = paper(
        "2606.00001",
        88,
        title="English title",
        title_zh="中文标题",
        tldr="一句话总结。",
        authors=["A One", "B Two", "C Three", "D Four", "E Five"],
    )
    listed.topics = [TopicHit("llm", "post-training", 88, "理由")]
    pages = render(tmp_path, days_of(("2026-06-19", [listed])))
    row = pages["2026/W25/llm.md"].split('<li id="2606.00001"')[1].split("</li>")[0]
    assert (
        '<span class="l-zh">中文标题</span><span class="en" lang="en">English title</span>' in row
    )
    assert "<small>后训练 · 2026-06-19 · A One, B Two, C Three 等 5 人 · " in row
    assert '<a href="https://arxiv.org/abs/2606.00001">arXiv:2606.00001v1</a>' in row
    assert "<p>一句话总结。</p>" in row
    assert "abstract" not in row.lower() and "An abstract." not in row  # no abstract, no card


def test_hostile_text_is_escaped_on_week_pages_and_in_weekly_feeds(project: Path) -> None:
    hostile = paper(
        "2606.99999",
        99,
        title=HOSTILE,
        title_zh=f"标题 {HOSTILE}",
        tldr=f"总结 {HOSTILE}",
        authors=['Eve <b onmouseover="x">Mallory</b>', "Bob & Alice"],
    )
    config = load_config(project / "digest.yml")
    days = days_of(("2026-06-19", [hostile]))
    render_site(config, days, project / "content", "https://example.org/digest/")
    site = build_site(project)
    for path in ("2026/W25/llm", "2026/06/llm"):
        html = (site / path / "index.html").read_text(encoding="utf-8")
        listed = html[
            html.index('<ol class="period-rows"') : html.index("</ol>", html.index("period-rows"))
        ]
        assert "<script" not in listed and "<img" not in listed and "<b " not in listed
        assert "<em>" not in listed  # Markdown never read the rows
        assert "&lt;script&gt;alert(&quot;w&quot;)&lt;/script&gt;" in listed.replace(
            "&#34;", "&quot;"
        )
        assert "Bob &amp; Alice" in listed and "{{ x }} *a*" in listed
    feed = (site / "feeds/weekly/llm.xml").read_text(encoding="utf-8")
    content = ET.fromstring(feed).find(f"{ATOM}entry/{ATOM}content")
    assert content is not None and content.get("type") == "html"
    html = content.text or ""  # the HTML a feed reader shows, once unescaped from XML
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&amp; b" in html


# -- the weekly feeds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("newest", "weeks"),
    [
        ("2026-06-19", ["2026/W25", "2026/W24", "2026/W23", "2026/W22"]),  # a Friday
        ("2026-06-17", ["2026/W24", "2026/W23", "2026/W22", "2026/W21"]),  # a Wednesday
    ],
)
def test_the_weekly_feed_holds_the_newest_finished_weeks(
    tmp_path: Path, newest: str, weeks: list[str]
) -> None:
    mondays = [dt.date(2026, 5, 11) + dt.timedelta(weeks=n) for n in range(6)]  # W20 to W25
    dates = [d for d in mondays if d.isoformat() < newest] + [dt.date.fromisoformat(newest)]
    days = [Day(d, [paper(f"2606.{n:05d}", 60 + n)]) for n, d in enumerate(dates)]
    pages = render(tmp_path, days)
    text = pages["feeds/weekly/llm.xml"]
    parsed = feedparser.parse(text.encode())
    assert not parsed.bozo and parsed.version == "atom10"
    root = ET.fromstring(text)
    entries = root.findall(f"{ATOM}entry")
    links = [link.get("href") for e in entries for link in e.iter(f"{ATOM}link")]
    assert links == [f"https://example.org/digest/{week}/llm/" for week in weeks]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    assert root.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == "https://example.org/digest/feeds/weekly/llm.xml"
    # Each entry's content lists the week's papers, linked to their cards.
    newest_week = unescape(entries[0].findtext(f"{ATOM}content") or "")
    assert re.search(
        r'<a href="https://example\.org/digest/2026/06/\d\d/llm/#2606\.\d{5}">', newest_week
    )
    # The topic pages link their weekly feed in <head> and in the page.
    assert "feed: feeds/weekly/llm.xml" in pages["2026/W25/llm.md"]
    assert 'href="../../feeds/weekly/llm.xml">订阅周报</a>' in pages["topics/llm.md"]


# -- through the real build: the OPML file, the sitemap, the search ----------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with three stored days, a week across two months among them, built by
    `arxiv-digest build`."""
    from fixture_site import copy_project

    root = copy_project(tmp_path_factory.mktemp("periods") / "project")
    papers = real_papers()
    for number, date in enumerate([dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 7, 3)]):
        store_day(root, date, papers[number * 6 : number * 6 + 12])
    assert main(["--root", str(root), "build"]) == 0
    return root


def test_the_opml_file_lists_every_feed_and_each_is_in_the_site(built: Path) -> None:
    site = built / "site"
    text = (site / "feeds/index.opml").read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert (root.findtext("head/title") or "").strip()
    config = load_config(built / "digest.yml")
    folders = root.findall("body/outline")
    assert [f.get("text") for f in folders] == ["每日", "每周"]
    feeds = [o for folder in folders for o in folder.findall("outline")]
    assert len(feeds) == 1 + 2 * len(config.topics)
    base = "https://example.github.io/arxiv-digest/"  # mkdocs.yml's site_url
    listed = []
    for outline in feeds:
        assert outline.get("type") == "rss" and outline.get("text")
        for attribute in ("xmlUrl", "htmlUrl"):
            url = outline.get(attribute, "")
            assert url.startswith(base), url
            path = urlsplit(url).path.removeprefix(urlsplit(base).path)
            target = site / path / "index.html" if path.endswith("/") or not path else site / path
            assert target.is_file(), url
        listed.append(outline.get("xmlUrl", "").removeprefix(base))
    topics = [t.slug for t in config.topics]
    assert listed == ["feeds/all.xml", *(f"feeds/{s}.xml" for s in topics)] + [
        f"feeds/weekly/{s}.xml" for s in topics
    ]
    for path in listed:  # each a valid Atom feed
        assert not feedparser.parse((site / path).read_bytes()).bozo, path
    index = (site / "topics/index.html").read_text(encoding="utf-8")
    assert 'href="../feeds/index.opml"' in index
    assert 'href="../feeds/weekly/llm.xml"' in index


def test_the_build_links_weeks_and_months_everywhere_and_maps_them(built: Path) -> None:
    site = built / "site"
    week = (site / "2026/W27/llm/index.html").read_text(encoding="utf-8")
    for day in ("06/30", "07/01", "07/03"):
        assert f'href="../../{day}/llm/"' in week  # the week's days, across two months
    feed = 'title="语言大模型 / LLM · 每周 (Atom)" href="../../../feeds/weekly/llm.xml">'
    assert f'<link rel="alternate" type="application/atom+xml" {feed}' in week
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="2026/W27/llm/">W27</a>' in home and 'href="2026/07/llm/">7 月</a>' in home
    archive = (site / "archive/index.html").read_text(encoding="utf-8")
    assert archive.count('href="../2026/W27/llm/"') == 2  # under June and under July
    assert 'href="../2026/06/llm/"' in archive
    history = (site / "topics/llm/index.html").read_text(encoding="utf-8")
    assert 'href="../../2026/W27/llm/"' in history and 'href="../../2026/06/llm/"' in history
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("2026/W27/llm/", "2026/06/llm/", "2026/07/agents/"):
        assert f"arxiv-digest/{path}<" in sitemap, path
    # Search indexes papers, once each: no week or month page is a search document.
    fragments = [gzip.decompress(f.read_bytes()) for f in (site / "pagefind").rglob("fragment/*")]
    assert fragments and all(b'"url":"/2026/0' in f for f in fragments)
    assert not any(b"/W27/" in f or b"/07/llm/" in f for f in fragments)
