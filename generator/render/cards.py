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
BRIEF_TEMPLATE = "partials/paper-brief.html"
# Each announce type as the page names it: in Chinese, and in English mode.
ANNOUNCE_LABELS = {
    "new": ("新提交", "New"),
    "cross": ("交叉列表", "Cross-list"),
    "replace": ("版本更新", "Replaced"),
    "replace-cross": ("替换交叉", "Replaced cross-list"),
}
AUTHOR_LIMIT = 12  # authors shown before "… 等 N 人"
BRIEF_AUTHORS = 3  # a brief's authors, before "等"
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


@dataclass(frozen=True)
class BriefView:
    """A paper's brief on a topic page of `date` whose card is on another topic's page
    of the day, its home (Selections.homes): `hit` is its hit here, `home_href` its card.
    With no home, the brief stands for the paper's own card on an older day's page
    (render/days.py full_pages): the whole card waits in the day file."""

    paper: Paper
    hit: TopicHit
    date: dt.date
    home_name: str | None = None
    home_href: str | None = None


class Cards:
    """Renders card views through the theme's card template, and briefs through its
    brief template."""

    def __init__(self, templates: jinja2.Environment, language: str) -> None:
        # Before the card is compiled: Jinja looks its filters up then.
        templates.filters["linkify"] = linkify  # URLs in arXiv's text, escaped around them
        self._template = templates.get_template(CARD_TEMPLATE)
        self._brief = templates.get_template(BRIEF_TEMPLATE)
        self._language = language

    def render(self, card: CardView | BriefView, *, slots: bool = False) -> Markup:
        """The card or brief as a page shows it; with `slots`, a card as an older day's
        file holds it, without what its brief shows as it is (digest/wholecards.js)."""
        if isinstance(card, BriefView):
            return self.render_brief(card)
        # The names are paper-card.html's: the theme's template reads them as they are.
        html = self._template.render(
            slots=slots,
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
        return _one_block(html)

    def render_brief(self, brief: BriefView) -> Markup:
        html = self._brief.render(
            paper=brief.paper,
            hit=brief.hit,
            date=brief.date.isoformat(),
            home_name=brief.home_name,
            home_href=brief.home_href,
            author_limit=BRIEF_AUTHORS,
            language=self._language,
        )
        return _one_block(html)


def _one_block(html: str) -> Markup:
    # Belt and braces: a blank line would end the raw HTML block in Markdown.
    return Markup(re.sub(r"\n\s*\n", "\n", html).strip())
