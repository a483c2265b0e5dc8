"""推荐 / For you in Chromium, on the fixture site (two real days through the loopback
arXiv and LLM): a reader's favorites and keywords rank a day's papers on /for-you/ and
mark the best on the day's pages; without either the page says how to start; nothing
is asked of any host but the site's.

The measure of issue 19: five papers starred of one sub-topic of 2026-06-18, chosen by
the digest's own sorting of that day (its best five in the sub-topic, as its ranking
file says), rank 2026-06-19; of the top ten, how many are in that sub-topic of the
reference digest of 2026-06-19 (REFERENCE/digest-llm-2026-06-19.jsonl: 预训练 7,
后训练 5 papers of the 697). The counts are written to test-output/for-you.json.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_site import Tab, card, open_tab, set_language
from conftest import REFERENCE, REPO
from playwright.sync_api import Browser, BrowserContext, Request, expect

from generator.rank_data import RANK_PART
from generator.render.urls import cards_url

OUTPUT = Path(os.environ.get("DIGEST_TEST_OUTPUT", REPO / "test-output"))
STARRED_DAY, RANKED_DAY = "2026-06-18", "2026-06-19"
SECTIONS = {"llm/pretraining": "预训练", "llm/post-training": "后训练"}
RLHF = "2606.19818"  # Uncertainty-Aware Reward Modeling for Stable RLHF
PHONE = {"width": 390, "height": 844}


def rank_file(site_url: str, date: str) -> dict[str, dict[str, Any]]:
    """The day's ranking file as the site serves it, by id."""
    url = site_url + cards_url(dt.date.fromisoformat(date), RANK_PART)
    with urllib.request.urlopen(url) as response:
        fields = json.loads(gzip.decompress(response.read()))
    entries: dict[str, dict[str, Any]] = {}
    for name, values in fields.items():
        for arxiv_id, value in values.items():
            entries.setdefault(arxiv_id, {})[name] = value
    return entries


def best_of(site_url: str, subtopic: str, count: int = 5) -> list[tuple[str, dict[str, Any]]]:
    """The day's `count` best papers of `subtopic` as the digest sorted 2026-06-18:
    by their score there, ties by id. Not one is read from 2026-06-19."""
    entries = rank_file(site_url, STARRED_DAY)
    chosen = [(i, e) for i, e in entries.items() if subtopic in e.get("topics", {})]
    chosen.sort(key=lambda item: (-item[1]["topics"][subtopic], item[0]))
    return chosen[:count]


def keep_favorites(tab: Tab, papers: list[tuple[str, dict[str, Any]]], date: str) -> None:
    """Favorites as favorites.js keeps a starred paper (no ranking entry yet: the page
    reads it from the day's ranking file, as for a favorite starred before 推荐)."""
    favorites = [
        {
            "id": arxiv_id,
            "title": entry["title"],
            "title_zh": entry.get("title_zh"),
            "date": date,
            "link": f"https://arxiv.org/abs/{arxiv_id}",
            "bibtex": None,
        }
        for arxiv_id, entry in papers
    ]
    tab.goto("favorites/")
    tab.page.evaluate("f => localStorage.setItem('digest.favorites', JSON.stringify(f))", favorites)


def ranked(tab: Tab) -> list[str]:
    """The ids of the 推荐 page's rows, once ranked."""
    tab.page.wait_for_function(
        "document.querySelector('.for-you-status').textContent.startsWith('依据')"
    )
    ids: list[str] = tab.page.locator(".for-you-item").evaluate_all(
        "rows => rows.map(row => row.dataset.id)"
    )
    return ids


def reference_sections() -> dict[str, str]:
    lines = (REFERENCE / "digest-llm-2026-06-19.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r["subtopic_section"] for r in map(json.loads, lines)}


def record(name: str, value: Any) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "for-you.json"
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept[name] = value
    path.write_text(json.dumps(kept, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def asked(context: BrowserContext) -> Iterator[list[Request]]:
    """Every request the reader's browser makes."""
    requests: list[Request] = []
    context.on("request", lambda request: requests.append(request))
    yield requests


@pytest.mark.parametrize("subtopic", SECTIONS)
def test_five_favorites_of_a_subtopic_bring_the_next_days_papers_of_it_first(
    tab: Tab, site_url: str, subtopic: str, asked: list[Request]
) -> None:
    starred = best_of(site_url, subtopic)
    assert len(starred) == 5
    keep_favorites(tab, starred, STARRED_DAY)
    tab.goto("for-you/")
    top = ranked(tab)[:10]
    status = tab.page.locator(".for-you-status")
    expect(status).to_contain_text(f"依据 5 篇收藏,为 {RANKED_DAY} 的 698 篇论文排序")
    section = SECTIONS[subtopic]
    hits = [arxiv_id for arxiv_id in top if reference_sections().get(arxiv_id) == section]
    record(subtopic, {"starred": [i for i, _ in starred], "top_ten": top, "in_reference": hits})
    print(f"\n{subtopic}: {len(hits)} of the top ten are the reference's {section}")
    assert len(hits) >= 4, f"{len(hits)} of the top ten are the reference's {section}: {top}"
    # Each row says why: here the sub-topic the favorites share, as digest.yml names it.
    first = tab.page.locator(".for-you-item").first
    expect(first.locator(".for-you-why")).to_contain_text(section)
    # The favorites now keep their ranking entries, read once from 2026-06-18's file.
    kept = tab.page.evaluate("JSON.parse(localStorage.getItem('digest.favorites'))")
    assert all(f["rank"]["topics"][subtopic] for f in kept)
    files = [r.url.removeprefix(site_url) for r in asked if "/cards/" in r.url]
    assert sorted(files) == ["2026/06/18/cards/rank.json.gz", "2026/06/19/cards/rank.json.gz"]
    assert all(r.method == "GET" and r.url.startswith(site_url) for r in asked)  # nothing sent
    tab.clean()


def test_keywords_lift_papers_that_hold_them_and_leave_out_those_with_a_minus(
    tab: Tab, site_url: str
) -> None:
    keep_favorites(tab, best_of(site_url, "llm/post-training"), STARRED_DAY)
    tab.goto("for-you/")
    before = ranked(tab)
    keywords = tab.page.locator("#for-you-keywords")
    keywords.fill("+RLHF")
    keywords.press("Enter")
    expect(tab.page.locator(".for-you-status")).to_contain_text("关键词 +RLHF")
    lifted = ranked(tab)
    assert before.index(RLHF) > 0 and lifted[0] == RLHF
    expect(tab.page.locator(".for-you-item").first.locator(".for-you-why")).to_contain_text("+RLHF")
    entries = rank_file(site_url, RANKED_DAY)

    def text(arxiv_id: str) -> str:
        entry = entries[arxiv_id]
        return " ".join([entry["title"], entry.get("title_zh", ""), entry.get("tldr", "")])

    distilled = [i for i in lifted[:30] if "distillation" in text(i).lower()]
    assert len(distilled) >= 2, "the top 30 hardly say distillation: the test would show little"
    keywords.fill("+RLHF −distillation")
    tab.page.locator(".for-you-settings button[type=submit]").click()
    expect(tab.page.locator(".for-you-status")).to_contain_text("含排除词,未列出")
    left = ranked(tab)
    assert not [i for i in left if "distillation" in text(i).lower()]
    assert left[:25] == [i for i in lifted if i not in distilled][:25]  # the rest as it was
    # Kept for the next visit; 清除 forgets them.
    tab.goto("for-you/")
    expect(keywords).to_have_value("+RLHF −distillation")
    assert ranked(tab)[:25] == left[:25]
    tab.page.locator("[data-action=clear-keywords]").click()
    expect(tab.page.locator(".for-you-status")).not_to_contain_text("关键词")
    assert ranked(tab) == before
    tab.clean()


def test_without_favorites_or_keywords_the_page_says_how_to_start(
    tab: Tab, site_url: str, asked: list[Request]
) -> None:
    tab.goto("for-you/")
    empty = tab.page.locator(".for-you-empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("点 ☆")
    expect(empty).to_contain_text("+RLHF −medical")
    expect(tab.page.locator(".for-you-settings")).to_be_visible()
    expect(tab.page.locator(".for-you-item")).to_have_count(0)
    expect(tab.page.locator(".for-you-intro")).to_contain_text("什么都不会发送出去")
    # A keyword is enough to start; cleared, the page is back to how to start.
    tab.page.locator("#for-you-keywords").fill("agent")
    tab.page.locator("#for-you-keywords").press("Enter")
    assert len(ranked(tab)) > 10
    expect(empty).to_be_hidden()
    tab.page.locator("[data-action=clear-keywords]").click()
    expect(empty).to_be_visible()
    expect(tab.page.locator(".for-you-item")).to_have_count(0)
    # A reader who has given nothing loads no ranking file, on any page.
    tab.goto("2026/06/19/llm/")
    expect(tab.page.locator(".for-you-mark")).to_have_count(0)
    files = [r.url for r in asked if "rank.json" in r.url]
    assert files == [site_url + "2026/06/19/cards/rank.json.gz"]  # for the keyword, on 推荐
    tab.clean()


def test_the_days_best_matches_are_marked_on_its_pages(tab: Tab, site_url: str) -> None:
    keep_favorites(tab, best_of(site_url, "llm/pretraining"), STARRED_DAY)
    tab.goto("for-you/")
    best = ranked(tab)[:10]
    tab.goto("2026/06/19/llm/")
    marked = tab.page.locator("article.paper:has(.for-you-mark)")
    cards = tab.page.locator("article.paper").evaluate_all("cs => cs.map(c => c.id)")
    expected = [i for i in cards if i in best]
    expect(marked).to_have_count(len(expected))
    assert marked.evaluate_all("cs => cs.map(c => c.id)") == expected and len(expected) >= 4
    expect(marked.first.locator(".for-you-mark")).to_have_text("为你推荐", use_inner_text=True)
    set_language(tab.page, "en")
    expect(marked.first.locator(".for-you-mark")).to_have_text("For you", use_inner_text=True)
    set_language(tab.page, "both")
    tab.goto("2026/06/19/all/")  # every paper of the day: all ten are rows there
    rows = tab.page.locator("ol.paper-rows > li:has(.for-you-mark) code")
    assert sorted(rows.all_text_contents()) == sorted(best)
    tab.goto("2026/06/19/")
    lines = tab.page.locator("ol.best-papers > li:has(.for-you-mark)")
    shown = tab.page.locator("ol.best-papers > li").evaluate_all("ls => ls.map(l => l.dataset.id)")
    expect(lines).to_have_count(len([i for i in shown if i in best]))
    tab.goto("topics/llm/")  # a page of many days: nothing marked
    expect(tab.page.locator(".for-you-mark")).to_have_count(0)
    tab.clean()


def test_a_row_is_starred_like_a_card_and_then_ranks_no_more(tab: Tab, site_url: str) -> None:
    keep_favorites(tab, best_of(site_url, "llm/pretraining"), STARRED_DAY)
    tab.goto("for-you/")
    first_id = ranked(tab)[0]
    row = tab.page.locator(f'.for-you-item[data-id="{first_id}"]')
    link = row.locator(".for-you-title").get_attribute("href")
    assert link == f"{site_url}2026/06/19/llm/#{first_id}"  # its card, on its topic page
    row.locator(".for-you-star").click()
    expect(row.locator(".for-you-star")).to_have_attribute("aria-pressed", "true")
    tab.page.wait_for_function(
        "id => JSON.parse(localStorage.getItem('digest.favorites'))[0].bibtex?.includes(id)",
        arg=first_id,
    )  # its BibTeX, from the day's citations
    tab.goto("favorites/")
    item = tab.page.locator(f'li.favorite[data-id="{first_id}"]')
    expect(item.locator("a")).to_have_attribute("href", link)
    tab.goto("2026/06/19/llm/")
    expect(card(tab.page, first_id).locator(".paper-star")).to_have_attribute(
        "aria-pressed", "true"
    )
    tab.goto("for-you/")
    assert first_id not in ranked(tab)  # kept already: 推荐 shows what is not
    tab.clean()


def test_the_page_fits_a_phone(browser: Browser, site_url: str) -> None:
    context = browser.new_context(base_url=site_url, viewport=PHONE, has_touch=True)
    tab = open_tab(context)
    keep_favorites(tab, best_of(site_url, "llm/pretraining"), STARRED_DAY)
    tab.goto("for-you/")
    assert len(ranked(tab)) >= 10
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the 推荐 page scrolls sideways on a phone: {width}px"
    star = tab.page.locator(".for-you-star").first.bounding_box()
    assert star and star["width"] >= 24 and star["height"] >= 24
    tab.clean()
    context.close()
