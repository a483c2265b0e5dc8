"""The ranking file: what the browser ranks a day's papers by for a reader (推荐 / For
you, overrides/assets/javascripts/digest/rank.js and foryou.js).

One file a day beside the day file's parts (`YYYY/MM/DD/cards/rank.json.gz`,
urls.cards_url(date, RANK_PART)), holding every paper of the day, listed on a topic
page or not: a reader's interests need not be the configured topics. Of each paper
only what ranking, a row of the 推荐 page and a row of the whole-day page read: both
titles, the summary, a few authors, the topic hits with their scores, the announce
type, the categories, the row's topic with its score (render/whole_day.py: an older
month's whole-day page builds its rows from this file in the browser, rows.js) and,
for a listed paper, the address of the topic page its card is on. No abstracts: at 900 papers a
day even their first 200 characters would take the file past 150 KB gzipped
(bench/for_you.py measures it). The form is the day file's, by field then by id
(card_data.by_field), gzipped with a fixed header (card_data.gzipped), so the same
papers give the same bytes.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.card_data import by_field
from generator.models import Paper

RANK_PART = "rank"
# The browser reads these names (digest/rank.js paperTerms, foryou.js).
RANK_FIELDS = ("title", "title_zh", "tldr", "authors", "topics", "type", "cats", "best", "page")
# The first authors and the last: who leads the work and, often, whose group it is.
FIRST_AUTHORS = 3


def rank_entry(
    paper: Paper, page: str | None, best: tuple[str, int] | None = None
) -> dict[str, Any]:
    """What the ranking file keeps of `paper`, empty fields left out. `page`: the
    address of the topic page that shows its card, if one does, from the ranking file
    ("../llm/"); `best`: the slug and score of the topic its whole-day row names."""
    authors = paper.authors
    if len(authors) > FIRST_AUTHORS + 1:
        authors = [*authors[:FIRST_AUTHORS], authors[-1]]
    fields: dict[str, Any] = {
        "title": paper.title,
        "title_zh": paper.title_zh,
        "tldr": paper.tldr,
        "authors": authors,
        "topics": {f"{h.topic}/{h.subtopic}": h.score for h in sorted(paper.topics, key=_slug)},
        "type": paper.announce_type,
        "cats": paper.categories,
        "best": list(best) if best else None,
        "page": page,
    }
    return {name: value for name, value in fields.items() if value}


def _slug(hit: Any) -> tuple[str, str]:
    return hit.topic, hit.subtopic


def rank_file(entries: Iterable[tuple[str, dict[str, Any]]]) -> bytes:
    """The day's ranking file from (id, rank_entry) pairs, its JSON before gzip."""
    return by_field(sorted(entries), RANK_FIELDS)


def read_rank_file(path: Path) -> dict[str, dict[str, Any]]:
    """The entries by id, as rank_entry made them (tests and tools; the browser reads
    it with digest/daycards.js)."""
    entries: dict[str, dict[str, Any]] = {}
    for name, values in json.loads(gzip.decompress(path.read_bytes())).items():
        for arxiv_id, value in values.items():
            entries.setdefault(arxiv_id, {})[name] = value
    return entries
