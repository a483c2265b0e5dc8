"""An archive split over two sites (issue 18, item 4), in Chromium: the newer site and
the older one served from two loopback origins, the older one sending the CORS header
GitHub Pages sends; the newer site's search box finds the papers of both, and an older
result leads to the older site. Without the header the older site's search cannot be
read, and the dialog says so."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_site import PREFIX, StaticSite, Tab, card, chromium, open_tab
from fixture_site import OLDER_DAY, OLDER_ID, copy_project, hostile_paper, older_paper
from fixture_site import translated_llm_paper as paper
from playwright.sync_api import Browser, expect

from generator.cli import main
from generator.models import Day
from generator.store import Store

CORS = {"Access-Control-Allow-Origin": "*"}  # what GitHub Pages sends with every file
NEWER_DAY = dt.date(2026, 6, 19)
NEWER_ID = "2606.00042"
NEWER_TITLE = "Wombat: A Benchmark of Reasoning from the Newer Site"
EARLIER_OLDER_DAY = dt.date(2025, 12, 30)


@dataclass
class Sites:
    newer: str  # each site's root address
    older: str
    older_headers: dict[str, str]  # what the older site sends: the test may take CORS away


def write_archive(root: Path) -> None:
    """Two days before the split (2026-01-01), one after, with the fixture papers."""
    store = Store(root / "data")
    earlier = paper(
        "2512.00002",
        75,
        "测试",
        title="Numbat: Older Agents",
        authors=["Nell Numbat"],
        abstract="An older paper of the older site.",
        title_zh="袋食蚁兽:较早的智能体",
        abstract_zh="旧站的一篇较早论文。",
        tldr="较早的智能体。",
    )
    newer = paper(
        NEWER_ID,
        90,
        "测试",
        title=NEWER_TITLE,
        authors=["Wendy Wombat"],
        abstract="A paper only the newer site holds.",
        title_zh="袋熊:新站的推理基准",
        abstract_zh="只在新站的一篇论文。",
        tldr="新站的推理基准。",
    )
    store.write_day(Day(EARLIER_OLDER_DAY, [earlier]))
    store.write_day(Day(OLDER_DAY, [older_paper()]))  # "Quokka: A Benchmark of Jailbreak…"
    store.write_day(Day(NEWER_DAY, sorted([newer, hostile_paper()], key=lambda p: p.id)))


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    root = tmp_path_factory.mktemp("split") / "project"
    headers = dict(CORS)
    with StaticSite(root / "site") as newer, StaticSite(root / "older" / "site", headers) as older:
        newer_url, older_url = newer.origin + PREFIX, older.origin + PREFIX
        copy_project(root, site_url=newer_url)
        with (root / "digest.yml").open("a", encoding="utf-8") as config:
            config.write(f"\narchive:\n  older_site: {older_url}\n  split_before: 2026-01-01\n")
        write_archive(root)
        assert main(["--root", str(root), "build"]) == 0
        assert main(["--root", str(root), "build", "--older"]) == 0
        yield Sites(newer_url, older_url, headers)


# After `sites`: the builds run before Playwright's event loop starts in this thread.
@pytest.fixture(scope="module")
def browser(sites: Sites) -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def tab(browser: Browser, sites: Sites) -> Iterator[Tab]:
    context = browser.new_context(base_url=sites.newer, viewport={"width": 1280, "height": 900})
    yield open_tab(context)
    context.close()


def search(tab: Tab, query: str) -> Any:
    """The newer site's search dialog, `query` typed; its status once it answered."""
    tab.goto("")
    tab.page.keyboard.press("/")
    status = tab.page.locator(".digest-search__status")
    tab.page.locator(".digest-search__input").fill(query)
    expect(status).to_have_text(re.compile(r"找到|没有找到|无法读取"))
    return status


def result_links(tab: Tab) -> list[str]:
    return tab.page.eval_on_selector_all(".digest-result__link", "links => links.map(a => a.href)")


def test_the_newer_sites_search_finds_a_paper_of_each_site(tab: Tab, sites: Sites) -> None:
    expect(search(tab, "Wombat")).to_have_text("找到 1 篇(2026 年 4–6 月)")
    assert result_links(tab) == [f"{sites.newer}2026/06/19/llm/#{NEWER_ID}"]
    # Nothing in the newer site's quarter: the older site's quarters are searched, there.
    expect(search(tab, "Quokka")).to_have_text("找到 1 篇(2025 年 10–12 月至今)")
    assert result_links(tab) == [f"{sites.older}2025/12/31/llm/#{OLDER_ID}"]
    tab.page.locator(".digest-result__link").click()
    tab.page.wait_for_url(f"{sites.older}2025/12/31/llm/#{OLDER_ID}")
    tab.page.wait_for_load_state("networkidle")
    expect(card(tab.page, OLDER_ID)).to_be_visible()
    # The older site says where the newer one is, on every page.
    notice = tab.page.locator(".md-banner .digest-older-notice")
    expect(notice).to_contain_text("本站是 2026 年 1 月以前的归档")
    assert notice.locator("a").first.get_attribute("href") == sites.newer
    tab.clean()


def test_an_arxiv_id_is_looked_for_only_on_the_site_that_can_hold_it(
    tab: Tab, sites: Sites
) -> None:
    expect(search(tab, f"arXiv:{OLDER_ID}v1")).to_have_text("找到 1 篇(2025 年 10–12 月至今)")
    assert result_links(tab) == [f"{sites.older}2025/12/31/llm/#{OLDER_ID}"]
    # An id of June 2026 cannot be on a site of the days before 2026: not offered.
    expect(search(tab, NEWER_ID)).to_have_text("找到 1 篇(2026 年 4–6 月)")
    expect(tab.page.locator(".digest-search__more")).to_be_hidden()
    tab.clean()


def test_the_older_site_is_searched_on_request_after_the_newer_results(
    tab: Tab, sites: Sites
) -> None:
    expect(search(tab, "benchmark")).to_have_text("找到 1 篇(2026 年 4–6 月)")
    more = tab.page.locator(".digest-search__more")
    expect(more).to_have_text("搜索 2026 年 1 月以前")
    more.click()
    status = tab.page.locator(".digest-search__status")
    expect(status).to_have_text("找到 2 篇(2025 年 10–12 月至今)")
    assert result_links(tab) == [
        f"{sites.newer}2026/06/19/llm/#{NEWER_ID}",
        f"{sites.older}2025/12/31/llm/#{OLDER_ID}",
    ]
    expect(tab.page.locator(".digest-search__period")).to_have_text("2025 年 10–12 月")
    expect(more).to_be_hidden()  # the older site has one quarter, and nothing after it
    tab.clean()


def follow(tab: Tab, name: str, address: str) -> None:
    """Click the link named `name`; the page at `address` loaded, its requests done (a
    click while Material still fetches would abort them)."""
    tab.page.get_by_role("link", name=name, exact=True).click()
    tab.page.wait_for_url(address)
    tab.page.wait_for_load_state("networkidle")


def test_the_days_lead_from_one_site_to_the_other(tab: Tab, sites: Sites) -> None:
    tab.goto("2026/06/19/")
    follow(tab, "← 2025-12-31", f"{sites.older}2025/12/31/")
    follow(tab, "2026-06-19 →", f"{sites.newer}2026/06/19/")
    tab.goto("archive/")
    follow(tab, "旧站归档", f"{sites.older}archive/")
    expect(tab.page.locator(".archive-summary")).to_contain_text("共 2 天,2 篇论文")
    tab.clean()


def test_without_the_cors_header_the_dialog_says_the_older_search_is_unreachable(
    tab: Tab, sites: Sites
) -> None:
    sites.older_headers.clear()  # a host that sends no Access-Control-Allow-Origin
    try:
        expect(search(tab, "Quokka")).to_have_text(
            f"无法读取旧站的搜索索引({sites.older}),请稍后再试。"
        )
        assert result_links(tab) == []
        # The newer site's own search is untouched.
        expect(search(tab, "Wombat")).to_have_text("找到 1 篇(2026 年 4–6 月)")
    finally:
        sites.older_headers.update(CORS)
    assert tab.errors == []
    assert any(url.endswith("/pagefind/periods.json") for url in tab.failed), tab.failed
