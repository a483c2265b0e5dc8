"""The digest-cards plugin: cards leave Markdown's way and come back unchanged."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import markdown

from generator.mkdocs_cards import CardsPlugin

CARDS = [
    '<article class="paper has-zh" id="2606.00001">\n<h3>*not emphasis* &lt;!--digest-card:1--&gt;'
    "</h3>\n</article>",
    '<article class="paper" id="2606.00002">\n<p>second</p>\n</article>',
]
PAGE = (
    '# Day\n\n## 1. Section\n\n<div class="paper-list">\n'
    + "\n".join(CARDS)
    + "\n</div>\n\nSome *Markdown* after.\n\n"
    + '<div class="topic-overview">\n<section class="topic-card">\n<h3><a href="llm/">LLM</a>'
    + "</h3>\n<ol><li>*a* &lt;b&gt;</li></ol>\n</section>\n</div>\n"
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
    broken = '<article class="paper" id="x">\n<p>no end'
    assert CardsPlugin().on_page_markdown(broken, page=None) == broken


def test_the_theme_links_the_search_manifest_from_the_layout() -> None:
    env = CardsPlugin().on_env(jinja2.Environment(), config=None, files=None)
    assert env.globals["search_manifest"] == "pagefind/periods.json"
