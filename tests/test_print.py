"""A topic page printed in Chromium (page.pdf, which fires beforeprint and afterprint as a
reader's Ctrl+P does): abstracts open, no buttons or site chrome, a card to a page at
most, and the page left as the reader had it."""

from __future__ import annotations

import re

from browser_site import Tab, card
from playwright.sync_api import expect

SAFETY_PAGE = "2026/06/18/llm-safety/"  # 7 cards: 8 A4 pages before print.css
JAILBREAK = "2604.23130"
HIDDEN_IN_PRINT = [
    ".md-header",
    ".md-tabs",
    ".md-sidebar--primary",
    ".md-sidebar--secondary",
    ".md-footer",
    ".digest-lang",
    ".digest-search-open",
    ".day-nav",
    ".paper-star",
    ".paper-anchor",
    ".paper-bibtex",
]
# What a listener added after print.js's sees at beforeprint: the page as it prints.
RECORD_PRINTED = """() => {
  window.printed = [];
  addEventListener("beforeprint", () => window.printed.push({
    abstracts: document.querySelectorAll("article.paper details.abstract").length,
    open: document.querySelectorAll("article.paper details.abstract[open]").length,
  }));
}"""


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def window_printed(tab: Tab) -> list[dict[str, int]]:
    return list(tab.page.evaluate("window.printed"))


def test_printing_opens_every_abstract_and_closes_them_after(tab: Tab) -> None:
    tab.goto(SAFETY_PAGE)
    mine = card(tab.page, JAILBREAK).locator(".abstract-zh")
    mine.locator("summary").click()  # the reader had this one open
    tab.page.evaluate(RECORD_PRINTED)
    pdf = tab.page.pdf(format="A4")
    printed = window_printed(tab)
    cards = tab.page.locator("article.paper").count()
    assert cards == 7 and printed == [{"abstracts": 14, "open": 14}]
    assert 1 <= pdf_pages(pdf) <= cards
    # Afterwards, as before: only the reader's own abstract open.
    assert tab.page.locator("details.abstract[open]").count() == 1
    expect(mine).to_have_attribute("open", "")
    # The English abstracts began loading as they opened: the next print has them all.
    expect(tab.page.locator("details.abstract[data-later]")).to_have_count(0)
    # Printed again with every English abstract in full, it still takes a page a card at most.
    pdf = tab.page.pdf(format="A4")
    assert window_printed(tab)[-1] == {"abstracts": 14, "open": 14}
    assert pdf_pages(pdf) <= cards
    tab.clean()


def test_the_printed_page_has_no_buttons_and_keeps_each_card_whole(tab: Tab) -> None:
    tab.goto(SAFETY_PAGE)
    tab.page.emulate_media(media="print")
    # An abstract not loaded yet (its day file has not come) prints that arXiv has it.
    later = tab.page.locator("details[data-later] > p")
    assert later.count() == 14
    before = later.first.evaluate("p => getComputedStyle(p, '::before').content")
    assert before == '"摘要未载入,见 arXiv 上的本文页面。"', before
    tab.page.evaluate("dispatchEvent(new Event('beforeprint'))")
    for selector in HIDDEN_IN_PRINT:
        found = tab.page.locator(selector)
        assert found.count() >= 1, f"{selector} is not on the page to hide"
        for i in range(found.count()):
            expect(found.nth(i)).to_be_hidden()
    papers = tab.page.locator("article.paper")
    styles = papers.evaluate_all("cards => cards.map(c => getComputedStyle(c).breakInside)")
    assert styles == ["avoid"] * 7
    # Each card fits an A4 page (1123 CSS px less the margins), so none needs splitting.
    heights = papers.evaluate_all("cards => cards.map(c => c.getBoundingClientRect().height)")
    assert max(heights) < 1000, heights
    # Every abstract reads as text.
    abstracts = tab.page.locator("article.paper details.abstract > p")
    assert abstracts.count() == 14
    for i in range(abstracts.count()):
        expect(abstracts.nth(i)).to_be_visible()
    # The footer's links print, without their separators.
    footer = card(tab.page, JAILBREAK).locator(".paper-links")
    assert footer.evaluate("f => getComputedStyle(f).fontSize") == "0px"
    expect(footer.locator("a", has_text="PDF")).to_be_visible()
    tab.page.evaluate("dispatchEvent(new Event('afterprint'))")
    tab.page.emulate_media(media="screen")
    expect(tab.page.locator("details.abstract[open]")).to_have_count(0)
    expect(card(tab.page, JAILBREAK).locator(".paper-bibtex")).to_be_visible()
    tab.clean()


def test_ctrl_p_loads_every_abstract_before_it_prints(tab: Tab) -> None:
    tab.goto(SAFETY_PAGE)
    # What the page holds when it asks the browser to print (headless Chromium has no dialog).
    tab.page.evaluate(
        """() => { window.print = () => { window.printedWith = [...document.querySelectorAll(
             "article.paper details.abstract > p")].map((p) => p.textContent); }; }"""
    )
    assert tab.page.locator("details.abstract[data-later]").count() == 14
    tab.page.keyboard.press("Control+p")
    tab.page.wait_for_function("window.printedWith !== undefined")
    printed: list[str] = tab.page.evaluate("window.printedWith")
    assert len(printed) == 14 and all(len(text) > 100 for text in printed)
    jailbreak = card(tab.page, JAILBREAK).locator(".abstract-en p")
    expect(jailbreak).to_contain_text("Jailbreak attacks expose a persistent failure mode")
    tab.clean()


def test_a_long_author_list_prints_as_the_screen_shows_it(tab: Tab) -> None:
    tab.goto("2026/06/19/llm/")
    tab.page.emulate_media(media="print")
    tab.page.evaluate("dispatchEvent(new Event('beforeprint'))")  # Material opens it
    paper = card(tab.page, "2606.19348")  # DeepSeek-V4: 319 authors
    more = paper.locator(".more-authors")
    expect(more).to_have_attribute("open", "")
    expect(more.locator("summary")).to_be_visible()
    assert more.evaluate("d => getComputedStyle(d).fontSize") == "0px"
    assert paper.evaluate("c => c.getBoundingClientRect().height") < 1000
    tab.clean()
