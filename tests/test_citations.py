"""Citations for reference managers (issue 19, item 4): every card's COinS span, read
back from the built fixture site as Zotero reads it, and the favorites' RIS export,
each compared with the stored record."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl

from browser_site import Tab
from fixture_site import DAYS, HOSTILE_ID, OLDER_DAY
from playwright.sync_api import expect

from generator.models import Paper
from generator.render.bibtex import citation
from generator.store import Store

LLM_PAGE = "2026/06/19/llm/"
SAFETY_PAGE = "2026/06/18/llm-safety/"

# Zotero's reading of a ContextObject (zotero/utilities, openurl.js parseContextObject):
# split at & and =, "+" and "%2B" read as spaces, then decodeURIComponent. Run in the
# page on each span.Z3988 as the DOM gives its title, the way the COinS translator does.
ZOTERO_READS = """() => [...document.querySelectorAll("span.Z3988[title]")].map((span) => ({
  card: span.closest("article.paper").id,
  fields: span.title.split("&").map((part) => {
    const [key, value] = part.split("=");
    return [key, decodeURIComponent(value.replace(/\\+|%2[bB]/g, " "))];
  }),
}))"""


def stored_papers(project: Path) -> dict[str, tuple[Paper, dt.date]]:
    store = Store(project / "data")
    days = [dt.date.fromisoformat(day) for day in DAYS] + [OLDER_DAY]
    return {p.id: (p, day) for day in days for p in store.read_day(day).papers}


def expected_fields(paper: Paper, date: dt.date) -> list[tuple[str, str]]:
    """What the record says the span holds, in its order: no authors, so that Zotero
    reads the paper's whole record by its DOI (render/coins.py)."""
    return [
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
        ("rft.type", "preprint"),
        ("rft.title", paper.title),
        ("rft.date", str(citation(paper, date.year).year)),
        ("rft_id", f"info:doi/10.48550/arXiv.{paper.id}"),
    ]


class _Spans(HTMLParser):
    """(card id, COinS title) of a page, its attributes decoded as a browser does."""

    def __init__(self) -> None:
        super().__init__()
        self.card = ""
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "article" and "paper" in (values.get("class") or "").split():
            self.card = values.get("id") or ""
        elif tag == "span" and values.get("class") == "Z3988":
            self.found.append((self.card, values.get("title") or ""))


def test_every_card_of_every_page_carries_its_record_as_coins(
    site_url: str, site_project: Path
) -> None:
    papers = stored_papers(site_project)
    checked: set[str] = set()
    for page in sorted((site_project / "site").glob("20*/*/*/*/index.html")):
        html = page.read_text("utf-8")
        spans = _Spans()
        spans.feed(html)
        # A card each, a brief none (its card, elsewhere, has the span: test_briefs.py).
        assert len(spans.found) == len(re.findall(r'<article class="paper[ "]', html)), page
        for card, title in spans.found:
            paper, date = papers[card]
            assert parse_qsl(title, strict_parsing=True) == expected_fields(paper, date), card
            checked.add(card)
    assert len(checked) > 30 and HOSTILE_ID in checked


def test_zotero_reads_each_card_of_a_day_from_the_page(tab: Tab, site_project: Path) -> None:
    papers = stored_papers(site_project)
    tab.goto(LLM_PAGE)
    read = tab.page.evaluate(ZOTERO_READS)
    cards = tab.page.locator("article.paper").evaluate_all("cards => cards.map((c) => c.id)")
    assert [entry["card"] for entry in read] == cards and len(cards) > 10
    for entry in read:
        paper, date = papers[entry["card"]]
        # Zotero reads "+" as a space, its own exports included: so does the expectation.
        want = [[key, value.replace("+", " ")] for key, value in expected_fields(paper, date)]
        assert entry["fields"] == want, entry["card"]
    tab.clean()


def test_favorites_download_as_ris_with_their_records(tab: Tab, site_project: Path) -> None:
    papers = stored_papers(site_project)
    tab.goto(SAFETY_PAGE)
    stars = tab.page.locator("article.paper .paper-star")
    stars.nth(0).click()
    stars.nth(1).click()
    chosen = [a.get_attribute("id") for a in tab.page.locator("article.paper").all()[:2]]
    tab.page.wait_for_function(
        "JSON.parse(localStorage.getItem('digest.favorites')).every((f) => f.ris)"
    )
    tab.page.locator(".md-tabs__link", has_text="收藏").click()
    expect(tab.page.locator(".favorites-list li")).to_have_count(2)
    with tab.page.expect_download() as download:
        tab.page.locator('[data-action="download-ris"]').click()
    assert download.value.suggested_filename == "favorites.ris"
    entries = parse_ris(Path(download.value.path()).read_text("utf-8"))
    assert sorted(entry["AN"][0] for entry in entries) == sorted(f"arXiv:{i}" for i in chosen)
    for entry in entries:
        paper, date = papers[entry["AN"][0].removeprefix("arXiv:")]
        assert entry["TY"] == ["UNPB"] and entry["TI"] == [paper.title]
        assert entry["AU"] == [ris_name(name) for name in paper.authors]
        assert entry["PY"] == [str(citation(paper, date.year).year)]
        assert entry["DO"] == [f"10.48550/arXiv.{paper.id}"]
        assert entry["UR"] == [f"https://arxiv.org/abs/{paper.id}"]
    tab.clean()


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """RIS as a reference manager reads it: "XX  - value" lines, TY opens, ER closes."""
    entries: list[dict[str, list[str]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            entries.append({})
        if tag != "ER":
            entries[-1].setdefault(tag, []).append(value)
    return entries


def ris_name(name: str) -> str:
    words = name.split()
    return name if len(words) < 2 else f"{words[-1]}, {' '.join(words[:-1])}"
