"""The paper card's machine-readable parts, defined once.

- The marker: the last attribute of every card's opening tag, so the digest-cards
  plugin (mkdocs_cards.py) finds cards by it. Text from arXiv or an LLM is escaped
  (no `<` or `>` of its own), so `data-card>` cannot be forged by a title, and the
  tag it closes starts at the `<` before it.
- The paper's data: what a BibTeX entry needs that the card does not already carry
  as an attribute (`id`, `data-date`), as JSON in `data-paper`, read by the browser
  (overrides/assets/javascripts/digest/card.js) instead of the card's text, which
  KaTeX rewrites and which joins authors with the commas some names hold. Only that:
  the entry itself is built in the browser (render/bibtex.py says why), and the
  Chinese title a favorite shows is the card's plain text (`.paper-title-zh`); in
  the data it would cost 70 bytes a card (bench/page_weight.py).

Both reach the card template (overrides/partials/paper-card.html) and the overview's
topic cards as template globals, through `register`.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import jinja2
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from generator.models import Paper

MARKER = "data-card"


class Citation(Protocol):
    """What render/bibtex.py's Citation gives (not imported: render imports this)."""

    key: str
    year: int
    primary_class: str


def paper_data(paper: Paper, cite: Citation) -> Markup:
    """The card's `data-paper` value: compact JSON with < > & ' escaped as JSON
    escapes, safe in a single-quoted attribute; empty fields left out."""
    fields: dict[str, Any] = {
        "title": paper.title,  # as arXiv gave it: math is KaTeX on the page, TeX here
        "authors": paper.authors,
        "key": cite.key,
        "year": cite.year,
        "class": cite.primary_class,
        "doi": paper.doi,
        "note": paper.journal_ref,
    }
    present = {name: value for name, value in fields.items() if value}
    return htmlsafe_json_dumps(present, dumps=_compact)


def _compact(value: Any, **_: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def register(env: jinja2.Environment) -> None:
    """Make the marker and the paper's data available to every template of `env`."""
    env.globals["card_marker"] = Markup(MARKER)
    env.globals["paper_data"] = paper_data
