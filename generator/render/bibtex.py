"""What a paper's BibTeX entry needs beyond its title and authors: the citation key,
the year and the primary category. The day file (card_data.py) carries them with the
title and authors, and digest/citations.js builds the entry in arXiv's own @misc
style from it. Built in the browser, the entry costs few bytes: in the HTML it was
0.4 KB a card, 67 MB of a 750-day site.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from generator.models import Paper

_STOP_WORDS = {"a", "an", "the", "on", "of", "for", "from", "in", "to", "and", "with", "towards"}
_WORD = re.compile(r"[a-z0-9]+")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}$")


@dataclass(frozen=True)
class Citation:
    key: str
    year: int
    primary_class: str


def citation(paper: Paper, year: int) -> Citation:
    """`year` is the announcement's; a new-style id's own year wins (a replacement
    announced in 2026 of a 2023 paper is cited as 2023)."""
    primary = paper.primary_category or (paper.categories or [""])[0]
    return Citation(citation_key(paper, year), _year_from_id(paper.id) or year, primary)


def citation_key(paper: Paper, year: int) -> str:
    """`surname2026word`, ASCII only, as arXiv and Google Scholar make them."""
    surname = _ascii(paper.authors[0].split()[-1]) if paper.authors else ""
    words = _WORD.findall(_fold(paper.title).lower())
    word = next((w for w in words if w not in _STOP_WORDS), "")
    key = f"{surname.lower()}{_year_from_id(paper.id) or year}{word}"
    return key if surname else f"arxiv{paper.id.replace('.', '').replace('/', '')}"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _ascii(text: str) -> str:
    return _NOT_ALNUM.sub("", _fold(text))


def _year_from_id(arxiv_id: str) -> int | None:
    match = _NEW_STYLE_ID.match(arxiv_id)
    return 2000 + int(match.group(1)) if match else None
