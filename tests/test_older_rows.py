"""An older month's whole-day page (render/whole_day.py rows_in_page): its rows are not
in the page; the browser makes them from the day's ranking file (digest/rows.js), the
same rows the newest months' pages carry. Rendered from real feeds with the keyword
triage's hits, built with MkDocs, then read in Chromium with and without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_site import PREFIX, StaticSite, Tab, chromium, open_tab
from conftest import REPO, rss_bytes
from fixture_site import copy_project, hostile_paper
from playwright.sync_api import Browser, expect

from generator import record
from generator.config import Config, load_config
from generator.models import Day, Paper
from generator.render import render_site
from generator.render.urls import source_path, whole_day_url
from generator.render.whole_day import rows_in_page
from generator.site import build_site
from generator.sources.rss import parse_feed
from generator.topics import triage

OLD, NEW = dt.date(2026, 6, 19), dt.date(2026, 10, 1)  # four months apart
OLD_PAGE = "2026/06/19/all/"


def with_rows_months(config: Config, months: int) -> Config:
    site = config.site.model_copy(update={"whole_day_rows_months": months})
    return config.model_copy(update={"site": site})


# -- the rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("newest", "date", "months", "in_page"),
    [
        (NEW, dt.date(2026, 10, 1), 3, True),  # the newest month
        (NEW, dt.date(2026, 8, 31), 3, True),  # two months back
        (NEW, dt.date(2026, 7, 31), 3, False),  # three months back
        (dt.date(2027, 1, 4), dt.date(2026, 11, 30), 3, True),  # across a year
        (dt.date(2027, 1, 4), dt.date(2026, 10, 30), 3, False),
        (dt.date(2027, 1, 4), dt.date(2025, 12, 30), 20, True),
        (NEW, NEW, 0, False),  # 0: no page carries its rows
    ],
)
def test_the_newest_months_carry_their_rows(
    newest: dt.date, date: dt.date, months: int, in_page: bool
) -> None:
    config = with_rows_months(load_config(REPO / "digest.yml"), months)
    assert rows_in_page(config, date, [date, newest]) is in_page


# -- the pages ----------------------------------------------------------------------


def papers_of(date: dt.date, feed: str, category: str) -> list[Paper]:
    """A real feed's papers with the keyword triage's hits (listed or not), a Chinese
    title on every other one, and the hostile paper."""
    config = load_config(REPO / "digest.yml")
    papers = parse_feed(rss_bytes(feed, category)).papers
    record.with_topics(papers, triage(papers, config))
    for number, paper in enumerate(papers):
        paper.title_zh = f"中文标题 <b>{number}</b> & 引号 \"'" if number % 2 else None
        paper.tldr = "一句话总结。"
    if date != OLD:
        for paper in papers:  # ids of its own month
            paper.id = f"{date:%y%m}.{paper.id.split('.')[1]}"
    return [*papers, hostile_paper()] if date == OLD else papers


def days() -> list[Day]:
    return [
        Day(OLD, papers_of(OLD, "2026-06-19", "cs.CL")),
        Day(NEW, papers_of(NEW, "2026-06-18", "cs.AI")[:20]),
    ]


def whole_day(content: Path, date: dt.date) -> str:
    return (content / source_path(whole_day_url(date))).read_text(encoding="utf-8")


def test_an_older_days_page_keeps_its_headings_and_counts_and_leaves_its_rows(
    tmp_path: Path,
) -> None:
    config = load_config(REPO / "digest.yml")
    content = tmp_path / "content"
    render_site(config, days(), content, None, overrides=REPO / "overrides")
    old, new = whole_day(content, OLD), whole_day(content, NEW)
    assert "<li>" not in old and new.count("<li>") == 20
    assert f'data-rows-of="{OLD}"' in old and "data-rows-of" not in new
    assert "<noscript>" in old and "<noscript>" not in new
    full = tmp_path / "full"
    render_site(with_rows_months(config, 12), days(), full, None, overrides=REPO / "overrides")
    carried = whole_day(full, OLD)
    headings = re.compile(r"^## .*$|^<p>共 .*$", re.M)
    assert headings.findall(old) == headings.findall(carried)  # sections and counts
    assert len(headings.findall(old)) >= 3  # new, cross-lists, replacements


# -- in the browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The site of the two days, served; and the full rows of the older day's page."""
    root = tmp_path_factory.mktemp("older-rows")
    with StaticSite(root / "project/site") as server:
        url = server.origin + PREFIX
        project = copy_project(root / "project", site_url=url)
        config = load_config(project / "digest.yml")
        render_site(config, days(), project / "content", url)
        build_site(project)
        full = root / "full"
        render_site(with_rows_months(config, 12), days(), full, url, overrides=REPO / "overrides")
        yield url, full


@pytest.fixture(scope="module")
def browser(built: tuple[str, Path]) -> Iterator[Browser]:
    with chromium() as browser:  # after the build: see conftest's browser
        yield browser


def opened(browser: Browser, url: str, *, javascript: bool = True) -> Tab:
    context = browser.new_context(base_url=url, java_script_enabled=javascript)
    tab = open_tab(context)
    tab.goto(OLD_PAGE)
    return tab


# Each row as [its list's announce type, its link resolved, the link's inner HTML].
ROWS_OF = """root => [...root.querySelectorAll("ol.paper-rows > li")].map(li => [
  li.parentElement.dataset.announce,
  new URL(li.firstElementChild.getAttribute("href"), location.href).href,
  li.firstElementChild.innerHTML,
])"""


def test_the_browser_makes_the_rows_a_newer_page_carries(
    browser: Browser, built: tuple[str, Path]
) -> None:
    url, full = built
    tab = opened(browser, url)
    source = "\n".join(re.findall(r"<ol class=\"paper-rows\".*?</ol>", whole_day(full, OLD), re.S))
    carried = tab.page.evaluate(
        f"html => ({ROWS_OF})(new DOMParser().parseFromString(html, 'text/html'))", source
    )
    assert len(carried) == len(days()[0].papers) > 100
    assert any("<b>" in html for _, _, html in carried) and any(
        "arxiv.org" in h for _, h, _ in carried
    )
    expect(tab.page.locator("ol.paper-rows > li")).to_have_count(len(carried))
    assert tab.page.evaluate(f"({ROWS_OF})(document)") == carried
    assert "<script" not in tab.page.locator(".md-content").inner_html()  # hostile text
    tab.clean()
    tab.page.context.close()


def test_an_older_days_rows_open_their_cards_and_are_filtered(
    browser: Browser, built: tuple[str, Path]
) -> None:
    tab = opened(browser, built[0])
    page = tab.page
    rows = page.locator(".paper-rows > li")
    total = rows.count()
    expect(page.locator(".digest-filters__count")).to_have_text(
        f"显示 {total} / {total} 篇", use_inner_text=True
    )
    page.get_by_label("文字").fill("language")
    shown = page.locator(".paper-rows > li:visible")
    texts = shown.all_text_contents()
    assert 0 < len(texts) < total and all("language" in t.lower() for t in texts)
    page.get_by_label("文字").fill("")
    row = page.locator(".paper-rows > li:has(a[aria-expanded])").first
    row.locator("a").first.click()
    expect(row.locator("article.paper")).to_be_visible()
    assert page.url.endswith(OLD_PAGE)  # opened in place
    tab.clean()
    page.context.close()


def test_without_javascript_an_older_day_says_where_its_cards_are(
    browser: Browser, built: tuple[str, Path]
) -> None:
    tab = opened(browser, built[0], javascript=False)
    page = tab.page
    assert page.locator(".paper-rows > li").count() == 0
    expect(page.locator("h2").first).to_contain_text("篇")  # its sections and counts
    # Chromium under Playwright shows no <noscript> with scripts off (its parser still
    # takes them as on), so its text is read from the page as served.
    served = page.request.get(OLD_PAGE).text()
    (note,) = re.findall(r"<noscript>(.*?)</noscript>", served, re.S)
    assert "需要 JavaScript" in note
    (overview,) = re.findall(r'<a href="([^"]+)">当日概览</a>', note)
    tab.goto(OLD_PAGE + overview)
    day = OLD_PAGE.removesuffix("all/")
    assert page.url.endswith(day)
    page.locator('.md-content a[href="llm/"]').first.click()  # a topic of the day
    page.wait_for_url(f"**/{day}llm/")
    expect(page.locator("article.paper").first).to_be_visible()  # its cards, without JS
    tab.clean()
    page.context.close()


def test_rows_that_cannot_be_fetched_are_said_so(browser: Browser, built: tuple[str, Path]) -> None:
    context = browser.new_context(base_url=built[0])
    context.route("**/cards/rank.json.gz", lambda route: route.fulfill(status=503))
    tab = open_tab(context)
    tab.goto(OLD_PAGE)
    expect(tab.page.locator(".rows-failed")).to_have_text("论文列表未能加载,请稍后刷新本页。")
    assert tab.errors == [] and tab.dialogs == []
    context.close()
