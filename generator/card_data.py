"""The paper card's machine-readable parts, defined once.

- The marker: the last attribute of every card's opening tag, so the digest-cards
  plugin (mkdocs_cards.py) finds cards by it. Text from arXiv or an LLM is escaped
  (no `<` or `>` of its own), so `data-card>` cannot be forged by a title, and the
  tag it closes starts at the `<` before it.
- The day file (`YYYY/MM/DD/cards/<part>.json.gz`, a file for each of DAY_PARTS): the
  heavy text of every card of a day, stored once for the day instead of on each topic
  page that lists the paper, and compressed. The page shows what a reader skims
  (titles, authors, score, the topic hit, the summary, links); the abstracts in both
  languages and what a BibTeX entry needs wait there, and the browser fetches a part
  once a visit and decodes it (overrides/assets/javascripts/digest/daycards.js) when a
  reader opens an abstract, copies BibTeX, stars or prints. The entry itself is built in the browser
  (render/bibtex.py says why). GitHub Pages serves the file as it is, compressed:
  it counts file bytes against its 1 GB, and the two abstracts were 60 % of a
  topic page (bench/site_bytes.py).

Both reach the card template (overrides/partials/paper-card.html) and the overview's
topic cards as template globals, through `register`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import jinja2
from markupsafe import Markup

from generator.models import Paper

MARKER = "data-card"


class Citation(Protocol):
    """What render/bibtex.py's Citation gives (not imported: render imports this)."""

    @property
    def key(self) -> str: ...
    @property
    def year(self) -> int: ...
    @property
    def primary_class(self) -> str: ...


def day_entry(paper: Paper, cite: Citation, card: str | None = None) -> dict[str, Any]:
    """What the day file keeps of `paper`, empty fields left out: its abstracts, the
    title (as arXiv gave it: math is KaTeX on the page, TeX here) and every author for
    its citation, and on an older day its whole `card` (render/days.py full_pages). The
    browser reads these names (digest/abstracts.js, card.js, wholecards.js)."""
    fields: dict[str, Any] = {
        "card": card,
        "abstract_zh": paper.abstract_zh,
        "abstract": paper.abstract,
        "title": paper.title,
        "authors": paper.authors,
        "key": cite.key,
        "year": cite.year,
        "class": cite.primary_class,
        "doi": paper.doi,
        "note": paper.journal_ref,
    }
    return {name: value for name, value in fields.items() if value}


# The day file's parts, each in a file of its own with the fields it names: a reader
# who opens a Chinese abstract fetches the Chinese abstracts alone, one who copies
# BibTeX or stars a paper the citations alone (a tenth of the day's bytes).
# digest/abstracts.js and card.js ask for them by these names. An older day's pages
# read its cards at once (digest/wholecards.js); a newer day has no "card" part.
DAY_PARTS = {
    "abstract_zh": ("abstract_zh",),
    "abstract": ("abstract",),
    "citation": ("title", "authors", "key", "year", "class", "doi", "note"),
    "card": ("card",),
}


def day_files(entries: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, bytes]:
    """Each part of the day file (DAY_PARTS): its fields as compact JSON by field, then
    by id (`{"abstract": {id: text}}`: a field's text together compresses 8 % smaller
    than entry by entry, on the reference digests' real abstracts), to be gzipped as it
    is written (`gzipped`, by Content.add_gzipped)."""
    ordered = sorted(entries)
    return {
        part: by_field(ordered, names)
        for part, names in DAY_PARTS.items()
        if any(name in entry for _, entry in ordered for name in names)
    }


def by_field(ordered: list[tuple[str, dict[str, Any]]], names: Iterable[str]) -> bytes:
    """Entries sorted by id as one JSON of `names`, by field then by id, the form
    digest/daycards.js reads (the ranking file too: rank_data.py), in UTF-8."""
    fields = {name: {i: e[name] for i, e in ordered if name in e} for name in names}
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":")) + "\n"
    return text.encode("utf-8")


def gzipped(raw: bytes) -> bytes:
    """A day file's JSON as it is published: gzipped with a fixed header (no time, no
    name), so the same papers give the same bytes. At level 6: level 9 took half as
    long again for 0.2 % fewer bytes (bench/README.md)."""
    return gzip.compress(raw, compresslevel=6, mtime=0)


def read_day_files(folder: Path) -> dict[str, dict[str, Any]]:
    """The entries by id, as day_entry made them, from the day's folder of parts
    (tests and tools read them back with this; digest/daycards.js does the same in the
    browser)."""
    entries: dict[str, dict[str, Any]] = {}
    for part in DAY_PARTS:
        path = folder / f"{part}.json.gz"
        if not path.exists():  # a part no paper of the day has (a newer day's cards)
            continue
        fields = json.loads(gzip.decompress(path.read_bytes()))
        for name, values in fields.items():
            for arxiv_id, value in values.items():
                entries.setdefault(arxiv_id, {})[name] = value
    return entries


def register(env: jinja2.Environment) -> None:
    """Make the marker available to every template of `env`."""
    env.globals["card_marker"] = Markup(MARKER)
