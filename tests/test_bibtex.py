"""BibTeX built from records: parses, keeps the record's facts, survives hostile titles."""

from __future__ import annotations

import bibtexparser
import pytest
from bibtexparser.bparser import BibTexParser

from generator.models import Paper
from generator.render.bibtex import bibtex, citation_key


def paper(**fields: object) -> Paper:
    values: dict[str, object] = {
        "id": "2604.23130",
        "version": 2,
        "title": "From Concept-Aligned Tokens to Vulnerable Features",
        "authors": ["Nilanjana Das", "Mathew Dawit", "Aman Chadha"],
        "abstract": "…",
        "categories": ["cs.CL", "cs.AI"],
        "primary_category": "cs.CL",
        "announce_type": "replace",
    }
    values.update(fields)
    return Paper(**values)  # type: ignore[arg-type]


def parse(text: str) -> dict[str, str]:
    parser = BibTexParser(common_strings=False)
    parser.ignore_nonstandard_types = False
    entries = bibtexparser.loads(text, parser=parser).entries
    assert len(entries) == 1, text
    return entries[0]


def test_an_entry_has_the_record_facts_in_arxiv_style() -> None:
    entry = parse(bibtex(paper(doi="10.1/x", journal_ref="ACL 2026"), 2026))
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["ID"] == "das2026concept"
    assert entry["title"] == "From Concept-Aligned Tokens to Vulnerable Features"
    assert entry["author"] == "Nilanjana Das and Mathew Dawit and Aman Chadha"
    assert entry["year"] == "2026"
    assert entry["eprint"] == "2604.23130"
    assert entry["archiveprefix"] == "arXiv"
    assert entry["primaryclass"] == "cs.CL"
    assert entry["url"] == "https://arxiv.org/abs/2604.23130"
    assert entry["doi"] == "10.1/x" and entry["note"] == "ACL 2026"


def test_the_year_comes_from_the_id_not_the_announcement() -> None:
    # A replacement announced in 2026 of a paper first submitted in 2023.
    assert parse(bibtex(paper(id="2305.14985"), 2026))["year"] == "2023"


@pytest.mark.parametrize(
    "title",
    [
        "Unbalanced {brace in a title",
        "Closing } first { then",
        "Fees & 50% of #1 cases",
        "Math $O(n^{2})$ and \\emph{emphasis}",
        "A stray backslash \\{ and }",
        "<script>alert(1)</script> @misc{evil, title={x}}",
    ],
)
def test_hostile_titles_still_give_one_parsable_entry(title: str) -> None:
    entry = parse(bibtex(paper(title=title), 2026))
    assert entry["eprint"] == "2604.23130"
    for char in "&%#":
        assert f"\\{char}" in entry["title"] or char not in title


def test_a_team_name_with_and_stays_one_author() -> None:
    entry = parse(bibtex(paper(authors=["Ann Lee", "The Search and Rescue Team"]), 2026))
    assert entry["author"] == "Ann Lee and {The Search and Rescue Team}"


def test_keys_are_ascii_and_fall_back_to_the_id() -> None:
    assert citation_key(paper(authors=["José Núñez"], title="Über Alles"), 2026) == (
        "nunez2026uber"
    )
    assert citation_key(paper(authors=[], title="The Title"), 2026) == "arxiv260423130"
    assert citation_key(paper(authors=["李 明"], title="标题"), 2026) == "arxiv260423130"
