"""site/sitemap.xml: every page of the site, written after the build. MkDocs' own lists
only the pages it built, and a build that takes months from the cache (months.py)
builds few; this one is the same whichever way the site was made."""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.sax.saxutils import escape

# Folders of site/ that hold no pages of the site's own.
_NOT_PAGES = ("assets/", "pagefind/", "feeds/")


def write_sitemap(site: Path, site_url: str | None) -> None:
    """sitemap.xml and sitemap.xml.gz, as MkDocs names them, listing every index.html."""
    base = (site_url or "/").rstrip("/") + "/"
    urls = sorted(
        page.parent.relative_to(site).as_posix().removeprefix(".") + "/"
        for page in site.rglob("index.html")
    )
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for url in urls:
        if url.startswith(_NOT_PAGES):
            continue
        lines.append(f"<url><loc>{escape(base + url.lstrip('/'))}</loc></url>")
    lines.append("</urlset>")
    text = ("\n".join(lines) + "\n").encode("utf-8")
    (site / "sitemap.xml").write_bytes(text)
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(text, mtime=0))
