"""A MkDocs plugin that keeps paper cards out of Markdown's way, and out of memory.

Cards are raw HTML blocks made by render/ and escaped there. Python-Markdown and
MkDocs would still run an HTML parser over every element of them, which was 80 % of
a build (bench/README.md). Before Markdown, each card is swapped for an HTML comment
holding its number; once the page is laid out, the comments are swapped for the cards
read again from the page's source. MkDocs holds every page's content until the build
ends, and cards are nearly all of it: at 750 days that was 1.4 GB, now a few hundred
MB. Text from arXiv or an LLM is escaped in the cards, so it cannot forge a comment.

Registered as the `digest-cards` plugin (pyproject.toml, mkdocs.yml).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from mkdocs.plugins import BasePlugin

CARD = re.compile(r'<article class="paper[ "].*?</article>', re.DOTALL)
PLACEHOLDER = re.compile(r"<!--digest-card:(\d+)-->")


class CardsPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def on_page_markdown(self, markdown: str, /, **_: Any) -> str:
        number = itertools.count()
        return CARD.sub(lambda _: f"<!--digest-card:{next(number)}-->", markdown)

    def on_post_page(self, output: str, /, *, page: Any, **_: Any) -> str:
        if "<!--digest-card:" not in output:
            return output
        cards = CARD.findall(page.file.content_string)  # in the same order as numbered
        return PLACEHOLDER.sub(lambda match: cards[int(match.group(1))], output)
