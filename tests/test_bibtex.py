"""BibTeX as the reader copies it: built in Chromium by digest/citations.js from a card and
its day file (cards/citation.json.gz, decoded by the browser) as the real renderer made them (key,
year and primary category from render/bibtex.py). It parses, keeps the record's facts and
survives hostile titles."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import bibtexparser
import pytest
from bibtexparser.bparser import BibTexParser
from browser_site import CHROMIUM, CHROMIUM_ARGS
from conftest import REPO
from playwright.sync_api import Page, Route, sync_playwright

from generator.card_data import day_entry, day_files, gzipped
from generator.config import load_config
from generator.models import Paper
from generator.render.bibtex import citation, citation_key
from generator.render.cards import Cards, CardView
from generator.render.context import templates

ORIGIN = "http://digest.test/"  # answered by Playwright, never the network
MODULES = REPO / "overrides" / "assets" / "javascripts" / "digest"


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


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def bibtex(page: Page, record: Paper, announced: int = 2026) -> str:
    """The entry the card's BibTeX button copies, from the card and its day file (the
    gzipped file GitHub Pages serves as it is), both as the renderer makes them."""
    config = load_config(REPO / "digest.yml")
    cards = Cards(templates(REPO / "overrides"), config.site.language)
    card = cards.render(CardView(record, None, dt.date(announced, 6, 19), config.topics[0]))
    html = (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<script id="__config" type="application/json">{json.dumps({"base": "."})}</script>'
        '</head><body><div class="paper-list" data-cards="cards/">'
        f"{card}</div></body></html>"
    )
    parts = day_files([(record.id, day_entry(record, citation(record, announced)))])
    page.route(ORIGIN, lambda route: route.fulfill(body=html, content_type="text/html"))
    page.route(
        f"{ORIGIN}cards/citation.json.gz",
        lambda route: route.fulfill(
            body=gzipped(parts["citation"]), content_type="application/gzip"
        ),
    )
    page.route(f"{ORIGIN}digest/*.js", serve_module)
    page.goto(ORIGIN)
    return str(
        page.evaluate(
            """import("./digest/citations.js")
            .then(m => m.bibtexOf(document.querySelector('article.paper')))"""
        )
    )


def serve_module(route: Route) -> None:
    name = route.request.url.rsplit("/", 1)[1]
    route.fulfill(body=(MODULES / name).read_text(), content_type="text/javascript")


def parse(text: str) -> dict[str, str]:
    parser = BibTexParser(common_strings=False)
    parser.ignore_nonstandard_types = False
    entries = bibtexparser.loads(text, parser=parser).entries
    assert len(entries) == 1, text
    return entries[0]


def test_an_entry_has_the_record_facts_in_arxiv_style(page: Page) -> None:
    entry = parse(bibtex(page, paper(doi="10.1/x", journal_ref="ACL 2026")))
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


def test_every_author_of_a_long_list_is_cited(page: Page) -> None:
    authors = [f"Author {n}" for n in range(30)]  # the card folds all after the 12th
    assert parse(bibtex(page, paper(authors=authors)))["author"] == " and ".join(authors)


def test_the_year_comes_from_the_id_not_the_announcement(page: Page) -> None:
    # A replacement announced in 2026 of a paper first submitted in 2023.
    assert parse(bibtex(page, paper(id="2305.14985")))["year"] == "2023"
    assert parse(bibtex(page, paper(id="cond-mat/0412498"), 2025))["year"] == "2025"


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
def test_hostile_titles_still_give_one_parsable_entry(page: Page, title: str) -> None:
    entry = parse(bibtex(page, paper(title=title)))
    assert entry["eprint"] == "2604.23130"
    for char in "&%#":
        assert f"\\{char}" in entry["title"] or char not in title
    assert "<script>" not in entry["ID"]


def test_a_team_name_with_and_stays_one_author(page: Page) -> None:
    entry = parse(bibtex(page, paper(authors=["Ann Lee", "The Search and Rescue Team"])))
    assert entry["author"] == "Ann Lee and {The Search and Rescue Team}"


def test_an_author_whose_name_holds_a_comma_stays_one_author(page: Page) -> None:
    # The card shows authors joined by ", "; the entry comes from the card's data.
    entry = parse(bibtex(page, paper(authors=["King, Jr., Martin", "Ann Lee"])))
    assert entry["author"] == "King, Jr., Martin and Ann Lee"


def test_keys_are_ascii_and_fall_back_to_the_id() -> None:
    assert citation_key(paper(authors=["José Núñez"], title="Über Alles"), 2026) == (
        "nunez2026uber"
    )
    assert citation_key(paper(authors=[], title="The Title"), 2026) == "arxiv260423130"
    assert citation_key(paper(authors=["李 明"], title="标题"), 2026) == "arxiv260423130"
