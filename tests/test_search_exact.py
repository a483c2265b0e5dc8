"""Search says what is there (issue 17, item 6), in Chromium against the fixture site.

Pagefind alone answered loosely: a word it does not hold fell back to a shorter one
("Dobriban" found "Do"), an id fell apart into pieces ("2606.99998" found every
2606.* paper), and a pasted Chinese title often found nothing. Also the dialog's own
controls: target size, visible focus and contrast, in light and dark.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser_site import PREFIX, Tab, open_tab
from fixture_site import OLDER_ID
from playwright.sync_api import Browser, BrowserContext, Page, expect

JAILBREAK = "2604.23130"  # the reference paper of 2026-06-18, 大模型对齐与安全
TWO_DAYS = "2606.17165"  # listed on both fixture days
NOT_FOUND = "没有找到"
MIN_TARGET = 24  # CSS px, WCAG 2.2 target size (minimum)


def search(tab: Tab, query: str) -> Any:
    """Type `query` into the open dialog; its status once the search has answered."""
    status = tab.page.locator(".digest-search__status")
    tab.page.evaluate("document.querySelector('.digest-search__status').textContent = ''")
    tab.page.locator(".digest-search__input").fill(query)
    expect(status).to_have_text(re.compile(r"找到|没有找到"))
    return status


def open_search(tab: Tab) -> None:
    tab.goto("")
    tab.page.keyboard.press("/")
    expect(tab.page.locator("dialog.digest-search")).to_be_visible()


def result_ids(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        ".digest-result__link", "links => links.map(link => link.getAttribute('href'))"
    )
    return [href.rsplit("#", 1)[1] for href in hrefs]


# -- arXiv ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        JAILBREAK,
        f"{JAILBREAK}v1",
        f"{JAILBREAK}v7",
        f"arXiv:{JAILBREAK}",
        f" ARXIV: {JAILBREAK}V2 ",
    ],
)
def test_an_arxiv_id_with_or_without_version_and_prefix_finds_that_paper_only(
    tab: Tab, query: str
) -> None:
    open_search(tab)
    expect(search(tab, query)).to_have_text("找到 1 篇(2026 年 4–6 月)")
    assert result_ids(tab.page) == [JAILBREAK]
    # The id's month is after the older quarter: nothing there is offered.
    expect(tab.page.locator(".digest-search__more")).to_be_hidden()
    tab.clean()


def test_an_id_listed_on_two_days_finds_both_days_and_nothing_else(tab: Tab) -> None:
    open_search(tab)
    expect(search(tab, TWO_DAYS)).to_have_text("找到 2 篇(2026 年 4–6 月)")
    assert result_ids(tab.page) == [TWO_DAYS, TWO_DAYS]
    dates = tab.page.locator(".digest-result__meta").all_inner_texts()
    assert sorted(date.split(" · ")[0] for date in dates) == ["2026-06-18", "2026-06-19"]
    tab.clean()


def test_an_id_of_the_older_quarter_is_found_there(tab: Tab) -> None:
    open_search(tab)
    expect(search(tab, f"arXiv:{OLDER_ID}v2")).to_have_text("找到 1 篇(2025 年 10–12 月至今)")
    assert result_ids(tab.page) == [OLDER_ID]
    tab.clean()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("2606.99998", "2026 年 4–6 月没有找到"),  # before: all 31 papers of 2606
        ("2604.23131", "2026 年 4–6 月没有找到"),  # one digit from the reference paper
        ("arXiv:2606.99998v2", "2026 年 4–6 月没有找到"),
        ("2712.00001", "没有找到"),  # newer than every quarter
        ("hep-th/9901001", "2025 年 10–12 月至今没有找到"),  # old style, in no quarter
    ],
)
def test_an_arxiv_id_that_is_not_in_the_archive_finds_nothing(
    tab: Tab, query: str, status: str
) -> None:
    open_search(tab)
    expect(search(tab, query)).to_have_text(status)
    assert result_ids(tab.page) == []
    expect(tab.page.locator(".digest-search__more")).to_be_hidden()
    tab.clean()


# -- words -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records(site_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Every stored record of the fixture site, as text (conftest.py builds the site
    in the session's "browser0/project")."""
    folders = list(tmp_path_factory.getbasetemp().glob("browser[0-9]*/project/data"))
    assert len(folders) == 1, folders
    files = sorted(folders[0].glob("*/*.jsonl"))
    assert len(files) == 3, files  # 2025-12-31, 2026-06-18, 2026-06-19
    text = "\n".join(path.read_text(encoding="utf-8") for path in files)
    assert f'"id":"{JAILBREAK}"' in text  # the site served is the one read
    return text


@pytest.mark.parametrize(
    "query",
    [
        "xyzzyq",  # before: one result, for "x"
        "Dobriban",  # before: one result, for "Do"; an author of the reference digest only
        "jailbreak Dobriban",  # one word there, one not
        "越狱 xyzzyq",
        "Mechanistic Localization of Jailbreaks Dobriban",
    ],
)
def test_a_word_that_is_in_no_record_finds_nothing(tab: Tab, records: str, query: str) -> None:
    missing = [word for word in query.split() if word.lower() not in records.lower()]
    assert missing, f"every word of {query!r} is in some record"
    open_search(tab)
    expect(search(tab, query)).to_have_text("2025 年 10–12 月至今没有找到")
    assert result_ids(tab.page) == []
    tab.clean()


@pytest.fixture(scope="module")
def titles(browser: Browser, site_url: str) -> list[dict[str, str]]:
    """Every search document of the newest quarter, from the index: its id, titles,
    link and the text Pagefind indexed."""
    context = browser.new_context(base_url=site_url)
    page = context.new_page()
    page.goto("")
    documents = page.evaluate(
        """async () => {
          const dialog = document.querySelector("dialog.digest-search");
          const manifest = new URL(dialog.dataset.manifest, location.href);
          const periods = await (await fetch(manifest)).json();
          const pagefind = await import(new URL(periods[0].bundle, manifest).href);
          const all = await pagefind.search(null);
          const items = await Promise.all(all.results.map((result) => result.data()));
          return items.map((item) => ({
            id: item.meta.link.split("#")[1],
            title: item.meta.title,
            title_zh: item.meta.title_zh || "",
            link: item.meta.link,
            content: item.content,
          }));
        }"""
    )
    context.close()
    assert len(documents) == 38
    return list(documents)


@pytest.mark.parametrize("query", ["hallucination detection", "Language MODELS", "agent"])
def test_the_results_are_the_documents_that_hold_every_word(
    tab: Tab, titles: list[dict[str, str]], query: str
) -> None:
    """Each word at the start of a word of the document, as Pagefind matches words."""
    words = query.lower().split()
    expected = sorted(
        document["link"]
        for document in titles
        if all(
            re.search(r"(?<![a-z0-9])" + word, " ".join(document.values()).lower())
            for word in words
        )
    )
    assert 0 < len(expected) < len(titles)
    open_search(tab)
    search(tab, query)
    more = tab.page.locator(".digest-search__more")
    while more.is_visible() and more.inner_text() == "更多结果":
        more.click()
        expect(more).not_to_have_text("更多结果")
    links = tab.page.eval_on_selector_all(
        ".digest-result__link", "links => links.map(link => link.getAttribute('href'))"
    )
    assert sorted(link.split(PREFIX, 1)[1] for link in links) == expected
    expect(tab.page.locator(".digest-search__status")).to_have_text(
        f"找到 {len(expected)} 篇(2026 年 4–6 月)"
    )
    tab.clean()


@pytest.mark.parametrize("key", ["title", "title_zh"])
def test_a_title_typed_whole_finds_its_paper_first(
    tab: Tab, titles: list[dict[str, str]], key: str
) -> None:
    """Before, 16 of the 38 Chinese titles found nothing: the browser cut words finer
    than the index had (在/线 where it holds 在线)."""
    open_search(tab)
    first = tab.page.locator(".digest-result__link").first
    for document in titles:
        if not document[key]:
            continue
        search(tab, document[key])
        expect(first).to_have_attribute("href", re.compile(re.escape("#" + document["id"]) + "$"))
    tab.clean()


TITLE = "From Concept-Aligned Tokens to Vulnerable Features: Mechanistic Localization of Jailbreaks"
TITLE_ZH = "从概念对齐的Token到脆弱特征:越狱的机制定位"
IS_TITLE = """async ([query, title, title_zh]) => {
  const { queryOf } = await import(new URL("assets/javascripts/digest/query.js", document.baseURI));
  return queryOf(query).isTitleOf({ meta: { title, title_zh } });
}"""


@pytest.mark.parametrize(
    ("query", "same"),
    [
        (TITLE.upper(), True),
        (re.sub(r"[^\w ]", " ", TITLE).lower(), True),  # from concept aligned tokens …
        ("从概念对齐的 token 到脆弱特征 越狱的机制定位", True),
        ("从概念对齐的Token到脆弱特征：越狱的机制定位", True),  # a full-width colon
        (TITLE + " revisited", False),
        ("从概念对齐的Token到脆弱特征", False),
    ],
)
def test_an_exact_title_ignores_case_spaces_and_punctuation_only(
    tab: Tab, query: str, same: bool
) -> None:
    tab.goto("")
    assert tab.page.evaluate(IS_TITLE, [query, TITLE, TITLE_ZH]) is same
    tab.page.keyboard.press("/")
    search(tab, query)
    if same:
        assert result_ids(tab.page)[0] == JAILBREAK
    tab.clean()


# -- the dialog's controls ---------------------------------------------------------------


@pytest.fixture(params=["light", "dark"])
def scheme_tab(request: pytest.FixtureRequest, browser: Browser, site_url: str) -> Iterator[Tab]:
    context: BrowserContext = browser.new_context(
        base_url=site_url, viewport={"width": 390, "height": 844}, color_scheme=request.param
    )
    tab = open_tab(context)
    tab.goto("")
    scheme = tab.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert scheme == {"light": "default", "dark": "slate"}[request.param]
    yield tab
    context.close()


CONTRAST = """(element) => {
  const rgba = (text) => {
    const [r, g, b, a = 1] = text.match(/[0-9.]+/g).map(Number);
    return [r, g, b, a];
  };
  const over = ([r, g, b, a], below) => [r, g, b].map((v, i) => v * a + below[i] * (1 - a));
  // The background the element is drawn on: the first opaque one up its ancestors,
  // translucent ones laid over it.
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) layers.push(colour);
    if (colour[3] === 1) break;
  }
  let background = [255, 255, 255];
  for (const layer of layers.reverse()) background = over(layer, background);
  const foreground = over(rgba(getComputedStyle(element).color), background);
  const luminance = (rgb) => {
    const linear = (v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    const [r, g, b] = rgb.map((v) => linear(v / 255));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""

# How many colours the right quarter of a screenshot holds, its bottom rows aside.
COLOURS_AT_RIGHT = """async (source) => {
  const image = new Image();
  image.src = source;
  await image.decode();
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [image.width, image.height];
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const quarter = Math.round(image.width / 4);
  const above = image.height - 3; // the focus line is 2 px
  const pixels = context.getImageData(image.width - quarter, 0, quarter, above).data;
  const colours = new Set();
  for (let i = 0; i < pixels.length; i += 4) colours.add(pixels.slice(i, i + 3).join());
  return colours.size;
}"""

FOCUS_RING = """(element) => {
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return element.matches(":focus-visible") && (outline || style.boxShadow !== "none");
}"""


def controls(page: Page) -> dict[str, Any]:
    return {
        "input": page.locator(".digest-search__input"),
        "clear": page.locator(".digest-search__clear"),
        "close": page.locator(".digest-search__close"),
        "more": page.locator(".digest-search__more"),
    }


def test_the_dialog_controls_are_large_focusable_and_legible(scheme_tab: Tab) -> None:
    page = scheme_tab.page
    page.keyboard.press("/")
    parts = controls(page)
    expect(parts["clear"]).to_be_hidden()  # nothing typed, nothing to clear
    search(scheme_tab, "LLM")  # more than a page: 更多结果 shows
    measured = {}
    for name, control in parts.items():
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box is not None
        measured[name] = (box["width"], box["height"], control.evaluate(CONTRAST))
        assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, (name, box)
        assert measured[name][2] >= 4.5, (name, measured[name])
    # Chromium's own clear button (drawn while the box has focus) is not: ours
    # replaces it. With the text at the left, the right quarter of the box is the
    # bar's colour alone, above the focus line.
    parts["input"].focus()
    shot = "data:image/png;base64," + base64.b64encode(parts["input"].screenshot()).decode()
    assert page.evaluate(COLOURS_AT_RIGHT, shot) == 1
    assert parts["clear"].locator("svg").evaluate("svg => getComputedStyle(svg).fill") == parts[
        "clear"
    ].evaluate("button => getComputedStyle(button).color")

    # Keyboard focus walks the bar and shows where it is.
    parts["input"].focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert parts["input"].evaluate(FOCUS_RING)
    for name in ("clear", "close"):
        page.keyboard.press("Tab")
        assert parts[name].evaluate("(element) => element === document.activeElement"), name
        assert parts[name].evaluate(FOCUS_RING), name
    parts["more"].focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert parts["more"].evaluate(FOCUS_RING)
    print("controls (w, h, contrast):", measured)
    scheme_tab.clean()


def test_the_clear_button_empties_the_query_and_returns_to_the_box(tab: Tab) -> None:
    open_search(tab)
    search(tab, "jailbreak")
    assert result_ids(tab.page) == [JAILBREAK]
    parts = controls(tab.page)
    parts["clear"].click()
    expect(parts["input"]).to_have_value("")
    expect(parts["input"]).to_be_focused()
    expect(tab.page.locator(".digest-result")).to_have_count(0)
    expect(tab.page.locator(".digest-search__status")).to_have_text("")
    expect(parts["clear"]).to_be_hidden()
    tab.clean()
