"""The digest-cards plugin: cards leave Markdown's way and come back unchanged."""

from __future__ import annotations

from types import SimpleNamespace

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
    + "\n</div>\n\nSome *Markdown* after.\n"
)


def test_cards_skip_markdown_and_come_back_byte_for_byte() -> None:
    plugin = CardsPlugin()
    source = "---\ntitle: Day\n---\n" + PAGE  # cards come back from the source file
    page = SimpleNamespace(file=SimpleNamespace(content_string=source))
    stashed = plugin.on_page_markdown(PAGE, page=page)
    assert "<article" not in stashed
    assert stashed.count("<!--digest-card:") == 2
    html = plugin.on_post_page(markdown.markdown(stashed), page=page)
    for card in CARDS:
        assert card in html  # untouched: no <em>, the escaped comment stays text
    assert "<em>Markdown</em>" in html  # the rest of the page is still Markdown
    assert html.index(CARDS[0]) < html.index(CARDS[1])
