"""A MkDocs plugin that keeps paper cards out of Markdown's way, and out of memory.

Cards (a paper's, or a topic's on a day overview) are raw HTML blocks made by
render/ and escaped there. Python-Markdown and
MkDocs would still run an HTML parser over every element of them, which was 80 % of
a build (bench/README.md). Before Markdown, each card is swapped for an HTML comment
holding its number; once the page is laid out, the comments are swapped for the cards
read again from the page's source. MkDocs holds every page's content until the build
ends, and cards are nearly all of it: at 750 days that was 1.4 GB, now a few hundred
MB. Text from arXiv or an LLM is escaped in the cards, so it cannot forge a comment.

It is a speed-up and nothing more: without it Markdown leaves the cards as they are,
slowly, and the site comes out the same (tests/test_builders.py builds it both ways).
So a builder that runs no MkDocs plugins (Zensical skips them without a word) loses no
card, and nothing else the pages need may come from a plugin.

It also leaves out of the build the months (and the weeks they own) whose pages the
build cache holds (site/months.py): MkDocs neither reads nor writes them, and build.py
puts them in.
A builder without plugins builds them all, and build.py's copies replace them.

Registered as the `digest-cards` plugin (pyproject.toml, mkdocs.yml).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin

from generator.card_data import MARKER
from generator.site.months import REUSED_ENV

# What is swapped: whatever card_data.py marks, paper cards, the topic cards of
# an overview (each with a few dozen links) and the whole-day page's lists of rows.
# None holds Markdown, nor another block of its own kind.
MARKED = f" {MARKER}>"  # the end of a card's opening tag
PLACEHOLDER = re.compile(r"<!--digest-card:(\d+)-->")
_TAG = re.compile(r"<([a-z]+)[ >]")


def blocks(text: str) -> Iterator[tuple[int, int]]:
    """Start and end of each card in `text`, in order (str.find: a lazy regex over
    800 MB of pages took 12 s)."""
    position = 0
    while (marked := text.find(MARKED, position)) >= 0:
        start = text.rfind("<", position, marked)  # attribute values hold no "<"
        tag = _TAG.match(text, start) if start >= 0 else None
        closing = f"</{tag.group(1)}>" if tag else None
        end = text.find(closing, marked) if closing else -1
        if closing is None or end < 0:
            return  # not a card we made: Markdown gets it as it is
        position = end + len(closing)
        yield start, position


class CardsPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def on_files(self, files: Any, /, **_: Any) -> Any:
        reused = tuple(f"{month}/" for month in os.environ.get(REUSED_ENV, "").split())
        if reused:
            for file in [f for f in files if f.src_uri.startswith(reused)]:
                files.remove(file)
        return files

    def on_page_markdown(self, markdown: str, /, **_: Any) -> str:
        parts, last = [], 0
        for number, (start, end) in enumerate(blocks(markdown)):
            parts += [markdown[last:start], f"<!--digest-card:{number}-->"]
            last = end
        return "".join(parts) + markdown[last:]

    def on_post_page(self, output: str, /, *, page: Any, **_: Any) -> str:
        if "<!--digest-card:" not in output:
            return output
        source = _source(page.file)
        cards = [source[start:end] for start, end in blocks(source)]  # numbered alike
        return PLACEHOLDER.sub(lambda match: cards[int(match.group(1))], output)


def _source(file: Any) -> str:
    # As MkDocs reads it, but twice as fast as its text-mode read.
    if file.abs_src_path:
        return Path(file.abs_src_path).read_bytes().decode("utf-8-sig")
    return str(file.content_string)
