"""The paper card: the one view of a paper on every page that lists papers.

The card is overrides/partials/paper-card.html, part of the theme; it is rendered here
into content/ as one raw HTML block, every value from arXiv or an LLM autoescaped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from generator.config import Topic
from generator.models import BUDGET_LEFT, Paper, TopicHit
from generator.render.bibtex import citation
from generator.render.coins import context_object
from generator.render.links import code_url, linkify

CARD_TEMPLATE = "partials/paper-card.html"  # in the theme's overrides/, beside Material's partials
# Each announce type as the page names it: in Chinese, and in English mode.
ANNOUNCE_LABELS = {
    "new": ("新提交", "New"),
    "cross": ("交叉列表", "Cross-list"),
    "replace": ("版本更新", "Replaced"),
    "replace-cross": ("替换交叉", "Replaced cross-list"),
}
AUTHOR_LIMIT = 12  # authors shown before "… 等 N 人"
# An institution as the LLM writes it: the English name, then a Chinese gloss in
# parentheses, "Tsinghua University (清华大学)". English mode shows the name alone.
GLOSSED = re.compile(
    r"(?P<name>.*?\S)\s*[(（](?P<gloss>[^()（）]*[\u3400-\u9fff][^()（）]*)[)）]\s*"
)


def institution_parts(name: str) -> tuple[str, str | None]:
    """`name` as its English name and its Chinese gloss, if it ends with one."""
    match = GLOSSED.fullmatch(name)
    return (match["name"], match["gloss"]) if match else (name, None)


@dataclass(frozen=True)
class CardView:
    """One paper's card on a page of `date`; `hit` is its hit in `topic`, if the page
    lists it there. Its abstracts wait in the day file (card_data.py)."""

    paper: Paper
    hit: TopicHit | None
    date: dt.date
    topic: Topic


class Cards:
    """Renders card views through the theme's card template."""

    def __init__(self, templates: jinja2.Environment, language: str) -> None:
        # Before the card is compiled: Jinja looks its filters up then.
        templates.filters["linkify"] = linkify  # URLs in arXiv's text, escaped around them
        self._template = templates.get_template(CARD_TEMPLATE)
        self._language = language

    def render(self, card: CardView) -> Markup:
        # The names are paper-card.html's: the theme's template reads them as they are.
        html = self._template.render(
            paper=card.paper,
            hit=card.hit,
            date=card.date.isoformat(),
            announce_labels=ANNOUNCE_LABELS,
            subtopic_names={s.slug: s.name for s in card.topic.subtopics},
            author_limit=AUTHOR_LIMIT,
            institution_parts=institution_parts,
            language=self._language,
            budget_left=BUDGET_LEFT,
            code=code_url(card.paper.comments, card.paper.abstract, card.paper.abstract_zh),
            coins=context_object(card.paper, citation(card.paper, card.date.year).year),
        )
        # Belt and braces: a blank line would end the raw HTML block in Markdown.
        return Markup(re.sub(r"\n\s*\n", "\n", html).strip())
