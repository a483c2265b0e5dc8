"""The whole-day page (render/whole_day.py) and the filters (digest/filters.js) on it
and on topic pages: rendered from real feeds, then used in Chromium on the fixture site."""

from __future__ import annotations

import datetime as dt
import os
import re
from html import unescape
from pathlib import Path

from browser_site import PREFIX, open_tab, set_language
from conftest import REPO, rss_bytes
from fixture_site import HOSTILE_ID, HOSTILE_TITLE, hostile_paper
from markupsafe import escape
from playwright.sync_api import Browser, BrowserContext, Locator, expect

from generator.config import load_config
from generator.models import Day, TopicHit
from generator.render import render_site
from generator.render.urls import source_path, whole_day_url
from generator.sources.rss import parse_feed

DATE = dt.date(2026, 6, 19)
PAGE = "2026/06/19/all/"
SCREENSHOTS = Path(os.environ.get("DIGEST_TEST_OUTPUT", REPO / "test-output")) / "screenshots"
ROW = re.compile(r'<li><a href="([^"]+)"><code>([^<]+)</code>')


def rendered_day(project: Path) -> tuple[Day, str]:
    config = load_config(project / "digest.yml")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers
    papers[0].topics = [TopicHit("llm", "other", 95, "listed")]  # one listed, the rest not
    day = Day(DATE, [*papers, hostile_paper()])
    render_site(config, [day], project / "content", None)
    return day, (project / "content" / source_path(whole_day_url(DATE))).read_text("utf-8")


def test_the_whole_day_lists_every_paper_once(project: Path) -> None:
    assert source_path(whole_day_url(DATE)) == "2026/06/19/all.md"
    day, page = rendered_day(project)
    ids = [row[1] for row in ROW.findall(page)]
    assert sorted(ids) == sorted(p.id for p in day.papers)
    assert len(ids) == len(set(ids)) > 100
    assert f"共 <b>{len(day.papers)}</b> 篇" in page


def test_rows_link_to_their_card_or_to_arxiv(project: Path) -> None:
    day, page = rendered_day(project)
    links = {arxiv_id: href for href, arxiv_id in ROW.findall(page)}
    assert links[day.papers[0].id] == f"../llm/#{day.papers[0].id}"
    assert links[HOSTILE_ID] == f"../llm/#{HOSTILE_ID}"
    unlisted = day.papers[1].id
    assert links[unlisted] == f"https://arxiv.org/abs/{unlisted}"
    overview = (project / "content/2026/06/19/index.md").read_text("utf-8")
    assert '<a href="all/" title="列出本日全部论文">共 <b>' in overview
    topic = (project / "content/2026/06/19/llm.md").read_text("utf-8")
    assert '<a href="../all/">全部论文</a>' in topic


def test_hostile_text_is_escaped_in_the_rows(project: Path) -> None:
    _, page = rendered_day(project)
    row = next(line for line in page.splitlines() if HOSTILE_ID in line and "<li>" in line)
    assert "<script" not in row and "<img" not in row
    assert unescape(re.sub(r"<[^>]+>", "", row)).count(HOSTILE_TITLE) == 1


def test_a_row_is_terse_its_announce_type_said_once_by_its_section(project: Path) -> None:
    day, page = rendered_day(project)
    untranslated = day.papers[1]  # the feed's text: no Chinese title, no topic
    row = next(line for line in page.splitlines() if f"<code>{untranslated.id}</code>" in line)
    assert row == (
        f'<li><a href="https://arxiv.org/abs/{untranslated.id}"><code>{untranslated.id}</code> '
        f"<small>{' '.join(untranslated.categories)}</small> "
        f'<i lang="en">{escape(untranslated.title)}</i></a></li>'
    )
    rows = "".join(re.findall(r"<li>.*</li>", page))
    assert "新提交" not in rows and "交叉列表" not in rows  # their sections' headings say it
    assert "## 新提交 <small>" in page


# -- in the browser -----------------------------------------------------------------


def visible_rows(tab_page: object) -> int:
    return tab_page.locator(".paper-rows > li:visible").count()  # type: ignore[attr-defined]


def test_a_row_opens_its_card(context: BrowserContext) -> None:
    tab = open_tab(context)
    tab.goto(PAGE)
    row = tab.page.locator(".paper-rows > li:has(a[aria-expanded])").first
    row.locator("a").first.click()
    card = row.locator("article.paper")
    expect(card).to_be_visible()
    expect(row.locator("a").first).to_have_attribute("aria-expanded", "true")
    assert tab.page.url.endswith(PAGE)  # opened in place, not followed
    unlisted = tab.page.locator(".paper-rows > li > a:not([aria-expanded])").first
    assert unlisted.get_attribute("href", timeout=1000).startswith("https://arxiv.org/abs/")
    tab.clean()


def test_a_card_opened_in_place_is_kept_as_a_favorite_of_its_topic_page(
    context: BrowserContext,
) -> None:
    tab = open_tab(context)
    tab.goto(PAGE)
    row = tab.page.locator(".paper-rows > li:has(a[aria-expanded])").first
    path = row.locator("a").first.evaluate("a => new URL(a.href).pathname")
    topic_page = path.removeprefix(PREFIX)  # where the row leads without JavaScript
    row.locator("a").first.click()
    opened = row.locator("article.paper")
    opened.locator(".paper-star").click()
    arxiv_id = opened.get_attribute("id")
    kept = tab.page.evaluate("JSON.parse(localStorage.getItem('digest.favorites'))")
    assert [f["link"] for f in kept] == [f"{topic_page}#{arxiv_id}"]
    tab.goto("favorites/")
    tab.page.locator(".favorite__link").click()
    tab.page.wait_for_url(f"**/{topic_page}#{arxiv_id}")
    tab.clean()


def test_the_filters_speak_english_in_english_mode(context: BrowserContext) -> None:
    tab = open_tab(context)
    tab.goto(PAGE)
    set_language(tab.page, "en")
    form = tab.page.locator(".digest-filters")
    shown = form.inner_text()
    for label in ("Category", "Type", "Min score", "Text", "Clear filters", "shown"):
        assert label in shown, label
    assert not re.search(r"[\u4e00-\u9fff]", shown.replace("全部", "")), shown
    tab.clean()


def test_filters_narrow_rows_and_live_in_the_url(
    context: BrowserContext, browser: Browser, site_url: str
) -> None:
    tab = open_tab(context)
    tab.goto(PAGE)
    page = tab.page
    total = visible_rows(page)
    expect(page.locator(".digest-filters__count")).to_have_text(
        f"显示 {total} / {total} 篇", use_inner_text=True
    )
    page.get_by_label("版本更新").uncheck()
    page.get_by_label("替换交叉").uncheck()
    no_replaced = visible_rows(page)
    assert 0 < no_replaced < total
    assert page.locator(".paper-rows[data-announce^=replace] > li:visible").count() == 0
    page.get_by_label("分类").select_option("cs.CV")
    by_cat = visible_rows(page)
    assert 0 < by_cat < no_replaced
    cats = page.locator(".paper-rows > li:visible small").all_text_contents()
    assert all("cs.CV" in c.split() for c in cats)
    page.get_by_label("最低分").fill("20")
    scores = [int(s) for s in page.locator(".paper-rows > li:visible .t b").all_text_contents()]
    assert scores and min(scores) >= 20 and len(scores) <= by_cat
    page.get_by_label("分类").select_option("")
    page.get_by_label("最低分").fill("")
    page.get_by_label("文字").fill("diffusion")
    texts = page.locator(".paper-rows > li:visible").all_text_contents()
    assert texts and all("diffusion" in t.lower() for t in texts)
    shown = visible_rows(page)
    assert "q=diffusion" in page.url and "hide=replace%2Creplace-cross" in page.url
    shared = page.url
    page.reload()
    page.wait_for_load_state("networkidle")
    assert visible_rows(page) == shown  # restored from the URL
    expect(page.get_by_label("文字")).to_have_value("diffusion")
    other = browser.new_context(base_url=site_url)  # someone the link was sent to
    friend = open_tab(other)
    friend.goto(shared)
    assert visible_rows(friend.page) == shown
    friend.goto(PAGE)  # no filters remembered there
    assert visible_rows(friend.page) == total
    other.close()
    tab.goto(PAGE)  # remembered here: the URL without state gets the remembered one
    assert visible_rows(page) == shown and "q=diffusion" in page.url
    tab.goto(PAGE + "?min=0")  # a URL's state wins over the remembered one
    assert visible_rows(page) == total
    tab.clean()


def test_filters_narrow_cards_on_a_topic_page(context: BrowserContext) -> None:
    tab = open_tab(context)
    tab.goto("2026/06/19/llm/?min=0")
    page = tab.page
    cards = page.locator("article.paper:visible").count()
    fold = page.locator("details.digest-filters__fold")
    assert fold.get_attribute("open") is None  # folded: the cards come first on a phone
    fold.locator("summary").click()
    page.get_by_label("最低分").fill("90")
    expect(fold.locator("summary")).to_contain_text(f"/ {cards}")
    left = page.locator("article.paper:visible")
    scores = [int(re.findall(r"\d+", s)[-1]) for s in left.locator(".score").all_text_contents()]
    assert 0 < len(scores) < cards and min(scores) >= 90
    expect(page.locator(".digest-filters__count")).to_contain_text(f"/ {cards} 篇")
    page.get_by_label("文字").fill("zzzz-nothing")
    assert page.locator("article.paper:visible").count() == 0
    assert page.locator("h2:visible").count() == 0  # empty sections go with their heading
    page.get_by_role("button", name="清除筛选").click()
    assert page.locator("article.paper:visible").count() == cards
    tab.clean()


def test_a_topic_pages_text_filter_matches_its_abstracts_from_the_day_file(
    context: BrowserContext,
) -> None:
    tab = open_tab(context)
    tab.goto("2026/06/18/llm-safety/?min=0")
    page = tab.page
    words = "persistent failure mode"  # in one English abstract, in no card's own text
    assert page.locator("article.paper", has_text=words).count() == 0
    page.locator("details.digest-filters__fold summary").click()
    page.get_by_label("文字").fill(words)
    expect(page.locator("article.paper:visible")).to_have_count(1)
    expect(page.locator("article.paper:visible")).to_have_id("2604.23130")
    tab.clean()


def test_screenshots_of_the_whole_day_page(browser: Browser, site_url: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport, scheme in (
        ("whole-day-desktop.png", {"width": 1280, "height": 900}, "light"),
        ("whole-day-phone.png", {"width": 390, "height": 844}, "light"),
        ("whole-day-dark.png", {"width": 1280, "height": 900}, "dark"),
    ):
        context = browser.new_context(base_url=site_url, viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]
        tab = open_tab(context)
        tab.goto(PAGE + "?min=0")
        tab.page.locator(".paper-rows > li:has(a[aria-expanded]) > a").first.click()
        expect(tab.page.locator(".row-card article.paper")).to_be_visible()
        tab.page.locator(".digest-filters").scroll_into_view_if_needed()
        tab.page.screenshot(path=str(SCREENSHOTS / name))
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page scrolls sideways ({width} px)"
        tab.clean()
        context.close()


def test_row_titles_follow_the_language_and_a_card_opened_in_a_row_is_a_card(
    context: BrowserContext,
) -> None:
    tab = open_tab(context)
    tab.goto(PAGE + "?min=0")
    ids = tab.page.locator(".paper-rows > li > a:has(> b) code").all_inner_texts()
    rows = [tab.page.locator(f".paper-rows > li > a:has(code:text-is('{i}'))") for i in ids[:2]]
    zh, en = rows[0].locator(":scope > b"), rows[0].locator(":scope > i[lang=en]")
    assert font_size(en) < font_size(zh) and box(en)["y"] > box(zh)["y"]  # under it, smaller
    # Every fixture paper has a Chinese title: one row is made to lack it, as an
    # untranslated paper's row does (its English title alone, in every mode).
    alone = rows[1].locator(":scope > i[lang=en]")
    rows[1].evaluate("a => a.querySelector(':scope > b').remove()")
    set_language(tab.page, "zh")
    expect(en).to_be_hidden()
    expect(alone).to_be_visible()
    set_language(tab.page, "en")
    expect(zh).to_be_hidden()
    expect(en).to_be_visible()
    assert (
        font_size(en) == font_size(alone) > font_size(tab.page.locator(".paper-rows small").first)
    )
    # A card opened in a row keeps its labels in line, as on its topic page.
    listed = tab.page.locator(".paper-rows > li:has(a[aria-expanded])").first
    listed.locator(":scope > a").click()
    label = listed.locator("article.paper .paper-authors b")
    expect(label).to_have_text("Authors", use_inner_text=True)
    english = label.locator("i[lang=en]")
    assert english.evaluate("i => getComputedStyle(i).display") == "inline"
    tab.clean()


def font_size(locator: Locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return dict(found)
