"""The site's URLs (DESIGN.md) and relative links between pages.

Links are relative so the site works under any base path (a fork's
`https://user.github.io/repo/`) and from `mkdocs serve`.
"""

from __future__ import annotations

import datetime as dt
import posixpath

from generator.periods import Period


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
    return date.strftime(cards_pattern(part))


def cards_pattern(part: str | None = None) -> str:
    """cards_url of any day, its date left as strftime's %Y/%m/%d: the pages that rank
    name the ranking files so (data-rank-files), and the browser fills in the day it
    wants (digest/daycards.js rankFileOf), with no copy of the rule of its own."""
    folder = "%Y/%m/%d/cards/"
    return f"{folder}{part}.json.gz" if part else folder


def period_url(period: Period, slug: str) -> str:
    """Topic `slug`'s best papers of a week ("2026/W25/llm/") or a month ("2026/06/llm/",
    beside the month's days: config.py keeps a slug of digits alone from meeting one)."""
    return f"{period.folder}/{slug}/"


FEEDS = "feeds/"
WEEKLY_FEEDS = "feeds/weekly/"  # a folder of their own: no topic's daily feed meets one


def feed_url(slug: str | None) -> str:
    return f"{FEEDS}{slug or 'all'}.xml"


def weekly_feed_url(slug: str) -> str:
    return f"{WEEKLY_FEEDS}{slug}.xml"


OPML_URL = f"{FEEDS}index.opml"  # every feed of the site, for a feed reader to import
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
    if url.endswith((".xml", ".json", ".gz", ".opml")):
        return url
    parts = url.rstrip("/").split("/")
    # Day overviews are index.md of their folder; every other page (a topic's day, the
    # whole day at YYYY/MM/DD/all/, a topic's week or month) is <name>.md.
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return url + "index.md"
    return url.rstrip("/") + ".md"
