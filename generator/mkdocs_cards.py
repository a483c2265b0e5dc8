"""A MkDocs plugin that keeps paper cards out of Markdown's way.

Cards are raw HTML blocks made by render/ and escaped there. Python-Markdown and
MkDocs would still run an HTML parser over every element of them, which was 80 % of
a build (bench/README.md). Before Markdown, each card is swapped for an HTML comment
holding its number; after Markdown, the comment is swapped back. Text from arXiv or an
LLM is escaped in the cards, so it cannot forge such a comment.

Registered as the `digest-cards` plugin (pyproject.toml, mkdocs.yml).
"""

from __future__ import annotations

import re
from typing import Any

from mkdocs.plugins import BasePlugin

CARD = re.compile(r'<article class="paper[ "].*?</article>', re.DOTALL)
PLACEHOLDER = re.compile(r"<!--digest-card:(\d+)-->")


class CardsPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def __init__(self) -> None:
        self._cards: dict[str, list[str]] = {}  # page source → its cards, in order

    def on_page_markdown(self, markdown: str, /, *, page: Any, **_: Any) -> str:
        cards: list[str] = []

        def stash(match: re.Match[str]) -> str:
            cards.append(match.group(0))
            return f"<!--digest-card:{len(cards) - 1}-->"

        text = CARD.sub(stash, markdown)
        self._cards[page.file.src_uri] = cards
        return text

    def on_page_content(self, html: str, /, *, page: Any, **_: Any) -> str:
        cards = self._cards.pop(page.file.src_uri, [])
        return PLACEHOLDER.sub(lambda match: cards[int(match.group(1))], html)
