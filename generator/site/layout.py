"""The search layout, the one place that knows it: where each paper's search document
goes, which period (a quarter) holds it, where each period's Pagefind bundle is
published, and the manifest that lists them for the browser.

The browser asks for the manifest and nothing else it would have to work out: each
entry names its period, its label and its bundle's script (relative to the manifest).
overrides/main.html links the manifest at MANIFEST_URL (tests/test_builders.py checks
they agree), so the browser (digest/search.js) turns no date into a path.
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


def write_manifest(output: Path, periods: Iterable[str]) -> None:
    """The manifest into `output` (site/FOLDER/)."""
    output.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest(periods), ensure_ascii=False) + "\n"
    (output / MANIFEST).write_text(text, encoding="utf-8")
