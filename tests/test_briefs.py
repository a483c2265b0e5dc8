"""One card a day per paper: the topic it scores best in shows its card, every other
topic page listing it that day shows its brief (overrides/partials/paper-brief.html),
which links there. Rendered from hand-made days, then read in Chromium on the fixture
site, with and without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

from browser_site import Tab, open_tab
from fixture_site import HOSTILE_ID, HOSTILE_TITLE, hostile_paper, translated_llm_paper
from playwright.sync_api import Browser, BrowserContext, Locator, expect

from generator.config import load_config
from generator.models import Day, Paper, TopicHit
from generator.render import render_site
from generator.render.search import search_documents
from generator.render.selections import Selections
from generator.render.urls import source_path, topic_day_url
from generator.site.layout import document_path

DATE = dt.date(2026, 6, 19)
ELEMENT = re.compile(r'<article class="(paper|paper-brief)[" ][^>]*\bid="([^"]+)"')


def listed_in(arxiv_id: str, *hits: tuple[str, str, int]) -> Paper:
    """A translated paper listed under each (topic, sub-topic, score) of `hits`."""
    paper = translated_llm_paper(
        arxiv_id,
        0,
        "",
        title=f"Paper {arxiv_id}",
        title_zh=f"论文 {arxiv_id}",
        authors=[f"Author {i}" for i in range(5)],
        abstract=f"Abstract of {arxiv_id}.",
        tldr=f"总结 {arxiv_id}",
    )
    paper.topics = [TopicHit(topic, sub, score, "测试") for topic, sub, score in hits]
    return paper


def shapes() -> Day:
    """One topic; two with the better second; two tied (digest.yml names llm first);
    three topics; a hostile paper under two."""
    hostile = hostile_paper()
    hostile.topics.append(TopicHit("agents", "tool-use", 70, "<i>x</i>"))
    return Day(
        DATE,
        [
            listed_in("2606.00001", ("llm", "other", 80)),
            listed_in("2606.00002", ("llm", "other", 70), ("agents", "tool-use", 90)),
            listed_in("2606.00003", ("agents", "planning-memory", 85), ("llm", "pretraining", 85)),
            listed_in(
                "2606.00004",
                ("reasoning", "test-time", 75),
                ("llm", "other", 95),
                ("agents", "software", 60),
            ),
            hostile,
        ],
    )


HOMES = {
    "2606.00001": "llm",
    "2606.00002": "agents",
    "2606.00003": "llm",
    "2606.00004": "llm",
    HOSTILE_ID: "llm",
}


def topic_pages(project: Path, day: Day) -> dict[str, str]:
    config = load_config(project / "digest.yml")
    render_site(config, [day], project / "content", None)
    content = project / "content"
    return {
        t.slug: (content / source_path(topic_day_url(DATE, t.slug))).read_text("utf-8")
        for t in config.topics
    }


def test_each_paper_has_one_card_a_day_and_a_brief_on_every_other_page(project: Path) -> None:
    day = shapes()
    pages = topic_pages(project, day)
    for paper in day.papers:
        shown = {
            slug: kind
            for slug, page in pages.items()
            for kind, arxiv_id in ELEMENT.findall(page)
            if arxiv_id == paper.id
        }
        assert shown == {
            hit.topic: "paper" if hit.topic == HOMES[paper.id] else "paper-brief"
            for hit in paper.topics
        }, paper.id


def brief_of(page: str, arxiv_id: str) -> str:
    start = page.index('<article class="paper-brief')
    start = page.index(f'id="{arxiv_id}"', start)
    start = page.rindex("<article", 0, start)
    return page[start : page.index("</article>", start)]


def test_a_brief_holds_what_a_reader_skims_and_links_to_the_card(project: Path) -> None:
    pages = topic_pages(project, shapes())
    brief = brief_of(pages["llm"], "2606.00002")
    assert brief.count('href="../agents/#2606.00002"') == 2  # the title and "full card in"
    assert 'href="https://arxiv.org/abs/2606.00002"' in brief
    assert "论文 2606.00002" in brief and "Paper 2606.00002" in brief  # both titles
    assert "Author 0, Author 1, Author 2 <i>等 5 人</i>" in brief  # the first authors
    assert "Author 3" not in brief
    assert "总结 2606.00002" in brief  # the summary
    assert 'style="--score:70"' in brief and "<b>70</b>" in brief  # its score here, not at home
    assert "智能体 / Agents" in brief  # where the card is
    assert "Abstract of" not in brief and "Z3988" not in brief  # what the card alone holds
    three = brief_of(pages["agents"], "2606.00004")
    assert 'href="../llm/#2606.00004"' in three and "<b>60</b>" in three


def test_hostile_text_is_escaped_in_a_brief(project: Path) -> None:
    brief = brief_of(topic_pages(project, shapes())["agents"], HOSTILE_ID)
    assert "<script" not in brief and "<img" not in brief and "<b>Mallory" not in brief
    assert HOSTILE_TITLE in unescape(brief)
    assert "Eve &lt;b&gt;Mallory&lt;/b&gt;" in brief


def test_search_the_whole_day_and_the_ranking_file_lead_to_the_card(project: Path) -> None:
    day = shapes()
    config = load_config(project / "digest.yml")
    topic_pages(project, day)
    documents = search_documents(config, [day], Selections(config.selection.threshold))
    whole_day = (project / "content/2026/06/19/all.md").read_text("utf-8")
    for arxiv_id, home in HOMES.items():
        link = re.search(r'link:([^"]+)"', documents[document_path(DATE, arxiv_id)])
        assert link and link.group(1) == f"2026/06/19/{home}/#{arxiv_id}"
        assert f'<li><a href="../{home}/#{arxiv_id}"><code>{arxiv_id}</code>' in whole_day


def briefed_pages(site: Path) -> list[str]:
    """The fixture site's topic pages of a day that hold a brief, as paths under its root."""
    pages = sorted(site.glob("2026/*/*/*/index.html"))
    return [
        str(page.parent.relative_to(site)) + "/"
        for page in pages
        if 'class="paper-brief' in page.read_text("utf-8")
    ]


def test_the_fixture_days_store_each_card_once(site_url: str, site_project: Path) -> None:
    """The real fixture days through the shipped topics: no paper has two cards on a
    day, and a paper on two topic pages has one card and one brief."""
    site = site_project / "site"
    days = sorted({page.parent.parent for page in site.glob("2026/*/*/llm/index.html")})
    briefs = 0
    for day in days:
        shown: dict[str, list[str]] = {}
        for page in day.glob("*/index.html"):
            for kind, arxiv_id in ELEMENT.findall(page.read_text("utf-8")):
                shown.setdefault(arxiv_id, []).append(kind)
        assert shown and all(kinds.count("paper") == 1 for kinds in shown.values()), day
        briefs += sum(kinds.count("paper-brief") for kinds in shown.values())
    assert briefs > 0 and briefed_pages(site)


def test_without_javascript_a_brief_reads_and_leads_to_the_card(
    browser: Browser, site_url: str, site_project: Path
) -> None:
    page_path = briefed_pages(site_project / "site")[0]
    context = browser.new_context(base_url=site_url, java_script_enabled=False)
    tab = open_tab(context)
    tab.goto(page_path)
    brief = tab.page.locator(".paper-brief").first
    for part in (".paper-title-en", ".paper-authors", ".score"):
        expect(brief.locator(part)).to_be_visible()
    arxiv_id = brief.get_attribute("id")
    brief.locator(".paper-title a").click()
    tab.page.wait_for_load_state()
    expect(tab.page.locator(f'article.paper[id="{arxiv_id}"]')).to_be_visible()
    assert tab.page.url.endswith(f"#{arxiv_id}") and page_path not in tab.page.url
    context.close()


def first_brief(context: BrowserContext, site_project: Path) -> tuple[Tab, str, Locator]:
    """A tab on the fixture site's first page with a brief, unfiltered; the page, its brief."""
    page_path = briefed_pages(site_project / "site")[0]
    tab = open_tab(context)
    tab.goto(f"{page_path}?min=0")
    return tab, page_path, tab.page.locator(".paper-brief").first


def test_a_brief_opens_its_card_in_place_and_the_filters_count_it(
    context: BrowserContext, site_project: Path
) -> None:
    tab, page_path, brief = first_brief(context, site_project)
    page = tab.page
    link = brief.locator(":scope > .paper-title > a")
    expect(link).to_have_attribute("aria-expanded", "false")
    link.click()
    opened = brief.locator(".row-card article.paper")
    expect(opened).to_be_visible()
    expect(opened.locator(".paper-star")).to_be_visible()  # a card, with its controls
    expect(brief.locator(":scope > .paper-authors")).to_be_hidden()  # the card says it
    assert page.url.split("?")[0].endswith(page_path)  # opened in place, not followed
    link.click()
    expect(brief.locator(".row-card")).to_be_hidden()
    expect(brief.locator(":scope > .paper-authors")).to_be_visible()
    items = page.locator(".paper-list > :is(article.paper, .paper-brief)").count()
    page.locator("details.digest-filters__fold summary").click()
    expect(page.locator(".digest-filters__count")).to_contain_text(f"/ {items} 篇")
    tab.clean()


def test_the_text_filter_finds_a_brief_by_its_abstract(
    context: BrowserContext, site_project: Path
) -> None:
    tab, _, brief = first_brief(context, site_project)
    page = tab.page
    arxiv_id = brief.get_attribute("id")
    words = "ampersand"  # in its abstract (fixture_site.HOSTILE_ABSTRACT), in the day file only
    assert arxiv_id == HOSTILE_ID and words not in (brief.text_content() or "")
    page.locator("details.digest-filters__fold summary").click()
    page.get_by_label("文字").fill(words)
    expect(page.locator(".paper-list > :is(article.paper, .paper-brief):visible")).to_have_count(1)
    expect(page.locator(f'.paper-brief[id="{arxiv_id}"]')).to_be_visible()
    tab.clean()
