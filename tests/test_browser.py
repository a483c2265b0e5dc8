"""The built fixture site in a real browser: Playwright driving Debian's Chromium.

The site is served under /arxiv-digest/, as a fork's GitHub Pages site is, with
site_url pointing there so Material's instant navigation is live. Screenshots of a
topic page go to test-output/screenshots/ (or $DIGEST_TEST_OUTPUT/screenshots/).
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from bibtexparser.bparser import BibTexParser
from browser_site import Tab, card, open_tab, set_language
from conftest import REPO
from fixture_site import HOSTILE_ID, OLDER_ID
from playwright.sync_api import Browser, BrowserContext, Response, Route, expect

JAILBREAK = "2604.23130"  # the reference paper of 2026-06-18, 大模型对齐与安全
JAILBREAK_ZH = "从概念对齐的Token到脆弱特征:越狱的机制定位"
SAFETY_PAGE = "2026/06/18/llm-safety/"
LLM_PAGE = "2026/06/19/llm/"
SCREENSHOTS = Path(os.environ.get("DIGEST_TEST_OUTPUT", REPO / "test-output")) / "screenshots"


def parse_bibtex(text: str) -> list[dict[str, str]]:
    parser = BibTexParser(common_strings=False)
    parser.ignore_nonstandard_types = False
    return list(bibtexparser.loads(text, parser=parser).entries)


# -- search ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "opener"), [("越狱", "/"), ("jailbreak", "Control+k"), ("Jailbreaks", "s")]
)
def test_search_finds_the_reference_paper_in_chinese_and_english(
    tab: Tab, query: str, opener: str
) -> None:
    tab.goto("")
    tab.page.keyboard.press(opener)  # the keyboard shortcut opens the header search
    dialog = tab.page.locator("dialog.digest-search")
    expect(dialog).to_be_visible()
    tab.page.locator(".digest-search__input").fill(query)
    result = tab.page.locator(".digest-result", has=tab.page.locator(f'a[href$="#{JAILBREAK}"]'))
    expect(result).to_have_count(1)
    text = result.inner_text()
    assert JAILBREAK_ZH in text
    assert "Mechanistic Localization of Jailbreaks" in text
    assert "2026-06-18" in text and "大模型对齐与安全" in text
    result.locator("a").click()  # to the card itself, by its permalink anchor
    tab.page.wait_for_url(f"**/{SAFETY_PAGE}#{JAILBREAK}")
    expect(dialog).to_be_hidden()
    expect(card(tab.page, JAILBREAK)).to_be_in_viewport()
    tab.clean()


def test_the_header_button_opens_search_and_a_segmented_chinese_query_matches(tab: Tab) -> None:
    tab.goto(LLM_PAGE)
    tab.page.locator(".md-header .digest-search-open").click()
    tab.page.locator(".digest-search__input").fill("越狱攻击")  # 越狱 in a title, 攻击 a section
    expect(tab.page.locator(f'.digest-result a[href$="#{JAILBREAK}"]')).to_have_count(1)
    tab.page.keyboard.press("Escape")
    expect(tab.page.locator("dialog.digest-search")).to_be_hidden()
    tab.clean()


def test_older_quarters_are_searched_on_request_or_when_this_one_has_nothing(tab: Tab) -> None:
    tab.goto("")
    tab.page.keyboard.press("/")
    search_box = tab.page.locator(".digest-search__input")
    search_box.fill("jailbreak")  # found in 2026 Q2; 2025 Q4 waits behind a button
    expect(tab.page.locator(f'.digest-result a[href$="#{JAILBREAK}"]')).to_have_count(1)
    assert tab.page.locator(f'.digest-result a[href$="#{OLDER_ID}"]').count() == 0
    more = tab.page.locator(".digest-search__more")
    while more.inner_text() == "更多结果":
        more.click()
    expect(more).to_have_text("搜索 2025 年 10–12 月")
    more.click()
    expect(tab.page.locator(".digest-search__period")).to_have_text("2025 年 10–12 月")
    expect(tab.page.locator(f'.digest-result a[href$="#{OLDER_ID}"]')).to_have_count(1)
    expect(more).to_be_hidden()

    search_box.fill("quokka")  # only in 2025 Q4: searched without asking
    older = tab.page.locator(f'.digest-result a[href$="#{OLDER_ID}"]')
    expect(older).to_have_count(1)
    older.click()
    tab.page.wait_for_url(f"**/2025/12/31/llm/#{OLDER_ID}")
    tab.clean()


# -- language --------------------------------------------------------------------


def test_the_language_toggle_changes_the_page_and_is_remembered(context: BrowserContext) -> None:
    tab = open_tab(context)
    tab.goto(SAFETY_PAGE)
    paper = card(tab.page, JAILBREAK)
    expect(paper.locator(".paper-title-zh")).to_be_visible()  # 双语 by default
    expect(paper.locator(".paper-title-en")).to_be_visible()
    expect(paper.locator(".abstract-en")).to_be_visible()

    set_language(tab.page, "en")
    expect(paper.locator(".paper-title-zh")).to_be_hidden()
    expect(paper.locator(".paper-title")).to_have_text(
        re.compile(r"^From Concept-Aligned"), use_inner_text=True
    )
    expect(paper.locator(".paper-tldr")).to_contain_text("AI summary")  # labelled, not gone

    # Instant navigation (no reload: the marker survives) keeps the mode.
    tab.page.evaluate("window.__sameDocument = true")
    tab.page.locator(".md-tabs__link", has_text="归档").click()
    tab.page.locator("table.calendar a", has_text="18").click()
    tab.page.wait_for_url("**/2026/06/18/")
    tab.page.locator(".topic-card a", has_text="大模型对齐与安全").first.click()
    tab.page.wait_for_url(f"**/{SAFETY_PAGE}")
    assert tab.page.evaluate("window.__sameDocument") is True
    paper = card(tab.page, JAILBREAK)
    expect(paper.locator(".paper-title-zh")).to_be_hidden()

    set_language(tab.page, "zh")
    expect(paper.locator(".paper-title-zh")).to_be_visible()
    expect(paper.locator(".abstract-en")).to_be_hidden()
    expect(paper.locator(".abstract-zh")).to_be_visible()

    # A later visit, in a new tab, starts in the chosen mode.
    again = open_tab(context)
    again.goto(SAFETY_PAGE)
    assert again.page.evaluate("document.documentElement.dataset.digestLang") == "zh"
    expect(card(again.page, JAILBREAK).locator(".abstract-en")).to_be_hidden()
    tab.clean()
    again.clean()


def test_without_javascript_both_languages_show(browser: Browser, site_url: str) -> None:
    context = browser.new_context(base_url=site_url, java_script_enabled=False)
    page = context.new_page()
    page.goto(SAFETY_PAGE)
    paper = card(page, JAILBREAK)
    expect(paper.locator(".paper-title-en")).to_be_visible()
    expect(paper.locator(".paper-title-zh")).to_be_visible()
    for part in (".paper-authors", ".paper-hit", ".paper-tldr", ".score"):
        expect(paper.locator(part).first).to_be_visible()
    # The abstracts wait in the day file, and the controls that need the page's script
    # are its own (controls.js): without it a card has none, and its Abs link leads to
    # the abstract on arXiv.
    controls = "details.abstract, button.paper-star, button.paper-bibtex"
    expect(paper.locator(controls)).to_have_count(0)
    expect(
        paper.locator(f'.paper-links a[href="https://arxiv.org/abs/{JAILBREAK}"]')
    ).to_be_visible()
    context.close()


# -- abstracts, from the day file -------------------------------------------------------


def test_abstracts_load_once_from_the_day_file_when_one_is_first_opened(
    tab: Tab, site_url: str
) -> None:
    asked: list[tuple[str, str, str | None]] = []

    def answered(response: Response) -> None:
        if "/cards/" in response.url:
            headers = response.headers
            asked.append((response.url, headers["content-type"], headers.get("content-encoding")))

    tab.page.on("response", answered)
    tab.goto(SAFETY_PAGE)
    assert asked == []  # the page does not carry them, nor fetch them unasked
    waiting = tab.page.locator("article.paper:has(.abstract-en[data-later])")
    ids = waiting.evaluate_all("cards => cards.map(card => card.id)")
    assert len(ids) >= 2 and JAILBREAK in ids
    first = card(tab.page, next(i for i in ids if i != JAILBREAK)).locator(".abstract-en")
    first.locator("summary").click()
    expect(first.locator("p")).to_have_text(re.compile(r"^\S.{200,}"))
    # Every other English abstract of the page came with it: in-page find sees them all.
    expect(tab.page.locator(".abstract-en[data-later]")).to_have_count(0)
    expect(tab.page.locator(".abstract-zh[data-later]")).to_have_count(len(ids))  # not asked
    jailbreak = card(tab.page, JAILBREAK)
    jailbreak.locator(".abstract-en summary").click()
    expect(jailbreak.locator(".abstract-en p")).to_contain_text(
        "Jailbreak attacks expose a persistent failure mode in safety-aligned LLMs"
    )
    jailbreak.locator(".abstract-zh summary").click()
    expect(jailbreak.locator(".abstract-zh p")).to_contain_text("越狱")
    expect(tab.page.locator(".abstract[data-later]")).to_have_count(0)
    # Each language's part once, compressed, as GitHub Pages serves a .gz: decoded by
    # the browser's script.
    folder = site_url + "2026/06/18/cards/"
    assert asked == [
        (folder + "abstract.json.gz", "application/gzip", None),
        (folder + "abstract_zh.json.gz", "application/gzip", None),
    ]
    tab.clean()


def test_a_day_file_a_host_already_decoded_is_read_as_it_is(tab: Tab) -> None:
    """A host that sends the .gz with Content-Encoding: gzip has the browser decode it."""

    def decoded(route: Route) -> None:
        body = gzip.decompress(route.fetch().body())
        route.fulfill(body=body, content_type="application/json")

    tab.page.route("**/cards/*.json.gz", decoded)
    tab.goto(SAFETY_PAGE)
    english = card(tab.page, JAILBREAK).locator(".abstract-en")
    english.locator("summary").click()
    expect(english.locator("p")).to_contain_text("Jailbreak attacks expose a persistent")
    tab.clean()


def test_an_abstract_that_cannot_load_points_to_arxiv_and_is_tried_again(tab: Tab) -> None:
    tab.page.route("**/cards/*.json.gz", lambda route: route.abort())
    tab.goto(SAFETY_PAGE)
    english = card(tab.page, JAILBREAK).locator(".abstract-en")
    english.locator("summary").click()
    expect(english.locator("p")).to_have_text("摘要未能加载,在 arXiv 阅读")
    link = english.locator(f'a[href="https://arxiv.org/abs/{JAILBREAK}"]')
    expect(link).to_have_text("在 arXiv 阅读")
    tab.page.unroute("**/cards/*.json.gz")
    english.locator("summary").click()  # closed
    english.locator("summary").click()  # and opened again: a new try
    expect(english.locator("p")).to_contain_text("Jailbreak attacks expose a persistent")
    assert tab.failed and all("/cards/" in url for url in tab.failed)  # the aborted one
    tab.failed.clear()
    tab.clean()


# -- theme -------------------------------------------------------------------------


def test_dark_mode_toggles_and_stays(tab: Tab) -> None:
    tab.goto(LLM_PAGE)
    body = tab.page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    tab.page.locator("form[data-md-component=palette] label:visible").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    tab.page.reload()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    tab.clean()


# -- BibTeX and favorites --------------------------------------------------------------


def test_copy_bibtex_gives_a_valid_entry_from_the_record(tab: Tab) -> None:
    tab.goto(SAFETY_PAGE)
    button = card(tab.page, JAILBREAK).locator(".paper-bibtex")
    button.click()
    expect(button).to_have_text("已复制")
    entries = parse_bibtex(tab.page.evaluate("navigator.clipboard.readText()"))
    assert len(entries) == 1
    entry = entries[0]
    assert entry["ENTRYTYPE"] == "misc" and entry["ID"] == "das2026concept"
    assert entry["eprint"] == JAILBREAK and entry["archiveprefix"] == "arXiv"
    assert entry["title"].startswith("From Concept-Aligned Tokens to Vulnerable Features")
    assert entry["author"] == "Nilanjana Das and Mathew Dawit and Aman Chadha and Manas Gaur"
    tab.clean()


def test_favorites_are_kept_listed_and_exported(tab: Tab) -> None:
    tab.goto(SAFETY_PAGE)
    stars = tab.page.locator("article.paper .paper-star")
    stars.nth(0).click()
    stars.nth(1).click()
    expect(stars.nth(0)).to_have_attribute("aria-pressed", "true")
    chosen = [a.get_attribute("id") for a in tab.page.locator("article.paper").all()[:2]]
    # Kept at once; their BibTeX follows from the day file.
    tab.page.wait_for_function(
        "JSON.parse(localStorage.getItem('digest.favorites')).every((f) => f.bibtex)"
    )

    tab.page.locator(".md-tabs__link", has_text="收藏").click()
    items = tab.page.locator(".favorites-list li")
    expect(items).to_have_count(2)
    assert JAILBREAK_ZH in items.all_inner_texts()[0] + items.all_inner_texts()[1]
    tab.page.locator('[data-action="copy-bibtex"]').click()
    entries = parse_bibtex(tab.page.evaluate("navigator.clipboard.readText()"))
    assert sorted(e["eprint"] for e in entries) == sorted(chosen)

    items.first.locator(".favorite__remove").click()
    expect(items).to_have_count(1)
    items.first.locator("a").click()  # back to the card it came from
    tab.page.wait_for_url(re.compile(r"/2026/06/18/llm-safety/#"))
    tab.clean()


def test_new_since_the_last_visit_is_marked_on_the_latest_day(context: BrowserContext) -> None:
    first = open_tab(context)
    first.goto("")
    assert first.page.locator(".is-new").count() == 0  # a first visit marks nothing
    # A reader who last saw 2026-06-18 comes back in a new session.
    first.page.evaluate(
        "localStorage.setItem('digest.seen', JSON.stringify('2026-06-18')); sessionStorage.clear()"
    )
    first.page.reload()
    new = first.page.locator("li.is-new")
    expect(new.first).to_be_visible()
    dates = {d for d in new.evaluate_all("items => items.map(i => i.dataset.date)")}
    assert dates == {"2026-06-19"}
    first.page.goto(SAFETY_PAGE)  # an older day has nothing new
    assert first.page.locator(".is-new").count() == 0
    first.clean()


# -- hostile text -------------------------------------------------------------------


def test_markup_in_a_paper_is_shown_as_text_and_runs_nothing(tab: Tab) -> None:
    tab.goto(f"{LLM_PAGE}#{HOSTILE_ID}")
    paper = card(tab.page, HOSTILE_ID)
    expect(paper).to_be_visible()
    assert "<img src=x onerror=alert(1)>" in paper.locator(".paper-title").inner_text()
    assert '<script>alert("t")</script>' in paper.locator(".paper-title").inner_text()
    assert "<img src=x onerror=alert(3)>" in paper.locator(".paper-title-zh").inner_text()
    paper.locator(".abstract-en summary").click()
    # The English abstract arrives from the day file: wait for it, as a reader does.
    expect(paper.locator(".abstract-en p")).to_contain_text('<script>alert("a")</script>')
    # $x^2$ beside the markup is math, rendered by KaTeX when the abstract opens.
    expect(paper.locator(".abstract-en .katex")).to_have_count(1)
    assert paper.locator("img, script").count() == 0
    # <b> appears only as the card's own labels, never from the record's text.
    assert paper.locator("b", has_text=re.compile("Mallory|bold|理由")).count() == 0

    tab.page.keyboard.press("/")
    tab.page.locator(".digest-search__input").fill("onerror")
    result = tab.page.locator(".digest-result", has=tab.page.locator(f'a[href$="#{HOSTILE_ID}"]'))
    expect(result).to_have_count(1)
    assert "<img src=x onerror=alert(1)>" in result.inner_text()
    assert result.locator("img, script").count() == 0

    tab.page.keyboard.press("Escape")
    paper.locator(".paper-bibtex").click()
    expect(paper.locator(".paper-bibtex")).to_have_text("已复制")  # once the day file is read
    entries = parse_bibtex(tab.page.evaluate("navigator.clipboard.readText()"))
    assert [e["eprint"] for e in entries] == [HOSTILE_ID]
    tab.page.wait_for_timeout(300)  # give any injected handler time to fire
    tab.clean()


# -- navigation, phone, network --------------------------------------------------------


def test_every_archive_calendar_link_opens_its_day(tab: Tab) -> None:
    tab.goto("archive/")
    links = tab.page.locator("table.calendar a")
    hrefs = links.evaluate_all("links => links.map(a => a.href)")
    assert len(hrefs) == 3  # 2025-12-31, 2026-06-18, 2026-06-19
    for href in hrefs:
        response = tab.page.goto(href)
        assert response is not None and response.ok
        date = re.search(r"(\d{4})/(\d\d)/(\d\d)/$", href)
        assert date
        expect(tab.page.locator("h1")).to_contain_text("-".join(date.groups()))
    tab.clean()


def test_a_week_page_from_the_topic_page_lists_the_best_once_each_linked_to_its_card(
    browser: Browser, site_url: str
) -> None:
    """On a 390 px phone: the topic's history links this week's page; its rows are the
    week's best, best first, each paper once, and each row's link opens its card."""
    context = browser.new_context(base_url=site_url, viewport={"width": 390, "height": 844})
    tab = open_tab(context)
    tab.goto("topics/llm/")
    tab.page.locator(".topic-summary a", has_text="2026 年第 25 周").click()
    tab.page.wait_for_url("**/2026/W25/llm/")
    expect(tab.page.locator("h1")).to_contain_text("2026 年第 25 周")
    rows = tab.page.locator("ol.period-rows > li")
    expect(rows.first).to_be_visible()
    shown = rows.evaluate_all(
        """items => items.map(li => ({
          id: li.id, date: li.dataset.date,
          score: +li.querySelector(".score b").textContent,
          card: li.querySelector(":scope > a").href,
          arxiv: li.querySelector("small a").href,
        }))"""
    )
    assert 0 < len(shown) <= 30  # selection.best_of_week
    assert [r["score"] for r in shown] == sorted((r["score"] for r in shown), reverse=True)
    assert len({r["id"] for r in shown}) == len(shown)
    assert {r["date"] for r in shown} <= {"2026-06-18", "2026-06-19"}
    for row in shown:  # each card is on its day's topic page
        assert row["card"].endswith(f"/{row['date'].replace('-', '/')}/llm/#{row['id']}")
        assert row["arxiv"] == f"https://arxiv.org/abs/{row['id']}"
        html = context.request.get(row["card"].split("#")[0]).text()
        assert re.search(rf'<article class="paper[^>]* id="{re.escape(row["id"])}"', html), row
    hostile = tab.page.locator(f'ol.period-rows > li[id="{HOSTILE_ID}"]')
    expect(hostile).to_contain_text("<script>")  # shown as text
    assert tab.dialogs == []
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the week page scrolls sideways on a phone: {width}px"
    first = shown[0]
    rows.first.locator(":scope > a").click()  # a tap opens the card on its day's page
    tab.page.wait_for_url(f"**/{first['date'].replace('-', '/')}/llm/#{first['id']}")
    expect(card(tab.page, first["id"])).to_be_in_viewport()
    tab.page.go_back()
    tab.page.wait_for_url("**/2026/W25/llm/")
    tab.page.locator(".day-nav a", has_text="专题历史").click()
    tab.page.wait_for_url("**/topics/llm/")
    tab.clean()
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        *("", LLM_PAGE, "archive/", "topics/llm/", "favorites/", "for-you/"),
        *("2026/W25/llm/", "2026/06/llm/"),  # a week's, a month's best
    ],
)
def test_pages_fit_a_phone_and_load_nothing_from_elsewhere(
    browser: Browser, site_url: str, path: str
) -> None:
    context = browser.new_context(base_url=site_url, viewport={"width": 375, "height": 812})
    tab = open_tab(context)
    tab.goto(path)
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path or 'home'} scrolls sideways on a phone: {width}px"
    expect(tab.page.locator(".md-header .digest-search-open")).to_be_visible()
    tab.clean()
    context.close()


def test_screenshots_of_a_topic_page(browser: Browser, site_url: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "topic-light.png": ({"width": 1280, "height": 1000}, "light"),
        "topic-dark.png": ({"width": 1280, "height": 1000}, "dark"),
        "topic-mobile.png": ({"width": 375, "height": 812}, "light"),
    }
    shown: dict[str, dict[str, Any]] = {}
    for name, (viewport, scheme) in shots.items():
        context = browser.new_context(
            base_url=site_url,
            viewport=viewport,
            color_scheme=scheme,  # type: ignore[arg-type]
        )
        tab = open_tab(context)
        tab.goto(SAFETY_PAGE)
        expected = "slate" if scheme == "dark" else "default"
        expect(tab.page.locator("body")).to_have_attribute("data-md-color-scheme", expected)
        tab.page.screenshot(path=str(SCREENSHOTS / name))
        shown[name] = tab.page.evaluate(
            """() => {
              const card = document.querySelector("article.paper");
              const box = card.getBoundingClientRect();
              const light = (c) => c.match(/\\d+/g).slice(0, 3).reduce((a, b) => a + +b, 0);
              return {
                background: light(getComputedStyle(document.body).backgroundColor),
                text: light(getComputedStyle(card).color),
                cardLeft: box.left, cardRight: box.right,
                width: document.documentElement.scrollWidth,
              };
            }"""
        )
        tab.clean()
        context.close()
    light, dark, phone = (shown[n] for n in shots)
    # Light text on a dark page and the other way round; the cards fit the phone.
    assert light["background"] > light["text"] and dark["background"] < dark["text"]
    assert dark["background"] < light["background"]
    assert phone["width"] <= 375 and 0 <= phone["cardLeft"] < phone["cardRight"] <= 375
    for name in shots:
        assert (SCREENSHOTS / name).stat().st_size > 10_000
