"""An older month's pages (render/days.py full_pages): its whole-day page's rows are not
in the page, and the browser makes them from the day's ranking file (digest/rows.js),
the same rows the newest months' pages carry; its topic pages show each card as a
brief, and the browser puts the whole card from the day file in its place
(digest/wholecards.js), the same card the newest months' pages carry. Rendered from
real feeds with the keyword triage's hits, built with MkDocs, then read in Chromium
with and without JavaScript."""

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

from generator import card_data, record
from generator.config import Config, load_config
from generator.models import Day, Paper
from generator.render import render_site
from generator.render.days import full_pages
from generator.render.urls import source_path, whole_day_url
from generator.site import build_site
from generator.sources.rss import parse_feed
from generator.topics import triage

OLD, NEW = dt.date(2026, 6, 19), dt.date(2026, 10, 1)  # four months apart
OLD_PAGE = "2026/06/19/all/"


def with_full_months(config: Config, months: int) -> Config:
    site = config.site.model_copy(update={"full_pages_months": months})
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
    config = with_full_months(load_config(REPO / "digest.yml"), months)
    assert full_pages(config, date, [date, newest]) is in_page


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
    render_site(with_full_months(config, 12), days(), full, None, overrides=REPO / "overrides")
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
        render_site(with_full_months(config, 12), days(), full, url, overrides=REPO / "overrides")
        yield url, full


@pytest.fixture(scope="module")
def browser(built: tuple[str, Path]) -> Iterator[Browser]:
    with chromium() as browser:  # after the build: see conftest's browser
        yield browser


def opened(browser: Browser, url: str, *, javascript: bool = True, path: str = OLD_PAGE) -> Tab:
    context = browser.new_context(base_url=url, java_script_enabled=javascript)
    tab = open_tab(context)
    tab.goto(path)
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
    # Its cards as briefs, without JS: titles, authors, score, summary and links.
    brief = page.locator("article.paper-light").first
    expect(brief.locator(".paper-title-en")).not_to_be_empty()
    expect(brief.locator(".paper-authors")).not_to_be_empty()
    expect(brief.locator(".score b")).to_have_text(re.compile(r"^\d+$"))
    expect(brief.locator(".paper-tldr")).to_have_text("一句话总结。")
    paper_id = brief.get_attribute("id")
    for link in (f"https://arxiv.org/abs/{paper_id}", f"https://arxiv.org/pdf/{paper_id}v"):
        assert brief.locator(f'a[href^="{link}"]').count() >= 1
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


# -- an older day's cards -------------------------------------------------------------

OLD_TOPIC = "2026/06/19/llm/"
CARD = re.compile(r'<article class="paper[ "].*?</article>', re.S)


def cards_by_id(markdown: str) -> dict[str, str]:
    """The whole cards of a topic page's source, by id, as the page carries them."""
    found = {}
    for card in CARD.findall(markdown):
        (paper_id,) = re.findall(r'\bid="([^"]+)"', card.split(">", 1)[0])
        found[paper_id] = card
    return found


LIGHT = re.compile(
    r'(?s)(?=<article class="paper-brief paper-light[^>]* id="([^"]+)")(<article.*?</article>)'
)


def with_slots_filled(card: str, brief: str) -> str:
    """A day file's card with its brief's heading and summary, as wholecards.js fills it."""
    (heading,) = re.findall(r"(?s)<h3 class=\"paper-title\">.*?</h3>", brief)
    summary = re.findall(r"(?s)<p class=\"paper-tldr\"[^>]*>(.*?)</p>", brief)
    card = card.replace('<h3 class="paper-title" data-slot="title"></h3>', heading)
    return card.replace('<span data-slot="tldr"></span>', summary[0] if summary else "")


def topic_sources(content: Path, date: dt.date) -> dict[str, str]:
    folder = content / f"{date:%Y/%m/%d}"
    return {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.md") if p.stem != "all"}


def test_an_older_days_cards_wait_whole_in_its_day_file(tmp_path: Path) -> None:
    config = load_config(REPO / "digest.yml")
    light, full = tmp_path / "light", tmp_path / "full"
    render_site(config, days(), light, None, overrides=REPO / "overrides")
    render_site(with_full_months(config, 12), days(), full, None, overrides=REPO / "overrides")
    carried: dict[str, str] = {}
    briefs: dict[str, str] = {}
    for topic, source in topic_sources(full, OLD).items():
        carried |= cards_by_id(source)
        shown = topic_sources(light, OLD)[topic]
        assert not cards_by_id(shown)  # no whole card on the older day's page
        # each card's place holds its light brief, in the same order
        lights = dict(LIGHT.findall(shown))
        assert list(lights) == list(cards_by_id(source))
        briefs |= lights
    assert len(carried) > 20
    folder = light / "2026/06/19/cards"
    entries = card_data.read_day_files(folder)
    filed = {i: with_slots_filled(e["card"], briefs[i]) for i, e in entries.items() if "card" in e}
    assert filed == carried
    assert "<script" not in "".join(carried.values())  # the hostile paper, escaped
    # The newer day's pages carry their cards: its day file has no card part.
    assert not (light / f"{NEW:%Y/%m/%d}/cards/card.json.gz").exists()
    assert (light / f"{NEW:%Y/%m/%d}/cards/abstract.json.gz").exists()
    assert cards_by_id("".join(topic_sources(light, NEW).values()))


# The cards of the page, each with its controls as controls.js adds them to a card the
# page carries: `html` (the whole cards of the full render) made into the same nodes.
CARDS_OF = """async (html) => {
  const site = location.href.replace(/\\d{4}\\/\\d\\d\\/\\d\\d\\/.*/, "");
  const controls = await import(site + "assets/javascripts/digest/controls.js");
  const expected = document.createElement("div");
  expected.innerHTML = html;
  controls.addControls(expected);
  const strip = (card) => {  // what favorites.js and visits.js change with the reader
    const copy = card.cloneNode(true);
    copy.classList.remove("is-new");
    copy.querySelectorAll(".paper-star").forEach((star) => {
      star.removeAttribute("title");
      star.textContent = "☆";
      star.setAttribute("aria-pressed", "false");
    });
    return copy.outerHTML;
  };
  return {
    shown: [...document.querySelectorAll(".paper-list > article.paper")].map(strip),
    expected: [...expected.children].map(strip),
  };
}"""


def test_the_browser_puts_the_cards_a_newer_page_carries_in_place(
    browser: Browser, built: tuple[str, Path]
) -> None:
    url, full = built
    tab = opened(browser, url, path=OLD_TOPIC)
    page = tab.page
    expect(page.locator("article.paper-light")).to_have_count(0)
    source = topic_sources(full, OLD)["llm"]
    whole = list(cards_by_id(source).values())
    compared = page.evaluate(CARDS_OF, "\n".join(whole))
    assert len(compared["shown"]) == len(whole) > 10
    assert compared["shown"] == compared["expected"]
    # And it is read as one: an abstract opens, filters count the cards.
    card = page.locator("article.paper").first
    card.locator("details.abstract-en > summary").click()
    expect(card.locator("details.abstract-en > p")).not_to_be_empty()
    total = page.locator(".paper-list > article").count()
    page.locator("details.digest-filters__fold summary").first.click()
    expect(page.locator(".digest-filters__count").first).to_contain_text(f"/ {total} 篇")
    tab.clean()
    page.context.close()


def test_a_link_to_an_older_card_lands_on_the_whole_card(
    browser: Browser, built: tuple[str, Path]
) -> None:
    url, full = built
    last = list(cards_by_id(topic_sources(full, OLD)["llm"]))[-1]
    tab = opened(browser, url, path=f"{OLD_TOPIC}#{last}")  # as a search result links
    card = tab.page.locator(f"article.paper[id='{last}']")
    expect(card.locator(".paper-institutions, .paper-hit").first).to_be_attached()
    expect(card).to_be_in_viewport()
    tab.clean()
    tab.page.context.close()


def test_a_brief_of_an_older_day_opens_the_whole_card(
    browser: Browser, built: tuple[str, Path]
) -> None:
    url, _ = built
    day = OLD_TOPIC.removesuffix("llm/")
    tab = opened(browser, url, path=day + "all/")
    pages = tab.page.eval_on_selector_all(
        ".whole-day-summary ~ * a[href*='/2026/06/19/']", "links => links.map(a => a.href)"
    )
    topics = sorted({re.sub(r".*/2026/06/19/([^/]+)/.*", r"\1", href) for href in pages} - {"llm"})
    for topic in topics:  # the first topic page of the day with a brief of another's card
        tab.goto(f"{day}{topic}/")
        briefs = tab.page.locator("article.paper-brief:not(.paper-light)")
        if briefs.count():
            break
    else:
        pytest.fail("no brief on the older day")
    brief = briefs.first
    brief.locator(".paper-title a").click()
    opened_card = brief.locator(".row-card > article.paper")
    expect(opened_card).to_be_visible()
    expect(opened_card.locator(".paper-links")).to_contain_text("PDF")
    tab.clean()
    tab.page.context.close()


def test_cards_that_cannot_be_fetched_leave_their_briefs_and_say_so(
    browser: Browser, built: tuple[str, Path]
) -> None:
    context = browser.new_context(base_url=built[0])
    context.route("**/cards/card.json.gz", lambda route: route.fulfill(status=503))
    tab = open_tab(context)
    tab.goto(OLD_TOPIC)
    expect(tab.page.locator(".cards-failed")).to_contain_text("未能加载")
    expect(tab.page.locator("article.paper-light").first).to_be_visible()
    assert tab.errors == [] and tab.dialogs == []
    context.close()
