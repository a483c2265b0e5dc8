"""The search layout, the one place that knows it: where each paper's search document
goes, which period (a quarter) holds it, where each period's Pagefind bundle is
published, and the manifest that lists them for the browser.

The browser asks for the manifest and nothing else it would have to work out: each
entry names its period, its label and its bundle's script (relative to the manifest).
overrides/main.html links the manifest at MANIFEST_URL (tests/test_builders.py checks
they agree), so the browser (digest/search.js) turns no date into a path.

An archive split over two sites (generator/split.py) ends the newer site's manifest
with an entry for the older site, `older_site`: its manifest and its root, read only
when a search goes past the newer site's quarters. Each of the older site's quarters
is then one more bundle, loaded from there like ours (GitHub Pages sends
`Access-Control-Allow-Origin: *`, which a module import and Pagefind's fetches from
another origin need). That is what Pagefind's multisite `mergeIndex(url)` does too:
a second Pagefind instance with another bundle path, searching with the first one's
WebAssembly; but merged, every bundle is searched by every query, and the first query
would download all the older site's quarters. Here a query still searches the newest
quarter first, and older ones, this site's or the older site's, only when asked or
when the newer ones found nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

FOLDER = "pagefind"  # under site/: one bundle per period in FOLDER/<period>/
MANIFEST = "periods.json"  # in FOLDER
MANIFEST_URL = f"{FOLDER}/{MANIFEST}"  # from the site's root, as the theme links it


def document_path(date: dt.date, arxiv_id: str) -> str:
    """A paper's search document for a day it is listed: "2026/06/19/2606.12345.html"."""
    return f"{date:%Y/%m/%d}/{arxiv_id}.html"


def quarter(date: dt.date) -> str:
    """ "2026-q2": the period, and so the bundle, of a day's papers."""
    return f"{date.year}-q{(date.month - 1) // 3 + 1}"


def period_of(path: str) -> str:
    """The period of a search document from `document_path`: "2026/06/19/…" → "2026-q2"."""
    year, month = path.split("/", 2)[:2]
    return quarter(dt.date(int(year), int(month), 1))


def period_label(period: str) -> str:
    """What readers see: "2026-q2" → "2026 年 4–6 月"."""
    year, number = period.split("-q")
    first = (int(number) - 1) * 3 + 1
    return f"{year} 年 {first}–{first + 2} 月"


def by_period(documents: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Search documents (path → HTML) grouped by period."""
    grouped: dict[str, dict[str, str]] = {}
    for path, html in documents.items():
        grouped.setdefault(period_of(path), {})[path] = html
    return grouped


def manifest(periods: Iterable[str]) -> list[dict[str, str]]:
    """What the browser reads: the periods newest first, each with its label and its
    bundle's Pagefind script, relative to the manifest."""
    return [
        {"id": period, "label": period_label(period), "bundle": f"{period}/pagefind.js"}
        for period in sorted(periods, reverse=True)
    ]


def older_site(site: str, split: dt.date) -> dict[str, str]:
    """The manifest's entry for the search of an older site at `site` (its root, ending
    in "/"), which holds the days before `split`; the browser reads its manifest when a
    search gets there, and puts its periods in this entry's place."""
    return {
        "id": f"before-{split.isoformat()}",
        "label": f"{split.year} 年 {split.month} 月以前",
        "manifest": site + MANIFEST_URL,
        "site": site,  # where its results' links lead
        "before": split.isoformat(),  # an arXiv id of this month or later is not there
    }


def write_manifest(
    output: Path, periods: Iterable[str], elsewhere: Iterable[Mapping[str, str]] = ()
) -> None:
    """The manifest into `output` (site/FOLDER/); `elsewhere` after this site's periods
    (`older_site`)."""
    output.mkdir(parents=True, exist_ok=True)
    entries = [*manifest(periods), *elsewhere]
    text = json.dumps(entries, ensure_ascii=False) + "\n"
    (output / MANIFEST).write_text(text, encoding="utf-8")
