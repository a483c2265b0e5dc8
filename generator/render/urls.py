"""The site's URLs (DESIGN.md) and relative links between pages.

Links are relative so the site works under any base path (a fork's
`https://user.github.io/repo/`) and from `mkdocs serve`.
"""

from __future__ import annotations

import datetime as dt
import posixpath


def day_url(date: dt.date) -> str:
    return f"{date:%Y/%m/%d}/"


def topic_day_url(date: dt.date, slug: str) -> str:
    return f"{date:%Y/%m/%d}/{slug}/"


def whole_day_url(date: dt.date) -> str:
    """Every paper of the day's announcement, listed on a topic page or not. A topic
    slugged "all" would want the same path: Content refuses the second page."""
    return f"{date:%Y/%m/%d}/all/"


def topic_url(slug: str) -> str:
    return f"topics/{slug}/"


def cards_url(date: dt.date, part: str | None = None) -> str:
    """The folder of the day file's parts (card_data.py), which its topic pages load
    when a reader opens an abstract or copies a citation; or the file of `part`."""
    folder = f"{date:%Y/%m/%d}/cards/"
    return f"{folder}{part}.json.gz" if part else folder


def feed_url(slug: str | None) -> str:
    return f"feeds/{slug or 'all'}.xml"


ARCHIVE_URL = "archive/"
HOME_URL = ""


def absolute(site_url: str | None, url: str) -> str | None:
    """`url` (site-relative) under the site's address; None when it has none."""
    return site_url.rstrip("/") + "/" + url if site_url else None


def arxiv_abs(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def relative(from_url: str, to_url: str) -> str:
    """The href that leads from the page at `from_url` to `to_url` (both site-relative)."""
    start = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url)
    target = posixpath.relpath("/" + to_url, "/" + start.rstrip("/") if start else "/")
    if (to_url.endswith("/") or to_url == HOME_URL) and target != ".":
        target += "/"
    return "./" if target == "." else target


def source_path(url: str) -> str:
    """The Markdown file under content/ that MkDocs turns into `url`."""
    if url == "":
        return "index.md"
    if url.endswith((".xml", ".json", ".gz")):
        return url
    parts = url.rstrip("/").split("/")
    # Day overviews are index.md of their folder; every other page (a topic's day, the
    # whole day at YYYY/MM/DD/all/) is <name>.md.
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return url + "index.md"
    return url.rstrip("/") + ".md"
