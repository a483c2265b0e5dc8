"""The day's announcements: one combined RSS request, parsed into records.

The digest day is the channel's `pubDate` in US Eastern time, never the clock:
a Saturday download that still serves Friday's feed belongs to Friday.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax import SAXException
from zoneinfo import ZoneInfo

import feedparser
import httpx

from generator.errors import FetchError
from generator.ids import split_versioned
from generator.models import ANNOUNCE_TYPES, LISTING_PRECEDENCE, Paper, StepState
from generator.sources.authors import parse_creators
from generator.sources.http import ArxivHttp, Retryable, RetryPolicy, get_with_retries
from generator.text import one_line, paragraphs

log = logging.getLogger(__name__)

EASTERN = ZoneInfo("America/New_York")
DEFAULT_RSS_URL = "https://rss.arxiv.org/rss/"

_GUID_PREFIX = "oai:arXiv.org:"
_PREFIX_RE = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.I)


class FeedRefused(FetchError):
    """arXiv answered, and said the query itself is wrong (e.g. a bad category)."""


@dataclass
class FeedDay:
    """What one feed says: the announcement day and its papers (one per id)."""

    date: dt.date
    papers: list[Paper]
    skipped: list[str] = field(default_factory=list)  # items that could not be read, and why


def feed_url(base: str, categories: Iterable[str]) -> str:
    return base.rstrip("/") + "/" + "+".join(categories)


def fetch_feed(
    client: ArxivHttp,
    base_url: str,
    categories: list[str],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> FeedDay:
    """Download and parse the combined feed of `categories`."""
    url = feed_url(base_url, categories)

    def parse(response: httpx.Response) -> FeedDay:
        # A blank body or a page that is not a feed is usually a passing fault of
        # arXiv's front end, worth another try; a refused query is not.
        if not response.content.strip():
            raise Retryable("blank body")
        try:
            return parse_feed(response.content, source=url)
        except FeedRefused:
            raise
        except FetchError as exc:
            raise Retryable(str(exc)) from exc

    return get_with_retries(client, url, policy=policy, parse=parse, sleep=sleep, what="arXiv RSS")


# Control bytes are never valid in XML 1.0. One stray byte in an abstract must not
# cost the whole day, so they go before parsing (no UTF-8 sequence contains them).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse_feed(content: bytes, *, source: str = "feed") -> FeedDay:
    content, stripped = _CONTROL_BYTES.subn(b"", content)
    if stripped:
        log.warning("%s: removed %d control characters that XML does not allow", source, stripped)
    # sanitize_html=False: we want the text exactly as arXiv sent it and escape it
    # ourselves wherever it lands; feedparser's sanitizer would silently drop parts.
    parsed = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
    _require_rss(parsed, source)
    date = _channel_date(parsed, source)
    listings: list[Paper] = []
    skipped: list[str] = []
    for entry in parsed.entries:
        try:
            listings.append(parse_item(entry))
        except ValueError as exc:
            skipped.append(f"{str(entry.get('id', '?'))[:80]}: {exc}")
    for problem in skipped:
        log.warning("skipped an unreadable feed item: %s", problem)
    return FeedDay(date, one_per_paper(listings), skipped)


def _require_rss(parsed: Any, source: str) -> None:
    title = parsed.feed.get("title", "")
    if "feed error" in title.lower():
        raise FeedRefused(f"arXiv refused the feed {source}: {title}")
    if not parsed.version.startswith("rss"):
        raise FetchError(f"{source} is not an RSS feed ({_bozo_reason(parsed)})")
    if parsed.bozo and isinstance(parsed.bozo_exception, SAXException):
        raise FetchError(f"{source} is not well-formed XML: {parsed.bozo_exception}")


def _bozo_reason(parsed: Any) -> str:
    return str(parsed.get("bozo_exception") or "no RSS channel found")


def _channel_date(parsed: Any, source: str) -> dt.date:
    raw = parsed.feed.get("published") or parsed.feed.get("updated")
    if not raw:
        raise FetchError(f"{source} has no channel pubDate, so its day is unknown")
    try:
        stamp = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError) as exc:
        raise FetchError(f"{source} has an unreadable pubDate {raw!r}") from exc
    if stamp.tzinfo is None:  # no zone, or "-0000" (unknown): arXiv means its own, US Eastern
        stamp = stamp.replace(tzinfo=EASTERN)
    return stamp.astimezone(EASTERN).date()


def parse_item(entry: Any) -> Paper:
    """One RSS item into a record; ValueError says what is wrong with it."""
    guid = str(entry.get("id", ""))
    versioned = (
        split_versioned(guid[len(_GUID_PREFIX) :]) if guid.startswith(_GUID_PREFIX) else None
    )
    if versioned is None:
        raise ValueError(f"guid {guid[:80]!r} is not an arXiv identifier")
    announce_type = entry.get("arxiv_announce_type", "")
    if announce_type not in ANNOUNCE_TYPES:
        raise ValueError(f"unknown announce type {announce_type!r}")
    title = one_line(entry.get("title", ""))
    if not title:
        raise ValueError("no title")
    authors, affiliations = parse_creators(entry.get("author", ""))
    return Paper(
        id=versioned[0],
        version=versioned[1],
        title=title,
        authors=authors,
        abstract=paragraphs(_PREFIX_RE.sub("", entry.get("summary", ""), count=1)),
        categories=[one_line(t["term"]) for t in entry.get("tags", []) if t.get("term")],
        primary_category=None,  # the feed does not say; the API does
        announce_type=announce_type,
        journal_ref=one_line(entry.get("arxiv_journal_reference", "")) or None,
        doi=one_line(entry.get("arxiv_doi", "")) or None,
        institutions=affiliations or None,
        api=StepState("pending"),
        llm=StepState("pending"),
    )


def one_per_paper(listings: Iterable[Paper]) -> list[Paper]:
    """One record per paper (its listings merged), sorted by id."""
    papers: dict[str, Paper] = {}
    for paper in listings:
        papers[paper.id] = merge_listings(papers[paper.id], paper) if paper.id in papers else paper
    return sorted(papers.values(), key=lambda p: p.id)


def merge_listings(first: Paper, second: Paper) -> Paper:
    """Merge two listings of one paper: highest version, primary listing, all categories."""
    newer, other = (second, first) if second.version > first.version else (first, second)
    if (
        newer.version == other.version
        and LISTING_PRECEDENCE[other.announce_type] < LISTING_PRECEDENCE[newer.announce_type]
    ):
        newer, other = other, newer
    for category in other.categories:
        if category not in newer.categories:
            newer.categories.append(category)
    return newer
