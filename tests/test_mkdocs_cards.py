"""The digest-cards plugin: cards leave Markdown's way and come back unchanged."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import markdown
from conftest import REPO, rss_bytes

from generator import record
from generator.card_data import read_day_files
from generator.config import load_config
from generator.mkdocs_cards import CardsPlugin, blocks
from generator.models import Day, Paper
from generator.render import render_site
from generator.sources.rss import parse_feed
from generator.topics import triage

CARDS = [
    '<article class="paper has-zh" id="2606.00001" data-card>\n'
    "<h3>*not emphasis* &lt;!--digest-card:1--&gt; data-card&gt;</h3>\n</article>",
    '<article class="paper" id="2606.00002" data-date="2026-06-01" data-card>\n'
    "<p>second</p>\n</article>",
]
PAGE = (
    '# Day\n\n## 1. Section\n\n<div class="paper-list">\n'
    + "\n".join(CARDS)
    + "\n</div>\n\nSome *Markdown* after.\n\n"
    + '<div class="topic-overview">\n<section class="topic-card" data-card>\n'
    + '<h3><a href="llm/">LLM</a></h3>\n<ol><li>*a* &lt;b&gt;</li></ol>\n</section>\n</div>\n'
)


def test_cards_skip_markdown_and_come_back_byte_for_byte(tmp_path: Path) -> None:
    plugin = CardsPlugin()
    source = tmp_path / "llm.md"  # cards come back from the source file
    source.write_text("---\ntitle: Day\n---\n" + PAGE, encoding="utf-8")
    page = SimpleNamespace(file=SimpleNamespace(abs_src_path=str(source)))
    stashed = plugin.on_page_markdown(PAGE, page=page)
    assert "<article" not in stashed and "<section" not in stashed
    assert stashed.count("<!--digest-card:") == 3
    html = plugin.on_post_page(markdown.markdown(stashed), page=page)
    for card in [*CARDS, PAGE[PAGE.index("<section") : PAGE.index("</section>") + 10]]:
        assert card in html  # untouched: no <em>, the escaped comment stays text
    assert "<em>Markdown</em>" in html  # the rest of the page is still Markdown
    assert html.index(CARDS[0]) < html.index(CARDS[1])


def test_an_article_without_its_end_is_left_to_markdown() -> None:
    broken = '<article class="paper" id="x" data-card>\n<p>no end'
    assert CardsPlugin().on_page_markdown(broken, page=None) == broken


def test_the_plugin_finds_every_card_the_renderer_makes_and_its_data(tmp_path: Path) -> None:
    config = load_config(REPO / "digest.yml")
    papers = parse_feed(rss_bytes("2026-06-19", "cs.CL")).papers
    forged = Paper(  # text that looks like the marker, and quotes that would end an attribute
        id="2606.99998",
        version=1,
        title="Not a card data-card> <b>x</b> O'Neil's",
        authors=["A. O'Neil", "B <i>& C</i>"],
        abstract="</article> data-card>",
        categories=["cs.CL"],
        primary_category="cs.CL",
        announce_type="new",
    )
    everyone = [*papers, forged]
    record.with_topics(everyone, triage(everyone, config))
    listed = next(p for p in papers if any(hit.score >= 60 for hit in p.topics))
    forged.topics, forged.llm = listed.topics, listed.llm  # listed where that paper is
    content = tmp_path / "content"
    day = Day(dt.date(2026, 6, 19), [*papers, forged])
    render_site(config, [day], content, None, overrides=REPO / "overrides")
    pages = {p.as_posix(): p.read_text("utf-8") for p in content.rglob("*.md")}
    found = {"article": 0, "section": 0, "ol": 0}
    periods = 0  # the lists of week and month pages
    cited = set()
    for text in pages.values():
        cards = [text[start:end] for start, end in blocks(text)]
        openings = re.findall(
            r'<article class="paper|<section class="topic-card"|<ol class="p(?:aper|eriod)-rows"',
            text,
        )
        assert len(cards) == len(openings)
        for card in cards:
            tag = re.match(r"<([a-z]+)", card)[1]  # type: ignore[index]
            found[tag] += 1
            periods += card.startswith('<ol class="period-rows"')
            assert card.endswith(f"</{tag}>") and card.count(f"</{tag}>") == 1
            if tag == "article":
                paper = next(p for p in [*papers, forged] if f'id="{p.id}"' in card)
                cited.add(paper.id)
    assert found["article"] > 10 and found["section"] >= len(config.topics)
    assert found["ol"] >= 1  # the whole-day page's lists of rows
    assert periods >= 2  # a topic's week and month
    assert forged.id in cited
    # What a citation needs of every card comes back from the day file as it was.
    entries = read_day_files(content / "2026/06/19/cards")
    for paper in (p for p in [*papers, forged] if p.id in cited):
        assert entries[paper.id]["title"] == paper.title
        assert entries[paper.id]["authors"] == paper.authors
