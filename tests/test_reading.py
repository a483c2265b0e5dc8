"""Reading the fixture site as a reader does every morning, often on a phone: which title
leads in which language mode, the score and its reason, moving through a topic page,
the keyboard, and the card's small parts. Playwright driving Debian's Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser_site import Tab, card, open_tab, set_language
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

LLM_PAGE = "2026/06/19/llm/"
DAY_PAGE = "2026/06/19/"
DEEPSEEK = "2606.19348"  # 319 authors, an institution with a Chinese gloss, score 95
DEEPSEEK_EN = "DeepSeek-V4: Towards Highly Efficient Million-Token Context Intelligence"
DEEPSEEK_ZH = "DeepSeek-V4: 迈向高效百万令牌上下文智能"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, site_url: str) -> Iterator[Tab]:
    context = browser.new_context(base_url=site_url, viewport=PHONE, has_touch=True)
    yield open_tab(context)
    context.close()


def font_size(locator: Locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return dict(found)


def largest_text_of(paper: Locator) -> float:
    """The largest font size of any text shown in the card, its buttons' glyphs aside."""
    sizes: list[float] = paper.evaluate(
        """card => [...card.querySelectorAll('*')]
             .filter(e => e.offsetParent && !e.closest('button') && [...e.childNodes].some(
               n => n.nodeType === 3 && n.textContent.trim()))
             .map(e => parseFloat(getComputedStyle(e).fontSize))"""
    )
    return max(sizes)


# -- 1. the title in the reader's language leads -----------------------------------


@pytest.mark.parametrize("mode", ["both", "zh"])
def test_the_chinese_title_is_the_cards_heading_and_largest_text(tab: Tab, mode: str) -> None:
    tab.goto(LLM_PAGE)
    set_language(tab.page, mode)
    paper = card(tab.page, DEEPSEEK)
    heading = paper.get_by_role("heading", level=3)
    zh, en = paper.locator(".paper-title-zh"), paper.locator(".paper-title-en")
    expect(zh).to_have_text(DEEPSEEK_ZH)
    assert heading.locator(".paper-title-zh").count() == 1
    assert font_size(zh) == largest_text_of(paper)
    expect(en).to_be_visible()  # under it, smaller, in both modes
    assert font_size(en) < 0.85 * font_size(zh)
    assert box(en)["y"] >= box(zh)["y"] + box(zh)["height"] - 1
    link = heading.locator("a")
    assert link.get_attribute("href") == f"https://arxiv.org/abs/{DEEPSEEK}"
    tab.clean()


def test_english_mode_leads_with_the_english_title_and_labels_everything_in_english(
    tab: Tab,
) -> None:
    tab.goto(LLM_PAGE)
    set_language(tab.page, "en")
    paper = card(tab.page, DEEPSEEK)
    heading = paper.get_by_role("heading", level=3)
    expect(heading).to_have_text(DEEPSEEK_EN, use_inner_text=True)
    assert font_size(paper.locator(".paper-title-en")) == largest_text_of(paper)
    shown = paper.inner_text()
    for label in ("Authors", "Institutions", "Topic hit", "AI summary", "New", "Topic 95"):
        assert label in shown, label
    for label in ("作者", "机构", "专题命中", "AI总结", "新提交", "深度求索"):
        assert label not in shown, label
    expect(paper.locator(".paper-institutions")).to_have_text(
        "Institutions DeepSeek-AI", use_inner_text=True
    )
    expect(paper.locator(".more-authors summary")).to_have_text(
        "… 319 authors in all", use_inner_text=True
    )
    tab.clean()


@pytest.mark.parametrize("page", ["", DAY_PAGE, "topics/llm/"])
def test_paper_lists_follow_the_language_too(tab: Tab, page: str) -> None:
    tab.goto(page)
    line = tab.page.locator(f'li[data-id="{DEEPSEEK}"]').first
    zh, en = line.locator(".l-zh"), line.locator(".en")
    expect(zh).to_have_text(DEEPSEEK_ZH)
    assert font_size(en) < font_size(zh)
    set_language(tab.page, "en")
    expect(zh).to_be_hidden()
    expect(en).to_have_text(DEEPSEEK_EN)
    assert font_size(en) == font_size(line.locator("a"))
    tab.clean()


def test_the_favorites_list_shows_the_chinese_title_first(tab: Tab) -> None:
    tab.goto(LLM_PAGE)
    card(tab.page, DEEPSEEK).locator(".paper-star").click()
    tab.goto("favorites/")
    item = tab.page.locator(f'li.favorite[data-id="{DEEPSEEK}"]')
    zh, en = item.locator(".favorite__title-zh"), item.locator(".favorite__title")
    expect(zh).to_have_text(DEEPSEEK_ZH)
    assert font_size(en) < font_size(zh)
    assert box(en)["y"] > box(zh)["y"]
    set_language(tab.page, "en")
    expect(zh).to_be_hidden()
    expect(en).to_be_visible()
    tab.clean()


# -- 3. the score and its reason ----------------------------------------------------


def test_the_score_is_labelled_and_its_reason_shows_without_hover(phone: Tab) -> None:
    phone.goto(LLM_PAGE)
    paper = card(phone.page, DEEPSEEK)
    expect(paper.locator(".score")).to_have_text("专题 95", use_inner_text=True)
    reason = paper.locator(".paper-hit")
    expect(reason).to_be_visible()  # on a touch screen, with nothing hovered
    expect(reason).to_contain_text("预训练 — ")
    # The meter is drawn whole, filled to the score: not a sliver at the chip's edge.
    bar = paper.locator(".score").evaluate(
        "s => { const b = getComputedStyle(s, '::after'); return [b.width, b.height]; }"
    )
    chip = box(paper.locator(".score"))
    assert abs(float(bar[0].removesuffix("px")) - chip["width"]) <= 2
    assert float(bar[1].removesuffix("px")) <= 4
    phone.clean()


@pytest.mark.parametrize("page", ["", DAY_PAGE, "topics/llm/"])
def test_list_score_chips_sit_on_their_titles_line(tab: Tab, page: str) -> None:
    tab.goto(page)
    lines = tab.page.locator("li[data-id]:has(.score)")
    assert lines.count() > 3
    for index in range(lines.count()):
        line = lines.nth(index)
        first_line = line.locator("a").evaluate("a => a.getClientRects()[0].toJSON()")
        chip = box(line.locator(".score"))
        middle = chip["y"] + chip["height"] / 2
        assert first_line["top"] <= middle <= first_line["bottom"], line.inner_text()
    tab.clean()


# -- 4. moving through a page on a phone ---------------------------------------------


def test_a_phone_reader_jumps_to_a_subtopic_and_back_to_the_index(phone: Tab) -> None:
    phone.goto(LLM_PAGE)
    index = phone.page.locator("ol.subtopic-index")
    expect(index).to_be_visible()
    headings = phone.page.locator("h2[id]")
    assert index.locator("a").count() == headings.count() == 5
    for chip in index.locator("a").all():
        assert box(chip)["height"] >= 24
    index.locator("a", has_text="4. 其他LLM").tap()
    expect(phone.page).to_have_url(re.compile(r"#other$"))
    expect(phone.page.locator("h2#other")).to_be_visible()  # a loaded machine lays out late
    section = box(phone.page.locator("h2#other"))
    assert 0 <= section["y"] < 200  # at the top, under the header
    # Material's back-to-top button appears on scrolling up and returns to the index.
    phone.page.mouse.wheel(0, -300)
    top = phone.page.locator(".md-top")
    expect(top).to_be_visible()
    top.tap()
    phone.page.wait_for_function("window.scrollY === 0")
    assert box(index)["y"] < PHONE["height"]
    phone.clean()


def test_subtopic_counts_on_the_overview_lead_to_their_sections(tab: Tab) -> None:
    tab.goto(DAY_PAGE)
    topic = tab.page.locator(".topic-card", has_text="语言大模型")
    links = topic.locator(".topic-subs a")
    assert links.count() == 5
    links.filter(has_text="后训练").click()
    tab.page.wait_for_url(f"**/{LLM_PAGE}#post-training")
    expect(tab.page.locator("h2#post-training")).to_be_in_viewport()
    tab.clean()


# -- 9. the keyboard and the card's link ----------------------------------------------


def focused_card(page: Page) -> Any:
    return page.evaluate("document.activeElement.closest('article.paper')?.id ?? null")


def test_j_and_k_move_between_cards_with_visible_focus(tab: Tab) -> None:
    tab.goto(LLM_PAGE)
    ids = tab.page.locator("article.paper").evaluate_all("cards => cards.map(c => c.id)")
    tab.page.keyboard.press("j")
    assert focused_card(tab.page) == ids[0]
    tab.page.keyboard.press("j")
    tab.page.keyboard.press("j")
    assert focused_card(tab.page) == ids[2]
    current = card(tab.page, ids[2])
    expect(current).to_be_in_viewport()
    shadow = current.evaluate("c => getComputedStyle(c).boxShadow")
    assert shadow != "none", "the focused card must show it"
    tab.page.keyboard.press("k")
    assert focused_card(tab.page) == ids[1]
    # Tab goes on from the focused card into its links, not from the page's top.
    tab.page.keyboard.press("Tab")
    assert focused_card(tab.page) == ids[1]
    # Typing in the search box is not navigation.
    tab.page.keyboard.press("/")
    tab.page.locator(".digest-search__input").press("j")
    expect(tab.page.locator(".digest-search__input")).to_have_value("j")
    tab.clean()


def test_the_copy_link_button_copies_the_cards_address(tab: Tab, site_url: str) -> None:
    tab.goto(LLM_PAGE + "?from=feed")
    button = card(tab.page, DEEPSEEK).locator(".paper-copy-link")
    size = box(button)
    assert size["width"] >= 24 and size["height"] >= 24
    # Named by its title, which is also its tooltip.
    expect(card(tab.page, DEEPSEEK).get_by_role("button", name="复制本文链接")).to_have_count(1)
    button.click()
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{site_url}{LLM_PAGE}#{DEEPSEEK}"
    tab.clean()


# -- 10. the smaller faults -------------------------------------------------------------


def test_an_opened_author_list_reads_as_one_list_and_folds_again(tab: Tab) -> None:
    tab.goto(LLM_PAGE)
    authors = card(tab.page, DEEPSEEK).locator(".paper-authors")
    authors.locator(".more-authors summary").click()
    text = authors.inner_text()
    assert "Chengda Lu, " in text  # the 12th author, then a comma before the 13th
    assert "等 319 人" not in text
    assert len(re.findall(r"[^,\s] [A-Z][a-z]+ [A-Z]", text.split("作者", 1)[1])) == 0
    authors.locator(".more-authors__less").click()
    expect(authors.locator(".more-authors summary")).to_have_text(
        "… 等 319 人", use_inner_text=True
    )
    tab.clean()


def test_a_topic_without_papers_is_a_short_card(tab: Tab) -> None:
    tab.goto(DAY_PAGE)
    empty = tab.page.locator(".topic-card", has_text="大模型对齐与安全")
    full = tab.page.locator(".topic-card", has_text="语言大模型")
    assert box(empty)["height"] < 80 < box(full)["height"]
    tab.clean()


def test_on_a_phone_the_date_and_the_star_keep_their_lines(phone: Tab) -> None:
    phone.goto("")
    date = phone.page.locator("h1 .nowrap")
    expect(date).to_have_text("2026-06-19")
    assert date.evaluate("d => d.getClientRects().length") == 1
    phone.goto(LLM_PAGE)
    for paper in phone.page.locator("article.paper").all()[:10]:
        star, anchor = box(paper.locator(".paper-star")), box(paper.locator(".paper-anchor"))
        assert abs(star["y"] - anchor["y"]) < 12, paper.get_attribute("id")
    phone.clean()


def test_every_card_label_has_its_english_twin(context: BrowserContext) -> None:
    """No Chinese label is left in English mode, on any card of the day's pages."""
    tab = open_tab(context)
    tab.goto(LLM_PAGE)
    set_language(tab.page, "en")
    shown: list[str] = tab.page.locator("article.paper").evaluate_all(
        """cards => cards.flatMap(card => [...card.querySelectorAll(
             'b, summary, button, .badge, .paper-untranslated, .abstract a')])
           .filter(label => label.offsetParent).map(label => label.innerText)"""
    )
    chinese = [text for text in shown if re.search(r"[\u4e00-\u9fff]", text)]
    assert chinese == []
    tab.clean()


def test_without_javascript_a_card_shows_what_a_reader_skims_and_its_links(
    browser: Browser, site_url: str
) -> None:
    """The abstracts wait in the day file for a script; all else is in the page."""
    context = browser.new_context(base_url=site_url, java_script_enabled=False)
    page = context.new_page()
    page.goto(LLM_PAGE)
    paper = card(page, DEEPSEEK)
    expect(paper.locator(".paper-title-zh")).to_have_text(DEEPSEEK_ZH)
    expect(paper.locator(".paper-title-en")).to_have_text(DEEPSEEK_EN)
    authors = paper.locator(".paper-authors")
    expect(authors).to_contain_text("作者 DeepSeek-AI, Anyi Xu, Bangcai Lin", use_inner_text=True)
    authors.locator(".more-authors summary").click()  # the rest, in the page too
    expect(authors).to_contain_text("Zongqing Yao", use_inner_text=True)
    expect(paper.locator(".score")).to_have_text("专题 95", use_inner_text=True)
    expect(paper.locator(".paper-hit")).to_contain_text("预训练 — ")
    expect(paper.locator(".paper-tldr")).to_be_visible()
    links = paper.locator(".paper-links a")
    assert links.evaluate_all("links => links.map(a => a.textContent)")[:3] == [
        "Abs",
        "PDF",
        "HTML",
    ]
    expect(links.first).to_have_attribute("href", f"https://arxiv.org/abs/{DEEPSEEK}")
    expect(paper.locator(".paper-code")).to_be_visible()
    # The whole day too: every row with its titles and its link.
    page.goto("2026/06/19/all/")
    rows = page.locator(".paper-rows > li > a")
    assert rows.count() > 600
    row = page.locator(f".paper-rows > li > a:has(code:text-is('{DEEPSEEK}'))")
    expect(row).to_have_attribute("href", f"../llm/#{DEEPSEEK}")
    expect(row.locator(":scope > b")).to_have_text(DEEPSEEK_ZH)
    expect(row.locator(":scope > i")).to_have_text(DEEPSEEK_EN)
    context.close()
